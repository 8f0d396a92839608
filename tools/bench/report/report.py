#!/usr/bin/env python3
"""Writes docs/BENCHMARKS.md from a results directory of tools/bench/run.sh.

Usage: report/report.py --results DIR [--out docs/BENCHMARKS.md] [--keep docs/BENCHMARKS.md]

Standard library only. Manual notes live in tools/bench/NOTES.md and are included verbatim
under "## Notes", so regenerating the report never loses them. With --keep (an earlier report),
a section whose measurements are not in DIR (a `BENCH_ONLY=...` run) is copied from that report
with a line saying when it was measured, instead of being left empty.
"""
import argparse
import os
import re
import sys
from datetime import datetime, timezone

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH)
from benchlib import count as tps, load, load_per_thread, mib, rate as sps, ratio, runs_list, spread  # noqa: E402

import report_assistant  # noqa: E402
import report_batch  # noqa: E402
import report_cnn  # noqa: E402
import report_imaging  # noqa: E402
import report_receive  # noqa: E402

NOTES = os.path.join(BENCH, "NOTES.md")


KEPT = "_Not re-run by the latest `make bench`: kept from the report measured"


def earlier_report(path):
    """An earlier report's `## ` sections ({title: body lines}) and when, at which commit and on
    which CPU it was measured (a note for the sections kept from it)."""
    if not path or not os.path.exists(path):
        return {}, None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^Measured \S+ \((\S+)\) on the machine below, commit `(\w+)`", text, re.M)
    when = f"{m.group(1)}, commit `{m.group(2)}`" if m else "earlier"
    sections = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        sections[title.strip()] = body.strip("\n").splitlines()
    cpu = next((line[len("- CPU: "):].split(" (")[0] for line in sections.get("Machine and versions", [])
                if line.startswith("- CPU: ")), None)
    return sections, when + (f", on {cpu}" if cpu else "")


def keep_sections(lines, missing, earlier, when):
    """`lines` with the body of every `## ` section titled in `missing` replaced by the earlier
    report's, under a line saying when that was measured (kept as it was if already kept)."""
    out, title = [], None
    for line in lines:
        if line.startswith("## "):
            title = line[3:].strip()
            out.append(line)
            if title in missing and title in earlier:
                body = earlier[title]
                if not body or not body[0].startswith(KEPT):
                    body = [f"{KEPT} {when}._", ""] + body
                out += [""] + body + [""]
            continue
        if title in missing and title in earlier:
            continue
        out.append(line)
    return out


