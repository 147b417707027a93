package edge_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// dialWS opens /ws with an optional Authorization header and query.
func (ts *testServer) dialWS(auth, query string) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	u := url.URL{Scheme: "ws", Host: ts.addr, Path: "/ws", RawQuery: query}
	h := http.Header{}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	return d.Dial(u.String(), h)
}

// wsRead reads one text message, failing the test after 10 s.
func wsRead(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	typ, msg, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("reading the WebSocket: %v", err)
	}
	if typ != websocket.TextMessage {
		t.Fatalf("message type %d, want text", typ)
	}
	return string(msg)
}

func wsSend(t *testing.T, c *websocket.Conn, v any) {
	t.Helper()
	var b []byte
	switch m := v.(type) {
	case string:
		b = []byte(m)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := c.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatalf("writing the WebSocket: %v", err)
	}
}

// wsReply reads one reply: chunk messages up to [DONE] or an error object. max bounds the
// messages read (0 = no bound); it returns the messages, [DONE] excluded.
func wsReply(t *testing.T, c *websocket.Conn) (msgs []string, done bool, errBody []byte) {
	t.Helper()
	for range 10000 {
		m := wsRead(t, c)
		if m == "[DONE]" {
			return msgs, true, nil
		}
		if strings.HasPrefix(m, `{"error"`) {
			return msgs, false, []byte(m)
		}
		msgs = append(msgs, m)
	}
	t.Fatalf("no end of the reply after 10000 messages")
	return
}

