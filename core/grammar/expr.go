package grammar

// An Expr is one expression of a grammar: a Lit, a Class, a Ref, a Seq, an Alt or a
// Repeat. Compilers (GBNF, JSON Schema) build Exprs; Compile turns named rules of them
// into a Grammar.
type Expr interface{ isExpr() }

// Lit matches its bytes literally. The empty Lit matches the empty string.
type Lit string

// Class matches one UTF-8 encoded character: one in Ranges, or with Negated one in none of
// them (surrogates are never characters).
type Class struct {
	Ranges  []RuneRange
	Negated bool
}

// RuneRange is the characters Lo..Hi, both included.
type RuneRange struct{ Lo, Hi rune }

// Ref matches what the rule of that name matches.
type Ref string

// Seq matches its expressions one after the other; the empty Seq matches the empty string.
type Seq []Expr

// Alt matches any one of its expressions; the empty Alt matches nothing.
type Alt []Expr

// Repeat matches X at least Min times and at most Max times; Max < 0 means no limit.
type Repeat struct {
	X        Expr
	Min, Max int
}

// Rule names an expression.
type Rule struct {
	Name string
	Body Expr
}

func (Lit) isExpr()    {}
func (Class) isExpr()  {}
func (Ref) isExpr()    {}
func (Seq) isExpr()    {}
func (Alt) isExpr()    {}
func (Repeat) isExpr() {}

// Opt matches x or nothing.
func Opt(x Expr) Expr { return Repeat{X: x, Max: 1} }

// Star matches x any number of times.
func Star(x Expr) Expr { return Repeat{X: x, Max: -1} }
