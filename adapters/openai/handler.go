package openai

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/serving"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// Request is an HTTP request as a transport hands it over.
type Request struct {
	Method        string
	Path          string // without the query
	Authorization string // the Authorization header
	Body          []byte
	Client        string // the client's address: the rate-limit key when no API keys are configured
	RequestID     string // the client's x-request-id header; "" = none (see RequestID)
	// StreamTimeout is the longest a streamed reply may last, from the start of its
	// stream; one that runs longer is stopped and ends with an error event (code
	// "stream_timeout"). 0 = no limit.
	StreamTimeout time.Duration
}

// Response is what to answer: a whole Body, or, for a streamed completion, Stream. A
// transport writes Status and the headers, then either Body or, if Stream is set, calls
// Stream exactly once with a writer whose Flush sends what was written to the client.
// Stream returns when the response is complete or the client is gone (a Write or Flush
// failed); it frees the request's slot either way.
type Response struct {
	Status      int
	ContentType string
	RetryAfter  int // seconds; 0 = no Retry-After header
	// Header holds the other headers to send, by lower-case name: x-request-id on every
	// response, and the x-ratelimit-* headers where limits apply. nil = none.
	Header map[string]string
	Body   []byte
	Stream func(w StreamWriter)
}

// StreamWriter is where a streamed response goes.
type StreamWriter interface {
	Write(p []byte) (int, error)
	Flush() error
}

// Options configure a Handler.
type Options struct {
	ModelName string // the model id clients name and GET /v1/models lists
	Keys      *Keys  // API keys; nil = no key needed
	RPM, TPM  int    // requests and tokens per minute per key (or per client without keys); 0 = no limit
	// MaxTokens caps max_tokens, and is what a chat request without max_tokens gets;
	// 0 = whatever the context has room for.
	MaxTokens int
	// MaxPromptTokens refuses longer prompts; 0 = the context size less one.
	MaxPromptTokens int
	Defaults        Defaults // sampling defaults; zero = OpenAI's (defaultSampling: temperature 1, top_p 1)
	Metrics         *Metrics // nil = a new one
	// StoredResponses bounds the Responses API's responses kept in memory for
	// previous_response_id: 0 = 1000, negative = none.
	StoredResponses int
	// StoredResponseBytes bounds the bytes of the responses kept: 0 = 64 MiB.
	StoredResponseBytes int64
}

// Backend is a loaded model ready to serve: its scheduler and chat template.
type Backend struct {
	sched    *serving.Scheduler
	tok      *tokenizer.Tokenizer
	template *chat.Template
	bos, eos string
	created  int64
	// renderTools: the template renders tool definitions itself; if not, they are put in the
	// system message (withTools).
	renderTools bool
	grammars    *grammars // structured outputs' vocabulary and bound grammars
}

// NewBackend prepares a scheduler's model for serving: it parses the tokenizer's chat
// template (DeepSeek-V3's when the tokenizer has none).
func NewBackend(s *serving.Scheduler) (*Backend, error) {
	tok := s.Tokenizer()
	src := tok.ChatTemplate()
	if src == "" {
		src = chat.DeepSeekV3
	}
	t, err := chat.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("chat template: %w", err)
	}
	b := &Backend{sched: s, tok: tok, template: t, created: time.Now().Unix(), renderTools: strings.Contains(src, "tools")}
	b.grammars = newGrammars(tok, s.Model().Config.VocabSize)
	b.bos, _ = tok.Token(tok.BOS())
	b.eos, _ = tok.Token(tok.EOS())
	return b, nil
}

// Scheduler is the backend's scheduler.
func (b *Backend) Scheduler() *serving.Scheduler { return b.sched }

// Handler answers the OpenAI routes. It is safe for concurrent use.
type Handler struct {
	o       Options
	backend atomic.Pointer[Backend]
	limits  *limiter
	metrics *Metrics
	closing atomic.Bool
	// responses are the Responses API's recent responses, for previous_response_id.
	responses *responseStore
}

// NewHandler returns a Handler with no model: it answers 503 on the model routes until
// SetBackend.
func NewHandler(o Options) *Handler {
	if o.Defaults == (Defaults{}) {
		o.Defaults = defaultSampling()
	}
	h := &Handler{o: o, limits: newLimiter(), metrics: o.Metrics, responses: newResponseStore(o.StoredResponses, o.StoredResponseBytes)}
	if h.metrics == nil {
		h.metrics = NewMetrics()
	}
	return h
}

// SetBackend makes the handler serve b.
func (h *Handler) SetBackend(b *Backend) { h.backend.Store(b) }

// Ready reports whether a model is loaded and the handler is not shutting down.
func (h *Handler) Ready() bool { return h.backend.Load() != nil && !h.closing.Load() }

// Metrics are the handler's metrics.
func (h *Handler) Metrics() *Metrics { return h.metrics }

// Options are the options the handler was made with.
func (h *Handler) Options() Options { return h.o }

// Shutdown makes the handler refuse new generations with 503; running ones go on.
func (h *Handler) Shutdown() { h.closing.Store(true) }

// Routes, as the metrics label them.
const (
	RouteChat        = "/v1/chat/completions"
	RouteCompletions = "/v1/completions"
	RouteResponses   = "/v1/responses"
	RouteModels      = "/v1/models"
	RouteHealth      = "/health"
	RouteReady       = "/ready"
	RouteMetrics     = "/metrics"
)

// Handle answers r. ctx bounds the generation: when it ends, a running generation stops.
func (h *Handler) Handle(ctx context.Context, r *Request) *Response {
	route, resp := h.route(ctx, r)
	resp.WithRequestID(r.RequestID)
	h.metrics.Request(route, resp.Status)
	return resp
}

