"""data: corpus → cut tokenizer → token streams, using deepgo's own tokenizer to encode.

    python3 data.py --deepgo bin/deepgo --tokenizer ../shared/fixtures/tokenizer/deepseek-v3 --out DIR

Writes DIR/corpus/* (corpus.py), DIR/tokenizer/{tokenizer.json,tokenizer_config.json} (the
cut, vocab.py), and the uint16 streams DIR/train.bin (training chapters and chat examples in a
seeded random order, each opened by BOS) and DIR/heldout.bin (held-out chapters, each opened
by BOS), with DIR/meta.json.
"""
import argparse
import json
import os
import random
import shutil
import subprocess

import numpy as np

import config
import corpus
import vocab

BOS, EOS = "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"
USER, ASSISTANT = "<｜User｜>", "<｜Assistant｜>"


def encode(deepgo, tokenizer, text):
    out = subprocess.run([deepgo, "tokenize", "--tokenizer", tokenizer], input=text.encode(),
                         capture_output=True, check=True)
    return json.loads(out.stdout)["ids"]


def chat_text(pair):
    """The chat template's rendering of one user turn and its answer (without the BOS)."""
    return f"{USER}{pair['prompt']}{ASSISTANT}{pair['answer']}{EOS}"


def encode_docs(deepgo, tokenizer, texts, bos):
    """Each text encoded after a BOS, in one call: the special token keeps them apart."""
    ids = encode(deepgo, tokenizer, "".join(BOS + t for t in texts))
    docs = []
    for i in ids:
        if i == bos:
            docs.append([])
        docs[-1].append(i)
    if len(docs) != len(texts):
        raise SystemExit(f"data: {len(texts)} texts encoded as {len(docs)}")
    return docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deepgo", required=True)
    ap.add_argument("--tokenizer", required=True, help="the full DeepSeek-V3 tokenizer directory")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    cdir, tdir = os.path.join(args.out, "corpus"), os.path.join(args.out, "tokenizer")
    info = corpus.write(cdir, seed=config.SEED)
    train_text = open(os.path.join(cdir, "train.txt"), encoding="utf-8").read()
    heldout_text = open(os.path.join(cdir, "heldout.txt"), encoding="utf-8").read()
    chat = [json.loads(l) for l in open(os.path.join(cdir, "chat-train.jsonl"), encoding="utf-8")]

    full_json = os.path.join(args.tokenizer, "tokenizer.json")
    full = json.load(open(full_json, encoding="utf-8"))
    train_docs = train_text.split("\n\n")
    held_docs = heldout_text.split("\n\n")
    chat_docs = [chat_text(p) for p in chat]
    counts = vocab.count_ids(i for d in encode_docs(args.deepgo, full_json, train_docs + chat_docs, 0) for i in d)
    cut = vocab.cut(full, counts, config.VOCAB)
    os.makedirs(tdir, exist_ok=True)
    tok_json = os.path.join(tdir, "tokenizer.json")
    with open(tok_json, "w", encoding="utf-8") as f:
        json.dump(cut, f, ensure_ascii=False, indent=0)
    shutil.copy(os.path.join(args.tokenizer, "tokenizer_config.json"), tdir)

    v = cut["model"]["vocab"]
    bos = v[BOS]
    docs = encode_docs(args.deepgo, tok_json, train_docs, bos)
    held = encode_docs(args.deepgo, tok_json, held_docs, bos)
    examples = encode_docs(args.deepgo, tok_json, chat_docs, bos)
    if len(docs) != info["train_chapters"] or len(held) != info["heldout_chapters"]:
        raise SystemExit(f"data: {len(docs)} train and {len(held)} held-out chapters, want {info}")

    items = docs + examples
    random.Random(config.SEED).shuffle(items)
    train = np.array([i for it in items for i in it], dtype=np.uint16)
    heldout = np.array([i for d in held for i in d], dtype=np.uint16)
    train.tofile(os.path.join(args.out, "train.bin"))
    heldout.tofile(os.path.join(args.out, "heldout.bin"))
    meta = {"corpus": info, "vocab": len(v) + len(cut["added_tokens"]) - 3, "merges": len(cut["model"]["merges"]),
            "train_tokens": int(train.size), "heldout_tokens": int(heldout.size),
            "text_tokens": sum(map(len, docs)), "chat_tokens": sum(map(len, examples))}
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
