package openai

import "github.com/deepgo/deepgo/core/tokenizer"

// Fill in the middle (the completions API's suffix): DeepSeek-V3 was pre-trained with
// FIM in the prefix-suffix-middle arrangement — <｜fim▁begin｜>prefix<｜fim▁hole｜>suffix
// <｜fim▁end｜>, after which the model writes the middle — and its tokenizer has the three
// tokens. A model whose tokenizer lacks them cannot fill in the middle, and suffix is
// refused.

// The FIM tokens of DeepSeek's tokenizers.
const (
	fimBegin = "<｜fim▁begin｜>"
	fimHole  = "<｜fim▁hole｜>"
	fimEnd   = "<｜fim▁end｜>"
)

// fimTokens are the ids of the FIM tokens.
type fimTokens struct{ begin, hole, end int }

// fim returns the tokenizer's FIM tokens, and whether it has all three.
func (b *Backend) fim() (fimTokens, bool) {
	var f fimTokens
	var ok [3]bool
	f.begin, ok[0] = b.tok.ID(fimBegin)
	f.hole, ok[1] = b.tok.ID(fimHole)
	f.end, ok[2] = b.tok.ID(fimEnd)
	return f, ok[0] && ok[1] && ok[2]
}

// encode appends to dst the FIM prompt of a text prefix and suffix.
func (f fimTokens) encode(tok *tokenizer.Tokenizer, dst []int, prefix, suffix string) []int {
	dst = append(dst, f.begin)
	dst = tok.AppendEncode(dst, prefix)
	dst = append(dst, f.hole)
	dst = tok.AppendEncode(dst, suffix)
	return append(dst, f.end)
}

// encodeIDs is the FIM prompt of a prefix given as token ids (a leading BOS stays first)
// and a text suffix.
func (f fimTokens) encodeIDs(tok *tokenizer.Tokenizer, prefix []int, suffix string) []int {
	dst := make([]int, 0, len(prefix)+len(suffix)/2+4)
	if len(prefix) > 0 && prefix[0] == tok.BOS() {
		dst, prefix = append(dst, prefix[0]), prefix[1:]
	}
	dst = append(dst, f.begin)
	dst = append(dst, prefix...)
	dst = append(dst, f.hole)
	dst = tok.AppendEncode(dst, suffix)
	return append(dst, f.end)
}
