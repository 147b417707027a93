package convert

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/synth"
)

// llamaQuantizeDenseFile is llama-quantize's choice of tensor types for the dense families
// (written by TestLlamaQuantizeDenseTypes with DEEPGO_LLAMA_CPP and DEEPGO_RECORD=1).
const llamaQuantizeDenseFile = "llama-quantize-dense-types.json"

// denseMixtures are the K-quant mixtures whose rules single out tensors.
var denseMixtures = []string{"q3_k_m", "q4_k_m", "q5_k_m", "q6_k"}

// llamaQuantizeDense is that file: per model, its config, its weight matrices ("name
// ne0xne1") in deepgo's order and, per mixture, the type llama-quantize gave each.
type llamaQuantizeDense struct {
	Source string `json:"source"`
	Models []struct {
		Name    string            `json:"name"`
		About   string            `json:"about"`
		Config  core.Config       `json:"config"`
		Tensors []string          `json:"tensors"`
		Types   map[string]string `json:"types"`
	} `json:"models"`
}

// denseTypeShapes are small dense models whose layer counts, tying, head grouping and row
// lengths (multiples of 256, and 320 for the fallbacks) bring every dense rule of
// llama-quantize's mixtures into play: the R1 distills' layer counts (28, 32, 36), and the
// 80 layers llama.cpp calls 70B.
func denseTypeShapes() []struct {
	name, about string
	cfg         *core.Config
} {
	dense := func(arch, typ string, layers, heads, kv, inter int, tied bool) *core.Config {
		return &core.Config{Architectures: []string{arch}, ModelType: typ, VocabSize: 1024, HiddenSize: 256,
			IntermediateSize: inter, NumHiddenLayers: layers, NumAttentionHeads: heads, NumKeyValueHeads: kv,
			HeadDim: 256 / heads, AttentionBias: typ == "qwen2", RMSNormEps: 1e-6, MaxPositions: 4096, HiddenAct: "silu",
			RopeTheta: 10000, TieWordEmbeddings: tied}
	}
	return []struct {
		name, about string
		cfg         *core.Config
	}{
		{"qwen2-28", "qwen2, 28 layers (R1-Distill-Qwen-1.5B/7B), GQA 2:1, untied", dense("Qwen2ForCausalLM", "qwen2", 28, 4, 2, 512, false)},
		{"qwen2-28-tied", "qwen2, 28 layers, tied embeddings, intermediate 320 (fallbacks)", dense("Qwen2ForCausalLM", "qwen2", 28, 4, 2, 320, true)},
		{"qwen2-80", "qwen2, 80 layers (llama.cpp's 70B type)", dense("Qwen2ForCausalLM", "qwen2", 80, 4, 2, 512, false)},
		{"llama-32", "llama, 32 layers (R1-Distill-Llama-8B), GQA 4:1", dense("LlamaForCausalLM", "llama", 32, 4, 1, 512, false)},
		{"llama-80", "llama, 80 layers, GQA 4:1 (R1-Distill-Llama-70B: llama.cpp's 70B type)", dense("LlamaForCausalLM", "llama", 80, 4, 1, 512, false)},
		{"llama-80-mha", "llama, 80 layers without grouping (llama.cpp's 65B type)", dense("LlamaForCausalLM", "llama", 80, 4, 4, 512, false)},
		{"qwen3-36", "qwen3, 36 layers (R1-0528-Qwen3-8B), GQA 2:1", dense("Qwen3ForCausalLM", "qwen3", 36, 4, 2, 512, false)},
	}
}

// TestDenseTypesMatchLlamaQuantize: every weight matrix of the dense models of
// testdata/llama-quantize-dense-types.json gets, for each K-quant mixture, the type
// llama-quantize chose for it.
func TestDenseTypesMatchLlamaQuantize(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", llamaQuantizeDenseFile))
	if err != nil {
		t.Fatal(err)
	}
	var lq llamaQuantizeDense
	if err := json.Unmarshal(b, &lq); err != nil {
		t.Fatal(err)
	}
	if len(lq.Models) != len(denseTypeShapes()) {
		t.Errorf("%d models, want %d", len(lq.Models), len(denseTypeShapes()))
	}
	for _, m := range lq.Models {
		t.Run(m.Name, func(t *testing.T) {
			tensors := make([]core.ExportTensor, len(m.Tensors))
			for i, s := range m.Tensors {
				name, shape, _ := strings.Cut(s, " ")
				tensors[i] = core.ExportTensor{Name: name, Matrix: true}
				for _, d := range strings.Split(shape, "x") {
					n, err := strconv.ParseInt(d, 10, 64)
					if err != nil {
						t.Fatalf("%q: %v", s, err)
					}
					tensors[i].Ne = append(tensors[i].Ne, n)
				}
			}
			for _, typ := range denseMixtures {
				t.Run(typ, func(t *testing.T) {
					compareTypes(t, tensors, typ, quantModelOf(&m.Config), strings.Fields(m.Types[typ]))
				})
			}
		})
	}
}

