package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/mmap"
	"github.com/deepgo/deepgo/core/perplexity"
	"github.com/deepgo/deepgo/core/serving"
)

// maxTextBytes bounds the text perplexity reads whole (wikitext-2's test set is 1.3 MB).
const maxTextBytes = 1 << 30

// runPerplexity measures a model on a text as llama-perplexity does (core/perplexity):
//
//	deepgo perplexity --model PATH --file TEXT [--ctx 512] [--chunks N] [-t N] [--float-activations] [--save-logits FILE.npz] [--json]
//	deepgo perplexity --model PATH --kl-base FILE.npz [--file TEXT] [--chunks N] [-t N] [--float-activations] [--json]
//
// The estimates go to stdout, the progress to stderr.
func runPerplexity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("perplexity", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "model: a Hugging Face checkpoint directory or a GGUF file")
	file := fs.String("file", "", "the text to score (UTF-8), tokenized whole; with --kl-base it must tokenize to the base's tokens")
	tokPath := fs.String("tokenizer", "", "tokenizer.json, a directory holding it, or a GGUF file (default: the model's)")
	ctxLen := fs.Int("ctx", 512, "tokens per chunk (llama-perplexity -c); with --kl-base, the base's unless given")
	chunks := fs.Int("chunks", 0, "the most chunks to score (0 = all the text holds)")
	threads := fs.Int("t", 0, "threads (0 = one per CPU)")
	floatAct := fs.Bool("float-activations", false, "multiply quantized (GGUF block) weights by float32 activations instead of 8-bit ones (as eval --float-activations)")
	save := fs.String("save-logits", "", "write the tokens and every scored prediction's log-probabilities to this .npz, the base of a later --kl-base run")
	klBase := fs.String("kl-base", "", "a .npz written by --save-logits: score its tokens and compare with it (KL divergence, PPL ratio, same top token, Δp)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo perplexity --model PATH --file TEXT [--ctx 512] [--chunks N] [-t N] [--float-activations] [--save-logits FILE.npz] [--json]\n"+
			"       deepgo perplexity --model PATH --kl-base FILE.npz [--file TEXT] [--chunks N] [-t N] [--float-activations] [--json]\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctxSet := false
	fs.Visit(func(f *flag.Flag) { ctxSet = ctxSet || f.Name == "ctx" })
	switch {
	case *model == "":
		return fmt.Errorf("--model is required")
	case *file == "" && *klBase == "":
		return fmt.Errorf("--file is required (or --kl-base)")
	case *save != "" && *klBase != "":
		return fmt.Errorf("--save-logits and --kl-base: one at a time (save the base's logits in one run, compare in another)")
	}
	o := perplexity.Options{Ctx: *ctxLen, Chunks: *chunks, Save: *save, BOS: -1}
	var text []byte
	if *file != "" {
		var err error
		if text, err = mmap.ReadFile(*file, maxTextBytes); err != nil {
			return err
		}
		if len(text) == 0 {
			return fmt.Errorf("%s is empty", *file)
		}
	}
	if *klBase != "" {
		b, err := perplexity.OpenBase(*klBase)
		if err != nil {
			return err
		}
		defer b.Close()
		o.Base = b
		if !ctxSet {
			o.Ctx = b.Ctx
		}
	}
	start := time.Now()
	m, tok, err := serving.OpenWithTokenizer(*model, *tokPath, core.Options{Threads: *threads, FloatActivations: *floatAct})
	if err != nil {
		return err
	}
	defer m.Close()
	var tokens []int
	if tok.AddBOS() && tok.BOS() >= 0 {
		o.BOS = tok.BOS()
		tokens = append(tokens, o.BOS)
	}
	if text != nil {
		tokens = tok.AppendEncode(tokens, string(text))
		fmt.Fprintf(stderr, "perplexity: %s is %d tokens\n", *file, len(tokens))
	} else {
		tokens = o.Base.Tokens
	}
	o.Progress = func(p perplexity.Progress) { printProgress(stderr, p, o.Base != nil) }
	r, err := perplexity.Run(ctx, m, tokens, o)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(perplexityJSON{Model: filepath.Base(*model), File: *file, KLBase: *klBase,
			Threads: m.Threads(), Seconds: time.Since(start).Seconds(), Result: r})
	}
	printPerplexity(stdout, r)
	return nil
}

// perplexityJSON is what perplexity --json prints: perplexity.Result's fields and these.
type perplexityJSON struct {
	Model   string  `json:"model"`
	File    string  `json:"file,omitempty"`
	KLBase  string  `json:"kl_base,omitempty"`
	Threads int     `json:"threads"`
	Seconds float64 `json:"seconds"`
	perplexity.Result
}

