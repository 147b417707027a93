package openai

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/grammar"
	"github.com/deepgo/deepgo/core/serving"
)

// prepare checks, decodes, tokenizes and admits a request. Each check comes before the
// work it guards: the API key and the rate limits before the body is decoded, the prompt's
// length in bytes before it is tokenized, its tokens against the token budget before it
// is queued. It also returns the caller's rate-limit buckets, once the caller is known,
// for the x-ratelimit-* headers.
func (h *Handler) prepare(r *Request, isChat, forceStream bool) (*job, *buckets, *Error) {
	decode := decodeCompletion
	if isChat {
		decode = decodeChat
	}
	return h.prepareWith(r, decode, forceStream)
}

// decodeFunc decodes and validates a request body into a generation.
type decodeFunc func(body []byte, d Defaults) (*generation, *Error)

// prepareWith is prepare for a request that decode reads.
func (h *Handler) prepareWith(r *Request, decode decodeFunc, forceStream bool) (*job, *buckets, *Error) {
	start := time.Now()
	b := h.backend.Load()
	if b == nil {
		return nil, nil, errNotReady()
	}
	if h.closing.Load() {
		return nil, nil, ErrShuttingDown()
	}
	who, e := h.authorize(r)
	if e != nil {
		return nil, nil, e
	}
	bk := h.limits.get(who.id, who.rpm, who.tpm)
	gr, refused := h.limits.begin(bk)
	if refused != nil {
		h.metrics.limited()
		return nil, bk, errRateLimited(seconds(refused.wait), "rate limit reached: %d %s per minute; retry in %d s",
			refused.limit, refused.what, seconds(refused.wait))
	}
	j, e := h.admit(r, b, gr, decode, forceStream, start)
	if e != nil {
		if e.Status >= 500 {
			h.limits.refund(gr) // the server refused it: it costs the caller nothing
		} else {
			h.limits.settle(gr, 0) // the request counts; no tokens were spent
		}
		return nil, bk, e
	}
	return j, bk, nil
}

// admit does the work of prepare once the caller may go on, step by step: decode,
// tokenize (and check the context), reserve the tokens, take a slot or a place in the queue.
func (h *Handler) admit(r *Request, b *Backend, gr *grant, decode decodeFunc, forceStream bool, start time.Time) (*job, *Error) {
	g, e := decode(r.Body, h.o.Defaults)
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
	if e := checkLogitBias(g.sampling.LogitBias, sched.Model().Config.VocabSize); e != nil {
		return nil, e
	}
	maxPrompt := sched.Context() - 1
	if h.o.MaxPromptTokens > 0 {
		maxPrompt = min(maxPrompt, h.o.MaxPromptTokens)
	}
	param := "messages"
	switch {
	case g.resp != nil:
		param = "input"
	case !g.chat:
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

// reserveTokens takes the token budget from the caller's bucket: every prompt once and
// every token each choice may generate (maxTokens; 0 = the rest of the context). A reply
// whose length the client set must fit whole; one left to the server gets what the caller
// has left, shared by the choices, and ends with "length" there. It returns the tokens
// each choice may generate.
func (j *job) reserveTokens(param string, maxTokens int) (int, *Error) {
	g := j.g
	n, longest := 0, 0 // the prompts' tokens, and the longest prompt's
	for _, p := range j.prompts {
		n += len(p.ids)
		longest = max(longest, len(p.ids))
	}
	copies := j.choices() // choices sharing the budget
	ctxLen := j.b.sched.Context()
	gen := ctxLen - longest
	if g.maxTokensBy != "" && maxTokens > gen {
		// A length the client set is refused, not cut short, as OpenAI does.
		return 0, badRequest(g.maxTokensBy, "context_length_exceeded",
			"%s %d is more than the context has room for: the context holds %d tokens and the prompt has %d, so at most %d remain; lower %s to at most %d",
			g.maxTokensBy, maxTokens, ctxLen, longest, gen, g.maxTokensBy, gen)
	}
	if maxTokens > 0 {
		gen = min(gen, maxTokens)
	}
	least := 1
	if g.maxTokensBy != "" {
		least = gen
	}
	got, refused := j.h.limits.reserve(j.grant, n, least*copies, gen*copies)
	switch {
	case refused != nil && refused.wait == 0:
		if least > 1 && n < refused.limit {
			most := (refused.limit - n) / copies
			return 0, badRequest(g.maxTokensBy, "request_too_large",
				"the prompt (%d tokens) and %s (%d, for %d choices) need %d tokens, more than the %d tokens per minute this key may use: lower %s to at most %d",
				n, g.maxTokensBy, least, copies, n+least*copies, refused.limit, g.maxTokensBy, most)
		}
		return 0, badRequest(param, "request_too_large",
			"the prompt has %d tokens: with a reply it needs more than the %d tokens per minute this key may use; shorten it",
			n, refused.limit)
	case refused != nil:
		j.h.metrics.limited()
		return 0, errRateLimited(seconds(refused.wait), "rate limit reached: %d tokens per minute; this request needs %d; retry in %d s",
			refused.limit, n+least*copies, seconds(refused.wait))
	}
	return max(got/copies, 1), nil
}

// enqueue takes a slot or a place in the queue for each choice, of at most gen tokens,
// and makes the job ready to run. If one cannot have its place, those taken are given up.
func (j *job) enqueue(param string, gen int) *Error {
	g := j.g
	if k, most := j.choices(), j.b.sched.Capacity(); k > most {
		return badRequest("n", "invalid_value",
			"the request asks for %d choices, more than the %d this server runs or queues at once: lower n or send fewer prompts", k, most)
	}
	sp := g.sampling
	if g.logprobs {
		sp.LogProbs = g.topLogprobs
	}
	var hide func(int) bool
	if !g.showSpecial {
		hide = hideSpecial(j.b.tok, g.chat)
	}
	// Each choice follows the constraint, if any, with a matcher of its own.
	cons := make([]*grammar.Matcher, j.choices())
	if g.constraint != nil {
		for i := range cons {
			var err error
			if cons[i], err = j.b.grammars.matcher(g.constraint); err != nil {
				return errInternal(err)
			}
		}
	}
	for pi := range j.prompts {
		// The copies of a prompt share it: one reads it, the others copy its KV cache.
		adms, err := j.b.sched.AdmitCopies(j.prompts[pi].ids, gen, g.n)
		if e := admitError(param, err); e != nil {
			j.giveUp()
			return e
		}
		for c, adm := range adms {
			csp := sp
			csp.Seed = copySeed(sp.Seed, c)
			i := pi*g.n + c
			j.runs = append(j.runs, &choiceRun{index: i, prompt: &j.prompts[pi], first: c == 0, adm: adm,
				opts: serving.GenerateOptions{MaxTokens: gen, Stops: g.stops, Sampling: csp, Hide: hide, Constraint: cons[i]}})
		}
	}
	if g.chat {
		j.id = newID("chatcmpl-")
	} else {
		j.id = newID("cmpl-")
	}
	return nil
}

// admitError is the error of the scheduler's refusal err, or nil.
func admitError(param string, err error) *Error {
	var ce *serving.ContextError
	var ke *serving.CapacityError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, serving.ErrOverloaded):
		return errOverloaded()
	case errors.As(err, &ce):
		return badRequest(param, "context_length_exceeded", "%s", ce.Error())
	case errors.As(err, &ke):
		return badRequest(param, "context_length_exceeded", "%s", ke.Error())
	}
	return errInternal(err)
}

