package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/npy"
)

// tinyBF16 is the reference checkpoint of ../shared/fixtures, named whether or not it is
// there (the usage errors come before the model is opened).
var tinyBF16 = fixture.Join("deepseek-v3-tiny-bf16")

func deepgo(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

// TestEvalOracle runs `deepgo eval` exactly as outside checks do and compares its .npy with
// the reference logits of the fixture's first case (prompt rows, then decode rows).
func TestEvalOracle(t *testing.T) {
	model := fixture.Path(t, "deepseek-v3-tiny-bf16")
	want, shape, err := npy.ReadFile(filepath.Join(model, "expected", "case1.absorb.npy"))
	if err != nil {
		t.Fatal(err)
	}
	prompt := "0,5322,3767,3386,5595,2403,7978"
	decode := "6558,8086,6678,7322,5630,2146,2426,1035,7252,1444,6460,4636,6806,1467,6452,898"
	out := filepath.Join(t.TempDir(), "logits.npy")
	code, _, stderr := deepgo(t, "eval", "--model", model, "--tokens", prompt, "--decode", decode, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, gshape, err := npy.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(gshape) != 2 || gshape[0] != shape[0] || gshape[1] != shape[1] {
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

func TestEvalErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.npy")
	cases := []struct {
		name  string
		args  []string
		code  int
		want  string
		opens bool // opens tinyBF16, so needs ../shared/fixtures
	}{
		{"no model", []string{"eval"}, 1, "required", false},
		{"missing model", []string{"eval", "--model", "/nonexistent", "--tokens", "1", "--out", out}, 1, "/nonexistent", false},
		{"bad token", []string{"eval", "--model", tinyBF16, "--tokens", "1,x", "--out", out}, 1, "bad token id", false},
		{"empty token", []string{"eval", "--model", tinyBF16, "--tokens", "1,,2", "--out", out}, 1, "empty token id", false},
		{"negative decode token", []string{"eval", "--model", tinyBF16, "--tokens", "1", "--decode", "-3", "--out", out}, 1, "bad token id", false},
		{"token past vocab", []string{"eval", "--model", tinyBF16, "--tokens", "0,999999", "--out", out}, 1, "out of range", true},
		{"bad attention", []string{"eval", "--model", tinyBF16, "--tokens", "1", "--attn", "fast", "--out", out}, 1, "--attn", false},
		{"unknown flag", []string{"eval", "--bogus"}, 2, "flag provided but not defined", false},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.opens {
				fixture.Path(t, "deepseek-v3-tiny-bf16")
			}
			code, _, stderr := deepgo(t, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("deepgo %v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, stderr, c.code, c.want)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed eval left an output file")
	}
}

func TestHelp(t *testing.T) {
	code, stdout, _ := deepgo(t, "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(stdout, c.name) {
			t.Errorf("help does not list %q", c.name)
		}
	}
}

func TestSynthThenEval(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	if code, _, stderr := deepgo(t, "synth", "--shape", "tiny", "--layers", "2", "--type", "fp8", "--sharded", "--out", dir); code != 0 {
		t.Fatalf("synth: exit %d: %s", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "l.npy")
	if code, _, stderr := deepgo(t, "eval", "--model", dir, "--tokens", "0,1,2", "--decode", "3", "--out", out, "--stats"); code != 0 || !strings.Contains(stderr, "tok/s") {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	_, shape, err := npy.ReadFile(out)
	if err != nil || shape[0] != 4 || shape[1] != 129280 {
		t.Fatalf("output shape %v, err %v", shape, err)
	}
}
