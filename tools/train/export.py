"""export: a trained state.pt → the Hugging Face checkpoints and their reference logits.

    python3 export.py --state RUN/state.pt --data DATA --out models/deepseek-v3-kjv [--fp8 DIR]

Writes OUT/{config.json, model.safetensors, tokenizer.json, tokenizer_config.json}: BF16
weights (the selection biases F32), official HF names, the MTP module as
model.layers.{num_hidden_layers}.* with its own copies of embed_tokens and shared_head.head.
With --fp8, also the official FP8 layout (e4m3 Linear weights with an F32 weight_scale_inv
per 128×128 block, everything else as in BF16), quantized from the BF16 values.

Reference logits (OUT/expected/): this trainer's forward, in float32, on the checkpoint's
exact values, by the fixtures' protocol (one prefill of the prompt, then 16 greedy tokens;
decode rows teacher-forced with the same tokens): `<variant>-caseN.npy` [P+16, vocab] for the
main model and `<variant>-caseN.mtp.npy` [P+15, vocab] for the MTP head (row i predicts token
i+2 from the main model's final-normed hidden state at i and token i+1), with expected.json.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "refgen"))
import refgen  # noqa: E402  (number formats and the safetensors writer live there, once)

import config  # noqa: E402
from model import DeepseekV3  # noqa: E402

N_DECODE = 16
FP8_KEEP = ("embed_tokens", "lm_head", "shared_head.head", "norm", "layernorm", "mlp.gate.weight")


def is_fp8_linear(name):
    """The official FP8 release keeps embeddings, heads, norms and the router in BF16."""
    return name.endswith(".weight") and not any(k in name for k in FP8_KEEP) and "e_score" not in name


def tensors(state, variant):
    """(safetensors entries, float32 values the reference runs on) for a variant."""
    file_t, values = {}, {}
    for name, t in state.items():
        w = t.detach().float().numpy()
        shape = list(w.shape)
        if name.endswith("e_score_correction_bias"):
            file_t[name] = ("F32", shape, w.astype("<f4").tobytes())
            values[name] = w
            continue
        b = refgen.bf16_bits(w)
        v = refgen.bf16_to_f32(b).reshape(shape)
        if variant == "fp8" and is_fp8_linear(name):
            codes, scale, deq = refgen.quantize_fp8_block(v)
            file_t[name] = ("F8_E4M3", shape, codes.tobytes())
            file_t[name + "_scale_inv"] = ("F32", list(scale.shape), scale.astype("<f4").tobytes())
            values[name] = deq
        else:
            file_t[name] = ("BF16", shape, b.astype("<u2").tobytes())
            values[name] = v
    return file_t, values


def hf_config(variant):
    cfg = config.hf_config()
    if variant == "fp8":
        cfg["quantization_config"] = {"activation_scheme": "dynamic", "fmt": "e4m3",
                                      "quant_method": "fp8", "weight_block_size": [128, 128]}
    return cfg


def write_checkpoint(out, state, variant, tokenizer_dir):
    os.makedirs(out, exist_ok=True)
    file_t, values = tensors(state, variant)
    refgen.write_safetensors(os.path.join(out, "model.safetensors"), file_t)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(hf_config(variant), f, indent=2)
        f.write("\n")
    for n in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(tokenizer_dir, n), os.path.join(out, n))
    return values


def run_case(model, prompt, fed):
    """Main logits [P+D, V] and MTP logits [P+D-1, V] of prompt+fed, and the greedy tokens
    (argmax of the prompt's last row and of each decode row)."""
    x = torch.tensor([prompt + fed])
    with torch.no_grad():
        logits, _, mtp = model(x)
    main = logits[0].numpy().astype("<f4")
    greedy = [int(i) for i in main[len(prompt) - 1:].argmax(-1)]
    return main, mtp[0].numpy().astype("<f4"), greedy


def greedy_tokens(model, prompt):
    toks = []
    for _ in range(N_DECODE):
        with torch.no_grad():
            logits, _, _ = model(torch.tensor([prompt + toks]), mtp=False)
        toks.append(int(logits[0, -1].argmax()))
    return toks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fp8", help="also write the FP8 checkpoint here")
    ap.add_argument("--deepgo", required=True, help="deepgo binary (encodes the chat prompt)")
    args = ap.parse_args()

    torch.set_num_threads(2)
    state = torch.load(args.state)
    tok_dir = os.path.join(args.data, "tokenizer")
    variants = {"bf16": write_checkpoint(args.out, state, "bf16", tok_dir)}
    if args.fp8:
        variants["fp8"] = write_checkpoint(args.fp8, state, "fp8", tok_dir)
    else:
        variants["fp8"] = tensors(state, "fp8")[1]

    held = np.fromfile(os.path.join(args.data, "heldout.bin"), dtype=np.uint16)
    chat = json.loads(open(os.path.join(args.data, "corpus", "chat-heldout.jsonl")).readline())
    import data as datamod
    tok_json = os.path.join(tok_dir, "tokenizer.json")
    chat_ids = datamod.encode(args.deepgo, tok_json, datamod.BOS + datamod.USER + chat["prompt"] + datamod.ASSISTANT)
    prompts = [("heldout text", [int(i) for i in held[:20]]), ("heldout chat: " + chat["prompt"], chat_ids)]

    exp_dir = os.path.join(args.out, "expected")
    os.makedirs(exp_dir, exist_ok=True)
    model = DeepseekV3(config.hf_config())
    model.eval()
    expected = {"format": "deepgo-trained/1", "protocol": "fixtures (prefill P at 0, then 16 decode steps feeding fed_decode_tokens); MTP row i = logits for token i+2 from main final-normed hidden at i and token i+1, at position i",
                "n_decode": N_DECODE, "cases": [], "sha256": {}}
    fed_by_case = []
    for variant in ("bf16", "fp8"):
        sd = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in variants[variant].items()}
        model.load_state_dict(sd, strict=True)
        for ci, (what, prompt) in enumerate(prompts):
            if variant == "bf16":
                fed_by_case.append(greedy_tokens(model, prompt))
            fed = fed_by_case[ci]
            main, mtp, greedy = run_case(model, prompt, fed)
            np.save(os.path.join(exp_dir, f"{variant}-case{ci}.npy"), main)
            np.save(os.path.join(exp_dir, f"{variant}-case{ci}.mtp.npy"), mtp)
            srt = np.sort(main, -1)
            expected["cases"].append({"variant": variant, "case": ci, "what": what, "prompt": prompt,
                                      "fed_decode_tokens": fed, "greedy": greedy,
                                      "min_top1_margin": float((srt[:, -1] - srt[:, -2]).min()),
                                      "main_shape": list(main.shape), "mtp_shape": list(mtp.shape)})
    for d in [args.out] + ([args.fp8] if args.fp8 else []):
        p = os.path.join(d, "model.safetensors")
        expected["sha256"][os.path.basename(os.path.normpath(d))] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    expected["sha256_fp8_tensors"] = {n: hashlib.sha256(b).hexdigest() for n, (dt, _, b) in tensors(state, "fp8")[0].items() if dt == "F8_E4M3" or n.endswith("_scale_inv")}
    with open(os.path.join(exp_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
