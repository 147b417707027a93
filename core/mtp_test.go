package core_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/npy"
)

// mtpRefCase is a reference case's MTP logits (tools/refgen, the eval --mtp protocol).
type mtpRefCase struct {
	Name           string `json:"name"`
	Prompt         []int  `json:"prompt"`
	FedDecodeToken []int  `json:"fed_decode_tokens"`
	Logits         struct {
		MTP string `json:"mtp"`
	} `json:"logits"`
}

// mtpRefModels lists the reference checkpoints in testdata/ref that have MTP logits.
func mtpRefModels(t *testing.T) map[string]string {
	t.Helper()
	dirs := map[string]string{}
	all, _ := filepath.Glob(filepath.Join("testdata", "ref", "*", "case0_mtp.npy"))
	for _, p := range all {
		dirs[filepath.Base(filepath.Dir(p))] = filepath.Dir(p)
	}
	if len(dirs) == 0 {
		t.Fatal("no reference checkpoints with MTP logits in testdata/ref")
	}
	return dirs
}

func loadMTPCases(t *testing.T, dir string) []mtpRefCase {
	t.Helper()
	var e struct {
		Cases []mtpRefCase `json:"cases"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e.Cases
}

// TestMTPReference runs the eval --mtp protocol on the reference checkpoints (BF16 and
// FP8) on every attention path, against the MTP logits of the official model.py's classes.
func TestMTPReference(t *testing.T) {
	for name, dir := range mtpRefModels(t) {
		cases := loadMTPCases(t, dir)
		for _, mode := range []struct {
			name    string
			attn    core.Attention
			threads int
		}{{"auto", core.AttentionAuto, 2}, {"naive", core.AttentionNaive, 1}, {"absorbed", core.AttentionAbsorbed, 3}} {
			t.Run(name+"/"+mode.name, func(t *testing.T) {
				m, err := core.Open(dir, core.Options{Attention: mode.attn, Threads: mode.threads, MaxBatch: 8})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				if !m.HasMTP() {
					t.Fatal("no MTP module")
				}
				for _, c := range cases {
					want, shape, err := npy.ReadFile(filepath.Join(dir, c.Logits.MTP))
					if err != nil {
						t.Fatal(err)
					}
					got, err := core.EvalMTP(context.Background(), m, c.Prompt, c.FedDecodeToken)
					if err != nil {
						t.Fatal(err)
					}
					if shape[0] != len(c.Prompt)+len(c.FedDecodeToken)-1 || shape[1] != m.Config.VocabSize {
						t.Fatalf("%s: reference shape %v", c.Name, shape)
					}
					compareLogits(t, c.Name, got, want, m.Config.VocabSize)
				}
			})
		}
	}
}
