package core_test

import (
	"context"
	"testing"

	"github.com/deepgo/deepgo/core"
)

// TestCopyPrefix: a sequence that copies another's prompt goes on as the other does — the
// same logits for the prompt's last token and the decoding steps after — across cache
// pages, and the copy is refused where it cannot be right.
func TestCopyPrefix(t *testing.T) {
	ctx := context.Background()
	m, err := core.Open(batchModels(t)[0].path, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := m.Config.VocabSize
	prompt := make([]int, 300) // more than one page of 256 positions
	for i := range prompt {
		prompt[i] = 1 + (i*7)%50
	}
	src, _ := m.NewSequence(512)
	want := make([]float32, v)
	if err := src.Forward(ctx, prompt, want, false); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 255, 256, 257, len(prompt) - 1} {
		dst, _ := m.NewSequence(512)
		if err := dst.Forward(ctx, []int{9, 9, 9, 9}, make([]float32, v), false); err != nil { // stale contents
			t.Fatal(err)
		}
		if err := dst.CopyPrefix(src, n); err != nil {
			t.Fatal(err)
		}
		if dst.Len() != n {
			t.Fatalf("n=%d: Len %d", n, dst.Len())
		}
		got := make([]float32, v)
		if err := dst.Forward(ctx, prompt[n:], got, false); err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if d := got[i] - want[i]; d > 1e-4 || d < -1e-4 {
				t.Fatalf("n=%d: logit %d is %g, the source's %g", n, i, got[i], want[i])
			}
		}
	}
	fresh, _ := m.NewSequence(512)
	small, _ := m.NewSequence(256)
	for _, tc := range []struct {
		name string
		dst  *core.Sequence
		n    int
	}{
		{"itself", src, 1},
		{"more than it holds", fresh, len(prompt) + 1},
		{"negative", fresh, -1},
		{"another capacity", small, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.dst.CopyPrefix(src, tc.n); err == nil {
				t.Errorf("copy of %d tokens accepted", tc.n)
			}
		})
	}
}
