#!/usr/bin/env python3
"""Writes the input folder of the `triage batch` benchmark: seeded, all-different phantoms.

Usage: inputs/batch_inputs.py --out DIR [--count 2000] [--size 2048] [--seed 5] [--bases 40] [--processes 2]

DIR/images/ gets `count` files, image i in format i mod 3:
  NNNN.png  8-bit gray PNG (Pillow, zlib level 6)
  NNNN.dcm  16-bit DICOM: Explicit VR Little Endian, MONOCHROME2, Bits Allocated 16 / Stored 12,
            Rescale Slope 1 / Intercept -1024, one window (as imaging_inputs.py writes them)
  NNNN.jpg  8-bit gray baseline JPEG, quality 90
and DIR/manifest.json (parameters, counts and mean sizes per format, the number of distinct
SHA-256s, SHA-256 of this script and of imaging_inputs.py). Nothing is written elsewhere; run.sh
puts DIR outside the repo.

The phantoms are imaging_inputs.py's (chest-radiograph-like anatomy with mild detector noise).
Drawing one takes about a second, so `bases` of them are drawn and image i is base i mod
`bases` with its own seeded variation: a shift of up to ±48 pixels (edges repeated), a gain of
±8% and an offset of ±0.03 before quantisation. So every file has different content (the batch
keys images by SHA-256 and would skip a duplicate; the manifest counts the distinct hashes and
the script fails if any two are equal) while compressing like imaging_inputs.py's files.
"""
import argparse
import hashlib
import io
import multiprocessing
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402
import imaging_inputs  # noqa: E402

FORMATS = (("png8", ".png"), ("dicom", ".dcm"), ("jpeg", ".jpg"))


def variant(base, i, seed):
    """Base phantom (float32 [size, size] in 0…1) shifted, scaled and offset by image i's draw."""
    rng = np.random.default_rng([seed, 1, i])
    dy, dx = (int(v) for v in rng.integers(-48, 49, size=2))
    gain, offset = float(rng.uniform(0.92, 1.08)), float(rng.uniform(-0.03, 0.03))
    n = base.shape[0]
    rows = np.clip(np.arange(n) - dy, 0, n - 1)
    cols = np.clip(np.arange(n) - dx, 0, n - 1)
    img = base[rows][:, cols] * np.float32(gain) + np.float32(offset)
    return np.clip(img, 0, 1, out=img)


def encode(img, fmt, i, seed):
    if fmt == "dicom":
        return imaging_inputs.dicom_bytes(np.round(img * 4095).astype(np.uint16), i, seed)
    buf = io.BytesIO()
    gray8 = Image.fromarray(np.round(img * 255).astype(np.uint8))
    if fmt == "png8":
        gray8.save(buf, format="PNG", compress_level=6)
    else:
        gray8.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def write_base(job):
    """Writes every image of one base phantom; returns [(format, bytes, sha256)]."""
    k, out, count, size, seed, bases = job
    base = imaging_inputs.phantom(k, size, seed)
    written = []
    for i in range(k, count, bases):
        fmt, ext = FORMATS[i % len(FORMATS)]
        data = encode(variant(base, i, seed), fmt, i, seed)
        with open(os.path.join(out, f"{i:04d}{ext}"), "wb") as fh:
            fh.write(data)
        written.append((fmt, len(data), hashlib.sha256(data).hexdigest()))
    return written


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--size", type=int, default=2048)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--bases", type=int, default=40)
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = p.parse_args()
    images = os.path.join(args.out, "images")
    os.makedirs(images, exist_ok=True)
    jobs = [(k, images, args.count, args.size, args.seed, args.bases) for k in range(min(args.bases, args.count))]
    with multiprocessing.Pool(args.processes) as pool:
        written = [w for part in pool.imap_unordered(write_base, jobs) for w in part]
    hashes = {h for _, _, h in written}
    if len(hashes) != args.count:
        raise SystemExit(f"batch_inputs: only {len(hashes)} distinct contents among {args.count} images")
    counts = {f: sum(1 for g, _, _ in written if g == f) for f, _ in FORMATS}
    here = os.path.dirname(os.path.abspath(__file__))
    manifest = {"count": args.count, "size": args.size, "seed": args.seed, "bases": args.bases,
                "counts": counts, "distinct_sha256": len(hashes),
                "mean_bytes": {f: sum(n for g, n, _ in written if g == f) // max(counts[f], 1) for f in counts},
                "total_bytes": sum(n for _, n, _ in written),
                "generator_sha256": benchlib.sha256_file(os.path.abspath(__file__)),
                "phantom_sha256": benchlib.sha256_file(os.path.join(here, "imaging_inputs.py")),
                "jpeg_quality": 90, "png_compress_level": 6,
                "dicom": {"rescale_slope": 1, "rescale_intercept": imaging_inputs.INTERCEPT,
                          "window_center": imaging_inputs.WINDOW[0], "window_width": imaging_inputs.WINDOW[1],
                          "bits_stored": 12}}
    benchlib.write_manifest(args.out, manifest)


if __name__ == "__main__":
    main()
