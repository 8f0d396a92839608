#!/usr/bin/env python3
"""Peer peak memory for `make bench`: sentence-transformers (PyTorch) embedding the data set once.

Usage: peer_memory.py --model DIR --data FILE [--batch 32] [--threads 2]

Mirrors `suite-bench memory`: reads the texts, takes the baseline peak RSS (after the Python
imports, before the model is loaded), loads the model, encodes every text once with
batch_size=32 on 2 threads, and reports the process's peak RSS (getrusage ru_maxrss). Run it
in a fresh process: the peak is the whole process's high-water mark, interpreter, torch and
all. Prints ONE JSON object on stdout.
"""
import argparse
import json
import os
import resource
import sys


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def current_rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    import sentence_transformers
    from sentence_transformers import SentenceTransformer

    with open(args.data, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    after_imports = peak_rss_bytes()
    model = SentenceTransformer(args.model, device="cpu")
    after_load = peak_rss_bytes()
    emb = model.encode(texts, batch_size=args.batch, show_progress_bar=False)
    result = {
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "python": sys.version.split()[0],
        "threads": args.threads,
        "batch": args.batch,
        "sentences": len(texts),
        "embedding_shape": list(emb.shape),
        "baseline_peak_rss_bytes": after_imports,
        "after_model_load_peak_rss_bytes": after_load,
        "peak_rss_bytes": peak_rss_bytes(),
        "final_rss_bytes": current_rss_bytes(),
        "model_file_bytes": os.path.getsize(os.path.join(args.model, "model.safetensors")),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
