package graph

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"lms/page"
)

// analyzer measures a parsed, not yet validated document for the limits.
// Every fragment is measured once and its measure reused wherever it is
// spread, so the work is linear in the document's size even when its
// fragments expand exponentially; the numbers themselves saturate at
// costCap.
type analyzer struct {
	ctx       context.Context
	schema    *ast.Schema
	doc       *ast.QueryDocument
	vars      map[string]any // nil: not known (judging the document alone)
	maxRepeat int

	fragments  map[string]*ast.FragmentDefinition
	memo       map[fragmentKey]*measure
	operations map[*ast.OperationDefinition]measure
	visits     int
	cancelled  bool
	// cycle refuses a fragment that spreads itself.
	cycle *gqlerror.Error

	// usesVariables: a multiplier (`first`, `ids`) is given by a variable.
	usesVariables bool
	// firstErr refuses a `first` out of bounds.
	firstErr *gqlerror.Error
	// invalid refuses a literal argument (a string with NUL).
	invalid *gqlerror.Error
	// uses maps each variable to the first argument path it fills.
	uses map[string][]string
}

type fragmentKey struct {
	name  string
	intro bool
}

// measure is what a selection set asks for.
type measure struct {
	fields  int // with fragments expanded
	depth   int // levels of fields below, introspection excluded
	aliases int
	cost    int
	ids     int // object ids looked up (the ids of nodes)
}

func (m *measure) add(o measure) {
	m.fields = capped(m.fields + o.fields)
	m.ids = capped(m.ids + o.ids)
	m.aliases = capped(m.aliases + o.aliases)
	m.cost = capped(m.cost + o.cost)
	m.depth = max(m.depth, o.depth)
}

// costCap keeps the arithmetic bounded for absurd documents; anything above
// it is far over every limit anyway.
const costCap = 1 << 30

func capped(n int) int { return min(n, costCap) }

// checkCancelEvery is how many visits pass between looks at the request's
// context.
const checkCancelEvery = 1024

func newAnalyzer(ctx context.Context, schema *ast.Schema, doc *ast.QueryDocument, vars map[string]any, maxRepeat int) *analyzer {
	a := &analyzer{
		ctx: ctx, schema: schema, doc: doc, vars: vars, maxRepeat: maxRepeat,
		fragments:  make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		memo:       map[fragmentKey]*measure{},
		operations: map[*ast.OperationDefinition]measure{},
		uses:       map[string][]string{},
	}
	for _, f := range doc.Fragments {
		if _, dup := a.fragments[f.Name]; !dup {
			a.fragments[f.Name] = f
		}
	}
	return a
}

// visit counts one step and reports whether to go on: not once the
// request's context has ended.
func (a *analyzer) visit() bool {
	if a.cancelled {
		return false
	}
	a.visits++
	if a.visits%checkCancelEvery == 0 && a.ctx.Err() != nil {
		a.cancelled = true
	}
	return !a.cancelled
}

// operation measures op once.
func (a *analyzer) operation(op *ast.OperationDefinition) measure {
	if m, ok := a.operations[op]; ok {
		return m
	}
	var root *ast.Definition
	switch op.Operation {
	case ast.Query, "":
		root = a.schema.Query
	case ast.Mutation:
		root = a.schema.Mutation
	case ast.Subscription:
		root = a.schema.Subscription
	}
	m := a.selections(op.SelectionSet, root, false)
	a.operations[op] = m
	return m
}

// selections measures a selection set on type parent (nil when unknown:
// validation will refuse what does not fit the schema). intro is true
// inside __schema and __type.
func (a *analyzer) selections(set ast.SelectionSet, parent *ast.Definition, intro bool) measure {
	var m measure
	for _, sel := range set {
		if !a.visit() {
			return m
		}
		switch s := sel.(type) {
		case *ast.Field:
			m.add(a.field(s, parent, intro))
		case *ast.InlineFragment:
			t := parent
			if s.TypeCondition != "" {
				t = a.schema.Types[s.TypeCondition]
			}
			m.add(a.selections(s.SelectionSet, t, intro))
		case *ast.FragmentSpread:
			m.add(a.fragment(s.Name, intro))
		}
	}
	return m
}

