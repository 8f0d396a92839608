#!/usr/bin/env python3
"""The `receive` section of `make bench`: DICOM C-STORE receive throughput of `triage serve`
against DCMTK's `storescp`, on the same files, fed by DCMTK's `storescu`.

Usage:
  peers/receive_bench.py run --input DIR --work DIR --concurrency C storescp
  peers/receive_bench.py run --input DIR --work DIR --concurrency C triage --triage BIN --model DIR

The inputs come from inputs/receive_inputs.py (DIR/images/*.dcm, DIR/manifest.json).

run: one receiver, one concurrency, one timed run:
  - the server is started (under `timeout`) on 127.0.0.1 with its output on the same disk as
    the inputs (storescp: `-od WORK/out`; triage: a fresh home in WORK/home, `triage keys init`
    first, not timed), and waited for until it listens;
  - everything dirty is written back (sync) and the input files are dropped from the page cache
    (posix_fadvise DONTNEED), so each run reads them from the disk;
  - the input files, in name order, are split into C contiguous lists (studies stay whole) and
    sent by C `storescu` processes started at once, each one association (under `timeout`);
  - receive time = from spawning the first storescu to the exit of the last; instances/s and
    MB/s (10^6 bytes of input files) over it;
  - triage only: then waits (bounded) until the spool (<home>/spool/incoming) is empty and the
    store holds N studies, and reads from <home>/store.sqlite, per instance, scored_at −
    received_at (joined on source_hash): p50, p99, max; and the time from the first
    association to the last verdict;
  - peak memory: the server's VmHWM (/proc/PID/status) read just before it is stopped (SIGTERM);
  - the receiver's output (files, home) is deleted at the end, whatever happened.
Every exchange is on 127.0.0.1; every process has a time limit. Prints ONE JSON object.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402

log = benchlib.logger("receive")
SCU_AE, TRIAGE_AE = "BENCHSCU", "TRIAGE"


# ---------------------------------------------------------------- run

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_of(pid, deadline=10):
    """The pid of `timeout`'s child (the server) once it exists."""
    end = time.time() + deadline
    while time.time() < end:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("receive_bench: the server did not start")


def proc_status(pid):
    """(VmHWM bytes, CPU seconds user+system) of a live process."""
    with open(f"/proc/{pid}/status") as f:
        m = re.search(r"^VmHWM:\s*(\d+)\s*kB", f.read(), re.M)
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    hz = os.sysconf("SC_CLK_TCK")
    return int(m.group(1)) * 1024, (int(fields[11]) + int(fields[12])) / hz


def listening_on(port):
    """True when some socket listens on 127.0.0.1:port or 0.0.0.0:port (/proc/net/tcp, state 0A)."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port and addr in ("0100007F", "00000000"):
                return True
    return False


def wait_listening(port, proc, path, limit):
    end = time.time() + limit
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"receive_bench: the server exited ({proc.returncode}) before listening; see {path}")
        if listening_on(port):
            return
        time.sleep(0.05)
    raise SystemExit(f"receive_bench: nothing listening on port {port} after {limit} s; see {path}")


def wait_for(path, pattern, proc, limit):
    """Waits until the file at `path` (the server's stderr) matches `pattern`; the match."""
    end = time.time() + limit
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"receive_bench: the server exited ({proc.returncode}) before listening; see {path}")
        with open(path, errors="replace") as f:
            m = re.search(pattern, f.read())
        if m:
            return m
        time.sleep(0.05)
    raise SystemExit(f"receive_bench: the server was not listening after {limit} s; see {path}")


