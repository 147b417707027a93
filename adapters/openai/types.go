package openai

import (
	"encoding/json"

	"github.com/deepgo/deepgo/core/chat"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ChatRequest is the body of POST /v1/chat/completions. Pointer fields are optional: nil
// means the client did not send them. Fields this server does not know are ignored.
type ChatRequest struct {
	Model               string          `json:"model"`
	Messages            []chat.Message  `json:"messages"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	TopK                *int            `json:"top_k"`
	MinP                *float64        `json:"min_p"`
	PresencePenalty     *float64        `json:"presence_penalty"`
	FrequencyPenalty    *float64        `json:"frequency_penalty"`
	RepetitionPenalty   *float64        `json:"repetition_penalty"`
	Seed                *int64          `json:"seed"`
	Stop                Stop            `json:"stop"`
	N                   *int            `json:"n"`
	Stream              bool            `json:"stream"`
	StreamOptions       *StreamOptions  `json:"stream_options"`
	LogProbs            bool            `json:"logprobs"`
	TopLogProbs         *int            `json:"top_logprobs"`
	User                string          `json:"user"`
	ResponseFormat      *ResponseFormat `json:"response_format"`
	Tools               []Tool          `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	LogitBias           map[string]any  `json:"logit_bias"`
	SkipSpecialTokens   *bool           `json:"skip_special_tokens"` // vLLM's extension; default true (special.go)
	Grammar             *string         `json:"grammar"`             // GBNF the reply must follow (structured.go)
	ParallelToolCalls   *bool           `json:"parallel_tool_calls"` // false: a forced tool choice makes one call
}

// CompletionRequest is the body of POST /v1/completions (the legacy text API).
type CompletionRequest struct {
	Model             string         `json:"model"`
	Prompt            Prompt         `json:"prompt"`
	MaxTokens         *int           `json:"max_tokens"`
	Temperature       *float64       `json:"temperature"`
	TopP              *float64       `json:"top_p"`
	TopK              *int           `json:"top_k"`
	MinP              *float64       `json:"min_p"`
	PresencePenalty   *float64       `json:"presence_penalty"`
	FrequencyPenalty  *float64       `json:"frequency_penalty"`
	RepetitionPenalty *float64       `json:"repetition_penalty"`
	Seed              *int64         `json:"seed"`
	Stop              Stop           `json:"stop"`
	N                 *int           `json:"n"`
	BestOf            *int           `json:"best_of"`
	Echo              bool           `json:"echo"`
	Suffix            *string        `json:"suffix"`
	Stream            bool           `json:"stream"`
	StreamOptions     *StreamOptions `json:"stream_options"`
	LogProbs          *int           `json:"logprobs"`
	User              string         `json:"user"`
	LogitBias         map[string]any `json:"logit_bias"`
	SkipSpecialTokens *bool          `json:"skip_special_tokens"` // vLLM's extension; default true (special.go)
	Grammar           *string        `json:"grammar"`             // GBNF the completion must follow (structured.go)
}

// StreamOptions are the options of a streamed response.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// ResponseFormat is response_format: {"type": "text" | "json_object" | "json_schema", ...}.
type ResponseFormat struct {
	Type       string            `json:"type"`
	JSONSchema *JSONSchemaFormat `json:"json_schema"` // type json_schema (structured.go)
}

// Tool is one entry of tools: the definition is kept as sent, for the chat template.
type Tool struct {
	Raw      json.RawMessage
	Type     string
	Function struct {
		Name string `json:"name"`
	}
}

// UnmarshalJSON keeps the raw definition and reads its type and function name.
func (t *Tool) UnmarshalJSON(data []byte) error {
	var aux struct {
		Type     string `json:"type"`
		Function *struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := jsonv2.Unmarshal(data, &aux); err != nil {
		return err
	}
	t.Raw = append(json.RawMessage(nil), data...)
	t.Type = aux.Type
	if aux.Function != nil {
		t.Function.Name = aux.Function.Name
	}
	return nil
}

// Stop is stop: a string, a list of strings, or null.
type Stop []string

// UnmarshalJSON accepts a string or a list of strings.
func (s *Stop) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*s = nil
		return nil
	}
	var one string
	if err := jsonv2.Unmarshal(data, &one); err == nil {
		*s = Stop{one}
		return nil
	}
	var many []string
	if err := jsonv2.Unmarshal(data, &many); err != nil {
		return &kindError{want: "a string or an array of strings"}
	}
	*s = many
	return nil
}

// Prompt is the prompt of a completion request: a string, a list of strings, a list of
// token ids, or a list of lists of token ids. Each entry of a list of prompts is a prompt
// of its own, answered by choices of its own.
type Prompt struct {
	Texts  []string // the prompts, when they are text
	Tokens [][]int  // the prompts, when they are token ids
}

// Count is the number of prompts.
func (p Prompt) Count() int { return len(p.Texts) + len(p.Tokens) }

// UnmarshalJSONFrom reads a prompt from an encoding/json/v2 decoder: a string, the
// common case, is read once however long it is; the array forms go to UnmarshalJSON.
func (p *Prompt) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		*p = Prompt{Texts: []string{tok.String()}}
		return nil
	}
	k := dec.PeekKind()
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	if err := p.UnmarshalJSON(v); err != nil {
		return &kindError{want: promptKinds, got: kindName(k)}
	}
	return nil
}

