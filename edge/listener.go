package edge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
)

// limitListener holds at most max connections open. A connection beyond that is answered
// at once with an OpenAI-shaped 503 and Retry-After, then closed, so a client sees why and
// when to come back instead of a reset (or fasthttp's plain-text 503). A new connection must
// send its first byte within firstByte, so connections that never send cannot hold places
// for long.
type limitListener struct {
	net.Listener
	max       int64
	firstByte time.Duration
	open      atomic.Int64
	refusing  chan struct{} // bounds the refusals being written at once
	refusal   []byte        // the whole 503 response
	refused   func()        // counts a refusal
}

// maxRefusing bounds the goroutines writing refusals; beyond it a connection is closed
// without an answer.
const maxRefusing = 64

func newLimitListener(ln net.Listener, max int, firstByte time.Duration, refused func()) *limitListener {
	body := openai.ErrOverloadedConnections(max).Body()
	resp := fmt.Appendf(nil, "HTTP/1.1 503 Service Unavailable\r\nServer: deepgo\r\nContent-Type: application/json\r\n"+
		"Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	return &limitListener{Listener: ln, max: int64(max), firstByte: firstByte,
		refusing: make(chan struct{}, maxRefusing), refusal: resp, refused: refused}
}

// Accept returns the next connection within the limit, answering those beyond it.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) > l.max {
			l.open.Add(-1)
			l.refuse(c)
			continue
		}
		lc := &limitedConn{Conn: c, l: l, firstBy: time.Now().Add(l.firstByte)}
		c.SetReadDeadline(lc.firstBy)
		return lc, nil
	}
}

// Open is the number of connections open now.
func (l *limitListener) Open() int64 { return l.open.Load() }

// refuse answers c with the 503 and closes it, in the background and within a second.
func (l *limitListener) refuse(c net.Conn) {
	l.refused()
	select {
	case l.refusing <- struct{}{}:
	default:
		c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Second))
		// Answer the request, not the connection: a client that gets an answer before it
		// has sent its request takes it for a broken connection (Go's net/http does).
		readHead(c)
		if _, err := c.Write(l.refusal); err != nil {
			return
		}
		// Read what else the client sent before closing, so that the close does not
		// reset the connection and lose the answer.
		if tc, ok := c.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		io.Copy(io.Discard, io.LimitReader(c, 64<<10))
	}()
}

// readHead reads from c until the end of a request head (a blank line), 16 KiB, an error
// or c's deadline.
func readHead(c net.Conn) {
	var buf [16 << 10]byte
	n := 0
	for n < len(buf) {
		m, err := c.Read(buf[n:])
		n += m
		if bytes.Contains(buf[max(0, n-m-3):n], []byte("\r\n\r\n")) || err != nil {
			return
		}
	}
}

// limitedConn is a connection counted by its limitListener until it closes. Until its
// first byte arrives, its read deadline is at most firstBy.
type limitedConn struct {
	net.Conn
	l       *limitListener
	firstBy time.Time
	closed  sync.Once
	started atomic.Bool // the first byte arrived

	mu   sync.Mutex
	want time.Time // the read deadline the server last asked for
}

func (c *limitedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.started.Load() {
		c.started.Store(true)
		c.mu.Lock()
		c.Conn.SetReadDeadline(c.want)
		c.mu.Unlock()
	}
	return n, err
}

func (c *limitedConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want = t
	return c.Conn.SetReadDeadline(c.readDeadline(t))
}

func (c *limitedConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want = t
	return errors.Join(c.Conn.SetReadDeadline(c.readDeadline(t)), c.Conn.SetWriteDeadline(t))
}

// readDeadline is t, or firstBy if the first byte has not arrived and t is later.
func (c *limitedConn) readDeadline(t time.Time) time.Time {
	if !c.started.Load() && (t.IsZero() || t.After(c.firstBy)) {
		return c.firstBy
	}
	return t
}

func (c *limitedConn) Close() error {
	c.closed.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// SyscallConn gives the socket to peerGone.
func (c *limitedConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.ErrUnsupported
	}
	return sc.SyscallConn()
}
