package chat

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Template is a parsed chat template. It is immutable and safe for concurrent use.
type Template struct {
	body []node
}

// Parse parses Jinja chat template source, such as the chat_template of a
// tokenizer_config.json or the tokenizer.chat_template of a GGUF file.
// Syntax outside the supported subset (see the package documentation) is an *Error
// with its position.
func Parse(src string) (*Template, error) {
	body, err := parseTemplate(src)
	if err != nil {
		return nil, err
	}
	return &Template{body: body}, nil
}

// Options are the variables a template is rendered with besides the messages.
type Options struct {
	// AddGenerationPrompt is add_generation_prompt: end the prompt with the start of
	// an assistant turn.
	AddGenerationPrompt bool
	// BOSToken and EOSToken are bos_token and eos_token, for DeepSeek models
	// "<｜begin▁of▁sentence｜>" and "<｜end▁of▁sentence｜>".
	BOSToken, EOSToken string
	// Tools is tools, the tool definitions as JSON (OpenAI style). Without any,
	// tools is none, as transformers passes it.
	Tools []json.RawMessage
	// Extra are further variables, such as enable_thinking or thinking; values are
	// converted as by encoding/json. They cannot replace the variables above.
	Extra map[string]any
}

// Render renders the conversation with the variables messages, add_generation_prompt,
// bos_token, eos_token, tools and those of opts.Extra, as transformers'
// apply_chat_template(tokenize=False) does.
func (t *Template) Render(messages []Message, opts Options) (string, error) {
	g := newFrame(nil)
	for k, v := range globals() {
		g.vars[k] = v
	}
	for k, v := range opts.Extra {
		switch k {
		case "messages", "add_generation_prompt", "bos_token", "eos_token", "tools":
			return "", fmt.Errorf("chat: Options.Extra cannot set %q", k)
		}
		x, err := goValue(v)
		if err != nil {
			return "", fmt.Errorf("chat: Options.Extra[%q]: %v", k, err)
		}
		g.vars[k] = x
	}
	msgs := make([]value, len(messages))
	for i := range messages {
		msgs[i] = messages[i].value()
	}
	g.vars["messages"] = msgs
	g.vars["add_generation_prompt"] = opts.AddGenerationPrompt
	g.vars["bos_token"] = opts.BOSToken
	g.vars["eos_token"] = opts.EOSToken
	g.vars["tools"] = nil
	if len(opts.Tools) > 0 {
		tools := make([]value, len(opts.Tools))
		for i, raw := range opts.Tools {
			v, err := fromJSON(raw)
			if err != nil {
				return "", fmt.Errorf("chat: Options.Tools[%d]: %v", i, err)
			}
			tools[i] = v
		}
		g.vars["tools"] = tools
	}
	var b strings.Builder
	r := &renderer{w: &b}
	if _, err := r.exec(t.body, newFrame(g)); err != nil {
		return "", err
	}
	return b.String(), nil
}

// goValue converts a Go value to a template value: JSON-like values directly, others
// through encoding/json.
func goValue(v any) (value, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return v, nil
	case string:
		return v, nil
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case float64:
		return v, nil
	case json.RawMessage:
		return fromJSON(v)
	case []any:
		l := make([]value, len(v))
		for i, x := range v {
			var err error
			if l[i], err = goValue(x); err != nil {
				return nil, err
			}
		}
		return l, nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := newDict(len(keys))
		for _, k := range keys {
			x, err := goValue(v[k])
			if err != nil {
				return nil, err
			}
			d.set(k, x)
		}
		return d, nil
	}
	if k := reflect.ValueOf(v).Kind(); k == reflect.Func || k == reflect.Chan {
		return nil, fmt.Errorf("cannot use a %T in a template", v)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return fromJSON(data)
}
