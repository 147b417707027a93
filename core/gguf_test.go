package core_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/npy"
)

// TestGGUFFixtures runs llama.cpp's own quantized files and compares with the float32 logits
// of their exact dequantized weights (../shared/fixtures/gguf/README.md): rows P-1 … P+15.
func TestGGUFFixtures(t *testing.T) {
	dir := filepath.Join(fixtureDir, "gguf")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("GGUF fixtures absent (../shared/fixtures/gguf): %v", err)
	}
	exp := loadExpected(t, filepath.Join(fixtureDir, "deepseek-v3-tiny-bf16"))
	for _, typ := range []string{"Q8_0", "Q4_K_M"} {
		t.Run(typ, func(t *testing.T) {
			m, err := core.Open(filepath.Join(dir, "models", "v3tiny-"+typ+".gguf"), core.Options{Threads: 2, MaxBatch: 8})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			v := m.Config.VocabSize
			for i, c := range exp.Cases {
				want, shape, err := npy.ReadFile(filepath.Join(dir, "llamacpp-logits", typ+"-dequantized", c.Name+".npy"))
				if err != nil {
					t.Fatal(err)
				}
				got, err := core.Eval(context.Background(), m, c.Prompt, c.FedDecodeToken)
				if err != nil {
					t.Fatal(err)
				}
				rows := got[(len(c.Prompt)-1)*v:]
				if shape[0]*shape[1] != len(rows) {
					t.Fatalf("case %d: reference shape %v, have %d rows", i, shape, len(rows)/v)
				}
				compareLogits(t, typ+"/"+c.Name, rows, want, v)
			}
		})
	}
}
