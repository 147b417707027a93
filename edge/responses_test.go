package edge_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// responseEvent is what these tests read of a Responses API stream event.
type responseEvent struct {
	Type           string `json:"type"`
	SequenceNumber int    `json:"sequence_number"`
	Delta          string `json:"delta"`
	Code           string `json:"code"`
	Response       *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Output []struct {
			Type    string `json:"type"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"output"`
		Usage *struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
		} `json:"usage"`
	} `json:"response"`
}

// readResponseEvents reads a Responses stream: each event "event: TYPE\ndata: JSON\n\n"
// whose data's type is TYPE and whose sequence numbers count from 0, until the body ends
// or n events were read (n <= 0: all).
func readResponseEvents(t *testing.T, r io.Reader, n int) []responseEvent {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var events []responseEvent
	name := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || name == "" {
			t.Fatalf("not an event's data line after its name: %q", line)
		}
		var ev responseEvent
		if err := json.Unmarshal([]byte(data), &ev); err != nil || ev.Type != name || ev.SequenceNumber != len(events) {
			t.Fatalf("event %d %q: %+v %v", len(events), data, ev, err)
		}
		events = append(events, ev)
		name = ""
		if n > 0 && len(events) == n {
			break
		}
	}
	return events
}

// TestResponses runs the Responses API through the server: a response, the same streamed,
// a next one by previous_response_id and a kept one read back.
func TestResponses(t *testing.T) {
	ts := start(t, setup{})
	body := map[string]any{"model": "tiny", "instructions": "Be brief.", "input": "Who made the heaven and the earth?", "temperature": 0, "max_output_tokens": 10}
	r := ts.do("POST", "/v1/responses", "", body)
	var whole struct {
		ID     string `json:"id"`
		Object string `json:"object"`
		Status string `json:"status"`
		Output []struct {
			Type    string `json:"type"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"output"`
		Usage struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
		} `json:"usage"`
	}
	if r.status != 200 || json.Unmarshal(r.body, &whole) != nil || whole.Object != "response" || len(whole.Output) != 1 ||
		len(whole.Output[0].Content) != 1 || whole.Usage.OutputTokens < 1 {
		t.Fatalf("%d %s", r.status, r.body)
	}

	body["stream"] = true
	resp, err := ts.stream(t.Context(), "/v1/responses", "", body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("stream: %d %s", resp.StatusCode, ct)
	}
	events := readResponseEvents(t, resp.Body, 0)
	resp.Body.Close()
	var text strings.Builder
	for _, ev := range events {
		if ev.Type == "response.output_text.delta" {
			text.WriteString(ev.Delta)
		}
	}
	last := events[len(events)-1]
	if events[0].Type != "response.created" || last.Response == nil || last.Response.Status != whole.Status ||
		last.Type != "response."+whole.Status ||
		text.String() != whole.Output[0].Content[0].Text {
		t.Errorf("streamed %q ending %+v; non-streamed %q (%s)", text.String(), last, whole.Output[0].Content[0].Text, whole.Status)
	}

	next := ts.do("POST", "/v1/responses", "", map[string]any{"model": "tiny", "previous_response_id": whole.ID, "input": "And then?", "max_output_tokens": 2})
	var n struct {
		PreviousResponseID string `json:"previous_response_id"`
		Usage              struct {
			InputTokens int `json:"input_tokens"`
		} `json:"usage"`
	}
	if next.status != 200 || json.Unmarshal(next.body, &n) != nil || n.PreviousResponseID != whole.ID || n.Usage.InputTokens <= whole.Usage.OutputTokens {
		t.Errorf("next: %d %s", next.status, next.body)
	}
	if got := ts.do("GET", "/v1/responses/"+whole.ID, "", nil); got.status != 200 || !strings.Contains(string(got.body), whole.ID) {
		t.Errorf("GET: %d %s", got.status, got.body)
	}
	checkError(t, "unknown previous_response_id", ts.do("POST", "/v1/responses", "", map[string]any{"model": "tiny", "previous_response_id": "resp_x", "input": "x"}),
		400, "previous_response_not_found")
	checkError(t, "unknown parameter", ts.do("POST", "/v1/responses", "", map[string]any{"model": "tiny", "input": "x", "conversation": "c"}),
		400, "unknown_parameter")
	if m := ts.do("GET", "/metrics", "", nil); !strings.Contains(string(m.body), `deepgo_requests_total{route="/v1/responses",code="200"}`) {
		t.Errorf("metrics: no /v1/responses requests")
	}
}

// TestResponsesClientGone: a client that leaves a Responses stream stops its generation.
func TestResponsesClientGone(t *testing.T) {
	ts := start(t, setup{endless: true})
	ctx, cancel := context.WithCancel(t.Context())
	resp, err := ts.stream(ctx, "/v1/responses", "", map[string]any{"model": "tiny", "input": "x", "stream": true, "max_output_tokens": 2000})
	if err != nil {
		t.Fatal(err)
	}
	if evs := readResponseEvents(t, resp.Body, 6); len(evs) != 6 || evs[5].Type != "response.output_text.delta" {
		t.Fatalf("events %+v", evs)
	}
	cancel()
	resp.Body.Close()
	if !waitFor(10*time.Second, func() bool { return ts.b.Scheduler().Stats().Active == 0 }) {
		t.Errorf("the generation goes on after its client left: %+v", ts.b.Scheduler().Stats())
	}
}
