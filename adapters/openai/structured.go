package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/grammar"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// Structured outputs: what constrains a reply to a grammar (core/grammar) — response_format
// json_object and json_schema, tool_choice "required" or naming a function (the DeepSeek
// tool-call format with each function's parameters as its arguments' schema), and the
// grammar field (llama.cpp's GBNF). The grammar is compiled while the request is decoded,
// so that what cannot be enforced is a 400 before any work; each reply gets a Matcher of
// its own (serving.GenerateOptions.Constraint).

const (
	// maxForcedCalls bounds the tool calls a reply under tool_choice "required" may make
	// (one with parallel_tool_calls false).
	maxForcedCalls = 8
	// maxBound bounds the grammars a backend keeps bound to its vocabulary, with the
	// masks they have computed, for requests that ask for the same again.
	maxBound = 8
)

// constraint is what a reply is constrained to.
type constraint struct {
	g   *grammar.Grammar
	key string // the request's words for it: equal keys, equal grammars
}

// JSONSchemaFormat is response_format.json_schema. Strict is accepted either way: the
// schema is always enforced, and what cannot be is refused.
type JSONSchemaFormat struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Strict      *bool           `json:"strict"`
}

// structured reads response_format, the forced tool choice and the grammar field of a
// chat request into g.constraint. choice is tool_choice when it is "required" or an
// object (nil otherwise); tools are used only when useTools; oneCall (parallel_tool_calls
// false) allows one tool call, not several.
func (g *generation) structured(f *ResponseFormat, gbnf *string, tools []Tool, choice json.RawMessage, useTools, oneCall bool) *Error {
	var e *Error
	switch {
	case gbnf != nil:
		if f != nil && f.Type != "" && f.Type != "text" {
			return badRequest("grammar", "invalid_value", "grammar and response_format %q cannot be used together", f.Type)
		}
		if choice != nil {
			return badRequest("grammar", "invalid_value", "grammar and a forced tool_choice cannot be used together")
		}
		g.constraint, e = gbnfConstraint(*gbnf)
	case choice != nil:
		g.constraint, e = forcedCalls(choice, tools, oneCall)
	default:
		g.constraint, e = responseFormat(f, tools, useTools, oneCall)
	}
	return e
}

// forcedCalls is the constraint of a tool_choice of "required" or naming a function: one
// or more tool calls, or one call of the function.
func forcedCalls(choice json.RawMessage, tools []Tool, oneCall bool) (*constraint, *Error) {
	name, e := forcedTool(choice, tools)
	if e != nil {
		return nil, e
	}
	calls := maxForcedCalls
	if name != "" || oneCall {
		calls = 1
	}
	rules, root, e := toolCallRules(tools, name, calls)
	if e != nil {
		return nil, e
	}
	return compileConstraint(rules, root, fmt.Sprintf("tools:%s:%d:%s", name, calls, toolsKey(tools)), true, "tools")
}

// responseFormat is the constraint of response_format json_object or json_schema (nil for
// text): the JSON, or tool calls too when tools are offered (tool_choice auto).
func responseFormat(f *ResponseFormat, tools []Tool, useTools, oneCall bool) (*constraint, *Error) {
	if f == nil || f.Type == "" || f.Type == "text" {
		return nil, nil
	}
	var rules []grammar.Rule
	var root string
	var err error
	var key strings.Builder
	switch f.Type {
	case "json_object":
		if rules, root, err = grammar.SchemaRules([]byte(`{"type":"object"}`), "j-"); err != nil {
			return nil, errInternal(err)
		}
		key.WriteString("json_object")
	case "json_schema":
		js := f.JSONSchema
		if js == nil || len(bytes.TrimSpace(js.Schema)) == 0 || string(bytes.TrimSpace(js.Schema)) == "null" {
			return nil, badRequest("response_format", "missing_required_parameter", "response_format json_schema needs json_schema.schema")
		}
		if rules, root, err = grammar.SchemaRules(js.Schema, "j-"); err != nil {
			return nil, schemaError("response_format", "response_format.json_schema.schema", err)
		}
		key.WriteString("json_schema:" + string(js.Schema))
	default:
		return nil, badRequest("response_format", "invalid_value", "response_format type must be \"text\", \"json_object\" or \"json_schema\", not %q", f.Type)
	}
	roots := grammar.Alt{grammar.Ref(root)}
	withTools := useTools && len(tools) > 0
	if withTools {
		calls := maxForcedCalls
		if oneCall {
			calls = 1
		}
		r, tr, e := toolCallRules(tools, "", calls)
		if e != nil {
			return nil, e
		}
		rules, roots = append(rules, r...), append(roots, grammar.Ref(tr))
		fmt.Fprintf(&key, "\x00tools:%d:%s", calls, toolsKey(tools))
	}
	rules = append(rules, grammar.Rule{Name: "root", Body: roots})
	return compileConstraint(rules, "root", key.String(), withTools, "response_format")
}

