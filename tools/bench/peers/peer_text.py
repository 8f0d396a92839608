#!/usr/bin/env python3
"""Peer embedding throughput for `make bench`: sentence-transformers (PyTorch) and ONNX Runtime.

Usage: peers/peer_text.py --model DIR --data FILE [--runs 5] [--batch 32] [--threads N]

Prints ONE JSON object on stdout (progress goes to stderr):
  versions, threads, batch, sentences,
  pytorch: {runs_sentences_per_s, median_sentences_per_s}
  ort:     {runs_sentences_per_s, median_sentences_per_s, exporter, onnx_path,
            agreement: {compared, min_cosine, mean_cosine, ok}}  or  {error: "..."}

Both peers do the same work on ALL texts of the data set, warmed up once on 256 texts:
sort by character length (longest first, as sentence-transformers does on CPU), batches of
`batch`, fast-tokenizer tokenization (pad to longest in batch, truncate to 256), the BERT
forward pass, mean pooling over the attention mask, L2 normalisation, original order restored.
Tokenization is inside the timed region for both.

Threads: torch.set_num_threads(N) and set_num_interop_threads(1) before any work; ORT gets
intra_op_num_threads=N, inter_op_num_threads=1, sequential execution. RAYON_NUM_THREADS=N
(the Rust tokenizer's batch parallelism) and the BLAS/OpenMP variables are set to N too, so
no peer uses more than N cores.

The ONNX Runtime half runs in a child process (this script with --ort-child) so its thread
pool and memory never share a process with PyTorch's. The model (eager attention) is exported once
with torch.onnx.export (dynamic batch and sequence axes; the TorchScript exporter, falling back
to the torch.export-based one) and cached outside the repo under $BENCH_CACHE
(default ~/.cache/suite-venvs/bench-cache).
"""
import argparse
import functools
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--skip-ort", action="store_true", help="only the sentence-transformers peer")
    # internal: the ONNX Runtime child process
    p.add_argument("--ort-child", metavar="ONNX", help=argparse.SUPPRESS)
    p.add_argument("--ort-out", metavar="NPY", help=argparse.SUPPRESS)
    return p.parse_args(argv)


ARGS = parse_args()
# Before importing anything that starts a thread pool.
benchlib.limit_threads(ARGS.threads)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "true" if ARGS.threads > 1 else "false")

import numpy as np  # noqa: E402

WARMUP = 256
log = benchlib.logger("peer_text")


# ---------------------------------------------------------------- ONNX Runtime (child process)

def ort_encoder(onnx_path, model_dir, threads, batch, max_length):
    import onnxruntime as ort
    from transformers import AutoTokenizer

    session = benchlib.ort_session(onnx_path, threads)
    input_names = [i.name for i in session.get_inputs()]
    tokenizer = AutoTokenizer.from_pretrained(model_dir)

    def encode(texts):
        order = np.argsort([-len(t) for t in texts])  # sentence-transformers' CPU order
        chunks = []
        for start in range(0, len(texts), batch):
            chunk = [texts[i] for i in order[start:start + batch]]
            enc = tokenizer(chunk, padding=True, truncation="longest_first", max_length=max_length,
                            return_tensors="np")
            feed = {name: enc[name].astype(np.int64) for name in input_names}
            hidden = session.run(None, feed)[0]
            mask = enc["attention_mask"].astype(np.float32)[:, :, None]
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            chunks.append(pooled)
        sorted_out = np.concatenate(chunks)
        out = np.empty_like(sorted_out)
        out[order] = sorted_out
        return out

    return encode, ort.__version__


def ort_child(args):
    texts = benchlib.read_texts(args.data)
    encode, _ = ort_encoder(args.ort_child, args.model, args.threads, args.batch, args.max_length)
    encode(texts[:WARMUP])
    rates, emb = benchlib.timed_runs(
        lambda: encode(texts), len(texts), args.runs,
        lambda r, rate: log(f"ort threads={args.threads} run {r + 1}/{args.runs}: {rate:.1f} sentences/s"))
    if args.ort_out and emb is not None:
        np.save(args.ort_out, emb)
    benchlib.emit({"runs_sentences_per_s": rates, "median_sentences_per_s": benchlib.median(rates)})


# ---------------------------------------------------------------- ONNX export (cached)

def cache_dir():
    d = os.environ.get("BENCH_CACHE") or os.path.expanduser("~/.cache/suite-venvs/bench-cache")
    os.makedirs(d, exist_ok=True)
    return d


