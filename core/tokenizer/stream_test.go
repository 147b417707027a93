package tokenizer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// byteIDs returns the byte-level token of each byte of s: the finest split of s into tokens.
func byteIDs(t *Tokenizer, s string) []int {
	ids := make([]int, len(s))
	for i := 0; i < len(s); i++ {
		ids[i] = int(t.byteTok[s[i]])
	}
	return ids
}

type pushResult struct {
	text    string
	stopped bool
}

func pushAll(d *StreamDecoder, ids []int) []pushResult {
	var rs []pushResult
	for _, id := range ids {
		text, stopped := d.Push(id)
		rs = append(rs, pushResult{text, stopped})
	}
	return rs
}

func TestStreamDecoderUTF8(t *testing.T) {
	tok := loadFixture(t)
	d := tok.NewStreamDecoder(nil)
	for _, s := range []string{"你", "😀", "é", "a你b😀c"} {
		t.Run(s, func(t *testing.T) {
			var out strings.Builder
			for _, r := range pushAll(d, byteIDs(tok, s)) {
				if !utf8.ValidString(r.text) {
					t.Errorf("%q: emitted invalid UTF-8 %q", s, r.text)
				}
				if r.stopped {
					t.Errorf("%q: stopped without stop strings", s)
				}
				out.WriteString(r.text)
			}
			if rest := d.Flush(); rest != "" {
				t.Errorf("%q: Flush = %q after complete text", s, rest)
			}
			if out.String() != s {
				t.Errorf("%q: streamed %q", s, out.String())
			}
		})
	}

	// The first two bytes of 你 give nothing; the third gives the character.
	d.Reset()
	rs := pushAll(d, byteIDs(tok, "你"))
	if rs[0].text != "" || rs[1].text != "" || rs[2].text != "你" {
		t.Errorf("你 byte by byte: %+v", rs)
	}

	// An incomplete tail is flushed as U+FFFD.
	d.Reset()
	pushAll(d, byteIDs(tok, "ab\xe4\xbd"))
	if got := d.Flush(); got != "\uFFFD" {
		t.Errorf("Flush of an incomplete tail = %q, want U+FFFD", got)
	}
	// Bytes that cannot start or continue a character come out as U+FFFD at once, one per
	// maximal invalid subsequence.
	d.Reset()
	var out strings.Builder
	for _, r := range pushAll(d, byteIDs(tok, "a\xffb\xf0\x9f\x98c\x80")) {
		out.WriteString(r.text)
	}
	out.WriteString(d.Flush())
	if want := "a\uFFFDb\uFFFDc\uFFFD"; out.String() != want {
		t.Errorf("invalid bytes streamed as %q, want %q", out.String(), want)
	}
}

func TestStreamDecoderStops(t *testing.T) {
	tok := loadFixture(t)
	eos, _ := tok.Token(tok.EOS())
	for _, c := range []struct {
		name  string
		ids   []int
		stops []string
		want  []pushResult // per Push
		flush string
	}{
		{
			name:  "stop spans tokens",
			ids:   byteIDs(tok, "ab</s>cd"),
			stops: []string{"</s>"},
			want:  []pushResult{{"a", false}, {"b", false}, {"", false}, {"", false}, {"", false}, {"", true}, {"", true}, {"", true}},
		},
		{
			name:  "prefix disproved",
			ids:   byteIDs(tok, "x</y"),
			stops: []string{"</s>"},
			want:  []pushResult{{"x", false}, {"", false}, {"", false}, {"</y", false}},
		},
		{
			name:  "prefix held to the end",
			ids:   byteIDs(tok, "x</"),
			stops: []string{"</s>"},
			want:  []pushResult{{"x", false}, {"", false}, {"", false}},
			flush: "</",
		},
		{
			name:  "overlapping candidates",
			ids:   byteIDs(tok, "aab"),
			stops: []string{"ab", "aac"},
			want:  []pushResult{{"", false}, {"", false}, {"a", true}},
		},
		{
			name:  "earliest of several stops",
			ids:   tok.Encode("one two three"),
			stops: []string{"three", " two"},
		},
		{
			name:  "special token as stop",
			ids:   append(tok.Encode("Hi there"), tok.EOS(), 100),
			stops: []string{eos},
		},
		{
			name:  "stop inside a multi-byte sequence's neighbourhood",
			ids:   byteIDs(tok, "你好。"),
			stops: []string{"好"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := tok.NewStreamDecoder(c.stops)
			rs := pushAll(d, c.ids)
			if c.want != nil && !equalResults(rs, c.want) {
				t.Errorf("%s: got %+v\nwant %+v", c.name, rs, c.want)
			}
			if got := d.Flush(); got != c.flush {
				t.Errorf("%s: Flush = %q, want %q", c.name, got, c.flush)
			}
			// Whatever the split, the concatenation is the text before the first stop.
			d.Reset()
			full := tok.Decode(c.ids)
			cut, stopped := full, false
			for _, s := range c.stops {
				if i := strings.Index(full, s); i >= 0 && i <= len(cut) {
					cut, stopped = full[:i], true
				}
			}
			var out strings.Builder
			gotStopped := false
			for _, r := range pushAll(d, c.ids) {
				out.WriteString(r.text)
				gotStopped = gotStopped || r.stopped
			}
			out.WriteString(d.Flush())
			if out.String() != cut || gotStopped != stopped {
				t.Errorf("%s: streamed %q (stopped %v), want %q (stopped %v)", c.name, out.String(), gotStopped, cut, stopped)
			}
		})
	}
}

func equalResults(a, b []pushResult) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestStreamDecoderProperty streams the golden texts token by token with stop strings taken
// from inside them and checks the output against cutting the whole text.
func TestStreamDecoderProperty(t *testing.T) {
	tok := loadFixture(t)
	for i, text := range goldenTexts(t) {
		if !utf8.ValidString(text) || text == "" {
			continue
		}
		ids := tok.Encode(text)
		var stops []string
		if i%3 != 0 {
			// A stop string from the middle of the text, on character boundaries.
			rs := []rune(text)
			a := len(rs) / 3
			b := min(len(rs), a+1+i%4)
			stops = append(stops, string(rs[a:b]), "\x00never")
		}
		want := text
		for _, s := range stops {
			if j := strings.Index(text, s); j >= 0 && j < len(want) {
				want = text[:j]
			}
		}
		d := tok.NewStreamDecoder(stops)
		var out strings.Builder
		for _, id := range ids {
			s, stopped := d.Push(id)
			if !utf8.ValidString(s) {
				t.Fatalf("%q: invalid UTF-8 %q", text, s)
			}
			out.WriteString(s)
			if stopped {
				break
			}
		}
		out.WriteString(d.Flush())
		if out.String() != want {
			t.Errorf("%q with stops %q: streamed %q, want %q", text, stops, out.String(), want)
		}
	}
}
