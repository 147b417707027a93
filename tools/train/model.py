"""model: a trainable DeepSeek-V3 in PyTorch, computing what the official inference/model.py
computes, with Hugging Face tensor names, plus one multi-token-prediction (MTP) module.

Each module's state_dict key is its name in the official HF checkpoint
(`model.layers.0.self_attn.q_a_proj.weight`, ...). The formulas follow deepseek-ai/DeepSeek-V3
inference/model.py (cited per function); attention uses its "naive" path. check.py holds a
trained checkpoint to the official code itself.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    """model.py RMSNorm: w * x * rsqrt(mean(x²) + eps), eps 1e-6."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def yarn_freqs(cfg, seqlen):
    """model.py precompute_freqs_cis: rope angles with the YaRN blend, as (cos, sin) [seqlen, rope/2]."""
    dim = cfg["qk_rope_head_dim"]
    rs = cfg["rope_scaling"]
    base, factor = cfg["rope_theta"], rs["factor"]
    orig = rs["original_max_position_embeddings"]

    def corr_dim(rot):
        return dim * math.log(orig / (rot * 2 * math.pi)) / (2 * math.log(base))

    low = max(math.floor(corr_dim(rs["beta_fast"])), 0)
    high = min(math.ceil(corr_dim(rs["beta_slow"])), dim - 1)
    if low == high:
        high += 0.001
    ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
    smooth = 1 - ramp
    freqs = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    freqs = freqs / factor * (1 - smooth) + freqs * smooth
    ang = torch.outer(torch.arange(seqlen, dtype=torch.float32), freqs)
    return torch.cos(ang), torch.sin(ang)


def softmax_scale(cfg):
    """model.py MLA.__init__: qk_head_dim^-0.5 · (0.1·mscale·ln(factor) + 1)²."""
    rs = cfg["rope_scaling"]
    s = (cfg["qk_nope_head_dim"] + cfg["qk_rope_head_dim"]) ** -0.5
    m = 0.1 * rs["mscale_all_dim"] * math.log(rs["factor"]) + 1.0
    return s * m * m


def rope(x, cos, sin):
    """model.py apply_rotary_emb: rotate interleaved pairs (x0, x1), (x2, x3), ... of the last dim.
    x [b, s, h, d], cos/sin [s, d/2]."""
    xr = x.view(*x.shape[:-1], -1, 2)
    a, b = xr[..., 0], xr[..., 1]
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    return torch.stack((a * c - b * s, a * s + b * c), dim=-1).flatten(-2)


class Attention(nn.Module):
    """model.py MLA (attn_impl "naive"), with q LoRA."""

    def __init__(self, cfg):
        super().__init__()
        D, H = cfg["hidden_size"], cfg["num_attention_heads"]
        self.h, self.nope, self.rope_d, self.v = H, cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"], cfg["v_head_dim"]
        self.kv_rank = cfg["kv_lora_rank"]
        self.q_a_proj = nn.Linear(D, cfg["q_lora_rank"], bias=False)
        self.q_a_layernorm = RMSNorm(cfg["q_lora_rank"])
        self.q_b_proj = nn.Linear(cfg["q_lora_rank"], H * (self.nope + self.rope_d), bias=False)
        self.kv_a_proj_with_mqa = nn.Linear(D, self.kv_rank + self.rope_d, bias=False)
        self.kv_a_layernorm = RMSNorm(self.kv_rank)
        self.kv_b_proj = nn.Linear(self.kv_rank, H * (self.nope + self.v), bias=False)
        self.o_proj = nn.Linear(H * self.v, D, bias=False)
        self.scale = softmax_scale(cfg)

    def forward(self, x, cos, sin, mask):
        b, s, _ = x.shape
        q = self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x))).view(b, s, self.h, self.nope + self.rope_d)
        q_nope, q_pe = q.split([self.nope, self.rope_d], dim=-1)
        q_pe = rope(q_pe, cos, sin)
        kv, k_pe = self.kv_a_proj_with_mqa(x).split([self.kv_rank, self.rope_d], dim=-1)
        k_pe = rope(k_pe.unsqueeze(2), cos, sin)  # one rope key head shared by all heads
        kv = self.kv_b_proj(self.kv_a_layernorm(kv)).view(b, s, self.h, self.nope + self.v)
        k_nope, v = kv.split([self.nope, self.v], dim=-1)
        q = torch.cat([q_nope, q_pe], dim=-1).transpose(1, 2)
        k = torch.cat([k_nope, k_pe.expand(-1, -1, self.h, -1)], dim=-1).transpose(1, 2)
        scores = (q @ k.transpose(-1, -2)) * self.scale + mask
        o = scores.softmax(dim=-1) @ v.transpose(1, 2)
        return self.o_proj(o.transpose(1, 2).flatten(2))


