package tokenizer

import (
	"os"
	"path/filepath"
	"testing"
)

// benchmarkEncode encodes a testdata file repeatedly with a reused destination slice.
func benchmarkEncode(b *testing.B, file string) { benchmarkEncodeWith(b, loadFixture(b), file) }

func benchmarkEncodeWith(b *testing.B, tok *Tokenizer, file string) {
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

// BenchmarkEncodeNPM encodes the same files with the Qwen2 (Qwen3) and Llama 3 vocabularies.
func BenchmarkEncodeNPM(b *testing.B) {
	for _, v := range npmVocabs {
		tok := loadNPM(b, npmVocabDir(b, v.pkg))
		for _, file := range []string{"bench_english.txt", "bench_code.txt", "bench_chinese.txt"} {
			b.Run(v.name+"/"+file, func(b *testing.B) { benchmarkEncodeWith(b, tok, file) })
		}
	}
}

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
