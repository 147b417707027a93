package grammar

import (
	"fmt"
	"slices"

	"github.com/deepgo/deepgo/core/tokenizer"
)

// A Vocab is a model's vocabulary as a Matcher needs it: the bytes of every token in a
// trie, which tokens are special, and which end the sequence. It is built once per
// tokenizer and is immutable and safe for concurrent use.
type Vocab struct {
	size    int
	ends    []int    // end-of-sequence ids: allowed where the grammar is complete
	special []bool   // by id: an added token, allowed only where a grammar names it
	text    [][]byte // by id: the bytes the token decodes to

	// The trie: node n's edges are first[n]:first[n+1] of edgeByte/edgeNode, sorted by
	// byte; the tokens that end at n are tokens[tokOff[n]:tokOff[n+1]]. Node 0 is the root.
	first    []int32
	edgeByte []byte
	edgeNode []int32
	tokOff   []int32
	tokens   []int32
}

// NewVocab builds the Vocab of size ids: text(id) is the bytes id decodes to (empty for
// ids that are no token), special(id) whether it is an added token, and ends the ids that
// end a sequence (they are never matched as text).
func NewVocab(size int, text func(id int) []byte, special func(id int) bool, ends []int) (*Vocab, error) {
	if size <= 0 {
		return nil, fmt.Errorf("grammar: vocabulary of %d tokens", size)
	}
	v := &Vocab{size: size, special: make([]bool, size), text: make([][]byte, size)}
	for _, e := range ends {
		if e >= 0 && e < size && !slices.Contains(v.ends, e) {
			v.ends = append(v.ends, e)
		}
	}
	// Build the trie with maps, then flatten it.
	type tnode struct {
		kids map[byte]int32
		toks []int32
	}
	nodes := []tnode{{}}
	for id := range size {
		b := text(id)
		v.special[id] = special(id)
		if len(b) == 0 || slices.Contains(v.ends, id) {
			continue
		}
		v.text[id] = slices.Clone(b)
		n := int32(0)
		for _, c := range b {
			k, ok := nodes[n].kids[c]
			if !ok {
				if nodes[n].kids == nil {
					nodes[n].kids = map[byte]int32{}
				}
				k = int32(len(nodes))
				nodes[n].kids[c] = k
				nodes = append(nodes, tnode{})
			}
			n = k
		}
		nodes[n].toks = append(nodes[n].toks, int32(id))
	}
	v.first = make([]int32, len(nodes)+1)
	v.tokOff = make([]int32, len(nodes)+1)
	for i, n := range nodes {
		keys := make([]byte, 0, len(n.kids))
		for c := range n.kids {
			keys = append(keys, c)
		}
		slices.Sort(keys)
		for _, c := range keys {
			v.edgeByte = append(v.edgeByte, c)
			v.edgeNode = append(v.edgeNode, n.kids[c])
		}
		v.first[i+1] = int32(len(v.edgeByte))
		v.tokens = append(v.tokens, n.toks...)
		v.tokOff[i+1] = int32(len(v.tokens))
	}
	return v, nil
}

// Size is the number of ids; a mask has one bit for each.
func (v *Vocab) Size() int { return v.size }

// MaskWords is the length of a mask: one bit per id, 64 to a word.
func (v *Vocab) MaskWords() int { return (v.size + 63) / 64 }

// Nodes is the number of nodes of the trie.
func (v *Vocab) Nodes() int { return len(v.first) - 1 }

// VocabOf builds the Vocab of a tokenizer for a model of size ids (ids past the
// tokenizer's are never allowed); its end-of-sequence token ends sequences.
func VocabOf(tok *tokenizer.Tokenizer, size int) (*Vocab, error) {
	var buf []byte
	return NewVocab(size, func(id int) []byte {
		buf = tok.AppendDecode(buf[:0], id)
		return buf
	}, tok.IsSpecial, []int{tok.EOS()})
}