// promptKinds are the forms a prompt may take.
const promptKinds = "a string, an array of strings, an array of token ids or an array of arrays of token ids"

// UnmarshalJSON accepts the four forms of prompt.
func (p *Prompt) UnmarshalJSON(data []byte) error {
	*p = Prompt{}
	if string(data) == "null" {
		return nil
	}
	var s string
	if jsonv2.Unmarshal(data, &s) == nil {
		p.Texts = []string{s}
		return nil
	}
	var ss []string
	if jsonv2.Unmarshal(data, &ss) == nil {
		p.Texts = ss
		return nil
	}
	var ids []int
	if jsonv2.Unmarshal(data, &ids) == nil {
		p.Tokens = [][]int{ids}
		return nil
	}
	var idss [][]int
	if jsonv2.Unmarshal(data, &idss) == nil {
		p.Tokens = idss
		return nil
	}
	return &kindError{want: promptKinds}
}

// Usage counts the tokens of a request.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
	// PromptTokensDetails.CachedTokens are prompt tokens found in a slot's KV cache.
	PromptTokensDetails *struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details,omitempty"`
}

// ChatCompletion is the response of a non-streamed chat completion.
type ChatCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"` // "chat.completion"
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint"`
	Choices           []ChatChoice `json:"choices"`
	Usage             *Usage       `json:"usage"`
}

// ChatChoice is one choice of a ChatCompletion.
type ChatChoice struct {
	Index        int           `json:"index"`
	Message      ChatMessage   `json:"message"`
	LogProbs     *ChatLogProbs `json:"logprobs"`
	FinishReason string        `json:"finish_reason"`
}

// ChatMessage is the assistant's message in a response.
type ChatMessage struct {
	Role             string          `json:"role"`
	Content          *string         `json:"content"`
	ReasoningContent *string         `json:"reasoning_content,omitempty"`
	ToolCalls        []chat.ToolCall `json:"tool_calls,omitempty"`
	Refusal          *string         `json:"refusal"` // OpenAI's; this server never refuses: null
}

// ChatLogProbs are the log-probabilities of a chat choice's tokens.
type ChatLogProbs struct {
	Content []TokenLogProb `json:"content"`
}

// TokenLogProb is one token's log-probability and, with top_logprobs, its alternatives.
type TokenLogProb struct {
	Token       string       `json:"token"`
	LogProb     float32      `json:"logprob"`
	Bytes       []int        `json:"bytes"`
	TopLogProbs []TopLogProb `json:"top_logprobs"`
}

// TopLogProb is one alternative token.
type TopLogProb struct {
	Token   string  `json:"token"`
	LogProb float32 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

// ChatChunk is one server-sent event of a streamed chat completion.
type ChatChunk struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"` // "chat.completion.chunk"
	Created           int64             `json:"created"`
	Model             string            `json:"model"`
	SystemFingerprint string            `json:"system_fingerprint"`
	Choices           []ChatChunkChoice `json:"choices"`
	Usage             *Usage            `json:"usage,omitempty"`
}

// ChatChunkChoice is the choice a ChatChunk is about.
type ChatChunkChoice struct {
	Index        int           `json:"index"`
	Delta        ChatDelta     `json:"delta"`
	LogProbs     *ChatLogProbs `json:"logprobs"`
	FinishReason *string       `json:"finish_reason"`
}

// ChatDelta is what a chunk adds to the message.
type ChatDelta struct {
	Role             string          `json:"role,omitempty"`
	Content          *string         `json:"content,omitempty"`
	ReasoningContent *string         `json:"reasoning_content,omitempty"`
	ToolCalls        []ToolCallDelta `json:"tool_calls,omitempty"`
	// Refusal is null in a choice's first chunk, as OpenAI sends it, and left out after.
	Refusal json.RawMessage `json:"refusal,omitempty"`
}

// ToolCallDelta is a tool call in a chunk; it carries the whole call.
type ToolCallDelta struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// Completion is the response of a non-streamed completion, and each event of a streamed
// one (object "text_completion" in both).
type Completion struct {
	ID                string             `json:"id"`
	Object            string             `json:"object"`
	Created           int64              `json:"created"`
	Model             string             `json:"model"`
	SystemFingerprint string             `json:"system_fingerprint"`
	Choices           []CompletionChoice `json:"choices"`
	Usage             *Usage             `json:"usage,omitempty"`
}

// CompletionChoice is one choice of a Completion.
type CompletionChoice struct {
	Index        int                 `json:"index"`
	Text         string              `json:"text"`
	LogProbs     *CompletionLogProbs `json:"logprobs"`
	FinishReason *string             `json:"finish_reason"`
}

// CompletionLogProbs are the legacy API's log-probabilities.
type CompletionLogProbs struct {
	Tokens        []string             `json:"tokens"`
	TokenLogProbs []float32            `json:"token_logprobs"`
	TopLogProbs   []map[string]float32 `json:"top_logprobs"`
	TextOffset    []int                `json:"text_offset"`
}

// Model is one entry of GET /v1/models.
type Model struct {
	ID      string `json:"id"`
	Object  string `json:"object"` // "model"
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// ModelList is the response of GET /v1/models.
type ModelList struct {
	Object string  `json:"object"` // "list"
	Data   []Model `json:"data"`
}
