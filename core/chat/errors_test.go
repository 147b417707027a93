package chat

import (
	"errors"
	"strings"
	"testing"
)

// TestErrors: unsupported or invalid templates fail with an *Error naming the
// problem and where it is, at Parse for syntax and at Render for the rest.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, src string
		parse     bool // the error comes from Parse
		want      string
		line, col int
	}{
		{"unclosed if", "a\n{% if x %}b", true, "unclosed 'if': expected 'elif' or 'else' or 'endif'", 2, 4},
		{"unclosed for", "{% for x in y %}", true, "unclosed 'for'", 1, 4},
		{"stray endif", "x{% endif %}", true, "unexpected 'endif'", 1, 5},
		{"unclosed output", "{{ x ", true, "unclosed '{{'", 1, 1},
		{"unclosed comment", "a {# b", true, "unclosed comment", 1, 3},
		{"unterminated string", "{{ 'abc }}", true, "unterminated string literal", 1, 4},
		{"bad character", "{{ a $ b }}", true, "unexpected character '$'", 1, 6},
		{"unbalanced bracket", "{{ a) }}", true, "unexpected \")\"", 1, 5},
		{"include", "\n\n  {% include 'x' %}", true, "unsupported statement 'include'", 3, 6},
		{"extends", "{% extends 'x' %}", true, "unsupported statement 'extends'", 1, 4},
		{"raw", "{% raw %}x{% endraw %}", true, "unsupported statement 'raw'", 1, 4},
		{"recursive loop", "{% for x in y recursive %}{% endfor %}", true, "recursive for loops are not supported", 1, 15},
		{"star args", "{{ f(*a) }}", true, "*args and **kwargs in calls are not supported", 1, 6},
		{"missing in", "{% for x y %}", true, "expected 'in' in for loop", 1, 10},
		{"garbage after expression", "{{ a b }}", true, "expected end of print statement '}}'", 1, 6},
		{"empty output", "{{ }}", true, "unexpected '}}'", 1, 4},
		{"deep nesting", strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200), false, "", 0, 0},
		{"deep nesting in tag", "{{ " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200) + " }}", true, "nested more than 100 levels", 1, 0},
		{"unknown filter", "{{ 'x' | wordwrap(5) }}", false, "unsupported filter 'wordwrap'", 1, 10},
		{"unknown test", "{{ x is foo }}", false, "unsupported test 'foo'", 1, 6},
		{"attribute of undefined", "{{ a.b }}", false, "'a' is undefined", 1, 6},
		{"item of undefined", "\n{{ x['k'] }}", false, "'x' is undefined", 2, 5},
		{"undefined attribute chain", "{% set d = {} %}{{ d.a.b }}", false, "'dict object' has no attribute 'a'", 1, 24},
		{"add undefined", "{{ 'a' + b }}", false, "'b' is undefined", 1, 8},
		{"add none", "{{ 'a' + none }}", false, "can only concatenate str (not \"NoneType\") to str", 1, 8},
		{"compare undefined", "{{ x < 1 }}", false, "'x' is undefined", 1, 6},
		{"compare types", "{{ 'a' < 1 }}", false, "'<' not supported between instances of 'str' and 'int'", 1, 8},
		{"iterate none", "{% for x in none %}{% endfor %}", false, "'NoneType' object is not iterable", 1, 13},
		{"call non-callable", "{{ 'a'() }}", false, "'str' object is not callable", 1, 7},
		{"call undefined", "{{ nope() }}", false, "'nope' is undefined", 1, 8},
		{"division by zero", "{{ 1 / 0 }}", false, "division by zero", 1, 6},
		{"set on non-namespace", "{% set d = {} %}{% set d.x = 1 %}", false, "cannot assign attribute on non-namespace object 'd'", 1, 20},
		{"printf formatting", "{{ '%s' % 1 }}", false, "printf-style string formatting", 1, 9},
		{"bad method argument", "{{ 'a'.split(1) }}", false, "str.split() argument must be str or None, not int", 1, 13},
		{"empty separator", "{{ 'a'.split('') }}", false, "empty separator", 1, 13},
		{"unknown keyword", "{{ 'a' | trim(x=1) }}", false, "unexpected keyword argument 'x'", 1, 10},
		{"macro missing argument", "{% macro m(a) %}{% endmacro %}{{ m() }}", false, "macro 'm' missing required argument 'a'", 1, 35},
		{"unpack mismatch", "{% set a, b = [1, 2, 3] %}", false, "cannot unpack 3 values into 2 names", 1, 4},
		{"tojson of undefined", "{{ x | tojson }}", false, "tojson: object of type Undefined is not JSON serializable", 1, 8},
		{"tojson separators", "{{ 1 | tojson(separators=[]) }}", false, "tojson separators must be two strings", 1, 8},
		{"integer overflow", "{{ 9223372036854775807 + 1 }}", false, "integer overflow", 1, 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Parse(tt.src)
			if !tt.parse && err == nil {
				_, err = tp.Render(nil, Options{})
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if (err != nil && tp == nil) != tt.parse {
				t.Errorf("error at Parse = %v, want %v (%v)", tp == nil, tt.parse, err)
			}
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("error %v (%T), want an *Error", err, err)
			}
			if !strings.Contains(te.Msg, tt.want) {
				t.Errorf("error %q, want it to contain %q", te.Msg, tt.want)
			}
			if te.Pos.Line != tt.line || tt.col != 0 && te.Pos.Col != tt.col {
				t.Errorf("error at %d:%d, want %d:%d (%v)", te.Pos.Line, te.Pos.Col, tt.line, tt.col, err)
			}
			if !strings.HasPrefix(err.Error(), "chat: template:") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestRaiseException: raise_exception fails the render with the template's message.
func TestRaiseException(t *testing.T) {
	_, err := renderString(t, "{{ raise_exception('Only user and assistant roles are supported!') }}")
	var te *Error
	if !errors.As(err, &te) || !te.Raised || te.Msg != "Only user and assistant roles are supported!" || te.Pos != (Pos{1, 19}) {
		t.Fatalf("err = %#v", err)
	}
}

// TestLimits: templates that loop or grow without bound fail quickly with a clear
// error instead of running away.
func TestLimits(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"huge range", "{% for i in range(100000000) %}{% endfor %}", "range() of 100000000 items is more than the limit"},
		{"nested loops", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "loop iterations"},
		{"string growth", "{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", "bytes of string data"},
		{"string repetition", "{{ 'abc' * 100000000 }}", "bytes of string data"},
		{"list repetition", "{{ [1, 2] * 100000000 }}", "list elements"},
		{"output", "{% for i in range(1000) %}{{ 'x' * 100000 }}{% endfor %}", "bytes of string data"},
		{"macro recursion", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "macro calls nested more than 64 deep"},
		{"power", "{{ 2 ** 1000 }}", "integer overflow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := renderString(t, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
