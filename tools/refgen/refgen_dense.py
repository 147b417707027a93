#!/usr/bin/python3
"""refgen_dense: random dense checkpoints of the DeepSeek-R1-Distill architectures
(Qwen2ForCausalLM, LlamaForCausalLM, Qwen3ForCausalLM) with reference logits.

The reference is a small float32 PyTorch implementation written for this repository from
the math of Hugging Face transformers' modeling_qwen2.py, modeling_llama.py,
modeling_qwen3.py and modeling_rope_utils.py (nothing is imported from or copied out of
transformers, which is not needed). See README.md next to this file, section "Dense
distills".

Run with Debian's python3 + python3-torch (1.13) + python3-numpy:

    /usr/bin/python3 tools/refgen/refgen_dense.py [--only qwen2-gqa ...] [--out DIR]
"""
import argparse
import hashlib
import json
import math
import os
import platform
import struct

import numpy as np
import torch
import torch.nn.functional as F

FORMAT = "dense-refharness/1"
N_DECODE = 16
PROMPT_LENS = (20, 7, 1)
BOS, EOS = 0, 1

# ----------------------------------------------------------------------------------------
# Configurations: the shape fields of a Hugging Face config.json; hf_config adds the rest.
# ----------------------------------------------------------------------------------------
CONFIGS = {
    "qwen2-gqa": dict(
        seed=3001, arch="qwen2", dtype="bfloat16",
        hf=dict(vocab_size=1000, hidden_size=96, num_attention_heads=6, num_key_value_heads=2,
                intermediate_size=160, num_hidden_layers=3, tie_word_embeddings=False,
                rope_theta=10000.0, rms_norm_eps=1e-6),
        covers="Qwen2 GQA 3:1 (6 q heads over 2 KV heads), q/k/v biases, untied lm_head, BF16"),
    "qwen2-tied": dict(
        seed=3002, arch="qwen2", dtype="float32",
        hf=dict(vocab_size=1000, hidden_size=64, num_attention_heads=4, num_key_value_heads=4,
                intermediate_size=128, num_hidden_layers=2, tie_word_embeddings=True,
                rope_theta=10000.0, rms_norm_eps=1e-5),
        covers="Qwen2 without grouping (4 KV heads = 4 q heads), tied embeddings (no lm_head tensor), F32, eps 1e-5"),
    "llama3-gqa": dict(
        seed=3073, arch="llama", dtype="bfloat16",
        hf=dict(vocab_size=1000, hidden_size=128, num_attention_heads=8, num_key_value_heads=2,
                head_dim=16, intermediate_size=192, num_hidden_layers=3, tie_word_embeddings=False,
                rope_theta=500000.0, rms_norm_eps=1e-5, attention_bias=False, mlp_bias=False,
                rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0,
                                  high_freq_factor=4.0, original_max_position_embeddings=64)),
        covers="Llama GQA 4:1, llama3 RoPE frequency adjustment with all three bands (kept, smoothed, divided), theta 500000, BF16"),
    "llama-bias-tied": dict(
        seed=3024, arch="llama", dtype="float16",
        hf=dict(vocab_size=1000, hidden_size=64, num_attention_heads=4, num_key_value_heads=2,
                intermediate_size=96, num_hidden_layers=2, tie_word_embeddings=True,
                rope_theta=10000.0, rms_norm_eps=1e-5, attention_bias=True, mlp_bias=False,
                rope_scaling=None),
        covers="Llama attention_bias (q/k/v AND o_proj biases), tied embeddings, plain RoPE, F16, no head_dim key"),
    "qwen3-qknorm": dict(
        seed=3005, arch="qwen3", dtype="bfloat16",
        hf=dict(vocab_size=1000, hidden_size=96, num_attention_heads=4, num_key_value_heads=2,
                head_dim=32, intermediate_size=160, num_hidden_layers=3, tie_word_embeddings=False,
                rope_theta=1000000.0, rms_norm_eps=1e-6, attention_bias=False, rope_scaling=None),
        covers="Qwen3 q_norm/k_norm (per-head RMSNorm before RoPE), head_dim 32 != hidden/heads 24 (q_proj 128 wide), GQA 2:1, theta 1e6, BF16"),
    "qwen3-yarn": dict(
        seed=3008, arch="qwen3", dtype="bfloat16",
        hf=dict(vocab_size=1000, hidden_size=96, num_attention_heads=4, num_key_value_heads=2,
                head_dim=32, intermediate_size=160, num_hidden_layers=3, tie_word_embeddings=False,
                rope_theta=1000000.0, rms_norm_eps=1e-6, attention_bias=False,
                max_position_embeddings=2048,
                # shaped like DeepSeek-R1-0528-Qwen3-8B's (factor 4 = max_position_embeddings /
                # original; the attn_factor key and value of the real config), original 512
                rope_scaling=dict(rope_type="yarn", factor=4.0, original_max_position_embeddings=512,
                                  attn_factor=0.8782488562869419)),
        covers="Qwen3 YaRN rope_scaling as HF transformers computes it: frequency blend with all three regions "
               "(i = 0,1 extrapolated, 2..5 ramp, 6..15 interpolated by factor 4), cos/sin times attention_factor "
               "0.1 ln 4 + 1 (the config's attn_factor key is NOT read by HF), q/k norm, GQA 2:1, BF16"),
}

ARCH = {
    "qwen2": ("Qwen2ForCausalLM", "qwen2"),
    "llama": ("LlamaForCausalLM", "llama"),
    "qwen3": ("Qwen3ForCausalLM", "qwen3"),
}

ST_DTYPE = {"bfloat16": "BF16", "float16": "F16", "float32": "F32"}
ST_ITEMSIZE = {"BF16": 2, "F16": 2, "F32": 4}


