"""vocab: the real DeepSeek-V3 tokenizer, cut down to a small vocabulary for the corpus.

The cut keeps the tokenizer's pre-tokenizer, byte-level alphabet, special tokens and merge
order, and drops ids. Kept are:
- the three special tokens that open the vocabulary (BOS 0, EOS 1, pad 2);
- all 256 byte-level symbols, so that any text still encodes;
- the tokens the full tokenizer uses most on the training text, each with every token its
  merge path passes through (so each kept token can still be made);
- the added tokens of the chat template (128800..128814: FIM, User, Assistant, EOT, tool
  calls), moved to the end of the vocabulary.
A merge is kept when both its parts and its result are kept. Kept BPE tokens keep their
relative order (the original ids sorted), so the cut tokenizer is the original one restricted
to the kept ids.
"""
import collections
import json

CHAT_ADDED = range(128800, 128815)


def byte_alphabet():
    """The 256 symbols of GPT-2's byte-level encoding."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c) for c in cs}


def cut(full, counts, size):
    """Returns the tokenizer.json dict of a `size`-id cut of `full`, given id → use counts."""
    model = full["model"]
    vocab = model["vocab"]
    inv = {i: s for s, i in vocab.items()}
    merges = [m.split(" ", 1) if isinstance(m, str) else m for m in model["merges"]]
    made_by = {}
    for a, b in merges:
        made_by.setdefault(a + b, (a, b))

    keep = {inv[0], inv[1], inv[2]} | byte_alphabet()
    missing = [s for s in keep if s not in vocab]
    if missing:
        raise SystemExit(f"vocab: byte symbols missing from the tokenizer: {missing[:5]}")
    added = [t for t in full["added_tokens"] if t["id"] in CHAT_ADDED]
    budget = size - len(added)

    def closure(tok, acc):
        if tok in keep or tok in acc:
            return
        acc.add(tok)
        if tok in made_by:
            a, b = made_by[tok]
            closure(a, acc)
            closure(b, acc)

    for i, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if i not in inv:
            continue
        acc = set()
        closure(inv[i], acc)
        if len(keep) + len(acc) <= budget:
            keep |= acc
        if len(keep) == budget:
            break

    kept = sorted(keep, key=lambda s: vocab[s])
    new_vocab = {s: n for n, s in enumerate(kept)}
    new_merges = [f"{a} {b}" for a, b in merges if a in new_vocab and b in new_vocab and a + b in new_vocab]
    new_added = []
    for t in full["added_tokens"]:
        if t["id"] in (0, 1, 2):
            new_added.append(dict(t))
    for k, t in enumerate(added):
        t = dict(t)
        t["id"] = len(kept) + k
        new_added.append(t)
    out = dict(full)
    out["added_tokens"] = new_added
    out["model"] = dict(model)
    out["model"]["vocab"] = new_vocab
    out["model"]["merges"] = new_merges
    return out


def count_ids(ids):
    return collections.Counter(ids)


if __name__ == "__main__":
    import sys
    full_path, ids_path, size, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    full = json.load(open(full_path, encoding="utf-8"))
    ids = json.load(open(ids_path))["ids"]
    tok = cut(full, count_ids(ids), size)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)
    print(f"vocab: {len(tok['model']['vocab'])} BPE ids + {len(tok['added_tokens']) - 3} chat added "
          f"tokens, {len(tok['model']['merges'])} merges")