func (h *Handler) route(ctx context.Context, r *Request) (string, *Response) {
	path := strings.TrimSuffix(r.Path, "/")
	switch {
	case path == RouteHealth || path == "/healthz" || path == "/livez":
		return RouteHealth, jsonResponse(200, map[string]string{"status": "ok"})
	case path == RouteReady || path == "/readyz" || path == "/health/ready":
		if !h.Ready() {
			e := errNotReady()
			if h.closing.Load() {
				e = ErrShuttingDown()
			}
			return RouteReady, errorResponse(e)
		}
		return RouteReady, jsonResponse(200, map[string]string{"status": "ready", "model": h.o.ModelName})
	case path == RouteMetrics:
		if r.Method != "GET" && r.Method != "HEAD" {
			return RouteMetrics, errorResponse(errMethod(r.Method, path))
		}
		var sb strings.Builder
		h.metrics.write(&sb, h.backend.Load())
		return RouteMetrics, &Response{Status: 200, ContentType: "text/plain; version=0.0.4; charset=utf-8", Body: []byte(sb.String())}
	case path == RouteModels || strings.HasPrefix(path, RouteModels+"/"):
		return RouteModels, h.models(r, strings.TrimPrefix(strings.TrimPrefix(path, RouteModels), "/"))
	case path == RouteChat:
		return RouteChat, h.generate(ctx, r, true)
	case path == RouteCompletions:
		return RouteCompletions, h.generate(ctx, r, false)
	case path == RouteResponses:
		return RouteResponses, h.serveResponses(ctx, r, "")
	case strings.HasPrefix(path, RouteResponses+"/") && !strings.Contains(path[len(RouteResponses)+1:], "/"):
		return RouteResponses, h.serveResponses(ctx, r, path[len(RouteResponses)+1:])
	}
	return "other", errorResponse(errNotFound("no route %s %s: this server answers POST %s, POST %s, POST %s, GET %s",
		r.Method, r.Path, RouteChat, RouteCompletions, RouteResponses, RouteModels))
}

func (h *Handler) models(r *Request, id string) *Response {
	if r.Method != "GET" && r.Method != "HEAD" {
		return errorResponse(errMethod(r.Method, RouteModels))
	}
	if _, e := h.authorize(r); e != nil {
		return errorResponse(e)
	}
	var created int64
	if b := h.backend.Load(); b != nil {
		created = b.created
	}
	m := Model{ID: h.o.ModelName, Object: "model", Created: created, OwnedBy: "deepgo"}
	if id != "" {
		if id != h.o.ModelName {
			return errorResponse(h.errModelNotFound(id))
		}
		return jsonResponse(200, m)
	}
	return jsonResponse(200, ModelList{Object: "list", Data: []Model{m}})
}

func (h *Handler) errModelNotFound(id string) *Error {
	return &Error{Status: 404, Type: typeInvalidRequest, Param: str("model"), Code: str("model_not_found"),
		Message: fmt.Sprintf("the model %q does not exist: this server serves %q", id, h.o.ModelName)}
}

// caller is who a request comes from, for rate limits.
type caller struct {
	id       string
	rpm, tpm int
}

// authorize checks the API key, if keys are configured, and names the caller.
func (h *Handler) authorize(r *Request) (caller, *Error) {
	if h.o.Keys == nil {
		return caller{id: "client:" + r.Client, rpm: h.o.RPM, tpm: h.o.TPM}, nil
	}
	if r.Authorization == "" {
		return caller{}, errUnauthorized("no API key: send it as Authorization: Bearer KEY")
	}
	tok, ok := bearer(r.Authorization)
	if !ok {
		return caller{}, errUnauthorized("the Authorization header must be \"Bearer KEY\"")
	}
	k, ok := h.o.Keys.lookup(tok)
	if !ok {
		return caller{}, errUnauthorized("incorrect API key")
	}
	c := caller{id: "key:" + string(k.hash[:]), rpm: h.o.RPM, tpm: h.o.TPM}
	if k.RPM > 0 {
		c.rpm = k.RPM
	}
	if k.TPM > 0 {
		c.tpm = k.TPM
	}
	return c, nil
}

// Authorize checks a request's API key, for transports with routes of their own (the
// edge server's WebSocket); nil means the request may go on.
func (h *Handler) Authorize(authorization, client string) *Error {
	_, e := h.authorize(&Request{Authorization: authorization, Client: client})
	return e
}

func jsonResponse(status int, v any) *Response {
	b, err := json.Marshal(v)
	if err != nil {
		return errorResponse(errInternal(err))
	}
	return &Response{Status: status, ContentType: "application/json", Body: b}
}

func errorResponse(e *Error) *Response {
	return &Response{Status: e.Status, ContentType: "application/json", Body: e.Body(), RetryAfter: e.RetryAfter}
}

// ErrorResponse is the response for e, for transports that fail a request themselves.
func ErrorResponse(e *Error) *Response { return errorResponse(e) }

// newID returns prefix followed by 24 random letters and digits.
func newID(prefix string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [24]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b[:])
}

func randomSeed() uint64 {
	var b [8]byte
	rand.Read(b[:])
	var s uint64
	for _, x := range b {
		s = s<<8 | uint64(x)
	}
	return s
}

// ErrClientGone is the cause to cancel a request's context with when its client went away
// (a transport that notices a closed connection): a queued request gives up its place, a
// generation stops, and the request counts as a disconnect.
var ErrClientGone = errors.New("client disconnected")
