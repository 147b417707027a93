package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/deepgo/deepgo/core/synth"
)

// runSynth writes a checkpoint of random weights in a named shape, so benchmarks and trials
// need no download. Random weights produce random text.
func runSynth(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	shape := fs.String("shape", "tiny", "model shape: "+strings.Join(synth.ShapeNames(), ", "))
	layers := fs.Int("layers", 0, "number of layers (0 = the shape's own)")
	dtype := fs.String("type", "bf16", "weight type: bf16, f16, f32 or fp8 (e4m3, 128x128 block scales)")
	out := fs.String("out", "", "output checkpoint directory (config.json + safetensors)")
	sharded := fs.Bool("sharded", false, "one safetensors file per layer, with model.safetensors.index.json")
	seed := fs.Uint64("seed", 1, "random seed")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo synth --shape NAME [--layers N] [--type bf16|f16|f32|fp8] --out DIR\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	types := map[string]string{"bf16": "BF16", "f16": "F16", "f32": "F32", "fp8": "F8_E4M3"}
	dt, ok := types[strings.ToLower(*dtype)]
	if !ok {
		return fmt.Errorf("--type %q: want bf16, f16, f32 or fp8", *dtype)
	}
	cfg, err := synth.Shape(*shape, *layers)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := synth.WriteHF(*out, cfg, synth.Options{Seed: *seed, DType: dt, Sharded: *sharded}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s, %d layers, %s) in %.1fs\n", *out, *shape, cfg.NumHiddenLayers, dt, time.Since(start).Seconds())
	return nil
}
