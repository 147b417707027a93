package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/npy"
)

// mtpRef is the BF16 reference checkpoint with multi-token-prediction logits (tools/refgen).
var mtpRef = filepath.Join("..", "..", "core", "testdata", "ref", "v3-mtp")

// TestEvalMTPOracle runs `deepgo eval --mtp` on a reference case and compares its .npy with
// the reference MTP logits: row i predicts token i+2 of tokens+decode.
func TestEvalMTPOracle(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(mtpRef, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Cases []struct {
			Prompt []int `json:"prompt"`
			Fed    []int `json:"fed_decode_tokens"`
			Logits struct {
				MTP string `json:"mtp"`
			} `json:"logits"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	c := exp.Cases[1]
	want, shape, err := npy.ReadFile(filepath.Join(mtpRef, c.Logits.MTP))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(xs []int) string { return strings.Trim(strings.Join(strings.Fields(fmt.Sprint(xs)), ","), "[]") }
	out := filepath.Join(t.TempDir(), "mtp.npy")
	code, _, stderr := deepgo(t, "eval", "--model", mtpRef, "--tokens", ids(c.Prompt), "--decode", ids(c.Fed), "--mtp", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, gshape, err := npy.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(gshape) != 2 || gshape[0] != len(c.Prompt)+len(c.Fed)-1 || gshape[0] != shape[0] || gshape[1] != shape[1] {
		t.Fatalf("shape %v, want %v", gshape, shape)
	}
	var maxd float64
	for i := range want {
		maxd = max(maxd, math.Abs(float64(got[i]-want[i])))
	}
	if maxd > 2e-3 {
		t.Errorf("max |diff| %.3g > 2e-3", maxd)
	}
}

// TestEvalMTPErrors: --mtp on a model without the module, or with one token, is a clear
// error and writes nothing.
func TestEvalMTPErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.npy")
	noMTP := filepath.Join("..", "..", "core", "testdata", "ref", "v2-lite-tiny")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no module", []string{"eval", "--model", noMTP, "--tokens", "0,5,7", "--mtp", "--out", out},
			noMTP + " has no multi-token-prediction module"},
		{"one token", []string{"eval", "--model", mtpRef, "--tokens", "0", "--mtp", "--out", out},
			"needs at least 2 tokens, have 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := deepgo(t, c.args...)
			if code != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("deepgo %v: exit %d, stderr %q; want exit 1 mentioning %q", c.args, code, stderr, c.want)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed eval left an output file")
	}
}
