package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/deepgo/deepgo/edge"
)

// runServe serves a model over the OpenAI API:
//
//	deepgo serve --model PATH [--addr 127.0.0.1:8080] [--api-keys FILE] [...]
//
// Every setting is a flag and an environment variable (openai.Config and edge.Config
// register them: the same variables as the Lambda and Cloud Functions deployments); a
// flag wins over the environment. The server listens at once and answers /health; the
// model loads in the background and /ready turns 200 when it is loaded. SIGINT or SIGTERM
// shut it down gracefully.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sc serveConfig
	var settings openai.Settings
	sc.register(&settings)
	settings.Flags(fs)
	cfg, ecfg := &sc.Config, &sc.Edge
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo serve --model PATH [--addr 127.0.0.1:8080] [--api-keys FILE] [flags]\n\n")
		fmt.Fprintf(stderr, "Serves the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models), /ws,\n")
		fmt.Fprintf(stderr, "/health, /ready, /metrics and a playground page on /. Each flag may also be set\n")
		fmt.Fprintf(stderr, "by the environment variable named with it; the flag wins.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := settings.ApplyEnv(fs, os.Getenv); err != nil {
		return err
	}
	if cfg.Model == "" {
		return fmt.Errorf("--model is required")
	}
	if _, err := os.Stat(cfg.Model); err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	level := slog.LevelInfo
	if sc.Verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := cfg.LoadKeys(); err != nil {
		return err
	}
	h := openai.NewHandler(cfg.Handler)
	ecfg.Handler, ecfg.Log, ecfg.MaxBody = h, log, cfg.MaxBody
	srv := edge.New(*ecfg)
	if err := srv.Listen(); err != nil {
		return err
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve() }()
	auth := "no API key needed"
	if k := cfg.Handler.Keys; k != nil {
		auth = fmt.Sprintf("%d API keys", k.Len())
	}
	log.Info("listening", "addr", "http://"+srv.Addr(), "model", cfg.Handler.ModelName, "auth", auth)

	// Load the model while /health already answers.
	loaded := make(chan error, 1)
	var backend *openai.Backend
	go func() {
		start := time.Now()
		b, err := openai.OpenBackend(cfg.Model, cfg.Backend)
		if err == nil {
			backend = b
			h.SetBackend(b)
			log.Info("model loaded", "path", cfg.Model, "threads", b.Scheduler().Model().Threads(),
				"slots", cfg.Backend.Slots, "context", b.Scheduler().Context(), "expert_budget", cfg.Backend.ExpertBudget,
				"took", time.Since(start).Round(time.Millisecond))
		}
		loaded <- err
	}()

	var runErr error
	select {
	case err := <-loaded:
		if err != nil {
			runErr = fmt.Errorf("load %s: %w", cfg.Model, err)
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
	log.Info("shutting down", "deadline", sc.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), sc.ShutdownTimeout)
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

// serveConfig is everything deepgo serve is configured with: what it serves (shared with
// the serverless deployments), the HTTP server, and its own shutdown and logging.
type serveConfig struct {
	openai.Config
	Edge            edge.Config
	ShutdownTimeout time.Duration
	Verbose         bool
}

// register adds every setting of serve to s.
func (c *serveConfig) register(s *openai.Settings) {
	c.Config.Register(s)
	c.Edge.Register(s)
	s.Duration(&c.ShutdownTimeout, "shutdown-timeout", "DEEPGO_SHUTDOWN_TIMEOUT", 30*time.Second, "on SIGTERM, how long running replies may take to finish")
	s.Bool(&c.Verbose, "v", "", false, "log debug messages")
}
