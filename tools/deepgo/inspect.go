package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/core/mmap"
)

// runInspect shows what a model file holds: deepgo inspect FILE.gguf|HF_DIR.
func runInspect(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tensors := fs.Bool("tensors", true, "list the tensors")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo inspect [--tensors=false] FILE.gguf|HF_DIR\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	path := fs.Arg(0)
	isDir, err := mmap.CheckPath(path, true)
	if err != nil {
		return err
	}
	if !isDir {
		f, err := gguf.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(stdout, "%s: GGUF v%d, %d part(s), alignment %d, %d keys, %d tensors\n\nMetadata:\n",
			path, f.Version(), len(f.Paths()), f.Alignment(), len(f.Keys()), len(f.Tensors()))
		for _, k := range f.Keys() {
			v, _ := f.Get(k)
			fmt.Fprintf(stdout, "  %-48s %s\n", k, v.String())
		}
		var bytes, elems int64
		byType := map[string][2]int64{}
		if *tensors {
			fmt.Fprintf(stdout, "\nTensors:\n  %-36s %-6s %-18s %12s %6s\n", "name", "type", "ne", "bytes", "bpw")
		}
		for _, t := range f.Tensors() {
			n := t.Elements()
			bytes += t.Size
			elems += n
			s := byType[t.Type.String()]
			byType[t.Type.String()] = [2]int64{s[0] + n, s[1] + t.Size}
			if *tensors {
				fmt.Fprintf(stdout, "  %-36s %-6s %-18s %12d %6.2f\n", t.Name, t.Type, fmt.Sprint(t.Ne), t.Size, bpw(t.Size, n))
			}
		}
		fmt.Fprintf(stdout, "\nBy type:\n")
		for _, typ := range slices.Sorted(maps.Keys(byType)) {
			s := byType[typ]
			fmt.Fprintf(stdout, "  %-6s %14d values %12.1f MB  %5.2f bpw\n", typ, s[0], float64(s[1])/1e6, bpw(s[1], s[0]))
		}
		fmt.Fprintf(stdout, "  total  %14d values %12.1f MB  %5.2f bpw\n", elems, float64(bytes)/1e6, bpw(bytes, elems))
	}
	m, err := core.Open(path, core.Options{Threads: 1, Mapped: true})
	if err != nil {
		return err
	}
	defer m.Close()
	c := m.Config
	total, active := m.ParamCounts()
	if c.Dense() {
		fmt.Fprintf(stdout, "\nModel: %s, %d layers, hidden %d, intermediate %d, %d heads over %d KV heads, head_dim %d, vocab %d\n",
			strings.Join(c.Architectures, ","), c.NumHiddenLayers, c.HiddenSize, c.IntermediateSize, c.NumAttentionHeads,
			c.NumKeyValueHeads, c.HeadDim, c.VocabSize)
		fmt.Fprintf(stdout, "Attention: %s; %s\n", denseAttention(c), denseRope(c, m.Export()))
	} else {
		fmt.Fprintf(stdout, "\nModel: %s, %d layers (%d dense), hidden %d, %d heads, q_lora %d, kv_lora %d, qk %d+%d, v %d, vocab %d\n",
			strings.Join(c.Architectures, ","), c.NumHiddenLayers, min(c.FirstKDenseReplace, c.NumHiddenLayers), c.HiddenSize,
			c.NumAttentionHeads, c.QLoRARank, c.KVLoRARank, c.QKNopeHeadDim, c.QKRopeHeadDim, c.VHeadDim, c.VocabSize)
	}
	if c.NRoutedExperts > 0 {
		fmt.Fprintf(stdout, "MoE: %d routed experts (top %d, %s, %s), %d shared, expert hidden %d\n",
			c.NRoutedExperts, c.NumExpertsPerTok, c.ScoringFunc, c.TopKMethod, c.NSharedExperts, c.MoEIntermediateSize)
	}
	fmt.Fprintf(stdout, "Parameters: %s total, %s active per token\n", human(total), human(active))
	if m.HasMTP() {
		kind := "dense"
		if c.IsMoELayer(c.NumHiddenLayers) {
			kind = "MoE"
		}
		fmt.Fprintf(stdout, "MTP: 1 multi-token-prediction module (layer %d, %s block), %s parameters (not in the total)\n",
			c.NumHiddenLayers, kind, human(m.MTPParams()))
	}
	return nil
}

// denseAttention describes a dense model's attention: its biases, Qwen3's head norms, and
// whether the output projection is the embedding.
func denseAttention(c *core.Config) string {
	var parts []string
	switch {
	case !c.AttentionBias:
		parts = append(parts, "no biases")
	case c.Family() == core.FamilyQwen2:
		parts = append(parts, "q/k/v biases")
	default:
		parts = append(parts, "q/k/v/o biases")
	}
	if c.Family() == core.FamilyQwen3 {
		parts = append(parts, "q/k head RMSNorm")
	}
	if c.TieWordEmbeddings {
		parts = append(parts, "tied embeddings")
	}
	return strings.Join(parts, ", ")
}

// denseRope describes a dense model's rotary embedding: its base, and Llama-3's scaling
// (from config.json, or the rope_freqs factors of a GGUF file).
func denseRope(c *core.Config, tensors []core.ExportTensor) string {
	s := fmt.Sprintf("RoPE θ %g", c.RopeTheta)
	if rs := c.RopeScaling; rs != nil {
		return s + fmt.Sprintf(", llama3 scaling ×%g (low %g, high %g, original %d)", rs.Factor, rs.LowFreqFactor,
			rs.HighFreqFactor, rs.OriginalMaxPositionEmbeddings)
	}
	for _, t := range tensors {
		if t.Name == "rope_freqs.weight" {
			f := make([]float32, t.Elements())
			t.Fill(f, 0)
			return s + fmt.Sprintf(", frequency factors (rope_freqs) %g … %g", f[0], f[len(f)-1])
		}
	}
	return s + ", no scaling"
}

// bpw is bits per weight: 0 for no weights (a tensor with a zero dimension).
func bpw(bytes, weights int64) float64 {
	if weights <= 0 {
		return 0
	}
	return 8 * float64(bytes) / float64(weights)
}

func human(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	}
	return fmt.Sprintf("%d", n)
}
