package chat

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token of a template.
type tokKind uint8

const (
	tokEOF        tokKind = iota
	tokText               // literal template text, already whitespace-controlled
	tokVarBegin           // {{
	tokVarEnd             // }}
	tokBlockBegin         // {%
	tokBlockEnd           // %}
	tokName               // identifier or keyword
	tokString             // string literal; val is the decoded value
	tokInt                // integer literal; val is its digits
	tokFloat              // float literal; val is its source text
	tokOp                 // operator or punctuation
)

func (k tokKind) String() string {
	switch k {
	case tokEOF:
		return "end of template"
	case tokText:
		return "text"
	case tokVarBegin:
		return "'{{'"
	case tokVarEnd:
		return "'}}'"
	case tokBlockBegin:
		return "'{%'"
	case tokBlockEnd:
		return "'%}'"
	case tokName:
		return "name"
	case tokString:
		return "string"
	case tokInt, tokFloat:
		return "number"
	}
	return "operator"
}

type token struct {
	kind tokKind
	val  string
	pos  Pos
}

func (t token) String() string {
	switch t.kind {
	case tokName, tokOp:
		return strconv.Quote(t.val)
	case tokString:
		return "string " + strconv.Quote(t.val)
	case tokInt, tokFloat:
		return "number " + t.val
	}
	return t.kind.String()
}

// trimMode is what the end of one tag does to the text that follows it.
type trimMode uint8

const (
	trimNone    trimMode = iota
	trimNewline          // trim_blocks: drop one newline right after a block or comment tag
	trimAll              // "-%}", "-}}", "-#}": drop all following whitespace
)

// lexer splits template source into tokens. Whitespace control follows Jinja with the
// settings Hugging Face transformers renders chat templates with: trim_blocks and
// lstrip_blocks on, keep_trailing_newline off; "-" and "+" modifiers on tags.
type lexer struct {
	src   string
	lines []int // byte offset of the start of each line
	toks  []token
	// The last position computed, from which pos counts on when it can.
	lastOff int
	lastPos Pos
}

// lex tokenizes src. Newlines (\r\n, \r) are normalised to \n and one trailing
// newline is dropped, as Jinja does.
func lex(src string) ([]token, error) {
	if strings.IndexByte(src, '\r') >= 0 {
		src = strings.ReplaceAll(src, "\r\n", "\n")
		src = strings.ReplaceAll(src, "\r", "\n")
	}
	src = strings.TrimSuffix(src, "\n")
	l := &lexer{src: src, lines: []int{0}, toks: make([]token, 0, len(src)/4)}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			l.lines = append(l.lines, i+1)
		}
	}
	if err := l.run(); err != nil {
		return nil, err
	}
	return l.toks, nil
}

// pos converts a byte offset into a line and column.
func (l *lexer) pos(off int) Pos {
	line := sort.Search(len(l.lines), func(i int) bool { return l.lines[i] > off }) - 1
	start := l.lines[line]
	p := Pos{Line: line + 1, Col: 1}
	if l.lastPos.Line == p.Line && l.lastOff <= off {
		start, p.Col = l.lastOff, l.lastPos.Col // tokens come in order: count on
	}
	p.Col += utf8.RuneCountInString(l.src[start:off])
	l.lastOff, l.lastPos = off, p
	return p
}

func (l *lexer) emit(k tokKind, val string, off int) {
	l.toks = append(l.toks, token{kind: k, val: val, pos: l.pos(off)})
}

// nextTag finds the next "{{", "{%" or "{#" at or after i.
func nextTag(src string, i int) int {
	for {
		j := strings.IndexByte(src[i:], '{')
		if j < 0 || i+j+1 >= len(src) {
			return len(src)
		}
		i += j
		if c := src[i+1]; c == '{' || c == '%' || c == '#' {
			return i
		}
		i++
	}
}

func (l *lexer) run() error {
	src := l.src
	i := 0
	trim := trimNone
	lineStart := true // the text at i begins a line (lstrip_blocks)
	for {
		j := nextTag(src, i)
		text := src[i:j]
		textOff := i
		switch trim {
		case trimAll:
			t := strings.TrimLeftFunc(text, unicode.IsSpace)
			textOff += len(text) - len(t)
			text = t
		case trimNewline:
			if strings.HasPrefix(text, "\n") {
				text, textOff = text[1:], textOff+1
			}
		}
		if j == len(src) {
			if text != "" {
				l.emit(tokText, text, textOff)
			}
			l.emit(tokEOF, "", len(src))
			return nil
		}
		kind := src[j+1]
		p := j + 2
		var mod byte
		if p < len(src) && (src[p] == '-' || src[p] == '+') {
			mod = src[p]
			p++
		}
		switch {
		case mod == '-':
			text = strings.TrimRightFunc(text, unicode.IsSpace)
		case mod != '+' && kind != '{':
			// lstrip_blocks: spaces and tabs between a line start and a block or comment tag.
			k := strings.LastIndexByte(text, '\n')
			if (k >= 0 || lineStart) && strings.Trim(text[k+1:], " \t") == "" {
				text = text[:k+1]
			}
		}
		if text != "" {
			l.emit(tokText, text, textOff)
		}
		var (
			end int
			err error
		)
		if kind == '#' {
			end, trim, err = l.comment(j, p)
		} else {
			end, trim, err = l.tag(j, p, kind == '%')
		}
		if err != nil {
			return err
		}
		lineStart = trim == trimNewline && strings.HasPrefix(src[end:], "\n")
		i = end
	}
}

