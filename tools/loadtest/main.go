// Command loadtest drives an OpenAI-compatible server (such as `deepgo serve`) with
// concurrent streaming chat completions and reports throughput, time to first token and
// request latency.
//
// Usage:
//
//	go run ./tools/loadtest --url http://127.0.0.1:8080 --model deepseek-v3-kjv-q8_0 \
//	    [--clients 64] [--duration 60s] [--max-tokens 32] [--prompt TEXT] \
//	    [--timeout 2m] [--key KEY] [--seed 1] [--json]
//
// Each of --clients clients loops: it POSTs /v1/chat/completions with "stream": true,
// stream_options.include_usage, temperature 0.7 and a different seed each time (counting
// up from --seed), and reads the server-sent events until data: [DONE]. It records the
// time to the first content token (TTFT), the completion tokens of the usage chunk, the
// whole request's latency, and errors: a status other than 200, a transport error or
// timeout, an error event, or a stream without [DONE] or without usage. Clients start new requests for --duration; requests still running
// then are allowed to finish (each bounded by --timeout) and count. Aggregate tok/s is the
// completion tokens over the wall time from the start to the end of the last request.
//
// The summary goes to stdout; with --json it is one JSON object instead: requests, errors,
// tokens, duration_s, agg_tok_s, ttft_p50_ms, ttft_p90_ms, ttft_p99_ms, req_latency_p50_ms,
// req_latency_p99_ms (and clients, done, error_samples). The exit status is 1 if any request
// failed, 2 on bad flags. The key defaults to $OPENAI_API_KEY.
//
//	main.go  the flags, and the summary printed or written as JSON
//	load/    package load: the clients, one request's stream, and the summary, which the
//	         edge package's load test shares
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/deepgo/deepgo/tools/loadtest/load"
)

func main() {
	os.Exit(run())
}

func run() int {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "base URL of the server")
	model := fs.String("model", "", "model id to request (required)")
	key := fs.String("key", "", "API key sent as a bearer token (default: $OPENAI_API_KEY)")
	clients := fs.Int("clients", 64, "concurrent clients, one request at a time each")
	duration := fs.Duration("duration", 60*time.Second, "how long clients start new requests")
	maxTokens := fs.Int("max-tokens", 32, "max_tokens of each request")
	prompt := fs.String("prompt", load.DefaultPrompt, "the user message")
	timeout := fs.Duration("timeout", 2*time.Minute, "the longest one request may take")
	seed := fs.Int64("seed", 1, "requests use seeds counting up from this one, the first seed+1")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: loadtest --url http://127.0.0.1:8080 --model ID [flags]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *model == "" || *clients <= 0 || *duration <= 0 || *maxTokens <= 0 || *timeout <= 0 {
		fmt.Fprintln(os.Stderr, "loadtest: --model is required, and --clients, --duration, --max-tokens and --timeout must be positive")
		return 2
	}
	if *key == "" {
		*key = os.Getenv("OPENAI_API_KEY")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !*asJSON {
		fmt.Fprintf(os.Stderr, "loadtest: %d clients for %s against %s (model %s, max_tokens %d)\n",
			*clients, *duration, *url, *model, *maxTokens)
	}
	s, _ := load.Run(ctx, load.Config{URL: *url, Model: *model, Key: *key, Clients: *clients,
		Duration: *duration, MaxTokens: *maxTokens, Prompt: *prompt, Timeout: *timeout, Seed: *seed})
	if *asJSON {
		b, _ := json.Marshal(s)
		fmt.Println(string(b))
	} else {
		s.Write(os.Stdout)
	}
	if s.Errors > 0 {
		if *asJSON {
			s.Write(os.Stderr)
		}
		return 1
	}
	return 0
}
