"""The "CNN inference and training" section of docs/BENCHMARKS.md (used by report.py), from
swift-cnn-t<N>.json (`suite-bench cnn`) and peer-cnn-t<N>.json (peers/peer_cnn.py) in a results
directory of run.sh. Standard library only.
"""
from benchlib import conditions, load_per_thread, rate, ratio, spread

TITLE = "CNN inference and training (images/s, higher is better)"

MODELS = {
    "triage": "triage ResNet, 28×28×1",
    "resnet18": "ResNet-18, 224×224×3",
}
DESCRIPTIONS = {
    "triage": "the shipped triage architecture: basic blocks, small stem (3×3 conv, no pooling), widths "
              "[32, 64, 128], depths [2, 2, 2], 1 input channel, 2 classes",
    "resnet18": "torchvision's ResNet-18: basic blocks, ImageNet stem (7×7/2 conv + 3×3/2 max pool), widths "
                "[64, 128, 256, 512], depths [2, 2, 2, 2], 3 channels, 1000 classes",
}
TARGETS = {"inference": 1.0, "training": 0.8}


def rows(swift, peer):
    """(threads, mode, model, batch, swift row, peer row) in table order."""
    out = []
    for t in sorted(swift):
        s = swift[t] or {}
        p = peer.get(t) or {}
        for mode in ("inference", "training"):
            by_key = {(r["model"], r["batch"]): r for r in p.get(mode, [])}
            for r in s.get(mode, []):
                out.append((t, mode, r["model"], r["batch"], r, by_key.get((r["model"], r["batch"])) or {}))
    return out


