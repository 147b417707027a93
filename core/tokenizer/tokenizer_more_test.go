package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// goldenTexts returns the texts of the shared fixture and of testdata/extra_golden.json.
func goldenTexts(t testing.TB) []string {
	t.Helper()
	var texts []string
	var g struct {
		Cases []struct {
			Text string `json:"text"`
		} `json:"cases"`
	}
	data, err := os.ReadFile(filepath.Join("testdata", "extra_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Cases {
		texts = append(texts, c.Text)
	}
	var e struct {
		Texts []struct {
			Text string `json:"text"`
		} `json:"texts"`
		Chat []struct {
			Rendered string `json:"rendered"`
		} `json:"chat"`
	}
	if data, err := os.ReadFile(filepath.Join(fixtureDir, "expected_tokens.json")); err == nil {
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatal(err)
		}
		for _, c := range e.Texts {
			texts = append(texts, c.Text)
		}
		for _, c := range e.Chat {
			texts = append(texts, c.Rendered)
		}
	}
	return texts
}

func TestAccessors(t *testing.T) {
	tok := loadFixture(t)
	if tok.Len() != 128815 {
		t.Errorf("Len = %d, want 128815", tok.Len())
	}
	for _, c := range []struct {
		id      int
		token   string
		special bool
	}{
		{0, "<｜begin▁of▁sentence｜>", true},
		{1, "<｜end▁of▁sentence｜>", true},
		{2, "<｜▁pad▁｜>", true},
		{3, "!", false},
		{2058, "Ġworld", false},
		{128000, "<｜place▁holder▁no▁0｜>", true},
		{128803, "<｜User｜>", true},
		{128804, "<｜Assistant｜>", true},
		{128805, "<|EOT|>", true},
		{128814, "<｜tool▁sep｜>", true},
	} {
		t.Run(c.token, func(t *testing.T) {
			s, ok := tok.Token(c.id)
			if !ok || s != c.token {
				t.Errorf("Token(%d) = %q, %v; want %q", c.id, s, ok, c.token)
			}
			if id, ok := tok.ID(c.token); !ok || id != c.id {
				t.Errorf("ID(%q) = %d, %v; want %d", c.token, id, ok, c.id)
			}
			if tok.IsSpecial(c.id) != c.special {
				t.Errorf("IsSpecial(%d) = %v", c.id, !c.special)
			}
		})
	}
	for _, id := range []int{-1, tok.Len(), 1 << 40} {
		t.Run(fmt.Sprintf("id %d", id), func(t *testing.T) {
			if _, ok := tok.Token(id); ok || tok.IsSpecial(id) || tok.Decode([]int{id}) != "" {
				t.Errorf("id %d out of range is not rejected", id)
			}
		})
	}
	if _, ok := tok.ID("no such token"); ok {
		t.Error("ID of an unknown string")
	}
	if !strings.Contains(tok.ChatTemplate(), "<｜Assistant｜>") {
		t.Errorf("ChatTemplate = %.60q…", tok.ChatTemplate())
	}
	if got := tok.Decode([]int{128803, 19923, 1}); got != "<｜User｜>Hello<｜end▁of▁sentence｜>" {
		t.Errorf("Decode of added tokens = %q", got)
	}
	// Every BPE token is the byte-level form of its decoded bytes.
	for id := 0; id < tok.Len(); id++ {
		if tok.IsSpecial(id) {
			continue
		}
		s, _ := tok.Token(id)
		if b := byteLevelEncode(string(tok.AppendDecode(nil, id))); b != s {
			t.Fatalf("token %d %q decodes to bytes whose byte-level form is %q", id, s, b)
		}
	}
}

// byteLevelEncode returns the byte-level token string of the bytes of s.
func byteLevelEncode(s string) string {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = utf8.AppendRune(b, byteRune[s[i]])
	}
	return string(b)
}

