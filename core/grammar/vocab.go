package grammar

import (
	"bytes"
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
	// The tokens' bytes in one buffer.
	var buf []byte
	off := make([]int, size+1)
	for id := range size {
		v.special[id] = special(id)
		if !slices.Contains(v.ends, id) {
			buf = append(buf, text(id)...)
		}
		off[id+1] = len(buf)
	}
	order := make([]int32, 0, size)
	for id := range size {
		v.text[id] = buf[off[id]:off[id+1]:off[id+1]]
		if len(v.text[id]) > 0 {
			order = append(order, int32(id))
		}
	}
	// Insert the tokens in byte order: each shares the path of the one before as far as
	// their bytes agree, and a node's children come in byte order.
	slices.SortStableFunc(order, func(a, b int32) int { return bytes.Compare(v.text[a], v.text[b]) })
	type edge struct {
		b    byte
		node int32
	}
	var kids [][]edge // by node
	var toks [][]int32
	kids, toks = append(kids, nil), append(toks, nil)
	var path []int32 // the nodes of the previous token's bytes
	var prev []byte
	for _, id := range order {
		t := v.text[id]
		common := 0
		for common < len(t) && common < len(prev) && t[common] == prev[common] {
			common++
		}
		path = path[:common]
		n := int32(0)
		if common > 0 {
			n = path[common-1]
		}
		for _, c := range t[common:] {
			k := int32(len(kids))
			kids, toks = append(kids, nil), append(toks, nil)
			kids[n] = append(kids[n], edge{c, k})
			path = append(path, k)
			n = k
		}
		toks[n] = append(toks[n], id)
		prev = t
	}
	v.first = make([]int32, len(kids)+1)
	v.tokOff = make([]int32, len(kids)+1)
	for i := range kids {
		for _, e := range kids[i] {
			v.edgeByte = append(v.edgeByte, e.b)
			v.edgeNode = append(v.edgeNode, e.node)
		}
		v.first[i+1] = int32(len(v.edgeByte))
		v.tokens = append(v.tokens, toks[i]...)
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
