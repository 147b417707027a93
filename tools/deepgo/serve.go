package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/deepgo/deepgo/core/mmap"
	"github.com/deepgo/deepgo/edge"
)

// runServe serves a model over the OpenAI API:
//
//	deepgo serve --model PATH [--addr 127.0.0.1:8080] [--api-keys FILE] [...]
//
// The server listens at once and answers /health; the model loads in the background and
// /ready turns 200 when it is loaded. SIGINT or SIGTERM shut it down gracefully.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "model: a GGUF file or a Hugging Face checkpoint directory")
	tokPath := fs.String("tokenizer", "", "tokenizer.json, a directory holding it, or a GGUF file (default: the model's)")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	name := fs.String("name", "", "model id clients use (default: the file name without .gguf)")
	threads := fs.Int("t", 0, "threads (0 = one per CPU)")
	var budget sizeFlag
	fs.Var(&budget, "expert-budget", "keep the routed experts' weights under `BYTES` of memory, releasing the least recently used (512M, 2G; 0 = no limit; or set DEEPGO_EXPERT_BUDGET)")
	var kvBudget sizeFlag
	fs.Var(&kvBudget, "kv-budget", "keep all slots' KV caches under `BYTES` together: requests wait for room (256M, 1G; 0 = no limit; or set DEEPGO_KV_BUDGET)")
	slots := fs.Int("slots", 4, "generations at once, each with its own KV cache")
	queue := fs.Int("queue", 64, "requests that may wait for a slot; more get 503")
	ctxLen := fs.Int("ctx", 4096, "context per slot in tokens, prompt and reply (capped by the model's)")
	maxTokens := fs.Int("max-tokens", 0, "cap on max_tokens, and the default when a chat request gives none (0 = the rest of the context)")
	maxPrompt := fs.Int("max-prompt-tokens", 0, "refuse longer prompts with 400 (0 = the context less one)")
	keysFile := fs.String("api-keys", "", "file of API keys, one a line, each optionally followed by rpm=N tpm=N (or set DEEPGO_API_KEYS)")
	rpm := fs.Int("rpm", 0, "requests per minute per key, or per client address without keys (0 = no limit)")
	tpm := fs.Int("tpm", 0, "tokens per minute per key, or per client address without keys (0 = no limit)")
	maxBody := fs.Int("max-body", openai.DefaultMaxBody, "largest request body in bytes (413 beyond)")
	maxConns := fs.Int("max-conns", 1024, "open connections at once, WebSockets included; more are answered 503")
	readTimeout := fs.Duration("read-timeout", 30*time.Second, "time to read a request")
	writeTimeout := fs.Duration("write-timeout", 10*time.Minute, "time to answer a non-streamed request, generation included")
	streamTimeout := fs.Duration("stream-timeout", 30*time.Minute, "the longest a streamed reply may last")
	idleTimeout := fs.Duration("idle-timeout", 2*time.Minute, "idle keep-alive and WebSocket connections are closed after this")
	firstByte := fs.Duration("first-byte-timeout", 5*time.Second, "a new connection that sends nothing for this long is closed")
	shutdownTimeout := fs.Duration("shutdown-timeout", 30*time.Second, "on SIGTERM, how long running replies may take to finish")
	noPlayground := fs.Bool("no-playground", false, "do not serve the web playground on /")
	temp := fs.Float64("temp", 1, "temperature when a request gives none (OpenAI's default is 1)")
	topP := fs.Float64("top-p", 1, "top_p when a request gives none")
	verbose := fs.Bool("v", false, "log debug messages")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo serve --model PATH [--addr 127.0.0.1:8080] [--api-keys FILE] [flags]\n\n")
		fmt.Fprintf(stderr, "Serves the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models), /ws,\n")
		fmt.Fprintf(stderr, "/health, /ready, /metrics and a playground page on /.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return fmt.Errorf("--model is required")
	}
	if _, err := os.Stat(*model); err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	for _, b := range []struct {
		f   *sizeFlag
		env string
	}{{&budget, "DEEPGO_EXPERT_BUDGET"}, {&kvBudget, "DEEPGO_KV_BUDGET"}} {
		if env := os.Getenv(b.env); env != "" && !b.f.set {
			if err := b.f.Set(env); err != nil {
				return fmt.Errorf("%s: %w", b.env, err)
			}
		}
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	keys, err := loadKeys(*keysFile)
	if err != nil {
		return err
	}
	if *name == "" {
		*name = openai.ModelName(*model)
	}
	h := openai.NewHandler(openai.Options{ModelName: *name, Keys: keys, RPM: *rpm, TPM: *tpm,
		MaxTokens: *maxTokens, MaxPromptTokens: *maxPrompt, Defaults: openai.Defaults{Temperature: *temp, TopP: *topP}})
	srv := edge.New(edge.Config{Addr: *addr, Handler: h, Log: log, MaxBody: *maxBody, ReadTimeout: *readTimeout,
		WriteTimeout: *writeTimeout, StreamTimeout: *streamTimeout, IdleTimeout: *idleTimeout, FirstByteTimeout: *firstByte, MaxConns: *maxConns,
		NoPlayground: *noPlayground})
	if err := srv.Listen(); err != nil {
		return err
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve() }()
	auth := "no API key needed"
	if keys != nil {
		auth = fmt.Sprintf("%d API keys", keys.Len())
	}
	log.Info("listening", "addr", "http://"+srv.Addr(), "model", *name, "auth", auth)

	// Load the model while /health already answers.
	loaded := make(chan error, 1)
	var backend *openai.Backend
	go func() {
		start := time.Now()
		b, err := openai.OpenBackend(*model, openai.BackendOptions{Tokenizer: *tokPath, Threads: *threads,
			Slots: *slots, Queue: *queue, Context: *ctxLen, ExpertBudget: budget.n, KVBudget: kvBudget.n})
		if err == nil {
			backend = b
			h.SetBackend(b)
			log.Info("model loaded", "path", *model, "threads", b.Scheduler().Model().Threads(),
				"slots", *slots, "context", b.Scheduler().Context(), "expert_budget", budget.String(),
				"took", time.Since(start).Round(time.Millisecond))
		}
		loaded <- err
	}()

	var runErr error
	select {
	case err := <-loaded:
		if err != nil {
			runErr = fmt.Errorf("load %s: %w", *model, err)
			break
		}
		select {
		case err := <-serveErr:
			runErr = err
		case <-ctx.Done():
		}
	case err := <-serveErr:
		runErr = err
	case <-ctx.Done():
	}
	log.Info("shutting down", "deadline", *shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Warn("shutdown", "err", err)
	} else if err != nil {
		log.Warn("shutdown deadline passed: running replies were stopped")
	}
	if backend != nil {
		backend.Close()
	}
	return runErr
}

// loadKeys reads the API keys from file, or from DEEPGO_API_KEYS; nil when neither is set.
func loadKeys(file string) (*openai.Keys, error) {
	if file != "" {
		b, err := mmap.ReadFile(file, maxKeysFile)
		if err != nil {
			return nil, fmt.Errorf("--api-keys: %w", err)
		}
		return openai.ParseKeys(bytes.NewReader(b), file)
	}
	if env := os.Getenv("DEEPGO_API_KEYS"); env != "" {
		return openai.ParseKeys(strings.NewReader(env), "DEEPGO_API_KEYS")
	}
	return nil, nil
}

// maxKeysFile bounds the API keys file: a million keys with their limits.
const maxKeysFile = 64 << 20

// sizeFlag is a flag of a size in bytes, with an optional suffix K, M, G or T (512M, 2G).
type sizeFlag struct {
	n   int64
	set bool
}

func (f *sizeFlag) String() string {
	if f == nil || f.n == 0 {
		return "0"
	}
	return strconv.FormatInt(f.n, 10)
}

func (f *sizeFlag) Set(s string) error {
	n, err := openai.ParseSize(s)
	if err != nil {
		return err
	}
	f.n, f.set = n, true
	return nil
}
