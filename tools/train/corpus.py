"""corpus: the training text — the King James Version from Debian's bible-kjv-text.

`bible -f` (package bible-kjv) prints one verse per line as "Ge1:1 In the beginning...". We
write each verse as "Genesis 1:1 In the beginning..." and each chapter as one document.
Every 40th chapter is held out for evaluation. A chat set asks for verses by reference
("Quote John 3:16") and answers with the verse text; its held-out prompts ask for verses of
the training chapters that no training chat example asks for.
"""
import json
import random
import re
import subprocess

# The 66 books in the order `bible` prints them, with their full names.
BOOKS = [
    "Genesis", "Exodus", "Leviticus", "Numbers", "Deuteronomy", "Joshua", "Judges", "Ruth",
    "1 Samuel", "2 Samuel", "1 Kings", "2 Kings", "1 Chronicles", "2 Chronicles", "Ezra",
    "Nehemiah", "Esther", "Job", "Psalms", "Proverbs", "Ecclesiastes", "Song of Solomon",
    "Isaiah", "Jeremiah", "Lamentations", "Ezekiel", "Daniel", "Hosea", "Joel", "Amos",
    "Obadiah", "Jonah", "Micah", "Nahum", "Habakkuk", "Zephaniah", "Haggai", "Zechariah",
    "Malachi", "Matthew", "Mark", "Luke", "John", "Acts", "Romans", "1 Corinthians",
    "2 Corinthians", "Galatians", "Ephesians", "Philippians", "Colossians",
    "1 Thessalonians", "2 Thessalonians", "1 Timothy", "2 Timothy", "Titus", "Philemon",
    "Hebrews", "James", "1 Peter", "2 Peter", "1 John", "2 John", "3 John", "Jude",
    "Revelation",
]

HELDOUT_EVERY = 40        # chapter k is held out when k % HELDOUT_EVERY == HELDOUT_EVERY // 2
CHAT_TRAIN = 8000         # verses asked for by the training chat set
CHAT_HELDOUT = 300        # held-out chat prompts
CHAT_TEMPLATES = ["Quote {ref}", "Quote {ref}.", "What does {ref} say?", "Recite {ref}."]

VERSE = re.compile(r"^([0-9]?[A-Za-z]+)([0-9]+):([0-9]+) (.*)$")


def package_version(pkg):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"corpus: package {pkg} is not installed (apt-get install bible-kjv)")
    return out.stdout.strip()


def read_verses():
    """Every verse as (book, chapter, verse, text), in order, from the `bible` program."""
    out = subprocess.run(["bible", "-f", "gen1:1-rev22:21"], capture_output=True, text=True, check=True)
    verses, abbrevs = [], []
    for line in out.stdout.splitlines():
        m = VERSE.match(line)
        if not m:
            raise SystemExit(f"corpus: unexpected line from bible: {line[:80]!r}")
        ab, ch, vs, text = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4).strip()
        if not abbrevs or abbrevs[-1] != ab:
            abbrevs.append(ab)
        verses.append((BOOKS[len(abbrevs) - 1], ch, vs, text))
    if len(abbrevs) != len(BOOKS):
        raise SystemExit(f"corpus: {len(abbrevs)} books, want {len(BOOKS)}")
    return verses


def chapters(verses):
    """Chapters as lists of verses, in order."""
    out, key = [], None
    for v in verses:
        if (v[0], v[1]) != key:
            out.append([])
            key = (v[0], v[1])
        out[-1].append(v)
    return out


def verse_line(v):
    return f"{v[0]} {v[1]}:{v[2]} {v[3]}"


def build(seed=1):
    """Returns train chapters, held-out chapters (lists of text) and the chat sets."""
    chs = chapters(read_verses())
    train, heldout, train_verses = [], [], []
    for k, ch in enumerate(chs):
        text = "\n".join(verse_line(v) for v in ch) + "\n"
        if k % HELDOUT_EVERY == HELDOUT_EVERY // 2:
            heldout.append(text)
        else:
            train.append(text)
            train_verses.extend(ch)
    rng = random.Random(seed)
    picked = rng.sample(train_verses, CHAT_TRAIN + CHAT_HELDOUT)

    def pair(v):
        ref = f"{v[0]} {v[1]}:{v[2]}"
        return {"prompt": rng.choice(CHAT_TEMPLATES).format(ref=ref), "answer": v[3]}

    chat_train = [pair(v) for v in picked[:CHAT_TRAIN]]
    chat_heldout = [pair(v) for v in picked[CHAT_TRAIN:]]
    return train, heldout, chat_train, chat_heldout


def write(out_dir, seed=1):
    import os
    os.makedirs(out_dir, exist_ok=True)
    train, heldout, chat_train, chat_heldout = build(seed)
    with open(f"{out_dir}/train.txt", "w") as f:
        f.write("\n".join(train))
    with open(f"{out_dir}/heldout.txt", "w") as f:
        f.write("\n".join(heldout))
    for name, rows in (("chat-train.jsonl", chat_train), ("chat-heldout.jsonl", chat_heldout)):
        with open(f"{out_dir}/{name}", "w") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    info = {
        "package": "bible-kjv-text", "version": package_version("bible-kjv-text"),
        "program": "bible-kjv " + package_version("bible-kjv"),
        "train_chapters": len(train), "heldout_chapters": len(heldout),
        "heldout_rule": f"chapter index k (0-based, Genesis 1 = 0) with k % {HELDOUT_EVERY} == {HELDOUT_EVERY // 2}",
        "chat_train": len(chat_train), "chat_heldout": len(chat_heldout), "seed": seed,
    }
    with open(f"{out_dir}/corpus.json", "w") as f:
        json.dump(info, f, indent=1)
    return info


if __name__ == "__main__":
    import sys
    print(json.dumps(write(sys.argv[1] if len(sys.argv) > 1 else "/tmp/train/corpus"), indent=1))
