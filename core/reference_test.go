package core_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/npy"
)

type refCase struct {
	Name           string `json:"name"`
	Prompt         []int  `json:"prompt"`
	FedDecodeToken []int  `json:"fed_decode_tokens"`
	Greedy         []int  `json:"greedy"`
	Logits         struct {
		Absorb string `json:"absorb"`
	} `json:"logits"`
	File string `json:"file"`
}

type refExpected struct {
	Cases []refCase `json:"cases"`
}

// refModels lists the checkpoint directories with reference logits: the shared fixtures
// (official DeepSeek-V3 inference/model.py, see ../shared/fixtures/README.md), skipped
// loudly when ../shared is absent, and the extra configurations in testdata/ref made the
// same way by tools/refgen.
func refModels(t *testing.T) map[string]string {
	t.Helper()
	dirs := map[string]string{}
	if root, err := fixture.Root(); err != nil {
		t.Logf("SKIP the shared reference checkpoints: %v", err)
	} else {
		for _, name := range []string{"deepseek-v3-tiny-bf16", "deepseek-v3-tiny-fp8"} {
			dirs[name] = filepath.Join(root, name)
		}
	}
	extra, _ := filepath.Glob(filepath.Join("testdata", "ref", "*", "expected.json"))
	for _, e := range extra {
		dir := filepath.Dir(e)
		dirs[filepath.Base(dir)] = dir
	}
	if len(dirs) == 0 {
		t.Skip("no reference checkpoints found: ../shared/fixtures is absent and testdata/ref is empty")
	}
	return dirs
}

func loadExpected(t *testing.T, dir string) refExpected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expected", "expected.json"))
	if os.IsNotExist(err) {
		b, err = os.ReadFile(filepath.Join(dir, "expected.json"))
	}
	if err != nil {
		t.Fatal(err)
	}
	var e refExpected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	if len(e.Cases) == 0 {
		t.Fatalf("%s: no cases", dir)
	}
	return e
}

func expectedLogits(t *testing.T, dir string, c refCase) ([]float32, []int) {
	t.Helper()
	name := c.Logits.Absorb
	if name == "" {
		name = c.File
	}
	if name == "" {
		name = c.Name + ".npy"
	}
	path := filepath.Join(dir, "expected", name)
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(dir, name)
	}
	data, shape, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data, shape
}

// compareLogits applies the fixture tolerance: max |diff| ≤ 2e-3, mean |diff| ≤ 2e-4, and the
// same argmax on every row whose reference top-1/top-2 margin exceeds 4e-3.
func compareLogits(t *testing.T, label string, got, want []float32, vocab int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d logits, want %d", label, len(got), len(want))
	}
	var maxd, sum float64
	for i := range want {
		d := math.Abs(float64(got[i] - want[i]))
		if math.IsNaN(d) {
			t.Fatalf("%s: NaN at %d", label, i)
		}
		maxd = max(maxd, d)
		sum += d
	}
	mean := sum / float64(len(want))
	t.Logf("%s: max |diff| %.3g, mean %.3g", label, maxd, mean)
	if maxd > 2e-3 || mean > 2e-4 {
		t.Errorf("%s: max |diff| %.3g (limit 2e-3), mean %.3g (limit 2e-4)", label, maxd, mean)
	}
	for r := 0; r < len(want)/vocab; r++ {
		w, g := want[r*vocab:(r+1)*vocab], got[r*vocab:(r+1)*vocab]
		top1, top2 := topTwo(w)
		if w[top1]-w[top2] > 4e-3 {
			if a, _ := topTwo(g); a != top1 {
				t.Errorf("%s: row %d argmax %d, want %d (margin %.3g)", label, r, a, top1, w[top1]-w[top2])
			}
		}
	}
}

func topTwo(x []float32) (int, int) {
	a, b := 0, 1
	if x[b] > x[a] {
		a, b = b, a
	}
	for i := 2; i < len(x); i++ {
		if x[i] > x[a] {
			a, b = i, a
		} else if x[i] > x[b] {
			b = i
		}
	}
	return a, b
}

// TestReference runs every reference case through prefill + decode on every attention path
// and thread count, and with a dense model's weights loaded into memory (the default) or
// read in place from the mappings, against the official reference logits.
func TestReference(t *testing.T) {
	for name, dir := range refModels(t) {
		exp := loadExpected(t, dir)
		for _, mode := range []struct {
			name    string
			attn    core.Attention
			threads int
			mapped  bool
		}{{"auto", core.AttentionAuto, 2, false}, {"naive", core.AttentionNaive, 1, false}, {"absorbed", core.AttentionAbsorbed, 3, false}, {"mapped", core.AttentionAuto, 2, true}} {
			t.Run(name+"/"+mode.name, func(t *testing.T) {
				m, err := core.Open(dir, core.Options{Attention: mode.attn, Threads: mode.threads, MaxBatch: 8, Mapped: mode.mapped})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				for _, c := range exp.Cases {
					want, shape := expectedLogits(t, dir, c)
					got, err := core.Eval(context.Background(), m, c.Prompt, c.FedDecodeToken)
					if err != nil {
						t.Fatal(err)
					}
					if shape[0] != len(c.Prompt)+len(c.FedDecodeToken) || shape[1] != m.Config.VocabSize {
						t.Fatalf("%s: reference shape %v", c.Name, shape)
					}
					compareLogits(t, c.Name, got, want, m.Config.VocabSize)
				}
			})
		}
	}
}