// compileConstraint compiles rules into a constraint; with markup, the tool-call markers
// may be written as their special tokens. A grammar that does not compile (a schema whose
// $refs recur before matching anything) is a 400 naming param.
func compileConstraint(rules []grammar.Rule, root, key string, markup bool, param string) (*constraint, *Error) {
	gr, err := grammar.Compile(rules, root)
	if err != nil {
		return nil, badRequest(param, "invalid_value", "%s cannot be enforced: %s", param, strings.TrimPrefix(err.Error(), "grammar: "))
	}
	if markup {
		gr = gr.WithSpecials(markers(chat.ToolCallMarkers())...)
	}
	return &constraint{g: gr, key: key}, nil
}

// gbnfConstraint compiles the grammar field.
func gbnfConstraint(src string) (*constraint, *Error) {
	gr, err := grammar.ParseGBNF(src)
	if err != nil {
		return nil, badRequest("grammar", "invalid_value", "grammar: %s", strings.TrimPrefix(err.Error(), "grammar: "))
	}
	return &constraint{g: gr, key: "gbnf:" + src}, nil
}

// markers are the texts of the tool-call markup's special tokens.
func markers(m chat.ToolCallMarkup) []string {
	return []string{m.CallsBegin, m.CallsEnd, m.CallBegin, m.CallEnd, m.Sep}
}

// toolsKey identifies the tool definitions.
func toolsKey(tools []Tool) string {
	var b strings.Builder
	for _, t := range tools {
		b.Write(t.Raw)
		b.WriteByte(0)
	}
	return b.String()
}

// forcedTool reads a tool_choice of "required" (name "") or naming a function.
func forcedTool(choice json.RawMessage, tools []Tool) (string, *Error) {
	if len(tools) == 0 {
		return "", badRequest("tool_choice", "invalid_value", "tool_choice %s needs tools", choice)
	}
	var s string
	if json.Unmarshal(choice, &s) == nil {
		return "", nil // "required"
	}
	var c struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(choice, &c); err != nil || c.Type != "function" || c.Function.Name == "" {
		return "", badRequest("tool_choice", "invalid_value", `tool_choice naming a function must be {"type": "function", "function": {"name": ...}}`)
	}
	for _, t := range tools {
		if t.Function.Name == c.Function.Name {
			return c.Function.Name, nil
		}
	}
	return "", badRequest("tool_choice", "invalid_value", "tool_choice names function %q, which is not among the tools", c.Function.Name)
}

