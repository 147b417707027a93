package edge_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/deepgo/deepgo/edge"
)

// A child is this test binary run again as a server alone, so that a test can measure a
// server's memory, goroutines and file descriptors without its own clients in the count.
// The parent starts it with childEnv set to the JSON of childConfig; the child prints
// "addr HOST:PORT", then answers commands on stdin one line each:
//
//	stats      a JSON childStats line, taken after giving freed heap back to the kernel
//	resetpeak  "ok", after resetting the peak RSS (VmHWM) to the current RSS
//	cpu        the CPU time the process has used, in nanoseconds (no collection first)
//
// and shuts down when stdin closes.
const childEnv = "DEEPGO_EDGE_CHILD"

// childConfig configures a child server.
type childConfig struct {
	Model            string
	Slots, Queue     int
	Ctx              int
	Threads          int
	MaxConns         int
	FirstByteTimeout time.Duration
	ReadTimeout      time.Duration
	TPM, RPM         int
}

// childStats is what a child reports of itself.
type childStats struct {
	Goroutines int   // runtime.NumGoroutine
	RSS, Peak  int64 // VmRSS and VmHWM, bytes
	HeapInuse  int64 // bytes
	FDs        int   // open file descriptors
	Active     int   // generating slots
	Queued     int   // queued requests
	Conns      int64 // open connections, from /metrics
}

// child is a running child server.
type child struct {
	t    *testing.T
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	addr string
	base string
}

// startChild runs a child server with c (its Model filled in) until the test ends.
func startChild(t *testing.T, c childConfig) *child {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("measures the child through /proc")
	}
	dir, err := modelDir()
	if err != nil {
		t.Fatal(err)
	}
	c.Model = dir
	cfg, _ := json.Marshal(c)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(cfg))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := &child{t: t, cmd: cmd, in: in, out: bufio.NewReader(outPipe)}
	t.Cleanup(func() {
		in.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("child server: %v", err)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("the child server did not stop")
		}
	})
	line := ch.line()
	addr, ok := strings.CutPrefix(line, "addr ")
	if !ok {
		t.Fatalf("child server: %q", line)
	}
	ch.addr, ch.base = addr, "http://"+addr
	return ch
}

func (c *child) line() string {
	c.t.Helper()
	type res struct {
		s   string
		err error
	}
	got := make(chan res, 1)
	go func() {
		s, err := c.out.ReadString('\n')
		got <- res{s, err}
	}()
	select {
	case r := <-got:
		if r.err != nil {
			c.t.Fatalf("child server: %v", r.err)
		}
		return strings.TrimSpace(r.s)
	case <-time.After(60 * time.Second):
		c.t.Fatalf("child server: no answer in 60 s")
	}
	return ""
}

func (c *child) command(cmd string) string {
	c.t.Helper()
	if _, err := io.WriteString(c.in, cmd+"\n"); err != nil {
		c.t.Fatalf("child server: %v", err)
	}
	return c.line()
}

// stats asks the child for its numbers.
func (c *child) stats() childStats {
	c.t.Helper()
	var s childStats
	if err := json.Unmarshal([]byte(c.command("stats")), &s); err != nil {
		c.t.Fatalf("child stats: %v", err)
	}
	return s
}

// cpu is the CPU time the child has used so far.
func (c *child) cpu() time.Duration {
	c.t.Helper()
	n, err := strconv.ParseInt(c.command("cpu"), 10, 64)
	if err != nil {
		c.t.Fatalf("child cpu: %v", err)
	}
	return time.Duration(n)
}

// resetPeak starts the peak RSS anew.
func (c *child) resetPeak() {
	c.t.Helper()
	if r := c.command("resetpeak"); r != "ok" {
		c.t.Fatalf("resetpeak: %q", r)
	}
}

// runChild is the child's main.
func runChild() int {
	var c childConfig
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &c); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	h := openai.NewHandler(openai.Options{ModelName: "tiny", RPM: c.RPM, TPM: c.TPM})
	b, err := openai.OpenBackend(c.Model, openai.BackendOptions{Threads: max(c.Threads, 1), Slots: c.Slots, Queue: c.Queue, Context: c.Ctx})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	h.SetBackend(b)
	srv := edge.New(edge.Config{Addr: "127.0.0.1:0", Handler: h, MaxConns: c.MaxConns,
		FirstByteTimeout: c.FirstByteTimeout, ReadTimeout: c.ReadTimeout})
	if err := srv.Listen(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	fmt.Printf("addr %s\n", srv.Addr())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "stats":
			debug.FreeOSMemory()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			st := b.Scheduler().Stats()
			s := childStats{Goroutines: runtime.NumGoroutine(), HeapInuse: int64(ms.HeapInuse), FDs: openFDs(),
				Active: st.Active, Queued: st.Queued, Conns: openConns(h)}
			s.RSS, s.Peak = procStatus("VmRSS:"), procStatus("VmHWM:")
			out, _ := json.Marshal(s)
			fmt.Printf("%s\n", out)
		case "cpu":
			var ru syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			fmt.Println(ru.Utime.Nano() + ru.Stime.Nano())
		case "resetpeak":
			debug.FreeOSMemory()
			os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
			fmt.Println("ok")
		default:
			fmt.Println("unknown command")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "child: shutdown:", err)
		return 1
	}
	if err := <-served; err != nil {
		fmt.Fprintln(os.Stderr, "child: serve:", err)
		return 1
	}
	if err := b.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "child: close:", err)
		return 1
	}
	return 0
}

// openFDs counts the process's open file descriptors.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// openConns reads deepgo_connections_open from the handler's /metrics.
func openConns(h *openai.Handler) int64 {
	r := h.Handle(context.Background(), &openai.Request{Method: "GET", Path: "/metrics"})
	for line := range strings.SplitSeq(string(r.Body), "\n") {
		if v, ok := strings.CutPrefix(line, "deepgo_connections_open "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int64(n)
		}
	}
	return -1
}

// procStatus reads a kB field of /proc/self/status, in bytes.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return -1
}
