"""The "Conditions" line of a docs/BENCHMARKS.md section, shared by the report_*.py modules:
how busy the CPU was around each of the section's timed steps (steps.jsonl of run.sh).
Standard library only.
"""

# A step during which other processes used more than this share of the CPU is flagged (the same
# share above which run.sh retries a step, BENCH_RETRIES).
LOAD_PCT = 10


def conditions(steps, prefixes):
    """`- Conditions: …` for the steps whose name starts with one of `prefixes` (a tuple, e.g.
    ("swift batch", "peer batch")), or None when there are none."""
    mine = [st for st in steps if st.get("step", "").startswith(prefixes)]
    if not mine:
        return None
    loaded = any((st.get("other_cpu_during_pct") or 0) > LOAD_PCT for st in mine)
    return ("- Conditions: " + "; ".join(
        f"{st['step']}: CPU {st['cpu_busy_before_pct']}% busy before, other processes "
        f"{st.get('other_cpu_during_pct') or 0:.1f}% of the CPU during (try {st.get('try', 1)})" for st in mine)
        + (". **Measured under load**: figures may be low." if loaded else "."))
