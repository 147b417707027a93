// Package grammar constrains generation to a formal language: JSON that follows a JSON
// Schema (OpenAI's structured outputs), any JSON object, a llama.cpp GBNF grammar, or the
// DeepSeek tool-call format built from these pieces.
//
// A grammar is a set of rules over bytes: each rule has alternatives, each alternative
// is a sequence of byte sets and references to rules. Characters are matched as their
// UTF-8 bytes, so a character class becomes byte-range sequences. Compile lowers rules of
// Exprs (Lit, Class, Ref, Seq, Alt, Repeat) into that form and refuses left recursion;
// ParseGBNF and JSONSchema produce such rules from text.
//
// A Matcher runs a grammar as a pushdown recognizer: its state is a set of stacks, each
// with a byte set on top and the places to return to below (a reference in tail position
// pushes nothing, so repetitions do not grow the stack). For a tokenizer's vocabulary
// (Vocab: every token's bytes in a trie) it computes a mask, one bit per token id, of the
// tokens that may come next, and Accept advances over the one chosen. End-of-sequence ids
// are allowed only where the grammar is complete, special tokens only where a grammar
// names them (Grammar.WithSpecials).
//
// Masks are cheap because they are shared. The mask of one stack is the union of a local
// mask, what its top few frames accept without returning below them (the same whatever
// is below), and the tokens that do return below them, walked on from the trie nodes
// where they do with the frames of the stack at hand. A Bound (a grammar bound to a
// vocabulary) keeps the local masks for every Matcher it makes; a Matcher keeps the
// masks of whole states it has seen. BenchmarkMask measures the cost per token on
// DeepSeek-V3's 129,280-id vocabulary.
//
//	expr.go      Expr and its kinds, Rule
//	compile.go   Compile: rules → the byte-level Grammar; left recursion refused
//	utf8.go      character classes as UTF-8 byte-range sequences
//	gbnf.go      ParseGBNF: llama.cpp's grammar text format
//	schema.go    JSONSchema, JSONObject, SchemaRules: JSON Schema (OpenAI's strict subset)
//	             to rules; UnsupportedError names a keyword the compiler cannot enforce
//	intrange.go  minimum and maximum of integers and numbers as digit-range rules
//	jsonvalue.go reading a schema with its members in order
//	vocab.go     Vocab: a tokenizer's tokens in a trie, its special and end ids
//	matcher.go   Bound, Matcher: the recognizer, masks and their caches, Accept
package grammar