func TestWebSocket(t *testing.T) {
	// The endless model: the streams below are cancelled or closed mid-way.
	ts := start(t, setup{keys: "sk-b\n", endless: true})
	const auth = "Bearer sk-b"
	const prompt = "Tell me a story."

	r := ts.do("POST", "/v1/chat/completions", auth, chatBody(prompt, 24, false, nil))
	var cc struct {
		Choices []struct {
			Message      struct{ Content string }
			FinishReason string `json:"finish_reason"`
		}
	}
	if r.status != 200 || json.Unmarshal(r.body, &cc) != nil || len(cc.Choices) != 1 {
		t.Fatalf("chat: %d %s", r.status, r.body)
	}
	want, wantFinish := cc.Choices[0].Message.Content, cc.Choices[0].FinishReason

	c, resp, err := ts.dialWS(auth, "")
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	defer c.Close()

	// A reply: chunks, then [DONE]; "stream" is implied.
	check := func(what string) {
		t.Helper()
		msgs, done, errBody := wsReply(t, c)
		if !done {
			t.Fatalf("%s: no [DONE]; error %s", what, errBody)
		}
		s := parseStream(t, msgs, "chat.completion.chunk")
		if s.text != want || s.finish != wantFinish {
			t.Errorf("%s: text %q finish %q, want the HTTP reply's %q %q", what, s.text, s.finish, want, wantFinish)
		}
	}
	wsSend(t, c, chatBody(prompt, 24, false, nil))
	check("first request")

	// A bad request gets an error object and the connection stays usable.
	for _, tc := range []struct {
		name string
		bad  any
	}{
		{"malformed JSON", `{"model":"tiny","messages":[`},
		{"unknown model", chatBody(prompt, 4, true, map[string]any{"model": "gpt-4"})},
		{"empty object", `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wsSend(t, c, tc.bad)
			m := wsRead(t, c)
			checkErrorBody(t, "bad request on /ws", []byte(m), "")
		})
	}
	// A binary message is refused too.
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := c.WriteMessage(websocket.BinaryMessage, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	checkErrorBody(t, "binary message", []byte(wsRead(t, c)), "")
	// A cancel with nothing running is ignored: the next request works.
	wsSend(t, c, `{"type":"cancel"}`)
	wsSend(t, c, chatBody(prompt, 24, true, nil))
	check("after bad requests")

	// Cancel mid-stream: an error object with code "cancelled", no [DONE].
	for round := range 2 {
		wsSend(t, c, chatBody("a long story", 2000, true, nil))
		for range 3 {
			if m := wsRead(t, c); !strings.Contains(m, `"chat.completion.chunk"`) {
				t.Fatalf("round %d: want chunks first, got %s", round, m)
			}
		}
		if round == 1 {
			// A second request while one streams is refused; the first goes on.
			wsSend(t, c, chatBody(prompt, 4, true, nil))
		}
		wsSend(t, c, `{"type":"cancel"}`)
		refused := false
		for {
			m := wsRead(t, c)
			if m == "[DONE]" {
				t.Fatalf("round %d: [DONE] after cancel", round)
			}
			if strings.HasPrefix(m, `{"error"`) {
				if round == 1 && !refused && strings.Contains(m, "still streaming") {
					checkErrorBody(t, "request while streaming", []byte(m), "")
					refused = true
					continue
				}
				checkErrorBody(t, "cancelled", []byte(m), "cancelled")
				break
			}
		}
		if round == 1 && !refused {
			t.Errorf("a second request while streaming was not refused")
		}
		// The next request on the same connection works, sent at once.
		wsSend(t, c, chatBody(prompt, 24, true, nil))
		check("after cancel")
	}
	if !waitFor(2*time.Second, func() bool { return ts.b.Scheduler().Stats().Active == 0 }) {
		t.Errorf("Active %d after the replies", ts.b.Scheduler().Stats().Active)
	}

	// Closing the socket mid-stream frees the slot.
	wsSend(t, c, chatBody("a long story", 2000, true, nil))
	wsRead(t, c)
	wsRead(t, c)
	if ts.b.Scheduler().Stats().Active != 1 {
		t.Errorf("Active %d while streaming", ts.b.Scheduler().Stats().Active)
	}
	c.Close()
	if !waitFor(2*time.Second*slow, func() bool { return ts.b.Scheduler().Stats().Active == 0 }) {
		t.Errorf("the generation still runs %v after the WebSocket closed: %+v", 2*time.Second*slow, ts.b.Scheduler().Stats())
	}
}

func TestWebSocketAuth(t *testing.T) {
	ts := start(t, setup{keys: "sk-b\n"})

	// The key in the query works.
	c, resp, err := ts.dialWS("", "api_key=sk-b")
	if err != nil {
		t.Fatalf("dial with api_key: %v (%v)", err, resp)
	}
	wsSend(t, c, chatBody("hi", 3, true, nil))
	if _, done, errBody := wsReply(t, c); !done {
		t.Errorf("reply with api_key: %s", errBody)
	}
	c.Close()

	for _, tc := range []struct{ name, auth, query string }{
		{"no key", "", ""},
		{"wrong key in the query", "", "api_key=sk-wrong"},
		{"wrong key in the header", "Bearer sk-wrong", ""},
		{"key without Bearer", "sk-b", ""},
		{"wrong header, right query", "Bearer sk-wrong", "api_key=sk-b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, resp, err := ts.dialWS(tc.auth, tc.query)
			if err == nil {
				c.Close()
				t.Errorf("auth %q query %q: the handshake succeeded", tc.auth, tc.query)
				return
			}
			if resp == nil {
				t.Errorf("auth %q query %q: no response: %v", tc.auth, tc.query, err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			checkError(t, "ws auth "+tc.auth+" ?"+tc.query, reply{status: resp.StatusCode, header: resp.Header, body: body}, 401, "invalid_api_key")
		})
	}

	// A plain GET on /ws (no upgrade) is refused, JSON-shaped.
	r := ts.do("GET", "/ws", "Bearer sk-b", nil)
	checkError(t, "GET /ws without upgrade", r, 400, "")
	// /ws counts in the metrics.
	text := string(ts.do("GET", "/metrics", "", nil).body)
	if got := metricValue(t, text, `deepgo_requests_total{route="/ws",code="401"}`); got != 5 {
		t.Errorf(`/ws 401s counted %v times, want 5`, got)
	}
	if got := metricValue(t, text, `deepgo_requests_total{route="/ws",code="200"}`); got != 1 {
		t.Errorf(`/ws requests counted %v times, want 1`, got)
	}
}

func TestWebSocketShutdown(t *testing.T) {
	ts := start(t, setup{endless: true})
	c, _, err := ts.dialWS("", "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wsSend(t, c, chatBody("a long story", 3000, true, nil))
	wsRead(t, c)
	wsRead(t, c)
	d, _ := ts.Shutdown(200 * time.Millisecond)
	if d > 6*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	if st := ts.b.Scheduler().Stats(); st.Active != 0 {
		t.Errorf("Active %d when Shutdown returned", st.Active)
	}
	// The stream ends with an error object (or the close), not a hang.
	c.SetReadDeadline(time.Now().Add(6 * time.Second))
	sawErr := false
	for {
		_, m, err := c.ReadMessage()
		if err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				t.Fatalf("the WebSocket still open 6 s after Shutdown")
			}
			break
		}
		if string(m) == "[DONE]" {
			t.Errorf("[DONE] after a stopped generation")
		}
		if strings.HasPrefix(string(m), `{"error"`) {
			checkErrorBody(t, "stopped", m, "shutting_down")
			sawErr = true
		}
	}
	if !sawErr {
		t.Errorf("no error object before the close")
	}
	if !waitFor(3*time.Second, func() bool { return ts.b.Scheduler().Stats().Active == 0 }) {
		t.Errorf("generation still running after Shutdown")
	}
}