def split(files, parts):
    """`parts` contiguous lists of about equal length, cut at even indices (whole 2-image studies)."""
    per = -(-len(files) // parts)
    per += per % 2
    return [files[k:k + per] for k in range(0, len(files), per)]


def drop_from_cache(files):
    """Writes back what is dirty (os.sync) and asks the kernel to drop the input files from the page
    cache (posix_fadvise DONTNEED; no privilege needed for clean pages), so every run reads its
    inputs from the disk alike, whatever ran before."""
    os.sync()
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


SENDERS = []  # (storescu Popen, its log file), stopped by `run` if it ends early


def send(files, port, called, concurrency, work, limit):
    """Runs `concurrency` storescu processes at once; (t0 Unix time, seconds to the last exit)."""
    lists = split(files, concurrency)
    procs = SENDERS
    t0 = time.time()
    for k, chunk in enumerate(lists):
        err = open(os.path.join(work, f"storescu-{k}.log"), "wb")
        cmd = ["timeout", "--kill-after=10", str(limit), "storescu", "-aet", SCU_AE, "-aec", called, "-R",
               "-ta", str(limit), "-to", "60", "127.0.0.1", str(port)] + chunk
        procs.append((subprocess.Popen(cmd, stdout=err, stderr=subprocess.STDOUT), err))
    for p, err in procs:
        p.wait()
        err.close()
    seconds = time.time() - t0
    bad = [k for k, (p, _) in enumerate(procs) if p.returncode != 0]
    if bad:
        raise SystemExit(f"receive_bench: storescu {bad} exited with {[procs[k][0].returncode for k in bad]} "
                         f"(see {work}/storescu-*.log)")
    for k in range(len(lists)):
        with open(os.path.join(work, f"storescu-{k}.log"), errors="replace") as f:
            text = f.read()
        if re.search(r"^[EF]:", text, re.M):
            raise SystemExit(f"receive_bench: storescu {k} reported errors (see {work}/storescu-{k}.log)")
    return t0, seconds


def unix(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def percentile(values, q):
    """Linear interpolation between closest ranks (q in 0..100)."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def stop(timeout_proc, grace=60):
    """SIGTERM to `timeout`, which passes it to the server; SIGKILL to both if they linger."""
    if timeout_proc.poll() is None:
        timeout_proc.send_signal(signal.SIGTERM)
        try:
            timeout_proc.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(timeout_proc.pid, signal.SIGKILL)
            except OSError:
                timeout_proc.kill()
            timeout_proc.wait()


def run(args):
    manifest = json.load(open(os.path.join(args.input, "manifest.json")))
    images = os.path.join(args.input, "images")
    files = sorted(os.path.join(images, f) for f in os.listdir(images) if f.endswith(".dcm"))
    n = len(files)
    in_bytes = sum(os.path.getsize(f) for f in files)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    free = shutil.disk_usage(args.work).free
    if free < in_bytes * 1.1 + (1 << 30):
        raise SystemExit(f"receive_bench: {free / 1e9:.1f} GB free on the disk of {args.work}; the receiver's output "
                         f"needs about {in_bytes * 1.1 / 1e9 + 1:.1f} GB")
    stderr_path = os.path.join(args.work, "server-stderr.txt")
    limit = args.limit
    result = {"receiver": args.receiver, "concurrency": args.concurrency, "instances": n, "input_bytes": in_bytes,
              "input": {k: manifest.get(k) for k in ("count", "size", "seed", "mean_bytes")}}
    server = None
    try:
        if args.receiver == "storescp":
            out = os.path.join(args.work, "out")
            os.makedirs(out)
            port = free_port()
            cmd = ["storescp", "-aet", "STORESCP", "-od", out, "-ta", str(limit), "-ts", "600"]
            cmd += ["-pdu", str(args.pdu)] if args.pdu else []
            cmd.append(str(port))
            called = "STORESCP"
            listening = None
        else:
            home = os.path.join(args.work, "home")
            env = {k: v for k, v in os.environ.items() if k != "TRIAGE_KEYS"}
            subprocess.run(["timeout", "120", args.triage, "keys", "init", "--home", home], check=True, env=env,
                           stdout=subprocess.DEVNULL)
            quota_mb = int(in_bytes * 1.2 / (1 << 20)) + 1024
            cmd = [args.triage, "serve", "--home", home, "--model", args.model, "--dicom-port", "0",
                   "--spool-quota-mb", str(quota_mb)]
            called = TRIAGE_AE
            listening = r"DICOM receiver on 127\.0\.0\.1:(\d+)"
            result["spool_quota_mb"] = quota_mb
        result["server_command"] = " ".join(os.path.basename(c) if i == 0 else c for i, c in enumerate(cmd))
        with open(stderr_path, "wb") as err:
            server = subprocess.Popen(["timeout", "--kill-after=10", str(limit)] + cmd, stdout=err, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        pid = child_of(server.pid)
        with open(os.path.join(args.work, "server.pids"), "w") as f:  # for run.sh's trap
            f.write(f"{server.pid} {pid}\n")
        if listening:  # triage prints its port (--dicom-port 0) once listening
            port = int(wait_for(stderr_path, listening, server, 120).group(1))
        wait_listening(port, server, stderr_path, 120)
        drop_from_cache(files)
        time.sleep(0.5)
        log(f"{args.receiver} (pid {pid}) on 127.0.0.1:{port}; sending {n} files with {args.concurrency} storescu")
        t0, seconds = send(files, port, called, args.concurrency, args.work, limit)
        result.update(receive_seconds=seconds, instances_per_s=n / seconds, mb_per_s=in_bytes / 1e6 / seconds)
        log(f"{args.receiver}, {args.concurrency} association(s): {n / seconds:.1f} instances/s, "
            f"{in_bytes / 1e6 / seconds:.1f} MB/s")
        if args.receiver == "storescp":
            stored = sum(1 for _ in os.scandir(out))
            if stored != n:
                raise SystemExit(f"receive_bench: storescp wrote {stored} files, not {n}")
            result["stored"] = stored
        else:
            result.update(scoring(home, n, t0, server, limit))
        result["peak_rss_bytes"], result["server_cpu_seconds"] = proc_status(pid)
        stop(server)
        result["server_exit"] = server.returncode
    finally:
        for p, _ in SENDERS:
            if p.poll() is None:
                p.terminate()  # `timeout` passes it to its storescu
                p.wait()
        if server is not None:
            stop(server, grace=30)
        if not args.keep:
            for name in ("out", "home"):
                shutil.rmtree(os.path.join(args.work, name), ignore_errors=True)
    benchlib.emit(result, sort_keys=True)


def scoring(home, n, t0, server, limit):
    """Waits until the spool is empty and the store has n studies; receipt-to-verdict figures."""
    incoming = os.path.join(home, "spool", "incoming")
    db_path = os.path.join(home, "store.sqlite")
    end = t0 + limit - 30
    count = 0
    while True:
        waiting = sum(1 for e in os.scandir(incoming) if e.name.endswith(".sealed"))
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        try:
            count = db.execute("SELECT COUNT(*) FROM studies WHERE scored_at IS NOT NULL").fetchone()[0]
            received = db.execute("SELECT COUNT(*) FROM received_instances").fetchone()[0]
        finally:
            db.close()
        if waiting == 0 and count >= n and received >= n:
            break
        if server.poll() is not None:
            raise SystemExit(f"receive_bench: triage serve exited ({server.returncode}) with {waiting} instances spooled")
        if time.time() > end:
            raise SystemExit(f"receive_bench: after {limit} s, {waiting} instances still spooled, {count} of {n} scored")
        time.sleep(0.5)
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute("""SELECT r.received_at, s.scored_at FROM received_instances r
                             JOIN studies s ON s.source_hash = r.source_hash""").fetchall()
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM studies GROUP BY status").fetchall())
    finally:
        db.close()
    if len(rows) != n:
        raise SystemExit(f"receive_bench: {len(rows)} received instances joined to a study, not {n}")
    delays = [unix(s) - unix(r) for r, s in rows]
    last = max(unix(s) for _, s in rows)
    return {"scored": count, "statuses": statuses,
            "receipt_to_verdict_s": {"p50": percentile(delays, 50), "p99": percentile(delays, 99),
                                     "max": max(delays), "min": min(delays), "mean": statistics.fmean(delays)},
            "first_association_to_last_verdict_s": last - t0,
            "first_receipt_s": min(unix(r) for r, _ in rows) - t0}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--input", required=True)
    r.add_argument("--work", required=True)
    r.add_argument("--concurrency", type=int, default=1)
    r.add_argument("--limit", type=int, default=1800, help="seconds any one process may run")
    r.add_argument("--keep", action="store_true", help="keep the receiver's output (debugging)")
    rs = r.add_subparsers(dest="receiver", required=True)
    sp = rs.add_parser("storescp")
    sp.add_argument("--pdu", type=int, help="storescp -pdu (its maximum PDU it receives; DCMTK's default 16384)")
    t = rs.add_parser("triage")
    t.add_argument("--triage", required=True)
    t.add_argument("--model", required=True)
    args = p.parse_args()
    # SIGTERM (e.g. from a `timeout` around run.sh) unwinds like an error, so `run` still stops
    # its server and deletes its output.
    def terminated(*_):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # `timeout` may signal the whole group again
        sys.exit("receive_bench: terminated")
    signal.signal(signal.SIGTERM, terminated)
    run(args)


if __name__ == "__main__":
    main()
