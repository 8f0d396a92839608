#!/usr/bin/env python3
"""Peer CNN throughput for `make bench`: PyTorch (eager, CPU) and ONNX Runtime on the same
models, with the same weights, as `suite-bench cnn`.

Usage: peers/peer_cnn.py --cases DIR/cnn-cases.json [--runs 5] [--threads N] [--min-seconds 1.0]

`suite-bench cnn --export DIR` writes DIR/cnn-cases.json (the models, their input sizes and
batch sizes: the one list both sides measure), each model's weights under torchvision names
(DIR/<model>.safetensors, from FreshWeights) and a reference input with the suite's eval-mode
logits (DIR/<model>-check.safetensors).

Prints ONE JSON object on stdout (progress goes to stderr):
  versions, threads, torch_threads,
  models: {<name>: {agreement: {torch_vs_swift_max_abs, ort_vs_torch_max_abs, tolerance, ok}}},
  inference: [{model, batch, pytorch: {runs_images_per_s, median_images_per_s},
               ort: {runs_images_per_s, median_images_per_s} or {error}}],
  training:  [{model, batch, pytorch: {runs_images_per_s, median_images_per_s}}]

Timing, the same rule as the Swift side: one warm-up call and one sizing call, then `runs`
timed runs, each repeating the batch until it lasts at least `min_seconds`; images/s is
images processed / wall time of the run; the median is reported.

- PyTorch inference: the module in eval mode (batch norm on running statistics; the suite
  folds them into the convolutions at load, which is an inference optimisation of its own),
  under torch.inference_mode(), NCHW float32, default (oneDNN) CPU kernels.
- ONNX Runtime: the eval module exported with torch.onnx.export (TorchScript exporter,
  dynamic batch axis, opset 17) into a temporary folder, ORT_ENABLE_ALL (which folds batch
  norm too), intra_op_num_threads=N, inter_op_num_threads=1, sequential execution, run in a
  child process (this script with --ort-child) so that its thread pool never shares a
  process with PyTorch's.
- PyTorch training: train mode (batch statistics), forward, F.cross_entropy, backward,
  torch.optim.AdamW (lr 1e-3, weight decay 1e-4 on convolution and linear weights only, as
  the suite's AdamW) with zero_grad(set_to_none=True).

Threads: torch.set_num_threads(N), set_num_interop_threads(1), and OMP/OPENBLAS/MKL_NUM_THREADS=N.

Agreement: the torch eval logits of the reference input against the suite's, and ORT's
against torch's: max |difference| <= 1e-3 (absolute) or the result is flagged.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import benchlib  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", required=True, help="cnn-cases.json written by suite-bench cnn --export")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--min-seconds", type=float, default=1.0)
    p.add_argument("--skip-ort", action="store_true")
    # internal: the ONNX Runtime child process
    p.add_argument("--ort-child", metavar="PLAN", help=argparse.SUPPRESS)
    return p.parse_args(argv)


ARGS = parse_args()
benchlib.limit_threads(ARGS.threads, ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"))

import numpy as np  # noqa: E402

TOLERANCE = 1e-3
log = benchlib.logger("peer_cnn")

def throughput(images, body, runs, min_seconds):
    """Images/s of `runs` timed runs of `body` (one batch), after a warm-up and a sizing call."""
    body()
    t0 = time.perf_counter()
    body()
    once = time.perf_counter() - t0
    iterations = max(1, int(np.ceil(min_seconds / max(once, 1e-6))))
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(iterations):
            body()
        rates.append(images * iterations / (time.perf_counter() - t0))
    return {"runs_images_per_s": rates, "median_images_per_s": benchlib.median(rates), "iterations_per_run": iterations}


def load_cases(path):
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)
    folder = os.path.dirname(os.path.abspath(path))
    for m in cases["models"]:
        m["weights_path"] = os.path.join(folder, m["weights"])
        m["check_path"] = os.path.join(folder, m["check"])
    return cases


# ---------------------------------------------------------------- the network (torchvision names)

def build(arch):
    """The torchvision-style ResNet of tools/fixtures/resnet_golden.py (the golden fixtures' and
    peer_batch.py's network), returning only the logits, [N, classes]."""
    import torch.nn as nn

    sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures"))
    from resnet_golden import ResNet

    class Logits(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = ResNet(arch["block"], arch["widths"], arch["depths"], arch["stem"], arch["input_channels"],
                              arch["classes"])

        def forward(self, x):
            return self.net(x)[0]

    return Logits()


def load_model(m):
    import torch
    from safetensors.torch import load_file

    model = build(m["architecture"])
    state = load_file(m["weights_path"])
    missing, unexpected = model.net.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise RuntimeError(f"{m['weights']}: missing {missing[:5]}, unexpected {unexpected[:5]}")
    return model.to(torch.float32)


def random_batch(m, batch, seed):
    import torch
    g = torch.Generator().manual_seed(seed)
    c, h, w = m["input"]
    return torch.randn(batch, c, h, w, generator=g)


# ---------------------------------------------------------------- ONNX Runtime (child process)

def ort_child(args):
    """Runs the plan written by the parent: per model an ONNX file, the batches to time and
    the reference input whose logits go back for the agreement check."""
    with open(args.ort_child, encoding="utf-8") as f:
        plan = json.load(f)
    out = {"models": {}, "inference": []}
    for m in plan["models"]:
        session = benchlib.ort_session(m["onnx"], args.threads)
        name = session.get_inputs()[0].name
        check = np.load(m["check_input"])
        logits = session.run(None, {name: check})[0]
        np.save(m["check_output"], logits)
        for batch in m["batches"]:
            c, h, w = m["input"]
            x = np.random.default_rng(batch).standard_normal((batch, c, h, w), dtype=np.float32)
            r = throughput(batch, lambda: session.run(None, {name: x}), args.runs, args.min_seconds)
            log(f"ort {m['name']} batch {batch} threads {args.threads}: {r['median_images_per_s']:.1f} images/s")
            out["inference"].append({"model": m["name"], "batch": batch, **r})
    benchlib.emit(out)


def export_onnx(model, m, folder):
    import torch
    path = os.path.join(folder, f"{m['name']}.onnx")
    x = random_batch(m, 2, 0)
    with torch.no_grad():
        torch.onnx.export(model, (x,), path, input_names=["images"], output_names=["logits"],
                          dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}},
                          opset_version=17, dynamo=False)
    return path


