package grammar

import (
	"errors"
	"fmt"
	"strings"
)

// Limits that keep a grammar from untrusted text small.
const (
	// MaxRepeat is the largest bound a Repeat may give.
	MaxRepeat = 1000
	// maxElems bounds the compiled program: elements over every rule.
	maxElems = 1 << 20
	// maxDepth bounds the nesting of expressions.
	maxDepth = 200
)

// op is the kind of one element of a compiled sequence.
type op uint8

const (
	opEnd op = iota // the end of an alternative: return to the rule that referred to it
	opSet           // one byte in a set
	opRef           // a rule
)

// elem is one element of the compiled program: arg is the set of opSet, the rule of opRef.
type elem struct {
	op  op
	arg int32
}

// byteSet is a set of bytes, one bit each.
type byteSet [4]uint64

func (s *byteSet) add(lo, hi byte) {
	for b := int(lo); b <= int(hi); b++ {
		s[b>>6] |= 1 << (b & 63)
	}
}

func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }

// A Grammar is a compiled context-free grammar over bytes: every rule a list of
// alternatives, every alternative a sequence of byte sets and rule references ending in
// opEnd. Characters are matched as their UTF-8 bytes. A Grammar is immutable and safe for
// concurrent use; a Matcher runs it.
type Grammar struct {
	elems    []elem
	sets     []byteSet
	alts     [][]int32 // by rule: where each alternative starts in elems
	names    []string  // by rule, for errors
	root     int32
	specials []string // texts of special tokens the grammar may produce (see WithSpecials)
	// lazy, by rule: every alternative starts with a byte set, whose union is first. A
	// Matcher enters such a rule as one stack whose top is the rule itself, and picks the
	// alternatives by the next byte, instead of one stack per alternative.
	lazy  []bool
	first []byteSet
}

// WithSpecials returns a copy of g that lets a Matcher pick the special (added) tokens
// whose text is one of texts, where the grammar allows that text; other special tokens
// are never allowed. The tool-call format needs its markers this way.
func (g *Grammar) WithSpecials(texts ...string) *Grammar {
	c := *g
	c.specials = append(append([]string(nil), g.specials...), texts...)
	return &c
}

// CompileError is an error in a grammar: an undefined rule, left recursion, a bound out
// of range.
type CompileError struct{ Msg string }

func (e *CompileError) Error() string { return "grammar: " + e.Msg }

func compileErr(format string, args ...any) error {
	return &CompileError{Msg: fmt.Sprintf(format, args...)}
}

// compiler lowers rules of Exprs into a Grammar.
type compiler struct {
	g       *Grammar
	byName  map[string]int32
	bodies  []Expr // by rule; nil once lowered or for anonymous rules
	classes map[string]int32
	setIdx  map[byteSet]int32
}

// Compile compiles rules into a Grammar that starts at the rule named root. Every Ref must
// name one of rules; a rule may not be defined twice, nor reach itself before matching a
// byte (left recursion, which also covers a Repeat of something that may match nothing).
func Compile(rules []Rule, root string) (*Grammar, error) {
	c := &compiler{g: &Grammar{}, byName: map[string]int32{}, classes: map[string]int32{}, setIdx: map[byteSet]int32{}}
	for _, r := range rules {
		if _, dup := c.byName[r.Name]; dup {
			return nil, compileErr("rule %q is defined twice", r.Name)
		}
		if r.Name == "" {
			return nil, compileErr("a rule has no name")
		}
		c.newRule(r.Name)
		c.bodies = append(c.bodies, r.Body)
	}
	rootID, ok := c.byName[root]
	if !ok {
		return nil, compileErr("no rule %q to start from", root)
	}
	c.g.root = rootID
	for i := range rules {
		if err := c.lowerRule(int32(i), rules[i].Body); err != nil {
			return nil, err
		}
	}
	if err := c.g.checkLeftRecursion(); err != nil {
		return nil, err
	}
	c.g.findLazy()
	return c.g, nil
}

// newRule adds an empty rule and returns its index.
func (c *compiler) newRule(name string) int32 {
	id := int32(len(c.g.alts))
	c.g.alts = append(c.g.alts, nil)
	c.g.names = append(c.g.names, name)
	if name != "" && !strings.HasPrefix(name, "\x00") {
		c.byName[name] = id
	}
	return id
}

// anon adds a rule for an expression inside another and returns its index.
func (c *compiler) anon(parent int32, body Expr, depth int) (int32, error) {
	id := c.newRule("\x00" + c.g.names[parent])
	c.bodies = append(c.bodies, nil)
	return id, c.lowerRuleDepth(id, body, depth)
}

func (c *compiler) lowerRule(id int32, body Expr) error { return c.lowerRuleDepth(id, body, 0) }

