package safetensors

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseHeader parses a header of 100,000 tensors, about the size of
// a full DeepSeek-V3 checkpoint's.
func BenchmarkParseHeader(b *testing.B) {
	const n = 100_000
	var sb strings.Builder
	sb.WriteString(`{"__metadata__":{"format":"pt"}`)
	for i := range n {
		fmt.Fprintf(&sb, `,"model.layers.%d.mlp.experts.%d.down_proj.weight":{"dtype":"F8_E4M3","shape":[7168,2048],"data_offsets":[%d,%d]}`,
			i/256, i%256, int64(i)*7168*2048, int64(i+1)*7168*2048)
	}
	sb.WriteString("}")
	header := []byte(sb.String())
	dataLen := int64(n) * 7168 * 2048
	b.SetBytes(int64(len(header)))
	b.ReportAllocs()
	for b.Loop() {
		h, err := ParseHeader(header, dataLen)
		if err != nil || len(h.Tensors) != n {
			b.Fatal(err)
		}
	}
}
