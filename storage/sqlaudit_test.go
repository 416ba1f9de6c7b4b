package storage

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// queryArg maps the database methods that take SQL to the position of
// the SQL among their arguments (sqlx's package functions take one more).
var queryArg = map[string]int{
	"ExecContext": 1, "QueryContext": 1, "QueryxContext": 1, "QueryRowContext": 1, "QueryRowxContext": 1,
	"PrepareContext": 1, "PreparexContext": 1, "NamedExecContext": 1, "NamedQueryContext": 1,
	"GetContext": 2, "SelectContext": 2, "Exec": 0, "Query": 0, "QueryRow": 0, "Get": 1, "Select": 1, "MustExec": 0,
}

// reviewed are SQL arguments that are not built from constants in this
// package, each read and found safe.
var reviewed = map[string]string{
	"migrate.go m.sql": "the text of a migration file embedded in the binary (migrations/*.sql)",
	"create.go `CREATE DATABASE `+pq.QuoteIdentifier(name)": "the database DATABASE_URL names, which the operator set, quoted with pq.QuoteIdentifier",
}

// reviewedOutside are the files outside storage/ allowed to run SQL, each
// read and found safe.
var reviewedOutside = map[string]string{
	"demo.go": "CREATE and DROP DATABASE of the demo's throwaway database: a generated name, quoted with pq.QuoteIdentifier",
}

// No SQL is built from what people type. Every SQL argument of every query
// in this package is a string constant, a constant of this package, a
// value of a map literal of constants (the breakdown columns), what a
// function returns whose every return is itself built that way (moveSQL),
// or a variable or parameter only ever assigned such values, joined with
// +; anything else must be listed in reviewed with why it is safe. User
// input reaches Postgres only as $n parameters. And no other package runs
// SQL, but for the files in reviewedOutside.
func TestSQLIsNeverBuiltFromInput(t *testing.T) {
	a := parseAudit(t, ".")
	var unsafe []string
	for _, c := range a.calls {
		if !a.safe(c.fn, c.arg, map[ast.Node]bool{}) && reviewed[a.key(c.arg)] == "" {
			unsafe = append(unsafe, fmt.Sprintf("%s: %s(%s)", a.fset.Position(c.arg.Pos()), c.method, a.source(c.arg)))
		}
	}
	sort.Strings(unsafe)
	for _, u := range unsafe {
		t.Errorf("SQL built from something other than constants: %s", u)
	}
	if len(a.calls) < 50 {
		t.Errorf("found only %d queries: is the audit still finding them?", len(a.calls))
	}
	for _, f := range sqlOutsideStorage(t) {
		t.Errorf("a query outside storage/: %s", f)
	}
}

type audit struct {
	fset   *token.FileSet
	files  map[string]*ast.File
	consts map[string]bool
	maps   map[string]bool          // package maps whose values are all string literals
	funcs  map[string]*ast.FuncDecl // package functions by name
	calls  []queryCall
	src    map[string][]byte
}

type queryCall struct {
	fn     *ast.FuncDecl
	method string
	arg    ast.Expr
}

func parseAudit(t *testing.T, dir string) *audit {
	t.Helper()
	a := &audit{fset: token.NewFileSet(), files: map[string]*ast.File{}, consts: map[string]bool{}, maps: map[string]bool{},
		funcs: map[string]*ast.FuncDecl{}, src: map[string][]byte{}}
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(a.fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		a.files[p] = f
		a.collect(f)
	}
	for _, f := range a.files {
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Body != nil {
				a.findCalls(fn)
			}
		}
	}
	return a
}

// collect notes the package's constants, literal maps and functions.
func (a *audit) collect(f *ast.File) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				a.funcs[d.Name.Name] = d
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				vs, ok := s.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, n := range vs.Names {
					if d.Tok == token.CONST {
						a.consts[n.Name] = true
					} else if i < len(vs.Values) && literalMap(vs.Values[i]) {
						a.maps[n.Name] = true
					}
				}
			}
		}
	}
}

func literalMap(e ast.Expr) bool {
	cl, ok := e.(*ast.CompositeLit)
	if !ok {
		return false
	}
	if _, ok := cl.Type.(*ast.MapType); !ok {
		return false
	}
	for _, el := range cl.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			return false
		}
		if lit, ok := kv.Value.(*ast.BasicLit); !ok || lit.Kind != token.STRING {
			return false
		}
	}
	return true
}

func (a *audit) findCalls(fn *ast.FuncDecl) {
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		i, ok := queryArg[sel.Sel.Name]
		if !ok {
			return true
		}
		if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "sqlx" {
			i++
		}
		if i < len(call.Args) {
			a.calls = append(a.calls, queryCall{fn: fn, method: sel.Sel.Name, arg: call.Args[i]})
		}
		return true
	})
}

