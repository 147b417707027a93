"""record: the training record committed beside the model (training.json): the corpus package
and version, the data split and token counts, the config and hyperparameters, the machine, and
the loss curve (every 10th step: step, main loss, MTP loss, seconds; held-out evaluations:
step, main loss, MTP loss)."""
import argparse
import json
import os
import platform


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    curve = json.load(open(os.path.join(args.run, "curve.json")))
    rec = {
        "corpus": meta.pop("corpus"),
        "data": meta,
        "training": {k: v for k, v in curve.items() if k not in ("train", "eval", "config")},
        "machine": {"cpus": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version()},
        "loss_curve": {"train": curve["train"], "heldout": curve["eval"]},
    }
    with open(args.out, "w") as f:
        json.dump(rec, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
