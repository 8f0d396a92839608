#!/usr/bin/env python3
"""Peer tokenizer throughput for `make bench`: Hugging Face `tokenizers` (Rust) on ONE thread.

Usage: peer_tokenize.py --model DIR --data FILE [--runs 5] [--swift-json FILE]

Tokenizer.from_file(DIR/tokenizer.json) with no_truncation() and no_padding(); special tokens
are added (encode's default), so `tokens` is the total number of ids over all texts, the same
count `suite-bench tokenize` reports. RAYON_NUM_THREADS=1 and TOKENIZERS_PARALLELISM=false are
set before the import, so encode_batch runs on one thread too.

Two ways are timed, each warmed up once and then run `runs` times over all texts:
  loop:  for text in texts: tokenizer.encode(text)
  batch: tokenizer.encode_batch(texts)
The faster median is the headline (`median_tokens_per_s`, `headline`).
With --swift-json (the output of `suite-bench tokenize` on the same data) the token counts are
compared: `token_count_matches_swift`.

Prints ONE JSON object on stdout.
"""
import os

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402


def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--swift-json", help="suite-bench tokenize output to compare the token count with")
    args = p.parse_args()

    with open(args.data, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    tok = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()

    tokens = sum(len(tok.encode(t).ids) for t in texts)  # warm-up of the loop, and the count
    batch_tokens = sum(len(e.ids) for e in tok.encode_batch(texts))  # warm-up of the batch way

    def timed(fn, label):
        rates = []
        for r in range(args.runs):
            t0 = time.perf_counter()
            fn()
            rates.append(tokens / (time.perf_counter() - t0))
            print(f"[peer_tokenize] {label} run {r + 1}/{args.runs}: {rates[-1]:,.0f} tokens/s",
                  file=sys.stderr, flush=True)
        return rates

    encode = tok.encode
    loop = timed(lambda: [encode(t) for t in texts], "encode loop")
    batch = timed(lambda: tok.encode_batch(texts), "encode_batch")
    result = {
        "tokenizers": tokenizers.__version__,
        "python": sys.version.split()[0],
        "threads": 1,
        "env": {k: os.environ[k] for k in ("RAYON_NUM_THREADS", "TOKENIZERS_PARALLELISM")},
        "texts": len(texts),
        "tokens": tokens,
        "encode_batch_tokens": batch_tokens,
        "loop": {"runs_tokens_per_s": loop, "median_tokens_per_s": median(loop)},
        "batch": {"runs_tokens_per_s": batch, "median_tokens_per_s": median(batch)},
    }
    headline = "loop" if median(loop) >= median(batch) else "batch"
    result["headline"] = headline
    result["runs_tokens_per_s"] = result[headline]["runs_tokens_per_s"]
    result["median_tokens_per_s"] = result[headline]["median_tokens_per_s"]
    if args.swift_json:
        with open(args.swift_json, encoding="utf-8") as f:
            swift = json.load(f)
        result["swift_tokens"] = swift.get("tokens")
        result["swift_texts"] = swift.get("texts")
        result["token_count_matches_swift"] = (swift.get("tokens") == tokens and swift.get("texts") == len(texts))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