func TestFromVocab(t *testing.T) {
	tok := loadFixture(t)
	v := tok.Vocab()
	if v.Model != "gpt2" || v.Pre != "deepseek-v3" || len(v.Tokens) != tok.Len() || len(v.Merges) != 127741 ||
		v.BOS != 0 || v.EOS != 1 || !v.AddBOS || v.ChatTemplate != tok.ChatTemplate() {
		t.Fatalf("Vocab: model %q pre %q, %d tokens, %d merges, BOS %d EOS %d AddBOS %v",
			v.Model, v.Pre, len(v.Tokens), len(v.Merges), v.BOS, v.EOS, v.AddBOS)
	}
	if v.Merges[0] != "Ġ t" || v.Types[0] != 3 || v.Types[3] != 1 || v.Types[128803] != 4 || v.Types[128000] != 3 {
		t.Errorf("Vocab: merges[0] %q, types %d %d %d %d", v.Merges[0], v.Types[0], v.Types[3], v.Types[128803], v.Types[128000])
	}
	tok2, err := FromVocab(v)
	if err != nil {
		t.Fatal(err)
	}
	if v2 := tok2.Vocab(); !reflect.DeepEqual(v, v2) {
		t.Error("FromVocab(v).Vocab() differs from v")
	}
	for _, text := range goldenTexts(t) {
		if a, b := tok.Encode(text), tok2.Encode(text); !equalIDs(a, b) {
			t.Errorf("Encode(%q): %v from Load, %v from FromVocab", text, a, b)
		}
	}
	for id := 0; id < tok.Len(); id++ {
		s1, ok1 := tok.Token(id)
		s2, ok2 := tok2.Token(id)
		if s1 != s2 || ok1 != ok2 || tok.IsSpecial(id) != tok2.IsSpecial(id) ||
			string(tok.AppendDecode(nil, id)) != string(tok2.AppendDecode(nil, id)) {
			t.Fatalf("id %d differs after FromVocab", id)
		}
	}

	for _, tt := range []struct {
		name string
		bad  func(*Vocab)
	}{
		{"other model", func(v *Vocab) { v.Model = "llama" }},
		{"unknown pre-tokenizer", func(v *Vocab) { v.Pre = "gpt-4o" }},
		{"no pre-tokenizer", func(v *Vocab) { v.Pre = "" }},
		{"types short", func(v *Vocab) { v.Types = v.Types[:10] }},
		{"merge of one token", func(v *Vocab) { v.Merges = append([]string{"Ġ"}, v.Merges...) }},
		{"merge of an unknown token", func(v *Vocab) { v.Merges = append([]string{"Ġ nosuchtoken"}, v.Merges...) }},
		{"BOS past the tokens", func(v *Vocab) { v.BOS = len(v.Tokens) }},
		{"byte token gone", func(v *Vocab) { v.Tokens = append([]string(nil), v.Tokens...); v.Tokens[3] = "!!" }}, // byte '!' gone
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := tok.Vocab()
			tt.bad(&v)
			if _, err := FromVocab(v); err == nil {
				t.Error("FromVocab accepted a bad vocabulary")
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	loadFixture(t)
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing path succeeded")
	}
	data, err := os.ReadFile(filepath.Join(fixtureDir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(string) string{
		"other pre-tokenizer": func(s string) string { return strings.Replace(s, `\\p{N}{1,3}`, `\\p{N}{1,2}`, 1) },
		"normalizer": func(s string) string {
			return strings.Replace(s, `"normalizers": []`, `"normalizers": [{"type": "NFC"}]`, 1)
		},
		"byte fallback": func(s string) string { return strings.Replace(s, `"byte_fallback": false`, `"byte_fallback": true`, 1) },
		"not JSON":      func(s string) string { return s[:1000] },
	} {
		t.Run(name, func(t *testing.T) {
			s := edit(string(data))
			if s == string(data) {
				t.Fatalf("%s: edit did not apply", name)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(dir); err == nil {
				t.Errorf("%s: Load succeeded", name)
			} else if !strings.Contains(err.Error(), "tokenizer.json") {
				t.Errorf("%s: error %q does not name the file", name, err)
			}
		})
	}
	// The file alone, without tokenizer_config.json: no BOS, EOS or template.
	dir := t.TempDir()
	file := filepath.Join(dir, "tokenizer.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tok2, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if tok2.BOS() != -1 || tok2.EOS() != -1 || tok2.AddBOS() || tok2.ChatTemplate() != "" {
		t.Errorf("without tokenizer_config.json: BOS %d EOS %d AddBOS %v", tok2.BOS(), tok2.EOS(), tok2.AddBOS())
	}
}

// TestInvalidUTF8 checks the documented rule: invalid bytes are characters of their own that
// encode to their byte tokens, and everything round-trips.
func TestInvalidUTF8(t *testing.T) {
	tok := loadFixture(t)
	for _, s := range []string{"\xff", "\x80\x80", "a\xffb", "\xe4\xbd", "\xe4\xbd好", "\xed\xa0\x80", "<｜User\xff｜>",
		"12\xff34", "\xf0\x9f\x98 x", " \xc0\xaf ", "\xff<｜User｜>\xfe"} {
		t.Run(strconv.Quote(s), func(t *testing.T) {
			ids := tok.Encode(s)
			if got := tok.Decode(ids); got != s {
				t.Errorf("Decode(Encode(%q)) = %q (ids %v)", s, got, ids)
			}
		})
	}
	if ids := tok.Encode("\xff"); len(ids) != 1 || ids[0] != int(tok.byteTok[0xff]) {
		t.Errorf("Encode(\\xff) = %v, want the byte token %d", tok.Encode("\xff"), tok.byteTok[0xff])
	}
}

// TestBPEHeapMatchesSmall checks the heap merge loop for long words against the simple one.
func TestBPEHeapMatchesSmall(t *testing.T) {
	tok := loadFixture(t)
	e := &encoder{t: tok}
	for _, text := range goldenTexts(t) {
		for _, w := range tok.pieces(text) {
			e.out = e.out[:0]
			if len(w) > smallWord {
				continue
			}
			e.bpe(w)
			small := append([]int(nil), e.out...)
			e.out = e.out[:0]
			e.bpeHeap(w)
			if !equalIDs(small, e.out) {
				t.Errorf("%q: %v by rescanning, %v by heap", w, small, e.out)
			}
		}
	}
}

func TestAppendEncodeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items: allocation counts mean nothing")
	}
	tok := loadFixture(t)
	text := strings.Repeat("Hello, world! 你好，世界。 func main() { x := 42 }\n<｜User｜>"+strings.Repeat("long", 20)+" ", 20)
	dst := tok.AppendEncode(nil, text)
	if n := testing.AllocsPerRun(100, func() { dst = tok.AppendEncode(dst[:0], text) }); n != 0 {
		t.Errorf("AppendEncode allocates %v times per call with a reused dst", n)
	}
}

func TestConcurrentEncode(t *testing.T) {
	tok := loadFixture(t)
	texts := goldenTexts(t)
	want := make([][]int, len(texts))
	for i, s := range texts {
		want[i] = tok.Encode(s)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []int
			for i := range texts {
				i := (i + g*97) % len(texts)
				dst = tok.AppendEncode(dst[:0], texts[i])
				if !equalIDs(dst, want[i]) {
					t.Errorf("concurrent Encode(%q) = %v, want %v", texts[i], dst, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

// FuzzRoundTrip checks Decode(Encode(s)) == s for any bytes, that ids are in range, and that
// streaming the ids gives s with invalid UTF-8 replaced by U+FFFD.
func FuzzRoundTrip(f *testing.F) {
	tok := loadFixture(f)
	for _, s := range []string{"", "Hello world", "a\n\n\nb", "<｜User｜>hi", "\xff\xfe", "中文English", "  \t\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids := tok.Encode(s)
		if got := tok.Decode(ids); got != s {
			t.Fatalf("Decode(Encode(%q)) = %q (ids %v)", s, got, ids)
		}
		for _, id := range ids {
			if id < 0 || id >= tok.Len() {
				t.Fatalf("Encode(%q) gave id %d", s, id)
			}
		}
		d := tok.NewStreamDecoder(nil)
		var b strings.Builder
		for _, id := range ids {
			text, _ := d.Push(id)
			b.WriteString(text)
		}
		b.WriteString(d.Flush())
		if want := string(appendValidUTF8(nil, []byte(s))); b.String() != want {
			t.Fatalf("stream of %q = %q, want %q", s, b.String(), want)
		}
	})
}

// TestMinTokens checks that MinTokens bounds Encode from below on every golden text, and on
// texts made of the longest tokens, where it is reached.
func TestMinTokens(t *testing.T) {
	tok := loadFixture(t)
	texts := goldenTexts(t)
	longest := 0
	for id := range tok.Len() {
		if n := len(tok.AppendDecode(nil, id)); n > len(tok.AppendDecode(nil, longest)) {
			longest = id
		}
	}
	w := string(tok.AppendDecode(nil, longest))
	texts = append(texts, w, strings.Repeat(w, 50), strings.Repeat(" ", 10000), strings.Repeat("a", 9999))
	for i, text := range texts {
		n, ids := tok.MinTokens(len(text)), tok.Encode(text)
		if n > len(ids) {
			t.Errorf("text %d (%d bytes): MinTokens %d > %d ids", i, len(text), n, len(ids))
		}
	}
	if got := tok.MinTokens(50 * len(w)); got != 50 {
		t.Errorf("MinTokens of 50 longest tokens = %d, want 50 (the longest token is %d bytes)", got, len(w))
	}
	if tok.MinTokens(0) != 0 || tok.MinTokens(1) != 1 {
		t.Errorf("MinTokens(0) = %d, MinTokens(1) = %d", tok.MinTokens(0), tok.MinTokens(1))
	}
	t.Logf("the longest token is %d bytes: %q", len(w), w)
}
