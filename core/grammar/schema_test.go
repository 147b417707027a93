package grammar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/sample"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// testSchemas are the schemas the random-generation tests run, named.
var testSchemas = []struct{ name, schema string }{
	{"flat", `{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"ok":{"type":"boolean"}},"required":["name","age","ok"],"additionalProperties":false}`},
	{"nested", `{"type":"object","properties":{
		"user":{"type":"object","properties":{"id":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"},"maxItems":3}},"required":["id","tags"],"additionalProperties":false},
		"score":{"type":"number"},
		"level":{"type":"string","enum":["low","medium","high"]},
		"note":{"type":["string","null"]}},
		"required":["user","score","level","note"],"additionalProperties":false}`},
	{"enums and const", `{"type":"object","properties":{"kind":{"const":"point"},"n":{"enum":[1,2.5,"three",null,true,{"a":[1]}]}},"required":["kind","n"]}`},
	{"arrays", `{"type":"array","items":{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":2},"minItems":2,"maxItems":4}`},
	{"anyOf", `{"type":"object","properties":{"shape":{"anyOf":[
		{"type":"object","properties":{"r":{"type":"number"}},"required":["r"],"additionalProperties":false},
		{"type":"object","properties":{"w":{"type":"number"},"h":{"type":"number"}},"required":["w","h"],"additionalProperties":false}]}},
		"required":["shape"],"additionalProperties":false}`},
	{"ref and defs", `{"$defs":{"pt":{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"integer"}},"required":["x","y"],"additionalProperties":false}},
		"type":"object","properties":{"a":{"$ref":"#/$defs/pt"},"b":{"$ref":"#/$defs/pt"},"c":{"type":"array","items":{"$ref":"#/definitions/pt"},"maxItems":2}},
		"definitions":{"pt":{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"],"additionalProperties":false}},
		"required":["a","b","c"],"additionalProperties":false}`},
	{"recursive", `{"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["v","kids"],"additionalProperties":false}},"$ref":"#/$defs/node"}`},
	{"optional properties", `{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string","maxLength":5},"c":{"type":"boolean"}},"required":["b"]}`},
	{"integer ranges", `{"type":"object","properties":{"age":{"type":"integer","minimum":0,"maximum":130},"t":{"type":"integer","exclusiveMinimum":-50,"exclusiveMaximum":-7},"price":{"type":"number","minimum":-5,"maximum":1000}},"required":["age","t","price"],"additionalProperties":false}`},
	{"string lengths", `{"type":"object","properties":{"code":{"type":"string","minLength":2,"maxLength":4}},"required":["code"],"additionalProperties":false}`},
	{"map", `{"type":"object","additionalProperties":{"type":"integer"}}`},
	{"any", `{}`},
}

