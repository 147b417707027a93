package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/convert"
	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/core/serving"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// runConvert writes a model as a llama.cpp-compatible GGUF file (deepseek2, or qwen2, llama
// or qwen3 for the dense R1 distills):
//
//	deepgo convert --in HF_DIR|FILE.gguf --out FILE.gguf --type f32|f16|bf16|q8_0|q4_0|q4_k|q5_k|q6_k|q4_k_m|...
func runConvert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "source model: a Hugging Face checkpoint directory (BF16, F16, F32 or FP8) or a GGUF file")
	out := fs.String("out", "", "output GGUF file")
	typ := fs.String("type", "q8_0", "tensor type: "+strings.Join(convert.Types(), ", "))
	tokPath := fs.String("tokenizer", "", "tokenizer to embed (default: the source's tokenizer.json or GGUF vocabulary, if any)")
	name := fs.String("name", "", "general.name (default: the source's base name)")
	threads := fs.Int("t", 0, "threads (0 = one per CPU)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo convert --in HF_DIR --out FILE.gguf --type TYPE\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return fmt.Errorf("--in and --out are required")
	}
	return convertModel(ctx, *in, *out, *typ, *tokPath, *name, *threads, stdout, stderr)
}

// runQuantize re-quantizes a GGUF file: deepgo quantize IN.gguf OUT.gguf TYPE.
func runQuantize(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("quantize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	threads := fs.Int("t", 0, "threads (0 = one per CPU)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo quantize IN.gguf OUT.gguf TYPE\n\nTYPE: %s\n", strings.Join(convert.Types(), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if fs.NArg() != 3 {
		fs.Usage()
		return errUsage
	}
	if f, err := gguf.Open(fs.Arg(0)); err == nil {
		if ft, err := f.GetUint("general.file_type"); err == nil && ft != 0 && ft != 1 && ft != 32 {
			fmt.Fprintf(stderr, "note: %s is already quantized: its dequantized values are quantized again; "+
				"converting the original checkpoint (deepgo convert) is more accurate\n", fs.Arg(0))
		}
		f.Close()
	}
	return convertModel(ctx, fs.Arg(0), fs.Arg(1), fs.Arg(2), "", "", *threads, stdout, stderr)
}

func convertModel(ctx context.Context, in, out, typ, tokPath, name string, threads int, stdout, stderr io.Writer) error {
	start := time.Now()
	m, err := core.Open(in, core.Options{Threads: threads, Mapped: true})
	if err != nil {
		return err
	}
	defer m.Close()
	var tok *tokenizer.Tokenizer
	if tokPath == "" {
		tokPath = in
		if st, err := os.Stat(in); err == nil && st.IsDir() {
			if _, err := os.Stat(filepath.Join(in, "tokenizer.json")); err != nil {
				tokPath = ""
				fmt.Fprintf(stderr, "note: no tokenizer.json in %s: the GGUF gets no tokenizer (llama.cpp needs one; pass --tokenizer)\n", in)
			}
		}
	}
	if tokPath != "" {
		if tok, err = serving.LoadTokenizer(tokPath); err != nil {
			return err
		}
		if tok.Len() > m.Config.VocabSize {
			return fmt.Errorf("tokenizer has %d ids but the model's vocab_size is %d", tok.Len(), m.Config.VocabSize)
		}
	}
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(filepath.Clean(in)), ".gguf")
	}
	bar := newProgress(stderr)
	st, err := convert.Write(ctx, m, out, convert.Options{Type: typ, Tokenizer: tok, Name: name, Progress: bar.update})
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d tensors, %.1f MB, %s, in %.1fs (largest buffer %.1f MB)\n",
		out, st.Tensors, float64(st.Bytes)/1e6, strings.ToUpper(typ), time.Since(start).Seconds(), float64(st.PeakBuffer)/1e6)
	return nil
}

// progress shows conversion progress: a bar with an ETA on a terminal, a line per
// 10% otherwise.
type progress struct {
	w        io.Writer
	terminal bool
	start    time.Time
	last     int64
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, terminal: isTerminal(w), start: time.Now(), last: -1}
}

func (p *progress) update(done, total int64, tensor string) {
	if total <= 0 {
		return
	}
	frac := float64(done) / float64(total)
	elapsed := time.Since(p.start)
	eta := time.Duration(float64(elapsed) * (1 - frac) / max(frac, 1e-9)).Round(time.Second)
	if p.terminal {
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  ETA %-8s %-40.40s", strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*frac, eta, tensor)
		return
	}
	if step := int64(frac * 10); step > p.last {
		p.last = step
		fmt.Fprintf(p.w, "%3.0f%% (%.1f of %.1f MB) ETA %s\n", 100*frac, float64(done)/1e6, float64(total)/1e6, eta)
	}
}

func (p *progress) done() {
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}
