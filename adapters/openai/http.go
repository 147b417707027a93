package openai

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
)

// HTTPHandler serves the handler's routes over net/http, for the transports built on it
// (AWS Lambda through lambdaurl, Google Cloud Functions). Bodies over maxBody bytes
// (0 = DefaultMaxBody) get a 413.
func (h *Handler) HTTPHandler(maxBody int) http.Handler {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, int64(maxBody)))
		if err != nil {
			var tooBig *http.MaxBytesError
			e := ErrBadRequest("the request body could not be read: " + err.Error())
			if errors.As(err, &tooBig) {
				e = ErrBodyTooLarge(maxBody)
			}
			h.metrics.Request("other", e.Status)
			WriteHTTP(w, errorResponse(e).WithRequestID(req.Header.Get(HeaderRequestID)))
			return
		}
		client, _, err := net.SplitHostPort(req.RemoteAddr)
		if err != nil {
			client = req.RemoteAddr
		}
		ctx, cancel := clientContext(req.Context())
		defer cancel()
		resp := h.Handle(ctx, &Request{Method: req.Method, Path: req.URL.Path,
			Authorization: req.Header.Get("Authorization"), Body: body, Client: client,
			RequestID: req.Header.Get(HeaderRequestID)})
		WriteHTTP(w, resp)
	})
}

// clientContext is a request's context whose cause, when net/http cancels it because the
// client went away, is ErrClientGone; a deadline (a function's timeout) stays its own cause.
func clientContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		cause := context.Cause(parent)
		if errors.Is(cause, context.Canceled) {
			cause = ErrClientGone
		}
		cancel(cause)
	})
	return ctx, func() {
		stop()
		cancel(nil)
	}
}

// WriteHTTP writes resp to a net/http response, streaming it if it is a stream.
func WriteHTTP(w http.ResponseWriter, resp *Response) {
	hd := w.Header()
	hd.Set("Content-Type", resp.ContentType)
	for k, v := range resp.Header {
		hd.Set(k, v)
	}
	if resp.RetryAfter > 0 {
		hd.Set("Retry-After", strconv.Itoa(resp.RetryAfter))
	}
	if resp.Stream == nil {
		hd.Set("Content-Length", strconv.Itoa(len(resp.Body)))
		w.WriteHeader(resp.Status)
		w.Write(resp.Body)
		return
	}
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(resp.Status)
	resp.Stream(httpStream{w: w, rc: http.NewResponseController(w)})
}

type httpStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (s httpStream) Write(p []byte) (int, error) { return s.w.Write(p) }

// Flush sends what was written. A writer that cannot flush (lambdaurl's writes through a
// pipe as it goes) is not an error.
func (s httpStream) Flush() error {
	if err := s.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}
