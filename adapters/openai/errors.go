package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Error is an error answered to a client: an HTTP status and the OpenAI error object
// {"error": {"message", "type", "param", "code"}}.
type Error struct {
	Status     int     `json:"-"`
	Message    string  `json:"message"`
	Type       string  `json:"type"`
	Param      *string `json:"param"`
	Code       *string `json:"code"`
	RetryAfter int     `json:"-"` // seconds, for 429 and 503; 0 = no Retry-After
}

func (e *Error) Error() string { return e.Message }

// Body is the JSON the client receives.
func (e *Error) Body() []byte {
	b, _ := json.Marshal(struct {
		Error *Error `json:"error"`
	}{e})
	return b
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// The error types and codes OpenAI uses, and a few of deepgo's own.
const (
	typeInvalidRequest = "invalid_request_error"
	typeAuthentication = "authentication_error"
	typeRateLimit      = "rate_limit_error"
	typeServer         = "server_error"
	typeOverloaded     = "overloaded_error"
	typeNotFound       = "not_found_error"
)

// badRequest is a 400 invalid_request_error about param.
func badRequest(param, code, format string, args ...any) *Error {
	return &Error{Status: 400, Type: typeInvalidRequest, Param: str(param), Code: str(code), Message: fmt.Sprintf(format, args...)}
}

// Errors of the protocol, by HTTP status.
func errUnauthorized(msg string) *Error {
	return &Error{Status: 401, Type: typeAuthentication, Code: str("invalid_api_key"), Message: msg}
}

func errNotFound(format string, args ...any) *Error {
	return &Error{Status: 404, Type: typeNotFound, Code: str("not_found"), Message: fmt.Sprintf(format, args...)}
}

func errMethod(method, path string) *Error {
	return &Error{Status: 405, Type: typeInvalidRequest, Code: str("method_not_allowed"),
		Message: fmt.Sprintf("method %s is not allowed on %s", method, path)}
}

// ErrBodyTooLarge is the 413 for a request body over the limit.
func ErrBodyTooLarge(limit int) *Error {
	return &Error{Status: 413, Type: typeInvalidRequest, Code: str("request_too_large"),
		Message: fmt.Sprintf("the request body is larger than the limit of %d bytes", limit)}
}

// ErrBadRequest is a 400 for a request the transport could not read.
func ErrBadRequest(msg string) *Error {
	return &Error{Status: 400, Type: typeInvalidRequest, Message: msg}
}

// ErrTimeout is a 408 for a request the transport did not receive in time.
func ErrTimeout() *Error {
	return &Error{Status: 408, Type: typeInvalidRequest, Code: str("timeout"), Message: "the request was not received in time"}
}

func errRateLimited(retry int, format string, args ...any) *Error {
	return &Error{Status: 429, Type: typeRateLimit, Code: str("rate_limit_exceeded"), RetryAfter: max(retry, 1),
		Message: fmt.Sprintf(format, args...)}
}

func errOverloaded() *Error {
	return &Error{Status: 503, Type: typeOverloaded, Code: str("overloaded"), RetryAfter: 1,
		Message: "the server is overloaded: every generation slot is busy and the queue is full; retry shortly"}
}

// ErrOverloadedConnections is the 503 for a connection beyond the server's limit of max.
func ErrOverloadedConnections(max int) *Error {
	return &Error{Status: 503, Type: typeOverloaded, Code: str("overloaded"), RetryAfter: 1,
		Message: fmt.Sprintf("the server is overloaded: it holds its limit of %d connections; retry shortly", max)}
}

// errClientClosed is the status of a request whose client went away before its reply
// (nginx's 499), for the metrics.
func errClientClosed() *Error {
	return &Error{Status: 499, Type: typeInvalidRequest, Code: str("client_closed_request"), Message: "the client closed the connection"}
}

func errNotReady() *Error {
	return &Error{Status: 503, Type: typeServer, Code: str("model_loading"), RetryAfter: 1,
		Message: "the model is still loading; retry shortly"}
}

// ErrShuttingDown is the 503 for a request that arrives while the server shuts down.
func ErrShuttingDown() *Error {
	return &Error{Status: 503, Type: typeServer, Code: str("shutting_down"), RetryAfter: 1,
		Message: "the server is shutting down"}
}

func errInternal(err error) *Error {
	return &Error{Status: 500, Type: typeServer, Code: str("internal_error"), Message: "internal error: " + err.Error()}
}

// ErrCancelled is the cause to cancel a generation's context with when its client asks to
// stop it (the WebSocket cancel message): the stream then ends with an error object whose
// code is "cancelled".
var ErrCancelled = errors.New("cancelled by the client")

func errCancelled() *Error {
	return &Error{Status: 499, Type: typeInvalidRequest, Code: str("cancelled"), Message: "the reply was cancelled by the client"}
}

// errStreamTimedOut is the cause a stream's context ends with when the stream lasted its
// Request.StreamTimeout.
var errStreamTimedOut = errors.New("the stream lasted its time limit")

// errStreamTimeout is the last event of a stream stopped after d, its time limit.
func errStreamTimeout(d time.Duration) *Error {
	return &Error{Status: 408, Type: typeServer, Code: str("stream_timeout"),
		Message: fmt.Sprintf("the reply was stopped: it streamed for this server's limit of %v; ask for fewer tokens (max_tokens) or stream again", d)}
}
