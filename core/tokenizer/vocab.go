package tokenizer

import (
	"errors"
	"fmt"
	"hash/maphash"
	"sort"
	"strings"
)

// GGUF token types (tokenizer.ggml.token_type), as llama.cpp numbers them.
const (
	typeUndefined   = 0
	typeNormal      = 1
	typeUnknown     = 2
	typeControl     = 3
	typeUserDefined = 4
	typeUnused      = 5
	typeByte        = 6
)

// Vocab is the vocabulary in the form GGUF files store it (the tokenizer.ggml.* keys).
//
//   - Model is tokenizer.ggml.model, "gpt2" for byte-level BPE; Pre is tokenizer.ggml.pre:
//     "deepseek-v3"; "qwen2" or "deepseek-r1-qwen" (Qwen2's regex, NFC normalization);
//     "llama-bpe", "llama3" or "llama-v3" (Llama 3's regex, ignore_merges). Others are an
//     error (pipeline.go).
//   - Tokens[id] is the vocabulary string of id (byte-level form for BPE tokens, content for
//     added tokens); ids that no token has are "[PAD<id>]" with type 5.
//   - Types[id] is the token type: 1 normal, 3 control (an added token Hugging Face marks
//     special), 4 user-defined (other added tokens, such as <｜User｜>), 5 unused; 0 (undefined),
//     2 (unknown) and 6 (byte) are read as normal, other values are an error. Both 3 and 4 are
//     added tokens, matched whole in text (llama.cpp's converter writes 3 for <｜User｜> and the
//     like, as they look special; that changes nothing here). A nil Types means all normal.
//   - Merges are the BPE merges "left right", highest priority first.
//   - BOS and EOS are token ids, -1 if none; AddBOS is tokenizer.ggml.add_bos_token;
//     ChatTemplate is tokenizer.chat_template.
//
// GGUF keeps no lstrip, rstrip, single_word or normalized flags: FromVocab gives added tokens
// none of the first three, treats control tokens as non-normalized and user-defined ones as
// normalized. For DeepSeek-V3 that changes no encoding (its normalizer is the identity, its added
// tokens have none of those options and none overlaps another).
type Vocab struct {
	Model, Pre   string
	Tokens       []string
	Types        []int32
	Merges       []string
	BOS, EOS     int
	AddBOS       bool
	ChatTemplate string
}

// ggufModel is the GGUF name of the tokenizer model this package implements (byte-level BPE).
const ggufModel = "gpt2"

// Vocab returns the vocabulary in GGUF form; FromVocab of it gives an identical Tokenizer.
func (t *Tokenizer) Vocab() Vocab {
	v := Vocab{
		Model:        ggufModel,
		Pre:          t.pipe.ggufName(),
		Tokens:       make([]string, len(t.tokens)),
		Types:        append([]int32(nil), t.types...),
		Merges:       make([]string, len(t.pairs)),
		BOS:          t.bos,
		EOS:          t.eos,
		AddBOS:       t.addBOS,
		ChatTemplate: t.chatTemplate,
	}
	for id, s := range t.tokens {
		if t.types[id] == typeUnused {
			s = fmt.Sprintf("[PAD%d]", id)
		}
		v.Tokens[id] = s
	}
	for i, p := range t.pairs {
		v.Merges[i] = t.tokens[p[0]] + " " + t.tokens[p[1]]
	}
	return v
}

// FromVocab builds a Tokenizer from the GGUF form of a vocabulary.
func FromVocab(v Vocab) (*Tokenizer, error) {
	if v.Model != ggufModel {
		return nil, fmt.Errorf("tokenizer: unsupported tokenizer model %q (want %q)", v.Model, ggufModel)
	}
	pipe, err := pipelineOfGGUF(v.Pre)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if v.Types != nil && len(v.Types) != len(v.Tokens) {
		return nil, fmt.Errorf("tokenizer: %d token types for %d tokens", len(v.Types), len(v.Tokens))
	}
	sp := spec{
		tokens:       v.Tokens,
		types:        make([]int32, len(v.Tokens)),
		merges:       make([][2]string, len(v.Merges)),
		bos:          v.BOS,
		eos:          v.EOS,
		addBOS:       v.AddBOS,
		chatTemplate: v.ChatTemplate,
		pipe:         pipe,
	}
	for id := range v.Tokens {
		typ := int32(typeNormal)
		if v.Types != nil {
			typ = v.Types[id]
		}
		switch typ {
		case typeControl, typeUserDefined:
			sp.added = append(sp.added, addedToken{
				id:         id,
				content:    v.Tokens[id],
				special:    typ == typeControl,
				normalized: typ == typeUserDefined,
			})
		case typeUnused:
		case typeUndefined, typeNormal, typeUnknown, typeByte:
			typ = typeNormal
		default:
			return nil, fmt.Errorf("tokenizer: token %d %q has unknown type %d", id, v.Tokens[id], typ)
		}
		sp.types[id] = typ
	}
	for i, m := range v.Merges {
		a, b, ok := strings.Cut(m, " ")
		if !ok || strings.Contains(b, " ") {
			return nil, fmt.Errorf("tokenizer: merge %d %q is not two tokens", i, m)
		}
		sp.merges[i] = [2]string{a, b}
	}
	return build(sp)
}