def hf_config(c):
    """The full config.json: the fields the real R1-distill configs of the class carry."""
    arch, mtype = ARCH[c["arch"]]
    h = dict(c["hf"])
    cfg = {
        "architectures": [arch], "model_type": mtype,
        "attention_dropout": 0.0, "bos_token_id": BOS, "eos_token_id": EOS,
        "hidden_act": "silu", "initializer_range": 0.02,
        "max_position_embeddings": 131072,
        "torch_dtype": c["dtype"], "use_cache": True,
        "transformers_version": "4.51.0",
    }
    if c["arch"] == "qwen2":
        # as DeepSeek-R1-Distill-Qwen-*: sliding window configured but off; no rope_scaling
        cfg.update(max_window_layers=h["num_hidden_layers"], sliding_window=4096,
                   use_sliding_window=False, use_mrope=False, rope_scaling=None)
    elif c["arch"] == "llama":
        cfg.update(pretraining_tp=1)
    else:
        cfg.update(max_window_layers=h["num_hidden_layers"], sliding_window=None,
                   use_sliding_window=False)
    cfg.update(h)
    return cfg


def head_dim(cfg):
    return cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]


# ----------------------------------------------------------------------------------------
# Tensors and weights.
# ----------------------------------------------------------------------------------------
def hf_tensors(cfg):
    """Ordered (name, shape, kind) of the checkpoint; kind: embed/linear/bias/norm/head."""
    D, H, KV, hd, I = (cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"],
                       head_dim(cfg), cfg["intermediate_size"])
    mt = cfg["model_type"]
    qkv_bias = mt == "qwen2" or cfg.get("attention_bias", False)
    o_bias = mt != "qwen2" and cfg.get("attention_bias", False)
    mlp_bias = mt == "llama" and cfg.get("mlp_bias", False)
    out = [("model.embed_tokens.weight", (cfg["vocab_size"], D), "embed")]
    for L in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{L}."
        out.append((p + "input_layernorm.weight", (D,), "norm"))
        for n, rows in (("q", H * hd), ("k", KV * hd), ("v", KV * hd)):
            out.append((p + f"self_attn.{n}_proj.weight", (rows, D), "linear"))
            if qkv_bias:
                out.append((p + f"self_attn.{n}_proj.bias", (rows,), "bias"))
        out.append((p + "self_attn.o_proj.weight", (D, H * hd), "linear"))
        if o_bias:
            out.append((p + "self_attn.o_proj.bias", (D,), "bias"))
        if mt == "qwen3":
            out += [(p + "self_attn.q_norm.weight", (hd,), "norm"),
                    (p + "self_attn.k_norm.weight", (hd,), "norm")]
        out.append((p + "post_attention_layernorm.weight", (D,), "norm"))
        for n, shape in (("gate", (I, D)), ("up", (I, D)), ("down", (D, I))):
            out.append((p + f"mlp.{n}_proj.weight", shape, "linear"))
            if mlp_bias:
                out.append((p + f"mlp.{n}_proj.bias", (shape[0],), "bias"))
    out.append(("model.norm.weight", (D,), "norm"))
    if not cfg["tie_word_embeddings"]:
        out.append(("lm_head.weight", (cfg["vocab_size"], D), "head"))
    return out


