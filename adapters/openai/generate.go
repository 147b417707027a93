package openai

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/serving"
)

// job is one admitted request: the validated request, its prompts and its choices, each
// with its slot. The choices run at once, their steps batched by the scheduler.
type job struct {
	h       *Handler
	b       *Backend
	g       *generation
	grant   *grant       // the caller's rate-limit reservation, settled when the reply is done
	prompts []prompt     // a chat's one prompt, or a completion request's list
	runs    []*choiceRun // the choices, by index: prompt p's copy c is choice p·n + c
	id      string
	created int64
	start   time.Time
	// streamTimeout is the stream's time limit (Request.StreamTimeout), for its error.
	streamTimeout time.Duration
	gone1         sync.Once // counts the client's disconnect once
	// resp is a Responses API request's emitter (its one choice): finish completes the
	// response object with the usage.
	resp *responseEmitter
}

// prompt is one prompt of a request.
type prompt struct {
	text string // chat: the rendered template (the reply parser reads it); completions: the prompt's text, for echo
	ids  []int
}

// choiceRun is one choice of a job: its prompt, its sampling and its place in the scheduler.
type choiceRun struct {
	index  int
	prompt *prompt
	first  bool // the first copy of its prompt: its prompt tokens count in usage
	adm    *serving.Admission
	opts   serving.GenerateOptions
}

// choices is the number of choices the request asks for: its prompts times n.
func (j *job) choices() int { return len(j.prompts) * j.g.n }

// generate answers POST /v1/chat/completions (isChat) and POST /v1/completions.
func (h *Handler) generate(ctx context.Context, r *Request, isChat bool) *Response {
	if r.Method != "POST" {
		return errorResponse(errMethod(r.Method, r.Path))
	}
	j, bk, e := h.prepare(r, isChat, false)
	resp := h.reply(ctx, r, j, e)
	if bk != nil {
		resp.setRateHeaders(h.limits.state(bk))
	}
	return resp
}

