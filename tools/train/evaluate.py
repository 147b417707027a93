"""evaluate: the numbers the README and docs/benchmarks.md report for the trained model.

    python3 evaluate.py --deepgo bin/deepgo --model models/deepseek-v3-kjv --fp8 DIR \
        --gguf DIR --data DATA --state RUN/state.pt [--llama /tmp/llama.cpp/build/bin] --out FILE.json

- Held-out perplexity by llama-perplexity's protocol (chunks of CTX tokens opened by BOS, the
  second half of each scored), with the KL divergence to the BF16 model's predictions:
  PyTorch (the trainer, BF16 weights), deepgo on the BF16 and FP8 checkpoints and on each GGUF
  in --gguf, and llama.cpp's llama-perplexity on the same GGUFs (its KL base: its own run on
  the BF16 GGUF).
- The MTP head's top-1 agreement with the main model's prediction of the token after next, and
  its accuracy on the text itself, on the held-out chunks (PyTorch; deepgo computes the same
  logits within 1e-6, core/trained_test.go).
- The share of held-out chat prompts deepgo answers exactly (greedy, the committed Q8_0 GGUF).
"""
import argparse
import json
import os
import re
import subprocess

import numpy as np
import torch

import config
import export
from model import DeepseekV3

CTX = 256
QUANTS = ["bf16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m"]


def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        raise SystemExit(f"evaluate: {' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return out.stdout


def deepgo_ppl(deepgo, model, text, base=None, save=None, extra=()):
    cmd = [deepgo, "perplexity", "--model", model, "--file", text, "--ctx", str(CTX), "--json", "-t", "2", *extra]
    if base:
        cmd += ["--kl-base", base]
    if save:
        cmd += ["--save-logits", save]
    return json.loads(run(cmd))


def llama_ppl(llama, gguf, text, base, make_base):
    """llama-perplexity's log (it prints to stderr); make_base writes its KL base, else reads it."""
    cmd = [os.path.join(llama, "llama-perplexity"), "-m", gguf, "-f", text, "-c", str(CTX), "-t", "2"]
    cmd += ["--kl-divergence-base", base] + ([] if make_base else ["--kl-divergence"])
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"evaluate: {' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return out.stdout + out.stderr


def parse_llama(text):
    r = {}
    m = re.search(r"Final estimate: PPL = ([0-9.]+) \+/- ([0-9.]+)", text)
    if m:
        r["ppl"], r["ppl_err"] = float(m.group(1)), float(m.group(2))
    m = re.search(r"Mean PPL\(Q\)\s*:\s*([0-9.]+)\s*±\s*([0-9.]+)", text)
    if m:
        r["ppl"], r["ppl_err"] = float(m.group(1)), float(m.group(2))
    m = re.search(r"Mean\s+KLD:\s*([0-9.eE+-]+)\s*±\s*([0-9.eE+-]+)", text)
    if m:
        r["kld"], r["kld_err"] = float(m.group(1)), float(m.group(2))
    m = re.search(r"Same top p:\s*([0-9.]+)\s*±\s*([0-9.]+)", text)
    if m:
        r["same_top"] = float(m.group(1)) / 100
    return r


def torch_model(state, variant="bf16"):
    m = DeepseekV3(config.hf_config())
    vals = export.tensors(torch.load(state), variant)[1]
    m.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in vals.items()})
    m.eval()
    return m


@torch.no_grad()
def torch_ppl_and_mtp(model, tokens):
    """PPL of the chunks' second halves, and the MTP head's agreement over the same rows."""
    nll, n, agree, correct, rows = 0.0, 0, 0, 0, 0
    first = CTX // 2
    for chunk in tokens:
        x = torch.from_numpy(chunk.astype(np.int64))[None].clone()
        x[0, 0] = 0  # llama-perplexity's protocol: BOS replaces each chunk's first token
        logits, _, mtp = model(x)
        lp = torch.log_softmax(logits[0].double(), -1)
        tgt = x[0, first + 1:]
        nll -= lp[first:CTX - 1].gather(1, tgt[:, None]).sum().item()
        n += tgt.numel()
        # MTP row i predicts token i+2; the main model's prediction of it is row i+1's argmax.
        m_top = mtp[0, first:CTX - 2].argmax(-1)
        agree += (m_top == logits[0, first + 1:CTX - 1].argmax(-1)).sum().item()
        correct += (m_top == x[0, first + 2:]).sum().item()
        rows += m_top.numel()
    return float(np.exp(nll / n)), {"rows": rows, "agree_main": agree / rows, "acc_text": correct / rows}


