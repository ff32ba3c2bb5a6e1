package safe_test

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/packages"
)

// The rule of package safe, enforced on the sinks: a string field of a
// server type (any struct declared in oauthdeck/client: App.Name,
// ASMetadata.Issuer, APIError.Message, …) that reaches display data — a
// flows Field's Value, a Finding's Message, a StepResult's Verdict, an
// argument of a CLI writer (fmt.Fprint*), or in the console anything
// formatted (fmt.Sprint*), styled (lipgloss Render), written into a view
// (strings.Builder) or into a row of cells ([]string{…}) — goes through a
// call into oauthdeck/client/safe on the way, written inline or first
// copied into a local variable (see taintedLocals). One load serves both
// the rule and the proof that it catches a removed call.
func TestServerStringsReachSinksOnlyThroughSafe(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads and type-checks the engine and the CLI")
	}
	pkgs := loadForRule(t, "oauthdeck/flows", "oauthdeck/cli", "oauthdeck/ui", "oauthdeck/flows/check", auditPkg)
	violations, sinks := serverStringsOutsideSafe(pkgs)
	if sinks < 200 { // the walk must see the sinks it claims to check
		t.Fatalf("found only %d sinks", sinks)
	}
	for _, v := range violations {
		t.Error(v)
	}
	if t.Failed() {
		return
	}

	// The rule fails when a sanitise call is taken out of a sink, whether
	// the server string is written inline (a flow step's field, an Apps
	// row's name) or first copied into a local (the status bar's
	// user@host): the same walk, on the same syntax trees with those calls
	// replaced by their argument.
	removed := map[string]string{
		"flows/step_client.go": "safe.Line(reg.RegistrationClientURI)",
		"ui/status.go":         "safe.Line(sess.User.Username)",
		"ui/apps_index.go":     "safe.Line(a.Name)",
	}
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			for file, call := range removed {
				if strings.HasSuffix(p.Fset.Position(f.Pos()).Filename, "/"+file) && removeCall(f, call) {
					delete(removed, file)
				}
			}
		}
	}
	if len(removed) > 0 {
		t.Fatalf("no longer in the tree (update this test): %v", removed)
	}
	violations, _ = serverStringsOutsideSafe(pkgs)
	for _, want := range []string{"step_client.go", "status.go", "apps_index.go"} {
		if !slices.ContainsFunc(violations, func(v string) bool { return strings.Contains(v, want) }) {
			t.Errorf("removing the sanitise call in %s goes unnoticed; violations: %q", want, violations)
		}
	}
	if len(violations) != 4 { // the step field; dep, and the bar built from it; the Apps row's name
		t.Errorf("%d violations with the calls removed, want 4: %q", len(violations), violations)
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

// removeCall replaces the first call in f written as call by its argument;
// the argument's type information stays valid.
func removeCall(f *ast.File, call string) bool {
	done := false
	astutil.Apply(f, func(c *astutil.Cursor) bool {
		if ce, ok := c.Node().(*ast.CallExpr); ok && !done && len(ce.Args) == 1 && types.ExprString(ce) == call {
			c.Replace(ce.Args[0])
			done = true
		}
		return !done
	}, nil)
	return done
}

func loadForRule(t *testing.T, patterns ...string) []*packages.Package {
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
	}
	return pkgs
}

func serverStringsOutsideSafe(pkgs []*packages.Package) (violations []string, sinks int) {
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			tainted := taintedLocals(p.TypesInfo, f)
			for _, decl := range f.Decls {
				inUI := p.PkgPath == uiPkg
				rows := inUI && !uiDataFuncs[declName(decl)]
				ast.Inspect(decl, func(n ast.Node) bool {
					for _, sink := range sinkExprs(p.TypesInfo, n, inUI, rows) {
						sinks++
						violations = append(violations, taintedOutsideSafe(p.Fset, p.TypesInfo, tainted, sink)...)
					}
					return true
				})
			}
		}
	}
	return violations, sinks
}

