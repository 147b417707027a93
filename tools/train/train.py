"""train: train the small DeepSeek-V3 (config.py) on the KJV corpus, seeded, on the CPU.

    python3 train.py --data DIR --out DIR [--steps N] [--threads 2]

DIR holds what data.py wrote (train.bin, heldout.bin, chat.bin as uint16 ids, meta.json).
The main loss is next-token cross-entropy; the MTP loss (V3 paper §2.2, eq. 24-25) is the
cross-entropy of the MTP head's prediction of the token after next, weighted by MTP_WEIGHT.
After every step each MoE layer's selection bias moves by BIAS_RATE toward balance
(V3 paper §2.1.2, auxiliary-loss-free load balancing). Writes state.pt and curve.json.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

import config
from model import DeepseekV3, init_weights

MTP_WEIGHT = 0.3      # λ of eq. 25 (V3 used 0.3 for most of its training)
BIAS_RATE = 1e-3      # γ of §2.1.2
LR, LR_MIN, WARMUP = 2e-3, 2e-4, 50
WEIGHT_DECAY, CLIP = 0.1, 1.0


def lr_at(step, steps):
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    t = (step - WARMUP) / max(1, steps - WARMUP)
    return LR_MIN + 0.5 * (LR - LR_MIN) * (1 + math.cos(math.pi * t))


def batches(stream, batch, seq, rng):
    """Random windows of seq+1 tokens from the token stream."""
    n = len(stream) - seq - 1
    while True:
        starts = rng.integers(0, n, size=batch)
        yield torch.from_numpy(np.stack([stream[s: s + seq + 1] for s in starts]).astype(np.int64))


def losses(model, x):
    """(main loss, MTP loss) of a [b, seq+1] window."""
    logits, _, mtp = model(x[:, :-1])
    V = logits.size(-1)
    main = F.cross_entropy(logits.reshape(-1, V), x[:, 1:].reshape(-1))
    extra = F.cross_entropy(mtp.reshape(-1, V), x[:, 2:].reshape(-1))
    return main, extra


def update_bias(model):
    """§2.1.2: b_i += γ·sign(mean load − load_i) for every MoE layer."""
    with torch.no_grad():
        for moe in model.moe_layers():
            load = moe.load.float()
            moe.gate.e_score_correction_bias += BIAS_RATE * torch.sign(load.mean() - load)


@torch.no_grad()
def evaluate(model, heldout, seq):
    """Mean main and MTP loss over consecutive held-out windows."""
    model.eval()
    m, e, n = 0.0, 0.0, 0
    for s in range(0, len(heldout) - seq - 1, seq):
        x = torch.from_numpy(heldout[s: s + seq + 1].astype(np.int64))[None]
        a, b = losses(model, x)
        m, e, n = m + a.item(), e + b.item(), n + 1
    model.train()
    return m / n, e / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=config.STEPS)
    ap.add_argument("--batch", type=int, default=config.BATCH)
    ap.add_argument("--seq", type=int, default=config.SEQ)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=config.SEED)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    stream = np.fromfile(os.path.join(args.data, "train.bin"), dtype=np.uint16)
    heldout = np.fromfile(os.path.join(args.data, "heldout.bin"), dtype=np.uint16)

    cfg = config.hf_config()
    model = DeepseekV3(cfg)
    init_weights(model)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": other, "weight_decay": 0.0}], lr=LR, betas=(0.9, 0.95))
    os.makedirs(args.out, exist_ok=True)
    curve = {"config": cfg, "steps": args.steps, "batch": args.batch, "seq": args.seq,
             "threads": args.threads, "seed": args.seed, "lr": [LR, LR_MIN, WARMUP],
             "mtp_weight": MTP_WEIGHT, "bias_rate": BIAS_RATE, "torch": torch.__version__,
             "train": [], "eval": []}
    t0 = time.time()
    it = batches(stream, args.batch, args.seq, rng)
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps)
        main_loss, mtp_loss = losses(model, next(it))
        opt.zero_grad(set_to_none=True)
        (main_loss + MTP_WEIGHT * mtp_loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        update_bias(model)
        if step % 10 == 0 or step == args.steps - 1:
            row = [step, round(main_loss.item(), 4), round(mtp_loss.item(), 4), round(time.time() - t0, 1)]
            curve["train"].append(row)
            print("step %d loss %.4f mtp %.4f  %.0fs" % tuple(row), flush=True)
        if (step + 1) % args.eval_every == 0 or step == args.steps - 1:
            ev = evaluate(model, heldout, args.seq)
            curve["eval"].append([step + 1, round(ev[0], 4), round(ev[1], 4)])
            print("eval step %d heldout %.4f (ppl %.2f) mtp %.4f" % (step + 1, ev[0], math.exp(ev[0]), ev[1]), flush=True)
            torch.save(model.state_dict(), os.path.join(args.out, "state.pt"))
            with open(os.path.join(args.out, "curve.json"), "w") as f:
                json.dump(curve, f)
    curve["seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(args.out, "curve.json"), "w") as f:
        json.dump(curve, f)
    torch.save(model.state_dict(), os.path.join(args.out, "state.pt"))


if __name__ == "__main__":
    main()