// spec is what build needs, whichever file it came from.
type spec struct {
	tokens       []string // by id; entries of type typeUnused are ignored
	types        []int32  // by id
	added        []addedToken
	merges       [][2]string // by rank
	bos, eos     int
	addBOS       bool
	chatTemplate string
	pipe         pipeline
	// postBOS is, from tokenizer.json, the id its post-processor puts first, or -1 (0 from
	// GGUF, where it is not used): with no add_bos_token, the BOS is added if it is that id.
	postBOS int
}

// build makes a Tokenizer.
func build(sp spec) (*Tokenizer, error) {
	n := len(sp.tokens)
	if n == 0 {
		return nil, errors.New("tokenizer: empty vocabulary")
	}
	for _, id := range []int{sp.bos, sp.eos} {
		if id < -1 || id >= n || id >= 0 && sp.types[id] == typeUnused {
			return nil, fmt.Errorf("tokenizer: BOS/EOS id %d is not a token", id)
		}
	}
	t := &Tokenizer{
		tokens:       append([]string(nil), sp.tokens...),
		types:        append([]int32(nil), sp.types...),
		ids:          make(map[string]int32, n),
		decOff:       make([]uint32, n+1),
		isAdded:      make([]bool, n),
		bos:          sp.bos,
		eos:          sp.eos,
		addBOS:       sp.addBOS,
		chatTemplate: sp.chatTemplate,
		pipe:         sp.pipe,
		cls:          classifier{table: classTable()},
		seed:         maphash.MakeSeed(),
	}

	// Ids and decoded bytes. Added tokens go last so that their ids win, as in Hugging Face.
	size := 0
	for id, s := range sp.tokens {
		if sp.types[id] != typeUnused {
			size += len(s)
		}
	}
	t.dec = make([]byte, 0, size)
	for id, s := range t.tokens {
		if t.types[id] == typeUnused {
			t.tokens[id] = ""
		} else {
			if _, dup := t.ids[s]; !dup {
				t.ids[s] = int32(id)
			}
			t.dec = appendByteLevelDecoded(t.dec, s)
		}
		t.decOff[id+1] = uint32(len(t.dec))
		t.maxBytes = max(t.maxBytes, int(t.decOff[id+1]-t.decOff[id]))
	}
	sort.SliceStable(sp.added, func(i, j int) bool { return sp.added[i].id < sp.added[j].id })
	var special, normalized []addedToken
	for _, a := range sp.added {
		if a.id < 0 || a.id >= n || t.tokens[a.id] != a.content {
			return nil, fmt.Errorf("tokenizer: added token %q has id %d, which the vocabulary gives another string", a.content, a.id)
		}
		t.ids[a.content] = int32(a.id)
		t.isAdded[a.id] = true
		if a.normalized {
			normalized = append(normalized, a)
		} else {
			special = append(special, a)
		}
	}
	t.specialTokens = newMatcher(special)
	t.normalizedTokens = newMatcher(normalized)

	for b := range 256 {
		s := string(byteRune[b])
		id, ok := t.ids[s]
		if !ok {
			return nil, fmt.Errorf("tokenizer: the vocabulary has no byte-level token %q for byte %#02x", s, b)
		}
		t.byteTok[b] = id
	}

	var err error
	if t.merges, err = newMergeTable(n, len(sp.merges)); err != nil {
		return nil, err
	}
	t.pairs = make([][2]int32, 0, len(sp.merges))
	var joined []byte
	for rank, m := range sp.merges {
		a, okA := t.ids[m[0]]
		b, okB := t.ids[m[1]]
		joined = append(append(joined[:0], m[0]...), m[1]...)
		c, okC := t.ids[string(joined)] // no allocation: the compiler looks up the bytes
		if !okA || !okB || !okC {
			return nil, fmt.Errorf("tokenizer: merge %d (%q %q) uses or makes a token not in the vocabulary", rank, m[0], m[1])
		}
		t.merges.add(a, b, c)
		t.pairs = append(t.pairs, [2]int32{a, b})
	}
	return t, nil
}
