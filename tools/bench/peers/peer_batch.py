#!/usr/bin/env python3
"""Python peer of `triage batch` for `make bench`: a folder of images → verdicts in SQLite.

Usage: peers/peer_batch.py --input DIR --model data/triage-model --db FILE [--processes 1] [--batch 32]

The work per image is what `triage batch` does to score it:
  read the file's bytes; SHA-256 of them (the key: a content seen before is not scored again);
  detect the format by content (PNG / JPEG signature, DICOM "DICM" at 128);
  decode to grey 0…1:  PNG: Pillow (8-bit / 255, 16-bit / 65535);
                       JPEG: Pillow with draft("L", 2 × input size) (libjpeg DCT scaling, as the
                             suite decodes JPEGs for scoring);
                       DICOM: pydicom pixel_array → float32 × Rescale Slope + Intercept → the
                              first VOI window, LINEAR, in NumPy (MONOCHROME1 inverted);
  centre-square crop; resize to the model's input size with Pillow's bilinear filter (8-bit
  images in 8-bit, as the suite); (v − mean) / std;
  PyTorch inference of the same model in batches of `batch` (weights.safetensors into the
  torchvision-style ResNet of tools/fixtures/resnet_golden.py, built from model.json's
  architecture); softmax((logits + logit_offsets) / temperature); score ≥ threshold → verdict;
  urgency from the model's thresholds;
  one row per image into SQLite (WAL, synchronous = FULL as the suite's store), one commit per
  inference batch.
What the suite does on top (thumbnails, sealing, audit entries, activation maps) has no
counterpart here.

--processes 1: everything in this process, one image after the other; torch uses all cores
(as `triage batch --workers 1` gives its inference loop cores / workers BLAS threads).
--processes N > 1: N worker processes (multiprocessing, forked before torch is imported) read,
hash and decode; this process runs inference with cores / N torch threads and writes the rows,
so decoding overlaps inference as in the suite's pipeline.

Prints ONE JSON object on stdout: counts, wall time inside the script, when the first commit
happened (Unix time, to set against the caller's start time), each process's peak RSS
(getrusage; workers report theirs with every result), versions.
"""
import argparse
import hashlib
import io
import json
import os
import sqlite3
import sys
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import benchlib  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input", required=True, help="folder, read recursively in name order")
    p.add_argument("--model", required=True, help="model folder: model.json, weights.safetensors")
    p.add_argument("--db", required=True, help="SQLite file to write (created; must not exist)")
    p.add_argument("--processes", type=int, default=1)
    p.add_argument("--batch", type=int, default=32)
    return p.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