// lowerRuleDepth gives rule id the alternatives of body.
func (c *compiler) lowerRuleDepth(id int32, body Expr, depth int) error {
	alts := []Expr{body}
	if a, ok := body.(Alt); ok {
		alts = a
	}
	for _, a := range alts {
		var seq []elem
		if err := c.seq(id, a, &seq, depth+1); err != nil {
			return err
		}
		c.g.alts[id] = append(c.g.alts[id], int32(len(c.g.elems)))
		c.g.elems = append(c.g.elems, seq...)
		c.g.elems = append(c.g.elems, elem{op: opEnd})
		if len(c.g.elems) > maxElems {
			return compileErr("the grammar is too large (more than %d elements)", maxElems)
		}
	}
	return nil
}

// set returns the index of s among the grammar's sets.
func (c *compiler) set(s byteSet) int32 {
	if i, ok := c.setIdx[s]; ok {
		return i
	}
	i := int32(len(c.g.sets))
	c.g.sets = append(c.g.sets, s)
	c.setIdx[s] = i
	return i
}

// seq appends the elements that match e, within rule parent, to out.
func (c *compiler) seq(parent int32, e Expr, out *[]elem, depth int) error {
	if depth > maxDepth {
		return compileErr("expressions nested more than %d deep", maxDepth)
	}
	if len(*out) > maxElems {
		return compileErr("the grammar is too large (more than %d elements)", maxElems)
	}
	switch e := e.(type) {
	case Lit:
		for i := 0; i < len(e); i++ {
			var s byteSet
			s.add(e[i], e[i])
			*out = append(*out, elem{op: opSet, arg: c.set(s)})
		}
	case Class:
		return c.class(parent, e, out)
	case Ref:
		id, ok := c.byName[string(e)]
		if !ok {
			return compileErr("rule %q refers to undefined rule %q", c.g.names[parent], string(e))
		}
		*out = append(*out, elem{op: opRef, arg: id})
	case Seq:
		for _, x := range e {
			if err := c.seq(parent, x, out, depth+1); err != nil {
				return err
			}
		}
	case Alt:
		if len(e) == 1 {
			return c.seq(parent, e[0], out, depth+1)
		}
		id, err := c.anon(parent, e, depth)
		if err != nil {
			return err
		}
		*out = append(*out, elem{op: opRef, arg: id})
	case Repeat:
		return c.repeat(parent, e, out, depth)
	case nil:
		return compileErr("rule %q has an empty expression", c.g.names[parent])
	default:
		return compileErr("rule %q has an expression of unknown kind %T", c.g.names[parent], e)
	}
	return nil
}

// repeat appends the elements of a Repeat: Min copies of X, then a rule for the rest.
func (c *compiler) repeat(parent int32, r Repeat, out *[]elem, depth int) error {
	if r.Min < 0 || r.Min > MaxRepeat || r.Max > MaxRepeat || (r.Max >= 0 && r.Max < r.Min) {
		return compileErr("repetition {%d,%d} is out of range (0 ≤ min ≤ max ≤ %d)", r.Min, r.Max, MaxRepeat)
	}
	// X once, as one element: a rule unless it already is one element.
	var one []elem
	if err := c.seq(parent, r.X, &one, depth+1); err != nil {
		return err
	}
	if len(one) != 1 {
		id := c.newRule("\x00" + c.g.names[parent])
		c.bodies = append(c.bodies, nil)
		c.g.alts[id] = append(c.g.alts[id], int32(len(c.g.elems)))
		c.g.elems = append(append(c.g.elems, one...), elem{op: opEnd})
		one = []elem{{op: opRef, arg: id}}
	}
	x := one[0]
	for range r.Min {
		*out = append(*out, x)
	}
	switch {
	case r.Max < 0: // star ::= x star | ε
		id := c.newRule("\x00" + c.g.names[parent])
		c.bodies = append(c.bodies, nil)
		c.g.alts[id] = []int32{int32(len(c.g.elems)), int32(len(c.g.elems) + 3)}
		c.g.elems = append(c.g.elems, x, elem{op: opRef, arg: id}, elem{op: opEnd}, elem{op: opEnd})
		*out = append(*out, elem{op: opRef, arg: id})
	case r.Max > r.Min: // opt_k ::= x opt_{k-1} | ε, opt_1 ::= x | ε
		prev := int32(-1)
		for range r.Max - r.Min {
			id := c.newRule("\x00" + c.g.names[parent])
			c.bodies = append(c.bodies, nil)
			start := int32(len(c.g.elems))
			c.g.elems = append(c.g.elems, x)
			if prev >= 0 {
				c.g.elems = append(c.g.elems, elem{op: opRef, arg: prev})
			}
			c.g.elems = append(c.g.elems, elem{op: opEnd})
			c.g.alts[id] = []int32{start, int32(len(c.g.elems))}
			c.g.elems = append(c.g.elems, elem{op: opEnd})
			prev = id
		}
		*out = append(*out, elem{op: opRef, arg: prev})
	}
	if len(c.g.elems) > maxElems {
		return compileErr("the grammar is too large (more than %d elements)", maxElems)
	}
	return nil
}

