package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/serving"
)

// job is one admitted generation: the validated request, its prompt and its slot.
type job struct {
	h       *Handler
	b       *Backend
	g       *generation
	grant   *grant // the caller's rate-limit reservation, settled when the reply is done
	prompt  []int
	text    string // the rendered chat prompt
	adm     *serving.Admission
	opts    serving.GenerateOptions
	id      string
	created int64
	start   time.Time
}

// generate answers POST /v1/chat/completions (isChat) and POST /v1/completions.
func (h *Handler) generate(ctx context.Context, r *Request, isChat bool) *Response {
	if r.Method != "POST" {
		return errorResponse(errMethod(r.Method, r.Path))
	}
	j, e := h.prepare(r, isChat, false)
	if e != nil {
		return errorResponse(e)
	}
	if j.g.stream {
		return &Response{Status: 200, ContentType: "text/event-stream", Stream: func(w StreamWriter) {
			j.run(ctx, &sseSink{w: w})
		}}
	}
	var s collectSink
	if e := j.run(ctx, &s); e != nil {
		return errorResponse(e)
	}
	if s.err != nil {
		return errorResponse(errInternal(fmt.Errorf("encode the reply: %w", s.err)))
	}
	return &Response{Status: 200, ContentType: "application/json", Body: s.body}
}

// PrepareStream validates and admits a streamed chat completion request for a transport
// with its own framing (the edge server's WebSocket): the request is streamed whatever its
// stream field says. Run the returned function exactly once; it calls send with each
// chunk's JSON and returns when the reply is complete, send failed, or ctx ended.
func (h *Handler) PrepareStream(r *Request) (func(ctx context.Context, send func(chunk []byte) error) *Error, *Error) {
	j, e := h.prepare(r, true, true)
	if e != nil {
		h.metrics.Request("/ws", e.Status)
		return nil, e
	}
	h.metrics.Request("/ws", 200)
	return func(ctx context.Context, send func([]byte) error) *Error {
		return j.run(ctx, &funcSink{send: send})
	}, nil
}

// prepare checks, decodes, tokenizes and admits a request. Each check comes before the
// work it guards: the API key and the rate limits before the body is decoded, the prompt's
// length in bytes before it is tokenized, its tokens against the token budget before it
// is queued.
func (h *Handler) prepare(r *Request, isChat, forceStream bool) (*job, *Error) {
	start := time.Now()
	b := h.backend.Load()
	if b == nil {
		return nil, errNotReady()
	}
	if h.closing.Load() {
		return nil, ErrShuttingDown()
	}
	who, e := h.authorize(r)
	if e != nil {
		return nil, e
	}
	gr, refused := h.limits.begin(h.limits.get(who.id, who.rpm, who.tpm))
	if refused != nil {
		h.metrics.limited()
		return nil, errRateLimited(seconds(refused.wait), "rate limit reached: %d %s per minute; retry in %d s",
			refused.limit, refused.what, seconds(refused.wait))
	}
	j, e := h.admit(r, b, gr, isChat, forceStream, start)
	if e != nil {
		if e.Status >= 500 {
			h.limits.refund(gr) // the server refused it: it costs the caller nothing
		} else {
			h.limits.settle(gr, 0) // the request counts; no tokens were spent
		}
		return nil, e
	}
	return j, nil
}

