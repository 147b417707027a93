package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/npy"
)

// runEval is the oracle interface:
//
//	deepgo eval --model PATH --tokens 0,17,33 [--decode 5,9,12] --out FILE.npy
//
// One prefill of --tokens at position 0, then one decode call per --decode id; writes
// float32 logits [len(tokens)+len(decode), vocab]: a row per prompt position, then one
// row after each decode token.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "model: a Hugging Face checkpoint directory")
	tokens := fs.String("tokens", "", "prompt token ids, comma-separated (prefilled at position 0)")
	decode := fs.String("decode", "", "token ids fed one decode step each, comma-separated")
	out := fs.String("out", "", "output .npy file of float32 logits [P+D, vocab]")
	threads := fs.Int("t", 0, "threads (0 = one per CPU)")
	attn := fs.String("attn", "auto", "attention path: auto, naive or absorb")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo eval --model PATH --tokens 0,17,33 [--decode 5,9,12] --out FILE.npy\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *model == "" || *tokens == "" || *out == "" {
		return fmt.Errorf("--model, --tokens and --out are required")
	}
	prompt, err := parseIDs(*tokens)
	if err != nil {
		return fmt.Errorf("--tokens: %w", err)
	}
	var steps []int
	if *decode != "" {
		if steps, err = parseIDs(*decode); err != nil {
			return fmt.Errorf("--decode: %w", err)
		}
	}
	opts := core.Options{Threads: *threads}
	switch *attn {
	case "auto":
	case "naive":
		opts.Attention = core.AttentionNaive
	case "absorb", "absorbed":
		opts.Attention = core.AttentionAbsorbed
	default:
		return fmt.Errorf("--attn %q: want auto, naive or absorb", *attn)
	}
	m, err := core.Open(*model, opts)
	if err != nil {
		return err
	}
	defer m.Close()
	logits, err := core.Eval(ctx, m, prompt, steps)
	if err != nil {
		return err
	}
	rows := len(prompt) + len(steps)
	return npy.WriteFile(*out, logits, rows, m.Config.VocabSize)
}

// parseIDs parses "1,2,3" into token ids.
func parseIDs(s string) ([]int, error) {
	var ids []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			return nil, fmt.Errorf("empty token id in %q", s)
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("bad token id %q", f)
		}
		ids = append(ids, v)
	}
	return ids, nil
}
