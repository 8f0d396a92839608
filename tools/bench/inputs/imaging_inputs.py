#!/usr/bin/env python3
"""Writes the inputs of the imaging benchmark: seeded synthetic chest-radiograph-like phantoms.

Usage: inputs/imaging_inputs.py --out DIR [--count 20] [--size 2048] [--seed 3]

DIR gets four folders with `count` images each, all `size` x `size`, the same phantom i in every
format:
  png8/NNN.png    8-bit gray PNG (Pillow, zlib level 6)
  png16/NNN.png   16-bit gray PNG (12-bit values, 0..4095)
  jpeg/NNN.jpg    8-bit gray baseline JPEG, quality 90
  dicom/NNN.dcm   Explicit VR Little Endian, MONOCHROME2, Bits Allocated 16 / Stored 12, unsigned,
                  Rescale Slope 1 / Intercept -1024, one Window Center/Width
and `manifest.json` (parameters, file sizes, SHA-256 of this script). Nothing is written elsewhere;
run.sh puts DIR outside the repo.

A phantom is smooth anatomy-like structure (body outline, lungs, mediastinum and heart, spine,
ribs, clavicles, low-frequency density variation, collimation border, a marker) plus mild
detector noise (sigma 0.6% of full scale): noise alone would make PNG unrealistically slow,
no noise at all unrealistically fast.
"""
import argparse
import io
import os
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402

DX_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
INTERCEPT = -1024
WINDOW = (1024.0, 3600.0)  # centre, width in modality units (stored 2048 ± 1800)


def smooth_field(rng, size, cells):
    """Low-frequency random field in about [-1, 1]: a cells x cells grid upsampled bicubically."""
    grid = rng.standard_normal((cells, cells)).astype(np.float32)
    up = Image.fromarray(grid).resize((size, size), Image.BICUBIC)
    return np.asarray(up, dtype=np.float32) / 2.5


def soft(d, edge):
    """1 inside (d < 0), 0 outside, a logistic edge `edge` wide (in normalised units)."""
    return 1 / (1 + np.exp(np.clip(d / edge, -50, 50)))


def phantom(i, size, seed):
    """X-ray attenuation-like image in [0, 1] (bright = dense), float32 [size, size]."""
    rng = np.random.default_rng([seed, i])
    v = np.linspace(-1, 1, size, dtype=np.float32)
    x, y = np.meshgrid(v, v)
    jitter = lambda s: float(rng.uniform(-s, s))  # noqa: E731
    # body: soft tissue ellipse, wider at the shoulders
    body = soft(((x / (0.86 + jitter(0.04))) ** 2 + ((y - 0.05) / 1.15) ** 2) - 1, 0.03)
    img = 0.18 + 0.32 * body
    # lungs: two darker lobes
    lungs = np.zeros_like(x)
    for side in (-1, 1):
        cx, cy = side * (0.36 + jitter(0.03)), -0.05 + jitter(0.03)
        rx, ry = 0.27 + jitter(0.02), 0.55 + jitter(0.03)
        lungs = np.maximum(lungs, soft(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 - 1, 0.05))
    img -= 0.22 * lungs
    # mediastinum, heart (left of the patient = right of the image), spine
    img += 0.12 * soft((x / 0.14) ** 2 + ((y + 0.1) / 0.9) ** 2 - 1, 0.06)
    img += 0.16 * soft(((x - 0.12) / 0.27) ** 2 + ((y - 0.28) / 0.23) ** 2 - 1, 0.06)
    img += 0.10 * np.exp(-(x / 0.05) ** 2) * body
    # ribs: curved bands inside the lungs; clavicles
    phase = (y + 0.35 * x ** 2) * (11 + jitter(1)) * np.pi
    img += 0.07 * lungs * np.clip(np.cos(phase), 0, 1) ** 3
    for side in (-1, 1):
        img += 0.08 * soft(((x - side * 0.3) / 0.3) ** 2 + ((y + 0.62 + 0.2 * np.abs(x)) / 0.035) ** 2 - 1, 0.2)
    # density variation, collimation border, lead marker
    img += 0.04 * smooth_field(rng, size, 6) * body + 0.015 * smooth_field(rng, size, 24)
    img *= soft(np.maximum(np.abs(x), np.abs(y)) - 0.96, 0.005)
    mx, my = int(size * 0.08), int(size * 0.1)
    img[my:my + size // 20, mx:mx + size // 28] = 0.95
    img += rng.normal(0, 0.006, img.shape).astype(np.float32)
    return np.clip(img, 0, 1).astype(np.float32)


def dicom_bytes(values12, i, seed):
    """A Part 10 DX file: uint16 [rows, cols] stored values (12 bits used)."""
    rows, cols = values12.shape
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DX_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["bench", str(seed), str(i)])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = pydicom.Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = DX_IMAGE_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "DX"
    ds.PatientName = f"Phantom^{i:03d}"
    ds.PatientID = f"PHANTOM{i:03d}"
    ds.StudyInstanceUID = generate_uid(entropy_srcs=["bench-study", str(seed), str(i)])
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=["bench-series", str(seed), str(i)])
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelRepresentation = 0
    ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = 1, INTERCEPT, "US"
    ds.WindowCenter, ds.WindowWidth = WINDOW
    ds.PixelData = values12.astype("<u2").tobytes()
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--size", type=int, default=2048)
    p.add_argument("--seed", type=int, default=3)
    args = p.parse_args()
    folders = {"png8": ".png", "png16": ".png", "jpeg": ".jpg", "dicom": ".dcm"}
    for f in folders:
        os.makedirs(os.path.join(args.out, f), exist_ok=True)
    sizes = {f: 0 for f in folders}
    for i in range(args.count):
        img = phantom(i, args.size, args.seed)
        gray8 = np.round(img * 255).astype(np.uint8)
        gray12 = np.round(img * 4095).astype(np.uint16)
        blobs = {}
        buf = io.BytesIO()
        Image.fromarray(gray8).save(buf, format="PNG", compress_level=6)
        blobs["png8"] = buf.getvalue()
        buf = io.BytesIO()
        Image.fromarray(gray12).save(buf, format="PNG", compress_level=6)
        blobs["png16"] = buf.getvalue()
        buf = io.BytesIO()
        Image.fromarray(gray8).save(buf, format="JPEG", quality=90)
        blobs["jpeg"] = buf.getvalue()
        blobs["dicom"] = dicom_bytes(gray12, i, args.seed)
        for f, data in blobs.items():
            with open(os.path.join(args.out, f, f"{i:03d}{folders[f]}"), "wb") as fh:
                fh.write(data)
            sizes[f] += len(data)
    script = benchlib.sha256_file(os.path.abspath(__file__))
    manifest = {"count": args.count, "size": args.size, "seed": args.seed, "generator_sha256": script,
                "mean_bytes": {f: sizes[f] // args.count for f in folders},
                "dicom": {"rescale_slope": 1, "rescale_intercept": INTERCEPT, "window_center": WINDOW[0],
                          "window_width": WINDOW[1], "bits_stored": 12},
                "jpeg_quality": 90, "png_compress_level": 6}
    benchlib.write_manifest(args.out, manifest)


if __name__ == "__main__":
    main()