// comment skips a {# ... #} comment that starts at open, its body at p.
func (l *lexer) comment(open, p int) (int, trimMode, error) {
	k := strings.Index(l.src[p:], "#}")
	if k < 0 {
		return 0, 0, errorf(l.pos(open), "unclosed comment")
	}
	e := p + k
	if e > p {
		switch l.src[e-1] {
		case '-':
			return e + 2, trimAll, nil
		case '+':
			return e + 2, trimNone, nil
		}
	}
	return e + 2, trimNewline, nil
}

// tag lexes the expression tokens of a {{ }} or {% %} tag that starts at open, its
// contents at p, and returns the offset after its end.
func (l *lexer) tag(open, p int, block bool) (int, trimMode, error) {
	src := l.src
	begin, end, closer, minusCloser, plusCloser := tokVarBegin, tokVarEnd, "}}", "-}}", ""
	if block {
		begin, end, closer, minusCloser, plusCloser = tokBlockBegin, tokBlockEnd, "%}", "-%}", "+%}"
	}
	l.emit(begin, src[open:p], open)
	var brackets []byte
	for {
		for p < len(src) && (src[p] == ' ' || src[p] == '\t' || src[p] == '\n') {
			p++
		}
		if p >= len(src) {
			return 0, 0, errorf(l.pos(open), "unclosed %s: no %s before the end of the template", begin, end)
		}
		if len(brackets) == 0 {
			rest := src[p:]
			switch {
			case strings.HasPrefix(rest, closer):
				l.emit(end, closer, p)
				if block {
					return p + 2, trimNewline, nil
				}
				return p + 2, trimNone, nil
			case strings.HasPrefix(rest, minusCloser):
				l.emit(end, closer, p)
				return p + 3, trimAll, nil
			case block && strings.HasPrefix(rest, plusCloser):
				l.emit(end, closer, p)
				return p + 3, trimNone, nil
			}
		}
		c := src[p]
		start := p
		switch {
		case c == '_' || c < utf8.RuneSelf && unicode.IsLetter(rune(c)):
			for p < len(src) && (src[p] == '_' || src[p] < utf8.RuneSelf && (unicode.IsLetter(rune(src[p])) || unicode.IsDigit(rune(src[p])))) {
				p++
			}
			l.emit(tokName, src[start:p], start)
		case c >= '0' && c <= '9':
			var k tokKind
			p, k = scanNumber(src, p)
			l.emit(k, strings.ReplaceAll(src[start:p], "_", ""), start)
		case c == '\'' || c == '"':
			s, n, err := unquote(src[p:])
			if err != nil {
				return 0, 0, errorf(l.pos(start), "%v", err)
			}
			p += n
			l.emit(tokString, s, start)
		default:
			op := scanOp(src[p:])
			if op == "" {
				r, _ := utf8.DecodeRuneInString(src[p:])
				return 0, 0, errorf(l.pos(p), "unexpected character %q", r)
			}
			switch op {
			case "(", "[", "{":
				brackets = append(brackets, op[0])
			case ")", "]", "}":
				want := byte('(')
				if op != ")" {
					want = op[0] - 2 // '[' is ']'-2, '{' is '}'-2
				}
				if len(brackets) == 0 || brackets[len(brackets)-1] != want {
					return 0, 0, errorf(l.pos(p), "unexpected %q", op)
				}
				brackets = brackets[:len(brackets)-1]
			}
			p += len(op)
			l.emit(tokOp, op, start)
		}
	}
}

// scanNumber scans an integer or float literal (digits with optional "_" separators,
// a fraction, an exponent) at p.
func scanNumber(src string, p int) (int, tokKind) {
	digits := func(p int) int {
		for p < len(src) && (src[p] >= '0' && src[p] <= '9' || src[p] == '_' && p+1 < len(src) && src[p+1] >= '0' && src[p+1] <= '9') {
			p++
		}
		return p
	}
	p = digits(p)
	kind := tokInt
	if p+1 < len(src) && src[p] == '.' && src[p+1] >= '0' && src[p+1] <= '9' {
		p = digits(p + 1)
		kind = tokFloat
	}
	if p < len(src) && (src[p] == 'e' || src[p] == 'E') {
		q := p + 1
		if q < len(src) && (src[q] == '+' || src[q] == '-') {
			q++
		}
		if q < len(src) && src[q] >= '0' && src[q] <= '9' {
			p = digits(q)
			kind = tokFloat
		}
	}
	return p, kind
}

// scanOp returns the operator or punctuation at the start of s, longest first, or "".
func scanOp(s string) string {
	if len(s) >= 2 {
		switch s[:2] {
		case "//", "**", "==", "!=", "<=", ">=":
			return s[:2]
		}
	}
	if s != "" && strings.IndexByte("+-*/%~<>=()[]{},.:|", s[0]) >= 0 {
		return s[:1]
	}
	return ""
}

// unquote decodes the string literal at the start of s (quoted with ' or ") with
// Python's escape sequences, and returns it with the number of bytes it took.
// Unknown escapes are kept as written, as in Python.
func unquote(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			break
		}
		e := s[i+1]
		i += 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n := int(e - '0')
			for k := 0; k < 2 && i < len(s) && s[i] >= '0' && s[i] <= '7'; k++ {
				n = n*8 + int(s[i]-'0')
				i++
			}
			b.WriteRune(rune(n))
		case 'x', 'u', 'U':
			w := 2
			switch e {
			case 'u':
				w = 4
			case 'U':
				w = 8
			}
			if i+w > len(s) {
				return "", 0, fmt.Errorf("truncated \\%c escape in string literal", e)
			}
			n, err := strconv.ParseUint(s[i:i+w], 16, 32)
			if err != nil || n > unicode.MaxRune {
				return "", 0, fmt.Errorf("invalid \\%c escape in string literal", e)
			}
			b.WriteRune(rune(n))
			i += w
		case 'N':
			return "", 0, errors.New("\\N{...} escapes are not supported")
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return "", 0, errors.New("unterminated string literal")
}