// validator compiles schema with an independent JSON Schema implementation.
func validator(t testing.TB, schema string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// generate samples up to limit tokens from random logits under g's mask, with sampler
// params p, and returns the text and whether the grammar finished it.
func generate(t testing.TB, g *Grammar, v *Vocab, decode func([]int) string, p sample.Params, limit int, r *rand.Rand) (string, bool) {
	t.Helper()
	m := NewMatcher(g, v)
	s, err := sample.New(p, v.Size())
	if err != nil {
		t.Fatal(err)
	}
	mask := make([]uint64, v.MaskWords())
	logits := make([]float32, v.Size())
	base := make([]float32, 2*v.Size()) // random logits, read from a random offset each step
	for i := range base {
		base[i] = float32(r.NormFloat64() * 3)
	}
	var ids []int
	for range limit {
		if m.Done() {
			break
		}
		if !m.Mask(mask) {
			t.Fatalf("no token allowed after %q", decode(ids))
		}
		copy(logits, base[r.IntN(v.Size()):])
		id := s.SampleMasked(logits, nil, mask)
		if !Allowed(mask, id) {
			t.Fatalf("sampled id %d outside the mask", id)
		}
		if err := m.Accept(id); err != nil {
			t.Fatalf("after %q: %v", decode(ids), err)
		}
		if id == v.ends[0] {
			break
		}
		ids = append(ids, id)
	}
	return decode(ids), m.Done() || m.Complete()
}

func TestSchemaRandomGeneration(t *testing.T) {
	tok, v := loadDeepSeek(t)
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	for _, sc := range testSchemas {
		t.Run(sc.name, func(t *testing.T) {
			g, err := JSONSchema([]byte(sc.schema))
			if err != nil {
				t.Fatal(err)
			}
			val := validator(t, sc.schema)
			finished := 0
			for seed := range seeds {
				r := rand.New(rand.NewPCG(uint64(seed), 7))
				p := sample.Params{Temperature: 1, Seed: uint64(seed)}
				if seed%2 == 1 {
					p = sample.Params{} // greedy
				}
				text, done := generate(t, g, v, tok.Decode, p, 1500, r)
				if !done {
					continue // the limit came first: nothing to validate
				}
				finished++
				var inst any
				d := json.NewDecoder(bytes.NewReader([]byte(text)))
				d.UseNumber()
				if err := d.Decode(&inst); err != nil {
					t.Fatalf("seed %d: %q does not parse: %v", seed, text, err)
				}
				if err := val.Validate(inst); err != nil {
					t.Errorf("seed %d: %q is not valid: %v", seed, text, err)
				}
			}
			if finished == 0 {
				t.Errorf("no generation of %d finished within the limit", seeds)
			}
		})
	}
}

func TestJSONObjectGrammar(t *testing.T) {
	g := JSONObject()
	for _, s := range []string{`{}`, `{"a":1}`, `{ "a" : [1, 2.5e3, "x", null, true, {"b": {}}] }`, "{\n  \"k\": \"\\u00e9\\n\"\n}"} {
		if !matchString(t, g, s) {
			t.Errorf("%q not accepted", s)
		}
	}
	for _, s := range []string{`[]`, `1`, `{"a":}`, `{"a":1,}`, `{'a':1}`, `{"a":01}`, "{\"a\":\"\x01\"}", `{` + "\n" + strings.Repeat(" ", MaxWhitespace+1) + `}`, `{  }`, "{\n\n}", ` {}`, `{} `} {
		if matchString(t, g, s) {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestSchemaMatches(t *testing.T) {
	cases := []struct {
		schema         string
		accept, reject []string
	}{
		{`{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"required":["a"]}`,
			[]string{`{"a":1}`, `{"a":-0,"b":"x"}`, `{ "a" : 12 , "b" : "" }`}, []string{`{}`, `{"b":"x"}`, `{"b":"x","a":1}`, `{"a":1.5}`, `{"a":1,"c":2}`}},
		{`{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}`,
			[]string{`{}`, `{"a":1}`, `{"b":2}`, `{"a":1,"b":2}`}, []string{`{,"b":2}`, `{"a":1,}`}},
		{`{"enum":["a\"b","<&>"]}`, []string{`"a\"b"`, `"<&>"`}, []string{`"a"`, `"\u003c&>"`}},
		{`{"type":["integer","null"]}`, []string{`7`, `null`}, []string{`"7"`, `7.5`}},
		{`{"type":"array","minItems":1,"maxItems":2,"items":{"type":"boolean"}}`, []string{`[true]`, `[true, false]`}, []string{`[]`, `[true,true,true]`}},
		{`{"type":"integer","minimum":-9007199254740991,"maximum":9007199254740991}`, []string{`0`, `-0`, `9007199254740991`, `-9007199254740991`, `9007199254740990`, `42`, `-1000000000000000`},
			[]string{`9007199254740992`, `-9007199254740992`, `19007199254740991`, `01`, `1.5`}},
		{`{"type":"integer","exclusiveMinimum":9.5,"maximum":120}`, []string{`10`, `99`, `100`, `119`, `120`}, []string{`9`, `121`, `200`, `-10`, `0`}},
		{`{"type":"integer","minimum":-15,"maximum":-3}`, []string{`-3`, `-9`, `-10`, `-15`}, []string{`-2`, `-16`, `3`, `0`, `-0`}},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			g, err := JSONSchema([]byte(c.schema))
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
		})
	}
}

func TestSchemaErrors(t *testing.T) {
	cases := []struct {
		name, schema, keyword string // keyword "" = a *SchemaError
	}{
		{"patternProperties", `{"type":"object","patternProperties":{"^a":{}}}`, "patternProperties"},
		{"nested pattern", `{"type":"object","properties":{"a":{"type":"string","pattern":"^x"}}}`, "pattern"},
		{"format", `{"type":"string","format":"email"}`, "format"},
		{"oneOf", `{"oneOf":[{"type":"string"}]}`, "oneOf"},
		{"allOf", `{"allOf":[{"type":"string"}]}`, "allOf"},
		{"number fractional minimum", `{"type":"number","minimum":0.5}`, "minimum"},
		{"number exclusive", `{"type":"number","exclusiveMinimum":0}`, "exclusiveMinimum"},
		{"multipleOf", `{"type":"integer","multipleOf":3}`, "multipleOf"},
		{"empty integer range", `{"type":"integer","minimum":3,"exclusiveMaximum":3}`, ""},
		{"external ref", `{"$ref":"https://example.com/s.json"}`, "$ref"},
		{"anyOf beside type", `{"type":"object","anyOf":[{}]}`, "type"},
		{"false schema", `{"type":"object","properties":{"a":false}}`, "false"},
		{"required not a property", `{"type":"object","properties":{"a":{}},"required":["b"]}`, "required"},
		{"not JSON", `{"type":`, ""},
		{"bad type", `{"type":"thing"}`, ""},
		{"type not string", `{"type":7}`, ""},
		{"dangling ref", `{"$ref":"#/$defs/x"}`, ""},
		{"enum empty", `{"enum":[]}`, ""},
		{"duplicate member", `{"type":"string","type":"integer"}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := JSONSchema([]byte(c.schema))
			var ue *UnsupportedError
			var se *SchemaError
			switch {
			case err == nil:
				t.Fatal("no error")
			case c.keyword != "" && !errors.As(err, &ue):
				t.Fatalf("%v (%T), want an *UnsupportedError", err, err)
			case c.keyword != "" && ue.Keyword != c.keyword:
				t.Errorf("keyword %q, want %q (%v)", ue.Keyword, c.keyword, err)
			case c.keyword == "" && !errors.As(err, &se):
				t.Errorf("%v (%T), want a *SchemaError", err, err)
			}
		})
	}
}
