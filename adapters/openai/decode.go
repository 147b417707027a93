package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/sample"
)

// Limits on what one request may ask for.
const (
	maxStops      = 16
	maxStopLen    = 512
	maxTopLogProb = 20
	maxMessages   = 4096
	maxTools      = 256
	// maxN bounds n, the choices per prompt; maxChoices the choices of a request (prompts
	// times n), and so the prompts of a completion request.
	maxN       = 8
	maxChoices = 64
	// maxCount bounds every count a request gives (max_tokens, top_k): more than any
	// context holds, and far enough from the int range that sums of counts cannot overflow.
	maxCount = math.MaxInt32
)

// params are the sampling and length fields the two endpoints share.
type params struct {
	maxTokens                       *int
	maxTokensName                   string
	temperature, topP, minP         *float64
	topK                            *int
	presence, frequency, repetition *float64
	seed                            *int64
	stop                            Stop
	n                               *int
	stream                          bool
	streamOptions                   *StreamOptions
	logitBias                       map[string]any
	skipSpecial                     *bool
}

// generation is a validated request: what to generate and how to answer.
type generation struct {
	chat         bool
	model        string
	messages     []chat.Message
	tools        []json.RawMessage
	prompt       Prompt // completions
	n            int    // choices per prompt
	echo         bool   // completions: the prompt's text before each choice's
	suffix       *string
	showSpecial  bool   // skip_special_tokens false: special tokens' text stays in the reply
	maxTokens    int    // 0 = until the context is full
	maxTokensBy  string // the field maxTokens came from; "" = a default the server may lower
	sampling     sample.Params
	stops        []string
	stream       bool
	includeUsage bool
	logprobs     bool // chat: logprobs; completions: logprobs given
	topLogprobs  int
	resp         *responseRequest // a Responses API request (chat is true); nil for the others
	constraint   *constraint      // the grammar the reply must follow (structured.go), or nil
}

// validate checks the shared fields and fills g.
func (p *params) validate(g *generation, d Defaults) *Error {
	if p.maxTokens != nil && (*p.maxTokens < 1 || *p.maxTokens > maxCount) {
		return badRequest(p.maxTokensName, "invalid_value", "%s must be at least 1 and at most %d, not %d", p.maxTokensName, maxCount, *p.maxTokens)
	}
	if p.maxTokens != nil {
		g.maxTokens, g.maxTokensBy = *p.maxTokens, p.maxTokensName
	}
	g.n = 1
	if p.n != nil {
		if *p.n < 1 || *p.n > maxN {
			return badRequest("n", "invalid_value", "n must be between 1 and %d, not %d", maxN, *p.n)
		}
		g.n = *p.n
	}
	bias, e := decodeLogitBias(p.logitBias)
	if e != nil {
		return e
	}
	if p.streamOptions != nil && !p.stream {
		return badRequest("stream_options", "invalid_value", "stream_options is only allowed when stream is true")
	}
	g.stream = p.stream
	g.showSpecial = p.skipSpecial != nil && !*p.skipSpecial
	g.includeUsage = p.streamOptions != nil && p.streamOptions.IncludeUsage
	if len(p.stop) > maxStops {
		return badRequest("stop", "invalid_value", "stop has %d strings: at most %d are allowed", len(p.stop), maxStops)
	}
	for i, s := range p.stop {
		if len(s) > maxStopLen {
			return badRequest("stop", "invalid_value", "stop[%d] is %d bytes long: at most %d are allowed", i, len(s), maxStopLen)
		}
		if s != "" {
			g.stops = append(g.stops, s)
		}
	}

	sp := sample.Params{Temperature: float32(d.Temperature), TopP: float32(d.TopP), RepetitionPenalty: 1}
	num := func(name string, v *float64, lo, hi float64, dst *float32) *Error {
		if v == nil {
			return nil
		}
		if math.IsNaN(*v) || *v < lo || *v > hi {
			return badRequest(name, "invalid_value", "%s must be between %g and %g, not %g", name, lo, hi, *v)
		}
		*dst = float32(*v)
		return nil
	}
	for _, e := range []*Error{
		num("temperature", p.temperature, 0, 2, &sp.Temperature),
		num("top_p", p.topP, 0, 1, &sp.TopP),
		num("min_p", p.minP, 0, 1, &sp.MinP),
		num("presence_penalty", p.presence, -2, 2, &sp.PresencePenalty),
		num("frequency_penalty", p.frequency, -2, 2, &sp.FrequencyPenalty),
	} {
		if e != nil {
			return e
		}
	}
	if p.repetition != nil {
		if e := num("repetition_penalty", p.repetition, 0, 10, &sp.RepetitionPenalty); e != nil {
			return e
		}
		if *p.repetition == 0 {
			return badRequest("repetition_penalty", "invalid_value", "repetition_penalty must be positive (1 is off)")
		}
	}
	if p.topK != nil {
		if *p.topK < 0 || *p.topK > maxCount {
			return badRequest("top_k", "invalid_value", "top_k must be 0 (off) or more, at most %d, not %d", maxCount, *p.topK)
		}
		sp.TopK = *p.topK
	}
	if sp.TopP == 0 { // nucleus of probability 0: only the most likely token
		sp.Temperature, sp.TopP = 0, 1
	}
	if p.seed != nil {
		sp.Seed = uint64(*p.seed)
	} else {
		sp.Seed = randomSeed()
	}
	sp.LogitBias = bias
	g.sampling = sp
	return nil
}

