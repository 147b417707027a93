package chat

import (
	"strings"
	"testing"
)

// BenchmarkRenderDeepSeekV3 renders a 20-turn conversation of ~1 KB messages.
func BenchmarkRenderDeepSeekV3(b *testing.B) {
	tp, err := Parse(DeepSeekV3)
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 22)
	msgs := []Message{{Role: "system", Content: &text}}
	for range 10 {
		msgs = append(msgs, Message{Role: "user", Content: &text}, Message{Role: "assistant", Content: &text})
	}
	opts := Options{AddGenerationPrompt: true, BOSToken: "<｜begin▁of▁sentence｜>"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tp.Render(msgs, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDeepSeekV3(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(DeepSeekV3); err != nil {
			b.Fatal(err)
		}
	}
}
