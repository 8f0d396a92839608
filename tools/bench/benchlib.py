"""Helpers shared by the benchmark scripts of tools/bench (peers/, inputs/, report/, experiments/
and step.py): statistics, timing, thread limits, reading the data set, installed versions, the
one-JSON-object output, and the report's number formatting and result loading.

Standard library only, so a peer can import it before NumPy or torch (`limit_threads` has to
run before those start their thread pools). A script in a sub-folder imports it with

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import benchlib  # noqa: E402
"""
import glob
import hashlib
import json
import os
import resource
import statistics
import sys
import time
from importlib import metadata

# ---------------------------------------------------------------- measuring (the peers)

# The variables that size the thread pools of OpenMP, OpenBLAS, MKL and Rust's rayon (HF tokenizers).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")


def limit_threads(n, variables=THREAD_VARIABLES):
    """Sets every thread-pool size variable in `variables` to `n`. Call it before importing
    NumPy, torch or tokenizers: they read the variables once, when their pools start."""
    for var in variables:
        os.environ[var] = str(n)


def median(values):
    """The median of a non-empty sequence (the mean of the two middle values for an even count)."""
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def timed_runs(work, amount, runs, progress=None):
    """Calls `work()` `runs` times and returns ([amount / wall seconds of each call], the last
    call's result). `progress(run_index, rate)`, if given, is called after each call."""
    rates, result = [], None
    for r in range(runs):
        t0 = time.perf_counter()
        result = work()
        rates.append(amount / (time.perf_counter() - t0))
        if progress:
            progress(r, rates[-1])
    return rates, result


def logger(name):
    """A `log(*parts)` that prints `[name] parts…` on stderr (stdout carries the JSON result)."""
    def log(*parts):
        print(f"[{name}]", *parts, file=sys.stderr, flush=True)
    return log


def read_texts(path):
    """The "text" field of every non-blank line of a JSONL file (the Banking77 data set)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def peak_rss_bytes():
    """This process's peak resident set size (getrusage ru_maxrss, KiB on Linux), in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def python_version():
    return sys.version.split()[0]


def versions(*distributions):
    """{name: installed version, or None when the distribution is not installed}."""
    found = {}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def emit(result, **dumps_options):
    """Prints the script's result: ONE JSON object on stdout, the contract with run.sh."""
    print(json.dumps(result, **dumps_options))


def write_manifest(folder, manifest):
    """An input generator's last act: `folder`/manifest.json (what was generated, from what),
    and the same object on stdout."""
    with open(os.path.join(folder, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    emit(manifest)


def ort_session(onnx_path, threads):
    """An ONNX Runtime CPU session as both ORT peers use it: `threads` intra-op threads, one
    inter-op thread, sequential execution, every graph optimisation (onnxruntime is imported
    here, in the caller's process: the peers run ORT in a child process of its own)."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])


# ---------------------------------------------------------------- reporting (report/)

MiB = 1024 * 1024

# A step during which other processes used more than this share of the CPU is flagged in the
# report, and run.sh (step.py) tries it again (BENCH_RETRIES).
LOAD_PCT = 10


def load(results, name):
    """A file of a results directory: parsed JSON (.json), a list of parsed lines (.jsonl), the
    text otherwise; None when it is missing (an empty .json file is None too)."""
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        text = f.read().strip()
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if name.endswith(".json"):
        return json.loads(text) if text else None
    return text


def load_per_thread(results, prefix):
    """{threads: load(...)} for every `<prefix>-t<N>.json` of a results directory (one file per
    thread count, as run.sh names them), in no particular order."""
    found = {}
    for path in glob.glob(os.path.join(results, f"{prefix}-t*.json")):
        t = os.path.basename(path)[len(prefix) + 2:-len(".json")]
        if t.isdigit():
            found[int(t)] = load(results, os.path.basename(path))
    return found


def rate(x):
    """A throughput, one decimal ("1,234.5"); "—" when not measured."""
    return "—" if x is None else f"{x:,.1f}"


def count(x):
    """A large throughput, no decimals ("1,234,567"); "—" when not measured."""
    return "—" if x is None else f"{x:,.0f}"


def mib(x, digits=1):
    return "—" if x is None else f"{x / MiB:,.{digits}f} MiB"


def ratio(a, b):
    return "—" if not a or not b else f"{a / b:.2f}×"


def runs_list(values, fmt):
    return ", ".join(fmt(v) for v in values) if values else "—"


def spread(values):
    """(max − min) / median of the timed runs, as a percentage; "—" for fewer than two runs."""
    if not values or len(values) < 2:
        return "—"
    return f"{100 * (max(values) - min(values)) / statistics.median(values):.1f}%"


def conditions(steps, prefixes, lead="- Conditions: ", with_seconds=False):
    """The "- Conditions: …" line of a report section: how busy the CPU was around each of the
    section's timed steps (steps.jsonl of run.sh) whose name starts with one of `prefixes` (a
    tuple, e.g. ("swift batch", "peer batch")), with each step's wall time if `with_seconds`;
    None when there are none."""
    mine = [st for st in steps if st.get("step", "").startswith(prefixes)]
    if not mine:
        return None
    loaded = any((st.get("other_cpu_during_pct") or 0) > LOAD_PCT for st in mine)
    return (lead + "; ".join(
        f"{st['step']}: " + (f"{st['seconds']:.0f} s, " if with_seconds else "")
        + f"CPU {st['cpu_busy_before_pct']}% busy before, other processes "
        f"{st.get('other_cpu_during_pct') or 0:.1f}% of the CPU during (try {st.get('try', 1)})" for st in mine)
        + (". **Measured under load**: figures may be low." if loaded else "."))
