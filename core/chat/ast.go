package chat

// The syntax tree of a parsed template. Statements (node) are executed; expressions
// (expr) are evaluated to values (see value.go).

type node interface{ nodePos() Pos }

type expr interface{ exprPos() Pos }

type (
	// textNode is literal template text.
	textNode struct {
		pos  Pos
		text string
	}
	// outputNode is {{ x }}.
	outputNode struct {
		pos Pos
		x   expr
	}
	// ifNode is {% if %}...{% elif %}...{% else %}...{% endif %}.
	ifNode struct {
		pos    Pos
		conds  []expr
		bodies [][]node
		orElse []node
	}
	// forNode is {% for a, b in iter if filter %}...{% else %}...{% endfor %}.
	forNode struct {
		pos     Pos
		targets []string
		iter    expr
		filter  expr // nil if absent
		body    []node
		orElse  []node
	}
	// setNode is {% set a = x %}, {% set a, b = x %} or {% set ns.attr = x %}.
	setNode struct {
		pos     Pos
		targets []string
		attr    string // non-empty for {% set targets[0].attr = x %}
		x       expr
	}
	// setBlockNode is {% set a %}...{% endset %}.
	setBlockNode struct {
		pos    Pos
		target string
		body   []node
	}
	// macroNode is {% macro name(params) %}...{% endmacro %}.
	macroNode struct {
		pos  Pos
		name string
		m    *macroDef
	}
	// loopControlNode is {% break %} or {% continue %}.
	loopControlNode struct {
		pos Pos
		brk bool
	}
	// blockNode is a body that only groups, such as transformers'
	// {% generation %}...{% endgeneration %}.
	blockNode struct {
		pos  Pos
		body []node
	}
)

// macroDef is the definition of a macro.
type macroDef struct {
	name     string
	params   []string
	defaults []expr // per param; nil where there is no default
	body     []node
}

func (n *textNode) nodePos() Pos        { return n.pos }
func (n *outputNode) nodePos() Pos      { return n.pos }
func (n *ifNode) nodePos() Pos          { return n.pos }
func (n *forNode) nodePos() Pos         { return n.pos }
func (n *setNode) nodePos() Pos         { return n.pos }
func (n *setBlockNode) nodePos() Pos    { return n.pos }
func (n *macroNode) nodePos() Pos       { return n.pos }
func (n *loopControlNode) nodePos() Pos { return n.pos }
func (n *blockNode) nodePos() Pos       { return n.pos }

type (
	// literalExpr is a constant: a string, number, boolean or none.
	literalExpr struct {
		pos Pos
		v   value
	}
	// nameExpr is a variable reference.
	nameExpr struct {
		pos  Pos
		name string
	}
	// listExpr is [a, b] or, with tuple set, (a, b).
	listExpr struct {
		pos   Pos
		items []expr
		tuple bool
	}
	// dictExpr is {k: v, ...}.
	dictExpr struct {
		pos  Pos
		keys []expr
		vals []expr
	}
	// attrExpr is x.name.
	attrExpr struct {
		pos  Pos
		x    expr
		name string
	}
	// indexExpr is x[key].
	indexExpr struct {
		pos Pos
		x   expr
		key expr
	}
	// sliceExpr is x[start:stop:step]; absent parts are nil.
	sliceExpr struct {
		pos               Pos
		x                 expr
		start, stop, step expr
	}
	// callExpr is f(args, name=kwarg).
	callExpr struct {
		pos  Pos
		fn   expr
		args args
	}
	// filterExpr is x | name(args).
	filterExpr struct {
		pos  Pos
		x    expr
		name string
		args args
	}
	// testExpr is x is [not] name(args).
	testExpr struct {
		pos  Pos
		x    expr
		name string
		args args
		not  bool
	}
	// unaryExpr is not x, -x or +x.
	unaryExpr struct {
		pos Pos
		op  string
		x   expr
	}
	// binaryExpr is x op y for the arithmetic operators, ~, and, or.
	binaryExpr struct {
		pos  Pos
		op   string
		x, y expr
	}
	// compareExpr is a (possibly chained) comparison: x op1 y op2 z.
	compareExpr struct {
		pos      Pos
		first    expr
		ops      []string // ==, !=, <, <=, >, >=, in, not in
		operands []expr
	}
	// condExpr is then if cond else orElse; orElse is nil when absent.
	condExpr struct {
		pos                Pos
		cond, then, orElse expr
	}
)

// args are the arguments of a call, filter or test.
type args struct {
	values []expr
	names  []string // keyword argument names
	kw     []expr   // keyword argument values
}

func (e *literalExpr) exprPos() Pos { return e.pos }
func (e *nameExpr) exprPos() Pos    { return e.pos }
func (e *listExpr) exprPos() Pos    { return e.pos }
func (e *dictExpr) exprPos() Pos    { return e.pos }
func (e *attrExpr) exprPos() Pos    { return e.pos }
func (e *indexExpr) exprPos() Pos   { return e.pos }
func (e *sliceExpr) exprPos() Pos   { return e.pos }
func (e *callExpr) exprPos() Pos    { return e.pos }
func (e *filterExpr) exprPos() Pos  { return e.pos }
func (e *testExpr) exprPos() Pos    { return e.pos }
func (e *unaryExpr) exprPos() Pos   { return e.pos }
func (e *binaryExpr) exprPos() Pos  { return e.pos }
func (e *compareExpr) exprPos() Pos { return e.pos }
func (e *condExpr) exprPos() Pos    { return e.pos }