def run_ort(args, cases, torch_logits):
    """Exports every model, runs the ORT child, returns (inference rows, per-model max |ORT - torch|)."""
    with tempfile.TemporaryDirectory() as tmp:
        plan = {"models": []}
        for m in cases["models"]:
            model = load_model(m).eval()
            t0 = time.perf_counter()
            path = export_onnx(model, m, tmp)
            log(f"exported {m['name']} to ONNX in {time.perf_counter() - t0:.1f} s")
            check_input = os.path.join(tmp, f"{m['name']}-check-input.npy")
            np.save(check_input, torch_logits[m["name"]]["input"])
            plan["models"].append({"name": m["name"], "onnx": path, "input": m["input"],
                                   "batches": m["inference_batches"], "check_input": check_input,
                                   "check_output": os.path.join(tmp, f"{m['name']}-check-output.npy")})
            del model
        plan_path = os.path.join(tmp, "plan.json")
        with open(plan_path, "w", encoding="utf-8") as f:
            json.dump(plan, f)
        cmd = [sys.executable, os.path.abspath(__file__), "--cases", args.cases, "--runs", str(args.runs),
               "--threads", str(args.threads), "--min-seconds", str(args.min_seconds), "--ort-child", plan_path]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"ONNX Runtime child exited with {proc.returncode}")
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        diffs = {p["name"]: float(np.abs(np.load(p["check_output"]) - torch_logits[p["name"]]["logits"]).max())
                 for p in plan["models"]}
    return out["inference"], diffs


