package grammar

import (
	"sync"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// byteVocab is a vocabulary of the 256 bytes, one token each, and an end token, 256.
func byteVocab(t testing.TB) *Vocab {
	t.Helper()
	v, err := NewVocab(257, func(id int) []byte {
		if id < 256 {
			return []byte{byte(id)}
		}
		return nil
	}, func(id int) bool { return id == 256 }, []int{256})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// matchString feeds s byte by byte to a matcher of g over the byte vocabulary, then asks
// whether the grammar is complete there.
func matchString(t testing.TB, g *Grammar, s string) bool {
	t.Helper()
	m := NewMatcher(g, byteVocab(t))
	for i := 0; i < len(s); i++ {
		if err := m.Accept(int(s[i])); err != nil {
			return false
		}
	}
	return m.Complete()
}

// deepseek is the real DeepSeek-V3 tokenizer and its Vocab, loaded once.
var deepseek = sync.OnceValues(func() (*tokenizer.Tokenizer, error) {
	return tokenizer.Load(fixture.Join("tokenizer", "deepseek-v3"))
})

var deepseekVocab = sync.OnceValues(func() (*Vocab, error) {
	tok, err := deepseek()
	if err != nil {
		return nil, err
	}
	return VocabOf(tok, vocabV3)
})

// vocabV3 is DeepSeek-V3's embedding rows: more than the tokenizer's ids.
const vocabV3 = 129280

// loadDeepSeek returns the tokenizer and Vocab, or skips without the fixtures.
func loadDeepSeek(tb testing.TB) (*tokenizer.Tokenizer, *Vocab) {
	tb.Helper()
	fixture.Path(tb, "tokenizer", "deepseek-v3", "tokenizer.json")
	tok, err := deepseek()
	if err != nil {
		tb.Fatal(err)
	}
	v, err := deepseekVocab()
	if err != nil {
		tb.Fatal(err)
	}
	return tok, v
}
