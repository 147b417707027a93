package chat

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of one Render call. They keep a template that loops or grows strings without
// bound (a hostile or broken one) from running away; real chat templates stay far
// below them.
const (
	// maxSteps bounds the loop iterations, macro calls and list elements built.
	maxSteps = 1 << 20
	// maxBytes bounds the bytes of string data built or scanned, output included.
	maxBytes = 64 << 20
	// maxCallDepth bounds the nesting of macro calls.
	maxCallDepth = 64
)

// flow is how a statement ends: normally, or by {% break %} or {% continue %}.
type flow uint8

const (
	flowNormal flow = iota
	flowBreak
	flowContinue
)

// renderer is the state of one Render call.
type renderer struct {
	w     *strings.Builder
	steps int
	bytes int
	depth int
}

// frame is a variable scope. Loop bodies and macro calls get a new frame;
// {% set %} assigns in the current one.
type frame struct {
	vars   map[string]value
	parent *frame
}

func newFrame(parent *frame) *frame { return &frame{vars: make(map[string]value), parent: parent} }

func (f *frame) lookup(name string) (value, bool) {
	for ; f != nil; f = f.parent {
		if v, ok := f.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// step counts n units of work against maxSteps.
func (r *renderer) step(at Pos, n int) error {
	r.steps += n
	if n < 0 || r.steps > maxSteps {
		return errorf(at, "render exceeded %d loop iterations, calls and list elements", maxSteps)
	}
	return nil
}

// charge counts n bytes of string data built or scanned against maxBytes.
func (r *renderer) charge(at Pos, n int) error {
	r.bytes += n
	if n < 0 || r.bytes > maxBytes {
		return errorf(at, "render exceeded %d bytes of string data", maxBytes)
	}
	return nil
}

// str is str(v), counted against maxBytes like all work proportional to a string's length.
func (r *renderer) str(at Pos, v value) (string, error) {
	s := str(v)
	return s, r.charge(at, len(s))
}

func (r *renderer) write(at Pos, s string) error {
	if err := r.charge(at, len(s)); err != nil {
		return err
	}
	r.w.WriteString(s)
	return nil
}

// capture executes body with its output going to a string.
func (r *renderer) capture(body []node, f *frame) (string, flow, error) {
	saved := r.w
	var b strings.Builder
	r.w = &b
	fl, err := r.exec(body, f)
	r.w = saved
	return b.String(), fl, err
}

func (r *renderer) exec(nodes []node, f *frame) (flow, error) {
	for _, n := range nodes {
		fl, err := r.execOne(n, f)
		if err != nil || fl != flowNormal {
			return fl, err
		}
	}
	return flowNormal, nil
}

func (r *renderer) execOne(n node, f *frame) (flow, error) {
	switch n := n.(type) {
	case *textNode:
		return flowNormal, r.write(n.pos, n.text)
	case *outputNode:
		v, err := r.eval(n.x, f)
		if err != nil {
			return flowNormal, err
		}
		s, err := r.str(n.pos, v)
		if err != nil {
			return flowNormal, err
		}
		return flowNormal, r.write(n.pos, s)
	case *ifNode:
		for i, c := range n.conds {
			v, err := r.eval(c, f)
			if err != nil {
				return flowNormal, err
			}
			if truthy(v) {
				return r.exec(n.bodies[i], f)
			}
		}
		return r.exec(n.orElse, f)
	case *forNode:
		return flowNormal, r.execFor(n, f)
	case *setNode:
		v, err := r.eval(n.x, f)
		if err != nil {
			return flowNormal, err
		}
		return flowNormal, r.assign(n, f, v)
	case *setBlockNode:
		s, _, err := r.capture(n.body, f)
		if err != nil {
			return flowNormal, err
		}
		f.vars[n.target] = s
		return flowNormal, nil
	case *macroNode:
		f.vars[n.name] = &macro{def: n.m, scope: f}
		return flowNormal, nil
	case *loopControlNode:
		if n.brk {
			return flowBreak, nil
		}
		return flowContinue, nil
	case *blockNode:
		return r.exec(n.body, f)
	}
	return flowNormal, errorf(n.nodePos(), "unknown statement %T", n)
}

func (r *renderer) assign(n *setNode, f *frame, v value) error {
	if n.attr != "" {
		t, _ := f.lookup(n.targets[0])
		ns, ok := t.(*namespace)
		if !ok {
			return errorf(n.pos, "cannot assign attribute on non-namespace object '%s' (%s)", n.targets[0], typeName(t))
		}
		ns.attrs.set(n.attr, v)
		return nil
	}
	if len(n.targets) == 1 {
		f.vars[n.targets[0]] = v
		return nil
	}
	vals, err := unpack(n.pos, v, len(n.targets))
	if err != nil {
		return err
	}
	for i, t := range n.targets {
		f.vars[t] = vals[i]
	}
	return nil
}

// unpack splits v into n values for "a, b = v".
func unpack(at Pos, v value, n int) ([]value, error) {
	l, ok := v.([]value)
	if !ok {
		s, isStr := v.(string)
		if !isStr {
			return nil, errorf(at, "cannot unpack %s into %d names", typeName(v), n)
		}
		if utf8.RuneCountInString(s) == n {
			l = chars(s)
		}
	}
	if len(l) != n {
		return nil, errorf(at, "cannot unpack %d values into %d names", len(l), n)
	}
	return l, nil
}

// iterate returns the items a for loop runs over: those of a list, the keys of a dict,
// the characters of a string; none of undefined.
func (r *renderer) iterate(at Pos, v value) ([]value, error) {
	switch v := v.(type) {
	case []value:
		return v, nil
	case *dict:
		if err := r.step(at, len(v.keys)); err != nil {
			return nil, err
		}
		l := make([]value, len(v.keys))
		for i, k := range v.keys {
			l[i] = k
		}
		return l, nil
	case string:
		if err := r.step(at, utf8.RuneCountInString(v)); err != nil {
			return nil, err
		}
		return chars(v), nil
	case undefined:
		return nil, nil
	}
	return nil, errorf(at, "'%s' object is not iterable", typeName(v))
}

// chars splits s into one-character strings.
func chars(s string) []value {
	l := make([]value, 0, utf8.RuneCountInString(s))
	for _, c := range s {
		l = append(l, string(c))
	}
	return l
}

func (r *renderer) execFor(n *forNode, f *frame) error {
	v, err := r.eval(n.iter, f)
	if err != nil {
		return err
	}
	items, err := r.iterate(n.iter.exprPos(), v)
	if err != nil {
		return err
	}
	bind := func(g *frame, item value) error {
		if len(n.targets) == 1 {
			g.vars[n.targets[0]] = item
			return nil
		}
		vals, err := unpack(n.pos, item, len(n.targets))
		if err != nil {
			return err
		}
		for i, t := range n.targets {
			g.vars[t] = vals[i]
		}
		return nil
	}
	if n.filter != nil {
		var kept []value
		for _, item := range items {
			if err := r.step(n.pos, 1); err != nil {
				return err
			}
			g := newFrame(f)
			if err := bind(g, item); err != nil {
				return err
			}
			c, err := r.eval(n.filter, g)
			if err != nil {
				return err
			}
			if truthy(c) {
				kept = append(kept, item)
			}
		}
		items = kept
	}
	if len(items) == 0 {
		_, err := r.exec(n.orElse, f)
		return err
	}
	for i, item := range items {
		if err := r.step(n.pos, 1); err != nil {
			return err
		}
		g := newFrame(f)
		if err := bind(g, item); err != nil {
			return err
		}
		g.vars["loop"] = &loopInfo{index0: i, length: len(items), items: items}
		fl, err := r.exec(n.body, g)
		if err != nil {
			return err
		}
		if fl == flowBreak {
			break
		}
	}
	return nil
}

// loopAttr is an attribute of the loop variable.
func (l *loopInfo) attr(name string) (value, bool) {
	i, n := int64(l.index0), int64(l.length)
	switch name {
	case "index":
		return i + 1, true
	case "index0":
		return i, true
	case "revindex":
		return n - i, true
	case "revindex0":
		return n - i - 1, true
	case "first":
		return i == 0, true
	case "last":
		return i == n-1, true
	case "length":
		return n, true
	case "depth":
		return int64(1), true
	case "depth0":
		return int64(0), true
	case "previtem":
		if i == 0 {
			return undefined{hint: "there is no previous item"}, true
		}
		return l.items[i-1], true
	case "nextitem":
		if i == n-1 {
			return undefined{hint: "there is no next item"}, true
		}
		return l.items[i+1], true
	case "cycle":
		return &method{recv: l, name: name}, true
	}
	return nil, false
}

// macro is a macro value: its definition and the scope it was defined in.
type macro struct {
	def   *macroDef
	scope *frame
}

func (r *renderer) callMacro(m *macro, c *callArgs) (value, error) {
	if r.depth >= maxCallDepth {
		return nil, errorf(c.at, "macro calls nested more than %d deep", maxCallDepth)
	}
	if err := r.step(c.at, 1); err != nil {
		return nil, err
	}
	required := 0
	for required < len(m.def.defaults) && m.def.defaults[required] == nil {
		required++
	}
	vals, err := c.bind("macro '"+m.def.name+"'", m.def.params, required)
	if err != nil {
		return nil, err
	}
	g := newFrame(m.scope)
	for i, p := range m.def.params {
		v := vals[i]
		if _, ok := v.(absent); ok {
			if v, err = r.eval(m.def.defaults[i], g); err != nil {
				return nil, err
			}
		}
		g.vars[p] = v
	}
	r.depth++
	s, _, err := r.capture(m.def.body, g)
	r.depth--
	return s, err
}

// callArgs are the evaluated arguments of a call.
type callArgs struct {
	at    Pos
	args  []value
	names []string
	kw    []value
}

// bind matches the arguments to params: positional ones first, then by name.
// The first required params must be given; others not given are absent{}.
func (c *callArgs) bind(what string, params []string, required int) ([]value, error) {
	if len(c.args) > len(params) {
		return nil, errorf(c.at, "%s takes at most %d arguments (%d given)", what, len(params), len(c.args))
	}
	out := make([]value, len(params))
	for i := range out {
		out[i] = absent{}
	}
	copy(out, c.args)
	for i, name := range c.names {
		k := -1
		for j, p := range params {
			if p == name {
				k = j
			}
		}
		if k < 0 {
			return nil, errorf(c.at, "%s got an unexpected keyword argument '%s'", what, name)
		}
		if _, ok := out[k].(absent); !ok {
			return nil, errorf(c.at, "%s got multiple values for argument '%s'", what, name)
		}
		out[k] = c.kw[i]
	}
	for i := 0; i < required; i++ {
		if _, ok := out[i].(absent); ok {
			return nil, errorf(c.at, "%s missing required argument '%s'", what, params[i])
		}
	}
	return out, nil
}

// undefinedError is the error of using an undefined value where a value is needed.
func undefinedError(at Pos, u undefined) error {
	switch {
	case u.hint != "":
		return errorf(at, "%s", u.hint)
	case u.name != "":
		return errorf(at, "'%s' is undefined", u.name)
	}
	return errorf(at, "value is undefined")
}

// describe is how a value is named in "has no attribute" messages.
func describe(v value) string {
	return fmt.Sprintf("'%s object'", typeName(v))
}
