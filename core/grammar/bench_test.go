package grammar

import (
	"math/rand/v2"
	"testing"
)

// nestedSchema is the benchmarks' schema: objects in an array in an object, with enums,
// numbers, a nullable string and a $ref.
const nestedSchema = `{"$defs":{"item":{"type":"object","properties":{
	"sku":{"type":"string"},"qty":{"type":"integer"},"price":{"type":"number"},
	"tags":{"type":"array","items":{"type":"string","enum":["new","sale","gift"]}}},
	"required":["sku","qty","price","tags"],"additionalProperties":false}},
  "type":"object","properties":{
	"customer":{"type":"object","properties":{"name":{"type":"string"},"email":{"type":["string","null"]}},"required":["name","email"],"additionalProperties":false},
	"items":{"type":"array","items":{"$ref":"#/$defs/item"}},
	"status":{"enum":["open","paid","shipped"]}},
  "required":["customer","items","status"],"additionalProperties":false}`

// trajectory returns the token ids of a random walk through the grammar: at each step a
// random allowed token, with the end tokens taken as soon as they are allowed.
func trajectory(b testing.TB, g *Grammar, v *Vocab, n int) []int {
	m := NewMatcher(g, v)
	mask := make([]uint64, v.MaskWords())
	r := rand.New(rand.NewPCG(1, 2))
	var ids []int
	for len(ids) < n && !m.Done() {
		m.Mask(mask)
		allowed := Count(mask)
		k := r.IntN(allowed)
		id := 0
		for w, word := range mask {
			if c := popcount(word); k >= c {
				k -= c
				continue
			}
			for bit := range 64 {
				if word&(1<<bit) != 0 {
					if k == 0 {
						id = w*64 + bit
						break
					}
					k--
				}
			}
			break
		}
		if err := m.Accept(id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func popcount(w uint64) int { return Count([]uint64{w}) }

// BenchmarkMask measures the mask of one token on the DeepSeek-V3 vocabulary (129,280
// ids) under nestedSchema, along a random generation of up to 300 tokens; one op is one
// token's Mask and Accept. "cold" binds the grammar afresh for every generation, so
// that every local mask is computed on the way (a new schema); "warm" shares one Bound
// among the generations (a schema seen before); "nocache" also forgets the masks of
// whole states, so that every token pays for its union of local masks and the walks
// below them; "widest" is described below.
func BenchmarkMask(b *testing.B) {
	_, v := loadDeepSeek(b)
	g, err := JSONSchema([]byte(nestedSchema))
	if err != nil {
		b.Fatal(err)
	}
	ids := trajectory(b, g, v, 300)
	b.Logf("%d tokens a generation, trie of %d nodes", len(ids), v.Nodes())
	mask := make([]uint64, v.MaskWords())
	run := func(b *testing.B, fresh, stateCache bool) {
		bound := Bind(g, v)
		m := bound.NewMatcher()
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			if i == len(ids) {
				if fresh {
					bound = Bind(g, v)
				}
				m, i = bound.NewMatcher(), 0
			}
			if !stateCache {
				clear(m.cache)
			}
			m.Mask(mask)
			if err := m.Accept(ids[i]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	// "widest" is one mask from nothing (a fresh Bound) at the state that allows the most
	// tokens, inside a string: a new schema's worst token.
	widest, most := 0, 0
	m := NewMatcher(g, v)
	for i, id := range ids {
		if m.Mask(mask); Count(mask) > most {
			widest, most = i, Count(mask)
		}
		m.Accept(id)
	}
	b.Run("widest", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			m := Bind(g, v).NewMatcher()
			for _, id := range ids[:widest] {
				m.Accept(id)
			}
			b.StartTimer()
			m.Mask(mask)
		}
		b.ReportMetric(float64(most), "allowed")
	})
	b.Run("cold", func(b *testing.B) { run(b, true, true) })
	b.Run("warm", func(b *testing.B) { run(b, false, true) })
	b.Run("nocache", func(b *testing.B) { run(b, false, false) })
}

// BenchmarkVocab measures building the Vocab of DeepSeek-V3's tokenizer: what the first
// constrained request of a server pays.
func BenchmarkVocab(b *testing.B) {
	tok, _ := loadDeepSeek(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VocabOf(tok, vocabV3); err != nil {
			b.Fatal(err)
		}
	}
}