def machine(results):
    info = {}
    lscpu = load(results, "lscpu.txt") or ""
    m = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    info["cpu"] = m.group(1).strip() if m else "unknown"
    for key, label in (("Core\\(s\\) per socket", "cores_per_socket"), ("Socket\\(s\\)", "sockets"),
                       ("Thread\\(s\\) per core", "threads_per_core"), ("Hypervisor vendor", "hypervisor"),
                       ("L3 cache", "l3")):
        m = re.search(rf"^{key}:\s*(.+)$", lscpu, re.M)
        info[label] = m.group(1).strip() if m else None
    flags = re.search(r"^Flags:\s*(.+)$", lscpu, re.M)
    flags = flags.group(1).split() if flags else []
    info["simd"] = " ".join(f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "amx_tile")
                            if f in flags) or "—"
    info["nproc"] = (load(results, "nproc.txt") or "").strip() or "?"
    mem = load(results, "meminfo.txt") or ""
    m = re.search(r"MemTotal:\s*(\d+)\s*kB", mem)
    info["memory"] = f"{int(m.group(1)) / 1024 / 1024:.1f} GiB" if m else "unknown"
    osr = load(results, "os-release.txt") or ""
    m = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', osr, re.M)
    info["os"] = m.group(1) if m else "unknown"
    info["kernel"] = (load(results, "uname.txt") or "").strip()
    sv = (load(results, "swift-version.txt") or "").strip().splitlines()
    info["swift"] = sv[0] if sv else "unknown"
    info["openblas"] = "; ".join((load(results, "openblas.txt") or "").split("\n")) or "not installed"
    info["imaging_libs"] = "; ".join((load(results, "imaging-libs.txt") or "").split("\n")) or "unknown"
    info["dcmtk"] = (load(results, "dcmtk.txt") or "").strip()
    info["python"] = (load(results, "python-version.txt") or "").strip()
    freeze = load(results, "pip-freeze.txt") or ""
    info["pip"] = dict(line.split("==", 1) for line in freeze.splitlines() if "==" in line)
    git = load(results, "git.txt") or ""
    m = re.search(r"commit (\S+)", git)
    info["commit"] = m.group(1) if m else "unknown"
    m = re.search(r"dirty_files (\d+)", git)
    info["dirty"] = int(m.group(1)) if m else 0
    return info


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--results", required=True)
    p.add_argument("--out", default="docs/BENCHMARKS.md")
    p.add_argument("--keep", help="earlier report whose sections stand in for the ones not measured in --results")
    args = p.parse_args()
    r = args.results
    earlier, earlier_when = earlier_report(args.keep)

    run = load(r, "run.json") or {}
    steps = load(r, "steps.jsonl") or []
    swift_embed = dict(sorted(load_per_thread(r, "swift-embed").items()))
    threads = list(swift_embed)
    peer_text = {t: load(r, f"peer-text-t{t}.json") for t in threads}
    swift_tok = load(r, "swift-tokenize.json")
    peer_tok = load(r, "peer-tokenize.json")
    swift_mem = load(r, "swift-memory.json")
    peer_mem = load(r, "peer-memory.json")
    mi = machine(r)
    runs = run.get("runs") or (swift_tok or {}).get("runs") or "?"
    finished = run.get("finished_utc") or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    versions = {}
    for t in threads:
        if peer_text.get(t):
            versions = peer_text[t].get("versions", {})
            break
    sentences = next((e["sentences"] for e in swift_embed.values() if e), None)

    L = []
    add = L.append
    add("# Benchmarks")
    add("")
    add("<!-- Generated by tools/bench/report/report.py from `make bench`; do not edit by hand. "
        "Manual notes go in tools/bench/NOTES.md (included under Notes). -->")
    add("")
    add(f"Measured {finished[:10]} ({finished}) on the machine below, commit `{mi['commit'][:12]}`"
        + (f" with {mi['dirty']} uncommitted file(s)" if mi["dirty"] else "")
        + (f"; this run measured only `BENCH_ONLY={run['only']}`, the other sections are kept from earlier runs "
           "as marked" if run.get("only") else "") + ".")
    add("")
    noisy = [st for st in steps if (st.get("other_cpu_during_pct") or 0) > 10]
    if noisy:
        add("> **Caution:** other processes used more than 10% of the CPU during "
            + ", ".join(f"{st['step']} ({st['other_cpu_during_pct']:.0f}%)" for st in noisy)
            + "; those figures are likely low.")
        add("")
    add("## How to reproduce")
    add("")
    add("```sh")
    add("make bench     # = make setup, swift build -c release --package-path tools/bench (suite-bench, triage, "
        "assistant), bash tools/bench/run.sh tools/bench/.build/release")
    add("```")
    add("")
    add("`tools/bench/run.sh` runs the release `suite-bench` binary (tools/bench, a Swift package of its own) and the "
        "Python peers (tools/bench/peers/, in a pinned venv outside the repo: tools/bench/requirements.txt) on "
        "the same model and data, saves every JSON output under `.build/bench-results/<time>/`, and "
        "regenerates this file. The text benchmarks need the shared Banking77 data at "
        "`../shared/data/banking77/train.jsonl` (without it, they are skipped and their sections kept as they were). "
        f"Every text throughput figure is the median of {runs} timed runs over all {f'{sentences:,}' if sentences else 'the'} texts, after one "
        "warm-up; `BENCH_RUNS=N` changes the count. Run it on an otherwise idle machine: run.sh warns when "
        "the CPU was busy before a timed step.")
    add("")
    add("`BENCH_ONLY=\"imaging\" bash tools/bench/run.sh tools/bench/.build/release` re-runs only the named sections (any of "
        "`embed tokenize memory vault imaging cnn batch assistant kb-eval receive`; `kb-eval` is the demo-KB evaluation alone, "
        "which needs the model but not the shared data); the sections it does not run are kept from the previous version of "
        "this file, each with a line saying when and on which CPU it was measured.")
    add("")
    add("- Model: sentence-transformers all-MiniLM-L6-v2 (`models/all-MiniLM-L6-v2`, `make setup`), "
        "6 layers, hidden size 384, max sequence length 256.")
    add("- Data: the Banking77 training set, "
        f"{f'{sentences:,}' if sentences else '10,003'} short customer-service queries "
        "(Banking77, PolyAI, CC BY 4.0: Casanueva et al., *Efficient Intent Detection with Dual Sentence "
        "Encoders*, 2020). The data is not in the repo.")
    add("")

    # ---- embedding
    add("## Embedding throughput (sentences/s, higher is better)")
    add("")
    add("All texts in batches of 32, sorted by length as sentence-transformers does, mean pooling and "
        "L2 normalisation; tokenization is inside the timed region for every implementation.")
    add("")
    add("| threads | Swift (suite) | sentence-transformers (PyTorch) | ONNX Runtime | Swift / PyTorch | Swift / ORT |")
    add("|---:|---:|---:|---:|---:|---:|")
    for t in threads:
        s = (swift_embed.get(t) or {}).get("median_sentences_per_s")
        pt = ((peer_text.get(t) or {}).get("pytorch") or {}).get("median_sentences_per_s")
        ort = ((peer_text.get(t) or {}).get("ort") or {}).get("median_sentences_per_s")
        add(f"| {t} | {sps(s)} | {sps(pt)} | {sps(ort)} | {ratio(s, pt)} | {ratio(s, ort)} |")
    add("")
    add("- Swift: `suite-bench embed --threads N` (the suite's `SentenceEncoder`; compute threads set with "
        "`ComputeThreads.set(N)`).")
    add("- PyTorch: `SentenceTransformer(model, device=\"cpu\").encode(texts, batch_size=32)` with "
        "`torch.set_num_threads(N)`, `torch.set_num_interop_threads(1)`.")
    add("- ONNX Runtime: the transformer, with eager attention, exported once with `torch.onnx.export` "
        "(dynamic batch and sequence axes; cached outside the repo), and ONNX Runtime's own graph optimisations "
        "(`ORT_ENABLE_ALL`; eager attention through the TorchScript exporter gave ONNX Runtime its fastest graph on this "
        "machine, 25–30% faster per batch than the default SDPA attention through the torch.export-based exporter); "
        "`InferenceSession` with `intra_op_num_threads=N`, `inter_op_num_threads=1`, sequential "
        "execution; the fast tokenizer (pad to longest, truncate to 256), mean pooling and normalisation "
        "in NumPy. Its embeddings against sentence-transformers' (cosine, every text):")
    for t in threads:
        o = (peer_text.get(t) or {}).get("ort") or {}
        if "error" in o:
            add(f"  - {t} thread(s): **not measured**: {o['error']}")
        elif o.get("agreement"):
            a = o["agreement"]
            add(f"  - {t} thread(s): min {a['min_cosine']:.7f}, mean {a['mean_cosine']:.7f} over "
                f"{a['compared']:,} texts: {'agree' if a['ok'] else '**DISAGREE**'} (threshold > {a['threshold']}); "
                f"exporter `{o.get('exporter')}`")
    add("- Every peer also gets `OMP/OPENBLAS/MKL/RAYON_NUM_THREADS=N`, so nothing uses more than N cores.")
    add("")

    # ---- tokenizer
    add("## Tokenizer throughput (tokens/s, one thread, higher is better)")
    add("")
    if swift_tok and peer_tok:
        head = peer_tok.get("headline", "loop")
        hf = peer_tok.get("median_tokens_per_s")
        add("| Swift (suite) | HF tokenizers (headline) | Swift / HF | HF `encode` loop | HF `encode_batch` |")
        add("|---:|---:|---:|---:|---:|")
        add(f"| {tps(swift_tok.get('median_tokens_per_s'))} | {tps(hf)} ({'encode loop' if head == 'loop' else 'encode_batch'}) "
            f"| {ratio(swift_tok.get('median_tokens_per_s'), hf)} "
            f"| {tps(peer_tok['loop']['median_tokens_per_s'])} | {tps(peer_tok['batch']['median_tokens_per_s'])} |")
        add("")
        match = peer_tok.get("token_count_matches_swift")
        add(f"- {swift_tok.get('texts'):,} texts, no truncation, no padding, special tokens included: "
            f"Swift counts {swift_tok.get('tokens'):,} tokens, HF tokenizers {peer_tok.get('tokens'):,} "
            f"({'the same' if match else '**DIFFERENT**'}).")
        add(f"- HF: `Tokenizer.from_file(tokenizer.json)` (tokenizers {peer_tok.get('tokenizers')}) with "
            "`no_truncation()`, `no_padding()`, `RAYON_NUM_THREADS=1`, `TOKENIZERS_PARALLELISM=false`; the headline "
            "is the faster of a Python loop of `encode(text)` and one `encode_batch(texts)`. "
            "Swift: `suite-bench tokenize` (`Tokenizer.encode` per text).")
    else:
        add("Not measured.")
    add("")

    # ---- memory
    add("## Peak memory (embedding all texts once, batch 32)")
    add("")
    if swift_mem:
        model_b = swift_mem["model_file_bytes"]
        act_b = swift_mem["activation_bytes_one_batch"]
        bound = 1.5 * model_b + act_b
        peak = swift_mem["peak_rss_bytes"]
        base = swift_mem["baseline_peak_rss_bytes"]
        add("| | peak RSS | before the model was loaded | growth |")
        add("|---|---:|---:|---:|")
        add(f"| Swift (suite) | {mib(peak)} | {mib(base)} | {mib(peak - base)} |")
        if peer_mem:
            add(f"| sentence-transformers (PyTorch, 2 threads) | {mib(peer_mem['peak_rss_bytes'])} | "
                f"{mib(peer_mem['baseline_peak_rss_bytes'])} | "
                f"{mib(peer_mem['peak_rss_bytes'] - peer_mem['baseline_peak_rss_bytes'])} |")
        add("")
        add(f"Bound for the suite: 1.5 × model file ({mib(model_b)}) + one batch of activations "
            f"({mib(act_b)}, the 32 longest texts) = **{mib(bound)}**. "
            f"Swift's peak RSS is {mib(peak)}: "
            + ("**within the bound**" if peak <= bound else "**over the bound**")
            + f" ({100 * peak / bound:.1f}% of it; {100 * (peak - base) / bound:.1f}% counting only the growth "
            "after start-up).")
        add("")
        add("Peak RSS is the process's high-water mark (`getrusage` `ru_maxrss`); \"before the model was loaded\" "
            "is the same figure taken after reading the texts (and, for Python, importing torch), so the growth "
            "column is what loading the model and embedding cost. The PyTorch figure is for context: it "
            "includes the Python interpreter and the torch runtime.")
    else:
        add("Not measured.")
    add("")

    # ---- vault and audit log
    vault = load(r, "swift-vault.json")
    add("## Vault and audit log (`suite-bench vault --records 100000`)")
    add("")
    if not vault:
        add("Not measured.")
        add("")
    else:
        add("| figure | value |")
        add("|---|---:|")
        add(f"| seal, {vault['record_bytes']}-byte records (AES-256-GCM) | {vault['seal_records_per_s']:,.0f} records/s ({vault['seal_mb_per_s']:.1f} MB/s) |")
        add(f"| open, same records | {vault['open_records_per_s']:,.0f} records/s ({vault['open_mb_per_s']:.1f} MB/s) |")
        add(f"| audit appends, batches of 50, durable commit + checkpoint per batch | {vault['audit_appends_per_s_batch_50']:,.0f} entries/s |")
        add(f"| `keys rotate` (re-wrap every data key) | {vault['rotation_rewrap_s']:.2f} s |")
        add(f"| `keys rotate --reencrypt`, {vault['rotation_records']:,} sealed records | {vault['rotation_reencrypt_s']:.1f} s |")
        add("")
        add("Seal and open are medians over the runs; rotation is one run (the re-encryption includes its 2 s key-expiry wait).")
        add("")

    # ---- imaging
    swift_img = load(r, "swift-imaging.json")
    peer_img = load(r, "peer-imaging.json")
    add(f"## {report_imaging.TITLE}")
    add("")
    L.extend(report_imaging.section(swift_img, peer_img, load(r, "imaging-inputs.json"), steps)
             or ["Not measured.", ""])

    # ---- CNN
    cnn = report_cnn.section(r, steps)
    add(f"## {report_cnn.TITLE}")
    add("")
    L.extend(cnn or ["Not measured.", ""])

    # ---- triage batch
    batch = report_batch.files(r)
    add(f"## {report_batch.TITLE}")
    add("")
    L.extend(report_batch.section(batch, load(r, "batch-inputs.json"), steps) or ["Not measured.", ""])

    # ---- assistant
    add(f"## {report_assistant.TITLE}")
    add("")
    assistant_lines = report_assistant.section(r, steps)
    L.extend(assistant_lines or ["Not measured.", ""])
    add(f"## {report_assistant.KB_TITLE}")
    add("")
    kb_eval_lines = report_assistant.kb_eval_section(r, steps)
    L.extend(kb_eval_lines or ["Not measured.", ""])

    # ---- DICOM receive
    add(f"## {report_receive.TITLE}")
    add("")
    receive_lines = report_receive.section(r, steps)
    L.extend(receive_lines or ["Not measured.", ""])

    # ---- machine
    add("## Machine and versions")
    add("")
    cores = mi["nproc"]
    add(f"- CPU: {mi['cpu']}, {cores} logical CPU(s) ({mi['sockets']} socket(s) × {mi['cores_per_socket']} "
        f"core(s) × {mi['threads_per_core']} thread(s))"
        + (f", {mi['hypervisor']} guest" if mi["hypervisor"] else "") + (f", L3 {mi['l3']}" if mi["l3"] else "")
        + f"; SIMD: {mi['simd']}")
    add(f"- Memory: {mi['memory']}")
    add(f"- OS: {mi['os']} ({mi['kernel']})")
    add(f"- Swift: {mi['swift']}")
    add(f"- OpenBLAS (Debian package): {mi['openblas']}")
    pip = mi["pip"]
    pv = lambda name: pip.get(name) or versions.get(name.replace("-", "_")) or "?"  # noqa: E731
    add(f"- Python {mi['python'].replace('Python ', '') or versions.get('python', '?')}: torch {pv('torch')}, "
        f"sentence-transformers {pv('sentence-transformers')}, transformers {pv('transformers')}, "
        f"tokenizers {pv('tokenizers')}, onnxruntime {pv('onnxruntime')}, onnx {pv('onnx')}, "
        f"numpy {pv('numpy')}, pillow {pv('pillow')}, pydicom {pv('pydicom')} (full list: tools/bench/requirements.txt)")
    add(f"- Imaging libraries (Debian packages, used by the suite): {mi['imaging_libs']}")
    if mi["dcmtk"]:
        add(f"- DCMTK (Debian package, the receive section's storescp and storescu): {mi['dcmtk']}")
    add("")

    # ---- raw runs
    add("## Raw runs")
    add("")
    add("| measurement | runs | median | spread (max−min)/median |")
    add("|---|---|---:|---:|")
    for t in threads:
        e = swift_embed.get(t) or {}
        add(f"| Swift embed, {t} thread(s), sentences/s | {runs_list(e.get('runs_sentences_per_s'), sps)} "
            f"| {sps(e.get('median_sentences_per_s'))} | {spread(e.get('runs_sentences_per_s'))} |")
        pt = (peer_text.get(t) or {}).get("pytorch") or {}
        add(f"| PyTorch embed, {t} thread(s), sentences/s | {runs_list(pt.get('runs_sentences_per_s'), sps)} "
            f"| {sps(pt.get('median_sentences_per_s'))} | {spread(pt.get('runs_sentences_per_s'))} |")
        o = (peer_text.get(t) or {}).get("ort") or {}
        add(f"| ORT embed, {t} thread(s), sentences/s | {runs_list(o.get('runs_sentences_per_s'), sps)} "
            f"| {sps(o.get('median_sentences_per_s'))} | {spread(o.get('runs_sentences_per_s'))} |")
    if swift_tok:
        add(f"| Swift tokenize, tokens/s | {runs_list(swift_tok.get('runs_tokens_per_s'), tps)} "
            f"| {tps(swift_tok.get('median_tokens_per_s'))} | {spread(swift_tok.get('runs_tokens_per_s'))} |")
    if peer_tok:
        for k, label in (("loop", "HF `encode` loop"), ("batch", "HF `encode_batch`")):
            v = peer_tok.get(k) or {}
            add(f"| {label}, tokens/s | {runs_list(v.get('runs_tokens_per_s'), tps)} "
                f"| {tps(v.get('median_tokens_per_s'))} | {spread(v.get('runs_tokens_per_s'))} |")
    add("")
    if steps:
        total = run.get("total_seconds")
        add("Wall time of each step" + (f" (whole run {total // 60} min {total % 60} s)" if total else "") + "; how "
            "busy the CPU was in the second before it; and the share of the machine's CPU time that other "
            "processes used while it ran (anything well above 0% means a neighbour skewed the figures; a step "
            "that shared the CPU is tried again, `BENCH_RETRIES`, and the cleanest try kept):")
        add("")
        add("| step | try kept | seconds | CPU busy before | other processes during |")
        add("|---|---:|---:|---:|---:|")
        for s in steps:
            other = s.get("other_cpu_during_pct")
            add(f"| {s['step']} | {s.get('try', 1)} | {s['seconds']:.0f} | {s['cpu_busy_before_pct']}% | "
                f"{'—' if other is None else f'{other:.1f}%'} |")
        add("")

    # ---- notes
    add("## Notes")
    add("")
    if os.path.exists(NOTES):
        with open(NOTES, encoding="utf-8") as f:
            add(f.read().rstrip())
    else:
        add("<!-- notes: write them in tools/bench/NOTES.md; report.py includes that file here verbatim -->")
    add("")
    add("---")
    add("")
    add("Data: Banking77 by PolyAI, licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). "
        f"Generated {finished}.")
    add("")

    missing = set()
    if not any(swift_embed.values()):
        missing.add("Embedding throughput (sentences/s, higher is better)")
    if not (swift_tok and peer_tok):
        missing.add("Tokenizer throughput (tokens/s, one thread, higher is better)")
    if not swift_mem:
        missing.add("Peak memory (embedding all texts once, batch 32)")
    if not vault:
        missing.add("Vault and audit log (`suite-bench vault --records 100000`)")
    if not swift_img:
        missing.add(report_imaging.TITLE)
    if not cnn:
        missing.add(report_cnn.TITLE)
    if not (batch["swift-batch-w1"] or batch["swift-batch-w2"]):
        missing.add(report_batch.TITLE)
    if not assistant_lines:
        missing.add(report_assistant.TITLE)
    if not kb_eval_lines:
        missing.add(report_assistant.KB_TITLE)
    if not receive_lines:
        missing.add(report_receive.TITLE)
    if not any(swift_embed.values()) and not swift_tok:
        missing.add("Raw runs")
    L = keep_sections(L, missing, earlier, earlier_when)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".partial"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(L))
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
