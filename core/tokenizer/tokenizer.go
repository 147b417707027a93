package tokenizer

import (
	"hash/maphash"
	"sync"
)

// A Tokenizer encodes text to token ids and decodes ids to text. It is immutable and safe for
// concurrent use.
type Tokenizer struct {
	tokens []string         // id → token string as in the vocabulary ("" where no token has the id)
	types  []int32          // id → GGUF token type
	ids    map[string]int32 // token string → id (added tokens take precedence)
	// dec and decOff hold the decoded bytes of every id: dec[decOff[id]:decOff[id+1]].
	dec      []byte
	decOff   []uint32
	maxBytes int // the most bytes one id decodes to

	byteTok [256]int32 // the id of the byte-level token of each byte
	merges  mergeTable
	pairs   [][2]int32 // the merges by rank, for Vocab

	isAdded          []bool   // id → whether it is an added token
	specialTokens    *matcher // added tokens matched in the raw text (non-normalized)
	normalizedTokens *matcher // added tokens matched in the normalized text

	bos, eos     int
	addBOS       bool
	chatTemplate string

	pipe    pipeline // the pre-tokenizer, normalizer and merge rule
	cls     classifier
	seed    maphash.Seed // for the word caches
	scratch sync.Pool    // *encoder
}

// encoder is the scratch state of one Encode call.
type encoder struct {
	t   *Tokenizer
	out []int

	// BPE buffers, reused from word to word.
	syms, ranks, next, prev []int32
	heap                    []mergeCand
	cache                   *wordCache // allocated on first use

	// bl is the byte-level form of a piece, for the whole-piece lookup of ignore_merges.
	bl []byte

	// pieces, if not nil, collects the pre-tokenized pieces instead of encoding them (tests).
	pieces *[]string
}

// Encode returns the ids of text. It adds no BOS; added tokens written in text, such as
// <｜User｜> or <｜end▁of▁sentence｜>, are encoded as their single ids.
func (t *Tokenizer) Encode(text string) []int {
	if text == "" {
		return nil
	}
	return t.AppendEncode(make([]int, 0, len(text)/3+4), text)
}

// AppendEncode appends the ids of text to dst and returns the extended slice, like Encode. With
// a dst of enough capacity it does not allocate, in steady state.
func (t *Tokenizer) AppendEncode(dst []int, text string) []int {
	if text == "" {
		return dst
	}
	e, _ := t.scratch.Get().(*encoder)
	if e == nil {
		e = &encoder{t: t}
	}
	e.out = dst
	e.splitAdded(text, t.specialTokens, 1)
	dst = e.out
	e.out = nil
	if cap(e.syms) > maxPooledSymbols {
		// A very long piece grew the BPE buffers: do not keep them alive in the pool.
		e.syms, e.ranks, e.next, e.prev, e.heap = nil, nil, nil, nil, nil
	}
	if cap(e.bl) > 2*maxPooledSymbols {
		e.bl = nil
	}
	t.scratch.Put(e)
	return dst
}

// maxPooledSymbols bounds the BPE buffers an encoder keeps between calls.
const maxPooledSymbols = 1 << 16

// Decode returns the text of ids: the bytes the byte-level tokens stand for, and the text of
// added tokens. Ids outside the vocabulary are skipped. The result is valid UTF-8 when the ids
// come from Encode of valid UTF-8; in general it may not be (use a StreamDecoder for display).
func (t *Tokenizer) Decode(ids []int) string {
	n := 0
	for _, id := range ids {
		if id >= 0 && id < len(t.tokens) {
			n += int(t.decOff[id+1] - t.decOff[id])
		}
	}
	b := make([]byte, 0, n)
	for _, id := range ids {
		b = t.AppendDecode(b, id)
	}
	return string(b)
}

// AppendDecode appends the bytes of id to dst; nothing for an id outside the vocabulary.
func (t *Tokenizer) AppendDecode(dst []byte, id int) []byte {
	if id < 0 || id >= len(t.tokens) {
		return dst
	}
	return append(dst, t.dec[t.decOff[id]:t.decOff[id+1]]...)
}

// Token returns the vocabulary string of id: the byte-level form for BPE tokens ("Ġworld"), the
// content for added tokens.
func (t *Tokenizer) Token(id int) (string, bool) {
	if id < 0 || id >= len(t.tokens) || t.types[id] == typeUnused {
		return "", false
	}
	return t.tokens[id], true
}

// ID returns the id of a vocabulary string (the inverse of Token).
func (t *Tokenizer) ID(token string) (int, bool) {
	id, ok := t.ids[token]
	return int(id), ok
}

// MinTokens is a lower bound on the number of ids Encode returns for a text of n bytes:
// the ids decode to the normalized text and none to more bytes than the longest token. The
// normalized text is the text itself, or with NFC at least a third of it (composition
// shrinks most in Hangul, three 3-byte jamo into one 3-byte syllable; elsewhere it replaces a
// starter and marks of at least 2 bytes each by one character). A caller can refuse a text
// that is certainly too long without encoding it.
func (t *Tokenizer) MinTokens(n int) int {
	if t.pipe.nfc {
		n /= 3
	}
	if n <= 0 || t.maxBytes == 0 {
		return 0
	}
	return (n + t.maxBytes - 1) / t.maxBytes
}

// Len returns the number of ids, added tokens included (one more than the largest id).
func (t *Tokenizer) Len() int { return len(t.tokens) }

// BOS returns the id of the beginning-of-sequence token, or -1 if none is known.
func (t *Tokenizer) BOS() int { return t.bos }

// EOS returns the id of the end-of-sequence token, or -1 if none is known.
func (t *Tokenizer) EOS() int { return t.eos }

// AddBOS reports whether a prompt should start with BOS (tokenizer_config.json add_bos_token).
func (t *Tokenizer) AddBOS() bool { return t.addBOS }

// IsSpecial reports whether id is an added token: one matched whole in text and never produced
// by BPE merges, whether Hugging Face marks it "special" (<｜end▁of▁sentence｜>, GGUF control
// type) or not (<｜User｜>, user-defined type).
func (t *Tokenizer) IsSpecial(id int) bool {
	return id >= 0 && id < len(t.isAdded) && t.isAdded[id]
}

// ChatTemplate returns the Jinja chat template (tokenizer_config.json chat_template), or "".
func (t *Tokenizer) ChatTemplate() string { return t.chatTemplate }