def bf16_bits(x):
    """float32 -> bf16 bit patterns, round to nearest, ties to even (finite inputs)."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_to_f32(b):
    return (np.asarray(b, dtype=np.uint32) << 16).view(np.float32)


def encode(w, st_dtype):
    """float32 array -> (raw little-endian bytes, the exact float32 value of what is stored)."""
    if st_dtype == "BF16":
        b = bf16_bits(w)
        return b.astype("<u2").tobytes(), bf16_to_f32(b).reshape(w.shape)
    if st_dtype == "F16":
        h = w.astype(np.float16)  # IEEE round to nearest even
        assert np.isfinite(h).all()
        return h.astype("<f2").tobytes(), h.astype(np.float32)
    return w.astype("<f4").tobytes(), w.astype(np.float32)


def make_weights(cfg, st_dtype, seed):
    """-> (name -> (dtype, shape, bytes) for the file, name -> float32 values the reference uses).
    Linear N(0, 1/fan_in); biases 0.1 N; embeddings N(0, 1), or N(0, 4/hidden) when tied (the
    matrix is then also the output head); lm_head N(0, 4/hidden); norms 1 + 0.1 N."""
    torch.manual_seed(seed)
    D = cfg["hidden_size"]
    tied = cfg["tie_word_embeddings"]
    file_t, values = {}, {}
    for name, shape, kind in hf_tensors(cfg):
        g = torch.randn(*shape, dtype=torch.float32).numpy().astype(np.float64)
        if kind == "embed":
            w = g * (2.0 / math.sqrt(D)) if tied else g
        elif kind == "head":
            w = g * (2.0 / math.sqrt(D))
        elif kind == "norm":
            w = 1.0 + 0.1 * g
        elif kind == "bias":
            w = 0.1 * g
        else:
            w = g / math.sqrt(shape[1])
        raw, v = encode(w.astype(np.float32), st_dtype)
        file_t[name] = (st_dtype, shape, raw)
        values[name] = v
    return file_t, values


# ----------------------------------------------------------------------------------------
# Safetensors writer / reader (own code; no safetensors package).
# ----------------------------------------------------------------------------------------
def write_safetensors(path, tensors):
    """tensors: name -> (dtype, shape, raw bytes). Data sorted by item size then name, so every
    tensor is naturally aligned; header padded with spaces to a multiple of 8."""
    order = sorted(tensors, key=lambda n: (-ST_ITEMSIZE[tensors[n][0]], n))
    header, pos = {"__metadata__": {"format": "pt"}}, 0
    offs = {}
    for n in order:
        offs[n] = (pos, pos + len(tensors[n][2]))
        pos += len(tensors[n][2])
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
    """-> name -> (dtype, float32 numpy array)."""
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])
    base, end, out = 8 + n, 0, {}
    for k, v in h.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        dt = v["dtype"]
        assert s % ST_ITEMSIZE[dt] == 0, (k, "misaligned")
        raw = b[base + s:base + e]
        end = max(end, e)
        if dt == "BF16":
            f = bf16_to_f32(np.frombuffer(raw, "<u2"))
        elif dt == "F16":
            f = np.frombuffer(raw, "<f2").astype(np.float32)
        else:
            f = np.frombuffer(raw, "<f4").astype(np.float32)
        assert f.size == int(np.prod(v["shape"])), k
        out[k] = (dt, f.reshape(v["shape"]))
    assert base + end == len(b), "trailing bytes"
    return out


# ----------------------------------------------------------------------------------------
# The reference model (float32 throughout).
# ----------------------------------------------------------------------------------------
def rms_norm(x, w, eps):
    """w * (x * rsqrt(mean(x^2) + eps)), over the last dim, in float32."""
    x = x.to(torch.float32)
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rope_inv_freq(cfg):
    """float32 inverse frequencies over head_dim, and (for llama3) the band of each.
    Default: 1 / theta^(2i/d) with the exponent and the power in float32.
    llama3: wavelength 2*pi/f; wavelength < orig/high kept, > orig/low divided by factor,
    in between (inclusive) (1-s)*f/factor + s*f with s = (orig/wavelength - low)/(high - low)."""
    d = head_dim(cfg)
    expo = torch.arange(0, d, 2, dtype=torch.int64).to(torch.float32) / d
    inv = 1.0 / torch.pow(float(cfg["rope_theta"]), expo)
    rs = cfg.get("rope_scaling")
    if not rs:
        return inv, None
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "yarn":
        y = yarn_params(cfg)
        return y["inv_freq"], y["bands"]
    if kind != "llama3":
        raise ValueError(f"rope_scaling type {kind!r} not implemented by refgen_dense")
    factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    orig = rs["original_max_position_embeddings"]
    lo_wl, hi_wl = orig / lo, orig / hi
    wl = 2 * math.pi / inv
    base = torch.where(wl > lo_wl, inv / factor, inv)
    s = (orig / wl - lo) / (hi - lo)
    smooth = (1 - s) * base / factor + s * base
    mid = (wl >= hi_wl) & (wl <= lo_wl)
    out = torch.where(mid, smooth, base)
    bands = ["smoothed" if m else ("divided" if w > lo_wl else "kept") for m, w in zip(mid.tolist(), wl.tolist())]
    return out, bands


def yarn_factor_and_attention(rs, max_position_embeddings):
    """(factor, attention_factor, where each came from) as HF's _compute_yarn_parameters reads them
    (pure Python floats; shared by the float32 and the float64 forward).
    factor: rope_scaling["factor"]; only when it is absent (None) max_position_embeddings /
    original_max_position_embeddings (transformers 4.5x overrode factor with that ratio whenever
    original_max_position_embeddings was present; configs here make the two equal).
    attention_factor: rope_scaling["attention_factor"] if present, else, with mscale and mscale_all_dim
    both set (truthy), get_mscale(factor, mscale) / get_mscale(factor, mscale_all_dim), else
    get_mscale(factor) = 0.1 ln(factor) + 1 (1 when factor <= 1). The key "attn_factor" is NOT read."""
    orig = rs["original_max_position_embeddings"]
    factor, fsrc = rs.get("factor"), "rope_scaling.factor"
    if factor is None:
        factor, fsrc = max_position_embeddings / orig, "max_position_embeddings / original_max_position_embeddings"

    def get_mscale(scale, mscale=1):
        return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0

    att, asrc = rs.get("attention_factor"), "rope_scaling.attention_factor"
    if att is None:
        if rs.get("mscale") and rs.get("mscale_all_dim"):
            att = float(get_mscale(factor, rs["mscale"]) / get_mscale(factor, rs["mscale_all_dim"]))
            asrc = "get_mscale(factor, mscale) / get_mscale(factor, mscale_all_dim)"
        else:
            att, asrc = get_mscale(factor), "get_mscale(factor) = 0.1 * ln(factor) + 1"
    return factor, att, fsrc, asrc


def yarn_correction_range(rs, dim, base, positions_for_range, truncate=None):
    """HF find_correction_range(beta_fast, beta_slow, dim, base, original_max_position_embeddings):
    d(r) = dim * ln(P / (r * 2 pi)) / (2 ln base); low = d(beta_fast), high = d(beta_slow),
    floored / ceiled when truncate (default True), then clamped to [0, dim - 1].
    beta_fast = rope_scaling.get("beta_fast") or 32, beta_slow = ... or 1."""
    beta_fast = rs.get("beta_fast") or 32
    beta_slow = rs.get("beta_slow") or 1
    if truncate is None:
        truncate = rs.get("truncate", True)

    def corr(r):
        return (dim * math.log(positions_for_range / (r * 2 * math.pi))) / (2 * math.log(base))

    lo_raw, hi_raw = corr(beta_fast), corr(beta_slow)
    lo, hi = (math.floor(lo_raw), math.ceil(hi_raw)) if truncate else (lo_raw, hi_raw)
    return max(lo, 0), min(hi, dim - 1), lo_raw, hi_raw, beta_fast, beta_slow, truncate


def yarn_params(cfg):
    """YaRN as transformers' _compute_yarn_parameters (float32 torch, as there):
    pos_freqs = base ** (arange(0, d, 2).float() / d); extrapolation = 1 / pos_freqs;
    interpolation = 1 / (factor * pos_freqs); ramp[i] = clamp((i - low) / (high - low), 0, 1)
    in float32 over i < d/2 (high += 0.001 when low == high); extrapolation_factor = 1 - ramp;
    inv_freq = interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor.
    The rotary embedding multiplies cos and sin (float32) by attention_factor."""
    rs, d, base = cfg["rope_scaling"], head_dim(cfg), float(cfg["rope_theta"])
    factor, att, fsrc, asrc = yarn_factor_and_attention(rs, cfg["max_position_embeddings"])
    lo, hi, lo_raw, hi_raw, bf, bs, trunc = yarn_correction_range(rs, d, base, rs["original_max_position_embeddings"])
    pos_freqs = base ** (torch.arange(0, d, 2).float() / d)
    extrap = 1.0 / pos_freqs
    interp = 1.0 / (factor * pos_freqs)
    mx = hi + 0.001 if lo == hi else hi
    ramp = torch.clamp((torch.arange(d // 2, dtype=torch.float32) - lo) / (mx - lo), 0, 1)
    ef = 1 - ramp
    inv = interp * (1 - ef) + extrap * ef
    bands = ["extrapolated" if e == 1 else ("interpolated" if e == 0 else "blended") for e in ef.tolist()]
    return dict(inv_freq=inv, bands=bands, factor=factor, factor_source=fsrc, attention_factor=att,
                attention_factor_source=asrc, low=lo, high=hi, low_unrounded=lo_raw, high_unrounded=hi_raw,
                beta_fast=bf, beta_slow=bs, truncate=trunc, ramp=ramp, extrapolation_factor=ef,
                inv_freq_extrapolation=extrap, inv_freq_interpolation=interp)


def rope_attention_scaling(cfg):
    """The factor HF's rotary embedding multiplies cos and sin by (attention_scaling): YaRN's
    attention_factor, 1 for default and llama3 RoPE."""
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type", rs.get("type")) == "yarn":
        return yarn_factor_and_attention(rs, cfg["max_position_embeddings"])[1]
    return 1.0


def rope_cos_sin(inv, positions, attention_scaling=1.0):
    """angle[p, i] = float32(p) * inv[i] in float32; cos/sin over [angles, angles] (rotate-half),
    times attention_scaling (a Python float, as in HF: emb.cos() * self.attention_scaling)."""
    ang = positions.to(torch.float32)[:, None] * inv[None, :]
    emb = torch.cat([ang, ang], dim=-1)
    if attention_scaling == 1.0:
        return emb.cos(), emb.sin()
    return emb.cos() * attention_scaling, emb.sin() * attention_scaling


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Dense:
    """Decoder-only transformer of the three classes; K/V cache per layer (after RoPE)."""

    def __init__(self, cfg, values):
        self.cfg = cfg
        self.w = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in values.items()}
        self.hd = head_dim(cfg)
        self.inv_freq, self.bands = rope_inv_freq(cfg)
        self.attention_scaling = rope_attention_scaling(cfg)
        self.scale = self.hd ** -0.5
        self.reset()

    def reset(self):
        self.k = [None] * self.cfg["num_hidden_layers"]
        self.v = [None] * self.cfg["num_hidden_layers"]

    def lin(self, name, x):
        return F.linear(x, self.w[name + ".weight"], self.w.get(name + ".bias"))

    def attention(self, L, x, cos, sin, positions, use_cache):
        cfg, hd = self.cfg, self.hd
        H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
        T = x.shape[0]
        p = f"model.layers.{L}.self_attn."
        q = self.lin(p + "q_proj", x).view(T, H, hd)
        k = self.lin(p + "k_proj", x).view(T, KV, hd)
        v = self.lin(p + "v_proj", x).view(T, KV, hd)
        if cfg["model_type"] == "qwen3":  # per-head RMSNorm over head_dim, before RoPE
            q = rms_norm(q, self.w[p + "q_norm.weight"], cfg["rms_norm_eps"])
            k = rms_norm(k, self.w[p + "k_norm.weight"], cfg["rms_norm_eps"])
        c, s = cos[:, None, :], sin[:, None, :]
        q = q * c + rotate_half(q) * s
        k = k * c + rotate_half(k) * s
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)  # [heads, T, hd]
        if use_cache:
            if self.k[L] is not None:
                k = torch.cat([self.k[L], k], dim=1)
                v = torch.cat([self.v[L], v], dim=1)
            self.k[L], self.v[L] = k, v
        S = k.shape[1]
        rep = H // KV  # query head h reads KV head h // rep
        kr = k.repeat_interleave(rep, dim=0)
        vr = v.repeat_interleave(rep, dim=0)
        scores = torch.matmul(q, kr.transpose(1, 2)) * self.scale  # [H, T, S]
        key_pos = torch.arange(S)
        mask = key_pos[None, :] > positions[:, None]  # causal: key position <= query position
        scores = scores.masked_fill(mask[None], float("-inf"))
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32)
        o = torch.matmul(probs, vr).transpose(0, 1).reshape(T, H * hd)
        return self.lin(p + "o_proj", o)

    def forward(self, tokens, start, use_cache=True):
        """tokens at positions start..start+T-1 -> logits [T, vocab] float32."""
        cfg = self.cfg
        positions = torch.arange(start, start + len(tokens))
        x = self.w["model.embed_tokens.weight"][torch.tensor(tokens, dtype=torch.long)]
        cos, sin = rope_cos_sin(self.inv_freq, positions, self.attention_scaling)
        eps = cfg["rms_norm_eps"]
        for L in range(cfg["num_hidden_layers"]):
            p = f"model.layers.{L}."
            x = x + self.attention(L, rms_norm(x, self.w[p + "input_layernorm.weight"], eps), cos, sin, positions, use_cache)
            h = rms_norm(x, self.w[p + "post_attention_layernorm.weight"], eps)
            x = x + self.lin(p + "mlp.down_proj", F.silu(self.lin(p + "mlp.gate_proj", h)) * self.lin(p + "mlp.up_proj", h))
        x = rms_norm(x, self.w["model.norm.weight"], eps)
        head = self.w["model.embed_tokens.weight" if cfg["tie_word_embeddings"] else "lm_head.weight"]
        return F.linear(x, head)


def run_case(model, prompt):
    """Prefill the prompt at 0 (logits of every position), then N_DECODE one-token steps
    feeding the greedy argmax through the cache. -> (logits [P+N, V], greedy (N+1 ids))."""
    model.reset()
    with torch.no_grad():
        rows = [model.forward(prompt, 0)]
        greedy = [int(rows[-1][-1].argmax())]
        for i in range(N_DECODE):
            rows.append(model.forward([greedy[-1]], len(prompt) + i))
            greedy.append(int(rows[-1][-1].argmax()))
    return torch.cat(rows).numpy().astype(np.float32), greedy


def full_recompute(model, seq):
    model.reset()
    with torch.no_grad():
        out = model.forward(seq, 0, use_cache=False).numpy().astype(np.float32)
    model.reset()
    return out


def numpy_forward(cfg, W, seq, wrong=None):
    """A second, independent forward in float64 NumPy (no cache, plain loops over heads),
    optionally with one deliberately WRONG semantic (for the sensitivity diagnostics):
    rope_interleaved (pairs (2i, 2i+1) instead of rotate-half), kv_head_modulo (query head h
    reads KV head h % n_kv instead of h // (n_heads/n_kv)), no_rope_scaling, no_qk_norm,
    qk_norm_after_rope, no_attention_bias (all attention biases dropped), no_o_proj_bias,
    llama3_middle_band_kept (the smoothed band left unscaled), rope_angle_bf16 (cos/sin rounded
    to bf16), and for YaRN (see yarn_numpy) no_rope_scaling (plain RoPE, no attention factor),
    yarn_attn_factor_used, yarn_no_truncate, yarn_range_from_max_position_embeddings."""
    D, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps, T = head_dim(cfg), cfg["rms_norm_eps"], len(seq)
    inv = np.array([cfg["rope_theta"] ** (-(2.0 * i) / hd) for i in range(hd // 2)])
    rs = cfg.get("rope_scaling")
    kind = rs.get("rope_type", rs.get("type")) if rs else None
    att = 1.0
    if kind == "yarn" and wrong != "no_rope_scaling":
        inv, att = yarn_numpy(cfg, inv, wrong)
    elif rs and wrong != "no_rope_scaling":
        f, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        orig = rs["original_max_position_embeddings"]
        wl = 2 * math.pi / inv
        s = (orig / wl - lo) / (hi - lo)
        mid = inv if wrong == "llama3_middle_band_kept" else (1 - s) * inv / f + s * inv
        inv = np.where(wl < orig / hi, inv, np.where(wl > orig / lo, inv / f, mid))
    ang = np.arange(T, dtype=np.float64)[:, None] * inv[None, :]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    if att != 1.0:
        cos, sin = cos * att, sin * att
    if wrong == "rope_angle_bf16":
        cos, sin = bf16_to_f32(bf16_bits(cos)).astype(np.float64), bf16_to_f32(bf16_bits(sin)).astype(np.float64)

    def norm(x, w):
        return w * (x / np.sqrt((x * x).mean(-1, keepdims=True) + eps))

    def lin(n, x):
        b = W.get(n + ".bias")
        drop = b is None or (wrong == "no_attention_bias" and ".self_attn." in n) or \
            (wrong == "no_o_proj_bias" and n.endswith("o_proj"))
        return x @ W[n + ".weight"].T + (0 if drop else b)

    def rope(x):
        if wrong == "rope_interleaved":
            a, b = x[..., 0::2], x[..., 1::2]
            out = np.empty_like(x)
            out[..., 0::2], out[..., 1::2] = a * cos - b * sin, b * cos + a * sin
            return out
        a, b = x[..., :hd // 2], x[..., hd // 2:]
        return np.concatenate([a * cos - b * sin, b * cos + a * sin], -1)

    x = W["model.embed_tokens.weight"][seq]
    causal = np.triu(np.ones((T, T), dtype=bool), 1)
    for L in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{L}."
        h = norm(x, W[p + "input_layernorm.weight"])
        q = lin(p + "self_attn.q_proj", h).reshape(T, H, hd)
        k = lin(p + "self_attn.k_proj", h).reshape(T, KV, hd)
        v = lin(p + "self_attn.v_proj", h).reshape(T, KV, hd)
        qk_norm = cfg["model_type"] == "qwen3" and wrong != "no_qk_norm"
        if qk_norm and wrong != "qk_norm_after_rope":
            q, k = norm(q, W[p + "self_attn.q_norm.weight"]), norm(k, W[p + "self_attn.k_norm.weight"])
        q, k = rope(q), rope(k)
        if qk_norm and wrong == "qk_norm_after_rope":
            q, k = norm(q, W[p + "self_attn.q_norm.weight"]), norm(k, W[p + "self_attn.k_norm.weight"])
        o = np.empty((T, H, hd))
        for qh in range(H):
            g = qh % KV if wrong == "kv_head_modulo" else qh // (H // KV)
            sc = (q[:, qh] @ k[:, g].T) / math.sqrt(hd)
            sc[causal] = -np.inf
            pr = np.exp(sc - sc.max(-1, keepdims=True))
            o[:, qh] = (pr / pr.sum(-1, keepdims=True)) @ v[:, g]
        x = x + lin(p + "self_attn.o_proj", o.reshape(T, H * hd))
        h = norm(x, W[p + "post_attention_layernorm.weight"])
        gt = lin(p + "mlp.gate_proj", h)
        x = x + lin(p + "mlp.down_proj", gt / (1 + np.exp(-gt)) * lin(p + "mlp.up_proj", h))
    x = norm(x, W["model.norm.weight"])
    return x @ W["model.embed_tokens.weight" if cfg["tie_word_embeddings"] else "lm_head.weight"].T


def yarn_numpy(cfg, inv_plain, wrong=None):
    """YaRN in float64 from the unscaled float64 inv_freq -> (inv_freq, attention factor on cos/sin).
    Deliberately wrong variants: yarn_attn_factor_used (the config's attn_factor multiplies the
    default attention factor, as vLLM-style runtimes do: 0.1 ln 4 + 1 times 0.878... = 1.0),
    yarn_no_truncate (low/high not floored/ceiled), yarn_range_from_max_position_embeddings
    (the correction range from max_position_embeddings instead of original_max_position_embeddings,
    as transformers <= 4.4x did)."""
    rs, d = cfg["rope_scaling"], head_dim(cfg)
    factor, att, _, _ = yarn_factor_and_attention(rs, cfg["max_position_embeddings"])
    if wrong == "yarn_attn_factor_used":
        att = att * rs["attn_factor"]
    P = cfg["max_position_embeddings"] if wrong == "yarn_range_from_max_position_embeddings" \
        else rs["original_max_position_embeddings"]
    lo, hi = yarn_correction_range(rs, d, float(cfg["rope_theta"]), P,
                                   truncate=False if wrong == "yarn_no_truncate" else None)[:2]
    mx = hi + 0.001 if lo == hi else hi
    ramp = np.clip((np.arange(d // 2, dtype=np.float64) - lo) / (mx - lo), 0.0, 1.0)
    return inv_plain / factor * ramp + inv_plain * (1.0 - ramp), att


def wrong_semantics(cfg):
    """The wrong-semantics variants that apply to this config."""
    out = ["rope_interleaved", "rope_angle_bf16"]
    if cfg["num_key_value_heads"] not in (1, cfg["num_attention_heads"]):
        out.append("kv_head_modulo")
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type", rs.get("type")) == "yarn":
        out += ["no_rope_scaling", "yarn_attn_factor_used", "yarn_no_truncate",
                "yarn_range_from_max_position_embeddings"]
    elif rs:
        out += ["no_rope_scaling", "llama3_middle_band_kept"]
    if cfg["model_type"] == "qwen3":
        out += ["no_qk_norm", "qk_norm_after_rope"]
    if cfg["model_type"] == "qwen2" or cfg.get("attention_bias"):
        out.append("no_attention_bias")
    if cfg["model_type"] != "qwen2" and cfg.get("attention_bias"):
        out.append("no_o_proj_bias")
    return out


def top1_margin(logits):
    s = np.sort(logits, axis=-1)
    return float((s[:, -1] - s[:, -2]).min())


# ----------------------------------------------------------------------------------------
def generate(name, c, out_root):
    cfg = hf_config(c)
    st_dtype = ST_DTYPE[cfg["torch_dtype"]]
    odir = os.path.join(out_root, name)
    os.makedirs(odir, exist_ok=True)
    cfg_bytes = (json.dumps(cfg, indent=2, sort_keys=True) + "\n").encode()
    open(os.path.join(odir, "config.json"), "wb").write(cfg_bytes)
    file_t, values = make_weights(cfg, st_dtype, c["seed"])
    st_path = os.path.join(odir, "model.safetensors")
    write_safetensors(st_path, file_t)

    # load back exactly what the file holds
    back = read_safetensors(st_path)
    assert set(back) == set(values)
    for n, v in values.items():
        assert back[n][0] == st_dtype and np.array_equal(back[n][1].view(np.uint32), v.view(np.uint32)), n
    model = Dense(cfg, {n: back[n][1] for n in back})

    W64 = {n: back[n][1].astype(np.float64) for n in back}
    gen = torch.Generator().manual_seed(c["seed"] + 7)
    cases, diag = [], {}
    for ci, P in enumerate(PROMPT_LENS):
        prompt = [BOS] + torch.randint(2, cfg["vocab_size"], (P - 1,), generator=gen).tolist()
        logits, greedy = run_case(model, prompt)
        assert logits.shape == (P + N_DECODE, cfg["vocab_size"])
        assert logits[P - 1:].argmax(-1).tolist() == greedy
        fed = greedy[:N_DECODE]
        full = full_recompute(model, prompt + fed)
        f64 = numpy_forward(cfg, W64, prompt + fed)
        for wname in wrong_semantics(cfg):
            wl = numpy_forward(cfg, W64, prompt + fed, wname)
            d = diag.setdefault(wname, {"max_abs_logit_change": 0.0, "rows_argmax_changed": 0, "rows": 0})
            d["max_abs_logit_change"] = max(d["max_abs_logit_change"], float(np.abs(wl - logits).max()))
            d["rows_argmax_changed"] += int((wl.argmax(-1) != logits.argmax(-1)).sum())
            d["rows"] += int(logits.shape[0])
        # the cached rows, the uncached recompute and the float64 forward must agree
        assert np.abs(full - logits).max() < 1e-4 and np.abs(f64 - logits).max() < 1e-4, name
        fn = f"case{ci}.npy"
        np.save(os.path.join(odir, fn), logits)
        cases.append({
            "name": f"case{ci}", "prompt": prompt, "n_decode": N_DECODE,
            "fed_decode_tokens": fed, "greedy": greedy, "rows": int(logits.shape[0]),
            "logits": {"absorb": fn},
            "full_recompute_max_abs": float(np.abs(full - logits).max()),
            "full_recompute_argmax_agrees": full[P - 1:].argmax(-1).tolist() == greedy,
            "float64_numpy_max_abs": float(np.abs(f64 - logits).max()),
            "min_top1_margin": top1_margin(logits),
            "min_top1_margin_greedy_rows": top1_margin(logits[P - 1:]),
            "logit_std": float(logits.astype(np.float64).std()),
        })

    rope = {"head_dim": model.hd, "theta": cfg["rope_theta"], "rope_scaling": cfg.get("rope_scaling"),
            "layout": "rotate-half: dims [0, d/2) pair with [d/2, d); q' = q*cos + rotate_half(q)*sin, "
                      "cos/sin over [angles, angles]",
            "inv_freq_float32": [float(f) for f in model.inv_freq],
            "inv_freq_float32_bits": ["%08x" % int(b) for b in model.inv_freq.numpy().view(np.uint32)]}
    if model.bands is not None and cfg["rope_scaling"].get("rope_type") == "yarn":
        rope.update(yarn_record(cfg, model))
    elif model.bands is not None:
        plain = 1.0 / torch.pow(float(cfg["rope_theta"]), torch.arange(0, model.hd, 2, dtype=torch.int64).to(torch.float32) / model.hd)
        rope["llama3_bands"] = model.bands
        rope["inv_freq_unscaled_float32"] = [float(f) for f in plain]
        rope["wavelengths_unscaled"] = [float(2 * math.pi / f) for f in plain]
    exp = {
        "format": FORMAT, "name": name, "seed": c["seed"], "covers": c["covers"],
        "architecture": cfg["architectures"][0], "model_type": cfg["model_type"], "dtype": cfg["torch_dtype"],
        "reference": "tools/refgen/refgen_dense.py (float32 PyTorch, written from HF transformers' modeling_qwen2.py / "
                     "modeling_llama.py / modeling_qwen3.py / modeling_rope_utils.py)",
        "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
        "checkpoint_sha256": {
            "model.safetensors": hashlib.sha256(open(st_path, "rb").read()).hexdigest(),
            "config.json": hashlib.sha256(cfg_bytes).hexdigest()},
        "weights_note": (f"all tensors {st_dtype}; the reference computes with exactly the stored values widened to "
                         "float32. Init (torch.manual_seed(seed)): Linear N(0, 1/fan_in), biases 0.1 N, embeddings "
                         "N(0,1) (N(0, 4/hidden) when tied), lm_head N(0, 4/hidden), norms 1 + 0.1 N"),
        "tensors": [n for n, _, _ in hf_tensors(cfg)],
        "protocol": ("For each case: one prefill call with all P prompt tokens at position 0 (rows 0..P-1 = logits at "
                     "every prompt position), then n_decode calls with ONE token each at position P+i feeding "
                     "fed_decode_tokens[i] (= greedy[i]) through the K/V cache; row P+i = logits after that token. "
                     "greedy[j] = argmax(row P-1+j). Logits float32 [P + n_decode, vocab], file logits.absorb (the "
                     "key name is shared with the DeepSeek references; there is only one attention path here). "
                     "full_recompute_max_abs: the same P+n_decode tokens in one call without a cache, against the rows. "
                     "float64_numpy_max_abs: a second, independent float64 NumPy forward (RoPE angles in float64) against "
                     "the rows. wrong_semantics_diagnostics: how far the rows move when one semantic is deliberately "
                     "wrong (see numpy_forward in refgen_dense.py), i.e. what a test with tolerance 2e-3 can detect. "
                     "Reference computation: float32 on CPU."),
        "softmax_scale": model.scale,
        "rope": rope,
        "full_recompute_max_abs": max(cs["full_recompute_max_abs"] for cs in cases),
        "float64_numpy_max_abs": max(cs["float64_numpy_max_abs"] for cs in cases),
        "wrong_semantics_diagnostics": diag,
        "min_top1_margin": min(cs["min_top1_margin"] for cs in cases),
        "min_top1_margin_greedy_rows": min(cs["min_top1_margin_greedy_rows"] for cs in cases),
        "logit_std": float(np.mean([cs["logit_std"] for cs in cases])),
        "cases": cases,
    }
    with open(os.path.join(odir, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1)
        f.write("\n")
    return exp


YARN_HF_SEMANTICS = (
    "transformers modeling_rope_utils._compute_yarn_parameters (v5 main, config.rope_parameters; 4.5x the same "
    "with config.rope_scaling): dim = head_dim * partial_rotary_factor; factor = rope_parameters['factor'] "
    "(max_position_embeddings / original_max_position_embeddings only when factor is None; 4.5x used that ratio "
    "whenever original_max_position_embeddings was in rope_scaling); attention_factor = rope_parameters.get("
    "'attention_factor'), else get_mscale(factor, mscale) / get_mscale(factor, mscale_all_dim) when both are set, "
    "else get_mscale(factor) = 0.1 ln(factor) + 1 (1 if factor <= 1); beta_fast = get('beta_fast') or 32, "
    "beta_slow = get('beta_slow') or 1; truncate = get('truncate', True); correction dims d(r) = dim ln(orig / "
    "(2 pi r)) / (2 ln theta), low = floor(d(beta_fast)), high = ceil(d(beta_slow)) (no rounding if truncate is "
    "false), clamped to [0, dim-1]; ramp = clamp((i - low) / (high - low), 0, 1) in float32; inv_freq = "
    "inv/factor * ramp + inv * (1 - ramp). Qwen3RotaryEmbedding.forward: cos = emb.cos() * attention_scaling, "
    "sin = emb.sin() * attention_scaling (float32), i.e. q and k both scaled, scores by attention_factor^2. "
    "The key 'attn_factor' appears nowhere in that code: _validate_yarn_rope_parameters lists required "
    "{rope_type, factor, original_max_position_embeddings} and optional {rope_theta, attention_factor, beta_fast, "
    "beta_slow, mscale, mscale_all_dim, truncate}, and _check_received_keys only logs 'Unrecognized keys in "
    "`rope_parameters` for 'rope_type'='yarn': {'attn_factor'}'. So HF uses 0.1 ln 4 + 1 = 1.1386 and ignores "
    "attn_factor = 0.8782 = 1 / (0.1 ln 4 + 1); vLLM-style YaRN (mscale = get_mscale(factor) * attn_factor) "
    "would use 1.0 (diagnostic yarn_attn_factor_used).")


def yarn_record(cfg, model):
    """The YaRN tables and scalars for expected.json."""
    y = yarn_params(cfg)
    d = model.hd
    plain = 1.0 / torch.pow(float(cfg["rope_theta"]), torch.arange(0, d, 2, dtype=torch.int64).to(torch.float32) / d)
    f32 = np.array([y["attention_factor"]], dtype=np.float32)
    rs = cfg["rope_scaling"]
    return {
        "yarn_hf_semantics": YARN_HF_SEMANTICS,
        "yarn_bands": y["bands"],
        "yarn_factor": y["factor"], "yarn_factor_source": y["factor_source"],
        "yarn_attn_factor_key_read": False,
        "yarn_attn_factor_in_config": rs.get("attn_factor"),
        "attention_scaling": y["attention_factor"],
        "attention_scaling_source": y["attention_factor_source"],
        "attention_scaling_float32": float(f32[0]),
        "attention_scaling_float32_bits": "%08x" % int(f32.view(np.uint32)[0]),
        "attention_scaling_if_attn_factor_were_used": y["attention_factor"] * rs["attn_factor"],
        "yarn_beta_fast": y["beta_fast"], "yarn_beta_slow": y["beta_slow"], "yarn_truncate": y["truncate"],
        "yarn_correction_low_unrounded": y["low_unrounded"], "yarn_correction_high_unrounded": y["high_unrounded"],
        "yarn_correction_low": y["low"], "yarn_correction_high": y["high"],
        "yarn_ramp_float32": [float(v) for v in y["ramp"]],
        "yarn_extrapolation_factor_float32": [float(v) for v in y["extrapolation_factor"]],
        "inv_freq_unscaled_float32": [float(f) for f in plain],
        "inv_freq_extrapolation_float32": [float(f) for f in y["inv_freq_extrapolation"]],
        "inv_freq_interpolation_float32": [float(f) for f in y["inv_freq_interpolation"]],
        "wavelengths_unscaled": [float(2 * math.pi / f) for f in plain],
    }


def verify(out_root, name):
    """Re-read everything from disk with numpy only and check consistency."""
    d = os.path.join(out_root, name)
    cfg = json.load(open(os.path.join(d, "config.json")))
    exp = json.load(open(os.path.join(d, "expected.json")))
    st = read_safetensors(os.path.join(d, "model.safetensors"))
    want = {n: s for n, s, _ in hf_tensors(cfg)}
    assert set(st) == set(want), set(st) ^ set(want)
    for n, s in want.items():
        assert tuple(st[n][1].shape) == tuple(s) and st[n][0] == ST_DTYPE[cfg["torch_dtype"]], n
    assert hashlib.sha256(open(os.path.join(d, "model.safetensors"), "rb").read()).hexdigest() == \
        exp["checkpoint_sha256"]["model.safetensors"]
    for cs in exp["cases"]:
        a = np.load(os.path.join(d, cs["logits"]["absorb"]))
        P = len(cs["prompt"])
        assert cs["prompt"][0] == BOS and all(2 <= t < cfg["vocab_size"] for t in cs["prompt"][1:])
        assert a.dtype == np.dtype("<f4") and a.shape == (P + N_DECODE, cfg["vocab_size"]), a.shape
        assert np.isfinite(a).all()
        assert a[P - 1:].argmax(-1).tolist() == cs["greedy"] and len(cs["greedy"]) == N_DECODE + 1
        assert cs["fed_decode_tokens"] == cs["greedy"][:N_DECODE]
        assert abs(top1_margin(a) - cs["min_top1_margin"]) < 1e-9
    rope = exp["rope"]
    if "yarn_bands" in rope:  # the float32 table against the float64 formula
        d = rope["head_dim"]
        inv, att = yarn_numpy(cfg, np.array([cfg["rope_theta"] ** (-(2.0 * i) / d) for i in range(d // 2)]))
        assert np.allclose(rope["inv_freq_float32"], inv, rtol=1e-6, atol=0), "yarn inv_freq"
        assert att == rope["attention_scaling"] and not rope["yarn_attn_factor_key_read"]
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "testdata", "ref"))
    ap.add_argument("--only", nargs="*", help="config names (default: all)")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_default_dtype(torch.float32)
    out = os.path.abspath(a.out)
    for name in a.only or list(CONFIGS):
        exp = generate(name, CONFIGS[name], out)
        verify(out, name)
        size = sum(os.path.getsize(os.path.join(out, name, f)) for f in os.listdir(os.path.join(out, name)))
        print(f"{name}: full_recompute_max_abs={exp['full_recompute_max_abs']:.3g} "
              f"float64_numpy_max_abs={exp['float64_numpy_max_abs']:.3g} "
              f"min_top1_margin={exp['min_top1_margin']:.4g} (greedy rows {exp['min_top1_margin_greedy_rows']:.4g}) logit_std={exp['logit_std']:.3f} "
              f"bands={exp['rope'].get('llama3_bands') or exp['rope'].get('yarn_bands')} dir_bytes={size}")
        for wname, d in exp["wrong_semantics_diagnostics"].items():
            print(f"    wrong {wname}: max_abs_logit_change={d['max_abs_logit_change']:.3g} "
                  f"rows_argmax_changed={d['rows_argmax_changed']}/{d['rows']}")


if __name__ == "__main__":
    main()
