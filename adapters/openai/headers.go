package openai

import (
	"strconv"
	"time"
)

// The response headers a reply carries beside its body, as OpenAI's API sends them.
const (
	// HeaderRequestID names a request in both directions: a client may send its own, which
	// comes back if it is valid (RequestID); otherwise the server makes one.
	HeaderRequestID = "x-request-id"
	// maxRequestID bounds a client's request id.
	maxRequestID = 128
)

// RequestID is the id of a request whose client sent the x-request-id header id: id
// itself when it is 1 to 128 printable ASCII characters without spaces, else a new
// "req_" id. Every response carries it, errors included, so a client can quote it.
func RequestID(id string) string {
	if validRequestID(id) {
		return id
	}
	return newID("req_")
}

func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// setHeader sets a response header; names are lower-case.
func (r *Response) setHeader(name, value string) {
	if r.Header == nil {
		r.Header = make(map[string]string, 8)
	}
	r.Header[name] = value
}

// rateState is a caller's rate limits as a response reports them: for requests and for
// tokens, the limit per minute (0 = none), what is left now, and how long until the
// bucket is full again.
type rateState struct {
	reqLimit, reqLeft int
	reqReset          time.Duration
	tokLimit, tokLeft int
	tokReset          time.Duration
}

// setRateHeaders sets the x-ratelimit-* headers of the limits st has (none without limits).
func (r *Response) setRateHeaders(st rateState) {
	set := func(what string, limit, left int, reset time.Duration) {
		if limit <= 0 {
			return
		}
		r.setHeader("x-ratelimit-limit-"+what, strconv.Itoa(limit))
		r.setHeader("x-ratelimit-remaining-"+what, strconv.Itoa(max(left, 0)))
		r.setHeader("x-ratelimit-reset-"+what, reset.Round(time.Millisecond).String())
	}
	set("requests", st.reqLimit, st.reqLeft, st.reqReset)
	set("tokens", st.tokLimit, st.tokLeft, st.tokReset)
}

// WithRequestID sets r's x-request-id from the client's id (see RequestID) and returns r:
// for the responses a transport makes itself, which Handle does not see.
func (r *Response) WithRequestID(id string) *Response {
	r.setHeader(HeaderRequestID, RequestID(id))
	return r
}
