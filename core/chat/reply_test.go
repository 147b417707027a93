package chat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const weatherCall = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\":\"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>"

type parsed struct {
	reasoning, content string
	calls              []ToolCall
}

// parseAll pushes the pieces into a new parser and returns what it produced in all.
func parseAll(prompt string, tools bool, pieces ...string) parsed {
	p := NewReplyParser(prompt, tools)
	var rb, cb strings.Builder
	for _, s := range pieces {
		r, c := p.Push(s)
		rb.WriteString(r)
		cb.WriteString(c)
	}
	r, c, calls := p.Finish()
	rb.WriteString(r)
	cb.WriteString(c)
	return parsed{rb.String(), cb.String(), calls}
}

func sameParsed(a, b parsed) bool {
	if a.reasoning != b.reasoning || a.content != b.content || len(a.calls) != len(b.calls) {
		return false
	}
	for i := range a.calls {
		if a.calls[i] != b.calls[i] {
			return false
		}
	}
	return true
}

func TestReplyParser(t *testing.T) {
	type call struct{ name, args string }
	tests := []struct {
		name, prompt, text string
		tools              bool
		reasoning, content string
		calls              []call
	}{
		{name: "plain", text: "Hello, world! ünïcödé", content: "Hello, world! ünïcödé"},
		{name: "empty", text: "", content: ""},
		{name: "whitespace only", text: " \n ", content: " \n "},
		{name: "think then answer", text: "<think>r</think>\n\nanswer", reasoning: "r", content: "answer"},
		{name: "leading whitespace before think", text: "\n <think>\nsome reasoning\n</think>\n\nthe answer", reasoning: "some reasoning\n", content: "the answer"},
		{name: "unclosed think", text: "<think>still thinking</thi", reasoning: "still thinking</thi"},
		{name: "think in the middle is content", text: "a<think>b</think>c", content: "a<think>b</think>c"},
		{name: "prompt ends with think", prompt: "<｜User｜>hi<｜Assistant｜><think>\n", text: "\nreasoning here</think>\n\nfinal", reasoning: "reasoning here", content: "final"},
		{name: "prompt ends with think, no close", prompt: "x<think>", text: "all reasoning", reasoning: "all reasoning"},
		{name: "prompt ends with think, second think is reasoning", prompt: "x<think>\n", text: "<think>a</think>b", reasoning: "<think>a", content: "b"},
		{name: "prompt with think in the middle", prompt: "<think>\nx", text: "<think>r</think>c", reasoning: "r", content: "c"},
		{name: "starts like think", text: "<thinking>no tag</thinking>", content: "<thinking>no tag</thinking>"},
		{name: "only a think prefix", text: "<thi", content: "<thi"},
		{name: "less than", text: "<b>bold</b> and 1 < 2", content: "<b>bold</b> and 1 < 2"},
		{name: "tool call", text: "Let me check.\n\n" + weatherCall, tools: true, content: "Let me check.\n\n",
			calls: []call{{"get_weather", `{"city":"Paris"}`}}},
		{name: "tool call only", text: weatherCall, tools: true, calls: []call{{"get_weather", `{"city":"Paris"}`}}},
		{name: "two tool calls", tools: true,
			text:  "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>a\n```json\n{}\n```<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>b\n```json\n{\"x\":1}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
			calls: []call{{"a", "{}"}, {"b", `{"x":1}`}}},
		{name: "reasoning then tool call", text: "<think>need weather</think>\n\n" + weatherCall, tools: true, reasoning: "need weather",
			calls: []call{{"get_weather", `{"city":"Paris"}`}}},
		{name: "malformed tool markup", tools: true,
			text:    "Sure. <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function get_weather {city: Paris}<｜tool▁calls▁end｜>",
			content: "Sure. <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function get_weather {city: Paris}<｜tool▁calls▁end｜>"},
		{name: "unterminated tool call", tools: true, text: "x<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n```json\n{",
			content: "x<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n```json\n{"},
		{name: "tools disabled", text: "Let me check.\n\n" + weatherCall, content: "Let me check.\n\n" + weatherCall},
		{name: "partial tool marker at end", tools: true, text: "answer <｜tool▁calls", content: "answer <｜tool▁calls"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := parsed{reasoning: tc.reasoning, content: tc.content}
			for _, c := range tc.calls {
				var tc ToolCall
				tc.Type = "function"
				tc.Function.Name, tc.Function.Arguments = c.name, c.args
				want.calls = append(want.calls, tc)
			}
			if got := parseAll(tc.prompt, tc.tools, tc.text); !sameParsed(got, want) {
				t.Fatalf("one push: got %+v\nwant %+v", got, want)
			}
			text := tc.text
			// Every split into two pushes.
			for i := 0; i <= len(text); i++ {
				if got := parseAll(tc.prompt, tc.tools, text[:i], text[i:]); !sameParsed(got, want) {
					t.Fatalf("split at %d (%q | %q): got %+v\nwant %+v", i, text[:i], text[i:], got, want)
				}
			}
			// Every split into three pushes.
			for i := 0; i <= len(text); i++ {
				for j := i; j <= len(text); j++ {
					if got := parseAll(tc.prompt, tc.tools, text[:i], text[i:j], text[j:]); !sameParsed(got, want) {
						t.Fatalf("split at %d, %d (%q | %q | %q): got %+v\nwant %+v", i, j, text[:i], text[i:j], text[j:], got, want)
					}
				}
			}
			// One byte at a time.
			bytes := make([]string, len(text))
			for i := 0; i < len(text); i++ {
				bytes[i] = text[i : i+1]
			}
			if got := parseAll(tc.prompt, tc.tools, bytes...); !sameParsed(got, want) {
				t.Fatalf("byte by byte: got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestReplyParserStreams checks that text is released as soon as it is certain.
func TestReplyParserStreams(t *testing.T) {
	p := NewReplyParser("", true)
	if r, c := p.Push("Hello"); r != "" || c != "Hello" {
		t.Errorf("push(Hello) = %q, %q", r, c)
	}
	if r, c := p.Push(" wor<"); r != "" || c != " wor" {
		t.Errorf("push( wor<) = %q, %q; want the < held back", r, c)
	}
	if r, c := p.Push("ld"); r != "" || c != "<ld" {
		t.Errorf("push(ld) = %q, %q", r, c)
	}
	p = NewReplyParser("", false)
	if r, c := p.Push("<thi"); r != "" || c != "" {
		t.Errorf("push(<thi) = %q, %q; want all held", r, c)
	}
	if r, c := p.Push("nk>abc</"); r != "abc" || c != "" {
		t.Errorf("push(nk>abc</) = %q, %q", r, c)
	}
	if r, c := p.Push("think>  x"); r != "" || c != "x" {
		t.Errorf("push(think>  x) = %q, %q", r, c)
	}
	// Without tools, content that could start a tool marker is not held.
	p = NewReplyParser("", false)
	p.Push("a")
	if _, c := p.Push("<｜tool"); c != "<｜tool" {
		t.Errorf("tools off: content %q", c)
	}
}

func TestHeldBack(t *testing.T) {
	tests := []struct {
		s, marker string
		want      int
	}{
		{"", "</think>", 0},
		{"abc", "</think>", 3},
		{"abc<", "</think>", 3},
		{"abc</", "</think>", 3},
		{"abc</think", "</think>", 3},
		{"</think", "</think>", 0},
		{"<", "</think>", 0},
		{"abc</x", "</think>", 6},
		{"abc<<", "</think>", 4},
		{"a</think>", "</think>", 9}, // the whole marker is not a proper prefix
		{"xx</thin", "</think>", 2},
		{"abc", "", 3},
		{"<｜tool▁calls▁beg", toolCallsBegin, 0},
		{"text <｜tool", toolCallsBegin, 5},
		{"text " + toolCallsBegin[:2], toolCallsBegin, 5}, // a partial UTF-8 sequence of the marker
		{"text ｜", toolCallsBegin, len("text ｜")},
	}
	for _, tc := range tests {
		if got := heldBack(tc.s, tc.marker); got != tc.want {
			t.Errorf("heldBack(%q, %q) = %d; want %d", tc.s, tc.marker, got, tc.want)
		}
	}
}

// TestSplitReply checks the whole-reply form, as deepgo run keeps a chat's history: the
// cases of the former SplitReasoning, with the prompt that R1's template ends with.
func TestSplitReply(t *testing.T) {
	const r1 = "<｜User｜>1+3?<｜Assistant｜><think>\n"
	tests := []struct{ name, prompt, in, reasoning, answer string }{
		{"full", "", "<think>\nLet me add.\n</think>\n\n4", "Let me add.\n", "4"},
		{"think in prompt", r1, "\nLet me add.\n</think>\n\nThe sum is 4.\n", "Let me add.\n", "The sum is 4.\n"},
		{"no think", "", "Just an answer.", "", "Just an answer."},
		{"no think keeps text", "", "  spaced answer \n", "", "  spaced answer \n"},
		{"unfinished thinking", "", "<think>\nstill going", "still going", ""},
		{"leading space before think", "", " \n<think>r</think>a", "r", "a"},
		{"empty reasoning", "", "<think>\n\n</think>\n\nHi", "", "Hi"},
		{"first close ends reasoning", "", "<think>r</think>a</think>b", "r", "a</think>b"},
		{"think later is answer", "", "Answer <think>not reasoning", "", "Answer <think>not reasoning"},
		{"empty", "", "", "", ""},
		{"close only, after R1's prompt", r1, "</think>", "", ""},
		{"close only, no think in the prompt", "", "</think>", "", "</think>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, a, calls := SplitReply(tt.prompt, tt.in, false)
			if r != tt.reasoning || a != tt.answer || calls != nil {
				t.Errorf("SplitReply(%q, %q) = %q, %q, %v; want %q, %q", tt.prompt, tt.in, r, a, calls, tt.reasoning, tt.answer)
			}
		})
	}
}

// TestReplyAfterDistillPrompt: the DeepSeek-R1 distills' template (testdata/
// deepseek-r1-distill.jinja) ends its generation prompt with "<｜Assistant｜><think>\n", so the
// reply starts inside the reasoning and has only the closing tag; after tool outputs it adds
// no generation prompt and a reply opens its own <think>.
func TestReplyAfterDistillPrompt(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "deepseek-r1-distill.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	var weather ToolCall
	weather.Type, weather.Function.Name, weather.Function.Arguments = "function", "get_weather", "{}"
	opts := Options{AddGenerationPrompt: true, BOSToken: "<｜begin▁of▁sentence｜>", EOSToken: "<｜end▁of▁sentence｜>"}
	for _, tc := range []struct {
		name, wantSuffix, reply string
		messages                []Message
		reasoning, content      string
	}{
		{
			name:       "user turn",
			messages:   []Message{{Role: "user", Content: str("What is the capital of Japan?")}},
			wantSuffix: "<｜User｜>What is the capital of Japan?<｜Assistant｜><think>\n",
			reply:      "Okay, Japan's capital.\nIt is Tokyo.\n</think>\n\nTokyo.",
			reasoning:  "Okay, Japan's capital.\nIt is Tokyo.\n", content: "Tokyo.",
		},
		{
			name:       "user turn, reply never closes the reasoning",
			messages:   []Message{{Role: "user", Content: str("Count.")}},
			wantSuffix: "<｜Assistant｜><think>\n",
			reply:      "1, 2, 3…", reasoning: "1, 2, 3…",
		},
		{
			name: "after tool outputs",
			messages: []Message{
				{Role: "user", Content: str("Weather?")},
				{Role: "assistant", ToolCalls: []ToolCall{weather}},
				{Role: "tool", Content: str("sunny")},
			},
			wantSuffix: "<｜tool▁output▁begin｜>sunny<｜tool▁output▁end｜><｜tool▁outputs▁end｜>",
			reply:      "<think>\nIt is sunny.\n</think>\n\nSunny.", reasoning: "It is sunny.\n", content: "Sunny.",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prompt, err := tpl.Render(tc.messages, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(prompt, tc.wantSuffix) {
				t.Fatalf("prompt %q does not end with %q", prompt, tc.wantSuffix)
			}
			// Token by token, as the server streams it: every split gives the same result.
			for i := 0; i <= len(tc.reply); i++ {
				got := parseAll(prompt, false, tc.reply[:i], tc.reply[i:])
				if got.reasoning != tc.reasoning || got.content != tc.content {
					t.Fatalf("split at %d: reasoning %q content %q, want %q and %q", i, got.reasoning, got.content, tc.reasoning, tc.content)
				}
			}
		})
	}
}
