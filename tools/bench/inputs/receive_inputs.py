#!/usr/bin/env python3
"""Inputs of the `receive` benchmark (tools/bench/peers/receive_bench.py), generated once into the
bench cache by tools/bench/run.sh.

Usage: inputs/receive_inputs.py --out DIR --count N [--seed 18]

Writes N DICOM files into DIR/images (Digital X-Ray Image Storage - For Presentation,
2048x2048, 16 bits allocated, 12 stored, MONOCHROME2, Explicit VR Little Endian, about
8 MiB each): a smooth gradient (own direction and level per image) plus a soft body-like
blob and Gaussian noise; each file its own SOP Instance UID, two files per study (PA and
lateral), seeded, so the same N gives the same files. Writes DIR/manifest.json.

Prints the manifest (ONE JSON object) on stdout.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402

log = benchlib.logger("receive-inputs")
SIZE = 2048
DX_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1"


def generate(args):
    import numpy as np
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    out = os.path.join(args.out, "images")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / SIZE
    # A soft elliptical "body" shared by all images; two noise fields, rolled per image.
    body = np.exp(-(((x - 0.5) / 0.32) ** 2 + ((y - 0.55) / 0.42) ** 2) ** 2).astype(np.float32)
    noise = [rng.normal(0, 60, (SIZE, SIZE)).astype(np.float32) for _ in range(2)]
    total = 0
    for i in range(args.count):
        angle, level, contrast = rng.uniform(0, 2 * np.pi), rng.uniform(600, 1400), rng.uniform(1200, 2200)
        gradient = (np.cos(angle) * x + np.sin(angle) * y) * 900 + level
        shift = tuple(int(v) for v in rng.integers(0, SIZE, 2))
        img = gradient + contrast * body + np.roll(noise[i % 2], shift, axis=(0, 1))
        pixels = np.clip(img, 0, 4095).astype("<u2")

        study = i // 2
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = DX_FOR_PRESENTATION
        sop = generate_uid(entropy_srcs=[str(args.seed), "instance", str(i)])
        meta.MediaStorageSOPInstanceUID = sop
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = DX_FOR_PRESENTATION, sop
        ds.StudyInstanceUID = generate_uid(entropy_srcs=[str(args.seed), "study", str(study)])
        ds.SeriesInstanceUID = generate_uid(entropy_srcs=[str(args.seed), "series", str(study)])
        ds.PatientName, ds.PatientID = f"BENCH^RECEIVE{study:05d}", f"RB{study:06d}"
        ds.PatientBirthDate, ds.PatientSex = "19700101", "O"
        ds.AccessionNumber = f"ACC{study:07d}"
        ds.StudyDate, ds.StudyTime, ds.StudyID = "20261207", "120000", str(study)
        ds.Modality, ds.BodyPartExamined = "DX", "CHEST"
        ds.PresentationIntentType = "FOR PRESENTATION"
        ds.ViewPosition = "PA" if i % 2 == 0 else "LL"
        ds.SeriesNumber, ds.InstanceNumber = 1, i % 2 + 1
        ds.ImageType = ["ORIGINAL", "PRIMARY"]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.Rows = ds.Columns = SIZE
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.PixelSpacing = [0.15, 0.15]
        ds.WindowCenter, ds.WindowWidth = 2048, 4096
        ds.PixelData = pixels.tobytes()
        ds["PixelData"].VR = "OW"
        path = os.path.join(out, f"{i:05d}.dcm")
        pydicom.dcmwrite(path, ds, enforce_file_format=True)
        total += os.path.getsize(path)
        if (i + 1) % 200 == 0:
            log(f"generated {i + 1}/{args.count}")
    benchlib.write_manifest(args.out, {
        "count": args.count, "size": SIZE, "seed": args.seed, "studies": (args.count + 1) // 2,
        "sop_class": "Digital X-Ray Image Storage - For Presentation", "transfer_syntax": "Explicit VR Little Endian",
        "bits_allocated": 16, "bits_stored": 12, "total_bytes": total, "mean_bytes": total / max(args.count, 1),
        "pydicom": pydicom.__version__, "numpy": np.__version__})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--seed", type=int, default=18)
    generate(p.parse_args())


if __name__ == "__main__":
    main()