// admit does the work of prepare once the caller may go on: decode, tokenize, reserve the
// tokens, and take a slot or a place in the queue.
func (h *Handler) admit(r *Request, b *Backend, gr *grant, isChat, forceStream bool, start time.Time) (*job, *Error) {
	var g *generation
	var e *Error
	if isChat {
		g, e = decodeChat(r.Body, h.o.Defaults)
	} else {
		g, e = decodeCompletion(r.Body, h.o.Defaults)
	}
	if e != nil {
		return nil, e
	}
	if forceStream {
		g.stream = true
	}
	if g.model != h.o.ModelName {
		return nil, h.errModelNotFound(g.model)
	}
	sched := b.sched
	maxPrompt := sched.Context() - 1
	if h.o.MaxPromptTokens > 0 {
		maxPrompt = min(maxPrompt, h.o.MaxPromptTokens)
	}
	param := "messages"
	if !isChat {
		param = "prompt"
	}
	tooLong := func(what string, n int) *Error {
		return badRequest(param, "context_length_exceeded",
			"the prompt has %s%d tokens, more than the %d this server accepts (context %d tokens); shorten it",
			what, n, maxPrompt, sched.Context())
	}
	j := &job{h: h, b: b, g: g, grant: gr, start: start, created: start.Unix()}
	if e := j.tokenize(maxPrompt, tooLong); e != nil {
		return nil, e
	}
	if len(j.prompt) > maxPrompt {
		return nil, tooLong("", len(j.prompt))
	}
	maxTokens := g.maxTokens
	if h.o.MaxTokens > 0 {
		if maxTokens == 0 {
			maxTokens = h.o.MaxTokens
		}
		if maxTokens > h.o.MaxTokens {
			if g.maxTokensBy == "" { // a default (completions: 16), not what the client asked for
				maxTokens = h.o.MaxTokens
			} else {
				return nil, badRequest(g.maxTokensBy, "invalid_value", "%s %d is more than this server's limit of %d", g.maxTokensBy, maxTokens, h.o.MaxTokens)
			}
		}
	}
	// The token budget: the prompt and every token the reply may generate are reserved
	// now. A reply whose length the client set must fit whole; one left to the server
	// gets what the caller has left, and ends with "length" there.
	gen := sched.Context() - len(j.prompt)
	if maxTokens > 0 {
		gen = min(gen, maxTokens)
	}
	least := 1
	if g.maxTokensBy != "" {
		least = gen
	}
	gen, refused := h.limits.reserve(gr, len(j.prompt), least, gen)
	switch {
	case refused != nil && refused.wait == 0:
		if least > 1 && len(j.prompt) < refused.limit {
			return nil, badRequest(g.maxTokensBy, "request_too_large",
				"the prompt (%d tokens) and %s (%d) need %d tokens, more than the %d tokens per minute this key may use: lower %s to at most %d",
				len(j.prompt), g.maxTokensBy, least, len(j.prompt)+least, refused.limit, g.maxTokensBy, refused.limit-len(j.prompt))
		}
		return nil, badRequest(param, "request_too_large",
			"the prompt has %d tokens: with a reply it needs more than the %d tokens per minute this key may use; shorten it",
			len(j.prompt), refused.limit)
	case refused != nil:
		h.metrics.limited()
		return nil, errRateLimited(seconds(refused.wait), "rate limit reached: %d tokens per minute; this request needs %d; retry in %d s",
			refused.limit, len(j.prompt)+least, seconds(refused.wait))
	}
	adm, err := sched.Admit(j.prompt, gen)
	var ce *serving.ContextError
	var ke *serving.CapacityError
	switch {
	case errors.Is(err, serving.ErrOverloaded):
		return nil, errOverloaded()
	case errors.As(err, &ce):
		return nil, badRequest(param, "context_length_exceeded", "%s", ce.Error())
	case errors.As(err, &ke):
		return nil, badRequest(param, "context_length_exceeded", "%s", ke.Error())
	case err != nil:
		return nil, errInternal(err)
	}
	j.adm = adm
	sp := g.sampling
	if g.logprobs {
		sp.LogProbs = g.topLogprobs
	}
	j.opts = serving.GenerateOptions{MaxTokens: gen, Stops: g.stops, Sampling: sp}
	if isChat {
		j.id = newID("chatcmpl-")
	} else {
		j.id = newID("cmpl-")
	}
	return j, nil
}

// cancel gives up a prepared job that will not run: its slot or place in the queue, and
// its rate-limit reservation, which then costs the caller nothing.
func (j *job) cancel() {
	j.adm.Cancel()
	j.h.limits.refund(j.grant)
}

