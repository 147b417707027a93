// Command deepgo runs DeepSeek-V3-family models.
//
// Usage:
//
//	deepgo <command> [flags]
//
// Run `deepgo help` for the list of commands, and `deepgo <command> -h` for a command's
// flags; the README describes each. A subcommand is a function that takes its arguments
// and writes to stdout and stderr; main maps its error to the exit status (0, 1, or 2
// for bad usage).
//
// The files, a subcommand each unless said otherwise:
//
//	main.go           the command table, usage, dispatch and exit status; version
//	serve.go          serve: every setting of openai.Config and edge.Config as a flag and an
//	                  environment variable, listening at once while the model loads, the
//	                  graceful shutdown
//	run.go            run: a prompt, or a chat read from stdin, the reply streamed to stdout;
//	                  isTerminal
//	tokenize.go       tokenize: text or a chat request on stdin to ids as JSON
//	eval.go           eval: the oracle interface, a prefill and decode steps to logits in .npy
//	perplexity.go     perplexity: held-out perplexity and KL divergence as llama-perplexity
//	                  measures them (core/perplexity)
//	convert.go        convert and quantize, both through core/convert, with a progress bar
//	inspect.go        inspect: a GGUF file's metadata and tensors, a model's shape and
//	                  parameter counts
//	bench.go          bench: prompt and generation speed, time to first token, load time,
//	                  peak memory, the machine's read bandwidth; sizeFlag (512M, 2G)
//	synth.go          synth: a model of random weights in a named shape (core/synth), as a
//	                  checkpoint or a GGUF file
//	seed.go           randomSeed, for run without --seed
//	memstat_linux.go  memStat: resident memory, anonymous and file-backed, and its peak
//	memstat_other.go  memStat elsewhere: unavailable
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one deepgo subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "serve the OpenAI API (chat, completions, SSE and WebSocket streaming) and a web playground", runServe},
		{"run", "generate text from a prompt, or chat (streams to stdout)", runRun},
		{"tokenize", "encode stdin (text, or a chat request with --chat) and print the ids as JSON", runTokenize},
		{"eval", "run a prefill and decode steps and write the logits as .npy (the oracle interface)", runEval},
		{"perplexity", "measure perplexity on a text, and KL divergence against a base model's saved logits (as llama-perplexity)", runPerplexity},
		{"convert", "write a model (Hugging Face checkpoint or GGUF) as a llama.cpp-compatible GGUF file", runConvert},
		{"quantize", "re-quantize a GGUF file: quantize IN.gguf OUT.gguf TYPE", runQuantize},
		{"inspect", "show a GGUF file or checkpoint: metadata, tensors, sizes, parameter counts", runInspect},
		{"bench", "measure prompt and generation speed, time to first token, load time and peak memory; with --speculative, generation with drafts beside it", runBench},
		{"synth", "write a model of random weights in a named shape, as a checkpoint or GGUF (for trials and benchmarks)", runSynth},
		{"version", "print the version", runVersion},
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func usage(w io.Writer) {
	fmt.Fprintf(w, `deepgo: DeepSeek-V3-family LLM inference in pure Go.

Usage:
  deepgo <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun `deepgo <command> -h` for a command's flags.\n")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "deepgo %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "deepgo: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage reports bad flags; the flag package has already printed why.
var errUsage = errors.New("usage")

// parseFlags parses a subcommand's flags; positional arguments are an error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	fmt.Fprintf(stdout, "deepgo %s\n", version)
	return nil
}
