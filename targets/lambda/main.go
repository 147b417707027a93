// Command bootstrap is deepgo as an AWS Lambda function (runtime provided.al2023): the
// OpenAI routes, behind a Function URL or an API Gateway HTTP API.
//
// Build it with `make lambda` (CGO_ENABLED=0, -tags lambda.norpc, linux/arm64 and amd64).
// The model opens once per execution environment, during init, from DEEPGO_MODEL (see
// adapters/openai.Config.Register for every variable: the same as deepgo serve's); one slot
// and a queue of 4 unless DEEPGO_SLOTS and DEEPGO_QUEUE say otherwise. DEEPGO_LAMBDA_MODE
// picks the response shape: "stream" (default) for a Function URL with InvokeMode
// RESPONSE_STREAM, "buffered" for API Gateway or a BUFFERED Function URL
// (adapters/lambda's Streaming and Buffered).
//
//	main.go        the bootstrap: settings from the environment, the model, the handler
//	template.yaml  the AWS SAM template: a streaming Function URL, and optionally the same
//	               function buffered behind an API Gateway HTTP API (docs/deploy-lambda.md)
//	zipbootstrap/  the command that packs a bootstrap into a reproducible deployment zip
package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/deepgo/deepgo/adapters/lambda"
	"github.com/deepgo/deepgo/adapters/openai"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var cfg openai.Config
	var settings openai.Settings
	cfg.Register(&settings)
	// One invocation at a time per execution environment: one slot, a small queue.
	cfg.Backend.Slots, cfg.Backend.Queue = 1, 4
	if err := settings.ApplyEnv(nil, os.Getenv); err != nil {
		fail(log, err)
	}
	start := time.Now()
	h, b, err := cfg.Open()
	if err != nil {
		fail(log, err)
	}
	log.Info("model loaded", "model", cfg.Model, "name", cfg.Handler.ModelName,
		"threads", b.Scheduler().Model().Threads(), "took", time.Since(start).Round(time.Millisecond))
	switch mode := os.Getenv("DEEPGO_LAMBDA_MODE"); mode {
	case "", "stream":
		awslambda.Start(lambda.Streaming(h, cfg.MaxBody))
	case "buffered":
		awslambda.Start(lambda.Buffered(h, cfg.MaxBody))
	default:
		fail(log, fmt.Errorf("DEEPGO_LAMBDA_MODE=%q: want stream or buffered", mode))
	}
}

// fail reports an init error; Lambda shows it and retries the init on the next invocation.
func fail(log *slog.Logger, err error) {
	log.Error("init failed", "err", err)
	os.Exit(1)
}