// reply is the response to a prepared job j, or to the error e that refused it.
func (h *Handler) reply(ctx context.Context, r *Request, j *job, e *Error) *Response {
	if e != nil {
		return errorResponse(e)
	}
	if j.g.stream {
		return &Response{Status: 200, ContentType: "text/event-stream", Stream: func(w StreamWriter) {
			sctx := ctx
			if d := r.StreamTimeout; d > 0 {
				var cancel context.CancelFunc
				sctx, cancel = context.WithTimeoutCause(ctx, d, errStreamTimedOut)
				defer cancel()
				j.streamTimeout = d
			}
			j.run(sctx, j.streamSink(w))
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

// streamSink is where a streamed reply goes: the typed events of the Responses API, or
// the chunks of chat and text completions.
func (j *job) streamSink(w StreamWriter) sink {
	if j.g.resp != nil {
		return &responseSink{w: w}
	}
	return &sseSink{w: w}
}

// PrepareStream validates and admits a streamed chat completion request for a transport
// with its own framing (the edge server's WebSocket): the request is streamed whatever its
// stream field says. Run the returned function exactly once; it calls send with each
// chunk's JSON and returns when the reply is complete, send failed, or ctx ended.
func (h *Handler) PrepareStream(r *Request) (func(ctx context.Context, send func(chunk []byte) error) *Error, *Error) {
	j, _, e := h.prepare(r, true, true)
	if e != nil {
		h.metrics.Request("/ws", e.Status)
		return nil, e
	}
	h.metrics.Request("/ws", 200)
	return func(ctx context.Context, send func([]byte) error) *Error {
		return j.run(ctx, &funcSink{send: send})
	}, nil
}

// run waits for the slots, generates every choice at once, and hands the reply to out
// through the emitters of the request's form (chat or text). The returned error is for a
// non-streamed request: a streamed one reports errors in the stream. When one choice
// fails, the others stop, and the reply is that failure.
func (j *job) run(ctx context.Context, out sink) *Error {
	if len(j.runs) > 1 && out.streaming() {
		out = &lockedSink{s: out}
	}
	results := make([]choiceResult, len(j.runs))
	gctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	fail := -1
	var failOnce sync.Once
	one := func(i int) {
		r := &results[i]
		j.runChoice(gctx, j.runs[i], out, r)
		if r.err != nil {
			failOnce.Do(func() { fail = i })
			stop(r.err)
		}
	}
	if len(j.runs) == 1 {
		one(0)
	} else {
		var wg sync.WaitGroup
		for i := range j.runs {
			wg.Go(func() { one(i) })
		}
		wg.Wait()
	}
	usage := &Usage{PromptTokensDetails: &struct {
		CachedTokens int `json:"cached_tokens"`
	}{}}
	for i, r := range results {
		j.h.metrics.generated(r.gen, r.ttft, r.decode)
		if j.runs[i].first {
			usage.PromptTokens += r.gen.PromptTokens
			usage.PromptTokensDetails.CachedTokens += r.gen.CachedTokens
		}
		usage.CompletionTokens += r.gen.CompletionTokens
	}
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	j.h.limits.settle(j.grant, usage.TotalTokens)
	if fail >= 0 {
		return j.failed(ctx, out, results[fail].err, results[fail].sendErr)
	}
	choices := make([]any, len(results))
	for i, r := range results {
		if r.endErr != nil {
			return j.gone()
		}
		choices[i] = r.choice
	}
	return j.finish(out, usage, choices)
}

// choiceResult is how one choice's generation went.
type choiceResult struct {
	gen          serving.Generation
	ttft, decode time.Duration
	err          error // the generation failed
	sendErr      error // a chunk could not be sent
	endErr       error // the choice's last events could not be sent
	choice       any   // the whole choice, for a non-streamed reply
}

// runChoice waits for r's slot and generates its reply through an emitter to out.
func (j *job) runChoice(ctx context.Context, r *choiceRun, out sink, res *choiceResult) {
	em := j.emitter(r, out)
	var first time.Time
	sendErr := em.begin()
	res.gen, res.err = r.adm.Generate(ctx, r.opts, func(c serving.Chunk) error {
		if sendErr != nil {
			return sendErr
		}
		if c.ID >= 0 && first.IsZero() {
			first = time.Now()
		}
		var lp *TokenLogProb
		if j.g.logprobs && c.ID >= 0 {
			e := j.logProb(c)
			lp = &e
		}
		sendErr = em.token(c, lp)
		return sendErr
	})
	res.sendErr = sendErr
	if !first.IsZero() {
		res.ttft, res.decode = first.Sub(j.start), time.Since(first)
	}
	if res.err == nil {
		res.choice, res.endErr = em.end(string(res.gen.Finish))
	}
}

// emitter turns one choice's generated chunks into its part of the reply, in the chat or
// the text form: streamed event by event to the sink, or kept for the whole object.
type emitter interface {
	begin() error                                  // before the first token (chat streams: the role)
	token(c serving.Chunk, lp *TokenLogProb) error // a generated chunk; lp if logprobs were asked for
	// end sends the choice's last events, or returns the whole choice (ChatChoice or
	// CompletionChoice) for a non-streamed reply.
	end(finish string) (any, error)
}

func (j *job) emitter(r *choiceRun, out sink) emitter {
	if j.g.resp != nil {
		j.resp = newResponseEmitter(j, r, out)
		return j.resp
	}
	if j.g.chat {
		return &chatEmitter{j: j, index: r.index, out: out, stream: out.streaming(), parser: chat.NewReplyParser(r.prompt.text, len(j.g.tools) > 0)}
	}
	return &textEmitter{j: j, index: r.index, prompt: r.prompt, out: out, stream: out.streaming()}
}

// finish ends a reply whose choices are done: a stream's usage chunk (if asked for) and
// its end, or the whole object.
func (j *job) finish(out sink, usage *Usage, choices []any) *Error {
	if j.resp != nil {
		return j.resp.complete(usage)
	}
	if out.streaming() {
		if j.g.chat {
			return j.finishStream(out, ChatChunk{ID: j.id, Object: "chat.completion.chunk", Created: j.created, Model: j.h.o.ModelName,
				SystemFingerprint: fingerprint, Choices: []ChatChunkChoice{}, Usage: usage})
		}
		return j.finishStream(out, Completion{ID: j.id, Object: "text_completion", Created: j.created, Model: j.h.o.ModelName,
			SystemFingerprint: fingerprint, Choices: []CompletionChoice{}, Usage: usage})
	}
	if j.g.chat {
		cs := make([]ChatChoice, len(choices))
		for i, c := range choices {
			cs[i] = c.(ChatChoice)
		}
		out.result(ChatCompletion{ID: j.id, Object: "chat.completion", Created: j.created, Model: j.h.o.ModelName,
			SystemFingerprint: fingerprint, Usage: usage, Choices: cs})
		return nil
	}
	cs := make([]CompletionChoice, len(choices))
	for i, c := range choices {
		cs[i] = c.(CompletionChoice)
	}
	out.result(Completion{ID: j.id, Object: "text_completion", Created: j.created, Model: j.h.o.ModelName,
		SystemFingerprint: fingerprint, Usage: usage, Choices: cs})
	return nil
}

// failed is the error of a generation that did not complete: the client went away, the
// client or the shutdown stopped it, or something broke. A stream gets it as its last event.
func (j *job) failed(ctx context.Context, out sink, err, sendErr error) *Error {
	if errors.Is(sendErr, ErrClientGone) || errors.Is(context.Cause(ctx), ErrClientGone) {
		j.gone()
		return errClientClosed() // nobody reads it; /metrics counts it
	}
	e := errInternal(err)
	if errors.Is(context.Cause(ctx), errStreamTimedOut) {
		e = errStreamTimeout(j.streamTimeout)
	} else if ctx.Err() != nil {
		e = ErrShuttingDown()
		e.Message = "the generation was stopped: the server is shutting down"
		if errors.Is(context.Cause(ctx), ErrCancelled) {
			e = errCancelled()
		}
	}
	if out.streaming() {
		out.fail(e)
	}
	return e
}

// fingerprint is the system_fingerprint of every response.
const fingerprint = "fp_deepgo"

// finishStream sends the usage chunk, if asked for, and the end of the stream.
func (j *job) finishStream(out sink, usageChunk any) *Error {
	if j.g.includeUsage {
		if err := out.event(usageChunk); err != nil {
			return j.gone()
		}
	}
	if out.done() != nil {
		return j.gone()
	}
	return nil
}

// gone counts a client that went away (once, however many choices noticed).
func (j *job) gone() *Error {
	j.gone1.Do(j.h.metrics.disconnected)
	return nil
}
