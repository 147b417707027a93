package tokenizer

import (
	"fmt"
	"slices"
)

// preTokenizer names the pre-tokenizer a Tokenizer runs on the text between added tokens.
type preTokenizer uint8

const (
	// preDeepSeekV3 is DeepSeek-V3's three Split regexes (pretokenize.go).
	preDeepSeekV3 preTokenizer = iota
	// preQwen2 is the one Split regex of Qwen2 (and Qwen2.5, Qwen3, the DeepSeek-R1 Qwen
	// distills), with single digits (qwen2split.go).
	preQwen2
	// preLlama3 is the same regex with runs of up to three digits, as Llama 3 has it.
	preLlama3
)

// pipeline is what differs between the byte-level BPE tokenizers this package implements:
// the pre-tokenizer, whether the text is NFC-normalized first, and whether a pre-tokenized
// piece that is a vocabulary token is taken whole without merging (BPE ignore_merges).
type pipeline struct {
	pre          preTokenizer
	nfc          bool
	ignoreMerges bool
}

// The pipelines of the supported models.
var (
	pipeDeepSeekV3 = pipeline{pre: preDeepSeekV3}
	pipeQwen2      = pipeline{pre: preQwen2, nfc: true}
	pipeLlama3     = pipeline{pre: preLlama3, ignoreMerges: true}
)

// ggufPres maps the tokenizer.ggml.pre values this package accepts to pipelines; the first
// name of a pipeline is the one Vocab writes. llama.cpp gives "qwen2" and "deepseek-r1-qwen"
// the Qwen2 regex without merge skipping, and "llama-bpe" (also "llama3", "llama-v3") the
// Llama 3 regex with ignore_merges. The Qwen2 files on Hugging Face have an NFC normalizer,
// which GGUF does not record; it is applied here for them so that both forms of a model give
// the ids of its tokenizer.json.
var ggufPres = []struct {
	name string
	pipe pipeline
}{
	{"deepseek-v3", pipeDeepSeekV3},
	{"qwen2", pipeQwen2},
	{"deepseek-r1-qwen", pipeQwen2},
	{"llama-bpe", pipeLlama3},
	{"llama3", pipeLlama3},
	{"llama-v3", pipeLlama3},
}

// pipelineOfGGUF returns the pipeline of a tokenizer.ggml.pre value.
func pipelineOfGGUF(pre string) (pipeline, error) {
	for _, p := range ggufPres {
		if p.name == pre {
			return p.pipe, nil
		}
	}
	names := make([]string, len(ggufPres))
	for i, p := range ggufPres {
		names[i] = fmt.Sprintf("%q", p.name)
	}
	slices.Sort(names)
	return pipeline{}, fmt.Errorf("unsupported pre-tokenizer %q (implemented: %v)", pre, names)
}

// ggufName returns the tokenizer.ggml.pre value of p, or "" if GGUF has no name for it.
func (p pipeline) ggufName() string {
	for _, g := range ggufPres {
		if g.pipe == p {
			return g.name
		}
	}
	return ""
}
