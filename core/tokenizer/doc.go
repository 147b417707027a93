// Package tokenizer implements the byte-level BPE tokenizers of DeepSeek-V3, Qwen2 (also
// Qwen2.5, Qwen3 and the DeepSeek-R1 Qwen distills) and Llama 3 (the R1 Llama distills), giving
// the same ids as Hugging Face tokenizers for the same tokenizer.json. What differs between
// them, the pipeline (pipeline.go), is recognized in tokenizer.json or from GGUF's
// tokenizer.ggml.pre; any other pre-tokenizer, normalizer or merge rule is an error at load.
//
// Encoding runs the tokenizer.json pipeline; for DeepSeek-V3:
//
//  1. Added tokens (tokenizer.json "added_tokens", such as <｜begin▁of▁sentence｜> or <｜User｜>)
//     are found in the raw text and become single ids: first the non-normalized ones, then, in
//     the text between them, the normalized ones, each pass leftmost-longest as the Aho-Corasick
//     matcher of Hugging Face does, with the lstrip, rstrip and single_word options applied the
//     same way. The normalizer of DeepSeek-V3 is the identity, so normalization changes nothing.
//  2. The text between added tokens is pre-tokenized by the three Split(Isolated) regexes of the
//     model — \p{N}{1,3}, then runs of CJK ideographs and kana, then the word regex with its
//     \s+(?!\S) lookahead — each applied to the pieces the previous one produced. They are
//     hand-written scanners over runes (pretokenize.go) that reproduce the backtracking
//     semantics of the Oniguruma engine Hugging Face uses; \s is Unicode White_Space (so it
//     includes U+0085 and excludes U+FEFF, unlike JavaScript's \s). Character categories come
//     from Go's unicode package (Unicode 15.0.0): a code point assigned in a later Unicode
//     version is "other" here and may split differently from an engine with newer tables.
//  3. Each piece is mapped to bytes (the GPT-2 byte-to-unicode table, bytelevel.go) and merged by
//     BPE rank, lowest rank first and leftmost on ties (bpe.go).
//
// Qwen2 and Llama 3 differ in steps 1 and 2 and in BPE (qwen2split.go): the text between
// non-normalized added tokens is NFC-normalized (Qwen2; golang.org/x/text/unicode/norm,
// Unicode 15.0.0), and it is pre-tokenized by one Split regex, the same scanner for both but
// for its digits — \p{N} for Qwen2, \p{N}{1,3} for Llama 3 — whose alternatives are English
// contractions in any case, letters with one leading non-letter, digits, other characters with
// one leading space, and the same whitespace rules. Llama 3's BPE has ignore_merges: a piece
// that is a vocabulary token is that token, even where the merges would not build it.
//
// Encode never adds a BOS id; callers that want one prepend BOS() when AddBOS() is true, as
// Hugging Face transformers does for this model.
//
// Invalid UTF-8: Go strings may hold any bytes, Rust strings may not, so this package defines
// the behaviour itself. Each byte that is not part of a valid UTF-8 sequence is a character of
// its own that belongs to no Unicode category (like an unassigned code point) for the splitters,
// and it encodes through the byte-level alphabet like any other byte. Hence
// Decode(Encode(s)) == s for every string s, valid UTF-8 or not (with NFC, Decode gives the
// normalized s; invalid bytes pass through normalization unchanged). Decode returns the raw bytes of
// the tokens; it does not replace invalid sequences with U+FFFD as Hugging Face's decoder does
// (the two agree whenever the decoded bytes are valid UTF-8). The StreamDecoder, which hands out
// text to be shown, does replace them.
//
// A Tokenizer is immutable after Load or FromVocab and safe for concurrent use. Encoding keeps
// its scratch buffers, and a small fixed-size cache of the BPE result of short pieces, in a
// sync.Pool, so AppendEncode with a reused destination slice does not allocate in steady state.
//
// The files:
//
//	tokenizer.go    the Tokenizer, its accessors, Encode and Decode, the pooled encoder state
//	load.go         reading tokenizer.json and tokenizer_config.json (size-bounded; only the
//	                pipelines of pipeline.go are accepted)
//	pipeline.go     the pipelines (pre-tokenizer, NFC, ignore_merges) and their GGUF names
//	vocab.go        the GGUF form of the vocabulary (Vocab, FromVocab) and the common constructor
//	added.go        matching added tokens in the raw text (leftmost-longest, lstrip, rstrip,
//	                single_word)
//	normalize.go    the NFC normalizer
//	pretokenize.go  DeepSeek-V3's three regex splitters as scanners
//	qwen2split.go   the Split regex of Qwen2 and Llama 3 as a scanner
//	classes.go      the Unicode character classes the splitters use, in a table
//	bytelevel.go    the GPT-2 byte-to-unicode table both ways, and a token's decoded bytes
//	bpe.go          the merge table and the BPE merge loop (a rescan for short pieces, a heap
//	                for long ones), and ignore_merges' whole-piece lookup
//	cache.go        the per-encoder cache of short pieces' ids
//	stream.go       StreamDecoder: incremental decoding with stop strings
package tokenizer