// tokenize renders the chat template or reads the completion prompt, into j.prompt. A
// text with certainly more than maxPrompt tokens, by its length in bytes, is refused with
// tooLong before it is encoded.
func (j *job) tokenize(maxPrompt int, tooLong func(what string, n int) *Error) *Error {
	b, g := j.b, j.g
	tok := b.tok
	if g.chat {
		// Before rendering: every chat template writes each user message's text, trimmed at
		// most, so their bytes alone bound the prompt's tokens from below.
		user := 0
		for _, m := range g.messages {
			if m.Role == "user" && m.Content != nil {
				user += len(strings.TrimSpace(*m.Content))
			}
		}
		if n := tok.MinTokens(user); n > maxPrompt {
			return tooLong("at least ", n)
		}
		msgs, tools := g.messages, g.tools
		if len(tools) > 0 && !b.renderTools {
			msgs, tools = withTools(msgs, tools), nil
		}
		text, err := b.template.Render(msgs, chat.Options{AddGenerationPrompt: true, BOSToken: b.bos, EOSToken: b.eos, Tools: tools})
		if err != nil {
			return badRequest("messages", "invalid_value", "the chat template refused the messages: %v", err)
		}
		if n := tok.MinTokens(len(text)); n > maxPrompt {
			return tooLong("at least ", n)
		}
		j.text = text
		j.prompt = tok.Encode(text)
		return nil
	}
	if t := g.prompt.Text; t != nil {
		if n := tok.MinTokens(len(*t)); n > maxPrompt {
			return tooLong("at least ", n)
		}
		if tok.AddBOS() {
			j.prompt = append(j.prompt, tok.BOS())
		}
		j.prompt = tok.AppendEncode(j.prompt, *t)
		return nil
	}
	if len(g.prompt.Tokens) > maxPrompt {
		return tooLong("", len(g.prompt.Tokens))
	}
	vocab := b.sched.Model().Config.VocabSize
	for i, id := range g.prompt.Tokens {
		if id < 0 || id >= vocab {
			return badRequest("prompt", "invalid_value", "prompt token %d at index %d is not in the vocabulary (0..%d)", id, i, vocab-1)
		}
	}
	j.prompt = g.prompt.Tokens
	return nil
}

// sink receives a job's output: the events of a stream, or the whole reply at the end.
type sink interface {
	event(v any) error // a chunk object
	done() error       // the end of a successful stream
	fail(e *Error)     // an error after the stream began
	result(v any)      // the whole reply (non-streaming)
	streaming() bool
}

