"""check: hold the trainer's forward to the official DeepSeek-V3 inference/model.py.

    python3 check.py --upstream /tmp/dsv3 --model models/deepseek-v3-kjv [--fp8 DIR]

Loads each exported checkpoint into the official model.py (through refgen's harness: float32,
the same patches as the shared fixtures) and its MTP module into refgen's MTP reference (made
of model.py's own classes), runs the cases of OUT/expected/expected.json by the same protocol
(prefill, then one decode call per token; absorbed attention), and compares the logits with the
trainer's (expected/*.npy) within the fixtures' float32 tolerance.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "refgen"))
import refgen  # noqa: E402

MAX_ABS, MEAN_ABS, MARGIN = 2e-3, 2e-4, 4e-3


def values_of(path, cfg):
    """float32 weights of a checkpoint as the reference uses them (FP8: e4m3 · scale_inv)."""
    st = refgen.read_safetensors(os.path.join(path, "model.safetensors"))
    out = {}
    for n, (dt, f, _) in st.items():
        if n.endswith("_scale_inv"):
            continue
        if dt == "F8_E4M3":
            s = st[n + "_scale_inv"][1]
            full = np.repeat(np.repeat(s, refgen.BLOCK, 0), refgen.BLOCK, 1)[: f.shape[0], : f.shape[1]]
            f = (f * full).astype(np.float32)
        out[n] = f
    return out


def compare(name, got, want):
    d = np.abs(got - want)
    srt = np.sort(want, -1)
    sure = (srt[:, -1] - srt[:, -2]) > MARGIN
    flips = int(((got.argmax(-1) != want.argmax(-1)) & sure).sum())
    ok = d.max() <= MAX_ABS and d.mean() <= MEAN_ABS and flips == 0
    print(f"{name}: max {d.max():.2e} mean {d.mean():.2e} argmax flips {flips} {'ok' if ok else 'FAIL'}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--fp8")
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.set_default_dtype(torch.float32)
    M, mapping, _ = refgen.load_upstream(args.upstream)
    exp = json.load(open(os.path.join(args.model, "expected", "expected.json")))
    ok = True
    for variant, path in (("bf16", args.model), ("fp8", args.fp8)):
        if path is None:
            continue
        cfg = json.load(open(os.path.join(path, "config.json")))
        margs = refgen.model_args_from_hf(cfg)
        main_v, mtp_v = refgen.split_mtp(values_of(path, cfg), cfg["num_hidden_layers"])
        model = refgen.build_model(M, margs, main_v, mapping, "absorb", gate_bias=True)
        mtp = refgen.build_mtp(M, margs, mtp_v, mapping, "absorb", gate_bias=True)
        for c in exp["cases"]:
            if c["variant"] != variant:
                continue
            prompt, fed = c["prompt"], c["fed_decode_tokens"]
            logits, _, _, hidden = refgen.run_case(model, prompt, fed)
            mtp_rows = refgen.run_mtp(mtp, hidden, prompt + fed, len(prompt))
            base = os.path.join(args.model, "expected", f"{variant}-case{c['case']}")
            ok &= compare(f"{variant} case{c['case']} main", np.load(base + ".npy"), logits)
            ok &= compare(f"{variant} case{c['case']} mtp ", np.load(base + ".mtp.npy"), mtp_rows)
    if not ok:
        raise SystemExit("check: the trainer and the official model.py disagree")


if __name__ == "__main__":
    main()
