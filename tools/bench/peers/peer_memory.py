#!/usr/bin/env python3
"""Peer peak memory for `make bench`: sentence-transformers (PyTorch) embedding the data set once.

Usage: peers/peer_memory.py --model DIR --data FILE [--batch 32] [--threads 2]

Mirrors `suite-bench memory`: reads the texts, takes the baseline peak RSS (after the Python
imports, before the model is loaded), loads the model, encodes every text once with
batch_size=32 on 2 threads, and reports the process's peak RSS (getrusage ru_maxrss). Run it
in a fresh process: the peak is the whole process's high-water mark, interpreter, torch and
all. Prints ONE JSON object on stdout.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402


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
    benchlib.limit_threads(args.threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    import sentence_transformers
    from sentence_transformers import SentenceTransformer

    texts = benchlib.read_texts(args.data)
    after_imports = benchlib.peak_rss_bytes()
    model = SentenceTransformer(args.model, device="cpu")
    after_load = benchlib.peak_rss_bytes()
    emb = model.encode(texts, batch_size=args.batch, show_progress_bar=False)
    result = {
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "python": benchlib.python_version(),
        "threads": args.threads,
        "batch": args.batch,
        "sentences": len(texts),
        "embedding_shape": list(emb.shape),
        "baseline_peak_rss_bytes": after_imports,
        "after_model_load_peak_rss_bytes": after_load,
        "peak_rss_bytes": benchlib.peak_rss_bytes(),
        "final_rss_bytes": current_rss_bytes(),
        "model_file_bytes": os.path.getsize(os.path.join(args.model, "model.safetensors")),
    }
    benchlib.emit(result)


if __name__ == "__main__":
    main()
