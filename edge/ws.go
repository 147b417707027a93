package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// The WebSocket protocol on /ws (see the README):
//
//   - the client sends a chat completion request object, as for POST /v1/chat/completions
//     (stream is implied);
//   - the server sends the chunk objects a streamed response carries, each in one text
//     message, then the text message [DONE];
//   - the client may send {"type":"cancel"} while a reply streams: generation stops and the
//     server sends an error object with code "cancelled";
//   - errors are OpenAI error objects {"error":{...}}; the connection stays open for the
//     next request, one at a time.
//
// Browsers cannot set headers on a WebSocket, so the API key may also come as the query
// parameter api_key.

// wsConn is one WebSocket connection.
type wsConn struct {
	c      *websocket.Conn
	wmu    sync.Mutex // one writer at a time
	mu     sync.Mutex
	cancel context.CancelCauseFunc // of the running generation; nil when idle
	closed bool
}

func (w *wsConn) send(b []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.c.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return w.c.WriteMessage(websocket.TextMessage, b)
}

func (w *wsConn) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		w.cancel(openai.ErrShuttingDown())
	}
	if !w.closed {
		w.closed = true
		// WriteControl and Close may run beside a blocked WriteMessage: a client that stopped
		// reading cannot hold shutdown up.
		w.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
		w.c.Close()
	}
}

func (s *Server) websocket(ctx *fasthttp.RequestCtx) {
	auth := string(ctx.Request.Header.Peek("Authorization"))
	if auth == "" {
		if k := ctx.QueryArgs().Peek("api_key"); len(k) > 0 {
			auth = "Bearer " + string(k)
		}
	}
	client := ctx.RemoteIP().String()
	if e := s.h.Authorize(auth, client); e != nil {
		s.h.Metrics().Request("/ws", e.Status)
		writeError(ctx, e)
		return
	}
	if !s.h.Ready() {
		writeError(ctx, openai.ErrShuttingDown())
		return
	}
	up := websocket.FastHTTPUpgrader{
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin:      func(*fasthttp.RequestCtx) bool { return true }, // keys, not cookies, guard it
		Error: func(ctx *fasthttp.RequestCtx, status int, reason error) {
			e := openai.ErrBadRequest(reason.Error())
			e.Status = status
			writeError(ctx, e)
		},
	}
	up.Upgrade(ctx, func(c *websocket.Conn) {
		w := &wsConn{c: c}
		s.mu.Lock()
		s.sockets[w] = struct{}{}
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.sockets, w)
			s.mu.Unlock()
			w.close()
		}()
		s.serveWS(w, auth, client)
	})
}

// serveWS reads requests and cancels until the connection closes.
func (s *Server) serveWS(w *wsConn, auth, client string) {
	c := w.c
	c.SetReadLimit(int64(s.c.MaxBody))
	var running sync.WaitGroup
	defer running.Wait()
	for {
		c.SetReadDeadline(time.Now().Add(s.c.IdleTimeout))
		typ, msg, err := c.ReadMessage()
		if err != nil {
			w.mu.Lock()
			if w.cancel != nil {
				// The client is gone: the generation stops and counts as a disconnect.
				w.cancel(fmt.Errorf("%w: %v", openai.ErrClientGone, err))
			}
			w.mu.Unlock()
			return
		}
		if typ != websocket.TextMessage {
			w.send(openai.ErrBadRequest("send requests as JSON text messages").Body())
			continue
		}
		var kind struct {
			Type string `json:"type"`
		}
		json.Unmarshal(msg, &kind)
		if kind.Type == "cancel" {
			w.mu.Lock()
			if w.cancel != nil {
				w.cancel(openai.ErrCancelled)
			}
			w.mu.Unlock()
			continue
		}
		w.mu.Lock()
		busy := w.cancel != nil
		w.mu.Unlock()
		if busy {
			e := openai.ErrBadRequest("a reply is still streaming on this connection: wait for [DONE] or send {\"type\":\"cancel\"}")
			w.send(e.Body())
			continue
		}
		run, e := s.h.PrepareStream(&openai.Request{Method: "POST", Path: "/v1/chat/completions",
			Authorization: auth, Body: msg, Client: client})
		if e != nil {
			w.send(e.Body())
			continue
		}
		gctx, cancel := context.WithCancelCause(s.base)
		w.mu.Lock()
		w.cancel = cancel
		w.mu.Unlock()
		running.Add(1)
		s.running.add()
		go func() {
			defer s.running.done()
			defer running.Done()
			// The connection is idle again before the reply's last message ([DONE] or an
			// error object) goes out: a client may send its next request as soon as it has it.
			var once sync.Once
			idle := func() {
				once.Do(func() {
					w.mu.Lock()
					w.cancel = nil
					w.mu.Unlock()
				})
			}
			run(gctx, func(b []byte) error {
				if string(b) == "[DONE]" || bytes.HasPrefix(b, []byte(`{"error"`)) {
					idle()
				}
				return w.send(b)
			})
			idle()
			cancel(nil)
		}()
	}
}
