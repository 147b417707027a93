package grammar

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxGBNF bounds the length of a GBNF text ParseGBNF reads.
const MaxGBNF = 64 << 10

// SyntaxError is an error in GBNF text, at a line and column (both from 1, the column
// in bytes).
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("grammar: line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// ParseGBNF compiles a grammar in GBNF, the text format of llama.cpp's grammars:
//
//	root  ::= greeting " " name        # matching starts at root
//	greeting ::= "hello" | "hi"
//	name  ::= [A-Z] [a-z]* ("-" [A-Z] [a-z]*)?
//
// Rules are name ::= alternatives separated by |. Terms are "literals" and [character
// classes] ([^...] negated, a-z ranges) with the escapes \n \r \t \\ \" \[ \] \- \^
// \xHH \uHHHH \UHHHHHHHH; . for any character; rule names; (groups); each may be followed
// by *, +, ?, {m}, {m,} or {m,n}. # starts a comment. A rule ends at the end of its line
// unless a group is open, the line ends after ::= or |, or the next line starts with |.
func ParseGBNF(src string) (*Grammar, error) {
	rules, err := parseGBNFRules(src)
	if err != nil {
		return nil, err
	}
	return Compile(rules, "root")
}

// parseGBNFRules reads the rules of src.
func parseGBNFRules(src string) ([]Rule, error) {
	if len(src) > MaxGBNF {
		return nil, &SyntaxError{Line: 1, Col: 1, Msg: fmt.Sprintf("the grammar is %d bytes long: at most %d are allowed", len(src), MaxGBNF)}
	}
	if !utf8.ValidString(src) {
		return nil, &SyntaxError{Line: 1, Col: 1, Msg: "the grammar is not valid UTF-8"}
	}
	p := &gbnfParser{src: src}
	var rules []Rule
	for {
		p.space(true)
		if p.i >= len(p.src) {
			break
		}
		name := p.name()
		if name == "" {
			return nil, p.errorf("expected a rule name")
		}
		p.space(false)
		if !strings.HasPrefix(p.src[p.i:], "::=") {
			return nil, p.errorf("expected ::= after rule name %q", name)
		}
		p.i += 3
		p.space(true)
		body, err := p.alternatives(false, 0)
		if err != nil {
			return nil, err
		}
		rules = append(rules, Rule{Name: name, Body: body})
		p.space(false)
		if p.i < len(p.src) && p.src[p.i] != '\n' {
			return nil, p.errorf("unexpected %q", p.src[p.i])
		}
	}
	if len(rules) == 0 {
		return nil, &SyntaxError{Line: 1, Col: 1, Msg: "the grammar has no rules"}
	}
	return rules, nil
}

// gbnfParser reads GBNF text; i is the next byte.
type gbnfParser struct {
	src string
	i   int
}

func (p *gbnfParser) errorf(format string, args ...any) error {
	line := 1 + strings.Count(p.src[:p.i], "\n")
	col := p.i - strings.LastIndexByte(p.src[:p.i], '\n')
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// space skips spaces, tabs and comments, and line ends too when newlines is true.
func (p *gbnfParser) space(newlines bool) {
	for p.i < len(p.src) {
		switch c := p.src[p.i]; {
		case c == ' ' || c == '\t' || c == '\r':
			p.i++
		case c == '\n' && newlines:
			p.i++
		case c == '#':
			for p.i < len(p.src) && p.src[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

// continued reports whether, at a line end outside any group, the next non-blank line
// starts with |; it then moves there.
func (p *gbnfParser) continued() bool {
	save := p.i
	p.space(true)
	if p.i < len(p.src) && p.src[p.i] == '|' {
		return true
	}
	p.i = save
	return false
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (p *gbnfParser) name() string {
	start := p.i
	for p.i < len(p.src) && isNameByte(p.src[p.i]) {
		p.i++
	}
	return p.src[start:p.i]
}

// alternatives reads sequences separated by |, up to ) when nested or the rule's end.
func (p *gbnfParser) alternatives(nested bool, depth int) (Expr, error) {
	if depth > maxDepth {
		return nil, p.errorf("groups nested more than %d deep", maxDepth)
	}
	var alts Alt
	for {
		seq, err := p.sequence(nested, depth)
		if err != nil {
			return nil, err
		}
		alts = append(alts, seq)
		p.space(nested)
		if !nested && p.i < len(p.src) && p.src[p.i] == '\n' {
			p.continued() // a next line that starts with | goes on
		}
		if p.i < len(p.src) && p.src[p.i] == '|' {
			p.i++
			p.space(true)
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alts, nil
}

// sequence reads terms up to |, ) or the end of the rule.
func (p *gbnfParser) sequence(nested bool, depth int) (Expr, error) {
	var seq Seq
	for {
		p.space(nested)
		if p.i >= len(p.src) {
			break
		}
		c := p.src[p.i]
		if c == '|' || c == ')' || c == '\n' {
			break
		}
		var term Expr
		switch {
		case c == '"':
			s, err := p.literal()
			if err != nil {
				return nil, err
			}
			term = Lit(s)
		case c == '[':
			cl, err := p.class()
			if err != nil {
				return nil, err
			}
			term = cl
		case c == '.':
			p.i++
			term = Class{Negated: true}
		case c == '(':
			p.i++
			p.space(true)
			x, err := p.alternatives(true, depth+1)
			if err != nil {
				return nil, err
			}
			p.space(true)
			if p.i >= len(p.src) || p.src[p.i] != ')' {
				return nil, p.errorf("expected ) to close the group")
			}
			p.i++
			term = x
		case isNameByte(c):
			n := p.name()
			if p.after("::=") {
				return nil, p.errorf("rule %q starts before the previous rule ended", n)
			}
			term = Ref(n)
		default:
			return nil, p.errorf("unexpected %q", c)
		}
		term, err := p.postfix(term)
		if err != nil {
			return nil, err
		}
		seq = append(seq, term)
	}
	if len(seq) == 1 {
		return seq[0], nil
	}
	return seq, nil
}

// after reports whether s follows, past spaces.
func (p *gbnfParser) after(s string) bool {
	j := p.i
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	return strings.HasPrefix(p.src[j:], s)
}

// postfix reads the repetition operators after a term.
func (p *gbnfParser) postfix(t Expr) (Expr, error) {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case '*':
			t = Repeat{X: t, Max: -1}
		case '+':
			t = Repeat{X: t, Min: 1, Max: -1}
		case '?':
			t = Repeat{X: t, Max: 1}
		case '{':
			end := strings.IndexByte(p.src[p.i:], '}')
			if end < 0 {
				return nil, p.errorf("expected } to close the repetition")
			}
			body := p.src[p.i+1 : p.i+end]
			lo, hi, ok := strings.Cut(body, ",")
			m, err := strconv.Atoi(strings.TrimSpace(lo))
			if err != nil || m < 0 || m > MaxRepeat {
				return nil, p.errorf("repetition {%s}: the minimum must be a number from 0 to %d", body, MaxRepeat)
			}
			n := m
			if ok {
				n = -1
				if s := strings.TrimSpace(hi); s != "" {
					if n, err = strconv.Atoi(s); err != nil || n < m || n > MaxRepeat {
						return nil, p.errorf("repetition {%s}: the maximum must be a number from %d to %d", body, m, MaxRepeat)
					}
				}
			}
			t = Repeat{X: t, Min: m, Max: n}
			p.i += end
		default:
			return t, nil
		}
		p.i++
	}
	return t, nil
}

// char reads one character of a literal or class, escapes decoded.
func (p *gbnfParser) char() (rune, error) {
	if p.i >= len(p.src) {
		return 0, p.errorf("unexpected end of the grammar")
	}
	if p.src[p.i] != '\\' {
		r, n := utf8.DecodeRuneInString(p.src[p.i:])
		p.i += n
		return r, nil
	}
	p.i++
	if p.i >= len(p.src) {
		return 0, p.errorf("unexpected end after \\")
	}
	c := p.src[p.i]
	p.i++
	switch c {
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case '\\', '"', '[', ']', '-', '^', '\'':
		return rune(c), nil
	case 'x', 'u', 'U':
		n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
		if p.i+n > len(p.src) {
			return 0, p.errorf("\\%c needs %d hex digits", c, n)
		}
		v, err := strconv.ParseUint(p.src[p.i:p.i+n], 16, 32)
		if err != nil || v > utf8.MaxRune {
			return 0, p.errorf("\\%c%s is not a character", c, p.src[p.i:p.i+n])
		}
		p.i += n
		return rune(v), nil
	}
	return 0, p.errorf("unknown escape \\%c", c)
}

// literal reads a "quoted" literal.
func (p *gbnfParser) literal() (string, error) {
	p.i++ // "
	var b strings.Builder
	for {
		if p.i >= len(p.src) || p.src[p.i] == '\n' {
			return "", p.errorf("unterminated literal")
		}
		if p.src[p.i] == '"' {
			p.i++
			return b.String(), nil
		}
		r, err := p.char()
		if err != nil {
			return "", err
		}
		if r >= 0xD800 && r <= 0xDFFF {
			return "", p.errorf("a literal holds the surrogate U+%04X", r)
		}
		b.WriteRune(r)
	}
}

// class reads a [character class].
func (p *gbnfParser) class() (Class, error) {
	p.i++ // [
	var cl Class
	if p.i < len(p.src) && p.src[p.i] == '^' {
		cl.Negated = true
		p.i++
	}
	for {
		if p.i >= len(p.src) || p.src[p.i] == '\n' {
			return Class{}, p.errorf("unterminated character class")
		}
		if p.src[p.i] == ']' {
			p.i++
			return cl, nil
		}
		lo, err := p.char()
		if err != nil {
			return Class{}, err
		}
		hi := lo
		if p.i+1 < len(p.src) && p.src[p.i] == '-' && p.src[p.i+1] != ']' {
			p.i++
			if hi, err = p.char(); err != nil {
				return Class{}, err
			}
			if hi < lo {
				return Class{}, p.errorf("character range %q-%q is reversed", lo, hi)
			}
		}
		cl.Ranges = append(cl.Ranges, RuneRange{lo, hi})
	}
}
