package edge

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/valyala/fasthttp"
)

// Server is the edge HTTP server.
type Server struct {
	c   Config
	h   *openai.Handler
	srv *fasthttp.Server
	ln  *limitListener

	base   context.Context // generations stop when it ends (the shutdown deadline)
	cancel context.CancelFunc

	mu      sync.Mutex
	sockets map[*wsConn]struct{} // open WebSocket connections
	running inflight             // generations: streams, WebSocket replies, non-streamed requests
}

// New returns a server for c; Listen binds it.
func New(c Config) *Server {
	c.fill()
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{c: c, h: c.Handler, sockets: make(map[*wsConn]struct{})}
	s.base, s.cancel = context.WithCancel(context.Background())
	s.srv = &fasthttp.Server{
		Handler:                       s.handle,
		ErrorHandler:                  s.handleError,
		Name:                          "deepgo",
		ReadTimeout:                   c.ReadTimeout,
		WriteTimeout:                  c.WriteTimeout,
		IdleTimeout:                   c.IdleTimeout,
		MaxRequestBodySize:            c.MaxBody,
		Concurrency:                   2 * c.MaxConns, // the listener holds the limit, and answers beyond it
		DisableHeaderNamesNormalizing: false,
		NoDefaultServerHeader:         false,
		CloseOnShutdown:               true,
		Logger:                        fasthttpLogger{c.Log},
	}
	return s
}

// Listen binds the listen address; Addr then reports it (useful with port 0).
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.c.Addr, err)
	}
	m := s.h.Metrics()
	s.ln = newLimitListener(ln, s.c.MaxConns, s.c.FirstByteTimeout, m.ConnectionRefused)
	m.CountConnections(s.ln.Open)
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string {
	if s.ln != nil {
		return s.ln.Addr().String()
	}
	return s.c.Addr
}

// Serve answers requests until Shutdown; it binds first if Listen was not called.
func (s *Server) Serve() error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	return s.srv.Serve(s.ln)
}

// Shutdown stops the server gracefully: new generation requests are answered 503
// (shutting_down, with Retry-After and Connection: close) while running streams and
// requests finish; then the listener closes. When ctx ends first, running generations
// are stopped (their streams end with an error event) and Shutdown returns ctx's error
// once they are gone.
func (s *Server) Shutdown(ctx context.Context) error {
	s.h.Shutdown()
	err := s.running.wait(ctx)
	// Stop accepting; fasthttp closes idle keep-alive connections as it waits.
	down := make(chan error, 1)
	go func() { down <- s.srv.ShutdownWithContext(ctx) }()
	if err != nil {
		// The deadline passed: stop what still runs and let the stopped streams send their
		// error event before the WebSockets close.
		s.cancel()
		grace, stop := context.WithTimeout(context.Background(), 5*time.Second)
		s.running.wait(grace)
		stop()
	}
	s.mu.Lock()
	for c := range s.sockets {
		c.close()
	}
	s.mu.Unlock()
	select {
	case e := <-down:
		if err == nil {
			err = e
		}
	case <-ctx.Done():
		if err == nil {
			err = ctx.Err()
		}
	}
	s.cancel()
	return err
}

// handle routes one request.
func (s *Server) handle(ctx *fasthttp.RequestCtx) {
	path := string(ctx.Path())
	setCORS(ctx)
	if ctx.IsOptions() {
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return
	}
	switch path {
	case "/", "/playground":
		if !s.c.NoPlayground {
			s.playground(ctx)
			return
		}
	case "/favicon.ico":
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return
	case "/ws", "/v1/ws":
		s.websocket(ctx)
		return
	}
	s.running.add()
	// The request's context ends when the client goes away (watchPeer) or the shutdown
	// deadline passes (s.base).
	rctx, cancel := context.WithCancelCause(s.base)
	stopWatch := watchPeer(ctx.Conn(), cancel)
	resp := s.h.Handle(rctx, &openai.Request{
		Method:        string(ctx.Method()),
		Path:          path,
		Authorization: string(ctx.Request.Header.Peek("Authorization")),
		Body:          ctx.PostBody(),
		Client:        ctx.RemoteIP().String(),
		RequestID:     string(ctx.Request.Header.Peek(openai.HeaderRequestID)),
		StreamTimeout: s.c.StreamTimeout,
	})
	if !s.h.Ready() && resp.Status == 503 {
		ctx.SetConnectionClose() // shutting down (or loading): the client had better reconnect
	}
	writeHead(ctx, resp)
	if resp.Status >= 500 {
		s.c.Log.Warn("request failed", "method", string(ctx.Method()), "path", path, "status", resp.Status, "body", string(resp.Body))
	}
	if resp.Stream == nil {
		stopWatch()
		cancel(nil)
		s.running.done()
		ctx.SetBody(resp.Body)
		return
	}
	ctx.Response.Header.Set("Cache-Control", "no-cache")
	ctx.Response.Header.Set("X-Accel-Buffering", "no")
	// The handler ends the stream, with an error event, when StreamTimeout has passed;
	// the write deadline, a little later, is for a client that stopped reading.
	ctx.SetWriteDeadline(time.Now().Add(s.c.StreamTimeout + streamGrace))
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.running.done()
		defer cancel(nil)
		defer stopWatch()
		resp.Stream(w)
	})
}