// copySeed is the seed of copy c of a prompt's n choices: copy 0 samples with the
// request's seed itself, so that n = 1 is unchanged, and copy c with seed + c·φ (mod
// 2⁶⁴, φ = 0x9E3779B97F4A7C15, the golden ratio's fraction), so each copy is reproducible
// from the request's seed and its index alone.
func copySeed(seed uint64, c int) uint64 { return seed + uint64(c)*0x9E3779B97F4A7C15 }

// giveUp cancels the choices' places in the scheduler.
func (j *job) giveUp() {
	for _, r := range j.runs {
		r.adm.Cancel()
	}
	j.runs = nil
}

// cancel gives up a prepared job that will not run: its slots or places in the queue,
// and its rate-limit reservation, which then costs the caller nothing.
func (j *job) cancel() {
	j.giveUp()
	j.h.limits.refund(j.grant)
}

// tokenize renders the chat template or reads the completion prompts, into j.prompts. A
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
		return j.addPrompt(prompt{text: text, ids: tok.Encode(text)}, maxPrompt, tooLong)
	}
	var fim *fimTokens
	if g.suffix != nil {
		f, ok := b.fim()
		if !ok {
			return badRequest("suffix", "unsupported_value",
				"suffix (fill in the middle) is not supported by this model: its tokenizer has no fill-in-the-middle tokens")
		}
		fim = &f
	}
	// Every text first, by its length in bytes: a long one is refused before any is encoded.
	for _, t := range g.prompt.Texts {
		if n := tok.MinTokens(len(t)); n > maxPrompt {
			return tooLong("at least ", n)
		}
	}
	for _, t := range g.prompt.Texts {
		var ids []int
		if tok.AddBOS() {
			ids = append(ids, tok.BOS())
		}
		if fim != nil {
			ids = fim.encode(tok, ids, t, *g.suffix)
		} else {
			ids = tok.AppendEncode(ids, t)
		}
		if e := j.addPrompt(prompt{text: t, ids: ids}, maxPrompt, tooLong); e != nil {
			return e
		}
	}
	vocab := b.sched.Model().Config.VocabSize
	for pi, ids := range g.prompt.Tokens {
		if len(ids) > maxPrompt {
			return tooLong("", len(ids))
		}
		for i, id := range ids {
			if id < 0 || id >= vocab {
				where := fmt.Sprintf("at index %d", i)
				if len(g.prompt.Tokens) > 1 {
					where = fmt.Sprintf("at prompt[%d][%d]", pi, i)
				}
				return badRequest("prompt", "invalid_value", "prompt token %d %s is not in the vocabulary (0..%d)", id, where, vocab-1)
			}
		}
		p := prompt{ids: ids}
		if fim != nil {
			p.ids = fim.encodeIDs(tok, ids, *g.suffix)
		}
		if g.echo {
			p.text = tok.Decode(ids)
		}
		if e := j.addPrompt(p, maxPrompt, tooLong); e != nil {
			return e
		}
	}
	return nil
}

// addPrompt adds a prompt of the request, or refuses it if it is empty or too long.
func (j *job) addPrompt(p prompt, maxPrompt int, tooLong func(what string, n int) *Error) *Error {
	if len(p.ids) == 0 {
		return badRequest("prompt", "invalid_value", "the prompt has no tokens")
	}
	if len(p.ids) > maxPrompt {
		return tooLong("", len(p.ids))
	}
	j.prompts = append(j.prompts, p)
	return nil
}
