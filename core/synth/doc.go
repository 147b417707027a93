// Package synth writes Hugging Face style DeepSeek-V2/V3 checkpoints of random weights, for
// tests and benchmarks of shapes whose real weights cannot be downloaded here. The weights
// are random (linear weights scaled by their fan-in, so activations keep their scale) and
// the text they produce is random too; the tokenizer written beside them (when the
// vocabulary holds its ids) is the real DeepSeek-V3 one. deepgo synth writes a checkpoint
// with it, or converts one to GGUF.
//
//	shapes.go     Shape and ShapeNames: tiny, v2-lite, v3-mini and v3-671b configs
//	synth.go      Options and WriteHF: config.json and the weights (BF16, F16, F32 or
//	              block-scaled FP8; one file, or a shard per layer and one for the rest,
//	              with an index), with a multi-token-prediction module when the config
//	              has num_nextn_predict_layers
//	tokenizer.go  TokenizerVocab, TokenizerJSON, WriteTokenizer: the embedded tokenizer
//
// assets/ holds the embedded DeepSeek-V3 tokenizer.json (gzip-compressed) and
// tokenizer_config.json, with its chat template.
package synth
