package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
)

// fixtureDir is the shared Hugging Face fixture of the real DeepSeek-V3 tokenizer.
var fixtureDir = fixture.Join("tokenizer", "deepseek-v3")

var loadOnce = sync.OnceValues(func() (*Tokenizer, error) { return Load(fixtureDir) })

// loadFixture returns the real tokenizer, skipping the test if the shared fixtures are absent.
func loadFixture(tb testing.TB) *Tokenizer {
	tb.Helper()
	fixture.Path(tb, "tokenizer", "deepseek-v3", "tokenizer.json")
	t, err := loadOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

type expectedFile struct {
	BOS   int `json:"bos_id"`
	EOS   int `json:"eos_id"`
	Texts []struct {
		Text       string   `json:"text"`
		IDs        []int    `json:"ids"`
		IDsWithBOS []int    `json:"ids_with_bos"`
		Tokens     []string `json:"tokens"`
		Decoded    string   `json:"decoded"`
	} `json:"texts"`
	Chat []struct {
		Name     string `json:"name"`
		Rendered string `json:"rendered"`
		IDs      []int  `json:"ids"`
	} `json:"chat"`
}

func readExpected(t *testing.T) *expectedFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, "expected_tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expectedFile
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

func TestExpectedTokens(t *testing.T) {
	tok := loadFixture(t)
	exp := readExpected(t)
	if tok.BOS() != exp.BOS || tok.EOS() != exp.EOS || !tok.AddBOS() {
		t.Errorf("BOS, EOS, AddBOS = %d, %d, %v; want %d, %d, true", tok.BOS(), tok.EOS(), tok.AddBOS(), exp.BOS, exp.EOS)
	}
	for _, c := range exp.Texts {
		t.Run(strconv.Quote(c.Text), func(t *testing.T) {
			ids := tok.Encode(c.Text)
			if !equalIDs(ids, c.IDs) {
				t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, ids, c.IDs)
				return
			}
			withBOS := append([]int{tok.BOS()}, ids...)
			if !equalIDs(withBOS, c.IDsWithBOS) {
				t.Errorf("BOS+Encode(%q) = %v, want %v", c.Text, withBOS, c.IDsWithBOS)
			}
			var toks []string
			for _, id := range ids {
				s, ok := tok.Token(id)
				if !ok {
					t.Errorf("Token(%d) missing", id)
				}
				toks = append(toks, s)
			}
			if !equalStrings(toks, c.Tokens) {
				t.Errorf("tokens of %q = %q, want %q", c.Text, toks, c.Tokens)
			}
			if got := tok.Decode(ids); got != c.Decoded {
				t.Errorf("Decode(Encode(%q)) = %q, want %q", c.Text, got, c.Decoded)
			}
		})
	}
	for _, c := range exp.Chat {
		t.Run(c.Name, func(t *testing.T) {
			if ids := tok.Encode(c.Rendered); !equalIDs(ids, c.IDs) {
				t.Errorf("chat %s: Encode(%q)\n got %v\nwant %v", c.Name, c.Rendered, ids, c.IDs)
			}
		})
	}
}

func equalIDs(a, b []int) bool { return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b)) }

func equalStrings(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

// TestExtraGolden checks texts encoded by two independent JS implementations of Hugging Face
// tokenizers (see the note in testdata/extra_golden.json and testdata/gen_extra_golden.mjs).
func TestExtraGolden(t *testing.T) {
	tok := loadFixture(t)
	data, err := os.ReadFile(filepath.Join("testdata", "extra_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Text string `json:"text"`
			IDs  []int  `json:"ids"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 500 {
		t.Fatalf("only %d golden cases", len(g.Cases))
	}
	failed := 0
	for _, c := range g.Cases {
		ids := tok.Encode(c.Text)
		if !equalIDs(ids, c.IDs) {
			failed++
			if failed <= 20 {
				t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, ids, c.IDs)
			}
		}
		if got := tok.Decode(ids); got != c.Text {
			t.Errorf("Decode(Encode(%q)) = %q", c.Text, got)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d golden cases differ", failed, len(g.Cases))
	}
}