// run waits for the slot, generates and hands the reply to out. The returned error is for
// a non-streamed request: a streamed one reports errors in the stream.
func (j *job) run(ctx context.Context, out sink) *Error {
	g, h := j.g, j.h
	parser := chat.NewReplyParser(j.text, len(g.tools) > 0)
	if !g.chat {
		parser = nil
	}
	var (
		first           time.Time
		content, reason strings.Builder
		chatLP          []TokenLogProb
		textLP          CompletionLogProbs
		textLen         int
		sendErr         error
	)
	stream := out.streaming()
	if stream && g.chat {
		empty := ""
		sendErr = out.event(j.chatChunk(ChatDelta{Role: "assistant", Content: &empty}, nil, nil))
	}
	emit := func(c serving.Chunk) error {
		if sendErr != nil {
			return sendErr
		}
		if c.ID >= 0 && first.IsZero() {
			first = time.Now()
		}
		var lp *TokenLogProb
		if g.logprobs && c.ID >= 0 {
			e := j.logProb(c)
			lp = &e
			if g.chat {
				if !stream {
					chatLP = append(chatLP, e)
				}
			} else {
				textLP.add(e, textLen, stream)
			}
		}
		if !g.chat {
			textLen += len(c.Text)
			if !stream {
				content.WriteString(c.Text)
				return nil
			}
			if c.Text == "" && lp == nil {
				return nil
			}
			ch := j.textChunk(c.Text, nil)
			if lp != nil {
				ch.Choices[0].LogProbs = &textLP
			}
			sendErr = out.event(ch)
			textLP = CompletionLogProbs{}
			return sendErr
		}
		r, t := parser.Push(c.Text)
		if !stream {
			reason.WriteString(r)
			content.WriteString(t)
			return nil
		}
		if r == "" && t == "" && lp == nil {
			return nil
		}
		var lps *ChatLogProbs
		if lp != nil {
			lps = &ChatLogProbs{Content: []TokenLogProb{*lp}}
		}
		sendErr = out.event(j.chatChunk(delta(r, t), lps, nil))
		return sendErr
	}
	gen, err := j.adm.Generate(ctx, j.opts, emit)
	end := time.Now()
	ttft, decode := time.Duration(0), time.Duration(0)
	if !first.IsZero() {
		ttft, decode = first.Sub(j.start), end.Sub(first)
	}
	h.metrics.generated(gen, ttft, decode)
	h.limits.settle(j.grant, gen.PromptTokens+gen.CompletionTokens)
	if err != nil {
		if errors.Is(sendErr, ErrClientGone) || errors.Is(context.Cause(ctx), ErrClientGone) {
			h.metrics.disconnected()
			return errClientClosed() // nobody reads it; /metrics counts it
		}
		e := errInternal(err)
		if ctx.Err() != nil {
			e = ErrShuttingDown()
			e.Message = "the generation was stopped: the server is shutting down"
			if errors.Is(context.Cause(ctx), ErrCancelled) {
				e = errCancelled()
			}
		}
		if stream {
			out.fail(e)
		}
		return e
	}
	finish := string(gen.Finish)
	usage := &Usage{PromptTokens: gen.PromptTokens, CompletionTokens: gen.CompletionTokens,
		TotalTokens: gen.PromptTokens + gen.CompletionTokens}
	usage.PromptTokensDetails = &struct {
		CachedTokens int `json:"cached_tokens"`
	}{gen.CachedTokens}
	if !g.chat {
		if stream {
			if err := out.event(j.textChunk("", &finish)); err != nil {
				return j.gone()
			}
			return j.finishStream(out, usage)
		}
		var lps *CompletionLogProbs
		if g.logprobs {
			lps = &textLP
		}
		out.result(Completion{ID: j.id, Object: "text_completion", Created: j.created, Model: j.h.o.ModelName,
			SystemFingerprint: fingerprint, Usage: usage,
			Choices: []CompletionChoice{{Text: content.String(), LogProbs: lps, FinishReason: &finish}}})
		return nil
	}
	r, t, calls := parser.Finish()
	for i := range calls {
		calls[i].ID = newID("call_")
		calls[i].Type = "function"
	}
	if len(calls) > 0 {
		finish = "tool_calls"
	}
	if stream {
		if r != "" || t != "" {
			if err := out.event(j.chatChunk(delta(r, t), nil, nil)); err != nil {
				return j.gone()
			}
		}
		if len(calls) > 0 {
			d := ChatDelta{}
			for i, c := range calls {
				var td ToolCallDelta
				td.Index, td.ID, td.Type = i, c.ID, c.Type
				td.Function.Name, td.Function.Arguments = c.Function.Name, c.Function.Arguments
				d.ToolCalls = append(d.ToolCalls, td)
			}
			if err := out.event(j.chatChunk(d, nil, nil)); err != nil {
				return j.gone()
			}
		}
		if err := out.event(j.chatChunk(ChatDelta{}, nil, &finish)); err != nil {
			return j.gone()
		}
		return j.finishStream(out, usage)
	}
	reason.WriteString(r)
	content.WriteString(t)
	msg := ChatMessage{Role: "assistant"}
	if s := content.String(); s != "" || len(calls) == 0 {
		msg.Content = &s
	}
	if s := reason.String(); s != "" {
		msg.ReasoningContent = &s
	}
	msg.ToolCalls = calls
	var lps *ChatLogProbs
	if g.logprobs {
		lps = &ChatLogProbs{Content: chatLP}
		if lps.Content == nil {
			lps.Content = []TokenLogProb{}
		}
	}
	out.result(ChatCompletion{ID: j.id, Object: "chat.completion", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Usage: usage,
		Choices: []ChatChoice{{Message: msg, LogProbs: lps, FinishReason: finish}}})
	return nil
}

// fingerprint is the system_fingerprint of every response.
const fingerprint = "fp_deepgo"

// finishStream sends the usage chunk, if asked for, and the end of the stream.
func (j *job) finishStream(out sink, usage *Usage) *Error {
	if j.g.includeUsage {
		var err error
		if j.g.chat {
			err = out.event(ChatChunk{ID: j.id, Object: "chat.completion.chunk", Created: j.created, Model: j.h.o.ModelName,
				SystemFingerprint: fingerprint, Choices: []ChatChunkChoice{}, Usage: usage})
		} else {
			err = out.event(Completion{ID: j.id, Object: "text_completion", Created: j.created, Model: j.h.o.ModelName,
				SystemFingerprint: fingerprint, Choices: []CompletionChoice{}, Usage: usage})
		}
		if err != nil {
			return j.gone()
		}
	}
	if out.done() != nil {
		return j.gone()
	}
	return nil
}

// gone counts a client that went away while the last events of its stream were sent.
func (j *job) gone() *Error {
	j.h.metrics.disconnected()
	return nil
}

func delta(reasoning, content string) ChatDelta {
	var d ChatDelta
	if reasoning != "" {
		d.ReasoningContent = &reasoning
	}
	if content != "" || reasoning == "" {
		d.Content = &content
	}
	return d
}