// fragment measures a fragment once per context (inside introspection or
// not). An unknown fragment measures as empty (validation refuses it); a
// cycle is refused here, as validation would, since nothing could measure
// it.
func (a *analyzer) fragment(name string, intro bool) measure {
	key := fragmentKey{name, intro}
	if m, ok := a.memo[key]; ok {
		if m == nil && a.cycle == nil {
			a.cycle = gqlerror.Errorf("Cannot spread fragment %q within itself.", name)
			errcode.Set(a.cycle, errcode.ValidationFailed)
		}
		if m == nil {
			return measure{}
		}
		return *m
	}
	f := a.fragments[name]
	if f == nil {
		return measure{}
	}
	a.memo[key] = nil // being measured
	m := a.selections(f.SelectionSet, a.schema.Types[f.TypeCondition], intro)
	a.memo[key] = &m
	return m
}

func (a *analyzer) field(f *ast.Field, parent *ast.Definition, intro bool) measure {
	var def *ast.FieldDefinition
	if parent != nil {
		def = parent.Fields.ForName(f.Name)
	}
	var child *ast.Definition
	if def != nil {
		child = a.schema.Types[def.Type.Name()]
	}
	for _, arg := range f.Arguments {
		a.argument(arg.Value, []string{arg.Name})
	}
	inIntro := intro || f.Name == "__schema" || f.Name == "__type"
	c := a.selections(f.SelectionSet, child, inIntro)
	mult, ids := a.multiplier(f, def)
	m := measure{
		fields:  capped(1 + c.fields),
		aliases: c.aliases,
		cost:    capped(1 + mult*c.cost),
		ids:     capped(ids + mult*c.ids),
	}
	if f.Alias != "" && f.Alias != f.Name {
		m.aliases = capped(m.aliases + 1)
	}
	if !inIntro {
		m.depth = 1 + c.depth
	}
	return m
}

// multiplier is how many times a field's children are resolved: a page of
// a connection (`first`, else the default page size), the ids of `nodes`;
// ids is how many ids the field itself looks up.
func (a *analyzer) multiplier(f *ast.Field, def *ast.FieldDefinition) (mult, ids int) {
	if def == nil {
		return 1, 0
	}
	if def.Arguments.ForName("first") != nil {
		return a.first(f), 0
	}
	if ad := def.Arguments.ForName("ids"); ad != nil && ad.Type.Elem != nil {
		n := page.MaxFirst // a variable not known yet: at most this many (nodes refuses more)
		if arg := f.Arguments.ForName("ids"); arg != nil {
			if v, known := a.value(arg.Value); known {
				if list, ok := v.([]any); ok {
					n = len(list)
				}
			}
		}
		return max(1, n), n
	}
	return 1, 0
}

// first is the page size a connection field asks for.
func (a *analyzer) first(f *ast.Field) int {
	arg := f.Arguments.ForName("first")
	if arg == nil {
		return page.DefaultFirst
	}
	v, known := a.value(arg.Value)
	if !known {
		return page.DefaultFirst
	}
	n, ok := asInt(v)
	if !ok {
		return page.DefaultFirst // validation refuses a non-integer
	}
	if n < 1 || n > page.MaxFirst {
		if a.firstErr == nil {
			a.firstErr = &gqlerror.Error{
				Message:    fmt.Sprintf("%s: first must be between 1 and %d, got %d", f.Alias, page.MaxFirst, n),
				Extensions: map[string]any{"code": "VALIDATION_FAILED", "field": []string{"first"}},
			}
		}
		return page.MaxFirst
	}
	return int(n)
}

// value returns an argument's value, and whether it is known: a variable's
// value is known only with the request's variables.
func (a *analyzer) value(v *ast.Value) (any, bool) {
	switch v.Kind {
	case ast.Variable:
		a.usesVariables = true
		if a.vars == nil {
			return nil, false
		}
		if x, ok := a.vars[v.Raw]; ok {
			return x, true
		}
		if a.operationDefault(v.Raw) != nil {
			return a.value(a.operationDefault(v.Raw))
		}
		return nil, false
	case ast.IntValue:
		n, err := strconv.ParseInt(v.Raw, 10, 64)
		return n, err == nil
	case ast.ListValue:
		out := make([]any, len(v.Children))
		for i, c := range v.Children {
			out[i], _ = a.value(c.Value)
		}
		return out, true
	}
	return v.Raw, true
}