CORES = os.cpu_count() or 1
if ARGS:
    benchlib.limit_threads(max(1, CORES // ARGS.processes), ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"))

import numpy as np  # noqa: E402
import PIL  # noqa: E402
import pydicom  # noqa: E402
from PIL import Image  # noqa: E402

from peer_imaging import dicom_display  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def detect(data):
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 132 and data[128:132] == b"DICM":
        return "dicom"
    return None


def center_square(img):
    """Pillow image cropped to its centre square (offsets rounded half to even, as the suite)."""
    w, h = img.size
    side = min(w, h)
    if w == h:
        return img
    left, top = round((w - side) / 2), round((h - side) / 2)
    return img.crop((left, top, left + side, top + side))


def unit_input(data, fmt, spec):
    """Grey 0…1 at the model's input size, float32 [height, width]."""
    size = (spec["width"], spec["height"])
    if fmt == "dicom":
        img = center_square(Image.fromarray(dicom_display(data)))
        return np.asarray(img.resize(size, Image.BILINEAR), dtype=np.float32)
    img = Image.open(io.BytesIO(data))
    if fmt == "jpeg":
        img.draft("L", (2 * size[0], 2 * size[1]))
    if img.mode not in ("L", "I;16"):
        img = img.convert("L")
    scale = np.float32(1 / 65535 if img.mode == "I;16" else 1 / 255)
    return np.asarray(center_square(img).resize(size, Image.BILINEAR), dtype=np.float32) * scale


def prepare(path, name, spec):
    """(name, sha256, format, normalised input or None, this process's pid and peak RSS in bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    fmt = detect(data)
    x = None
    if fmt is not None:
        x = (unit_input(data, fmt, spec) - np.float32(spec["mean"][0])) / np.float32(spec["std"][0])
    return name, digest, fmt, x, os.getpid(), benchlib.peak_rss_bytes()


def listing(root):
    """(path, name) of every file below root, sorted by relative path."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in files:
            path = os.path.join(d, f)
            out.append((path, os.path.relpath(path, root)))
    return sorted(out, key=lambda t: t[1])


_SPEC = None


def _init_worker(spec):
    global _SPEC
    _SPEC = spec


def _prepare_job(job):
    return prepare(job[0], job[1], _SPEC)


def load_model(model_dir, threads):
    import torch
    from safetensors.torch import load_file

    sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures"))
    from resnet_golden import ResNet

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    with open(os.path.join(model_dir, "model.json")) as f:
        spec = json.load(f)
    a = spec["architecture"]
    net = ResNet(a["block"], a["widths"], a["depths"], a["stem"], a["input_channels"], a["classes"])
    missing, unexpected = net.load_state_dict(load_file(os.path.join(model_dir, "weights.safetensors")), strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit(f"peer_batch: weights do not fit the architecture: missing {missing}, unexpected {unexpected}")
    net.eval()
    return torch, net


class Scorer:
    """Batched inference, calibration, verdicts and the SQLite rows."""

    def __init__(self, torch, net, spec, db):
        self.torch, self.net, self.spec = torch, net, spec
        self.offsets = np.asarray(spec["logit_offsets"], dtype=np.float64)
        self.positive = spec["labels"].index(spec["positive_label"])
        self.db = db
        self.first_commit = None

    def score(self, items):
        """items: [(name, sha256, format, input)] → rows committed in one transaction."""
        x = self.torch.from_numpy(np.stack([it[3] for it in items])[:, None])
        with self.torch.inference_mode():
            logits, _ = self.net(x)
        z = (logits.numpy().astype(np.float64) + self.offsets) / self.spec["temperature"]
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        now = datetime.now(timezone.utc).isoformat()
        urgency = self.spec["urgency"]
        rows = []
        for (name, digest, fmt, _), probs in zip(items, p):
            s = float(probs[self.positive])
            level = "urgent" if s >= urgency["urgent"] else "priority" if s >= urgency["priority"] else "routine"
            rows.append((digest, name, fmt, s, int(s >= self.spec["threshold"]), level,
                         json.dumps(dict(zip(self.spec["labels"], map(float, probs))), sort_keys=True), now))
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        if self.first_commit is None:
            self.first_commit = time.time()


def open_db(path):
    if os.path.exists(path):
        raise SystemExit(f"peer_batch: {path} exists")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("""CREATE TABLE results (sha256 TEXT PRIMARY KEY, name TEXT, format TEXT, score REAL,
                  positive INTEGER, urgency TEXT, probabilities TEXT, scored_at TEXT)""")
    db.commit()
    return db


def main():
    args = ARGS
    t0 = time.time()
    with open(os.path.join(args.model, "model.json")) as f:
        spec = json.load(f)
    files = listing(args.input)
    pool = None
    if args.processes > 1:
        import multiprocessing

        pool = multiprocessing.get_context("fork").Pool(args.processes, _init_worker, (spec["input"],))
        prepared = pool.imap(_prepare_job, files, chunksize=2)
    else:
        prepared = (prepare(path, name, spec["input"]) for path, name in files)
    torch, net = load_model(args.model, max(1, CORES // args.processes))
    scorer = Scorer(torch, net, spec, open_db(args.db))
    seen, pending, peaks = set(), [], {}
    counts = {"files": 0, "scored": 0, "duplicates": 0, "skipped": 0}
    for name, digest, fmt, x, pid, peak in prepared:
        counts["files"] += 1
        peaks[pid] = max(peaks.get(pid, 0), peak)
        if fmt is None:
            counts["skipped"] += 1
        elif digest in seen:
            counts["duplicates"] += 1
        else:
            seen.add(digest)
            pending.append((name, digest, fmt, x))
            if len(pending) == args.batch:
                scorer.score(pending)
                counts["scored"] += len(pending)
                pending = []
    if pending:
        scorer.score(pending)
        counts["scored"] += len(pending)
    if pool:
        pool.close()
        pool.join()
    scorer.db.close()
    main_peak = benchlib.peak_rss_bytes()
    workers = {pid: v for pid, v in peaks.items() if pid != os.getpid()}
    benchlib.emit({
        "processes": args.processes, "torch_threads": torch.get_num_threads(), "batch": args.batch, **counts,
        "seconds_inside": time.time() - t0, "start_unix": t0, "first_commit_unix": scorer.first_commit,
        "peak_rss_main_bytes": main_peak, "peak_rss_workers_bytes": sorted(workers.values()),
        "peak_rss_sum_bytes": main_peak + sum(workers.values()),
        "versions": {"python": benchlib.python_version(), "torch": torch.__version__, "pillow": PIL.__version__,
                     "pydicom": pydicom.__version__, "numpy": np.__version__},
    }, sort_keys=True)


if __name__ == "__main__":
    main()