func (j *job) chatChunk(d ChatDelta, lp *ChatLogProbs, finish *string) ChatChunk {
	return ChatChunk{ID: j.id, Object: "chat.completion.chunk", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Choices: []ChatChunkChoice{{Delta: d, LogProbs: lp, FinishReason: finish}}}
}

func (j *job) textChunk(text string, finish *string) Completion {
	return Completion{ID: j.id, Object: "text_completion", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Choices: []CompletionChoice{{Text: text, FinishReason: finish}}}
}

// logProb is the OpenAI form of a chunk's log-probabilities.
func (j *job) logProb(c serving.Chunk) TokenLogProb {
	tok := j.b.tok
	text, bs := tokenText(tok.AppendDecode(nil, c.ID))
	e := TokenLogProb{Token: text, LogProb: floorLogProb(c.LogProb), Bytes: bs, TopLogProbs: []TopLogProb{}}
	for _, t := range c.TopLogProbs {
		s, b := tokenText(tok.AppendDecode(nil, t.ID))
		e.TopLogProbs = append(e.TopLogProbs, TopLogProb{Token: s, LogProb: floorLogProb(t.LogProb), Bytes: b})
	}
	return e
}

// minLogProb is the least log-probability a reply reports, as OpenAI's API does for
// tokens it deems impossible.
const minLogProb = -9999

// floorLogProb makes a log-probability fit JSON: the sampler's −Inf (a probability that
// underflowed, as at a temperature near 0) and NaN become minLogProb.
func floorLogProb(x float32) float32 {
	switch {
	case !(x >= minLogProb): // also NaN
		return minLogProb
	case math.IsInf(float64(x), 1):
		return 0
	}
	return x
}

func tokenText(raw []byte) (string, []int) {
	bs := make([]int, len(raw))
	for i, x := range raw {
		bs[i] = int(x)
	}
	return string(raw), bs
}

// add appends a token to the legacy log-probabilities; in a stream each chunk carries its own.
func (l *CompletionLogProbs) add(e TokenLogProb, offset int, stream bool) {
	l.Tokens = append(l.Tokens, e.Token)
	l.TokenLogProbs = append(l.TokenLogProbs, e.LogProb)
	top := make(map[string]float32, len(e.TopLogProbs))
	for _, t := range e.TopLogProbs {
		top[t.Token] = t.LogProb
	}
	l.TopLogProbs = append(l.TopLogProbs, top)
	l.TextOffset = append(l.TextOffset, offset)
}

// sseSink writes server-sent events: "data: JSON\n\n", flushed one by one, and
// "data: [DONE]\n\n" at the end.
type sseSink struct {
	w StreamWriter
}

func (s *sseSink) streaming() bool { return true }

func (s *sseSink) event(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode a chunk: %w", err)
	}
	return s.write(b)
}

func (s *sseSink) write(b []byte) error {
	if _, err := s.w.Write([]byte("data: ")); err != nil {
		return fmt.Errorf("%w: %v", ErrClientGone, err)
	}
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("%w: %v", ErrClientGone, err)
	}
	if _, err := s.w.Write([]byte("\n\n")); err != nil {
		return fmt.Errorf("%w: %v", ErrClientGone, err)
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("%w: %v", ErrClientGone, err)
	}
	return nil
}

func (s *sseSink) done() error   { return s.write([]byte("[DONE]")) }
func (s *sseSink) fail(e *Error) { s.write(e.Body()) }
func (s *sseSink) result(any)    {}

// collectSink keeps the whole reply of a non-streamed request.
type collectSink struct {
	body []byte
	err  error // the reply could not be encoded
}

func (s *collectSink) streaming() bool { return false }
func (s *collectSink) event(any) error { return nil }
func (s *collectSink) done() error     { return nil }
func (s *collectSink) fail(*Error)     {}
func (s *collectSink) result(v any) {
	s.body, s.err = json.Marshal(v)
}

// funcSink hands each chunk's JSON to a function; the end is the JSON string "[DONE]"
// sent as is, and an error is the error object.
type funcSink struct {
	send func([]byte) error
}

func (s *funcSink) streaming() bool { return true }
func (s *funcSink) event(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode a chunk: %w", err)
	}
	if err := s.send(b); err != nil {
		return fmt.Errorf("%w: %v", ErrClientGone, err)
	}
	return nil
}
func (s *funcSink) done() error   { return s.send([]byte("[DONE]")) }
func (s *funcSink) fail(e *Error) { s.send(e.Body()) }
func (s *funcSink) result(any)    {}
