package openai

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Request bodies are decoded as OpenAI's API reads them, not as encoding/json (v1) would:
// member names match exactly ("MAX_TOKENS" is an unknown member, ignored, not max_tokens),
// a name given twice is an error rather than "the last one wins", and the text must be
// valid UTF-8. github.com/go-json-experiment/json is encoding/json/v2 (standard from Go
// 1.27), whose defaults are exactly these. Replies are still written with encoding/json.

// decodeJSON unmarshals a request body into v, turning every failure into a 400 that says
// what was wrong and where. opts add to encoding/json/v2's defaults (the Responses API
// refuses unknown members).
func decodeJSON(body []byte, v any, opts ...json.Options) *Error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return badRequest("", "invalid_json", "the request body is empty: want a JSON object")
	}
	if body[0] != '{' {
		return badRequest("", "invalid_json", "the request body must be a JSON object")
	}
	err := json.Unmarshal(body, v, opts...)
	if err == nil {
		return nil
	}
	var syn *jsontext.SyntacticError
	var sem *json.SemanticError
	switch {
	case errors.As(err, &sem):
		return semanticError(sem)
	case errors.As(err, &syn):
		param := ""
		if errors.Is(syn, jsontext.ErrDuplicateName) {
			param = paramOf(syn.JSONPointer)
		}
		return badRequest(param, "invalid_json", "the request body is not valid JSON: %s (at byte %d)",
			syntaxReason(syn), syn.ByteOffset)
	}
	return badRequest("", "invalid_json", "the request body is not valid JSON: %v", err)
}

// syntaxReason says what is wrong with the JSON text, without jsontext's prefix.
func syntaxReason(e *jsontext.SyntacticError) string {
	if e.Err == nil {
		return "malformed"
	}
	if errors.Is(e.Err, jsontext.ErrDuplicateName) {
		return fmt.Sprintf("%s is given twice", strconv.Quote(e.JSONPointer.LastToken()))
	}
	return e.Err.Error()
}

// semanticError is the 400 for well-formed JSON whose value does not fit its field.
func semanticError(e *json.SemanticError) *Error {
	field := paramOf(e.JSONPointer)
	if field == "" {
		return badRequest("", "invalid_json", "the request body must be a JSON object")
	}
	var want *kindError
	switch {
	case errors.As(e.Err, &want):
		got := want.got
		if got == "" {
			got = kindName(e.JSONKind)
		}
		return badRequest(field, "invalid_type", "%s must be %s, not a JSON %s", field, want.want, got)
	case e.JSONKind == '0' && errors.Is(e.Err, strconv.ErrRange):
		return badRequest(field, "invalid_value", "%s %s is out of range", field, truncate(string(e.JSONValue), 40))
	case e.JSONKind == '0' && e.GoType != nil && typeName(e.GoType.String()) == "an integer":
		return badRequest(field, "invalid_type", "%s must be an integer, not %s", field, truncate(string(e.JSONValue), 40))
	case errors.Is(e.Err, json.ErrUnknownName):
		return badRequest(field, "unknown_parameter", "unknown parameter %s: this server does not support it", field)
	case e.Err != nil:
		// A custom decoder (a message's content, a prompt) said what is wrong.
		return badRequest(field, "invalid_value", "%s: %s", field, strings.TrimPrefix(e.Err.Error(), "chat: "))
	}
	if e.GoType == nil {
		return badRequest(field, "invalid_type", "%s has the wrong type (a JSON %s)", field, kindName(e.JSONKind))
	}
	return badRequest(field, "invalid_type", "%s must be %s, not a JSON %s", field, typeName(e.GoType.String()), kindName(e.JSONKind))
}

// kindError is what the request types' own decoders return for a JSON value of the wrong
// kind: want says which kinds fit, got (if known) which kind came.
type kindError struct{ want, got string }

func (e *kindError) Error() string { return "want " + e.want }

// paramOf turns a JSON pointer into the param of an error: /messages/0/role → messages[0].role.
func paramOf(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return truncate(b.String(), 200)
}

// kindName names a JSON kind for "not a JSON ..." in messages.
func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{', '}':
		return "object"
	case '[', ']':
		return "array"
	}
	return "value"
}

// typeName names a Go type for a client.
func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "*"):
		return typeName(t[1:])
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return "an integer"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map"), strings.Contains(t, "struct"), strings.Contains(t, "."):
		return "an object"
	}
	return t
}

// truncate shortens s to at most n bytes (on a rune boundary), marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
