package grammar

import (
	"errors"
	"testing"
)

// FuzzParseGBNF: any text either compiles or gives a *SyntaxError or *CompileError, never
// a panic; what compiles runs on bytes without one.
func FuzzParseGBNF(f *testing.F) {
	for _, s := range []string{
		`root ::= "a" | "b"`,
		"root ::= item (\",\" item)*\nitem ::= [0-9]+ # digits\n",
		`root ::= [^"\\] . "\x41\u00e9" {2,3}`,
		"root ::=\n  \"{\" (\n    \"a\"\n  )? \"}\"\n\nx ::= \"y\"\n  | \"z\"",
		`root ::= "(" root ")" | ""`,
		`root ::= ("a"?)*`,
	} {
		f.Add(s, []byte("a(b)"))
	}
	f.Fuzz(func(t *testing.T, src string, input []byte) {
		if len(src) > 4096 || len(input) > 256 {
			return
		}
		g, err := ParseGBNF(src)
		if err != nil {
			var se *SyntaxError
			var ce *CompileError
			if !errors.As(err, &se) && !errors.As(err, &ce) {
				t.Fatalf("error %v of type %T", err, err)
			}
			return
		}
		runBytes(t, g, input)
	})
}

// FuzzJSONSchema: any text either compiles or gives a *SchemaError, *UnsupportedError or
// *CompileError, never a panic; what compiles runs on bytes without one.
func FuzzJSONSchema(f *testing.F) {
	for _, sc := range testSchemas {
		f.Add(sc.schema, []byte(`{"a":[1,"x",null]}`))
	}
	f.Add(`{"type":"object","patternProperties":{}}`, []byte("{}"))
	f.Add(`{"$ref":"#"}`, []byte("{}"))
	f.Fuzz(func(t *testing.T, schema string, input []byte) {
		if len(schema) > 4096 || len(input) > 256 {
			return
		}
		g, err := JSONSchema([]byte(schema))
		if err != nil {
			var se *SchemaError
			var ue *UnsupportedError
			var ce *CompileError
			if !errors.As(err, &se) && !errors.As(err, &ue) && !errors.As(err, &ce) {
				t.Fatalf("error %v of type %T", err, err)
			}
			return
		}
		runBytes(t, g, input)
	})
}

// runBytes feeds input to a matcher of g over single bytes, asking for the mask at each
// step, and checks that every accepted byte was in the mask.
func runBytes(t *testing.T, g *Grammar, input []byte) {
	v := byteVocab(t)
	m := NewMatcher(g, v)
	mask := make([]uint64, v.MaskWords())
	for _, c := range input {
		m.Mask(mask)
		err := m.Accept(int(c))
		if (err == nil) != Allowed(mask, int(c)) {
			t.Fatalf("byte %q: Accept %v, but the mask says %v", c, err, Allowed(mask, int(c)))
		}
		if err != nil {
			return
		}
	}
}
