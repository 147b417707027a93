package chat

import (
	"strconv"
	"strings"
)

// maxNesting bounds how deeply blocks and expressions may nest in a template.
const maxNesting = 100

// parser builds the syntax tree from the tokens of a template.
type parser struct {
	toks  []token
	i     int
	depth int
}

// parseTemplate parses template source into its top-level statements.
func parseTemplate(src string) ([]node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	body, end, err := p.body()
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, errorf(end.pos, "unexpected '%s'", end.val)
	}
	return body, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// isOp reports whether the current token is operator op.
func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tokOp && t.val == op
}

// isName reports whether the current token is the name (or keyword) s.
func (p *parser) isName(s string) bool {
	t := p.peek()
	return t.kind == tokName && t.val == s
}

func (p *parser) expectOp(op string) (token, error) {
	t := p.next()
	if t.kind != tokOp || t.val != op {
		return t, errorf(t.pos, "expected '%s', got %s", op, t)
	}
	return t, nil
}

func (p *parser) expectName() (token, error) {
	t := p.next()
	if t.kind != tokName {
		return t, errorf(t.pos, "expected a name, got %s", t)
	}
	return t, nil
}

func (p *parser) expectBlockEnd() error {
	t := p.next()
	if t.kind != tokBlockEnd {
		return errorf(t.pos, "expected end of statement '%%}', got %s", t)
	}
	return nil
}

