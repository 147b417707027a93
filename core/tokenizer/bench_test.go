package tokenizer

import (
	"os"
	"path/filepath"
	"testing"
)

// benchmarkEncode encodes a testdata file repeatedly with a reused destination slice.
func benchmarkEncode(b *testing.B, file string) {
	tok := loadFixture(b)
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		b.Fatal(err)
	}
	text := string(data)
	dst := tok.AppendEncode(nil, text)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		dst = tok.AppendEncode(dst[:0], text)
	}
	b.ReportMetric(float64(len(text))/float64(len(dst)), "bytes/token")
}

func BenchmarkEncodeEnglish(b *testing.B) { benchmarkEncode(b, "bench_english.txt") }
func BenchmarkEncodeCode(b *testing.B)    { benchmarkEncode(b, "bench_code.txt") }
func BenchmarkEncodeChinese(b *testing.B) { benchmarkEncode(b, "bench_chinese.txt") }

func BenchmarkDecode(b *testing.B) {
	tok := loadFixture(b)
	data, err := os.ReadFile(filepath.Join("testdata", "bench_english.txt"))
	if err != nil {
		b.Fatal(err)
	}
	ids := tok.Encode(string(data))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var dst []byte
	for b.Loop() {
		dst = dst[:0]
		for _, id := range ids {
			dst = tok.AppendDecode(dst, id)
		}
	}
}