// printProgress shows a run's progress: its speed after the first chunk, then the running
// PPL after each, on one line ([1]PPL,[2]PPL,…) or, against a base, a line per chunk.
func printProgress(w io.Writer, p perplexity.Progress, kl bool) {
	if p.Chunk == 1 {
		per := p.Elapsed.Seconds()
		fmt.Fprintf(w, "perplexity: %d chunks of %d tokens, %.2f s per chunk, ETA %s\n",
			p.Chunks, p.Result.Ctx, per, (time.Duration(per*float64(p.Chunks-1)) * time.Second).Round(time.Second))
	}
	r := p.Result
	if !kl {
		fmt.Fprintf(w, "[%d]%.4f,", p.Chunk, r.PPL)
		if p.Chunk == p.Chunks {
			fmt.Fprintln(w)
		}
		return
	}
	k := r.KL
	fmt.Fprintf(w, "[%d/%d] PPL %.4f ± %.4f  ln(PPL/PPL(base)) %.5f ± %.5f  KLD %.5f ± %.5f  RMS Δp %.3f ± %.3f %%  same top %.3f ± %.3f %%\n",
		p.Chunk, p.Chunks, r.PPL, r.PPLErr, k.LnRatio, k.LnRatioErr, k.Mean, k.MeanErr, 100*k.DpRMS, 100*k.DpRMSErr, 100*k.SameTop, 100*k.SameTopErr)
}

// printPerplexity prints the estimates.
func printPerplexity(w io.Writer, r perplexity.Result) {
	k := r.KL
	if k == nil {
		fmt.Fprintf(w, "PPL = %.4f +/- %.5f  (%d predictions, %d chunks of %d tokens)\n", r.PPL, r.PPLErr, r.Scored, r.Chunks, r.Ctx)
		return
	}
	fmt.Fprintf(w, "%d predictions, %d chunks of %d tokens, against the base\n", r.Scored, r.Chunks, r.Ctx)
	fmt.Fprintf(w, "  PPL                     %10.6f ± %10.6f\n", r.PPL, r.PPLErr)
	fmt.Fprintf(w, "  PPL(base)               %10.6f ± %10.6f\n", k.PPLBase, k.PPLBaseErr)
	fmt.Fprintf(w, "  ln(PPL / PPL(base))     %10.6f ± %10.6f   (correlation of the two: %.2f%%)\n", k.LnRatio, k.LnRatioErr, 100*k.Correlation)
	fmt.Fprintf(w, "  PPL / PPL(base)         %10.6f ± %10.6f\n", k.Ratio, k.RatioErr)
	fmt.Fprintf(w, "  PPL - PPL(base)         %10.6f ± %10.6f\n", k.Diff, k.DiffErr)
	fmt.Fprintf(w, "KL divergence (base ‖ model), nats\n")
	fmt.Fprintf(w, "  mean                    %10.6f ± %10.6f\n", k.Mean, k.MeanErr)
	printQuantiles(w, k.Quantiles, 1, "%10.6f")
	fmt.Fprintf(w, "Δp: the model's probability of the right token minus the base's\n")
	fmt.Fprintf(w, "  mean                    %9.3f%% ± %.3f%%\n", 100*k.DpMean, 100*k.DpMeanErr)
	printQuantiles(w, k.DpQuantiles, 100, "%9.3f%%")
	fmt.Fprintf(w, "  RMS                     %9.3f%% ± %.3f%%\n", 100*k.DpRMS, 100*k.DpRMSErr)
	fmt.Fprintf(w, "same top token            %9.3f%% ± %.3f%%\n", 100*k.SameTop, 100*k.SameTopErr)
}

func printQuantiles(w io.Writer, q *perplexity.Quantiles, scale float64, format string) {
	if q == nil {
		return
	}
	for _, row := range []struct {
		name string
		v    float64
	}{
		{"max", q.Max}, {"99.9%", q.P99_9}, {"99%", q.P99}, {"95%", q.P95}, {"90%", q.P90}, {"75%", q.P75},
		{"median", q.Median}, {"25%", q.P25}, {"10%", q.P10}, {"5%", q.P5}, {"1%", q.P1}, {"0.1%", q.P0_1}, {"min", q.Min},
	} {
		fmt.Fprintf(w, "  %-23s "+format+"\n", row.name, scale*row.v)
	}
}
