package grammar

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxWhitespace is the most spaces and tabs the JSON grammars allow after a line break
// between two tokens of JSON: enough to indent, too few for a model to loop on spaces.
// Without a line break, one space at most is allowed.
const MaxWhitespace = 16

// UnsupportedError is a JSON Schema keyword (or value of one) that the compiler cannot
// enforce, at Path, a JSON pointer into the schema.
type UnsupportedError struct {
	Keyword string
	Path    string
	Reason  string // why, when more than "not supported"
}

func (e *UnsupportedError) Error() string {
	msg := fmt.Sprintf("JSON Schema keyword %q (at %s) is not supported", e.Keyword, e.Path)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// SchemaError is a malformed JSON Schema: a keyword with a value of the wrong kind, a
// $ref to nothing.
type SchemaError struct {
	Path string
	Msg  string
}

func (e *SchemaError) Error() string { return fmt.Sprintf("JSON Schema at %s: %s", e.Path, e.Msg) }

// annotations are keywords that do not constrain a value: they are ignored.
var annotations = []string{"description", "title", "$schema", "$id", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "strict"}

// JSONSchema compiles a JSON Schema into a grammar of the JSON texts it accepts: the
// subset of OpenAI's strict structured outputs. Supported: type (object, array, string,
// number, integer, boolean, null, or an array of them), properties, required (missing
// properties are optional, and come in the schema's order), additionalProperties (false;
// true or a schema allow more members, but only the listed ones are generated unless
// there are no properties), items, minItems, maxItems, minLength, maxLength, an integer's
// minimum, maximum, exclusiveMinimum and exclusiveMaximum, a number's integer minimum and
// maximum, enum, const,
// anyOf, and $ref to "#", "#/$defs/..." or "#/definitions/..."; description, title and
// other annotations are ignored. Any other keyword is an *UnsupportedError naming it; a
// malformed schema a *SchemaError. The JSON has no whitespace around it, and between its
// tokens nothing, one space, or a line break and at most MaxWhitespace spaces or tabs.
func JSONSchema(schema []byte) (*Grammar, error) {
	rules, root, err := SchemaRules(schema, "")
	if err != nil {
		return nil, err
	}
	return Compile(rules, root)
}

// JSONObject returns the grammar of any JSON object (response_format json_object).
func JSONObject() *Grammar {
	sc := newSchemaCompiler("")
	sc.common()
	g, err := Compile(sc.rules, sc.name("object"))
	if err != nil {
		panic(err) // the rules are fixed: a failure is a bug here
	}
	return g
}

// SchemaRules returns the rules of JSONSchema's grammar, every name starting with prefix,
// and the name of the rule that matches the schema's values: for grammars that embed JSON
// (tool-call arguments).
func SchemaRules(schema []byte, prefix string) ([]Rule, string, error) {
	v, err := parseJSON(schema)
	if err != nil {
		return nil, "", &SchemaError{Path: "#", Msg: "not valid JSON: " + err.Error()}
	}
	sc := newSchemaCompiler(prefix)
	sc.root = v
	sc.common()
	body, err := sc.compile(v, "#", 0)
	if err != nil {
		return nil, "", err
	}
	root := sc.name("root")
	sc.rules = append(sc.rules, Rule{Name: root, Body: body})
	return sc.rules, root, nil
}

// schemaCompiler turns a schema into rules.
type schemaCompiler struct {
	prefix string
	root   jsonValue
	rules  []Rule
	refs   map[string]string // $ref → its rule
	n      int               // rules made so far, for names
}

func newSchemaCompiler(prefix string) *schemaCompiler {
	return &schemaCompiler{prefix: prefix, refs: map[string]string{}}
}

func (sc *schemaCompiler) name(s string) string { return sc.prefix + s }

func (sc *schemaCompiler) ref(s string) Ref { return Ref(sc.prefix + s) }

// newRule adds a rule with body and returns a reference to it.
func (sc *schemaCompiler) newRule(body Expr) Ref {
	sc.n++
	name := sc.name("r" + strconv.Itoa(sc.n))
	sc.rules = append(sc.rules, Rule{Name: name, Body: body})
	return Ref(name)
}

// common adds the rules of any JSON value and its parts.
func (sc *schemaCompiler) common() {
	ws, r := sc.ref("ws"), sc.ref
	digit := Class{Ranges: []RuneRange{{'0', '9'}}}
	hex := Class{Ranges: []RuneRange{{'0', '9'}, {'a', 'f'}, {'A', 'F'}}}
	intPart := Seq{Opt(Lit("-")), Alt{Lit("0"), Seq{Class{Ranges: []RuneRange{{'1', '9'}}}, Repeat{X: digit, Max: maxIntDigits - 1}}}}
	add := func(name string, body Expr) { sc.rules = append(sc.rules, Rule{Name: sc.name(name), Body: body}) }
	// Whitespace: nothing, a space, or one line break and an indentation.
	add("ws", Alt{Lit(""), Lit(" "), Seq{Lit("\n"), Repeat{X: Class{Ranges: []RuneRange{{' ', ' '}, {'\t', '\t'}}}, Max: MaxWhitespace}}})
	add("char", Alt{
		Class{Negated: true, Ranges: []RuneRange{{'"', '"'}, {'\\', '\\'}, {0, 0x1F}}},
		Seq{Lit(`\`), Alt{Class{Ranges: []RuneRange{{'"', '"'}, {'\\', '\\'}, {'/', '/'}, {'b', 'b'}, {'f', 'f'}, {'n', 'n'}, {'r', 'r'}, {'t', 't'}}},
			Seq{Lit("u"), Repeat{X: hex, Min: 4, Max: 4}}}},
	})
	add("string", Seq{Lit(`"`), Star(r("char")), Lit(`"`)})
	add("integer", intPart)
	add("number", Seq{intPart, Opt(Seq{Lit("."), Repeat{X: digit, Min: 1, Max: 15}}),
		Opt(Seq{Class{Ranges: []RuneRange{{'e', 'e'}, {'E', 'E'}}}, Opt(Class{Ranges: []RuneRange{{'-', '-'}, {'+', '+'}}}), Repeat{X: digit, Min: 1, Max: 3}})})
	add("boolean", Alt{Lit("true"), Lit("false")})
	add("null", Lit("null"))
	add("value", Alt{r("object"), r("array"), r("string"), r("number"), r("boolean"), r("null")})
	member := Seq{r("string"), ws, Lit(":"), ws, r("value"), ws}
	add("object", Seq{Lit("{"), ws, Opt(Seq{member, Star(Seq{Lit(","), ws, member})}), Lit("}")})
	item := Seq{r("value"), ws}
	add("array", Seq{Lit("["), ws, Opt(Seq{item, Star(Seq{Lit(","), ws, item})}), Lit("]")})
}

// keywords are the constraining keywords the compiler knows.
var keywords = []string{"type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
	"minLength", "maxLength", "enum", "const", "anyOf", "$ref", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}

// compile returns the expression of the values schema s (at path) accepts.
func (sc *schemaCompiler) compile(s jsonValue, path string, depth int) (Expr, error) {
	if depth > maxDepth {
		return nil, &SchemaError{Path: path, Msg: fmt.Sprintf("nested more than %d deep", maxDepth)}
	}
	switch s := s.(type) {
	case bool:
		if s {
			return sc.ref("value"), nil
		}
		return nil, &UnsupportedError{Keyword: "false", Path: path, Reason: "a schema that accepts nothing"}
	case *jsonObject:
		return sc.compileObject(s, path, depth)
	}
	return nil, &SchemaError{Path: path, Msg: "a schema must be an object or a boolean"}
}

func (sc *schemaCompiler) compileObject(s *jsonObject, path string, depth int) (Expr, error) {
	for _, k := range s.keys {
		if !slices.Contains(keywords, k) && !slices.Contains(annotations, k) {
			return nil, &UnsupportedError{Keyword: k, Path: path}
		}
	}
	at := func(k string) string { return path + "/" + escapePointer(k) }
	if ref, ok := s.get("$ref"); ok {
		for _, k := range s.keys {
			if slices.Contains(keywords, k) && k != "$ref" {
				return nil, &UnsupportedError{Keyword: k, Path: path, Reason: "beside $ref"}
			}
		}
		r, ok := ref.(string)
		if !ok {
			return nil, &SchemaError{Path: at("$ref"), Msg: "$ref must be a string"}
		}
		return sc.compileRef(r, at("$ref"), depth)
	}
	if c, ok := s.get("const"); ok {
		var b strings.Builder
		writeJSON(&b, c)
		return Lit(b.String()), nil
	}
	if e, ok := s.get("enum"); ok {
		vals, ok := e.([]jsonValue)
		if !ok || len(vals) == 0 {
			return nil, &SchemaError{Path: at("enum"), Msg: "enum must be a non-empty array"}
		}
		alts := make(Alt, len(vals))
		for i, v := range vals {
			var b strings.Builder
			writeJSON(&b, v)
			alts[i] = Lit(b.String())
		}
		return alts, nil
	}
	if a, ok := s.get("anyOf"); ok {
		for _, k := range s.keys {
			if slices.Contains(keywords, k) && k != "anyOf" {
				return nil, &UnsupportedError{Keyword: k, Path: path, Reason: "beside anyOf"}
			}
		}
		subs, ok := a.([]jsonValue)
		if !ok || len(subs) == 0 {
			return nil, &SchemaError{Path: at("anyOf"), Msg: "anyOf must be a non-empty array"}
		}
		alts := make(Alt, len(subs))
		for i, sub := range subs {
			x, err := sc.compile(sub, fmt.Sprintf("%s/%d", at("anyOf"), i), depth+1)
			if err != nil {
				return nil, err
			}
			alts[i] = x
		}
		return alts, nil
	}
	var types []string
	switch t, _ := s.get("type"); t := t.(type) {
	case nil:
		_, props := s.get("properties")
		_, items := s.get("items")
		switch {
		case props:
			types = []string{"object"}
		case items:
			types = []string{"array"}
		default:
			return sc.ref("value"), nil
		}
	case string:
		types = []string{t}
	case []jsonValue:
		for _, x := range t {
			name, ok := x.(string)
			if !ok {
				return nil, &SchemaError{Path: at("type"), Msg: "type must be a string or an array of strings"}
			}
			types = append(types, name)
		}
		if len(types) == 0 {
			return nil, &SchemaError{Path: at("type"), Msg: "type is an empty array"}
		}
	default:
		return nil, &SchemaError{Path: at("type"), Msg: "type must be a string or an array of strings"}
	}
	alts := make(Alt, 0, len(types))
	for _, t := range types {
		var x Expr
		var err error
		switch t {
		case "object":
			x, err = sc.object(s, path, depth)
		case "array":
			x, err = sc.array(s, path, depth)
		case "string":
			x, err = sc.stringType(s, path)
		case "integer":
			x, err = sc.integer(s, path)
		case "number":
			if x, err = sc.numberRange(s, path); x == nil && err == nil {
				x = sc.ref("number")
			}
		case "boolean", "null":
			x = sc.ref(t)
		default:
			return nil, &SchemaError{Path: at("type"), Msg: fmt.Sprintf("unknown type %q", t)}
		}
		if err != nil {
			return nil, err
		}
		alts = append(alts, x)
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alts, nil
}

// compileRef returns a reference to the rule of the schema r points to, compiling it the
// first time.
func (sc *schemaCompiler) compileRef(r, path string, depth int) (Expr, error) {
	if name, ok := sc.refs[r]; ok {
		return Ref(name), nil
	}
	target := sc.root
	if r != "#" {
		rest, ok := strings.CutPrefix(r, "#/")
		if !ok {
			return nil, &UnsupportedError{Keyword: "$ref", Path: path, Reason: fmt.Sprintf("%q is not in this schema (only #, #/$defs/... and #/definitions/...)", r)}
		}
		for _, part := range strings.Split(rest, "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			o, ok := target.(*jsonObject)
			var v jsonValue
			if ok {
				v, ok = o.get(part)
			}
			if !ok {
				return nil, &SchemaError{Path: path, Msg: fmt.Sprintf("$ref %q points to nothing", r)}
			}
			target = v
		}
	}
	sc.n++
	name := sc.name("ref" + strconv.Itoa(sc.n))
	sc.refs[r] = name
	body, err := sc.compile(target, r, depth+1)
	if err != nil {
		return nil, err
	}
	sc.rules = append(sc.rules, Rule{Name: name, Body: body})
	return Ref(name), nil
}

// object returns the expression of an object schema: its properties in order, the
// required ones always, the others optional; or, without properties, any object (whose
// values follow additionalProperties when that is a schema; none when it is false).
func (sc *schemaCompiler) object(s *jsonObject, path string, depth int) (Expr, error) {
	ws := sc.ref("ws")
	pv, hasProps := s.get("properties")
	props, ok := pv.(*jsonObject)
	if hasProps && !ok {
		return nil, &SchemaError{Path: path + "/properties", Msg: "properties must be an object"}
	}
	required := map[string]bool{}
	if rv, ok := s.get("required"); ok {
		list, ok := rv.([]jsonValue)
		if !ok {
			return nil, &SchemaError{Path: path + "/required", Msg: "required must be an array of strings"}
		}
		for _, x := range list {
			name, ok := x.(string)
			if !ok {
				return nil, &SchemaError{Path: path + "/required", Msg: "required must be an array of strings"}
			}
			if props == nil || !slices.Contains(props.keys, name) {
				return nil, &UnsupportedError{Keyword: "required", Path: path, Reason: fmt.Sprintf("%q is required but not among the properties", name)}
			}
			required[name] = true
		}
	}
	ap, hasAP := s.get("additionalProperties")
	switch ap.(type) {
	case nil, bool, *jsonObject:
	default:
		return nil, &SchemaError{Path: path + "/additionalProperties", Msg: "additionalProperties must be a boolean or a schema"}
	}
	if props == nil || len(props.keys) == 0 {
		switch ap := ap.(type) {
		case bool:
			if !ap {
				return Seq{Lit("{"), ws, Lit("}")}, nil
			}
		case *jsonObject:
			v, err := sc.compile(ap, path+"/additionalProperties", depth+1)
			if err != nil {
				return nil, err
			}
			member := Seq{sc.ref("string"), ws, Lit(":"), ws, v, ws}
			return Seq{Lit("{"), ws, Opt(Seq{member, Star(Seq{Lit(","), ws, member})}), Lit("}")}, nil
		}
		_ = hasAP
		return sc.ref("object"), nil
	}
	n := len(props.keys)
	members := make([]Expr, n)
	for i, k := range props.keys {
		v, err := sc.compile(props.vals[i], path+"/properties/"+escapePointer(k), depth+1)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		writeJSONString(&b, k)
		members[i] = Seq{Lit(b.String()), ws, Lit(":"), ws, v, ws}
	}
	// rest[i][f] matches members i.. given whether none has been written yet (f = 1).
	var next [2]Expr = [2]Expr{Seq{}, Seq{}}
	for i := n - 1; i >= 0; i-- {
		var cur [2]Expr
		for f := range 2 {
			var take Expr
			if f == 1 {
				take = Seq{members[i], next[0]}
			} else {
				take = Seq{Lit(","), ws, members[i], next[0]}
			}
			if required[props.keys[i]] {
				cur[f] = sc.newRule(take)
			} else {
				cur[f] = sc.newRule(Alt{take, next[f]})
			}
		}
		next = cur
	}
	return Seq{Lit("{"), ws, next[1], Lit("}")}, nil
}

// bound reads a count keyword: absent is def.
func bound(s *jsonObject, k, path string, def int) (int, error) {
	v, ok := s.get(k)
	if !ok {
		return def, nil
	}
	num, ok := v.(json.Number)
	n, err := strconv.Atoi(string(num))
	if !ok || err != nil || n < 0 {
		return 0, &SchemaError{Path: path + "/" + k, Msg: k + " must be a non-negative integer"}
	}
	if n > MaxRepeat {
		return 0, &UnsupportedError{Keyword: k, Path: path, Reason: fmt.Sprintf("at most %d is supported", MaxRepeat)}
	}
	return n, nil
}

// array returns the expression of an array schema.
func (sc *schemaCompiler) array(s *jsonObject, path string, depth int) (Expr, error) {
	ws := sc.ref("ws")
	var item Expr = sc.ref("value")
	if it, ok := s.get("items"); ok {
		x, err := sc.compile(it, path+"/items", depth+1)
		if err != nil {
			return nil, err
		}
		item = x
	}
	lo, err := bound(s, "minItems", path, 0)
	if err != nil {
		return nil, err
	}
	hi, err := bound(s, "maxItems", path, -1)
	if err != nil {
		return nil, err
	}
	if hi >= 0 && hi < lo {
		return nil, &SchemaError{Path: path, Msg: "maxItems is less than minItems"}
	}
	if hi == 0 {
		return Seq{Lit("["), ws, Lit("]")}, nil
	}
	one := sc.newRule(Seq{item, ws})
	moreHi := -1
	if hi > 0 {
		moreHi = hi - 1
	}
	more := Repeat{X: Seq{Lit(","), ws, one}, Min: max(lo-1, 0), Max: moreHi}
	body := Expr(Seq{one, more})
	if lo == 0 {
		body = Opt(body)
	}
	return Seq{Lit("["), ws, body, Lit("]")}, nil
}

// stringType returns the expression of a string schema.
func (sc *schemaCompiler) stringType(s *jsonObject, path string) (Expr, error) {
	lo, err := bound(s, "minLength", path, 0)
	if err != nil {
		return nil, err
	}
	hi, err := bound(s, "maxLength", path, -1)
	if err != nil {
		return nil, err
	}
	if hi >= 0 && hi < lo {
		return nil, &SchemaError{Path: path, Msg: "maxLength is less than minLength"}
	}
	if lo == 0 && hi < 0 {
		return sc.ref("string"), nil
	}
	return Seq{Lit(`"`), Repeat{X: sc.ref("char"), Min: lo, Max: hi}, Lit(`"`)}, nil
}

// escapePointer escapes a member name for a JSON pointer.
func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