// class appends the elements of one character of cl: a byte set when every character is
// one byte, else a rule with one alternative per UTF-8 byte-range sequence (shared by
// equal classes).
func (c *compiler) class(parent int32, cl Class, out *[]elem) error {
	rs := cl.normalize()
	if len(rs) == 0 {
		// No character: a rule with no alternatives matches nothing.
		id := c.newRule("\x00empty")
		c.bodies = append(c.bodies, nil)
		*out = append(*out, elem{op: opRef, arg: id})
		return nil
	}
	if rs[len(rs)-1].Hi < 0x80 {
		var s byteSet
		for _, r := range rs {
			s.add(byte(r.Lo), byte(r.Hi))
		}
		*out = append(*out, elem{op: opSet, arg: c.set(s)})
		return nil
	}
	key := fmt.Sprint(rs)
	if id, ok := c.classes[key]; ok {
		*out = append(*out, elem{op: opRef, arg: id})
		return nil
	}
	var seqs [][]byteRange
	for _, r := range rs {
		seqs = utf8Seqs(seqs, r.Lo, r.Hi)
	}
	id := c.newRule("\x00class")
	c.bodies = append(c.bodies, nil)
	c.classes[key] = id
	// One alternative for all single bytes, then one per multi-byte sequence.
	var ascii byteSet
	hasASCII := false
	for _, sq := range seqs {
		if len(sq) == 1 {
			ascii.add(sq[0].lo, sq[0].hi)
			hasASCII = true
		}
	}
	if hasASCII {
		c.g.alts[id] = append(c.g.alts[id], int32(len(c.g.elems)))
		c.g.elems = append(c.g.elems, elem{op: opSet, arg: c.set(ascii)}, elem{op: opEnd})
	}
	for _, sq := range seqs {
		if len(sq) == 1 {
			continue
		}
		c.g.alts[id] = append(c.g.alts[id], int32(len(c.g.elems)))
		for _, br := range sq {
			var s byteSet
			s.add(br.lo, br.hi)
			c.g.elems = append(c.g.elems, elem{op: opSet, arg: c.set(s)})
		}
		c.g.elems = append(c.g.elems, elem{op: opEnd})
	}
	*out = append(*out, elem{op: opRef, arg: id})
	return nil
}

// errLeftRecursion is wrapped by the error of a grammar with left recursion.
var errLeftRecursion = errors.New("left recursion")

// checkLeftRecursion refuses a rule that can reach itself without matching a byte: the
// matcher would expand it forever.
func (g *Grammar) checkLeftRecursion() error {
	n := len(g.alts)
	nullable := make([]bool, n)
	for changed := true; changed; {
		changed = false
		for r := range n {
			if nullable[r] {
				continue
			}
			for _, a := range g.alts[r] {
				if g.nullableFrom(a, nullable) {
					nullable[r], changed = true, true
					break
				}
			}
		}
	}
	// Edges: r → s when s can start r's match.
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, n)
	var visit func(r int) error
	visit = func(r int) error {
		color[r] = grey
		for _, a := range g.alts[r] {
			for p := a; g.elems[p].op != opEnd; p++ {
				e := g.elems[p]
				if e.op == opSet {
					break
				}
				s := int(e.arg)
				switch color[s] {
				case grey:
					return fmt.Errorf("grammar: rule %q: %w", g.ruleName(s), errLeftRecursion)
				case white:
					if err := visit(s); err != nil {
						return err
					}
				}
				if !nullable[s] {
					break
				}
			}
		}
		color[r] = black
		return nil
	}
	for r := range n {
		if color[r] == white {
			if err := visit(r); err != nil {
				return &CompileError{Msg: strings.TrimPrefix(err.Error(), "grammar: ") + " (it can reach itself before matching anything)"}
			}
		}
	}
	return nil
}

// nullableFrom reports whether the sequence starting at p can match the empty string.
func (g *Grammar) nullableFrom(p int32, nullable []bool) bool {
	for ; g.elems[p].op != opEnd; p++ {
		e := g.elems[p]
		if e.op == opSet || !nullable[e.arg] {
			return false
		}
	}
	return true
}

// ruleName is the name of rule r for messages: anonymous rules are named after the rule
// they are part of.
func (g *Grammar) ruleName(r int) string { return strings.TrimLeft(g.names[r], "\x00") }

// findLazy marks the rules whose alternatives all start with a byte set.
func (g *Grammar) findLazy() {
	g.lazy, g.first = make([]bool, len(g.alts)), make([]byteSet, len(g.alts))
	for r, alts := range g.alts {
		lazy := len(alts) > 1
		for _, a := range alts {
			if e := g.elems[a]; e.op != opSet {
				lazy = false
				break
			} else {
				s := &g.sets[e.arg]
				for i := range s {
					g.first[r][i] |= s[i]
				}
			}
		}
		g.lazy[r] = lazy
	}
}
