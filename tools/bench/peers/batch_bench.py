#!/usr/bin/env python3
"""Times one `triage batch` configuration, or its Python peer, end to end, for `make bench`.

Usage:
  peers/batch_bench.py --input DIR --work DIR [--runs 3] swift --triage BIN --model DIR --workers N
  peers/batch_bench.py --input DIR --work DIR [--runs 3] peer --python PY --model DIR --processes N
                 [--swift-store FILE]

Each run starts from nothing: swift gets a fresh home with `triage keys init` (not timed),
the peer a fresh SQLite file. Before the clock starts every input file is read once, so both
sides read from the page cache. Then the command is spawned and waited for (os.wait4):
  images/s          verdicts stored ÷ wall time from spawn to exit (process start, model load
                    and the last commit included)
  time to first     the first stored verdict's time − spawn time: for swift the earliest
  result            `scored_at` in the store (taken when its transaction is prepared, a few ms
                    before the commit), for the peer the time of its first commit
  peak RSS          swift: the child's ru_maxrss; the peer: the sum of its processes' peaks
                    (it reports them), the child's ru_maxrss beside it
  CPU seconds       user + system of the child and everything it waited for
The median run (by images/s) is the headline; every run is listed. The last run's store (or
SQLite file) is kept in --work for the score check: `peer --swift-store` compares the peer's
scores with the Swift store's, image by image (matched by SHA-256): max |Δ score| and the
number of differing verdicts.

Prints ONE JSON object on stdout.
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402


def warm(root):
    """Reads every file below root once (page cache)."""
    total = 0
    for d, _, files in os.walk(root):
        for f in files:
            with open(os.path.join(d, f), "rb") as fh:
                while chunk := fh.read(1 << 22):
                    total += len(chunk)
    return total


def spawn(cmd, out, err, env=None):
    """Runs cmd; (wall seconds, spawn Unix time, rusage, exit status)."""
    with open(out, "wb") as o, open(err, "wb") as e:
        t0 = time.time()
        proc = subprocess.Popen(cmd, stdout=o, stderr=e, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.time() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, t0, usage, proc.returncode


def unix(iso):
    return datetime.fromisoformat(iso).timestamp()


def swift_run(args, run_dir):
    home = os.path.join(run_dir, "home")
    env = {k: v for k, v in os.environ.items() if k != "TRIAGE_KEYS"}
    subprocess.run([args.triage, "keys", "init", "--home", home], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    cmd = [args.triage, "batch", args.input, "--home", home, "--model", args.model, "--workers", str(args.workers)]
    wall, t0, usage, rc = spawn(cmd, os.path.join(run_dir, "stdout.txt"), os.path.join(run_dir, "stderr.txt"), env)
    if rc != 0:
        raise SystemExit(f"batch_bench: {' '.join(cmd)} exited {rc} (see {run_dir})")
    db = sqlite3.connect(os.path.join(home, "store.sqlite"))
    scored, first = db.execute("SELECT COUNT(*), MIN(scored_at) FROM studies WHERE status = 'scored'").fetchone()
    db.close()
    return {"scored": scored, "seconds": wall, "first_result_s": unix(first) - t0,
            "peak_rss_bytes": usage.ru_maxrss * 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime}


def peer_run(args, run_dir):
    db = os.path.join(run_dir, "results.sqlite")
    here = os.path.dirname(os.path.abspath(__file__))
    cmd = [args.python, os.path.join(here, "peer_batch.py"), "--input", args.input, "--model", args.model,
           "--db", db, "--processes", str(args.processes)]
    out = os.path.join(run_dir, "stdout.json")
    wall, t0, usage, rc = spawn(cmd, out, os.path.join(run_dir, "stderr.txt"))
    if rc != 0:
        raise SystemExit(f"batch_bench: {' '.join(cmd)} exited {rc} (see {run_dir})")
    with open(out) as f:
        inside = json.load(f)
    return {"scored": inside["scored"], "seconds": wall, "first_result_s": inside["first_commit_unix"] - t0,
            "peak_rss_bytes": inside["peak_rss_sum_bytes"], "peak_rss_main_bytes": inside["peak_rss_main_bytes"],
            "peak_rss_workers_bytes": inside["peak_rss_workers_bytes"],
            "peak_rss_child_max_bytes": usage.ru_maxrss * 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "torch_threads": inside["torch_threads"], "versions": inside["versions"]}


def agreement(swift_store, peer_db):
    """Scores of the same images (by SHA-256) in the Swift store and the peer's results."""
    s = sqlite3.connect(swift_store)
    swift = dict((h, (score, bool(pos))) for h, score, pos in
                 s.execute("SELECT source_hash, score, positive FROM studies WHERE status = 'scored'"))
    s.close()
    p = sqlite3.connect(peer_db)
    peer = dict((h, (score, bool(pos))) for h, score, pos in p.execute("SELECT sha256, score, positive FROM results"))
    p.close()
    both = sorted(set(swift) & set(peer))
    diffs = [abs(swift[h][0] - peer[h][0]) for h in both]
    return {"compared": len(both), "only_swift": len(set(swift) - set(peer)), "only_peer": len(set(peer) - set(swift)),
            "max_abs_score_diff": max(diffs) if diffs else None,
            "mean_abs_score_diff": statistics.fmean(diffs) if diffs else None,
            "verdicts_differ": sum(swift[h][1] != peer[h][1] for h in both)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input", required=True)
    p.add_argument("--work", required=True, help="scratch folder (the last run's store is kept there)")
    p.add_argument("--runs", type=int, default=3)
    sub = p.add_subparsers(dest="runner", required=True)
    s = sub.add_parser("swift")
    s.add_argument("--triage", required=True)
    s.add_argument("--model", required=True)
    s.add_argument("--workers", type=int, required=True)
    q = sub.add_parser("peer")
    q.add_argument("--python", required=True)
    q.add_argument("--model", required=True)
    q.add_argument("--processes", type=int, required=True)
    q.add_argument("--swift-store", help="a Swift store of the same input, for the score check")
    args = p.parse_args()
    args.input = os.path.abspath(args.input)

    files = sum(len(f) for _, _, f in os.walk(args.input))
    runs = []
    for r in range(args.runs):
        run_dir = os.path.join(args.work, f"run-{r}")
        shutil.rmtree(run_dir, ignore_errors=True)
        os.makedirs(run_dir)
        input_bytes = warm(args.input)
        row = swift_run(args, run_dir) if args.runner == "swift" else peer_run(args, run_dir)
        row["images_per_s"] = row["scored"] / row["seconds"]
        runs.append(row)
        if r < args.runs - 1:
            shutil.rmtree(run_dir)
    keep = os.path.join(args.work, f"run-{args.runs - 1}")
    by_rate = sorted(runs, key=lambda x: x["images_per_s"])
    result = {
        "runner": args.runner, "runs": runs, "files": files, "input_bytes": input_bytes,
        "median_images_per_s": benchlib.median([x["images_per_s"] for x in runs]),
        "median_first_result_s": benchlib.median([x["first_result_s"] for x in runs]),
        "median_run": by_rate[len(by_rate) // 2],
        "peak_rss_bytes": max(x["peak_rss_bytes"] for x in runs),
        "store": os.path.join(keep, "home", "store.sqlite") if args.runner == "swift" else os.path.join(keep, "results.sqlite"),
    }
    if args.runner == "swift":
        result["workers"] = args.workers
    else:
        result["processes"] = args.processes
        if args.swift_store and os.path.exists(args.swift_store):
            result["agreement"] = agreement(args.swift_store, result["store"])
    benchlib.emit(result, sort_keys=True)


if __name__ == "__main__":
    main()
