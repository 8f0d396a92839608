#!/usr/bin/env python3
"""One timed step of tools/bench/run.sh: waits for the CPU to be quiet, runs the command (which
prints ONE JSON object on stdout) into the results directory, and records how clean the
measurement was.

Usage: step.py --results DIR --name NAME --out FILE [--tries 2] [--quiet-wait 120] -- CMD [ARG...]

- Before each try, waits up to --quiet-wait seconds for the CPU to be under 20% busy (over one
  second) and notes how busy it was.
- Runs CMD with its stdout into DIR/FILE.try and its stderr to the terminal and DIR/log.txt.
  A command that fails, or prints something that is not one JSON object, stops the run.
- Measures the wall time and the share of the machine's CPU time that other processes used
  meanwhile (all CPU time in /proc/stat less this command's, over wall time × CPUs).
- A try during which others used more than 10% of the CPU is run again, up to --tries in all;
  the cleanest try's output becomes DIR/FILE and its row is appended to DIR/steps.jsonl:
  {"step", "file", "seconds", "cpu_busy_before_pct", "other_cpu_during_pct", "try"}.
  --tries 1 for steps that do not depend on the load (peak memory).

Standard library only.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import LOAD_PCT  # noqa: E402

QUIET_PCT = 20  # the CPU counts as quiet below this share busy
HZ = os.sysconf("SC_CLK_TCK")
CPUS = len(os.sched_getaffinity(0))


def say(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine_busy_jiffies():
    """CPU time the whole machine has spent busy since boot, in clock ticks (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq + steal, idle + iowait


def cpu_busy_pct():
    """Share of the machine's CPU time that was busy over one second, in percent (whole number)."""
    b0, i0 = machine_busy_jiffies()
    time.sleep(1)
    b1, i1 = machine_busy_jiffies()
    busy, idle = b1 - b0, i1 - i0
    return 100 * busy // max(busy + idle, 1)


def children_cpu_seconds():
    """User + system CPU seconds of this process's finished children."""
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def wait_quiet(name, quiet_wait):
    """Waits up to `quiet_wait` s for the CPU to be quiet; returns how busy it was last (%)."""
    waited, busy = 0, cpu_busy_pct()
    while busy > QUIET_PCT and waited < quiet_wait:
        if waited == 0:
            say(f"the CPU is {busy}% busy; waiting up to {quiet_wait} s for it to quieten before '{name}'")
        time.sleep(4)
        waited += 5
        busy = cpu_busy_pct()
    if busy > QUIET_PCT:
        say(f"WARNING: the CPU was {busy}% busy just before '{name}': something else is running; figures may be low")
    return busy


def run_once(cmd, stdout_path, log):
    """Runs `cmd`, stdout into `stdout_path`, stderr to the terminal and `log`; returns its status."""
    with open(stdout_path, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
        for line in proc.stderr:
            sys.stderr.buffer.write(line)
            sys.stderr.buffer.flush()
            log.write(line)
            log.flush()
        return proc.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                usage="step.py --results DIR --name NAME --out FILE [--tries N] "
                                      "[--quiet-wait S] -- CMD [ARG...]")
    p.add_argument("--results", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--out", required=True, help="file name inside --results for the command's stdout")
    p.add_argument("--tries", type=int, default=2)
    p.add_argument("--quiet-wait", type=int, default=120)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    args = p.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        p.error("no command after --")

    out = os.path.join(args.results, args.out)
    trial = out + ".try"
    best_others, best_row = None, None
    with open(os.path.join(args.results, "log.txt"), "ab") as log:
        for attempt in range(1, args.tries + 1):
            busy = wait_quiet(args.name, args.quiet_wait)
            say(args.name + (f" (try {attempt} of {args.tries})" if attempt > 1 else ""))
            log.write(f"== {args.name} (try {attempt}): {' '.join(cmd)}\n".encode())
            log.flush()
            c0, t0, (m0, _) = children_cpu_seconds(), time.time(), machine_busy_jiffies()
            status = run_once(cmd, trial, log)
            c1, t1, (m1, _) = children_cpu_seconds(), time.time(), machine_busy_jiffies()
            if status != 0:
                say(f"ERROR: {args.name} exited with status {status} (its output: {trial})")
                sys.exit(1)
            try:
                with open(trial, encoding="utf-8") as f:
                    json.load(f)
            except ValueError:
                say(f"ERROR: {args.name} did not print one JSON object (see {trial})")
                sys.exit(1)
            wall = t1 - t0
            other = (m1 - m0) / HZ - (c1 - c0)
            others = max(0.0, round(100 * other / (wall * CPUS), 1))
            row = {"step": args.name, "file": args.out, "seconds": round(wall, 1), "cpu_busy_before_pct": busy,
                   "other_cpu_during_pct": others, "try": attempt}
            say(f"{args.name}: done in {wall:.0f} s (other processes used {others}% of the CPU meanwhile)")
            if best_others is None or others < best_others:
                best_others, best_row = others, row
                os.replace(trial, out)
            else:
                os.remove(trial)
            if others <= LOAD_PCT:
                break
            say(f"WARNING: other processes used {others}% of the CPU during '{args.name}'; its figures may be low")
    with open(os.path.join(args.results, "steps.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(best_row) + "\n")


if __name__ == "__main__":
    main()
