package openai

import (
	"context"
	"errors"
	"fmt"
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
	// streamTimeout is the stream's time limit (Request.StreamTimeout), for its error.
	streamTimeout time.Duration
}

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
			j.run(sctx, &sseSink{w: w})
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

// run waits for the slot, generates, and hands the reply to out through the emitter of
// the request's form (chat or text). The returned error is for a non-streamed request: a
// streamed one reports errors in the stream.
func (j *job) run(ctx context.Context, out sink) *Error {
	em := j.emitter(out)
	var first time.Time
	sendErr := em.begin()
	gen, err := j.adm.Generate(ctx, j.opts, func(c serving.Chunk) error {
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
	j.account(gen, first)
	if err != nil {
		return j.failed(ctx, out, err, sendErr)
	}
	usage := &Usage{PromptTokens: gen.PromptTokens, CompletionTokens: gen.CompletionTokens,
		TotalTokens: gen.PromptTokens + gen.CompletionTokens}
	usage.PromptTokensDetails = &struct {
		CachedTokens int `json:"cached_tokens"`
	}{gen.CachedTokens}
	return em.end(string(gen.Finish), usage)
}

// emitter turns a job's generated chunks into its reply, in the chat or the text form:
// streamed event by event to the sink, or kept for one whole object at the end.
type emitter interface {
	begin() error                                  // before the first token (chat streams: the role)
	token(c serving.Chunk, lp *TokenLogProb) error // a generated chunk; lp if logprobs were asked for
	end(finish string, usage *Usage) *Error        // the last events, or the whole reply
}

func (j *job) emitter(out sink) emitter {
	if j.g.chat {
		return &chatEmitter{j: j, out: out, stream: out.streaming(), parser: chat.NewReplyParser(j.text, len(j.g.tools) > 0)}
	}
	return &textEmitter{j: j, out: out, stream: out.streaming()}
}

// account records a finished generation: the metrics, and what the caller's tokens
// reservation gives back.
func (j *job) account(gen serving.Generation, first time.Time) {
	var ttft, decode time.Duration
	if !first.IsZero() {
		ttft, decode = first.Sub(j.start), time.Since(first)
	}
	j.h.metrics.generated(gen, ttft, decode)
	j.h.limits.settle(j.grant, gen.PromptTokens+gen.CompletionTokens)
}

// failed is the error of a generation that did not complete: the client went away, the
// client or the shutdown stopped it, or something broke. A stream gets it as its last event.
func (j *job) failed(ctx context.Context, out sink, err, sendErr error) *Error {
	if errors.Is(sendErr, ErrClientGone) || errors.Is(context.Cause(ctx), ErrClientGone) {
		j.h.metrics.disconnected()
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

// gone counts a client that went away while the last events of its stream were sent.
func (j *job) gone() *Error {
	j.h.metrics.disconnected()
	return nil
}
