package safe_test

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// The rule of package safe, enforced on the sinks: a string field of a
// server type (any struct declared in oauthdeck/client: App.Name,
// ASMetadata.Issuer, APIError.Message, …) that reaches display data — a
// flows Field's Value, a Finding's Message, a StepResult's Verdict, or an
// argument of a CLI writer (fmt.Fprint*) — goes through a call into
// oauthdeck/client/safe on the way. Values first copied into a local
// variable are out of its sight; everything written inline is checked.
func TestServerStringsReachSinksOnlyThroughSafe(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and type-checks the engine and the CLI")
	}
	violations, sinks := serverStringsOutsideSafe(t, "oauthdeck/flows", "oauthdeck/cli")
	if sinks < 200 { // the walk must see the sinks it claims to check
		t.Fatalf("found only %d sinks", sinks)
	}
	for _, v := range violations {
		t.Error(v)
	}
}

const (
	clientPkg = "oauthdeck/client"
	safePkg   = "oauthdeck/client/safe"
	flowsPkg  = "oauthdeck/flows"
)

func serverStringsOutsideSafe(t *testing.T, patterns ...string) (violations []string, sinks int) {
	t.Helper()
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo, Dir: "../.."}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Fatalf("%s: %v", p.PkgPath, e)
		}
		for _, f := range p.Syntax {
			ast.Inspect(f, func(n ast.Node) bool {
				for _, sink := range sinkExprs(p.TypesInfo, n) {
					sinks++
					violations = append(violations, taintedOutsideSafe(p.Fset, p.TypesInfo, sink)...)
				}
				return true
			})
		}
	}
	return violations, sinks
}

// sinkExprs are the expressions n hands to display data.
func sinkExprs(info *types.Info, n ast.Node) []ast.Expr {
	switch n := n.(type) {
	case *ast.CompositeLit:
		named := namedType(info.TypeOf(n))
		if named == nil || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != flowsPkg {
			return nil
		}
		field := map[string]string{"Field": "Value", "Finding": "Message"}[named.Obj().Name()]
		var sinks []ast.Expr
		for _, el := range n.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok && id.Name == field {
					sinks = append(sinks, kv.Value)
				}
			}
		}
		return sinks
	case *ast.AssignStmt:
		var sinks []ast.Expr
		for i, lhs := range n.Lhs {
			if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Verdict" && i < len(n.Rhs) {
				if named := namedType(info.TypeOf(sel.X)); named != nil && named.Obj().Name() == "StepResult" {
					sinks = append(sinks, n.Rhs[i])
				}
			}
		}
		return sinks
	case *ast.CallExpr:
		if fn := calledFunc(info, n); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "fmt" && strings.HasPrefix(fn.Name(), "Fprint") && len(n.Args) > 1 {
			return n.Args[1:]
		}
	}
	return nil
}

// taintedOutsideSafe lists the server string fields read in e outside any
// call into package safe.
func taintedOutsideSafe(fset *token.FileSet, info *types.Info, e ast.Expr) []string {
	var out []string
	walk := func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if fn := calledFunc(info, n); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == safePkg {
				return false // made safe here
			}
		case *ast.SelectorExpr:
			if v, ok := info.Uses[n.Sel].(*types.Var); ok && v.IsField() && v.Pkg() != nil && v.Pkg().Path() == clientPkg && isStringish(v.Type()) {
				out = append(out, fset.Position(n.Pos()).String()+": server string "+types.ExprString(n)+" reaches display data without package safe")
			}
		}
		return true
	}
	ast.Inspect(e, walk)
	return out
}

func isStringish(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&types.IsString != 0
	case *types.Slice:
		return isStringish(u.Elem())
	}
	return false
}

func namedType(t types.Type) *types.Named {
	if t == nil {
		return nil
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := t.(*types.Named)
	return n
}

func calledFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch f := call.Fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}
