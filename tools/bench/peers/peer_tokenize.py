#!/usr/bin/env python3
"""Peer tokenizer throughput for `make bench`: Hugging Face `tokenizers` (Rust) on ONE thread.

Usage: peers/peer_tokenize.py --model DIR --data FILE [--runs 5] [--swift-json FILE]

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
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402

benchlib.limit_threads(1, ("RAYON_NUM_THREADS",))
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import argparse  # noqa: E402
import json  # noqa: E402

import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

log = benchlib.logger("peer_tokenize")
median = benchlib.median


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--swift-json", help="suite-bench tokenize output to compare the token count with")
    args = p.parse_args()

    texts = benchlib.read_texts(args.data)
    tok = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()

    tokens = sum(len(tok.encode(t).ids) for t in texts)  # warm-up of the loop, and the count
    batch_tokens = sum(len(e.ids) for e in tok.encode_batch(texts))  # warm-up of the batch way

    def timed(fn, label):
        rates, _ = benchlib.timed_runs(
            fn, tokens, args.runs, lambda r, rate: log(f"{label} run {r + 1}/{args.runs}: {rate:,.0f} tokens/s"))
        return rates

    encode = tok.encode
    loop = timed(lambda: [encode(t) for t in texts], "encode loop")
    batch = timed(lambda: tok.encode_batch(texts), "encode_batch")
    result = {
        "tokenizers": tokenizers.__version__,
        "python": benchlib.python_version(),
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
    benchlib.emit(result)


if __name__ == "__main__":
    main()
