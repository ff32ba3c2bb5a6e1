package safe_test

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// The rule of package safe, enforced on the sinks: a string field of a
// server type (any struct declared in oauthdeck/client: App.Name,
// ASMetadata.Issuer, APIError.Message, …) that reaches display data — a
// flows Field's Value, a Finding's Message, a StepResult's Verdict, an
// argument of a CLI writer (fmt.Fprint*), or in the console anything
// formatted (fmt.Sprint*), styled (lipgloss Render) or written into a view
// (strings.Builder) — goes through a call into oauthdeck/client/safe on
// the way. Values first copied into a local
// variable are out of its sight; everything written inline is checked.
func TestServerStringsReachSinksOnlyThroughSafe(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads and type-checks the engine and the CLI")
	}
	violations, sinks := serverStringsOutsideSafe(t, "oauthdeck/flows", "oauthdeck/cli", "oauthdeck/ui", "oauthdeck/flows/check", auditPkg)
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
	uiPkg     = "oauthdeck/ui"
	auditPkg  = "oauthdeck/flows/audit"
)

// displayFields are the fields of engine types that are display data.
var displayFields = map[string]map[string][]string{
	flowsPkg: {"Field": {"Value"}, "Finding": {"Message"}},
	auditPkg: {"Finding": {"Message", "AppName", "SecretID"}, "Candidate": {"Name", "Why"}, "PruneFailure": {"Error"},
		"HistoryEntry": {"Action", "Subject", "Who", "Changes"}, "History": {"Unavailable", "Note"}},
}

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
				for _, sink := range sinkExprs(p.TypesInfo, n, p.PkgPath == uiPkg) {
					sinks++
					violations = append(violations, taintedOutsideSafe(p.Fset, p.TypesInfo, sink)...)
				}
				return true
			})
		}
	}
	return violations, sinks
}

// sinkExprs are the expressions n hands to display data. In the console
// (inUI) everything formatted or drawn is display data; in the engine,
// formatted text is still raw (its sinks are the fields above).
func sinkExprs(info *types.Info, n ast.Node, inUI bool) []ast.Expr {
	switch n := n.(type) {
	case *ast.CompositeLit:
		named := namedType(info.TypeOf(n))
		if named == nil || named.Obj().Pkg() == nil {
			return nil
		}
		if inUI && named.Obj().Pkg().Path() == uiPkg {
			return uiStringFields(info, n)
		}
		fields := displayFields[named.Obj().Pkg().Path()][named.Obj().Name()]
		var sinks []ast.Expr
		for _, el := range n.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok && slices.Contains(fields, id.Name) {
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
		fn := calledFunc(info, n)
		if fn == nil || fn.Pkg() == nil {
			return nil
		}
		switch pkg, name := fn.Pkg().Path(), fn.Name(); {
		case pkg == "fmt" && strings.HasPrefix(name, "Fprint") && len(n.Args) > 1:
			return n.Args[1:]
		case inUI && (pkg == "fmt" && strings.HasPrefix(name, "Sprint") ||
			// What the console draws: styled text and built-up views.
			pkg == "charm.land/lipgloss/v2" && name == "Render" ||
			pkg == "strings" && name == "WriteString"):
			return n.Args
		}
	}
	return nil
}

// uiStringFields are the string (or []string) fields set in a console
// struct literal: rows and cells the console keeps to draw. A console
// struct that keeps a server value to send back (an ID for the next call)
// keeps the whole server struct, which this does not flag.
func uiStringFields(info *types.Info, n *ast.CompositeLit) []ast.Expr {
	var sinks []ast.Expr
	for _, el := range n.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if id, ok := kv.Key.(*ast.Ident); ok && !isIDField(id.Name) {
			if v, ok := info.Uses[id].(*types.Var); ok && v.IsField() && isStringish(v.Type()) {
				sinks = append(sinks, kv.Value)
			}
		}
	}
	return sinks
}

// isIDField: an identifier kept to address the server again (an app's or
// a secret's ID) stays raw, and is made safe where it is drawn.
func isIDField(name string) bool {
	return name == "id" || strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "Id")
}

// taintedOutsideSafe lists the server string fields read in e outside any
// call into package safe.
func taintedOutsideSafe(fset *token.FileSet, info *types.Info, e ast.Expr) []string {
	var out []string
	walk := func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if fn := calledFunc(info, n); fn != nil && fn.Pkg() != nil {
				switch fn.Pkg().Path() {
				case safePkg:
					return false // made safe here
				case uiPkg:
					// A console helper is checked at its own sinks (what
					// it draws with its parameters).
					return false
				}
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
