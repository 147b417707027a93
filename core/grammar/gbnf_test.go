package grammar

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestGBNF(t *testing.T) {
	cases := []struct {
		name     string
		gbnf     string
		accept   []string
		reject   []string
		prefixes []string // not complete, but may go on
	}{
		{"literal", `root ::= "hello"`, []string{"hello"}, []string{"hell", "hello!", "Hello", ""}, []string{"hel"}},
		{"alternatives", `root ::= "a" | "bc" | ""`, []string{"a", "bc", ""}, []string{"b", "ab", "c"}, nil},
		{"star plus optional", `root ::= "a"* "b"+ "c"?`, []string{"b", "aab", "abbbc", "bc"}, []string{"", "a", "c", "abcc"}, []string{"aaa"}},
		{"class and range", `root ::= [a-cX] [^0-9]`, []string{"aZ", "X!", "cé", "b日"}, []string{"a1", "d!", "a"}, nil},
		{"dot is one character", `root ::= . .`, []string{"ab", "é日", "😀x"}, []string{"a", "abc"}, nil},
		{"groups and refs", "root ::= item (\",\" item)*\nitem ::= [0-9]+ # digits\n", []string{"1", "12,3,456"}, []string{"", "1,", ",1"}, []string{"12,"}},
		{"escapes", `root ::= "\x41\u00e9\n\t\"\\" [\]\-]`, []string{"Aé\n\t\"\\]", "Aé\n\t\"\\-"}, []string{"Aé\n\t\"\\a"}, nil},
		{"counted", `root ::= [a]{2} [b]{1,3} [c]{2,}`, []string{"aabcc", "aabbbccccc"}, []string{"abcc", "aabbbbcc", "aabc"}, nil},
		{"multi-line rule", "root ::=\n  \"{\" (\n    \"a\"\n  )? \"}\"\n\nx ::= \"y\"\n  | \"z\"", []string{"{}", "{a}"}, []string{"{", "{b}"}, nil},
		{"recursion", "root ::= \"(\" root \")\" | \"\"", []string{"", "()", "((()))"}, []string{"(()", ")"}, []string{"(("}},
		{"unicode literal", `root ::= "日本" [ぁ-ん]`, []string{"日本あ"}, []string{"日本ア", "日本"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := ParseGBNF(c.gbnf)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range c.accept {
				if !matchString(t, g, s) {
					t.Errorf("%q not accepted", s)
				}
			}
			for _, s := range c.reject {
				if matchString(t, g, s) {
					t.Errorf("%q accepted", s)
				}
			}
			for _, s := range c.prefixes {
				m := NewMatcher(g, byteVocab(t))
				for i := 0; i < len(s); i++ {
					if err := m.Accept(int(s[i])); err != nil {
						t.Fatalf("prefix %q: %v", s, err)
					}
				}
				if m.Complete() || m.Done() {
					t.Errorf("prefix %q: complete", s)
				}
			}
		})
	}
}

func TestGBNFErrors(t *testing.T) {
	cases := []struct {
		name, gbnf, want string
		line             int // of a SyntaxError; 0 = a CompileError
	}{
		{"no root", `a ::= "x"`, `no rule "root"`, 0},
		{"undefined", `root ::= a`, `undefined rule "a"`, 0},
		{"twice", "root ::= \"a\"\nroot ::= \"b\"", "defined twice", 0},
		{"left recursion", "root ::= root \"a\" | \"b\"", "left recursion", 0},
		{"nullable star", `root ::= ("a"?)*`, "left recursion", 0},
		{"no ::=", `root = "a"`, "expected ::=", 1},
		{"unterminated literal", `root ::= "abc`, "unterminated literal", 1},
		{"unterminated class", `root ::= [abc`, "unterminated character class", 1},
		{"unclosed group", "root ::= (\"a\"", "expected )", 1},
		{"bad escape", `root ::= "\q"`, `unknown escape \q`, 1},
		{"reversed range", `root ::= [z-a]`, "reversed", 1},
		{"bad repetition", `root ::= "a"{3,1}`, "maximum", 1},
		{"huge repetition", `root ::= "a"{5000}`, "minimum", 1},
		{"second line", "root ::= \"a\"\nb ::= ?", `unexpected '?'`, 2},
		{"empty", "  # nothing\n", "no rules", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseGBNF(c.gbnf)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			var se *SyntaxError
			var ce *CompileError
			switch {
			case c.line > 0 && !errors.As(err, &se):
				t.Errorf("%T, want a *SyntaxError", err)
			case c.line > 0 && se.Line != c.line:
				t.Errorf("line %d, want %d", se.Line, c.line)
			case c.line == 0 && !errors.As(err, &ce):
				t.Errorf("%T, want a *CompileError", err)
			}
		})
	}
}

func TestUTF8Class(t *testing.T) {
	// Every character of a range, and nothing just outside it, across the UTF-8 lengths.
	g, err := Compile([]Rule{{"root", Class{Ranges: []RuneRange{{0x70, 0x10400}}}}}, "root")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []rune{0x70, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x103FF, 0x10400} {
		if !matchString(t, g, string(r)) {
			t.Errorf("U+%04X not accepted", r)
		}
	}
	for _, s := range []string{"\x6F", string(rune(0x10401)), "\xED\xA0\x80" /* a surrogate */, "\xC0\x80" /* overlong */} {
		if matchString(t, g, s) {
			t.Errorf("%q accepted", s)
		}
	}
}

// TestAmbiguityBounded: a grammar whose alternatives multiply at every rule is refused
// where it overflows, quickly, instead of taking time and memory exponential in its size.
func TestAmbiguityBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("root ::= r0\n")
	for i := range 40 {
		fmt.Fprintf(&b, "r%d ::= r%d | r%d\n", i, i+1, i+1)
	}
	b.WriteString("r40 ::= \"a\"\n")
	g, err := ParseGBNF(b.String())
	if err != nil {
		t.Fatal(err)
	}
	v := byteVocab(t)
	m := NewMatcher(g, v)
	mask := make([]uint64, v.MaskWords())
	if m.Mask(mask) {
		t.Error("a token allowed by a grammar that overflows")
	}
	// Parses that multiply with the input but end in equal stacks stay few: the state
	// keeps one of each.
	g, err = ParseGBNF(`root ::= ("a" | "a" "a")* "b"`)
	if err != nil {
		t.Fatal(err)
	}
	m = NewMatcher(g, v)
	for i := range 200 {
		if err := m.Accept('a'); err != nil {
			t.Fatalf("after %d bytes: %v", i, err)
		}
	}
	if len(m.state) > 32 {
		t.Errorf("a state of %d words after 200 bytes", len(m.state))
	}
	if err := m.Accept('b'); err != nil || !m.Done() {
		t.Errorf("b: %v, done %v", err, m.Done())
	}
}
