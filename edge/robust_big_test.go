package edge_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBigPrompts sends four 7 MB prompts at once to a server alone in its process (issue
// 14: each took 13 s and RSS went from 51 MB to 2.5 GB). Each must be refused in under
// 100 ms — certainly too long by its length in bytes, before it is tokenized — and the
// server's peak RSS must stay under 200 MB.
//
// Other packages' tests may run beside this one on a machine of two cores, so the time is
// judged by the server's CPU time for the four (under 100 ms each, in the best of three
// rounds), and the wall-clock time is logged, and held to a second. The first round runs
// on a heap just given back to the kernel (to measure the peak from there): its memory
// faults in page by page, so it costs more than the next two.
func TestBigPrompts(t *testing.T) {
	srv := startChild(t, childConfig{Slots: 2, Queue: 4, Threads: 1})
	c := newClient(30 * time.Second)
	// Warm up: a normal request maps the pages a reply touches.
	if r, err := c.Post(srv.base+"/v1/completions", "application/json", strings.NewReader(`{"model":"tiny","prompt":"Hi","max_tokens":2}`)); err != nil || r.StatusCode != 200 {
		t.Fatalf("warm-up: %v %v", r, err)
	} else {
		r.Body.Close()
	}
	text := strings.Repeat("All work and no play makes Jack a dull boy. ", 7<<20/45)
	bodies := []string{
		`{"model":"tiny","messages":[{"role":"user","content":"` + text + `"}]}`,
		`{"model":"tiny","prompt":"` + text + `"}`,
		`{"model":"tiny","messages":[{"role":"system","content":"` + text[:len(text)/2] + `"},{"role":"user","content":"` + text[len(text)/2:] + `"}],"stream":true}`,
		`{"model":"tiny","prompt":"` + text + `","stream":true,"max_tokens":5}`,
	}
	routes := []string{"/v1/chat/completions", "/v1/completions", "/v1/chat/completions", "/v1/completions"}
	var best, bestCPU time.Duration
	before := srv.stats()
	srv.resetPeak()
	for round := range 3 {
		cpu0 := srv.cpu()
		took := bigPrompts(t, c, srv.base, routes, bodies)
		cpu := (srv.cpu() - cpu0) / time.Duration(len(bodies))
		report(t, "round %d: four 7 MB prompts at once refused in %v, %v of server CPU time each", round, took, cpu.Round(time.Millisecond))
		if slowest := slices.Max(took); round == 0 || slowest < best {
			best = slowest
		}
		if round == 0 || cpu < bestCPU {
			bestCPU = cpu
		}
	}
	after := srv.stats()
	peak := after.Peak
	report(t, "server RSS %.1f MB before, peak %.1f MB, %.1f MB after", float64(before.RSS)/1e6, float64(peak)/1e6, float64(after.RSS)/1e6)
	if slow > 1 {
		return // the race detector's memory and pace: the bounds below mean nothing
	}
	if bestCPU > 100*time.Millisecond {
		t.Errorf("each 7 MB prompt cost the server %v of CPU time to refuse; want under 100 ms", bestCPU)
	}
	if best > time.Second {
		t.Errorf("the slowest of four 7 MB prompts took %v to be refused", best)
	}
	if peak > 200e6 {
		t.Errorf("peak RSS %.1f MB; want under 200 MB", float64(peak)/1e6)
	}
}

// bigPrompts sends the bodies at once and returns how long each took to be refused with
// 400 context_length_exceeded.
func bigPrompts(t *testing.T, c *http.Client, base string, routes, bodies []string) []time.Duration {
	var wg sync.WaitGroup
	took := make([]time.Duration, len(bodies))
	for i, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", base+routes[i], strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			t0 := time.Now()
			resp, err := c.Do(req)
			if err != nil {
				t.Errorf("prompt %d: %v", i, err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			took[i] = time.Since(t0)
			var e apiError
			if resp.StatusCode != 400 || json.Unmarshal(b, &e) != nil || e.Error == nil || ptr(e.Error.Code) != "context_length_exceeded" {
				t.Errorf("prompt %d: %d %.200s; want 400 context_length_exceeded", i, resp.StatusCode, b)
			}
		}()
	}
	wg.Wait()
	return took
}