def chat_share(deepgo, gguf, pairs):
    exact = []
    for p in pairs:
        reply = run([deepgo, "run", "--model", gguf, "--prompt", p["prompt"], "--temp", "0", "-n", "160", "-t", "2"])
        exact.append(reply.strip() == p["answer"].strip())
    return sum(exact) / len(exact), exact


def markdown(res, gguf_dir):
    """The perplexity table of docs/benchmarks.md."""
    rows = ["| file | size | deepgo PPL | deepgo KLD to BF16 | same top | llama.cpp PPL | llama.cpp KLD to BF16 | same top | deepgo, float activations: KLD | same top |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| PyTorch (the trainer), BF16 weights | | {res['pytorch bf16']['ppl']:.4f} | | | | | | | |"]

    def cells(r, kl):
        if not r:
            return "| | |"
        k = r.get("kl") if kl else r
        if k and "kld" in k:
            return f"{k['kld']:.6f} ± {k['kld_err']:.6f} | {100 * k['same_top']:.2f}%"
        return "| "

    for name, r in res["deepgo"].items():
        path = os.path.join(gguf_dir, name + ".gguf")
        size = f"{os.path.getsize(path) / 1e6:.1f} MB" if os.path.exists(path) else ""
        label = name if "checkpoint" in name else name.upper() + " GGUF"
        l = res["llama.cpp"].get(name)
        lcell = f"{l['ppl']:.4f} ± {l['ppl_err']:.4f} | {cells(l, False)}" if l else "| |"
        f = res["deepgo float activations"].get(name)
        rows.append(f"| {label} | {size} | {r['ppl']:.4f} ± {r['ppl_err']:.4f} | {cells(r, True)} | {lcell} | {cells(f, True)} |")
    return "\n".join(rows) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deepgo", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--fp8", required=True)
    ap.add_argument("--gguf", required=True, help="directory of deepgo-converted GGUFs named <type>.gguf")
    ap.add_argument("--data", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--llama", help="llama.cpp's build/bin, for the side-by-side rows")
    ap.add_argument("--out", required=True)
    ap.add_argument("--chat-limit", type=int, default=0, help="the first N held-out chat prompts only (0 = all)")
    args = ap.parse_args()
    torch.set_num_threads(2)

    text = os.path.join(args.data, "corpus", "heldout.txt")
    work = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(work, exist_ok=True)
    base = os.path.join(work, "deepgo-bf16-base.npz")
    res = {"ctx": CTX, "text": "held-out chapters (tools/train/corpus.py)", "deepgo": {}, "llama.cpp": {}}
    res["deepgo"]["BF16 checkpoint"] = deepgo_ppl(args.deepgo, args.model, text, save=base)
    res["deepgo"]["FP8 checkpoint"] = deepgo_ppl(args.deepgo, args.fp8, text, base=base)
    res["deepgo float activations"] = {}
    for q in QUANTS:
        g = os.path.join(args.gguf, q + ".gguf")
        res["deepgo"][q] = deepgo_ppl(args.deepgo, g, text, base=base)
        if q != "bf16":
            res["deepgo float activations"][q] = deepgo_ppl(args.deepgo, g, text, base=base, extra=["--float-activations"])

    tokens = np.load(base)["tokens"]
    ppl, mtp = torch_ppl_and_mtp(torch_model(args.state), tokens)
    res["pytorch bf16"] = {"ppl": ppl}
    res["mtp"] = mtp

    if args.llama:
        lbase = os.path.join(work, "llama-bf16-base.kld")
        for q in QUANTS:
            g = os.path.join(args.gguf, q + ".gguf")
            res["llama.cpp"][q] = parse_llama(llama_ppl(args.llama, g, text, lbase, make_base=(q == "bf16")))

    pairs = [json.loads(l) for l in open(os.path.join(args.data, "corpus", "chat-heldout.jsonl"))]
    if args.chat_limit:
        pairs = pairs[: args.chat_limit]
    share, exact = chat_share(args.deepgo, os.path.join(args.gguf, "q8_0.gguf"), pairs)
    res["chat_heldout_exact"] = {"prompts": len(pairs), "exact": sum(exact), "share": share}
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    table = markdown(res, args.gguf)
    with open(os.path.splitext(args.out)[0] + ".md", "w") as f:
        f.write(table)
    print(table)
    m, c = res["mtp"], res["chat_heldout_exact"]
    print(f"MTP head: top-1 agrees with the main model's next-next token on {100 * m['agree_main']:.1f}% of "
          f"{m['rows']} held-out rows; matches the text on {100 * m['acc_text']:.1f}%")
    print(f"held-out chat prompts answered exactly (greedy, Q8_0): {c['exact']} of {c['prompts']}")


if __name__ == "__main__":
    main()