// Defaults are the sampling values used when a request leaves them out.
type Defaults struct {
	Temperature float64 // default 1, as OpenAI's
	TopP        float64 // default 1 (off)
}

// defaultSampling is OpenAI's: temperature 1, top_p 1.
func defaultSampling() Defaults { return Defaults{Temperature: 1, TopP: 1} }

// decodeChat decodes and validates a chat completion request.
func decodeChat(body []byte, d Defaults) (*generation, *Error) {
	var r ChatRequest
	if e := decodeJSON(body, &r); e != nil {
		return nil, e
	}
	g := &generation{chat: true, model: r.Model, logprobs: r.LogProbs}
	if r.Model == "" {
		return nil, badRequest("model", "missing_required_parameter", "model is required")
	}
	if len(r.Messages) == 0 {
		return nil, badRequest("messages", "missing_required_parameter", "messages must be a non-empty array")
	}
	if len(r.Messages) > maxMessages {
		return nil, badRequest("messages", "invalid_value", "messages has %d entries: at most %d are allowed", len(r.Messages), maxMessages)
	}
	for i := range r.Messages {
		m := &r.Messages[i]
		switch m.Role {
		case "system", "user", "assistant", "tool":
		case "developer":
			m.Role = "system"
		case "":
			return nil, badRequest(fmt.Sprintf("messages[%d].role", i), "missing_required_parameter", "messages[%d] has no role", i)
		default:
			return nil, badRequest(fmt.Sprintf("messages[%d].role", i), "invalid_value",
				"messages[%d].role %q is not one of system, developer, user, assistant, tool", i, m.Role)
		}
		if m.Content == nil && (m.Role == "user" || m.Role == "system") {
			return nil, badRequest(fmt.Sprintf("messages[%d].content", i), "missing_required_parameter",
				"messages[%d] (%s) has no content", i, m.Role)
		}
	}
	g.messages = r.Messages
	maxTok, name := r.MaxTokens, "max_tokens"
	if r.MaxCompletionTokens != nil {
		maxTok, name = r.MaxCompletionTokens, "max_completion_tokens"
	}
	p := params{maxTokens: maxTok, maxTokensName: name, temperature: r.Temperature, topP: r.TopP, minP: r.MinP, topK: r.TopK,
		presence: r.PresencePenalty, frequency: r.FrequencyPenalty, repetition: r.RepetitionPenalty, seed: r.Seed,
		stop: r.Stop, n: r.N, stream: r.Stream, streamOptions: r.StreamOptions, logitBias: r.LogitBias, skipSpecial: r.SkipSpecialTokens}
	if e := p.validate(g, d); e != nil {
		return nil, e
	}
	if r.TopLogProbs != nil {
		if !r.LogProbs {
			return nil, badRequest("top_logprobs", "invalid_value", "top_logprobs needs logprobs: true")
		}
		if *r.TopLogProbs < 0 || *r.TopLogProbs > maxTopLogProb {
			return nil, badRequest("top_logprobs", "invalid_value", "top_logprobs must be between 0 and %d, not %d", maxTopLogProb, *r.TopLogProbs)
		}
		g.topLogprobs = *r.TopLogProbs
	}
	if len(r.Tools) > maxTools {
		return nil, badRequest("tools", "invalid_value", "tools has %d entries: at most %d are allowed", len(r.Tools), maxTools)
	}
	for i, t := range r.Tools {
		if t.Type != "function" {
			return nil, badRequest(fmt.Sprintf("tools[%d].type", i), "invalid_value", "tools[%d].type must be \"function\", not %q", i, t.Type)
		}
		if t.Function.Name == "" {
			return nil, badRequest(fmt.Sprintf("tools[%d].function.name", i), "missing_required_parameter", "tools[%d] has no function name", i)
		}
	}
	useTools := len(r.Tools) > 0
	var forced json.RawMessage // tool_choice "required" or naming a function (structured.go)
	if tc := bytes.TrimSpace(r.ToolChoice); len(tc) > 0 && string(tc) != "null" {
		var s string
		switch {
		case json.Unmarshal(tc, &s) == nil && s == "auto":
		case json.Unmarshal(tc, &s) == nil && s == "none":
			useTools = false
		case json.Unmarshal(tc, &s) == nil && s == "required", tc[0] == '{':
			forced = tc
		default:
			return nil, badRequest("tool_choice", "invalid_value", "tool_choice must be \"auto\", \"none\", \"required\" or an object, not %s", tc)
		}
	}
	oneCall := r.ParallelToolCalls != nil && !*r.ParallelToolCalls
	if e := g.structured(r.ResponseFormat, r.Grammar, r.Tools, forced, useTools, oneCall); e != nil {
		return nil, e
	}
	if useTools {
		for _, t := range r.Tools {
			g.tools = append(g.tools, t.Raw)
		}
	}
	return g, nil
}