def model_digest(model_dir):
    h = hashlib.sha256()
    for name in ("model.safetensors", "config.json"):
        with open(os.path.join(model_dir, name), "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


# The TorchScript exporter first: with eager attention its graph ran 25-30% faster in ONNX
# Runtime on the project's machine than the torch.export-based ("dynamo") exporter's.
EXPORTERS = ("torchscript", "dynamo")


def export_onnx(model_dir, max_length):
    """Exports the transformer (last_hidden_state) once; returns (path, exporter)."""
    import torch
    from transformers import AutoModel

    stem = f"{os.path.basename(os.path.normpath(model_dir))}-{model_digest(model_dir)}-torch{torch.__version__}-eager"
    for exporter in EXPORTERS:
        path = os.path.join(cache_dir(), f"{stem}-{exporter}.onnx")
        if os.path.exists(path):
            return path, exporter, True

    # Eager attention: ONNX Runtime fuses its MatMul/Softmax pattern; the SDPA graph is slower there.
    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state

    wrapper = LastHidden(model).eval()
    # Example with real padding so no "all ones mask" shortcut is traced.
    ids = torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 102], [101, 7592, 102, 0, 0, 0, 0]])
    mask = (ids != 0).long()
    types = torch.zeros_like(ids)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    errors = []
    for exporter in EXPORTERS:
        path = os.path.join(cache_dir(), f"{stem}-{exporter}.onnx")
        tmp = path + f".partial-{os.getpid()}"
        try:
            with torch.no_grad():
                if exporter == "dynamo":
                    from torch.export import Dim
                    b, s = Dim("batch"), Dim("sequence", max=max(max_length, 8))
                    shapes = {n: {0: b, 1: s} for n in names}
                    torch.onnx.export(wrapper, (ids, mask, types), tmp, input_names=names,
                                      output_names=["last_hidden_state"], dynamic_shapes=shapes,
                                      dynamo=True, external_data=False, verbose=False)
                else:
                    axes = {n: {0: "batch", 1: "sequence"} for n in names + ["last_hidden_state"]}
                    torch.onnx.export(wrapper, (ids, mask, types), tmp, input_names=names,
                                      output_names=["last_hidden_state"], dynamic_axes=axes,
                                      opset_version=17, dynamo=False)
            os.replace(tmp, path)
            return path, exporter, False
        except Exception as e:  # try the next exporter
            errors.append(f"{exporter}: {type(e).__name__}: {e}"[:500])
            log("export failed:", errors[-1])
            if os.path.exists(tmp):
                os.remove(tmp)
    raise RuntimeError("; ".join(errors))


# ---------------------------------------------------------------- main (sentence-transformers)

def main(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    import sentence_transformers
    import tokenizers
    from sentence_transformers import SentenceTransformer

    import transformers

    texts = benchlib.read_texts(args.data)
    result = {
        "versions": {"python": benchlib.python_version(), "torch": torch.__version__,
                     "sentence_transformers": sentence_transformers.__version__,
                     "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                     "numpy": np.__version__, **benchlib.versions("onnxruntime", "onnx")},
        "threads": args.threads, "torch_threads": torch.get_num_threads(),
        "batch": args.batch, "sentences": len(texts),
    }

    model = SentenceTransformer(args.model, device="cpu")
    result["max_seq_length"] = model.max_seq_length
    log(f"sentence-transformers threads={args.threads}: warm-up")
    model.encode(texts[:WARMUP], batch_size=args.batch, show_progress_bar=False)
    rates, st_emb = benchlib.timed_runs(
        functools.partial(model.encode, texts, batch_size=args.batch, show_progress_bar=False), len(texts), args.runs,
        lambda r, rate: log(f"pytorch threads={args.threads} run {r + 1}/{args.runs}: {rate:.1f} sentences/s"))
    result["pytorch"] = {"runs_sentences_per_s": rates, "median_sentences_per_s": benchlib.median(rates)}
    st_emb = np.asarray(st_emb, dtype=np.float32)
    del model

    if args.skip_ort:
        result["ort"] = {"error": "skipped (--skip-ort)"}
    else:
        result["ort"] = run_ort(args, st_emb)
    benchlib.emit(result)


def run_ort(args, st_emb):
    try:
        t0 = time.perf_counter()
        path, exporter, cached = export_onnx(args.model, args.max_length)
        log(f"onnx model: {path} ({exporter}, {'cached' if cached else f'exported in {time.perf_counter() - t0:.1f}s'})")
    except Exception as e:
        return {"error": f"ONNX export failed: {e}"}
    with tempfile.TemporaryDirectory() as tmp:
        npy = os.path.join(tmp, "ort.npy")
        cmd = [sys.executable, os.path.abspath(__file__), "--model", args.model, "--data", args.data,
               "--runs", str(args.runs), "--batch", str(args.batch), "--threads", str(args.threads),
               "--max-length", str(args.max_length), "--ort-child", path, "--ort-out", npy]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            return {"error": f"ONNX Runtime child exited with {proc.returncode}", "exporter": exporter}
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        ort_emb = np.load(npy)
    out.update({"exporter": exporter, "onnx_path": path, "onnx_bytes": os.path.getsize(path)})
    # Agreement: cosine per sentence (both sides are unit vectors, but normalise anyway).
    a = st_emb / np.linalg.norm(st_emb, axis=1, keepdims=True)
    b = ort_emb / np.linalg.norm(ort_emb, axis=1, keepdims=True)
    cos = (a * b).sum(axis=1)
    few = np.linspace(0, len(cos) - 1, 8).astype(int)
    out["agreement"] = {
        "compared": int(len(cos)), "min_cosine": float(cos.min()), "mean_cosine": float(cos.mean()),
        "sample_indices": few.tolist(), "sample_cosines": [float(cos[i]) for i in few],
        "threshold": 0.9999, "ok": bool(cos.min() > 0.9999),
    }
    return out


if __name__ == "__main__":
    if ARGS.ort_child:
        ort_child(ARGS)
    else:
        main(ARGS)