class MLP(nn.Module):
    """model.py MLP / Expert: down(silu(gate(x)) * up(x))."""

    def __init__(self, dim, inter):
        super().__init__()
        self.gate_proj = nn.Linear(dim, inter, bias=False)
        self.up_proj = nn.Linear(dim, inter, bias=False)
        self.down_proj = nn.Linear(inter, dim, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Gate(nn.Module):
    """model.py Gate with score_func sigmoid and a selection bias (HF noaux_tc)."""

    def __init__(self, cfg):
        super().__init__()
        self.n, self.k = cfg["n_routed_experts"], cfg["num_experts_per_tok"]
        self.groups, self.topk_groups = cfg["n_group"], cfg["topk_group"]
        self.scale = cfg["routed_scaling_factor"]
        self.weight = nn.Parameter(torch.empty(self.n, cfg["hidden_size"]))
        # V3 paper §2.1.2: the bias only steers selection; it is updated outside the gradient.
        self.register_buffer("e_score_correction_bias", torch.zeros(self.n))

    def forward(self, x):
        scores = F.linear(x, self.weight).sigmoid()
        biased = (scores + self.e_score_correction_bias).detach()
        g = biased.view(x.size(0), self.groups, -1)
        group_scores = g.topk(2, dim=-1)[0].sum(dim=-1)
        keep = group_scores.topk(self.topk_groups, dim=-1)[1]
        mask = torch.ones_like(group_scores, dtype=torch.bool).scatter_(1, keep, False)
        g = g.masked_fill(mask.unsqueeze(-1), float("-inf")).flatten(1)
        idx = g.topk(self.k, dim=-1)[1]
        w = scores.gather(1, idx)
        w = w / w.sum(dim=-1, keepdim=True) * self.scale
        return w, idx


class MoE(nn.Module):
    """model.py MoE: routed experts weighted by the gate, plus shared experts."""

    def __init__(self, cfg):
        super().__init__()
        D, I = cfg["hidden_size"], cfg["moe_intermediate_size"]
        self.gate = Gate(cfg)
        self.experts = nn.ModuleList(MLP(D, I) for _ in range(cfg["n_routed_experts"]))
        self.shared_experts = MLP(D, cfg["n_shared_experts"] * I)
        self.load = None  # tokens per expert in the last forward (for the bias update)

    def forward(self, x):
        shape = x.shape
        x = x.reshape(-1, shape[-1])
        w, idx = self.gate(x)
        self.load = torch.bincount(idx.flatten(), minlength=len(self.experts))
        return (self.routed(x, w, idx) + self.shared_experts(x)).view(shape)

    def routed(self, x, w, idx):
        """Σ_k w_k · expert_{idx_k}(x), computed as one batched matmul per projection: each
        expert's tokens are gathered into a zero-padded [experts, capacity, dim] block."""
        E, k = len(self.experts), idx.size(1)
        flat = idx.flatten()
        order = flat.argsort()
        expert = flat[order]
        token = order // k
        start = torch.cumsum(self.load, 0) - self.load
        slot = torch.arange(flat.numel()) - start[expert]
        buf = x.new_zeros(E, int(self.load.max()), x.size(1))
        buf[expert, slot] = x[token]
        gate = torch.stack([e.gate_proj.weight for e in self.experts]).transpose(1, 2)
        up = torch.stack([e.up_proj.weight for e in self.experts]).transpose(1, 2)
        down = torch.stack([e.down_proj.weight for e in self.experts]).transpose(1, 2)
        out = torch.bmm(F.silu(torch.bmm(buf, gate)) * torch.bmm(buf, up), down)
        y = out[expert, slot] * w.flatten()[order, None]
        return torch.zeros_like(x).index_add(0, token, y)


class Block(nn.Module):
    """model.py Block: x + attn(norm(x)), then + ffn(norm(x))."""

    def __init__(self, cfg, layer):
        super().__init__()
        D = cfg["hidden_size"]
        self.input_layernorm = RMSNorm(D)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(D)
        self.mlp = MLP(D, cfg["intermediate_size"]) if layer < cfg["first_k_dense_replace"] else MoE(cfg)

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class SharedHead(nn.Module):
    def __init__(self, cfg, head):
        super().__init__()
        self.norm = RMSNorm(cfg["hidden_size"])
        self.head = head


class MTPLayer(Block):
    """One MTP module (V3 paper §2.2; vLLM deepseek_mtp.py):
    h' = eh_proj([enorm(embed(t[i+1])); hnorm(h[i])]), one block, shared_head.norm, head."""

    def __init__(self, cfg, layer, embed, head):
        super().__init__(cfg, layer)
        D = cfg["hidden_size"]
        self.enorm = RMSNorm(D)
        self.hnorm = RMSNorm(D)
        self.eh_proj = nn.Linear(2 * D, D, bias=False)
        self.embed_tokens = embed        # shared with the main model, stored as its own copy
        self.shared_head = SharedHead(cfg, head)

    def forward(self, h, next_tokens, cos, sin, mask):
        x = self.eh_proj(torch.cat([self.enorm(self.embed_tokens(next_tokens)), self.hnorm(h)], dim=-1))
        x = super().forward(x, cos, sin, mask)
        return self.shared_head.head(self.shared_head.norm(x))


class Inner(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList(Block(cfg, i) for i in range(cfg["num_hidden_layers"]))
        self.norm = RMSNorm(cfg["hidden_size"])


class DeepseekV3(nn.Module):
    """The main model (model.layers.0..N-1) and its MTP module (model.layers.N)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = Inner(cfg)
        self.lm_head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)
        self.n_main = cfg["num_hidden_layers"]
        for k in range(cfg.get("num_nextn_predict_layers", 0)):
            self.model.layers.append(MTPLayer(cfg, self.n_main + k, self.model.embed_tokens, self.lm_head))
        cos, sin = yarn_freqs(cfg, cfg["max_position_embeddings"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, tokens, mtp=True):
        """tokens [b, s] at positions 0..s-1 → (main logits [b, s, V], final-normed hidden,
        MTP logits [b, s-1, V] for tokens 2..s (row i predicts t[i+2]) or None)."""
        s = tokens.size(1)
        cos, sin = self.cos[:s], self.sin[:s]
        mask = torch.full((s, s), float("-inf")).triu_(1)
        x = self.model.embed_tokens(tokens)
        for layer in self.model.layers[: self.n_main]:
            x = layer(x, cos, sin, mask)
        h = self.model.norm(x)
        logits = self.lm_head(h)
        mtp_logits = None
        if mtp and len(self.model.layers) > self.n_main and s > 1:
            m = self.model.layers[self.n_main]
            mtp_logits = m(h[:, :-1], tokens[:, 1:], cos[:-1], sin[:-1], mask[:-1, :-1])
        return logits, h, mtp_logits

    def moe_layers(self):
        return [l.mlp for l in self.model.layers if isinstance(l.mlp, MoE)]


def init_weights(model, std=0.02):
    """Normal(0, std) for every matrix and embedding, residual outputs scaled down by the depth
    (GPT-2's rule), norms at 1, selection biases at 0."""
    n = model.cfg["num_hidden_layers"] + model.cfg.get("num_nextn_predict_layers", 0)
    for name, p in model.named_parameters():
        if name.endswith("norm.weight") or name.endswith("layernorm.weight"):
            nn.init.ones_(p)
        elif name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
            nn.init.normal_(p, 0.0, std / math.sqrt(2 * n))
        else:
            nn.init.normal_(p, 0.0, std)
