package synth

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/safetensors"
)

func TestShapes(t *testing.T) {
	for _, name := range ShapeNames() {
		t.Run(name, func(t *testing.T) {
			c, err := Shape(name, 3)
			if err != nil {
				t.Fatal(err)
			}
			if c.NumHiddenLayers != 3 || c.FirstKDenseReplace > 2 {
				t.Errorf("%s: %d layers, %d dense", name, c.NumHiddenLayers, c.FirstKDenseReplace)
			}
			b, err := c.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := core.ParseConfig(b); err != nil {
				t.Errorf("%s: its config.json does not parse back: %v", name, err)
			}
			// The DeepSeek-V3 bench shapes carry the MTP module, so that they can speculate.
			if wantMTP := strings.HasPrefix(name, "v3-"); (c.NumNextNPredictLayers == 1) != wantMTP {
				t.Errorf("%s: num_nextn_predict_layers %d", name, c.NumNextNPredictLayers)
			}
		})
	}
	if _, err := Shape("v9", 0); err == nil {
		t.Error("unknown shape: no error")
	}
}

func TestWriteHF(t *testing.T) {
	c, err := Shape("tiny", 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, sharded := range []bool{false, true} {
		t.Run(fmt.Sprintf("sharded=%v", sharded), func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteHF(dir, c, Options{Seed: 1, DType: "F8_E4M3", Sharded: sharded}); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"config.json", "tokenizer.json", "tokenizer_config.json"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("sharded=%v: %v", sharded, err)
				}
			}
			ck, err := safetensors.OpenDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			x, err := ck.Tensor("model.layers.1.mlp.experts.3.up_proj.weight_scale_inv")
			if err != nil || x.DType != safetensors.F32 {
				t.Errorf("sharded=%v: FP8 scale: %v %v", sharded, x.DType, err)
			}
			ck.Close()
			m, err := core.Open(dir, core.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			m.Close()
		})
	}
}

// TestWriteHFMTP: with num_nextn_predict_layers a checkpoint gets a multi-token-prediction
// module after the main layers, which opens and runs, in one file or sharded, BF16 or FP8.
func TestWriteHFMTP(t *testing.T) {
	c, err := Shape("tiny", 2)
	if err != nil {
		t.Fatal(err)
	}
	c.VocabSize = 300
	c.NumNextNPredictLayers = 1
	for _, o := range []Options{{Seed: 2}, {Seed: 3, DType: "F8_E4M3", Sharded: true}} {
		t.Run(fmt.Sprintf("%s sharded=%v", o.DType, o.Sharded), func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteHF(dir, c, o); err != nil {
				t.Fatal(err)
			}
			m, err := core.Open(dir, core.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if !m.HasMTP() || m.Config.NumNextNPredictLayers != 1 {
				t.Fatalf("MTP %v, num_nextn_predict_layers %d", m.HasMTP(), m.Config.NumNextNPredictLayers)
			}
			out, err := core.EvalMTP(context.Background(), m, []int{0, 5, 9}, []int{7})
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 3*c.VocabSize {
				t.Errorf("%d logits, want 3 rows", len(out))
			}
		})
	}
}