# ---------------------------------------------------------------- main (PyTorch)

def main(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    from safetensors.numpy import load_file as load_numpy

    cases = load_cases(args.cases)
    result = {
        "versions": {"python": benchlib.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                     **benchlib.versions("onnxruntime", "onnx"),
                     "mkldnn": bool(torch.backends.mkldnn.is_available())},
        "threads": args.threads, "torch_threads": torch.get_num_threads(), "runs": args.runs,
        "min_seconds": args.min_seconds, "models": {}, "inference": [], "training": [],
    }

    # Eval-mode logits of the reference input, for the agreement checks.
    reference = {}
    for m in cases["models"]:
        check = load_numpy(m["check_path"])
        model = load_model(m).eval()
        with torch.inference_mode():
            logits = model(torch.from_numpy(check["input"])).numpy()
        reference[m["name"]] = {"input": check["input"], "logits": logits}
        diff = float(np.abs(logits - check["logits"]).max())
        result["models"][m["name"]] = {"agreement": {"torch_vs_swift_max_abs": diff, "tolerance": TOLERANCE,
                                                     "logit_scale": float(np.abs(check["logits"]).max())}}
        log(f"{m['name']}: max |torch - swift| = {diff:.2e} over {logits.size} logits")

        for batch in m["inference_batches"]:
            x = random_batch(m, batch, batch)

            def infer():
                with torch.inference_mode():
                    model(x)
            r = throughput(batch, infer, args.runs, args.min_seconds)
            log(f"pytorch {m['name']} inference batch {batch} threads {args.threads}: "
                f"{r['median_images_per_s']:.1f} images/s")
            result["inference"].append({"model": m["name"], "batch": batch, "pytorch": r})

        if m.get("training_batch"):
            batch = m["training_batch"]
            train = load_model(m).train()
            decayed = [p for p in train.parameters() if p.dim() > 1]
            others = [p for p in train.parameters() if p.dim() <= 1]
            optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": cases["weight_decay"]},
                                           {"params": others, "weight_decay": 0.0}], lr=cases["learning_rate"])
            x = random_batch(m, batch, 7)
            labels = torch.arange(batch) % m["architecture"]["classes"]

            def step():
                optimizer.zero_grad(set_to_none=True)
                loss = torch.nn.functional.cross_entropy(train(x), labels)
                loss.backward()
                optimizer.step()
            r = throughput(batch, step, args.runs, args.min_seconds)
            log(f"pytorch {m['name']} training batch {batch} threads {args.threads}: "
                f"{r['median_images_per_s']:.1f} images/s")
            result["training"].append({"model": m["name"], "batch": batch, "pytorch": r})
            del train, optimizer
        del model

    if args.skip_ort:
        for row in result["inference"]:
            row["ort"] = {"error": "skipped (--skip-ort)"}
    else:
        try:
            rows, diffs = run_ort(args, cases, reference)
            by_key = {(r["model"], r["batch"]): r for r in rows}
            for row in result["inference"]:
                o = by_key.get((row["model"], row["batch"]))
                row["ort"] = {k: v for k, v in o.items() if k not in ("model", "batch")} if o else {"error": "missing"}
            for name, d in diffs.items():
                result["models"][name]["agreement"]["ort_vs_torch_max_abs"] = d
        except Exception as e:
            log("ONNX Runtime failed:", e)
            for row in result["inference"]:
                row["ort"] = {"error": f"{type(e).__name__}: {e}"[:500]}
    for a in (m["agreement"] for m in result["models"].values()):
        a["ok"] = bool(a["torch_vs_swift_max_abs"] <= TOLERANCE
                       and a.get("ort_vs_torch_max_abs", 0.0) <= TOLERANCE)
    benchlib.emit(result)


if __name__ == "__main__":
    if ARGS.ort_child:
        ort_child(ARGS)
    else:
        main(ARGS)
