package edge_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/deepgo/deepgo/edge"
	"github.com/fasthttp/websocket"
)

// TestStreamTimeout: a stream that lasts --stream-timeout ends with an error event
// (code stream_timeout) and a whole HTTP response, not a cut socket; its slot is free
// again and the server answers the next request.
func TestStreamTimeout(t *testing.T) {
	const limit = 700 * time.Millisecond
	ts := start(t, setup{slots: 1, endless: true, edge: edge.Config{StreamTimeout: limit * slow}})
	for _, route := range []string{"/v1/chat/completions", "/v1/completions"} {
		t.Run(route, func(t *testing.T) {
			body := chatBody("an endless story", 3000, true, nil)
			if route == "/v1/completions" {
				body = completionBody("In the beginning", 3000, true, nil)
			}
			t0 := time.Now()
			resp, err := ts.stream(context.Background(), route, "", body)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			events, err := sseEvents(resp.Body, 0) // to the end of the body: the server ends it
			if err != nil {
				t.Fatalf("after %d events: %v (a cut stream?)", len(events), err)
			}
			took := time.Since(t0)
			if len(events) < 2 {
				t.Fatalf("events %q", events)
			}
			last := events[len(events)-1]
			var e apiError
			if err := json.Unmarshal([]byte(last), &e); err != nil || e.Error == nil || e.Error.Code == nil || *e.Error.Code != "stream_timeout" {
				t.Fatalf("last event %q, want an error with code stream_timeout", last)
			}
			if !strings.Contains(*e.Error.Message, "limit") {
				t.Errorf("message %q", *e.Error.Message)
			}
			if took < limit*slow || took > limit*slow+5*time.Second*slow {
				t.Errorf("the stream lasted %v; limit %v", took, limit*slow)
			}
			if !waitFor(2*time.Second*slow, func() bool { return ts.b.Scheduler().Stats().Active == 0 }) {
				t.Fatalf("the generation still runs after its stream timed out: %+v", ts.b.Scheduler().Stats())
			}
			if r := ts.doT(t, "POST", "/v1/chat/completions", "", chatBody("next", 3, false, nil)); r.status != 200 {
				t.Errorf("next request: %d %s", r.status, r.body)
			}
		})
	}
}

// TestWebSocketDisconnect: a WebSocket closed while its reply streams stops the
// generation and counts as a client disconnect in /metrics, as an SSE client does.
func TestWebSocketDisconnect(t *testing.T) {
	ts := start(t, setup{slots: 1, endless: true})
	before := metricValue(t, string(ts.do("GET", "/metrics", "", nil).body), "deepgo_client_disconnects_total")
	c, _, err := ts.dialWS("", "")
	if err != nil {
		t.Fatal(err)
	}
	wsSend(t, c, chatBody("an endless story", 3000, true, nil))
	for range 3 {
		wsRead(t, c)
	}
	if st := ts.b.Scheduler().Stats(); st.Active != 1 {
		t.Errorf("Active %d while streaming", st.Active)
	}
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second))
	c.Close()
	if !waitFor(2*time.Second*slow, func() bool { return ts.b.Scheduler().Stats().Active == 0 }) {
		t.Fatalf("the generation still runs after the WebSocket closed: %+v", ts.b.Scheduler().Stats())
	}
	var after float64
	waitFor(2*time.Second, func() bool {
		after = metricValue(t, string(ts.do("GET", "/metrics", "", nil).body), "deepgo_client_disconnects_total")
		return after == before+1
	})
	if after != before+1 {
		t.Errorf("deepgo_client_disconnects_total %v, want %v", after, before+1)
	}
}