// operationDefault returns the default value of a variable in any of the
// document's operations (a variable with a default is its own in each).
func (a *analyzer) operationDefault(name string) *ast.Value {
	for _, op := range a.doc.Operations {
		if d := op.VariableDefinitions.ForName(name); d != nil && d.DefaultValue != nil {
			return d.DefaultValue
		}
	}
	return nil
}

// argument records where variables are used and refuses literal strings
// that no input may hold (see checkString). Paths are built only for what
// is recorded, so deeply nested literals are read in linear time.
func (a *analyzer) argument(v *ast.Value, path []string) {
	var rev []string // below path, innermost first
	var walk func(v *ast.Value)
	walk = func(v *ast.Value) {
		if v == nil || !a.visit() {
			return
		}
		at := func() []string {
			out := slices.Clone(path)
			for i := len(rev) - 1; i >= 0; i-- {
				out = append(out, rev[i])
			}
			return out
		}
		switch v.Kind {
		case ast.Variable:
			if _, ok := a.uses[v.Raw]; !ok {
				a.uses[v.Raw] = at()
			}
		case ast.StringValue, ast.BlockValue:
			if a.invalid == nil && strings.ContainsRune(v.Raw, 0) {
				a.invalid = checkString(v.Raw, at())
			}
		case ast.ListValue, ast.ObjectValue:
			for i, c := range v.Children {
				elem := c.Name
				if v.Kind == ast.ListValue {
					elem = strconv.Itoa(i)
				}
				rev = append(rev, elem)
				walk(c.Value)
				rev = rev[:len(rev)-1]
			}
		}
	}
	walk(v)
}

// checkRepeats refuses a document in which one response name occurs more
// than maxRepeat times in one selection set, once fragments (spread or
// inline) and the sub-selections of same-named fields are merged as
// validation and execution merge them. It runs after the fields were
// counted, so its work is bounded by the number of fields expanded.
func (a *analyzer) checkRepeats(doc *ast.QueryDocument) *gqlerror.Error {
	var err *gqlerror.Error
	for _, op := range doc.Operations {
		if err = a.repeats([]ast.SelectionSet{op.SelectionSet}); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err = a.repeats([]ast.SelectionSet{f.SelectionSet}); err != nil {
			return err
		}
	}
	return nil
}

// repeats checks the selection sets that merge into one (a set and its
// fragments, or the sub-selections of fields with one response name).
func (a *analyzer) repeats(sets []ast.SelectionSet) *gqlerror.Error {
	groups := map[string][]ast.SelectionSet{}
	counts := map[string]int{}
	var order []string
	spread := map[string]bool{}
	var collect func(ast.SelectionSet)
	collect = func(set ast.SelectionSet) {
		for _, sel := range set {
			if !a.visit() {
				return
			}
			switch s := sel.(type) {
			case *ast.Field:
				name := s.Alias
				if name == "" {
					name = s.Name
				}
				if counts[name] == 0 {
					order = append(order, name)
				}
				counts[name]++
				if len(s.SelectionSet) > 0 {
					groups[name] = append(groups[name], s.SelectionSet)
				}
			case *ast.InlineFragment:
				collect(s.SelectionSet)
			case *ast.FragmentSpread:
				if f := a.fragments[s.Name]; f != nil && !spread[s.Name] {
					spread[s.Name] = true
					collect(f.SelectionSet)
				}
			}
		}
	}
	for _, set := range sets {
		collect(set)
	}
	if a.cancelled {
		return cancelled()
	}
	for _, name := range order {
		if n := counts[name]; n > a.maxRepeat {
			return tooComplex("the query selects %q %d times in one selection set; the limit is %d", name, n, a.maxRepeat)
		}
		if len(groups[name]) > 0 {
			if err := a.repeats(groups[name]); err != nil {
				return err
			}
		}
	}
	return nil
}