// uiDataFuncs are the console functions whose []string literals are data,
// not rows of cells: their callers make the values safe where they draw them.
var uiDataFuncs = map[string]bool{"appRedirects": true}

func declName(d ast.Decl) string {
	if f, ok := d.(*ast.FuncDecl); ok {
		return f.Name.Name
	}
	return ""
}

// sinkExprs are the expressions n hands to display data. In the console
// (inUI) everything formatted or drawn is display data, and with rows a
// []string literal is a row of cells; in the engine, formatted text is
// still raw (its sinks are the fields above).
func sinkExprs(info *types.Info, n ast.Node, inUI, rows bool) []ast.Expr {
	switch n := n.(type) {
	case *ast.CompositeLit:
		if rows && isRawString(info.TypeOf(n)) {
			return n.Elts // a row of cells: []string{app.Name, …}
		}
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

// taintedLocals are the local string variables of file f that hold a
// server string not made safe: assigned (or ranged over) from an
// expression that reads one outside package safe, or from another such
// local. The analysis ignores order (a local later reassigned through safe
// stays tainted): such a local must be made safe under a name of its own.
func taintedLocals(info *types.Info, f *ast.File) map[*types.Var]bool {
	tainted := map[*types.Var]bool{}
	mark := func(id ast.Expr, from ast.Expr) bool {
		ident, ok := id.(*ast.Ident)
		if !ok || from == nil {
			return false
		}
		v, ok := info.Defs[ident].(*types.Var)
		if !ok {
			v, ok = info.Uses[ident].(*types.Var)
		}
		if !ok || v.IsField() || tainted[v] || !isRawString(v.Type()) || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
			return false
		}
		if len(serverReads(info, tainted, from)) == 0 {
			return false
		}
		tainted[v] = true
		return true
	}
	for changed := true; changed; { // until no local is newly tainted
		changed = false
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i := range n.Lhs {
					changed = mark(n.Lhs[i], sourceOf(n.Rhs, i)) || changed
				}
			case *ast.ValueSpec:
				for i := range n.Names {
					changed = mark(n.Names[i], sourceOf(n.Values, i)) || changed
				}
			case *ast.RangeStmt:
				for _, v := range []ast.Expr{n.Key, n.Value} { // a map's keys too
					if v != nil {
						changed = mark(v, n.X) || changed
					}
				}
			}
			return true
		})
	}
	return tainted
}

// sourceOf is what the i-th name on the left of an assignment comes from:
// its own value, or the one call that gives them all (a, b := f(x)).
func sourceOf(rhs []ast.Expr, i int) ast.Expr {
	switch {
	case len(rhs) == 1:
		return rhs[0]
	case i < len(rhs):
		return rhs[i]
	}
	return nil
}

// taintedOutsideSafe lists the server string fields, and the tainted
// locals, read in e outside any call into package safe.
func taintedOutsideSafe(fset *token.FileSet, info *types.Info, tainted map[*types.Var]bool, e ast.Expr) []string {
	var out []string
	for _, n := range serverReads(info, tainted, e) {
		out = append(out, fset.Position(n.Pos()).String()+": server string "+types.ExprString(n)+" reaches display data without package safe")
	}
	return out
}

// serverReads are the reads in e, outside calls into package safe (and
// console helpers, checked at their own sinks), of a server string field
// or of a tainted local.
func serverReads(info *types.Info, tainted map[*types.Var]bool, e ast.Expr) []ast.Expr {
	var out []ast.Expr
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
				out = append(out, n)
			}
		case *ast.Ident:
			if v, ok := info.Uses[n].(*types.Var); ok && tainted[v] {
				out = append(out, n)
			}
		}
		return true
	}
	ast.Inspect(e, walk)
	return out
}

// isRawString: string or []string itself; a named string type of ours
// (flows.AuthMethod, …) holds one of our own values, whatever chose it.
func isRawString(t types.Type) bool {
	if s, ok := t.(*types.Slice); ok {
		t = s.Elem()
	}
	b, ok := t.(*types.Basic)
	return ok && b.Info()&types.IsString != 0
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
