#!/usr/bin/env python3
"""Held-out accuracy of `assistant train` classifiers, recomputed with sentence-transformers.

  tools/bench/experiments/peer_classifiers.py --examples ../shared/data/banking77/train.jsonl DIR [DIR ...]

Each DIR is an `assistant train --fine-tune-layers K --out DIR` folder: DIR/encoder is a
sentence-transformers model, DIR/classifier.json the head (weights [classes, 384] row-major,
bias [classes], temperature) over unit embeddings. For the examples `assistant train` held out
(peer_intents.held_out_split), this embeds the texts with sentence-transformers, applies each
head and prints one JSON object: each classifier's argmax accuracy (the figure `assistant
train` reports as validation accuracy: a check of the exported encoder against PyTorch) and the
accuracy of every combination of two or more classifiers that averages their calibrated
probabilities (a seed ensemble, docs/INTENTS.md).
"""
import argparse
import itertools
import json
import sys

import numpy as np
import sentence_transformers
from sentence_transformers import SentenceTransformer

from peer_intents import held_out_split, read_examples


def probabilities(folder, texts):
    """(labels, calibrated probabilities [len(texts), classes]) of one classifier folder."""
    with open(f"{folder}/classifier.json", encoding="utf-8") as f:
        c = json.load(f)
    if "weights" not in c or "temperature" not in c:
        sys.exit(f"{folder}/classifier.json: not a classifier (no weights or temperature)")
    encoder = SentenceTransformer(f"{folder}/encoder", device="cpu")
    e = encoder.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    w = np.asarray(c["weights"], dtype=np.float64).reshape(len(c["labels"]), c["dimension"])
    z = (e @ w.T + np.asarray(c["bias"])) / c["temperature"]
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return c["labels"], p / p.sum(axis=1, keepdims=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--examples", required=True, help="the labelled JSONL the classifiers were trained on")
    p.add_argument("folders", nargs="+", help="assistant train --fine-tune-layers output folders")
    args = p.parse_args()
    rows = read_examples(args.examples)
    _, held = held_out_split(rows)
    texts = [rows[i]["text"] for i in held]
    truth = np.array([rows[i]["intent"] for i in held])
    labels, probs = None, []
    for folder in args.folders:
        folder_labels, q = probabilities(folder, texts)
        if labels is not None and folder_labels != labels:
            sys.exit(f"{folder}: its intents differ from {args.folders[0]}'s")
        labels = folder_labels
        probs.append(q)
    names = np.array(labels)

    def accuracy(q):
        return float((names[q.argmax(axis=1)] == truth).mean())

    print(json.dumps({
        "examples": args.examples, "held_out": len(held),
        "accuracy": {folder: accuracy(q) for folder, q in zip(args.folders, probs)},
        "ensembles": [{"folders": [args.folders[i] for i in members],
                       "accuracy": accuracy(sum(probs[i] for i in members))}
                      for k in range(2, len(probs) + 1) for members in itertools.combinations(range(len(probs)), k)],
        "versions": {"sentence_transformers": sentence_transformers.__version__, "numpy": np.__version__},
    }, indent=1))


if __name__ == "__main__":
    main()