// streamGrace is how long after its --stream-timeout a stream may take to send its error
// event before the connection's write deadline cuts it.
const streamGrace = 5 * time.Second

// handleError answers requests fasthttp could not read, OpenAI-shaped.
func (s *Server) handleError(ctx *fasthttp.RequestCtx, err error) {
	var e *openai.Error
	var timeout interface{ Timeout() bool }
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		e = openai.ErrBodyTooLarge(s.c.MaxBody)
	case errors.As(err, &timeout) && timeout.Timeout():
		e = openai.ErrTimeout()
	default:
		// Not err's text: fasthttp quotes the request head in it, Authorization included.
		e = openai.ErrBadRequest("the request could not be read: it is not a well-formed HTTP/1.1 request")
	}
	s.h.Metrics().Request("other", e.Status)
	writeError(ctx, e)
	ctx.SetConnectionClose()
}

// writeHead writes resp's status and headers.
func writeHead(ctx *fasthttp.RequestCtx, resp *openai.Response) {
	ctx.SetStatusCode(resp.Status)
	ctx.SetContentType(resp.ContentType)
	if resp.RetryAfter > 0 {
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(resp.RetryAfter))
	}
	for k, v := range resp.Header {
		ctx.Response.Header.Set(k, v)
	}
}

// writeError answers e, a failure the server met before the handler saw the request,
// with the request's id.
func writeError(ctx *fasthttp.RequestCtx, e *openai.Error) {
	resp := openai.ErrorResponse(e).WithRequestID(string(ctx.Request.Header.Peek(openai.HeaderRequestID)))
	writeHead(ctx, resp)
	ctx.SetBody(resp.Body)
}

// setCORS lets browser pages on other origins call the API: keys travel in the
// Authorization header, not in cookies, so this opens nothing a key does not. A preflight
// is allowed the headers it asks for (browser SDKs send their own: the openai package's
// x-stainless-*, openai-organization, x-request-id...) when they are header names; the
// headers a client reads (x-request-id, x-ratelimit-*, retry-after) are exposed.
func setCORS(ctx *fasthttp.RequestCtx) {
	if len(ctx.Request.Header.Peek("Origin")) == 0 {
		return
	}
	h := &ctx.Response.Header
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders(ctx.Request.Header.Peek("Access-Control-Request-Headers")))
	h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	h.Set("Access-Control-Max-Age", "600")
	if ctx.IsOptions() {
		h.Add("Vary", "Access-Control-Request-Headers")
	}
}

// corsExposeHeaders are the response headers a browser client may read.
const corsExposeHeaders = "X-Request-Id, X-Ratelimit-Limit-Requests, X-Ratelimit-Limit-Tokens, X-Ratelimit-Remaining-Requests, " +
	"X-Ratelimit-Remaining-Tokens, X-Ratelimit-Reset-Requests, X-Ratelimit-Reset-Tokens, Retry-After, Openai-Processing-Ms, Openai-Version"

// corsBaseHeaders are allowed to every preflight.
const corsBaseHeaders = "Authorization, Content-Type, OpenAI-Organization, OpenAI-Project, OpenAI-Beta, X-Request-Id"

// maxCORSRequestHeaders bounds the Access-Control-Request-Headers a preflight's answer echoes.
const maxCORSRequestHeaders = 2048

// corsAllowHeaders is Access-Control-Allow-Headers for a preflight that asks for
// requested: those headers, if the list is well-formed (names of token characters,
// separated by commas and spaces, of a bounded length), after the ones every client may send.
func corsAllowHeaders(requested []byte) string {
	if len(requested) == 0 || len(requested) > maxCORSRequestHeaders {
		return corsBaseHeaders
	}
	for _, c := range requested {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~, ", c) >= 0) {
			return corsBaseHeaders
		}
	}
	return corsBaseHeaders + ", " + string(requested)
}

type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) { f.l.Debug(fmt.Sprintf(format, args...)) }
