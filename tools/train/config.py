"""config: the one place for the model's shape and the training budget."""

SEED = 1
SEQ = 256          # training window (tokens)
BATCH = 8          # windows per step
STEPS = 650        # fixed, so a run is reproducible (about 45 minutes on 2 idle cores)
VOCAB = 4096       # the cut DeepSeek-V3 tokenizer (vocab.py)


def hf_config():
    """The Hugging Face DeepseekV3ForCausalLM config.json of the model."""
    return {
        "architectures": ["DeepseekV3ForCausalLM"],
        "model_type": "deepseek_v3",
        "vocab_size": VOCAB,
        "hidden_size": 256,
        "intermediate_size": 768,
        "moe_intermediate_size": 96,
        "num_hidden_layers": 4,
        "num_nextn_predict_layers": 1,
        "first_k_dense_replace": 1,
        "moe_layer_freq": 1,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
        "q_lora_rank": 128,
        "kv_lora_rank": 64,
        "qk_nope_head_dim": 32,
        "qk_rope_head_dim": 16,
        "v_head_dim": 32,
        "n_routed_experts": 16,
        "num_experts_per_tok": 4,
        "n_group": 4,
        "topk_group": 2,
        "topk_method": "noaux_tc",
        "scoring_func": "sigmoid",
        "norm_topk_prob": True,
        "n_shared_experts": 1,
        "routed_scaling_factor": 2.5,
        "hidden_act": "silu",
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "rope_scaling": {"type": "yarn", "factor": 4, "original_max_position_embeddings": 256,
                         "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0},
        "max_position_embeddings": 1024,
        "attention_bias": False,
        "attention_dropout": 0.0,
        "tie_word_embeddings": False,
        "bos_token_id": 0,
        "eos_token_id": 1,
        "initializer_range": 0.02,
        "pretraining_tp": 1,
        "use_cache": True,
        "torch_dtype": "bfloat16",
    }
