package core

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
)

// TestRopeAndScale checks the rotary frequencies (YaRN, Llama-3) and the softmax scale
// against the values the reference harness recorded for each reference checkpoint.
func TestRopeAndScale(t *testing.T) {
	paths, _ := filepath.Glob(fixture.Join("*", "expected", "expected.json"))
	more, _ := filepath.Glob(filepath.Join("testdata", "ref", "*", "expected.json"))
	paths = append(paths, more...)
	if len(paths) == 0 {
		t.Skip("no reference expected.json found (../shared/fixtures absent, testdata/ref empty)")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var exp struct {
			SoftmaxScale float64   `json:"softmax_scale"`
			Angles       []float64 `json:"freqs_cis_pos1_angles"`
			Rope         struct {  // the dense references (refgen_dense.py)
				InvFreq []float64 `json:"inv_freq_float32"`
			} `json:"rope"`
		}
		if err := json.Unmarshal(b, &exp); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Dir(p)
		if filepath.Base(dir) == "expected" {
			dir = filepath.Dir(dir)
		}
		c, err := LoadConfig(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.SoftmaxScale(); math.Abs(got-exp.SoftmaxScale) > 1e-6 {
			t.Errorf("%s: softmax scale %v, want %v", dir, got, exp.SoftmaxScale)
		}
		r := newRope(c, false, nil)
		if exp.Angles == nil {
			exp.Angles = exp.Rope.InvFreq // the angle at position 1
		}
		if len(exp.Angles) != len(r.invFreq) {
			t.Fatalf("%s: %d angles, want %d", dir, len(r.invFreq), len(exp.Angles))
		}
		for i, a := range exp.Angles {
			if math.Abs(r.invFreq[i]-a) > 1e-6*max(1, a) {
				t.Errorf("%s: frequency %d = %v, want %v", dir, i, r.invFreq[i], a)
			}
		}
	}
}

// TestRotateInterleaved: RoPE rotates the pairs (x[2i], x[2i+1]), not the NeoX halves.
func TestRotateInterleaved(t *testing.T) {
	x := []float32{1, 0, 0, 1}
	cos := []float32{0, 1}
	sin := []float32{1, 0}
	rotate(x, cos, sin)
	want := []float32{0, 1, 0, 1}
	for i := range x {
		if math.Abs(float64(x[i]-want[i])) > 1e-7 {
			t.Fatalf("rotate: got %v, want %v", x, want)
		}
	}
}

// TestRotateHalf: the dense models' RoPE rotates the pairs (x[i], x[i+d/2]).
func TestRotateHalf(t *testing.T) {
	x := []float32{1, 0, 0, 1}
	cos := []float32{0, 1}
	sin := []float32{1, 0}
	rotateHalf(x, cos, sin)
	want := []float32{0, 0, 1, 1} // pair (x0, x2) by 90°: (1, 0) → (0, 1); pair (x1, x3) by 0°
	for i := range x {
		if math.Abs(float64(x[i]-want[i])) > 1e-7 {
			t.Fatalf("rotateHalf: got %v, want %v", x, want)
		}
	}
}