def section(results, steps):
    """Lines of the section (after its heading), or None when no swift-cnn-t*.json is there."""
    swift = {t: v for t, v in load_per_thread(results, "swift-cnn").items() if v}
    if not swift:
        return None
    peer = {t: v for t, v in load_per_thread(results, "peer-cnn").items() if v}
    first = swift[min(swift)]
    versions = next((p.get("versions", {}) for p in peer.values()), {})
    L = []
    add = L.append
    macs = {name: m.get("forward_multiply_adds_per_image") for name, m in (first.get("models") or {}).items()}
    add("Random weights (the suite's `FreshWeights` with torchvision's initialisation, seeded), the same for every "
        "implementation: `suite-bench cnn --export` writes them as safetensors under torchvision names and peer_cnn.py "
        "loads them into a torchvision-style PyTorch module. Inputs are standard-normal pixels. "
        f"Median of {first.get('runs', '?')} timed runs after one warm-up; each run repeats the batch for at least "
        f"{first.get('min_seconds', '?')} s.")
    add("")
    for name, label in MODELS.items():
        if name in macs:
            add(f"- {label}: {DESCRIPTIONS[name]}; {macs[name] / 1e9:.3f} G multiply-adds per image "
                f"({2 * macs[name] / 1e9:.3f} GFLOP).")
    add("")
    add("| threads | model | mode | batch | Swift (suite) | PyTorch | ONNX Runtime | Swift / PyTorch | Swift / ORT "
        "| target | Swift GFLOP/s (effective) | % of sgemm peak |")
    add("|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    verdicts = []
    for t, mode, model, batch, s, p in rows(swift, peer):
        sv = s.get("median_images_per_s")
        pv = (p.get("pytorch") or {}).get("median_images_per_s")
        ov = (p.get("ort") or {}).get("median_images_per_s")
        peak = ((swift[t].get("sgemm") or {}).get("median_gflops"))
        gf = s.get("median_gflops")
        target = TARGETS[mode]
        met = None if not sv or not pv else sv / pv >= target
        verdicts.append(met)
        goal = f"≥ {target:.1f}× PyTorch: " + ("—" if met is None else "met" if met else "**not met**")
        add(f"| {t} | {MODELS.get(model, model)} | {mode} | {batch} | {rate(sv)} | {rate(pv)} | {rate(ov)} | "
            f"{ratio(sv, pv)} | {ratio(sv, ov)} | {goal} | {'—' if gf is None else f'{gf:.1f}'} | "
            f"{'—' if not gf or not peak else f'{100 * gf / peak:.0f}%'} |")
    add("")
    met = sum(1 for v in verdicts if v)
    add(f"Targets met in {met} of {len(verdicts)} rows "
        f"(inference ≥ {TARGETS['inference']:.1f}× PyTorch, training ≥ {TARGETS['training']:.1f}× PyTorch).")
    add("")
    peaks = ", ".join(f"{(swift[t].get('sgemm') or {}).get('median_gflops', 0):.1f} GFLOP/s on {t} thread(s)"
                      for t in sorted(swift))
    add(f"- sgemm peak: `MatMul.gemm` (OpenBLAS, `{first.get('blas_core', '?')}` kernels) on "
        f"square {(first.get('sgemm') or {}).get('n', '?')} × {(first.get('sgemm') or {}).get('n', '?')} matrices: {peaks}. "
        "GFLOP/s = images/s × 2 × multiply-adds of the direct convolutions and the classifier "
        "(`ResNet.Config.multiplyAdds`); a training step counts 3 × the forward pass (forward, input and weight "
        "gradients). These are *effective* figures: the suite runs 3×3 stride-1 convolutions with 32+ channels "
        "through Winograd F(2×2, 3×3), 2.25× fewer multiplications than counted, so they can pass the sgemm peak.")
    add("- Swift: `suite-bench cnn --threads N` (tools/bench/Sources/suite-bench/CNNBench.swift). Inference: "
        "`TrainableResNet.inferenceModel()` (batch norms folded into the convolutions) → `ResNet.forward`. Training: "
        "`TrainableResNet.forward` (batch statistics) → `CrossEntropyLoss.softmax` → `backward` → `AdamW.step` "
        "(lr 1e-3, weight decay 1e-4 on convolution and linear weights).")
    add(f"- PyTorch {versions.get('torch', '?')}: `tools/bench/peers/peer_cnn.py`, eager NCHW float32 on the CPU "
        "(oneDNN convolutions), `torch.set_num_threads(N)`, `set_num_interop_threads(1)`; inference in eval mode "
        "under `torch.inference_mode()`; training in train mode with `F.cross_entropy`, `backward`, "
        "`torch.optim.AdamW` (same settings, `zero_grad(set_to_none=True)`).")
    add(f"- ONNX Runtime {versions.get('onnxruntime', '?')}: the eval module exported with `torch.onnx.export` "
        "(TorchScript exporter, opset 17, dynamic batch), `ORT_ENABLE_ALL` (which folds batch norm too), "
        "`intra_op_num_threads=N`, `inter_op_num_threads=1`, sequential execution, in a child process.")
    for t in sorted(peer):
        for name, m in (peer[t].get("models") or {}).items():
            a = m.get("agreement") or {}
            if a:
                ort = a.get("ort_vs_torch_max_abs")
                add(f"  - agreement, {MODELS.get(name, name)}, {t} thread(s): max |PyTorch − Swift| "
                    f"{a['torch_vs_swift_max_abs']:.1e}" + ("" if ort is None else f", max |ORT − PyTorch| {ort:.1e}")
                    + f" over the logits of 2 reference images (largest |logit| {a.get('logit_scale', 0):.2f}): "
                    + ("agree" if a.get("ok") else "**DISAGREE**") + f" (tolerance {a.get('tolerance')})")
    errors = {(p.get("ort") or {}).get("error") for _, _, _, _, _, p in rows(swift, peer)} - {None}
    for e in sorted(errors):
        add(f"- ONNX Runtime **not measured**: {e}")
    line = conditions(steps, ("swift cnn", "peers cnn"))
    if line:
        add(line)
    add("")
    add("| run | images/s per timed run | spread (max−min)/median |")
    add("|---|---|---:|")
    for t, mode, model, batch, s, p in rows(swift, peer):
        label = f"{MODELS.get(model, model)}, {mode}, batch {batch}, {t} thread(s)"
        for who, v in (("Swift", s.get("runs_images_per_s")),
                       ("PyTorch", (p.get("pytorch") or {}).get("runs_images_per_s")),
                       ("ORT", (p.get("ort") or {}).get("runs_images_per_s"))):
            if who != "ORT" or mode == "inference":  # ORT only runs inference
                add(f"| {label}, {who} | {', '.join(f'{x:,.1f}' for x in v) if v else '—'} | {spread(v)} |")
    for t in sorted(swift):
        v = (swift[t].get("sgemm") or {}).get("runs_gflops")
        add(f"| sgemm, {t} thread(s), GFLOP/s | {', '.join(f'{x:.1f}' for x in v) if v else '—'} | {spread(v)} |")
    add("")
    return L