// decodeCompletion decodes and validates a completion request.
func decodeCompletion(body []byte, d Defaults) (*generation, *Error) {
	var r CompletionRequest
	if e := decodeJSON(body, &r); e != nil {
		return nil, e
	}
	g := &generation{model: r.Model}
	if r.Model == "" {
		return nil, badRequest("model", "missing_required_parameter", "model is required")
	}
	switch n := r.Prompt.Count(); {
	case n == 0:
		return nil, badRequest("prompt", "missing_required_parameter", "prompt is required: a string or a list of token ids")
	case n > maxChoices:
		return nil, badRequest("prompt", "invalid_value", "prompt has %d prompts: at most %d are allowed", n, maxChoices)
	}
	for i, ids := range r.Prompt.Tokens {
		if len(ids) == 0 {
			if len(r.Prompt.Tokens) == 1 {
				return nil, badRequest("prompt", "invalid_value", "prompt has no tokens")
			}
			return nil, badRequest("prompt", "invalid_value", "prompt[%d] has no tokens", i)
		}
	}
	g.prompt = r.Prompt
	g.echo = r.Echo
	if r.Suffix != nil && *r.Suffix != "" {
		g.suffix = r.Suffix
	}
	p := params{maxTokens: r.MaxTokens, maxTokensName: "max_tokens", temperature: r.Temperature, topP: r.TopP, minP: r.MinP, topK: r.TopK,
		presence: r.PresencePenalty, frequency: r.FrequencyPenalty, repetition: r.RepetitionPenalty, seed: r.Seed,
		stop: r.Stop, n: r.N, stream: r.Stream, streamOptions: r.StreamOptions, logitBias: r.LogitBias, skipSpecial: r.SkipSpecialTokens}
	if e := p.validate(g, d); e != nil {
		return nil, e
	}
	if r.MaxTokens == nil {
		g.maxTokens = 16 // OpenAI's default for the completions API
	}
	if r.BestOf != nil && *r.BestOf != g.n {
		return nil, badRequest("best_of", "unsupported_value",
			"best_of must equal n (%d): this server returns every choice it generates and does not rank them (got %d)", g.n, *r.BestOf)
	}
	if k := r.Prompt.Count() * g.n; k > maxChoices {
		return nil, badRequest("n", "invalid_value", "%d prompts with n %d make %d choices: at most %d are allowed", r.Prompt.Count(), g.n, k, maxChoices)
	}
	if r.LogProbs != nil {
		if *r.LogProbs < 0 || *r.LogProbs > maxTopLogProb {
			return nil, badRequest("logprobs", "invalid_value", "logprobs must be between 0 and %d, not %d", maxTopLogProb, *r.LogProbs)
		}
		g.logprobs, g.topLogprobs = true, *r.LogProbs
	}
	if g.echo && g.logprobs {
		return nil, badRequest("echo", "unsupported_value",
			"echo with logprobs is not supported by this server: it does not compute the prompt's log-probabilities; leave out one of them")
	}
	if g.suffix != nil && g.echo {
		return nil, badRequest("suffix", "unsupported_value", "suffix cannot be combined with echo")
	}
	if r.Grammar != nil {
		c, e := gbnfConstraint(*r.Grammar)
		if e != nil {
			return nil, e
		}
		g.constraint = c
	}
	return g, nil
}