// compareTypes checks deepgo's types of tensors for a mixture against llama-quantize's.
func compareTypes(t *testing.T, tensors []core.ExportTensor, typ string, q quantModel, want []string) {
	t.Helper()
	spec, err := lookupType(typ)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(tensors) {
		t.Fatalf("%d types for %d tensors", len(want), len(tensors))
	}
	bad := 0
	for i, g := range tensorTypes(tensors, spec, q) {
		if !strings.EqualFold(g.String(), want[i]) {
			if bad++; bad <= 10 {
				t.Errorf("%s: %v, llama-quantize %s", tensors[i].Name, g, want[i])
			}
		}
	}
	if bad > 10 {
		t.Errorf("and %d more", bad-10)
	}
}

// dryRunLine is one tensor of llama-quantize --dry-run's listing: its name and, when it is
// quantized, the type it gets.
var dryRunLine = regexp.MustCompile(`(?m)^\[\s*\d+/\s*\d+\]\s+(\S+)\s+- \[[^\]]*\], type =\s+\S+, size =[^\n(]*(?:\((\S+)\))?\s*$`)

// TestLlamaQuantizeDenseTypes runs llama-quantize --dry-run (DEEPGO_LLAMA_CPP = llama.cpp's
// build/bin; skipped without it) on BF16 conversions of denseTypeShapes for each mixture
// and compares its types with deepgo's. With DEEPGO_RECORD=1 it writes
// testdata/llama-quantize-dense-types.json for TestDenseTypesMatchLlamaQuantize.
func TestLlamaQuantizeDenseTypes(t *testing.T) {
	bin := os.Getenv("DEEPGO_LLAMA_CPP")
	if bin == "" {
		t.Skip("DEEPGO_LLAMA_CPP (llama.cpp's build/bin) is not set")
	}
	out := map[string]any{
		"source": "llama-quantize --dry-run BF16-FILE TYPE of " + llamaCppVersion(t, bin) +
			", on deepgo's BF16 conversions of random checkpoints (core/synth) of these configs; only the weight matrices deepgo quantizes are listed, in deepgo's order (TestLlamaQuantizeDenseTypes)",
	}
	var models []map[string]any
	for _, s := range denseTypeShapes() {
		t.Run(s.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), s.name)
			if err := synth.WriteHF(dir, s.cfg, synth.Options{Seed: 1}); err != nil {
				t.Fatal(err)
			}
			m, err := core.Open(dir, core.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "bf16.gguf")
			_, err = Write(context.Background(), m, path, Options{Type: "bf16"})
			cfg := *m.Config
			tensors := m.Export()
			m.Close()
			if err != nil {
				t.Fatal(err)
			}
			var mats []core.ExportTensor
			var names []string
			for _, x := range tensors {
				if x.Matrix {
					mats = append(mats, x)
					names = append(names, x.Name+" "+strconv.FormatInt(x.Ne[0], 10)+"x"+strconv.FormatInt(x.Ne[1], 10))
				}
			}
			types := map[string]string{}
			for _, typ := range denseMixtures {
				got := map[string]string{}
				for _, l := range dryRunLine.FindAllStringSubmatch(string(runTool(t, filepath.Join(bin, "llama-quantize"), "--dry-run", path, strings.ToUpper(typ))), -1) {
					got[l[1]] = l[2]
				}
				var list []string
				for _, x := range mats {
					g, ok := got[x.Name]
					if !ok || g == "" {
						t.Fatalf("%s: llama-quantize listed %s as %q (not quantized)", typ, x.Name, g)
					}
					list = append(list, strings.ToUpper(g))
				}
				types[typ] = strings.Join(list, " ")
				t.Run(typ, func(t *testing.T) { compareTypes(t, mats, typ, quantModelOf(&cfg), list) })
			}
			models = append(models, map[string]any{"name": s.name, "about": s.about, "config": &cfg, "tensors": names, "types": types})
		})
	}
	out["models"] = models
	if os.Getenv("DEEPGO_RECORD") == "1" && !t.Failed() {
		b, err := json.MarshalIndent(out, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", llamaQuantizeDenseFile), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