// toolCallRules returns the rules of 1 to calls tool calls (of the function named only, if
// not ""), in the DeepSeek format that chat.ParseToolCalls reads:
//
//	<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME
//	```json
//	ARGS
//	```<｜tool▁call▁end｜>...<｜tool▁calls▁end｜>
//
// where ARGS follows the function's parameters schema ({} for a function without one,
// as OpenAI reads a missing parameters).
func toolCallRules(tools []Tool, only string, calls int) ([]grammar.Rule, string, *Error) {
	m := chat.ToolCallMarkers()
	var rules []grammar.Rule
	var fns grammar.Alt
	for i, t := range tools {
		name := t.Function.Name
		if only != "" && name != only {
			continue
		}
		if strings.ContainsAny(name, "\n<") || strings.Contains(name, m.Sep) {
			return nil, "", badRequest(fmt.Sprintf("tools[%d].function.name", i), "invalid_value", "function name %q cannot be written in a tool call", name)
		}
		var def struct {
			Function struct {
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		}
		_ = json.Unmarshal(t.Raw, &def) // the request decoded it already
		params := bytes.TrimSpace(def.Function.Parameters)
		if len(params) == 0 || string(params) == "null" {
			params = []byte(`{"type":"object","additionalProperties":false}`) // no parameters: {}
		}
		r, root, err := grammar.SchemaRules(params, fmt.Sprintf("t%d-", i))
		if err != nil {
			p := fmt.Sprintf("tools[%d].function.parameters", i)
			return nil, "", schemaError(p, p, err)
		}
		rules = append(rules, r...)
		fns = append(fns, grammar.Seq{grammar.Lit(name + "\n```json\n"), grammar.Ref(root), grammar.Lit("\n```")})
	}
	call := grammar.Seq{grammar.Lit(m.CallBegin + "function" + m.Sep), fns, grammar.Lit(m.CallEnd)}
	rules = append(rules,
		grammar.Rule{Name: "tool-call", Body: call},
		grammar.Rule{Name: "tool-calls", Body: grammar.Seq{
			grammar.Lit(m.CallsBegin), grammar.Ref("tool-call"),
			grammar.Repeat{X: grammar.Seq{grammar.Opt(grammar.Lit("\n")), grammar.Ref("tool-call")}, Max: calls - 1},
			grammar.Lit(m.CallsEnd)}})
	return rules, "tool-calls", nil
}

// schemaError is the 400 of a schema the compiler refused: an unsupported keyword is
// named, with where it is.
func schemaError(param, what string, err error) *Error {
	var ue *grammar.UnsupportedError
	var se *grammar.SchemaError
	switch {
	case errors.As(err, &ue):
		return badRequest(param, "unsupported_value", "%s: %s; this server supports type, properties, required, additionalProperties, items, minItems, maxItems, minLength, maxLength, minimum and maximum (integers for a number), exclusiveMinimum and exclusiveMaximum of an integer, enum, const, anyOf and $ref to $defs or definitions", what, ue.Error())
	case errors.As(err, &se):
		return badRequest(param, "invalid_value", "%s: %s", what, se.Error())
	}
	return badRequest(param, "invalid_value", "%s: %v", what, err)
}

// grammars is a backend's side of structured outputs: its vocabulary as the grammars see
// it (built when first needed), and the grammars last bound to it.
type grammars struct {
	tok   *tokenizer.Tokenizer
	size  int
	vocab func() (*grammar.Vocab, error)

	mu    sync.Mutex
	bound map[string]*grammar.Bound
	order []string // keys of bound, oldest first
}

func newGrammars(tok *tokenizer.Tokenizer, size int) *grammars {
	return &grammars{tok: tok, size: size, bound: map[string]*grammar.Bound{},
		vocab: sync.OnceValues(func() (*grammar.Vocab, error) { return grammar.VocabOf(tok, size) })}
}

// matcher returns a fresh Matcher of c, its grammar bound to the vocabulary once for the
// requests that ask for the same.
func (gs *grammars) matcher(c *constraint) (*grammar.Matcher, error) {
	v, err := gs.vocab()
	if err != nil {
		return nil, err
	}
	gs.mu.Lock()
	defer gs.mu.Unlock()
	b, ok := gs.bound[c.key]
	if !ok {
		b = grammar.Bind(c.g, v)
		if len(gs.order) == maxBound {
			delete(gs.bound, gs.order[0])
			gs.order = gs.order[1:]
		}
		gs.bound[c.key] = b
		gs.order = append(gs.order, c.key)
	}
	return b.NewMatcher(), nil
}
