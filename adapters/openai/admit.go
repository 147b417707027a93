package openai

import (
	"errors"
	"strings"
	"time"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/grammar"
	"github.com/deepgo/deepgo/core/serving"
)

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

// admit does the work of prepare once the caller may go on, step by step: decode,
// tokenize (and check the context), reserve the tokens, take a slot or a place in the queue.
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
	maxTokens, e := h.replyLimit(g)
	if e != nil {
		return nil, e
	}
	gen, e := j.reserveTokens(param, maxTokens)
	if e != nil {
		return nil, e
	}
	if e := j.enqueue(param, gen); e != nil {
		return nil, e
	}
	return j, nil
}

// replyLimit is the most tokens a reply may generate by the request and the server's
// --max-tokens (0 = until the context is full): a default the server may lower, a value
// the client sent it may only refuse.
func (h *Handler) replyLimit(g *generation) (int, *Error) {
	maxTokens := g.maxTokens
	if h.o.MaxTokens <= 0 {
		return maxTokens, nil
	}
	if maxTokens == 0 {
		maxTokens = h.o.MaxTokens
	}
	if maxTokens > h.o.MaxTokens {
		if g.maxTokensBy != "" {
			return 0, badRequest(g.maxTokensBy, "invalid_value", "%s %d is more than this server's limit of %d", g.maxTokensBy, maxTokens, h.o.MaxTokens)
		}
		maxTokens = h.o.MaxTokens // a default (completions: 16), not what the client asked for
	}
	return maxTokens, nil
}

// reserveTokens takes the token budget from the caller's bucket: the prompt and every
// token the reply may generate (maxTokens; 0 = the rest of the context). A reply whose
// length the client set must fit whole; one left to the server gets what the caller has
// left, and ends with "length" there. It returns the tokens the reply may generate.
func (j *job) reserveTokens(param string, maxTokens int) (int, *Error) {
	g, n := j.g, len(j.prompt)
	gen := j.b.sched.Context() - n
	if maxTokens > 0 {
		gen = min(gen, maxTokens)
	}
	least := 1
	if g.maxTokensBy != "" {
		least = gen
	}
	gen, refused := j.h.limits.reserve(j.grant, n, least, gen)
	switch {
	case refused != nil && refused.wait == 0:
		if least > 1 && n < refused.limit {
			return 0, badRequest(g.maxTokensBy, "request_too_large",
				"the prompt (%d tokens) and %s (%d) need %d tokens, more than the %d tokens per minute this key may use: lower %s to at most %d",
				n, g.maxTokensBy, least, n+least, refused.limit, g.maxTokensBy, refused.limit-n)
		}
		return 0, badRequest(param, "request_too_large",
			"the prompt has %d tokens: with a reply it needs more than the %d tokens per minute this key may use; shorten it",
			n, refused.limit)
	case refused != nil:
		j.h.metrics.limited()
		return 0, errRateLimited(seconds(refused.wait), "rate limit reached: %d tokens per minute; this request needs %d; retry in %d s",
			refused.limit, n+least, seconds(refused.wait))
	}
	return gen, nil
}

// enqueue takes a slot or a place in the queue for a reply of at most gen tokens, and
// makes the job ready to run.
func (j *job) enqueue(param string, gen int) *Error {
	g := j.g
	var con *grammar.Matcher
	if g.constraint != nil {
		var err error
		if con, err = j.b.grammars.matcher(g.constraint); err != nil {
			return errInternal(err)
		}
	}
	adm, err := j.b.sched.Admit(j.prompt, gen)
	var ce *serving.ContextError
	var ke *serving.CapacityError
	switch {
	case errors.Is(err, serving.ErrOverloaded):
		return errOverloaded()
	case errors.As(err, &ce):
		return badRequest(param, "context_length_exceeded", "%s", ce.Error())
	case errors.As(err, &ke):
		return badRequest(param, "context_length_exceeded", "%s", ke.Error())
	case err != nil:
		return errInternal(err)
	}
	j.adm = adm
	sp := g.sampling
	if g.logprobs {
		sp.LogProbs = g.topLogprobs
	}
	j.opts = serving.GenerateOptions{MaxTokens: gen, Stops: g.stops, Sampling: sp, Constraint: con}
	if g.chat {
		j.id = newID("chatcmpl-")
	} else {
		j.id = newID("cmpl-")
	}
	return nil
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
