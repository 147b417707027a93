package chat

import "fmt"

// Pos is a position in template source: 1-based line and column (in characters).
type Pos struct {
	Line, Col int
}

// Error is a template error: a syntax error found by Parse, or a failure while
// rendering (an unsupported construct, a type error, a limit exceeded, or a
// raise_exception call in the template itself). Pos is where in the template
// source it happened; it is zero when no position applies.
type Error struct {
	Pos Pos
	Msg string
	// Raised is true when the template called raise_exception(Msg).
	Raised bool
}

func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return "chat: template: " + e.Msg
	}
	return fmt.Sprintf("chat: template:%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
}

// errorf returns an *Error at p.
func errorf(p Pos, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}
