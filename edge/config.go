package edge

import (
	"log/slog"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
)

// Config configures a Server. A zero field takes its default, below.
type Config struct {
	Addr    string          // listen address; DefaultAddr
	Handler *openai.Handler // the OpenAI routes
	Log     *slog.Logger    // nil = no log

	MaxBody       int           // largest request body in bytes; openai.DefaultMaxBody (413 beyond)
	ReadTimeout   time.Duration // to read a request, headers and body; DefaultReadTimeout
	WriteTimeout  time.Duration // to write a non-streamed response, generation included; DefaultWriteTimeout
	StreamTimeout time.Duration // the longest a streamed response may last; DefaultStreamTimeout
	IdleTimeout   time.Duration // keep-alive and idle WebSocket connections; DefaultIdleTimeout
	// FirstByteTimeout is how long a new connection may take to send its first byte;
	// DefaultFirstByteTimeout. Connections that never send cannot hold places for long.
	FirstByteTimeout time.Duration
	// MaxConns is the most connections open at once, WebSockets included; DefaultMaxConns.
	// Beyond it a connection is answered 503 with Retry-After and closed.
	MaxConns     int
	NoPlayground bool // do not serve the playground page on /
}

// The defaults of Config.
const (
	DefaultAddr             = "127.0.0.1:8080"
	DefaultReadTimeout      = 30 * time.Second
	DefaultWriteTimeout     = 10 * time.Minute
	DefaultStreamTimeout    = 30 * time.Minute
	DefaultIdleTimeout      = 2 * time.Minute
	DefaultFirstByteTimeout = 5 * time.Second
	DefaultMaxConns         = 1024
)

// Register adds the server's settings to s (the listen address, the limits on
// connections and slow clients, the playground), each at its default. The request body's
// limit is the protocol's (openai.Config.MaxBody).
func (c *Config) Register(s *openai.Settings) {
	s.String(&c.Addr, "addr", "DEEPGO_ADDR", DefaultAddr, "listen address (host:port)")
	s.Int(&c.MaxConns, "max-conns", "DEEPGO_MAX_CONNS", DefaultMaxConns, 1, "open connections at once, WebSockets included; more are answered 503")
	s.Duration(&c.ReadTimeout, "read-timeout", "DEEPGO_READ_TIMEOUT", DefaultReadTimeout, "time to read a request")
	s.Duration(&c.WriteTimeout, "write-timeout", "DEEPGO_WRITE_TIMEOUT", DefaultWriteTimeout, "time to answer a non-streamed request, generation included")
	s.Duration(&c.StreamTimeout, "stream-timeout", "DEEPGO_STREAM_TIMEOUT", DefaultStreamTimeout, "the longest a streamed reply may last")
	s.Duration(&c.IdleTimeout, "idle-timeout", "DEEPGO_IDLE_TIMEOUT", DefaultIdleTimeout, "idle keep-alive and WebSocket connections are closed after this")
	s.Duration(&c.FirstByteTimeout, "first-byte-timeout", "DEEPGO_FIRST_BYTE_TIMEOUT", DefaultFirstByteTimeout, "a new connection that sends nothing for this long is closed")
	s.Bool(&c.NoPlayground, "no-playground", "DEEPGO_NO_PLAYGROUND", false, "do not serve the web playground on /")
}

// fill gives every zero field its default.
func (c *Config) fill() {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxBody <= 0 {
		c.MaxBody = openai.DefaultMaxBody
	}
	for _, d := range []struct {
		p   *time.Duration
		def time.Duration
	}{{&c.ReadTimeout, DefaultReadTimeout}, {&c.WriteTimeout, DefaultWriteTimeout}, {&c.StreamTimeout, DefaultStreamTimeout},
		{&c.IdleTimeout, DefaultIdleTimeout}, {&c.FirstByteTimeout, DefaultFirstByteTimeout}} {
		if *d.p <= 0 {
			*d.p = d.def
		}
	}
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
}
