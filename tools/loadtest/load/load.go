package load

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes a load run. Zero fields take the defaults shown.
type Config struct {
	URL         string        // base URL of the server, e.g. http://127.0.0.1:8080 (required)
	Model       string        // model id sent in each request (required)
	Key         string        // API key sent as a bearer token; empty = none
	Clients     int           // concurrent clients, each with one request at a time; default 64
	Duration    time.Duration // how long clients start new requests; default 60 s
	MaxTokens   int           // max_tokens of each request; default 32
	Prompt      string        // the user message; default a short question
	Timeout     time.Duration // the longest one request may take; default 2 min
	Temperature float64       // sampling temperature; default 0.7
	Seed        int64         // first seed; each request uses the next one
	// Client sends the requests; nil = a client with a keep-alive connection per client.
	Client *http.Client
}

// DefaultPrompt is the user message when Config.Prompt is empty.
const DefaultPrompt = "Write one sentence about the sea."

func (c *Config) defaults() {
	if c.Clients <= 0 {
		c.Clients = 64
	}
	if c.Duration <= 0 {
		c.Duration = 60 * time.Second
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = 32
	}
	if c.Prompt == "" {
		c.Prompt = DefaultPrompt
	}
	if c.Timeout <= 0 {
		c.Timeout = 2 * time.Minute
	}
	if c.Temperature == 0 {
		c.Temperature = 0.7
	}
	c.URL = strings.TrimSuffix(c.URL, "/")
}

// Result is what one request saw.
type Result struct {
	Status  int           // HTTP status; 0 on a transport error before the response
	TTFT    time.Duration // from sending to the first content token; 0 when none came
	Latency time.Duration // from sending to the end of the stream
	Tokens  int           // completion_tokens of the usage chunk
	Usage   bool          // a usage chunk came
	Done    bool          // the stream ended with data: [DONE]
	Err     error         // nil when the request succeeded
}

// Summary aggregates the results of a run. Durations are in milliseconds and seconds so it
// marshals to the JSON the loadtest command prints.
type Summary struct {
	Clients         int            `json:"clients"`
	Requests        int            `json:"requests"`
	Errors          int            `json:"errors"`
	Done            int            `json:"done"` // requests whose stream ended with [DONE]
	Tokens          int            `json:"tokens"`
	DurationS       float64        `json:"duration_s"` // from the first request to the end of the last
	AggTokS         float64        `json:"agg_tok_s"`  // Tokens / DurationS
	TTFTP50         float64        `json:"ttft_p50_ms"`
	TTFTP90         float64        `json:"ttft_p90_ms"`
	TTFTP99         float64        `json:"ttft_p99_ms"`
	LatencyP50      float64        `json:"req_latency_p50_ms"`
	LatencyP99      float64        `json:"req_latency_p99_ms"`
	ErrorSamples    []string       `json:"error_samples,omitempty"` // the first few distinct errors
	ErrorsByMessage map[string]int `json:"-"`
}