// safe reports whether e, in fn, is built only from constants.
func (a *audit) safe(fn *ast.FuncDecl, e ast.Expr, seen map[ast.Node]bool) bool {
	if seen[e] {
		return true // a cycle adds nothing new
	}
	seen[e] = true
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return a.safe(fn, e.X, seen)
	case *ast.BinaryExpr:
		return e.Op == token.ADD && a.safe(fn, e.X, seen) && a.safe(fn, e.Y, seen)
	case *ast.IndexExpr:
		id, ok := e.X.(*ast.Ident)
		return ok && a.maps[id.Name]
	case *ast.CallExpr:
		return a.safeCall(fn, e, seen)
	case *ast.Ident:
		return a.consts[e.Name] || a.safeVar(fn, e.Name, seen)
	}
	return false
}

// safeCall: fmt.Sprint of constants, or a function of this package whose
// every return starts with a safe value.
func (a *audit) safeCall(fn *ast.FuncDecl, call *ast.CallExpr, seen map[ast.Node]bool) bool {
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "fmt" && sel.Sel.Name == "Sprint" {
			for _, arg := range call.Args {
				if !a.safe(fn, arg, seen) {
					return false
				}
			}
			return true
		}
		return false
	}
	id, ok := call.Fun.(*ast.Ident)
	builder := a.funcs[id.Name]
	if !ok || builder == nil {
		return false
	}
	safe := true
	ast.Inspect(builder.Body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if r, ok := n.(*ast.ReturnStmt); ok && (len(r.Results) == 0 || !a.safe(builder, r.Results[0], seen)) {
			safe = false
		}
		return true
	})
	return safe
}

// safeVar: a local variable or parameter of fn whose every value is safe.
func (a *audit) safeVar(fn *ast.FuncDecl, name string, seen map[ast.Node]bool) bool {
	if fn == nil {
		return false
	}
	for i, p := range paramNames(fn) {
		if p == name {
			return a.safeParam(fn, i, seen)
		}
	}
	found, safe := false, true
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			for i, l := range s.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == name {
					found = true
					rhs := s.Rhs[0]
					if len(s.Rhs) == len(s.Lhs) {
						rhs = s.Rhs[i]
					} else if i != 0 { // v, ok := m[k] or v, err := f(): only the first is a string
						safe = false
					}
					safe = safe && a.safe(fn, rhs, seen)
				}
			}
		case *ast.ValueSpec:
			for i, id := range s.Names {
				if id.Name == name {
					found = true
					safe = safe && (i >= len(s.Values) || a.safe(fn, s.Values[i], seen))
				}
			}
		}
		return true
	})
	return found && safe
}

// safeParam: every call of fn in the package passes a safe argument i.
func (a *audit) safeParam(fn *ast.FuncDecl, i int, seen map[ast.Node]bool) bool {
	if fn.Recv != nil {
		return false // methods are not followed to their callers
	}
	calls := 0
	safe := true
	for _, f := range a.files {
		for _, d := range f.Decls {
			caller, ok := d.(*ast.FuncDecl)
			if !ok || caller.Body == nil {
				continue
			}
			ast.Inspect(caller.Body, func(n ast.Node) bool {
				c, ok := n.(*ast.CallExpr)
				if id, isID := c2id(c, ok); isID && id == fn.Name.Name && i < len(c.Args) {
					calls++
					safe = safe && a.safe(caller, c.Args[i], seen)
				}
				return true
			})
		}
	}
	return calls > 0 && safe
}

func c2id(c *ast.CallExpr, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	id, isID := c.Fun.(*ast.Ident)
	if !isID {
		return "", false
	}
	return id.Name, true
}

func paramNames(fn *ast.FuncDecl) []string {
	var names []string
	for _, f := range fn.Type.Params.List {
		for _, n := range f.Names {
			names = append(names, n.Name)
		}
	}
	return names
}

// key names an expression for reviewed: its file and its source text.
func (a *audit) key(e ast.Expr) string {
	return filepath.Base(a.fset.Position(e.Pos()).Filename) + " " + a.source(e)
}

func (a *audit) source(e ast.Expr) string {
	p := a.fset.Position(e.Pos())
	b, ok := a.src[p.Filename]
	if !ok {
		var err error
		if b, err = os.ReadFile(p.Filename); err != nil {
			return "?"
		}
		a.src[p.Filename] = b
	}
	end := a.fset.Position(e.End()).Offset
	s := string(b[p.Offset:end])
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

// sqlOutsideStorage lists calls of SQL methods in the module's other
// packages (tests and the test-database helpers aside).
func sqlOutsideStorage(t *testing.T) []string {
	t.Helper()
	var found []string
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != ".." && (name == "storage" || name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && strings.HasSuffix(sel.Sel.Name, "Context") {
					if _, sqlish := queryArg[sel.Sel.Name]; sqlish && reviewedOutside[filepath.Base(path)] == "" {
						found = append(found, fmt.Sprintf("%s: %s", fset.Position(call.Pos()), sel.Sel.Name))
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
