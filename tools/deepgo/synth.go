package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/convert"
	"github.com/deepgo/deepgo/core/synth"
)

// runSynth writes a checkpoint of random weights in a named shape, so benchmarks and trials
// need no download. Random weights produce random text.
func runSynth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	shape := fs.String("shape", "tiny", "model shape: "+strings.Join(synth.ShapeNames(), ", "))
	layers := fs.Int("layers", 0, "number of layers (0 = the shape's own)")
	dtype := fs.String("type", "bf16", "weight type: bf16, f16, f32 or fp8 for a checkpoint directory; any convert type (q8_0, q4_k_m, ...) for a .gguf")
	out := fs.String("out", "", "output: a checkpoint directory (config.json + safetensors + tokenizer), or FILE.gguf")
	sharded := fs.Bool("sharded", false, "one safetensors file per layer, with model.safetensors.index.json")
	seed := fs.Uint64("seed", 1, "random seed")
	mtp := fs.Bool("mtp", true, "write the shape's multi-token-prediction module, if it has one (v3-mini, v3-671b)")
	vocab := fs.Int("vocab", 0, "vocabulary size (0 = the shape's own); the DeepSeek-V3 tokenizer is included when it is at least 128815")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo synth --shape NAME [--layers N] [--vocab N] [--type TYPE] --out DIR|FILE.gguf\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	cfg, err := synth.Shape(*shape, *layers)
	if err != nil {
		return err
	}
	if !*mtp {
		cfg.NumNextNPredictLayers = 0
	}
	if *vocab < 0 {
		return fmt.Errorf("--vocab %d: want a positive size, or 0 for the shape's own", *vocab)
	}
	if *vocab > 0 {
		cfg.VocabSize = *vocab
	}
	if strings.HasSuffix(*out, ".gguf") {
		return synthGGUF(ctx, cfg, *out, *dtype, *seed, *shape, stdout, stderr)
	}
	types := map[string]string{"bf16": "BF16", "f16": "F16", "f32": "F32", "fp8": "F8_E4M3"}
	dt, ok := types[strings.ToLower(*dtype)]
	if !ok {
		return fmt.Errorf("--type %q: want bf16, f16, f32 or fp8 for a checkpoint directory", *dtype)
	}
	start := time.Now()
	if err := synth.WriteHF(*out, cfg, synth.Options{Seed: *seed, DType: dt, Sharded: *sharded}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s, %d layers, %s) in %.1fs\n", *out, *shape, cfg.NumHiddenLayers, dt, time.Since(start).Seconds())
	return nil
}

// synthGGUF writes the random weights as a BF16 checkpoint in a temporary directory beside
// out, converts that to a GGUF of type typ, and removes it.
func synthGGUF(ctx context.Context, cfg *core.Config, out, typ string, seed uint64, shape string, stdout, stderr io.Writer) error {
	if !slices.Contains(convert.Types(), strings.ToLower(typ)) {
		return fmt.Errorf("--type %q: want one of %s for a .gguf", typ, strings.Join(convert.Types(), ", "))
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".synth-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := synth.WriteHF(tmp, cfg, synth.Options{Seed: seed, Sharded: true}); err != nil {
		return err
	}
	return convertModel(ctx, tmp, out, typ, "", "deepgo synth "+shape+" (random weights)", 0, stdout, stderr)
}