// Run starts cfg.Clients clients. Each sends streaming chat completions one after the other
// until cfg.Duration has passed since the start; a request still running then completes
// (within cfg.Timeout) and counts. Run returns when all clients are done, or early, with the
// requests in flight cancelled and counted as errors, when ctx ends. A client pauses 10 ms
// after a failed request.
func Run(ctx context.Context, cfg Config) (*Summary, []Result) {
	cfg.defaults()
	client := cfg.Client
	if client == nil {
		tr := &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        cfg.Clients,
			MaxIdleConnsPerHost: cfg.Clients,
			IdleConnTimeout:     30 * time.Second,
			DisableCompression:  true,
		}
		client = &http.Client{Transport: tr}
		defer tr.CloseIdleConnections()
	}
	var (
		mu      sync.Mutex
		results []Result
		seed    atomic.Int64
		wg      sync.WaitGroup
	)
	seed.Store(cfg.Seed)
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	for range cfg.Clients {
		wg.Go(func() {
			var mine []Result
			for ctx.Err() == nil && time.Now().Before(deadline) {
				r := One(ctx, client, cfg, seed.Add(1))
				mine = append(mine, r)
				if r.Err != nil {
					// Do not spin on a refusing server: the CPUs may be the server's too.
					select {
					case <-ctx.Done():
					case <-time.After(10 * time.Millisecond):
					}
				}
			}
			mu.Lock()
			results = append(results, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	s := Summarize(results, time.Since(start))
	s.Clients = cfg.Clients
	return s, results
}

// One sends one streaming chat completion and reads its events to the end.
func One(ctx context.Context, client *http.Client, cfg Config, seed int64) (r Result) {
	cfg.defaults()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	body, _ := json.Marshal(map[string]any{
		"model":          cfg.Model,
		"messages":       []map[string]string{{"role": "user", "content": cfg.Prompt}},
		"stream":         true,
		"stream_options": map[string]bool{"include_usage": true},
		"max_tokens":     cfg.MaxTokens,
		"temperature":    cfg.Temperature,
		"seed":           seed,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL+"/v1/chat/completions", bytes.NewReader(body))
	if err != nil {
		r.Err = err
		return r
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if cfg.Key != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Key)
	}
	start := time.Now()
	defer func() { r.Latency = time.Since(start) }()
	resp, err := client.Do(req)
	if err != nil {
		r.Err = err
		return r
	}
	defer resp.Body.Close()
	r.Status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		r.Err = fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
		return r
	}
	r.Err = readStream(resp.Body, start, &r)
	if r.Err == nil && !r.Done {
		r.Err = errors.New("stream ended without data: [DONE]")
	}
	if r.Err == nil && !r.Usage {
		r.Err = errors.New("stream had no usage chunk")
	}
	// Drain what is left so the connection can be reused.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return r
}

// chunk is the part of a chat.completion.chunk (or error event) the client looks at.
type chunk struct {
	Choices []struct {
		Delta struct {
			Content          *string `json:"content"`
			ReasoningContent *string `json:"reasoning_content"`
		} `json:"delta"`
	} `json:"choices"`
	Usage *struct {
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
	Error *struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"error"`
}

// readStream reads server-sent events until data: [DONE], recording into r.
func readStream(body io.Reader, start time.Time, r *Result) error {
	br := bufio.NewReaderSize(body, 16<<10)
	var data []byte
	event := ""
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			line = bytes.TrimRight(line, "\r\n")
			switch {
			case len(line) == 0: // end of an event
				if data != nil {
					if e := handleEvent(event, data, start, r); e != nil {
						return e
					}
					if r.Done {
						return nil
					}
				}
				data, event = nil, ""
			case bytes.HasPrefix(line, []byte("data:")):
				v := bytes.TrimPrefix(bytes.TrimPrefix(line, []byte("data:")), []byte(" "))
				if data != nil {
					data = append(data, '\n')
				}
				data = append(data, v...)
				if data == nil {
					data = []byte{}
				}
			case bytes.HasPrefix(line, []byte("event:")):
				event = strings.TrimSpace(string(line[len("event:"):]))
			}
		}
		if err != nil {
			if err == io.EOF {
				if data != nil { // a last event without its blank line
					if e := handleEvent(event, data, start, r); e != nil {
						return e
					}
				}
				return nil
			}
			return err
		}
	}
}

func handleEvent(event string, data []byte, start time.Time, r *Result) error {
	if r.Done {
		return errors.New("data after [DONE]")
	}
	if string(data) == "[DONE]" {
		r.Done = true
		return nil
	}
	var c chunk
	if err := json.Unmarshal(data, &c); err != nil {
		return fmt.Errorf("bad event %.100q: %v", data, err)
	}
	if c.Error != nil || event == "error" {
		msg := string(data)
		if c.Error != nil {
			msg = c.Error.Type + ": " + c.Error.Message
		}
		return fmt.Errorf("error event: %s", msg)
	}
	if r.TTFT == 0 {
		for _, ch := range c.Choices {
			d := ch.Delta
			if (d.Content != nil && *d.Content != "") || (d.ReasoningContent != nil && *d.ReasoningContent != "") {
				r.TTFT = time.Since(start)
				break
			}
		}
	}
	if c.Usage != nil {
		r.Usage = true
		r.Tokens = c.Usage.CompletionTokens
	}
	return nil
}

// Summarize aggregates results over a run of the given wall time.
func Summarize(results []Result, wall time.Duration) *Summary {
	s := &Summary{Requests: len(results), DurationS: wall.Seconds(), ErrorsByMessage: map[string]int{}}
	var ttft, lat []time.Duration
	for _, r := range results {
		s.Tokens += r.Tokens
		if r.Done {
			s.Done++
		}
		if r.Err != nil {
			s.Errors++
			msg := r.Err.Error()
			if s.ErrorsByMessage[msg] == 0 && len(s.ErrorSamples) < 5 {
				s.ErrorSamples = append(s.ErrorSamples, msg)
			}
			s.ErrorsByMessage[msg]++
			continue
		}
		if r.TTFT > 0 {
			ttft = append(ttft, r.TTFT)
		}
		lat = append(lat, r.Latency)
	}
	if s.DurationS > 0 {
		s.AggTokS = round(float64(s.Tokens)/s.DurationS, 2)
	}
	s.DurationS = round(s.DurationS, 3)
	slices.Sort(ttft)
	slices.Sort(lat)
	s.TTFTP50, s.TTFTP90, s.TTFTP99 = pct(ttft, 50), pct(ttft, 90), pct(ttft, 99)
	s.LatencyP50, s.LatencyP99 = pct(lat, 50), pct(lat, 99)
	return s
}

// pct is the p-th percentile (nearest rank) of sorted durations, in milliseconds.
func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	i = min(max(i, 0), len(sorted)-1)
	return round(float64(sorted[i])/float64(time.Millisecond), 1)
}

func round(v float64, digits int) float64 {
	f := math.Pow(10, float64(digits))
	return math.Round(v*f) / f
}

// Write prints a human-readable summary.
func (s *Summary) Write(w io.Writer) {
	fmt.Fprintf(w, "clients        %d\n", s.Clients)
	fmt.Fprintf(w, "requests       %d (%d errors, %d ended with [DONE])\n", s.Requests, s.Errors, s.Done)
	fmt.Fprintf(w, "tokens         %d in %.1f s = %.1f tok/s\n", s.Tokens, s.DurationS, s.AggTokS)
	fmt.Fprintf(w, "TTFT           p50 %.1f ms  p90 %.1f ms  p99 %.1f ms\n", s.TTFTP50, s.TTFTP90, s.TTFTP99)
	fmt.Fprintf(w, "latency        p50 %.1f ms  p99 %.1f ms\n", s.LatencyP50, s.LatencyP99)
	if s.Errors > 0 {
		msgs := make([]string, 0, len(s.ErrorsByMessage))
		for m := range s.ErrorsByMessage {
			msgs = append(msgs, m)
		}
		slices.SortFunc(msgs, func(a, b string) int { return s.ErrorsByMessage[b] - s.ErrorsByMessage[a] })
		for i, m := range msgs {
			if i == 5 {
				fmt.Fprintf(w, "  ... %d more kinds\n", len(msgs)-5)
				break
			}
			fmt.Fprintf(w, "  %5d× %s\n", s.ErrorsByMessage[m], m)
		}
	}
}
