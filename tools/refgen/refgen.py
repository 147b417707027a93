#!/usr/bin/python3
"""refgen: random DeepSeek-V2/V3-family checkpoints with reference logits from the
OFFICIAL DeepSeek-V3 inference code (inference/model.py of deepseek-ai/DeepSeek-V3).

Nothing from upstream is vendored here: model.py / kernel.py / convert.py are loaded at run
time from the directory given with --upstream. See README.md next to this file.

Run with Debian's python3 + python3-torch (1.13) + python3-numpy:

    /usr/bin/python3 tools/refgen/refgen.py --upstream /tmp/dsv3 \
        --commit 9b4e9788e4a3a731f7567338ed15d3ec549ce03b --out core/testdata/ref
"""
import argparse
import ast
import hashlib
import json
import math
import os
import platform
import struct
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F

HARNESS_FORMAT = "ds3-refharness/1"
N_DECODE = 16
MAX_SEQ_LEN = 512
BLOCK = 128

# ----------------------------------------------------------------------------------------
# Configurations. "hf" holds the Hugging Face config.json values that differ per config.
# ----------------------------------------------------------------------------------------
CONFIGS = {
    "v2-lite-tiny": dict(
        seed=2001, arch="v2", variant="bf16", prompt_lens=(20, 7, 1),
        hf=dict(
            vocab_size=2000, hidden_size=192, num_attention_heads=3, num_hidden_layers=3,
            q_lora_rank=None, kv_lora_rank=48, qk_nope_head_dim=24, qk_rope_head_dim=8,
            v_head_dim=24, intermediate_size=320, moe_intermediate_size=64,
            first_k_dense_replace=1, n_routed_experts=8, num_experts_per_tok=3,
            n_shared_experts=2, n_group=1, topk_group=1, topk_method="greedy",
            scoring_func="softmax", norm_topk_prob=False, routed_scaling_factor=1.0,
            rope_theta=10000.0,
            rope_scaling=dict(type="yarn", factor=4, original_max_position_embeddings=128,
                              mscale=0.707, mscale_all_dim=0.707, beta_fast=32, beta_slow=1),
        )),
    "v2-group": dict(
        seed=2002, arch="v2", variant="bf16", prompt_lens=(20, 7, 1),
        hf=dict(
            vocab_size=2304, hidden_size=160, num_attention_heads=4, num_hidden_layers=4,
            q_lora_rank=64, kv_lora_rank=40, qk_nope_head_dim=28, qk_rope_head_dim=12,
            v_head_dim=20, intermediate_size=256, moe_intermediate_size=48,
            first_k_dense_replace=2, n_routed_experts=16, num_experts_per_tok=4,
            n_shared_experts=2, n_group=4, topk_group=2, topk_method="group_limited_greedy",
            scoring_func="softmax", norm_topk_prob=False, routed_scaling_factor=16.0,
            rope_theta=10000.0,
            rope_scaling=dict(type="yarn", factor=16, original_max_position_embeddings=64,
                              mscale=0.707, mscale_all_dim=0.707, beta_fast=32, beta_slow=1),
        )),
    "v3-wide-fp8": dict(
        seed=2003, arch="v3", variant="fp8", prompt_lens=(20, 7, 1),
        hf=dict(
            vocab_size=2048, hidden_size=320, num_attention_heads=5, num_hidden_layers=5,
            q_lora_rank=96, kv_lora_rank=80, qk_nope_head_dim=32, qk_rope_head_dim=16,
            v_head_dim=48, intermediate_size=400, moe_intermediate_size=80,
            first_k_dense_replace=2, n_routed_experts=32, num_experts_per_tok=6,
            n_shared_experts=2, n_group=8, topk_group=3, topk_method="noaux_tc",
            scoring_func="sigmoid", norm_topk_prob=True, routed_scaling_factor=2.5,
            rope_theta=10000.0,
            rope_scaling=dict(type="yarn", factor=40, original_max_position_embeddings=128,
                              mscale=1.0, mscale_all_dim=1.0, beta_fast=32, beta_slow=1),
        )),
    # Multi-token prediction (num_nextn_predict_layers 1): the main model as above plus the
    # MTP module at model.layers.{num_hidden_layers} (an MoE block, as layer 61 of V3), its
    # embed_tokens and shared_head drawn independently of the main ones so that a test
    # tells them apart. Reference: see mtp_reference / run_mtp below.
    "v3-mtp": dict(
        seed=2004, arch="v3", variant="bf16", prompt_lens=(20, 7, 1),
        hf=dict(
            vocab_size=1000, hidden_size=128, num_attention_heads=4, num_hidden_layers=3,
            q_lora_rank=64, kv_lora_rank=32, qk_nope_head_dim=32, qk_rope_head_dim=16,
            v_head_dim=32, intermediate_size=256, moe_intermediate_size=64,
            first_k_dense_replace=1, n_routed_experts=8, num_experts_per_tok=3,
            n_shared_experts=1, n_group=4, topk_group=2, topk_method="noaux_tc",
            scoring_func="sigmoid", norm_topk_prob=True, routed_scaling_factor=2.5,
            num_nextn_predict_layers=1, rope_theta=10000.0,
            rope_scaling=dict(type="yarn", factor=40, original_max_position_embeddings=128,
                              mscale=1.0, mscale_all_dim=1.0, beta_fast=32, beta_slow=1),
        )),
    "v3-mtp-fp8": dict(
        seed=2005, arch="v3", variant="fp8", prompt_lens=(20, 7, 1),
        hf=dict(
            vocab_size=1000, hidden_size=128, num_attention_heads=4, num_hidden_layers=3,
            q_lora_rank=64, kv_lora_rank=32, qk_nope_head_dim=32, qk_rope_head_dim=16,
            v_head_dim=32, intermediate_size=320, moe_intermediate_size=96,
            first_k_dense_replace=1, n_routed_experts=8, num_experts_per_tok=3,
            n_shared_experts=1, n_group=4, topk_group=2, topk_method="noaux_tc",
            scoring_func="sigmoid", norm_topk_prob=True, routed_scaling_factor=2.5,
            num_nextn_predict_layers=1, rope_theta=10000.0,
            rope_scaling=dict(type="yarn", factor=40, original_max_position_embeddings=128,
                              mscale=1.0, mscale_all_dim=1.0, beta_fast=32, beta_slow=1),
        )),
}


