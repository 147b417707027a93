package convert

import (
	"testing"

	"github.com/deepgo/deepgo/quant"
)

// TestGGUFType: every quant format GGUF files hold maps to the ggml type of the same name
// and block, and the one they do not (F8_E4M3) is refused.
func TestGGUFType(t *testing.T) {
	for d := quant.F32; d <= quant.Q6_K; d++ {
		t.Run(d.String(), func(t *testing.T) {
			g, err := ggufType(d)
			if d == quant.F8E4M3 {
				if err == nil {
					t.Errorf("F8_E4M3 maps to %v", g)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.String() != d.String() || g.BlockSize() != d.BlockSize() || g.BlockBytes() != d.BlockBytes() {
				t.Errorf("ggml type %v (%d values in %d bytes), quant %v (%d in %d)",
					g, g.BlockSize(), g.BlockBytes(), d, d.BlockSize(), d.BlockBytes())
			}
		})
	}
}
