#!/usr/bin/env python3
"""PyTorch fine-tuning of all-MiniLM-L6-v2 with the recipe of `assistant train --fine-tune-layers 6`.

  tools/bench/experiments/peer_finetune.py --examples ../shared/data/banking77/train.jsonl --model models/all-MiniLM-L6-v2 \
      [--epochs 6] [--learning-rate 1e-4] [--label-smoothing 0] [--seed 1] [--threads 2]

The reference for what the recipe reaches, independent of the Swift training code: the same
held-out split as `assistant train` without --val (peer_intents.held_out_split), mean pooling and
L2 normalisation (sentence-transformers), a linear head started from a logistic regression on the
base embeddings (LP-FT), AdamW (encoder lr, head lr 5e-3, weight decay 0.01 on dense weights of
the encoder only), 10% linear warm-up then cosine decay to 0, gradient norm clipped at 1 for the
encoder and for the head, hidden dropout 0.1 (no attention dropout), frozen word embeddings,
batches of 32. Prints one line per epoch and a final JSON object: held-out accuracy by epoch,
the best epoch, seconds per epoch, and the library versions.

Differences from the Swift trainer, on purpose: batches are shuffled at random instead of grouped
by length (PyTorch pads each batch), and the probe is scikit-learn's LogisticRegression at C = 1.
"""
import argparse
import json
import math
import time

import numpy as np
import sklearn
import torch
import transformers
from sklearn.linear_model import LogisticRegression
from transformers import AutoModel, AutoTokenizer

from peer_intents import held_out_split, read_examples


def embed(model, tokenizer, texts, batch_size=64):
    """Unit mean-pooled embeddings, [len(texts), 384], no gradient."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            out.append(forward(model, tokenizer, texts[i:i + batch_size]))
    return torch.cat(out)


def forward(model, tokenizer, texts):
    batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--examples", required=True, help="labelled JSONL {text, intent}")
    p.add_argument("--model", required=True, help="sentence-transformers folder of all-MiniLM-L6-v2")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--learning-rate", type=float, default=1e-4, help="encoder peak learning rate")
    p.add_argument("--head-learning-rate", type=float, default=5e-3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--label-smoothing", type=float, default=0.0,
                   help="cross-entropy label smoothing (0: none, as the Swift trainer)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)

    rows = read_examples(args.examples)
    train, held = held_out_split(rows)
    labels = sorted({r["intent"] for r in rows})
    index = {label: i for i, label in enumerate(labels)}
    texts = [r["text"] for r in rows]
    y = torch.tensor([index[r["intent"]] for r in rows])

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModel.from_pretrained(args.model, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.0)
    model.embeddings.dropout.p = 0.0
    for parameter in model.embeddings.parameters():
        parameter.requires_grad = False

    base = embed(model, tokenizer, texts)
    probe = LogisticRegression(C=1.0, max_iter=5000).fit(base[train].numpy(), y[train].numpy())
    head = torch.nn.Linear(base.shape[1], len(labels))
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(probe.coef_).float())
        head.bias.copy_(torch.from_numpy(probe.intercept_).float())
    probe_accuracy = float((probe.predict(base[held].numpy()) == y[held].numpy()).mean())
    print(f"probe: held-out accuracy {probe_accuracy:.4f}", flush=True)

    decayed = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() == 2]
    undecayed = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() != 2]
    encoder_opt = torch.optim.AdamW([{"params": decayed, "weight_decay": 0.01},
                                     {"params": undecayed, "weight_decay": 0.0}], lr=args.learning_rate)
    head_opt = torch.optim.AdamW(head.parameters(), lr=args.head_learning_rate, weight_decay=0.0)
    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    total = args.epochs * steps_per_epoch
    warmup = int(0.1 * total)

    def factor(step):
        if step < warmup:
            return step / max(warmup, 1)
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(total - warmup, 1)))

    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, factor) for o in (encoder_opt, head_opt)]
    by_epoch, seconds = [], []
    for epoch in range(args.epochs):
        started = time.time()
        model.train()
        order = rng.permutation(train)
        for s in range(steps_per_epoch):
            members = order[s * args.batch_size:(s + 1) * args.batch_size].tolist()
            logits = head(forward(model, tokenizer, [texts[i] for i in members]))
            loss = torch.nn.functional.cross_entropy(logits, y[members], label_smoothing=args.label_smoothing)
            encoder_opt.zero_grad()
            head_opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(decayed + undecayed, 1.0)
            torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
            encoder_opt.step()
            head_opt.step()
            for scheduler in schedulers:
                scheduler.step()
        with torch.no_grad():
            predictions = head(embed(model, tokenizer, [texts[i] for i in held])).argmax(1)
        accuracy = float((predictions == y[held]).float().mean())
        by_epoch.append(accuracy)
        seconds.append(time.time() - started)
        print(f"epoch {epoch + 1}/{args.epochs}: held-out accuracy {accuracy:.4f} ({seconds[-1]:.0f} s)", flush=True)

    print(json.dumps({
        "examples": args.examples, "train": len(train), "held_out": len(held),
        "epochs": args.epochs, "learning_rate": args.learning_rate, "label_smoothing": args.label_smoothing,
        "seed": args.seed, "threads": args.threads,
        "probe_accuracy": probe_accuracy, "accuracy_by_epoch": by_epoch,
        "best_epoch": int(np.argmax(by_epoch)) + 1, "best_accuracy": max(by_epoch), "seconds_by_epoch": seconds,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "scikit-learn": sklearn.__version__},
    }))


if __name__ == "__main__":
    main()
