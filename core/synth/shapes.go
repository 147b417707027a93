package synth

import (
	"fmt"
	"strings"

	"github.com/deepgo/deepgo/core"
)

// shape returns a fresh config of a named shape: the published DeepSeek architectures'
// dimensions (with their own layer counts), the dense R1 distills', and small ones for
// trying things out.
func shape(name string) *core.Config {
	switch name {
	// tiny: a second to make, 70 MB (mostly the embeddings of the full DeepSeek-V3 vocabulary).
	case "tiny":
		return &core.Config{Architectures: []string{"DeepseekV3ForCausalLM"}, ModelType: "deepseek_v3",
			VocabSize: 129280, HiddenSize: 128, IntermediateSize: 384, NumHiddenLayers: 4, NumAttentionHeads: 4,
			RMSNormEps: 1e-6, MaxPositions: 4096, HiddenAct: "silu", QLoRARank: 96, KVLoRARank: 64,
			QKNopeHeadDim: 32, QKRopeHeadDim: 16, VHeadDim: 32, RopeTheta: 10000,
			RopeScaling:    &core.RopeScaling{Type: "yarn", Factor: 8, OriginalMaxPositionEmbeddings: 256, BetaFast: 32, BetaSlow: 1, MScale: 1, MScaleAllDim: 1},
			NRoutedExperts: 16, NSharedExperts: 1, NumExpertsPerTok: 4, MoEIntermediateSize: 96, FirstKDenseReplace: 1,
			MoELayerFreq: 1, NGroup: 4, TopKGroup: 2, TopKMethod: "noaux_tc", ScoringFunc: "sigmoid", NormTopKProb: true,
			RoutedScalingFactor: 2.5}
	// v2-lite: DeepSeek-V2-Lite (15.7B total, 2.4B active; 27 layers).
	case "v2-lite":
		return &core.Config{Architectures: []string{"DeepseekV2ForCausalLM"}, ModelType: "deepseek_v2",
			VocabSize: 102400, HiddenSize: 2048, IntermediateSize: 10944, NumHiddenLayers: 27, NumAttentionHeads: 16,
			RMSNormEps: 1e-6, MaxPositions: 163840, HiddenAct: "silu", KVLoRARank: 512,
			QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128, RopeTheta: 10000,
			RopeScaling:    &core.RopeScaling{Type: "yarn", Factor: 40, OriginalMaxPositionEmbeddings: 4096, BetaFast: 32, BetaSlow: 1, MScale: 0.707, MScaleAllDim: 0.707},
			NRoutedExperts: 64, NSharedExperts: 2, NumExpertsPerTok: 6, MoEIntermediateSize: 1408, FirstKDenseReplace: 1,
			MoELayerFreq: 1, NGroup: 1, TopKGroup: 1, TopKMethod: "greedy", ScoringFunc: "softmax", RoutedScalingFactor: 1}
	// v3-mini: a small DeepSeek-V3-style model (q LoRA, sigmoid noaux_tc routing with groups),
	// with a multi-token-prediction module as DeepSeek-V3 has, so that it can speculate.
	case "v3-mini":
		return &core.Config{Architectures: []string{"DeepseekV3ForCausalLM"}, ModelType: "deepseek_v3",
			VocabSize: 129280, HiddenSize: 1024, IntermediateSize: 2816, NumHiddenLayers: 8, NumAttentionHeads: 8,
			RMSNormEps: 1e-6, MaxPositions: 163840, HiddenAct: "silu", QLoRARank: 384, KVLoRARank: 256,
			QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128, RopeTheta: 10000,
			RopeScaling:    &core.RopeScaling{Type: "yarn", Factor: 40, OriginalMaxPositionEmbeddings: 4096, BetaFast: 32, BetaSlow: 1, MScale: 1, MScaleAllDim: 1},
			NRoutedExperts: 32, NSharedExperts: 1, NumExpertsPerTok: 8, MoEIntermediateSize: 704, FirstKDenseReplace: 1,
			MoELayerFreq: 1, NGroup: 4, TopKGroup: 2, TopKMethod: "noaux_tc", ScoringFunc: "sigmoid", NormTopKProb: true,
			RoutedScalingFactor: 2.5, NumNextNPredictLayers: 1}
	// v3-671b: DeepSeek-V3 / R1 (671B total, 37B active; 61 layers, 3 dense; the MTP module
	// as layer 61).
	case "v3-671b":
		return &core.Config{Architectures: []string{"DeepseekV3ForCausalLM"}, ModelType: "deepseek_v3",
			VocabSize: 129280, HiddenSize: 7168, IntermediateSize: 18432, NumHiddenLayers: 61, NumAttentionHeads: 128,
			RMSNormEps: 1e-6, MaxPositions: 163840, HiddenAct: "silu", QLoRARank: 1536, KVLoRARank: 512,
			QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128, RopeTheta: 10000,
			RopeScaling:    &core.RopeScaling{Type: "yarn", Factor: 40, OriginalMaxPositionEmbeddings: 4096, BetaFast: 32, BetaSlow: 1, MScale: 1, MScaleAllDim: 1},
			NRoutedExperts: 256, NSharedExperts: 1, NumExpertsPerTok: 8, MoEIntermediateSize: 2048, FirstKDenseReplace: 3,
			MoELayerFreq: 1, NGroup: 8, TopKGroup: 4, TopKMethod: "noaux_tc", ScoringFunc: "sigmoid", NormTopKProb: true,
			RoutedScalingFactor: 2.5, NumNextNPredictLayers: 1}
	// tiny-qwen2: a small model of the R1-Distill-Qwen family (grouped-query attention with
	// two query heads per key-value head, q/k/v biases), with the DeepSeek-V3 vocabulary.
	case "tiny-qwen2":
		return &core.Config{Architectures: []string{"Qwen2ForCausalLM"}, ModelType: "qwen2",
			VocabSize: 129280, HiddenSize: 128, IntermediateSize: 384, NumHiddenLayers: 4, NumAttentionHeads: 4,
			NumKeyValueHeads: 2, HeadDim: 32, AttentionBias: true, RMSNormEps: 1e-6, MaxPositions: 4096,
			HiddenAct: "silu", RopeTheta: 10000}
	// The dense DeepSeek-R1 distills (their published config.json shapes; the synthetic
	// models carry the DeepSeek-V3 tokenizer, whose ids fit their vocabularies).
	case "r1-qwen-1.5b": // DeepSeek-R1-Distill-Qwen-1.5B
		return &core.Config{Architectures: []string{"Qwen2ForCausalLM"}, ModelType: "qwen2",
			VocabSize: 151936, HiddenSize: 1536, IntermediateSize: 8960, NumHiddenLayers: 28, NumAttentionHeads: 12,
			NumKeyValueHeads: 2, HeadDim: 128, AttentionBias: true, RMSNormEps: 1e-6, MaxPositions: 131072,
			HiddenAct: "silu", RopeTheta: 10000}
	case "r1-qwen-7b": // DeepSeek-R1-Distill-Qwen-7B
		return &core.Config{Architectures: []string{"Qwen2ForCausalLM"}, ModelType: "qwen2",
			VocabSize: 152064, HiddenSize: 3584, IntermediateSize: 18944, NumHiddenLayers: 28, NumAttentionHeads: 28,
			NumKeyValueHeads: 4, HeadDim: 128, AttentionBias: true, RMSNormEps: 1e-6, MaxPositions: 131072,
			HiddenAct: "silu", RopeTheta: 10000}
	case "r1-llama-8b": // DeepSeek-R1-Distill-Llama-8B
		return &core.Config{Architectures: []string{"LlamaForCausalLM"}, ModelType: "llama",
			VocabSize: 128256, HiddenSize: 4096, IntermediateSize: 14336, NumHiddenLayers: 32, NumAttentionHeads: 32,
			NumKeyValueHeads: 8, HeadDim: 128, RMSNormEps: 1e-5, MaxPositions: 131072, HiddenAct: "silu", RopeTheta: 500000,
			RopeScaling: &core.RopeScaling{RopeType: "llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4,
				OriginalMaxPositionEmbeddings: 8192}}
	case "r1-qwen3-8b": // DeepSeek-R1-0528-Qwen3-8B
		return &core.Config{Architectures: []string{"Qwen3ForCausalLM"}, ModelType: "qwen3",
			VocabSize: 151936, HiddenSize: 4096, IntermediateSize: 12288, NumHiddenLayers: 36, NumAttentionHeads: 32,
			NumKeyValueHeads: 8, HeadDim: 128, RMSNormEps: 1e-6, MaxPositions: 131072, HiddenAct: "silu", RopeTheta: 1000000,
			RopeScaling: &core.RopeScaling{RopeType: "yarn", Factor: 4, OriginalMaxPositionEmbeddings: 32768,
				AttnFactor: 0.8782488562869419}}
	}
	return nil
}

// Shape returns the config of a named shape; layers > 0 overrides its layer count
// (keeping its dense layers, up to layers-1 of them).
func Shape(name string, layers int) (*core.Config, error) {
	c := shape(name)
	if c == nil {
		return nil, fmt.Errorf("synth: unknown shape %q (have %s)", name, strings.Join(ShapeNames(), ", "))
	}
	if layers > 0 {
		c.NumHiddenLayers = layers
		c.FirstKDenseReplace = min(c.FirstKDenseReplace, max(layers-1, 0))
	}
	return c, nil
}

// ShapeNames lists the shapes Shape knows.
func ShapeNames() []string {
	return []string{"tiny", "tiny-qwen2", "v2-lite", "v3-mini", "v3-671b", "r1-qwen-1.5b", "r1-qwen-7b", "r1-llama-8b", "r1-qwen3-8b"}
}
