package openai

import (
	"encoding/json"
	"fmt"
	"sync"
)

// sink receives a job's output: the events of a stream, or the whole reply at the end.
type sink interface {
	event(v any) error // a chunk object
	done() error       // the end of a successful stream
	fail(e *Error)     // an error after the stream began
	result(v any)      // the whole reply (non-streaming)
	streaming() bool
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

// lockedSink lets the choices of a request, each generated on its own goroutine, send to
// one stream: one event at a time.
type lockedSink struct {
	mu sync.Mutex
	s  sink
}

func (l *lockedSink) streaming() bool { return l.s.streaming() }
func (l *lockedSink) event(v any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.event(v)
}
func (l *lockedSink) done() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.done()
}
func (l *lockedSink) fail(e *Error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.s.fail(e)
}
func (l *lockedSink) result(v any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.s.result(v)
}