def hf_config(c):
    h = c["hf"]
    v3 = c["arch"] == "v3"
    rs = dict(h["rope_scaling"])
    cfg = {
        "architectures": ["DeepseekV3ForCausalLM" if v3 else "DeepseekV2ForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": 0,
        "eos_token_id": 1,
        "hidden_act": "silu",
        "initializer_range": 0.02,
        "max_position_embeddings": int(rs["original_max_position_embeddings"] * rs["factor"]),
        "model_type": "deepseek_v3" if v3 else "deepseek_v2",
        "moe_layer_freq": 1,
        "num_key_value_heads": h["num_attention_heads"],
        "num_nextn_predict_layers": 0,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-06,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "use_cache": True,
    }
    cfg.update(h)
    cfg["rope_scaling"] = rs
    if c["variant"] == "fp8":
        cfg["quantization_config"] = {"activation_scheme": "dynamic", "fmt": "e4m3",
                                      "quant_method": "fp8", "weight_block_size": [128, 128]}
    return cfg


class NotExpressible(Exception):
    pass


def model_args_from_hf(cfg):
    """ModelArgs for model.py that express the HF config, or NotExpressible."""
    def need(ok, why):
        if not ok:
            raise NotExpressible(why)

    need(cfg.get("hidden_act", "silu") == "silu", "hidden_act must be silu")
    need(cfg.get("moe_layer_freq", 1) == 1, "model.py has no moe_layer_freq: MoE on every layer >= n_dense_layers")
    need(abs(cfg.get("rms_norm_eps", 1e-6) - 1e-6) < 1e-12, "model.py RMSNorm eps is fixed at 1e-6")
    need(not cfg.get("tie_word_embeddings", False), "model.py has a separate head")
    need(cfg.get("num_key_value_heads", cfg["num_attention_heads"]) == cfg["num_attention_heads"], "MLA: kv heads == heads")
    need(not cfg.get("attention_bias", False), "model.py Linear layers have no bias")
    need(cfg.get("num_nextn_predict_layers", 0) in (0, 1), "the MTP reference builds one MTP module")
    method, score = cfg["topk_method"], cfg["scoring_func"]
    topk = cfg["num_experts_per_tok"]
    if method == "greedy":
        # HF V2 greedy: plain top-k over all experts, groups ignored.
        need(score == "softmax", "HF greedy gate exists only with softmax (V2)")
        groups, limited = 1, 1
    elif method == "group_limited_greedy":
        # HF V2: group score = max over the group; model.py does amax when Gate.bias is None.
        need(score == "softmax", "HF group_limited_greedy exists only with softmax (V2)")
        groups, limited = cfg["n_group"], cfg["topk_group"]
    elif method == "noaux_tc":
        # HF V3: sigmoid + e_score_correction_bias, group score = sum of top-2; model.py does
        # top-2 sum when Gate.bias is set (we attach it).
        need(score == "sigmoid", "noaux_tc with softmax is not expressible (model.py)")
        groups, limited = cfg["n_group"], cfg["topk_group"]
    else:
        raise NotExpressible(f"topk_method {method}")
    # Mixing weights. model.py: softmax -> no renormalisation; sigmoid -> renormalise; then
    # * route_scale. HF V2: norm_topk_prob ? w/sum(w) (no scaling) : w*routed_scaling_factor.
    # HF V3: norm_topk_prob ? w/sum(w) : w, then always * routed_scaling_factor.
    norm = bool(cfg["norm_topk_prob"]) and topk > 1
    if score == "softmax":
        need(not norm, "softmax + norm_topk_prob=true is not expressible (model.py never renormalises softmax weights)")
    else:
        need(norm, "sigmoid + norm_topk_prob=false is not expressible (model.py always renormalises sigmoid weights)")
    rs = cfg.get("rope_scaling") or {}
    need(rs.get("type", rs.get("rope_type")) == "yarn", "only YaRN rope_scaling is mapped")
    need(rs["mscale"] == rs["mscale_all_dim"],
         "HF multiplies cos/sin by mscale(mscale)/mscale(mscale_all_dim); model.py has no such factor")
    need(rs["original_max_position_embeddings"] < MAX_SEQ_LEN, "YaRN must be active (max_seq_len > original_seq_len)")
    return {
        "max_batch_size": 1,
        "max_seq_len": MAX_SEQ_LEN,
        "dtype": "bf16",
        "scale_fmt": None,
        "vocab_size": cfg["vocab_size"],
        "dim": cfg["hidden_size"],
        "inter_dim": cfg["intermediate_size"],
        "moe_inter_dim": cfg["moe_intermediate_size"],
        "n_layers": cfg["num_hidden_layers"],
        "n_dense_layers": cfg["first_k_dense_replace"],
        "n_heads": cfg["num_attention_heads"],
        "n_routed_experts": cfg["n_routed_experts"],
        "n_shared_experts": cfg["n_shared_experts"],
        "n_activated_experts": topk,
        "n_expert_groups": groups,
        "n_limited_groups": limited,
        "score_func": score,
        "route_scale": float(cfg["routed_scaling_factor"]),
        "q_lora_rank": cfg["q_lora_rank"] or 0,
        "kv_lora_rank": cfg["kv_lora_rank"],
        "qk_nope_head_dim": cfg["qk_nope_head_dim"],
        "qk_rope_head_dim": cfg["qk_rope_head_dim"],
        "v_head_dim": cfg["v_head_dim"],
        "original_seq_len": rs["original_max_position_embeddings"],
        "rope_theta": float(cfg["rope_theta"]),
        "rope_factor": rs["factor"],
        "beta_fast": rs["beta_fast"],
        "beta_slow": rs["beta_slow"],
        "mscale": rs["mscale_all_dim"],
    }


# ----------------------------------------------------------------------------------------
# Number formats (numpy only; torch 1.13 has no float8).
# ----------------------------------------------------------------------------------------
def bf16_bits(x):
    """float32 -> bf16 bit patterns (uint16), round to nearest even."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    r = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return r.astype(np.uint16)


def bf16_to_f32(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


def _e4m3_positive_table():
    """Values of e4m3fn codes 0x00..0x7E (0x7F is NaN), increasing."""
    vals = []
    for code in range(0x7F):
        e, m = code >> 3, code & 7
        vals.append(m / 8.0 * 2.0 ** -6 if e == 0 else (1 + m / 8.0) * 2.0 ** (e - 7))
    t = np.array(vals, dtype=np.float64)
    assert np.all(np.diff(t) > 0) and t[-1] == 448.0
    return t


E4M3_POS = _e4m3_positive_table()


def e4m3_encode(x):
    """float32 array -> e4m3fn codes (uint8): round to nearest, ties to even, saturate at 448."""
    x = np.asarray(x, dtype=np.float32)
    a = np.minimum(np.abs(x).astype(np.float64), 448.0)
    hi = np.searchsorted(E4M3_POS, a, side="left")          # first code with value >= a
    hi = np.minimum(hi, len(E4M3_POS) - 1)
    lo = np.maximum(hi - 1, 0)
    dlo = a - E4M3_POS[lo]
    dhi = E4M3_POS[hi] - a
    pick_hi = (dhi < dlo) | ((dhi == dlo) & (hi % 2 == 0))
    code = np.where(pick_hi, hi, lo)
    code = np.where(E4M3_POS[hi] == a, hi, code).astype(np.uint8)
    return code | np.where(np.signbit(x), 0x80, 0).astype(np.uint8)


def e4m3_decode(code):
    """Independent formula decoder (used for verification)."""
    c = np.asarray(code, dtype=np.uint8).astype(np.int64)
    s = np.where(c & 0x80, -1.0, 1.0)
    e = (c >> 3) & 0xF
    m = c & 7
    v = np.where(e == 0, m / 8.0 * 2.0 ** -6, (1 + m / 8.0) * np.exp2(e.astype(np.float64) - 7))
    assert not np.any((c & 0x7F) == 0x7F), "NaN code"
    return (s * v).astype(np.float32)


def quantize_fp8_block(w):
    """w float32 [out, in] -> (codes uint8, scale_inv float32 [ceil(out/128), ceil(in/128)],
    dequantized float32 = float32(e4m3) * scale_inv computed in float32)."""
    out_f, in_f = w.shape
    so, si = -(-out_f // BLOCK), -(-in_f // BLOCK)
    scale = np.empty((so, si), dtype=np.float32)
    codes = np.empty(w.shape, dtype=np.uint8)
    deq = np.empty(w.shape, dtype=np.float32)
    for i in range(so):
        for j in range(si):
            blk = w[i * BLOCK:(i + 1) * BLOCK, j * BLOCK:(j + 1) * BLOCK]
            amax = np.float32(np.abs(blk).max())
            s = np.float32(amax / np.float32(448.0)) if amax > 0 else np.float32(1.0)
            scale[i, j] = s
            q = e4m3_encode((blk / s).astype(np.float32))
            codes[i * BLOCK:(i + 1) * BLOCK, j * BLOCK:(j + 1) * BLOCK] = q
            deq[i * BLOCK:(i + 1) * BLOCK, j * BLOCK:(j + 1) * BLOCK] = e4m3_decode(q) * s
    return codes, scale, deq


# ----------------------------------------------------------------------------------------
# Safetensors writer / reader (no safetensors package needed).
# ----------------------------------------------------------------------------------------
ST_ITEMSIZE = {"F32": 4, "BF16": 2, "F8_E4M3": 1}


def write_safetensors(path, tensors):
    """tensors: name -> (dtype str, shape list, raw little-endian bytes)."""
    # Data ordered by descending item size, then name: every tensor is naturally aligned.
    order = sorted(tensors, key=lambda n: (-ST_ITEMSIZE[tensors[n][0]], n))
    offs, pos = {}, 0
    for n in order:
        offs[n] = (pos, pos + len(tensors[n][2]))
        pos += len(tensors[n][2])
    header = {"__metadata__": {"format": "pt"}}
    for n in sorted(tensors):
        header[n] = {"dtype": tensors[n][0], "shape": list(tensors[n][1]), "data_offsets": list(offs[n])}
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for n in order:
            f.write(tensors[n][2])


def read_safetensors(path):
    """-> name -> (dtype, float32 numpy array decoded, raw numpy array)."""
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    assert n % 8 == 0
    h = json.loads(b[8:8 + n])
    base = 8 + n
    out, end = {}, 0
    for k, v in h.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        raw = b[base + s:base + e]
        end = max(end, e)
        dt = v["dtype"]
        assert s % ST_ITEMSIZE[dt] == 0, (k, "misaligned")
        if dt == "BF16":
            r = np.frombuffer(raw, "<u2")
            f = bf16_to_f32(r)
        elif dt == "F32":
            r = np.frombuffer(raw, "<f4")
            f = r.astype(np.float32)
        elif dt == "F8_E4M3":
            r = np.frombuffer(raw, "u1")
            f = e4m3_decode(r)
        else:
            raise ValueError(dt)
        assert r.size == int(np.prod(v["shape"])), k
        out[k] = (dt, f.reshape(v["shape"]), r.reshape(v["shape"]))
    assert base + end == len(b), "trailing bytes"
    return out


# ----------------------------------------------------------------------------------------
# Weights.
# ----------------------------------------------------------------------------------------
def hf_shapes(cfg):
    """Ordered list of (name, shape, kind): kind in linear/embed/head/norm/gate/bias."""
    D, H = cfg["hidden_size"], cfg["num_attention_heads"]
    qk = cfg["qk_nope_head_dim"] + cfg["qk_rope_head_dim"]
    kvl, rope, nope, vd = cfg["kv_lora_rank"], cfg["qk_rope_head_dim"], cfg["qk_nope_head_dim"], cfg["v_head_dim"]
    ql = cfg["q_lora_rank"]
    E, mi = cfg["n_routed_experts"], cfg["moe_intermediate_size"]
    out = [("model.embed_tokens.weight", (cfg["vocab_size"], D), "embed")]
    n_main = cfg["num_hidden_layers"]
    for L in range(n_main + cfg.get("num_nextn_predict_layers", 0)):
        p = f"model.layers.{L}."
        if L >= n_main:  # the MTP module's own tensors, then its block's
            out += [(p + "embed_tokens.weight", (cfg["vocab_size"], D), "embed"),
                    (p + "enorm.weight", (D,), "norm"),
                    (p + "hnorm.weight", (D,), "norm"),
                    (p + "eh_proj.weight", (D, 2 * D), "linear"),
                    (p + "shared_head.norm.weight", (D,), "norm"),
                    (p + "shared_head.head.weight", (cfg["vocab_size"], D), "head")]
        out.append((p + "input_layernorm.weight", (D,), "norm"))
        if ql:
            out += [(p + "self_attn.q_a_proj.weight", (ql, D), "linear"),
                    (p + "self_attn.q_a_layernorm.weight", (ql,), "norm"),
                    (p + "self_attn.q_b_proj.weight", (H * qk, ql), "linear")]
        else:
            out.append((p + "self_attn.q_proj.weight", (H * qk, D), "linear"))
        out += [(p + "self_attn.kv_a_proj_with_mqa.weight", (kvl + rope, D), "linear"),
                (p + "self_attn.kv_a_layernorm.weight", (kvl,), "norm"),
                (p + "self_attn.kv_b_proj.weight", (H * (nope + vd), kvl), "linear"),
                (p + "self_attn.o_proj.weight", (D, H * vd), "linear"),
                (p + "post_attention_layernorm.weight", (D,), "norm")]
        if L < cfg["first_k_dense_replace"]:
            I = cfg["intermediate_size"]
            out += [(p + "mlp.gate_proj.weight", (I, D), "linear"),
                    (p + "mlp.up_proj.weight", (I, D), "linear"),
                    (p + "mlp.down_proj.weight", (D, I), "linear")]
        else:
            out.append((p + "mlp.gate.weight", (E, D), "gate"))
            if cfg["topk_method"] == "noaux_tc":
                out.append((p + "mlp.gate.e_score_correction_bias", (E,), "bias"))
            for e in range(E):
                q = p + f"mlp.experts.{e}."
                out += [(q + "gate_proj.weight", (mi, D), "linear"),
                        (q + "up_proj.weight", (mi, D), "linear"),
                        (q + "down_proj.weight", (D, mi), "linear")]
            S = cfg["n_shared_experts"] * mi
            out += [(p + "mlp.shared_experts.gate_proj.weight", (S, D), "linear"),
                    (p + "mlp.shared_experts.up_proj.weight", (S, D), "linear"),
                    (p + "mlp.shared_experts.down_proj.weight", (D, S), "linear")]
    out += [("model.norm.weight", (D,), "norm"), ("lm_head.weight", (cfg["vocab_size"], D), "head")]
    return out


def make_weights(cfg, variant, seed):
    """-> (tensors for the safetensors file, float32 values the reference uses, per HF name)."""
    torch.manual_seed(seed)
    D = cfg["hidden_size"]
    file_t, values = {}, {}
    for name, shape, kind in hf_shapes(cfg):
        g = torch.randn(*shape, dtype=torch.float32).numpy()
        if kind == "embed":
            w = g
        elif kind == "head":
            w = g * (2.0 / math.sqrt(D))
        elif kind == "norm":
            w = 1.0 + 0.1 * g
        elif kind == "bias":
            w = 0.1 * g
        else:  # linear, gate: std = fan_in^-1/2
            w = g / math.sqrt(shape[1])
        w = w.astype(np.float32)
        if kind == "bias":
            file_t[name] = ("F32", shape, w.astype("<f4").tobytes())
            values[name] = w
        elif kind == "linear" and variant == "fp8":
            codes, scale, deq = quantize_fp8_block(w)
            file_t[name] = ("F8_E4M3", shape, codes.tobytes())
            file_t[name + "_scale_inv"] = ("F32", scale.shape, scale.astype("<f4").tobytes())
            values[name] = deq
        else:
            b = bf16_bits(w)
            file_t[name] = ("BF16", shape, b.astype("<u2").tobytes())
            values[name] = bf16_to_f32(b).reshape(shape)
    return file_t, values


# ----------------------------------------------------------------------------------------
# Loading the official model.py with the fixture harness' patches.
# ----------------------------------------------------------------------------------------
LINEAR_DTYPE_OLD = '        Linear.dtype = torch.float8_e4m3fn if args.dtype == "fp8" else torch.bfloat16\n'
LINEAR_DTYPE_NEW = '        Linear.dtype = torch.float8_e4m3fn if args.dtype == "fp8" else torch.get_default_dtype()\n'

PATCHES = [
    {"kind": "text", "file": "inference/model.py",
     "diff": "--- a/inference/model.py\n+++ b/inference/model.py\n@@ -760 +760 @@\n-" + LINEAR_DTYPE_OLD + "+" + LINEAR_DTYPE_NEW,
     "why": "run every Linear in float32 (default dtype) instead of bfloat16"},
    {"kind": "stub", "what": "sys.modules['triton'], ['triton.language']",
     "why": "kernel.py imports triton at module level; its kernels (act_quant, weight_dequant, fp8_gemm) are never called: all weights are float32, so model.linear() takes the F.linear branch"},
    {"kind": "polyfill", "what": "torch.nn.functional.rms_norm",
     "why": "model.py RMSNorm calls F.rms_norm (torch>=2.4); Debian torch 1.13.0a0 lacks it. Polyfill: w * x * rsqrt(mean(x^2) + eps) in float32 (upstream adecc0e formula)"},
    {"kind": "guard", "what": "model.act_quant/weight_dequant/fp8_gemm replaced by functions that raise",
     "why": "prove the triton kernels are never used"},
    {"kind": "monkeypatch", "what": "Gate.bias attached after construction (float32 nn.Parameter [n_routed_experts]) on every MoE layer",
     "why": "model.py only creates Gate.bias when dim == 7168 (V3-671B); the HF config says topk_method=noaux_tc, i.e. e_score_correction_bias is used",
     "applies": "noaux_tc configs only"},
]


def git_blob_sha(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def upstream_dir(p):
    return os.path.join(p, "inference") if os.path.isfile(os.path.join(p, "inference", "model.py")) else p


def load_upstream(path):
    d = upstream_dir(path)
    blobs = {f: git_blob_sha(open(os.path.join(d, f), "rb").read()) for f in ("model.py", "kernel.py", "convert.py")}

    # stub triton (kernel.py evaluates decorators and annotations at import time)
    class _Any:
        def __getattr__(self, k):
            return _Any()

        def __call__(self, *a, **k):
            return _Any()

    triton = types.ModuleType("triton")
    tl = types.ModuleType("triton.language")
    tl.__getattr__ = lambda k: _Any()
    triton.jit = lambda f=None, **k: f if f is not None else (lambda g: g)
    triton.autotune = lambda *a, **k: (lambda f: f)
    triton.Config = lambda *a, **k: None
    triton.cdiv = lambda a, b: -(-a // b)
    triton.language = tl
    sys.modules["triton"] = triton
    sys.modules["triton.language"] = tl

    # polyfill F.rms_norm
    if not hasattr(F, "rms_norm"):
        def rms_norm(x, normalized_shape, weight=None, eps=None):
            dtype = x.dtype
            x = x.to(torch.float32)
            var = x.pow(2).mean(-1, keepdim=True)
            x = x * torch.rsqrt(var + eps)
            return (weight * x).to(dtype) if weight is not None else x.to(dtype)
        F.rms_norm = rms_norm

    sys.path.insert(0, d)
    import kernel  # noqa: F401  (upstream, via the stub)

    src = open(os.path.join(d, "model.py")).read()
    lines = src.splitlines(keepends=True)
    assert lines[759] == LINEAR_DTYPE_OLD, "model.py line 760 is not the expected Linear.dtype line"
    lines[759] = LINEAR_DTYPE_NEW
    model = types.ModuleType("model")
    model.__file__ = os.path.join(d, "model.py")
    sys.modules["model"] = model
    exec(compile("".join(lines), model.__file__, "exec"), model.__dict__)

    def _never(*a, **k):
        raise RuntimeError("triton kernel called")
    model.act_quant = model.weight_dequant = model.fp8_gemm = _never

    # convert.py's name mapping table, read (not imported: it needs tqdm/safetensors)
    tree = ast.parse(open(os.path.join(d, "convert.py")).read())
    mapping = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "mapping" for t in node.targets):
            mapping = ast.literal_eval(node.value)
    assert mapping, "mapping not found in convert.py"
    return model, mapping, blobs


def hf_to_model_name(name, mapping):
    """Same renaming steps as convert.py main()."""
    if name.startswith("model."):
        name = name[len("model."):]
    name = name.replace("self_attn", "attn").replace("mlp", "ffn")
    name = name.replace("weight_scale_inv", "scale").replace("e_score_correction_bias", "bias")
    key = name.split(".")[-2]
    assert key in mapping, f"Key {key} not found in mapping"
    return name.replace(key, mapping[key][0])


def build_model(M, margs, values, mapping, attn_impl, gate_bias):
    M.attn_impl = attn_impl
    args = M.ModelArgs(**margs)
    model = M.Transformer(args)
    if gate_bias:
        for layer in model.layers:
            if isinstance(layer.ffn, M.MoE):
                layer.ffn.gate.bias = torch.nn.Parameter(torch.zeros(args.n_routed_experts, dtype=torch.float32))
    sd = {hf_to_model_name(n, mapping): torch.from_numpy(v.copy()) for n, v in values.items()}
    model.load_state_dict(sd, strict=True)
    for n, p in model.named_parameters():
        assert p.dtype == torch.float32, (n, p.dtype)
    model.eval()
    model.refgen_attn_impl = attn_impl
    return model


def split_mtp(values, n_main):
    """-> (the main model's values, the MTP module's), by HF name: the MTP module is
    model.layers.{n_main}.*"""
    p = f"model.layers.{n_main}."
    return ({n: v for n, v in values.items() if not n.startswith(p)},
            {n[len(p):]: v for n, v in values.items() if n.startswith(p)})


# The MTP module's own tensors (DeepSeek-V3 README_WEIGHTS.md) -> MTPRef parameter names.
MTP_OWN = {"embed_tokens.weight": "embed.weight", "enorm.weight": "enorm.weight", "hnorm.weight": "hnorm.weight",
           "eh_proj.weight": "eh_proj.weight", "shared_head.norm.weight": "norm.weight",
           "shared_head.head.weight": "head.weight"}


def mtp_class(M):
    """The MTP module (DeepSeek-V3 report §2.2), made of model.py's own classes, run as vLLM's and
    SGLang's DeepSeek MTP run the released checkpoint:

        h' = eh_proj(cat[enorm(embed(t[i+1])), hnorm(h[i])])   h[i]: main hidden after model.norm
        x  = Block(h') at position i, with the block's own latent KV cache
        logits(t[i+2]) = head(norm(x))                          shared_head.head, shared_head.norm
    """
    class MTPRef(torch.nn.Module):
        def __init__(self, args, layer_id):
            super().__init__()
            self.embed = M.ParallelEmbedding(args.vocab_size, args.dim)
            self.enorm = M.RMSNorm(args.dim)
            self.hnorm = M.RMSNorm(args.dim)
            self.eh_proj = M.Linear(2 * args.dim, args.dim)
            self.block = M.Block(layer_id, args)  # layer_id >= n_dense_layers: MoE, as V3's layer 61
            self.norm = M.RMSNorm(args.dim)
            self.head = M.ColumnParallelLinear(args.dim, args.vocab_size, dtype=torch.get_default_dtype())
            self.register_buffer("freqs_cis", M.precompute_freqs_cis(args), persistent=False)

        def forward(self, h, tokens, start_pos):
            """h: [1, S, dim] main hidden rows at positions start_pos.., tokens: [1, S] the next
            tokens -> logits [S, vocab] of the tokens after those."""
            seqlen = tokens.size(1)
            x = self.eh_proj(torch.cat([self.enorm(self.embed(tokens)), self.hnorm(h)], dim=-1))
            freqs_cis = self.freqs_cis[start_pos:start_pos + seqlen]
            mask = None
            if seqlen > 1:  # as Transformer.forward
                mask = torch.full((seqlen, seqlen), float("-inf")).triu_(1)
            x = self.block(x, start_pos, freqs_cis, mask)
            return self.head(self.norm(x))[0]
    return MTPRef


def build_mtp(M, margs, values, mapping, attn_impl, gate_bias):
    """The MTP module of the checkpoint (values: names relative to model.layers.{n_layers})."""
    M.attn_impl = attn_impl
    args = M.ModelArgs(**margs)
    mtp = mtp_class(M)(args, margs["n_layers"])
    if gate_bias and isinstance(mtp.block.ffn, M.MoE):
        mtp.block.ffn.gate.bias = torch.nn.Parameter(torch.zeros(args.n_routed_experts, dtype=torch.float32))
    sd = {}
    for n, v in values.items():
        if n in MTP_OWN:
            k = MTP_OWN[n]
        else:  # the block's tensors: convert.py's renaming of a layer, without "layers.0."
            k = "block." + hf_to_model_name("model.layers.0." + n, mapping)[len("layers.0."):]
        sd[k] = torch.from_numpy(v.copy())
    mtp.load_state_dict(sd, strict=True)
    for n, p in mtp.named_parameters():
        assert p.dtype == torch.float32, (n, p.dtype)
    mtp.eval()
    mtp.refgen_attn_impl = attn_impl
    return mtp


def run_mtp(mtp, hidden, seq, P):
    """The eval --mtp protocol: row i (i = 0..L-2) is the MTP logits for token i+2 from
    (hidden[i], seq[i+1]) at position i. Rows 0..P-2 run as one prefill at start_pos 0,
    the rest one row per call (so both attention shapes run). -> float32 [L-1, vocab]."""
    sys.modules["model"].attn_impl = mtp.refgen_attn_impl
    reset_caches(mtp)
    L = len(seq)
    h = torch.from_numpy(hidden)
    rows = []
    with torch.inference_mode():
        if P > 1:
            rows.append(mtp(h[None, :P - 1], torch.tensor([seq[1:P]], dtype=torch.long), 0))
        for i in range(max(P - 1, 0), L - 1):
            rows.append(mtp(h[None, i:i + 1], torch.tensor([[seq[i + 1]]], dtype=torch.long), i))
    return torch.cat(rows, 0).float().numpy().astype("<f4")


def reset_caches(model):
    for n, b in model.named_buffers():
        if n.endswith("_cache"):
            b.zero_()


def run_case(model, prompt, fed=None):
    """Protocol: prefill all prompt tokens at 0 (all rows through model.norm + model.head),
    then N_DECODE single-token calls. Returns (logits [P+N, V] float32, greedy, last-row diff,
    the hidden rows after model.norm [P+N, dim] float32)."""
    # model.py reads the module-global attn_impl both in MLA.__init__ and in MLA.forward
    sys.modules["model"].attn_impl = model.refgen_attn_impl
    reset_caches(model)
    cap = {}
    hook = model.norm.register_forward_hook(lambda m, i, o: cap.__setitem__("h", o))
    try:
        P = len(prompt)
        with torch.inference_mode():
            last = model(torch.tensor([prompt], dtype=torch.long), 0)
            allrows = model.head(cap["h"])[0]
        rows = [allrows.float().numpy().copy()]
        hidden = [cap["h"][0].float().numpy().copy()]
        last_diff = float((allrows[-1] - last[0]).abs().max())
        greedy = [int(np.argmax(last[0].numpy()))]
        for i in range(N_DECODE):
            t = fed[i] if fed is not None else greedy[-1]
            with torch.inference_mode():
                o = model(torch.tensor([[t]], dtype=torch.long), P + i)
            rows.append(o.float().numpy().copy())
            hidden.append(cap["h"][0].float().numpy().copy())
            greedy.append(int(np.argmax(o[0].numpy())))
    finally:
        hook.remove()
    return np.concatenate(rows, 0).astype("<f4"), greedy, last_diff, np.concatenate(hidden, 0).astype(np.float32)


def top1_margin(logits):
    s = np.sort(logits, axis=-1)
    return float((s[:, -1] - s[:, -2]).min())


# ----------------------------------------------------------------------------------------
# Routing diagnostics (re-implement the selection rule with variants; baseline must equal
# what model.py's Gate returned).
# ----------------------------------------------------------------------------------------
def select(scores, bias, n_groups, topk_groups, topk, group_mode, mask_value=float("-inf")):
    s = scores + bias if bias is not None else scores.clone()
    gmargin = float("inf")
    if n_groups > 1:
        s = s.view(s.size(0), n_groups, -1)
        gs = s.amax(-1) if group_mode == "max" else s.topk(2, dim=-1)[0].sum(-1)
        gsort = gs.sort(-1, descending=True)[0]
        gmargin = float((gsort[:, topk_groups - 1] - gsort[:, topk_groups]).min())
        idx = gs.topk(topk_groups, dim=-1)[1]
        mask = torch.ones(s.size(0), n_groups, dtype=torch.bool).scatter_(1, idx, False)
        s = s.masked_fill(mask.unsqueeze(-1), mask_value).flatten(1)
    ssort = s.sort(-1, descending=True)[0]
    emargin = float((ssort[:, topk - 1] - ssort[:, topk]).min())
    ind = s.topk(topk, dim=-1)[1]
    return ind.sort(-1)[0], gmargin, emargin


def routing_diagnostics(records, margs, gate_bias):
    n_g, n_lim, k = margs["n_expert_groups"], margs["n_limited_groups"], margs["n_activated_experts"]
    mode = "top2sum" if gate_bias else "max"
    tot, changed = 0, {}
    gm, em = float("inf"), float("inf")
    for x, W, b, ind in records:
        logits = F.linear(x, W)
        sc = logits.softmax(-1, dtype=torch.float32) if margs["score_func"] == "softmax" else logits.sigmoid()
        base, g1, e1 = select(sc, b, n_g, n_lim, k, mode)
        assert torch.equal(base, ind.sort(-1)[0]), "diagnostic re-implementation disagrees with model.py Gate"
        gm, em = min(gm, g1), min(em, e1)
        tot += x.size(0)
        variants = {}
        if n_g > 1:
            variants["no_group_limit"] = select(sc, b, 1, 1, k, mode)[0]
            variants["group_score_top2sum" if mode == "max" else "group_score_max"] = \
                select(sc, b, n_g, n_lim, k, "top2sum" if mode == "max" else "max")[0]
        if b is not None:
            variants["bias_ignored"] = select(sc, None, n_g, n_lim, k, mode)[0]
            if n_g > 1:
                variants["no_group_limit_and_no_bias"] = select(sc, None, 1, 1, k, mode)[0]
                variants["masked_groups_set_to_0_like_hf"] = select(sc, b, n_g, n_lim, k, mode, 0.0)[0]
        for name, v in variants.items():
            changed[name] = changed.get(name, 0) + int((v != base).any(-1).sum())
    d = {"token_layer_pairs": tot, "group_score": "top-2 sum (biased)" if gate_bias else "max",
         "min_group_selection_margin": None if n_g == 1 else gm,
         "min_expert_selection_margin": em}
    for name, c in changed.items():
        d["frac_changed_if_" + name] = c / tot
    return d


# ----------------------------------------------------------------------------------------
def generate(name, c, M, mapping, blobs, commit, out_root):
    cfg = hf_config(c)
    margs = model_args_from_hf(cfg)
    gate_bias = cfg["topk_method"] == "noaux_tc"
    odir = os.path.join(out_root, name)
    os.makedirs(odir, exist_ok=True)

    cfg_bytes = (json.dumps(cfg, indent=2, sort_keys=True) + "\n").encode()
    open(os.path.join(odir, "config.json"), "wb").write(cfg_bytes)
    file_t, values = make_weights(cfg, c["variant"], c["seed"])
    st_path = os.path.join(odir, "model.safetensors")
    write_safetensors(st_path, file_t)

    # read the file back and load exactly those values
    back = read_safetensors(st_path)
    assert set(back) == set(file_t)
    for n, v in values.items():
        f = back[n][1]
        if n + "_scale_inv" in back:
            f = (f * back[n + "_scale_inv"][1].repeat(BLOCK, 0).repeat(BLOCK, 1)[:f.shape[0], :f.shape[1]]).astype(np.float32)
        assert f.shape == v.shape and np.array_equal(f.view(np.uint32), v.view(np.uint32)), n
        values[n] = f

    n_mtp = cfg.get("num_nextn_predict_layers", 0)
    values, mtp_values = split_mtp(values, cfg["num_hidden_layers"])
    models = {impl: build_model(M, margs, values, mapping, impl, gate_bias) for impl in ("absorb", "naive")}
    mtps = {impl: build_mtp(M, margs, mtp_values, mapping, impl, gate_bias) for impl in ("absorb", "naive")} if n_mtp else {}
    records = []

    def gate_hook(mod, inp, out):
        records.append((inp[0].detach().clone(), mod.weight.detach(),
                        None if mod.bias is None else mod.bias.detach(), out[1].detach().clone()))

    blocks = list(models["absorb"].layers) + ([mtps["absorb"].block] if mtps else [])
    hooks = [l.ffn.gate.register_forward_hook(gate_hook) for l in blocks if isinstance(l.ffn, M.MoE)]

    gen = torch.Generator().manual_seed(c["seed"] + 7)
    cases, overall, mtp_overall = [], 0.0, 0.0
    for ci, P in enumerate(c["prompt_lens"]):
        prompt = [0] + torch.randint(2, cfg["vocab_size"], (P - 1,), generator=gen).tolist()
        la, greedy, lastdiff, hidden = run_case(models["absorb"], prompt)
        fed = greedy[:N_DECODE]
        ln, gnaive, lastdiff_n, _ = run_case(models["naive"], prompt, fed)
        assert la.shape == (P + N_DECODE, cfg["vocab_size"])
        assert [int(a) for a in la[P - 1:].argmax(-1)] == greedy
        diff = float(np.abs(la - ln).max())
        overall = max(overall, diff)
        fn = f"case{ci}.npy"
        np.save(os.path.join(odir, fn), la)
        cases.append({
            "name": f"case{ci}", "prompt": prompt, "n_decode": N_DECODE,
            "fed_decode_tokens": fed, "greedy": greedy,
            "greedy_naive_teacher_forced_argmax": gnaive, "naive_argmax_agrees": gnaive == greedy,
            "rows": int(la.shape[0]), "logits": {"absorb": fn},
            "max_abs_naive_vs_absorb": diff,
            "prefill_last_row_vs_official_forward_max_abs": max(lastdiff, lastdiff_n),
            "min_top1_margin": top1_margin(la), "logit_std": float(la.astype(np.float64).std()),
        })
        if mtps:
            seq = prompt + fed
            ma = run_mtp(mtps["absorb"], hidden, seq, P)
            mn = run_mtp(mtps["naive"], hidden, seq, P)  # the same main hidden rows
            assert ma.shape == (len(seq) - 1, cfg["vocab_size"])
            mdiff = float(np.abs(ma - mn).max())
            mtp_overall = max(mtp_overall, mdiff)
            mfn = f"case{ci}_mtp.npy"
            np.save(os.path.join(odir, mfn), ma)
            cases[-1]["logits"]["mtp"] = mfn
            cases[-1]["mtp"] = {
                "rows": int(ma.shape[0]), "max_abs_naive_vs_absorb": mdiff,
                "min_top1_margin": top1_margin(ma), "logit_std": float(ma.astype(np.float64).std()),
                "argmax": [int(a) for a in ma.argmax(-1)],
            }
    for h in hooks:
        h.remove()

    attn0 = models["absorb"].layers[0].attn
    fc = models["absorb"].freqs_cis
    exp = {
        "format": HARNESS_FORMAT, "name": name, "variant": c["variant"], "seed": c["seed"],
        "upstream": {"repo": "deepseek-ai/DeepSeek-V3", "commit": commit, "blobs": blobs},
        "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
        "patches": [p for p in PATCHES if p["kind"] != "monkeypatch" or gate_bias],
        "model_args": margs, "gate_bias": gate_bias,
        "checkpoint_sha256": {
            "model.safetensors": hashlib.sha256(open(st_path, "rb").read()).hexdigest(),
            "config.json": hashlib.sha256(cfg_bytes).hexdigest()},
        "weights_note": ("attention/MLP/expert Linear weights F8_E4M3 + F32 weight_scale_inv [ceil(out/128), ceil(in/128)] "
                         "(scale_inv = block amax/448; dequant = float32(e4m3) * scale_inv, computed in float32, never rounded "
                         "to bf16); embed/lm_head/norms/gate.weight BF16; e_score_correction_bias F32"
                         if c["variant"] == "fp8" else
                         "all tensors BF16" + (" except e_score_correction_bias (F32)" if gate_bias else "") +
                         "; reference uses the bf16 values exactly"),
        "protocol": ("For each case: one prefill call with all prompt tokens at start_pos 0 (rows 0..P-1 = logits at every "
                     "prompt position through the model's own norm and head; the official forward only returns row P-1), "
                     "then n_decode calls with ONE token each at start_pos P+i feeding fed_decode_tokens[i] (= greedy[i]); "
                     "row P+i = logits after that token. greedy[j] = argmax(row P-1+j). Logits float32 [P + n_decode, vocab]. "
                     "caseN.npy = attn_impl 'absorb'; the 'naive' run is teacher-forced with the same tokens. "
                     "Reference computation: float32 on CPU."),
        "softmax_scale": attn0.softmax_scale,
        "freqs_cis_pos1_angles": [float(a) for a in torch.angle(fc[1])],
        "routing_diagnostics": routing_diagnostics(records, margs, gate_bias),
        "naive_vs_absorb_max_abs": overall,
        "min_top1_margin": min(cs["min_top1_margin"] for cs in cases),
        "logit_std": float(np.mean([cs["logit_std"] for cs in cases])),
        "cases": cases,
    }
    if mtps:
        exp["mtp"] = {
            "num_nextn_predict_layers": n_mtp, "layer": cfg["num_hidden_layers"],
            "protocol": ("eval --mtp: the sequence T = prompt + fed_decode_tokens (L tokens). Row i (i = 0..L-2) of "
                         "caseN_mtp.npy is the MTP module's logits for token i+2: h' = eh_proj(cat[enorm(embed(T[i+1])), "
                         "hnorm(h[i])]) with h[i] the main model's hidden state after model.norm at position i (from the "
                         "absorb run of the case), then one Block at rope position i with its own latent KV cache, then "
                         "shared_head.norm and shared_head.head. Rows 0..P-2 run as one prefill at start_pos 0, rows "
                         "P-1..L-2 one call each. Float32 [L-1, vocab], attn_impl 'absorb'; the 'naive' MTP run takes the "
                         "same hidden rows and is compared."),
            "module": ("built from model.py's ParallelEmbedding (embed_tokens), RMSNorm (enorm, hnorm, shared_head.norm), "
                       "Linear (eh_proj, [dim, 2*dim]), Block(layer_id=n_layers) (MoE, its own MLA caches) and "
                       "ColumnParallelLinear (shared_head.head); embed_tokens and shared_head.head are drawn independently "
                       "of the main model's (in the official checkpoint they equal them)"),
            "naive_vs_absorb_max_abs": mtp_overall,
            "min_top1_margin": min(cs["mtp"]["min_top1_margin"] for cs in cases),
            "logit_std": float(np.mean([cs["mtp"]["logit_std"] for cs in cases])),
        }
    with open(os.path.join(odir, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1)
        f.write("\n")
    return exp


def verify(out_root, name):
    """Re-read everything from disk with numpy only and check consistency."""
    d = os.path.join(out_root, name)
    cfg = json.load(open(os.path.join(d, "config.json")))
    exp = json.load(open(os.path.join(d, "expected.json")))
    st = read_safetensors(os.path.join(d, "model.safetensors"))
    want = {n: s for n, s, _ in hf_shapes(cfg)}
    fp8 = "quantization_config" in cfg
    for n, s in want.items():
        assert n in st and tuple(st[n][1].shape) == tuple(s), n
        if fp8 and n + "_scale_inv" in st:
            sc = st[n + "_scale_inv"]
            assert sc[0] == "F32" and sc[1].shape == (-(-s[0] // BLOCK), -(-s[1] // BLOCK)), n
    extra = set(st) - set(want) - {n + "_scale_inv" for n in want}
    assert not extra, extra
    assert hashlib.sha256(open(os.path.join(d, "model.safetensors"), "rb").read()).hexdigest() == exp["checkpoint_sha256"]["model.safetensors"]
    for cs in exp["cases"]:
        a = np.load(os.path.join(d, cs["logits"]["absorb"]))
        P = len(cs["prompt"])
        assert a.dtype == np.dtype("<f4") and a.shape == (P + N_DECODE, cfg["vocab_size"]), a.shape
        assert np.isfinite(a).all()
        assert a[P - 1:].argmax(-1).tolist() == cs["greedy"]
        assert cs["fed_decode_tokens"] == cs["greedy"][:N_DECODE]
        assert abs(top1_margin(a) - cs["min_top1_margin"]) < 1e-9
        if cfg.get("num_nextn_predict_layers", 0):
            m = np.load(os.path.join(d, cs["logits"]["mtp"]))
            assert m.dtype == np.dtype("<f4") and m.shape == (P + N_DECODE - 1, cfg["vocab_size"]), m.shape
            assert np.isfinite(m).all()
            assert m.argmax(-1).tolist() == cs["mtp"]["argmax"]
            assert abs(top1_margin(m) - cs["mtp"]["min_top1_margin"]) < 1e-9
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream", required=True, help="DeepSeek-V3 checkout (or its inference/ dir) with model.py, kernel.py, convert.py")
    ap.add_argument("--commit", required=True, help="upstream commit the files come from (recorded in expected.json)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "testdata", "ref"))
    ap.add_argument("--only", nargs="*", help="config names (default: all)")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_default_dtype(torch.float32)
    M, mapping, blobs = load_upstream(a.upstream)
    out = os.path.abspath(a.out)
    for name in a.only or list(CONFIGS):
        exp = generate(name, CONFIGS[name], M, mapping, blobs, a.commit, out)
        verify(out, name)
        r = exp["routing_diagnostics"]
        print(f"{name}: naive_vs_absorb_max_abs={exp['naive_vs_absorb_max_abs']:.3g} "
              f"min_top1_margin={exp['min_top1_margin']:.4g} logit_std={exp['logit_std']:.3f} "
              f"softmax_scale={exp['softmax_scale']:.6g} "
              f"size={os.path.getsize(os.path.join(out, name, 'model.safetensors'))} routing={json.dumps(r)}")


if __name__ == "__main__":
    main()
