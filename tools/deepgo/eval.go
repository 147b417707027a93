package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/npy"
)

// runEval is the oracle interface:
//
//	deepgo eval --model PATH --tokens 0,17,33 [--decode 5,9,12] [--mtp] --out FILE.npy
//
// One prefill of --tokens at position 0, then one decode call per --decode id; writes
// float32 logits [len(tokens)+len(decode), vocab]: a row per prompt position, then one
// row after each decode token. With --mtp it writes the multi-token-prediction module's
// logits instead (core.EvalMTP): with T the tokens then the decode ids (L of them), row i
// (i = 0..L-2) is the prediction of T[i+2] from the main model's hidden state at i and
// T[i+1]: [L-1, vocab].
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "model: a Hugging Face checkpoint directory or a GGUF file")
	tokens := fs.String("tokens", "", "prompt token ids, comma-separated (prefilled at position 0)")
	decode := fs.String("decode", "", "token ids fed one decode step each, comma-separated")
	out := fs.String("out", "", "output .npy file of float32 logits [P+D, vocab]")
	threads := fs.Int("t", 0, "threads (0 = one per CPU)")
	attn := fs.String("attn", "auto", "attention path: auto, naive or absorb")
	floatAct := fs.Bool("float-activations", false, "multiply quantized (GGUF block) weights by float32 activations instead of 8-bit ones: slower, as a dequantizing float32 engine would")
	stats := fs.Bool("stats", false, "print load time, tokens/s and memory to stderr")
	mtp := fs.Bool("mtp", false, "write the multi-token-prediction module's logits [P+D-1, vocab]: row i predicts token i+2 of tokens+decode from the hidden state at i and token i+1")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo eval --model PATH --tokens 0,17,33 [--decode 5,9,12] [--mtp] --out FILE.npy\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
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
	opts := core.Options{Threads: *threads, FloatActivations: *floatAct}
	switch *attn {
	case "auto":
	case "naive":
		opts.Attention = core.AttentionNaive
	case "absorb", "absorbed":
		opts.Attention = core.AttentionAbsorbed
	default:
		return fmt.Errorf("--attn %q: want auto, naive or absorb", *attn)
	}
	start := time.Now()
	m, err := core.Open(*model, opts)
	if err != nil {
		return err
	}
	defer m.Close()
	if *stats {
		printStats(stderr, "load", time.Since(start), 0)
	}
	var logits []float32
	rows := len(prompt) + len(steps)
	switch {
	case *mtp:
		if !m.HasMTP() {
			return fmt.Errorf("--mtp: %s has no multi-token-prediction module (num_nextn_predict_layers is 0 or its tensors are absent)", *model)
		}
		start := time.Now()
		logits, err = core.EvalMTP(ctx, m, prompt, steps)
		if err == nil && *stats {
			printStats(stderr, "mtp eval", time.Since(start), rows)
		}
		rows--
	case *stats:
		logits, err = timedEval(ctx, m, prompt, steps, stderr)
	default:
		logits, err = core.Eval(ctx, m, prompt, steps)
	}
	if err != nil {
		return err
	}
	return npy.WriteFile(*out, logits, rows, m.Config.VocabSize)
}

// timedEval is core.Eval with the prefill and each decode step timed.
func timedEval(ctx context.Context, m *core.Model, prompt, decode []int, stderr io.Writer) ([]float32, error) {
	v := m.Config.VocabSize
	s, err := m.NewSequence(len(prompt) + len(decode))
	if err != nil {
		return nil, err
	}
	out := make([]float32, (len(prompt)+len(decode))*v)
	t := time.Now()
	if err := s.Forward(ctx, prompt, out, true); err != nil {
		return nil, fmt.Errorf("prefill: %w", err)
	}
	printStats(stderr, "prefill", time.Since(t), len(prompt))
	t = time.Now()
	for i, tok := range decode {
		if err := s.Forward(ctx, []int{tok}, out[(len(prompt)+i)*v:], false); err != nil {
			return nil, fmt.Errorf("decode step %d: %w", i, err)
		}
	}
	if len(decode) > 0 {
		printStats(stderr, "decode", time.Since(t), len(decode))
	}
	return out, nil
}

func printStats(w io.Writer, what string, d time.Duration, tokens int) {
	fmt.Fprintf(w, "%-8s %9.1f ms", what, float64(d.Microseconds())/1000)
	if tokens > 0 {
		fmt.Fprintf(w, "  %5d tokens  %8.2f tok/s", tokens, float64(tokens)/d.Seconds())
	}
	if anon, file, peak, ok := memStat(); ok {
		fmt.Fprintf(w, "  rss anon %d MiB, file-backed %d MiB, peak %d MiB", anon>>10, file>>10, peak>>10)
	}
	fmt.Fprintln(w)
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