func (p *parser) enter(at Pos) error {
	p.depth++
	if p.depth > maxNesting {
		return errorf(at, "template nested more than %d levels deep", maxNesting)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// body parses statements until the end of the template or a block tag named in stop.
// In the latter case it consumes "{%" and the tag name and returns the name token;
// the caller parses the rest of that tag.
func (p *parser) body(stop ...string) ([]node, *token, error) {
	var nodes []node
	for {
		t := p.next()
		switch t.kind {
		case tokEOF:
			return nodes, nil, nil
		case tokText:
			nodes = append(nodes, &textNode{pos: t.pos, text: t.val})
		case tokVarBegin:
			x, err := p.tuple(true)
			if err != nil {
				return nil, nil, err
			}
			if e := p.next(); e.kind != tokVarEnd {
				return nil, nil, errorf(e.pos, "expected end of print statement '}}', got %s", e)
			}
			nodes = append(nodes, &outputNode{pos: t.pos, x: x})
		case tokBlockBegin:
			name, err := p.expectName()
			if err != nil {
				return nil, nil, err
			}
			for _, s := range stop {
				if name.val == s {
					return nodes, &name, nil
				}
			}
			n, err := p.statement(name)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, n)
		default:
			return nil, nil, errorf(t.pos, "unexpected %s", t)
		}
	}
}

// block parses a body that must end with one of stop, reporting a missing end
// against the statement that opened it.
func (p *parser) block(open token, stop ...string) ([]node, token, error) {
	if err := p.enter(open.pos); err != nil {
		return nil, token{}, err
	}
	defer p.leave()
	body, end, err := p.body(stop...)
	if err != nil {
		return nil, token{}, err
	}
	if end == nil {
		return nil, token{}, errorf(open.pos, "unclosed '%s': expected '%s' before the end of the template", open.val, strings.Join(stop, "' or '"))
	}
	return body, *end, nil
}

func (p *parser) statement(name token) (node, error) {
	switch name.val {
	case "if":
		return p.ifStmt(name)
	case "for":
		return p.forStmt(name)
	case "set":
		return p.setStmt(name)
	case "macro":
		return p.macroStmt(name)
	case "break", "continue":
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		return &loopControlNode{pos: name.pos, brk: name.val == "break"}, nil
	case "generation":
		// transformers' extension marking assistant output; it only groups.
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		body, _, err := p.block(name, "endgeneration")
		if err != nil {
			return nil, err
		}
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		return &blockNode{pos: name.pos, body: body}, nil
	case "elif", "else", "endif", "endfor", "endset", "endmacro", "endgeneration":
		return nil, errorf(name.pos, "unexpected '%s'", name.val)
	}
	return nil, errorf(name.pos, "unsupported statement '%s'", name.val)
}

func (p *parser) ifStmt(open token) (node, error) {
	n := &ifNode{pos: open.pos}
	for {
		cond, err := p.tuple(false)
		if err != nil {
			return nil, err
		}
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		body, end, err := p.block(open, "elif", "else", "endif")
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.bodies = append(n.bodies, body)
		switch end.val {
		case "elif":
			continue
		case "else":
			if err := p.expectBlockEnd(); err != nil {
				return nil, err
			}
			if n.orElse, _, err = p.block(open, "endif"); err != nil {
				return nil, err
			}
		}
		return n, p.expectBlockEnd()
	}
}

func (p *parser) forStmt(open token) (node, error) {
	n := &forNode{pos: open.pos}
	for {
		t, err := p.expectName()
		if err != nil {
			return nil, err
		}
		n.targets = append(n.targets, t.val)
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	if t := p.next(); t.kind != tokName || t.val != "in" {
		return nil, errorf(t.pos, "expected 'in' in for loop, got %s", t)
	}
	var err error
	if n.iter, err = p.tuple(false); err != nil {
		return nil, err
	}
	if p.isName("if") {
		p.next()
		if n.filter, err = p.expr(false); err != nil {
			return nil, err
		}
	}
	if t := p.peek(); t.kind == tokName && t.val == "recursive" {
		return nil, errorf(t.pos, "recursive for loops are not supported")
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	body, end, err := p.block(open, "else", "endfor")
	if err != nil {
		return nil, err
	}
	n.body = body
	if end.val == "else" {
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		if n.orElse, _, err = p.block(open, "endfor"); err != nil {
			return nil, err
		}
	}
	return n, p.expectBlockEnd()
}

func (p *parser) setStmt(open token) (node, error) {
	t, err := p.expectName()
	if err != nil {
		return nil, err
	}
	n := &setNode{pos: open.pos, targets: []string{t.val}}
	switch {
	case p.isOp("."):
		p.next()
		a, err := p.expectName()
		if err != nil {
			return nil, err
		}
		n.attr = a.val
	case p.isOp(","):
		for p.isOp(",") {
			p.next()
			t, err := p.expectName()
			if err != nil {
				return nil, err
			}
			n.targets = append(n.targets, t.val)
		}
	case p.peek().kind == tokBlockEnd:
		p.next()
		body, _, err := p.block(open, "endset")
		if err != nil {
			return nil, err
		}
		return &setBlockNode{pos: open.pos, target: t.val, body: body}, p.expectBlockEnd()
	}
	if _, err := p.expectOp("="); err != nil {
		return nil, err
	}
	if n.x, err = p.tuple(true); err != nil {
		return nil, err
	}
	return n, p.expectBlockEnd()
}

func (p *parser) macroStmt(open token) (node, error) {
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	m := &macroDef{name: name.val}
	if _, err := p.expectOp("("); err != nil {
		return nil, err
	}
	for !p.isOp(")") {
		if len(m.params) > 0 {
			if _, err := p.expectOp(","); err != nil {
				return nil, err
			}
			if p.isOp(")") {
				break
			}
		}
		a, err := p.expectName()
		if err != nil {
			return nil, err
		}
		var def expr
		if p.isOp("=") {
			p.next()
			if def, err = p.expr(true); err != nil {
				return nil, err
			}
		} else if len(m.defaults) > 0 && m.defaults[len(m.defaults)-1] != nil {
			return nil, errorf(a.pos, "macro parameter '%s' without a default follows one with a default", a.val)
		}
		m.params = append(m.params, a.val)
		m.defaults = append(m.defaults, def)
	}
	p.next()
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	if m.body, _, err = p.block(open, "endmacro"); err != nil {
		return nil, err
	}
	if p.peek().kind == tokName && p.peek().val == m.name {
		p.next() // {% endmacro name %}
	}
	return &macroNode{pos: open.pos, name: m.name, m: m}, p.expectBlockEnd()
}

// tuple parses an expression, or a tuple of them when separated by commas.
func (p *parser) tuple(withCond bool) (expr, error) {
	at := p.peek().pos
	x, err := p.expr(withCond)
	if err != nil || !p.isOp(",") {
		return x, err
	}
	items := []expr{x}
	for p.isOp(",") {
		p.next()
		if !p.startsExpr() {
			break
		}
		if x, err = p.expr(withCond); err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	return &listExpr{pos: at, items: items, tuple: true}, nil
}

// startsExpr reports whether the current token can begin an expression.
func (p *parser) startsExpr() bool {
	t := p.peek()
	switch t.kind {
	case tokName, tokString, tokInt, tokFloat:
		return true
	case tokOp:
		switch t.val {
		case "(", "[", "{", "-", "+":
			return true
		}
	}
	return false
}

// expr parses a full expression; withCond allows "x if c else y".
func (p *parser) expr(withCond bool) (expr, error) {
	if err := p.enter(p.peek().pos); err != nil {
		return nil, err
	}
	defer p.leave()
	x, err := p.or()
	if err != nil || !withCond {
		return x, err
	}
	for p.isName("if") {
		t := p.next()
		cond, err := p.or()
		if err != nil {
			return nil, err
		}
		var orElse expr
		if p.isName("else") {
			p.next()
			if orElse, err = p.expr(true); err != nil {
				return nil, err
			}
		}
		x = &condExpr{pos: t.pos, cond: cond, then: x, orElse: orElse}
	}
	return x, nil
}

func (p *parser) or() (expr, error) {
	x, err := p.and()
	for err == nil && p.isName("or") {
		t := p.next()
		var y expr
		if y, err = p.and(); err == nil {
			x = &binaryExpr{pos: t.pos, op: "or", x: x, y: y}
		}
	}
	return x, err
}

func (p *parser) and() (expr, error) {
	x, err := p.not()
	for err == nil && p.isName("and") {
		t := p.next()
		var y expr
		if y, err = p.not(); err == nil {
			x = &binaryExpr{pos: t.pos, op: "and", x: x, y: y}
		}
	}
	return x, err
}

func (p *parser) not() (expr, error) {
	if p.isName("not") {
		t := p.next()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{pos: t.pos, op: "not", x: x}, nil
	}
	return p.compare()
}

func (p *parser) compare() (expr, error) {
	x, err := p.math1()
	if err != nil {
		return nil, err
	}
	var c *compareExpr
	for {
		t := p.peek()
		var op string
		switch {
		case t.kind == tokOp && (t.val == "==" || t.val == "!=" || t.val == "<" || t.val == "<=" || t.val == ">" || t.val == ">="):
			op = t.val
		case t.kind == tokName && t.val == "in":
			op = "in"
		case t.kind == tokName && t.val == "not" && p.peekAt(1).kind == tokName && p.peekAt(1).val == "in":
			p.next()
			op = "not in"
		default:
			if c != nil {
				return c, nil
			}
			return x, nil
		}
		p.next()
		y, err := p.math1()
		if err != nil {
			return nil, err
		}
		if c == nil {
			c = &compareExpr{pos: t.pos, first: x}
		}
		c.ops = append(c.ops, op)
		c.operands = append(c.operands, y)
	}
}

// binary parses a left-associative chain of the operators ops over operands parsed by sub.
func (p *parser) binary(sub func() (expr, error), ops ...string) (expr, error) {
	x, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		found := false
		for _, op := range ops {
			found = found || t.kind == tokOp && t.val == op
		}
		if !found {
			return x, nil
		}
		p.next()
		y, err := sub()
		if err != nil {
			return nil, err
		}
		x = &binaryExpr{pos: t.pos, op: t.val, x: x, y: y}
	}
}

func (p *parser) math1() (expr, error)  { return p.binary(p.concat, "+", "-") }
func (p *parser) concat() (expr, error) { return p.binary(p.math2, "~") }
func (p *parser) math2() (expr, error)  { return p.binary(p.pow, "*", "/", "//", "%") }
func (p *parser) pow() (expr, error) {
	return p.binary(func() (expr, error) { return p.unary(true) }, "**")
}

func (p *parser) unary(withFilter bool) (expr, error) {
	t := p.peek()
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	var x expr
	var err error
	if t.kind == tokOp && (t.val == "-" || t.val == "+") {
		p.next()
		y, err := p.unary(false)
		if err != nil {
			return nil, err
		}
		x = &unaryExpr{pos: t.pos, op: t.val, x: y}
	} else if x, err = p.primary(); err != nil {
		return nil, err
	}
	if x, err = p.postfix(x); err != nil {
		return nil, err
	}
	if withFilter {
		return p.filters(x)
	}
	return x, nil
}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tokName:
		switch t.val {
		case "true", "True":
			return &literalExpr{pos: t.pos, v: true}, nil
		case "false", "False":
			return &literalExpr{pos: t.pos, v: false}, nil
		case "none", "None":
			return &literalExpr{pos: t.pos, v: nil}, nil
		}
		return &nameExpr{pos: t.pos, name: t.val}, nil
	case tokString:
		s := t.val
		for p.peek().kind == tokString {
			s += p.next().val
		}
		return &literalExpr{pos: t.pos, v: s}, nil
	case tokInt:
		n, err := strconv.ParseInt(t.val, 10, 64)
		if err != nil {
			return nil, errorf(t.pos, "integer literal %s out of range", t.val)
		}
		return &literalExpr{pos: t.pos, v: n}, nil
	case tokFloat:
		f, err := strconv.ParseFloat(t.val, 64)
		if err != nil {
			return nil, errorf(t.pos, "invalid float literal %s", t.val)
		}
		return &literalExpr{pos: t.pos, v: f}, nil
	case tokOp:
		switch t.val {
		case "(":
			if p.isOp(")") {
				p.next()
				return &listExpr{pos: t.pos, tuple: true}, nil
			}
			x, err := p.expr(true)
			if err != nil {
				return nil, err
			}
			if p.isOp(",") {
				items := []expr{x}
				for p.isOp(",") {
					p.next()
					if p.isOp(")") {
						break
					}
					if x, err = p.expr(true); err != nil {
						return nil, err
					}
					items = append(items, x)
				}
				x = &listExpr{pos: t.pos, items: items, tuple: true}
			}
			if _, err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return x, nil
		case "[":
			items, err := p.list("]")
			if err != nil {
				return nil, err
			}
			return &listExpr{pos: t.pos, items: items}, nil
		case "{":
			d := &dictExpr{pos: t.pos}
			for !p.isOp("}") {
				if len(d.keys) > 0 {
					if _, err := p.expectOp(","); err != nil {
						return nil, err
					}
					if p.isOp("}") {
						break
					}
				}
				k, err := p.expr(true)
				if err != nil {
					return nil, err
				}
				if _, err := p.expectOp(":"); err != nil {
					return nil, err
				}
				v, err := p.expr(true)
				if err != nil {
					return nil, err
				}
				d.keys = append(d.keys, k)
				d.vals = append(d.vals, v)
			}
			p.next()
			return d, nil
		}
	}
	return nil, errorf(t.pos, "unexpected %s", t)
}

// list parses comma-separated expressions up to and including the closing op.
func (p *parser) list(closing string) ([]expr, error) {
	var items []expr
	for !p.isOp(closing) {
		if len(items) > 0 {
			if _, err := p.expectOp(","); err != nil {
				return nil, err
			}
			if p.isOp(closing) {
				break
			}
		}
		x, err := p.expr(true)
		if err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	p.next()
	return items, nil
}

func (p *parser) postfix(x expr) (expr, error) {
	for {
		t := p.peek()
		if t.kind != tokOp {
			return x, nil
		}
		var err error
		switch t.val {
		case ".":
			p.next()
			a := p.next()
			switch a.kind {
			case tokName:
				x = &attrExpr{pos: a.pos, x: x, name: a.val}
			case tokInt:
				n, _ := strconv.ParseInt(a.val, 10, 64)
				x = &indexExpr{pos: a.pos, x: x, key: &literalExpr{pos: a.pos, v: n}}
			default:
				return nil, errorf(a.pos, "expected an attribute name after '.', got %s", a)
			}
		case "[":
			p.next()
			if x, err = p.subscript(t.pos, x); err != nil {
				return nil, err
			}
		case "(":
			p.next()
			a, err := p.args()
			if err != nil {
				return nil, err
			}
			x = &callExpr{pos: t.pos, fn: x, args: a}
		default:
			return x, nil
		}
	}
}

// subscript parses the inside of x[...] after the "[".
func (p *parser) subscript(at Pos, x expr) (expr, error) {
	var parts [3]expr
	colons := 0
	for {
		if p.isOp("]") {
			p.next()
			break
		}
		if p.isOp(":") {
			p.next()
			colons++
			if colons > 2 {
				return nil, errorf(p.peek().pos, "too many ':' in subscript")
			}
			continue
		}
		if parts[colons] != nil {
			return nil, errorf(p.peek().pos, "expected ']' or ':', got %s", p.peek())
		}
		e, err := p.expr(true)
		if err != nil {
			return nil, err
		}
		parts[colons] = e
	}
	if colons == 0 {
		if parts[0] == nil {
			return nil, errorf(at, "empty subscript")
		}
		return &indexExpr{pos: at, x: x, key: parts[0]}, nil
	}
	return &sliceExpr{pos: at, x: x, start: parts[0], stop: parts[1], step: parts[2]}, nil
}

// args parses call arguments after the "(" up to and including the ")".
func (p *parser) args() (args, error) {
	var a args
	for !p.isOp(")") {
		if len(a.values)+len(a.kw) > 0 {
			if _, err := p.expectOp(","); err != nil {
				return a, err
			}
			if p.isOp(")") {
				break
			}
		}
		if t := p.peek(); t.kind == tokOp && (t.val == "*" || t.val == "**") {
			return a, errorf(t.pos, "*args and **kwargs in calls are not supported")
		}
		if t := p.peek(); t.kind == tokName && p.peekAt(1).kind == tokOp && p.peekAt(1).val == "=" {
			p.next()
			p.next()
			v, err := p.expr(true)
			if err != nil {
				return a, err
			}
			a.names = append(a.names, t.val)
			a.kw = append(a.kw, v)
			continue
		}
		if len(a.kw) > 0 {
			return a, errorf(p.peek().pos, "positional argument follows keyword argument")
		}
		v, err := p.expr(true)
		if err != nil {
			return a, err
		}
		a.values = append(a.values, v)
	}
	p.next()
	return a, nil
}

// filters parses any "| filter", "is test" and call suffixes after x.
func (p *parser) filters(x expr) (expr, error) {
	for {
		t := p.peek()
		switch {
		case t.kind == tokOp && t.val == "|":
			p.next()
			name, err := p.dottedName()
			if err != nil {
				return nil, err
			}
			f := &filterExpr{pos: name.pos, x: x, name: name.val}
			if p.isOp("(") {
				p.next()
				if f.args, err = p.args(); err != nil {
					return nil, err
				}
			}
			x = f
		case t.kind == tokName && t.val == "is":
			p.next()
			te := &testExpr{pos: t.pos, x: x}
			if p.isName("not") {
				p.next()
				te.not = true
			}
			name, err := p.dottedName()
			if err != nil {
				return nil, err
			}
			te.name = name.val
			n := p.peek()
			switch {
			case n.kind == tokOp && n.val == "(":
				p.next()
				if te.args, err = p.args(); err != nil {
					return nil, err
				}
			case (n.kind == tokName || n.kind == tokString || n.kind == tokInt || n.kind == tokFloat || n.kind == tokOp && (n.val == "[" || n.val == "{")) &&
				!(n.kind == tokName && (n.val == "else" || n.val == "or" || n.val == "and" || n.val == "if" || n.val == "is" || n.val == "in" || n.val == "not")):
				arg, err := p.primary()
				if err != nil {
					return nil, err
				}
				if arg, err = p.postfix(arg); err != nil {
					return nil, err
				}
				te.args.values = []expr{arg}
			}
			x = te
		case t.kind == tokOp && t.val == "(":
			p.next()
			a, err := p.args()
			if err != nil {
				return nil, err
			}
			x = &callExpr{pos: t.pos, fn: x, args: a}
		default:
			return x, nil
		}
	}
}

// dottedName parses a filter or test name, which may contain dots.
func (p *parser) dottedName() (token, error) {
	t, err := p.expectName()
	if err != nil {
		return t, err
	}
	for p.isOp(".") && p.peekAt(1).kind == tokName {
		p.next()
		t.val += "." + p.next().val
	}
	return t, nil
}
