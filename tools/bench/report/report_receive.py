"""The "DICOM receive" section of docs/BENCHMARKS.md (used by report.py), from
receive-{storescp,triage}-c{1,4}.json (tools/bench/peers/receive_bench.py), receive-inputs.json
(the manifest of inputs/receive_inputs.py), dcmtk.txt and lscpu.txt in a results directory of
run.sh. Standard library only.
"""
import re

from benchlib import conditions, load, mib, rate, ratio

TITLE = "DICOM receive: `triage serve` against DCMTK's storescp (instances/s, higher is better)"
TARGET = 1.0
CONCURRENCY = (1, 4)
ISSUE_COUNT = 2000


def files(results):
    return {(rx, c): load(results, f"receive-{rx}-c{c}.json") for rx in ("storescp", "triage") for c in CONCURRENCY}


def seconds(x):
    if x is None:
        return "—"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def verdict(r):
    return "—" if r is None else ("met" if r >= TARGET else "**not met**")


def section(results, steps):
    """Lines of the section (after its heading), or None when no receive result is there."""
    data = files(results)
    if not any(data.values()):
        return None
    inputs = load(results, "receive-inputs.json") or {}
    dcmtk = (load(results, "dcmtk.txt") or "").strip() or "unknown"
    lscpu = load(results, "lscpu.txt") or ""
    m = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    cpu = m.group(1).strip() if m else "unknown CPU"
    nproc = (load(results, "nproc.txt") or "?").strip()
    n = next((d["instances"] for d in data.values() if d), inputs.get("count"))
    total = next((d["input_bytes"] for d in data.values() if d), inputs.get("total_bytes") or 0)
    L = []
    add = L.append
    add(f"{n:,} DICOM instances (Digital X-Ray Image Storage – For Presentation, {inputs.get('size', 2048)}x"
        f"{inputs.get('size', 2048)}, 16 bits allocated, 12 stored, Explicit VR Little Endian, "
        f"{inputs.get('mean_bytes', 0) / 1e6:.2f} MB each, {total / 1e9:.1f} GB in all; two images per study, PA and "
        "lateral; a smooth gradient, a soft body-like shape and Gaussian noise, each instance its own SOP Instance UID), "
        f"generated once by `tools/bench/inputs/receive_inputs.py` (seed {inputs.get('seed', '?')}) into the bench "
        "cache outside the repo. Sent by DCMTK's `storescu` over 127.0.0.1, with 1 association, then with 4 "
        "(the files split into 4 lists of whole studies, one `storescu` process each, started together), to "
        "DCMTK's `storescp` and to the release `triage serve`, one after the other in the same run, each writing "
        f"to the same disk as the inputs. {cpu}, {nproc} logical CPU(s); DCMTK (Debian package) {dcmtk}.")
    if n and n < ISSUE_COUNT:
        add("")
        add(f"> **{n:,} instances, not the {ISSUE_COUNT:,} of issue 18**: this run was made with "
            f"`BENCH_RECEIVE_INSTANCES={n}` to fit its time budget.")
    add("")
    add("| receiver | associations | instances/s | MB/s | ours / storescp | receive time | peak RSS | server CPU s |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|")
    labels = {"storescp": "DCMTK `storescp` (no fsync)", "triage": "`triage serve` (fsync per instance)"}
    for c in CONCURRENCY:
        base = (data[("storescp", c)] or {}).get("instances_per_s")
        for rx in ("storescp", "triage"):
            d = data[(rx, c)]
            if not d:
                add(f"| {labels[rx]} | {c} | not measured | | | | | |")
                continue
            v = d["instances_per_s"]
            add(f"| {labels[rx]} | {c} | **{rate(v)}** | {rate(d['mb_per_s'])} | "
                f"{ratio(v, base) if rx == 'triage' else ''} | {d['receive_seconds']:.1f} s | "
                f"{mib(d.get('peak_rss_bytes'), 0)} | {d.get('server_cpu_seconds', 0):.1f} |")
    add("")
    pairs = []
    for c in CONCURRENCY:
        a = (data[("triage", c)] or {}).get("instances_per_s")
        b = (data[("storescp", c)] or {}).get("instances_per_s")
        pairs.append(f"{c} association{'s' if c > 1 else ''} {ratio(a, b)} ({verdict(a / b if a and b else None)})")
    add(f"Target ≥ {TARGET:.1f}× storescp's instances/s **with our fsync on**: " + "; ".join(pairs) + ".")
    add("")
    tri = [(c, data[("triage", c)]) for c in CONCURRENCY if data[("triage", c)]]
    if tri:
        add("`triage serve`, from C-STORE response to stored verdict (per instance, `studies.scored_at − "
            "received_instances.received_at`, joined on `source_hash`), and from the first association to the last "
            "verdict:")
        add("")
        add("| associations | p50 | p99 | max | first association → last verdict | verdicts |")
        add("|---:|---:|---:|---:|---:|---|")
        for c, d in tri:
            lat = d["receipt_to_verdict_s"]
            st = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(d.get("statuses", {}).items()))
            add(f"| {c} | {seconds(lat['p50'])} | {seconds(lat['p99'])} | {seconds(lat['max'])} | "
                f"{d['first_association_to_last_verdict_s']:.1f} s | {st} |")
        add("")
    add("- **Durability is not the same on both sides.** `triage serve` seals each instance (AES-256-GCM), writes it to "
        "a temporary file, **fsyncs it**, links it into `<home>/spool/incoming` and fsyncs the folder, all *before* "
        "it answers the C-STORE with success, so an acknowledged instance survives a crash or a power cut. "
        "`storescp` (as run here, its defaults) writes the file and answers without any fsync: an acknowledged "
        "instance may still be only in the page cache.")
    add("- instances/s and MB/s: instances (and input-file bytes, 10^6 bytes per MB) ÷ the wall time from spawning "
        "the first `storescu` to the exit of the last. Every instance is checked as stored: `storescp`'s output "
        "folder holds N files; `triage serve`'s store has N received instances, each joined to its verdict.")
    add("- `storescp -aet STORESCP -od DIR PORT` (plain, no `--fork`, default storage SOP classes and transfer "
        "syntaxes): it serves one association at a time, so with 4 `storescu` processes the other associations wait "
        "for theirs (`storescu -ta` set long enough for that). `triage serve --home H --model data/triage-model "
        "--dicom-port 0 --spool-quota-mb Q` (Q above the whole input, so the quota never refuses; its default "
        "`--max-associations 16`, so the 4 associations are served at once) in a fresh home (`triage keys init`, not timed). Senders: "
        "`storescu -aet BENCHSCU -aec AE -R -ta T 127.0.0.1 PORT FILE...` per list.")
    add("- `triage serve` scores while it receives: its drain thread takes what the spool holds in rounds (the "
        "pipeline of `triage batch`: decode, scope checks, score, sealed identity, audit) and shares the cores with "
        "the receiving tasks, so its receive figures include that competition. When instances arrive faster than "
        "the drain scores them, they wait in the spool, and the receipt-to-verdict time is mostly that wait. The "
        "generated images are not radiographs: they are stored as not assessable (in a trial, the PA images out "
        "of distribution at the model's input gate, the laterals at the view check), each still with a stored "
        "verdict and its `scored_at`.")
    add("- The receive wait: after the last `storescu` exits, the run waits (bounded) until `<home>/spool/incoming` is "
        "empty and the store holds N scored studies, then reads `<home>/store.sqlite` (these columns are not sealed). "
        "`received_at` is when the instance was spooled (its C-STORE answered); `scored_at` when its verdict was "
        "stored; both in milliseconds.")
    add("- Peak RSS: the server process's high-water mark (`VmHWM` in `/proc/PID/status`), read just before it is "
        "stopped with SIGTERM; server CPU s: its user + system time until then (`triage serve`'s includes sealing, "
        "fsync and the scoring of every instance).")
    mem = re.search(r"MemTotal:\s*(\d+)\s*kB", load(results, "meminfo.txt") or "")
    mem = int(mem.group(1)) * 1024 if mem else None
    add("- Page cache: before each run, everything dirty is written back (`sync`) and the input files are dropped "
        "from the page cache (`posix_fadvise(DONTNEED)`), so every run reads its inputs from the disk alike."
        + (f" The inputs and one receiver's output ({total / 1e9:.1f} GB each) do not both fit in this machine's "
           f"{mem / 2**30:.1f} GiB of memory anyway, so both receivers also wait on the disk's writeback."
           if mem and 2 * total > mem else ""))
    add("- Order within the run: storescp, then `triage serve`, with 1 association; then the same with 4. Each "
        "receiver's output is deleted after its run. storescp with `-pdu 65536` (the maximum PDU `triage serve` "
        "offers) instead of DCMTK's default 16384 made no difference in a 200-instance trial (7.3 vs 7.7 "
        "instances/s), so it runs with its default.")
    cond = conditions(steps, ("receive ",), with_seconds=True)
    if cond:
        add(cond)
    add("- Reproduce: `BENCH_ONLY=receive bash tools/bench/run.sh tools/bench/.build/release` (about 15 minutes "
        f"once the inputs exist; {ISSUE_COUNT:,} instances by default"
        + ("" if n == ISSUE_COUNT else f", `BENCH_RECEIVE_INSTANCES={n}` for this run") + ").")
    add("")
    return L
