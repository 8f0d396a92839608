#!/usr/bin/env python3
"""Peer imaging throughput for `make bench`: Pillow, pydicom + NumPy on ONE thread.

Usage: peers/peer_imaging.py --dir DIR [--runs 5] [--size 224] [--swift-dump DIR]

The same work as `suite-bench imaging`, on the same files (tools/bench/inputs/imaging_inputs.py), each
read into memory first; every case turns one file into a float32 [1, size, size] model input:
  png8, png16, jpeg: Image.open(BytesIO) → convert("L") unless already "L" or "I;16" →
                     resize((size, size), Image.BILINEAR) (Pillow antialiases when reducing;
                     16-bit PNGs open as "I;16" and resize in Pillow's 16-bit mode) →
                     np.asarray(float32) / 255 (or / 65535 for 16-bit)
  jpeg_dct:          the same after img.draft("L", (size, size)) (libjpeg DCT scaling)
  dicom:             pydicom.dcmread(BytesIO).pixel_array → float32 × Rescale Slope + Intercept →
                     the first VOI window, LINEAR (PS3.3 C.11.2.1.2), to 0..1 in NumPy float32
                     (MONOCHROME1 inverted) → Image.fromarray (mode "F").resize(BILINEAR)
Each case is warmed up once over all files, then timed `runs` times over all files (images/s,
median reported; `runs_cpu_images_per_s` divides by this thread's CPU time instead of wall time). OMP/OPENBLAS/MKL_NUM_THREADS=1 are set before NumPy is imported; Pillow's
decoders and resize are single-threaded.

With --swift-dump (the folder `suite-bench imaging --dump` wrote), the first file's output of
every case is compared with Swift's: `max_abs_diff_vs_swift`.

Prints ONE JSON object on stdout.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402

benchlib.limit_threads(1, ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"))

import argparse  # noqa: E402
import io  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import PIL  # noqa: E402
import pydicom  # noqa: E402
from PIL import Image, features  # noqa: E402

FOLDERS = {"png8": "png8", "png16": "png16", "jpeg": "jpeg", "jpeg_dct": "jpeg", "dicom": "dicom"}


def pillow_input(data, size, draft):
    img = Image.open(io.BytesIO(data))
    if draft:
        img.draft("L", (size, size))
    if img.mode not in ("L", "I;16"):
        img = img.convert("L")
    scale = np.float32(1 / 65535 if img.mode == "I;16" else 1 / 255)
    out = np.asarray(img.resize((size, size), Image.BILINEAR), dtype=np.float32) * scale
    return out.reshape(1, size, size)


def linear_window(x, center, width):
    """PS3.3 C.11.2.1.2 LINEAR to 0..1 (the clip is the standard's two outer branches)."""
    w = max(width, 1.0)
    if w == 1:
        return (x > center - 0.5).astype(np.float32)
    y = (x - np.float32(center - 0.5)) * np.float32(1 / (w - 1)) + np.float32(0.5)
    return np.clip(y, 0, 1, out=y)


def dicom_display(data):
    """A DICOM file's first frame as display grey 0…1, float32 [rows, columns]: pixel_array ×
    Rescale Slope + Intercept in float32, the first VOI window (LINEAR), MONOCHROME1 inverted."""
    ds = pydicom.dcmread(io.BytesIO(data))
    x = ds.pixel_array.astype(np.float32)
    slope, intercept = float(ds.get("RescaleSlope", 1)), float(ds.get("RescaleIntercept", 0))
    x *= np.float32(slope)
    x += np.float32(intercept)
    center, width = ds.WindowCenter, ds.WindowWidth
    center = float(center[0] if isinstance(center, pydicom.multival.MultiValue) else center)
    width = float(width[0] if isinstance(width, pydicom.multival.MultiValue) else width)
    y = linear_window(x, center, width)
    return 1 - y if ds.PhotometricInterpretation == "MONOCHROME1" else y


def dicom_input(data, size):
    out = np.asarray(Image.fromarray(dicom_display(data)).resize((size, size), Image.BILINEAR), dtype=np.float32)
    return out.reshape(1, size, size)


def model_input(case, data, size):
    if case == "dicom":
        return dicom_input(data, size)
    return pillow_input(data, size, draft=case == "jpeg_dct")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--swift-dump", help="folder of suite-bench imaging --dump outputs to compare with")
    args = p.parse_args()

    cases = {}
    for case, folder in FOLDERS.items():
        d = os.path.join(args.dir, folder)
        blobs = []
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                blobs.append(f.read())
        first = None
        total = 0.0
        for k, b in enumerate(blobs):  # warm-up, output check
            out = model_input(case, b, args.size)
            assert out.shape == (1, args.size, args.size) and out.dtype == np.float32, out.shape
            total += float(out.sum(dtype=np.float64))
            if k == 0:
                first = out
        rates, cpu_rates = [], []
        for _ in range(args.runs):
            c0, t0 = time.thread_time(), time.perf_counter()
            for b in blobs:
                model_input(case, b, args.size)
            rates.append(len(blobs) / (time.perf_counter() - t0))
            cpu_rates.append(len(blobs) / (time.thread_time() - c0))
        row = {"images": len(blobs), "mean_bytes": sum(map(len, blobs)) // len(blobs),
               "output_mean": total / (len(blobs) * args.size * args.size),
               "runs_images_per_s": rates, "median_images_per_s": benchlib.median(rates), "runs_cpu_images_per_s": cpu_rates}
        if args.swift_dump:
            path = os.path.join(args.swift_dump, f"{case}.f32")
            if os.path.exists(path):
                swift = np.fromfile(path, dtype="<f4").reshape(first.shape)
                row["max_abs_diff_vs_swift"] = float(np.abs(swift - first).max())
        cases[case] = row
    versions = {"python": platform.python_version(), "pillow": PIL.__version__, "pydicom": pydicom.__version__,
                "numpy": np.__version__, "libjpeg_turbo": features.version("libjpeg_turbo"),
                "zlib": features.version("zlib")}
    benchlib.emit({"size": args.size, "runs": args.runs, "threads": 1, "cases": cases, "versions": versions},
                  sort_keys=True)


if __name__ == "__main__":
    main()
