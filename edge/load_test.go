package edge_test

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/deepgo/deepgo/core/synth"
	"github.com/deepgo/deepgo/edge"
	"github.com/deepgo/deepgo/tools/loadtest/load"
)

// TestLoad serves the tiny synthetic model in-process and runs 64 streaming clients against
// it (the loadtest command's client logic) for DEEPGO_LOAD_SECONDS seconds (default 5),
// each request asking for DEEPGO_LOAD_MAX_TOKENS tokens (default 4, so that the 64 requests
// still queued when the time is up drain in a few seconds; the 60 s run of
// docs/load-section.md uses 32). It checks that no request failed and every stream ended
// with [DONE], that /metrics counted the tokens the clients saw, that the goroutines are
// gone after shutdown, and that the process's peak RSS stayed bounded. The peak depends on
// the heap earlier tests leave live (the garbage collector's target grows with it), so the
// other server tests live in files that sort after this one.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	seconds := loadEnvInt(t, "DEEPGO_LOAD_SECONDS", 5)
	maxTokens := loadEnvInt(t, "DEEPGO_LOAD_MAX_TOKENS", 4)
	const clients = 64

	dir := t.TempDir()
	cfg, err := synth.Shape("tiny", 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteHF(dir, cfg, synth.Options{Seed: 5}); err != nil {
		t.Fatal(err)
	}
	modelBytes := loadDirSize(t, dir)

	// Measure from here: give the heap of the model's synthesis and of earlier tests back to
	// the kernel and reset the peak RSS (Linux 4.0+; where the reset fails the peak includes
	// the synthesis and earlier tests, which makes the check stricter than meant).
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	baseRSS := max(procStatus("VmRSS:"), 0) // the test binary and what earlier tests still hold
	baseGoroutines := loadGoroutines()

	h := openai.NewHandler(openai.Options{ModelName: "tiny"})
	b, err := openai.OpenBackend(dir, openai.BackendOptions{Threads: 2, Slots: 4, Queue: 128})
	if err != nil {
		t.Fatal(err)
	}
	h.SetBackend(b)
	srv := edge.New(edge.Config{Addr: "127.0.0.1:0", Handler: h})
	if err := srv.Listen(); err != nil {
		b.Close()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	url := "http://" + srv.Addr()
	shutdown := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("close backend: %v", err)
		}
	}

	s, results := load.Run(context.Background(), load.Config{URL: url, Model: "tiny", Clients: clients,
		Duration: time.Duration(seconds) * time.Second, MaxTokens: maxTokens, Timeout: 5 * time.Minute, Seed: 1})
	t.Logf("%d clients, %d s, max_tokens %d: %d requests, %d errors, %d tokens in %.1f s = %.1f tok/s; "+
		"TTFT p50 %.0f ms p99 %.0f ms; latency p50 %.0f ms p99 %.0f ms",
		clients, seconds, maxTokens, s.Requests, s.Errors, s.Tokens, s.DurationS, s.AggTokS,
		s.TTFTP50, s.TTFTP99, s.LatencyP50, s.LatencyP99)

	if s.Requests < clients {
		t.Errorf("%d requests, want at least one per client (%d)", s.Requests, clients)
	}
	if s.Errors != 0 {
		t.Errorf("%d of %d requests failed; first errors: %q", s.Errors, s.Requests, s.ErrorSamples)
	}
	if s.Done != s.Requests {
		t.Errorf("%d of %d streams ended with [DONE]", s.Done, s.Requests)
	}
	for _, r := range results {
		if r.Err == nil && (r.Tokens < 1 || r.Tokens > maxTokens) {
			t.Errorf("a request reported %d completion tokens, want 1..%d", r.Tokens, maxTokens)
			break
		}
	}

	// The server's count of generated tokens is the clients' sum.
	mc := &http.Client{Timeout: 10 * time.Second}
	metrics, err := loadMetric(mc, url, "deepgo_completion_tokens_total")
	mc.CloseIdleConnections()
	if err != nil {
		t.Error(err)
	} else if metrics != int64(s.Tokens) {
		t.Errorf("/metrics: deepgo_completion_tokens_total %d, the clients saw %d", metrics, s.Tokens)
	}

	shutdown()

	// Every goroutine of the server, the scheduler, the worker threads and the clients'
	// connections ends. Two of fasthttp's are left out of the count: the process-wide
	// server-date ticker (started once, never stopped) and the worker pool's cleaner, which
	// sees the stop only when its 10 s sleep ends.
	n := loadGoroutines()
	for end := time.Now().Add(15 * time.Second); n > baseGoroutines && time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
		n = loadGoroutines()
	}
	if n > baseGoroutines {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%d goroutines after shutdown, %d before the server started\n%s", n, baseGoroutines, buf)
	} else {
		t.Logf("goroutines: %d before the server started, %d after shutdown (%d in all)", baseGoroutines, n, runtime.NumGoroutine())
	}

	// Peak RSS: what the process held when the measurement began (the test binary, and what
	// earlier tests of the package still hold) plus the mapped weights (all touched: the
	// embeddings and lm_head are most of the file) plus 200 MiB for the Go heap and stacks —
	// the 4 slots' KV caches (≈ 2.6 MB each at 4096 tokens) and the 64 connections' buffers
	// on both sides. A leak per request or a copy of the weights would break it.
	if peak, ok := loadPeakRSS(); ok {
		bound := baseRSS + modelBytes + 200<<20
		t.Logf("peak RSS %.1f MiB (at the start %.1f MiB, model %.1f MiB, bound %.1f MiB)", float64(peak)/(1<<20),
			float64(baseRSS)/(1<<20), float64(modelBytes)/(1<<20), float64(bound)/(1<<20))
		if peak > bound {
			t.Errorf("peak RSS %d MiB, above the bound of %d MiB", peak>>20, bound>>20)
		}
	}
}

// loadGoroutines counts the goroutines but fasthttp's two that outlive a server for a while
// or for good (see TestLoad).
func loadGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.HasPrefix(g, "goroutine ") && !strings.Contains(g, "fasthttp.updateServerDate") &&
			!strings.Contains(g, "fasthttp.(*workerPool).Start.func") {
			count++
		}
	}
	return count
}

// loadEnvInt reads a positive integer from the environment, or returns def.
func loadEnvInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// loadDirSize is the size of the files under dir.
func loadDirSize(t *testing.T, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// loadMetric reads one unlabelled integer metric from GET /metrics.
func loadMetric(c *http.Client, url, name string) (int64, error) {
	resp, err := c.Get(url + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, &loadMissingMetric{name}
}

type loadMissingMetric struct{ name string }

func (e *loadMissingMetric) Error() string { return "/metrics has no " + e.name }

// loadPeakRSS is the process's peak resident set (VmHWM) in bytes; false where
// /proc/self/status is missing (not Linux).
func loadPeakRSS() (int64, bool) {
	n := procStatus("VmHWM:")
	return n, n >= 0
}
