"""The "Assistant" section of docs/BENCHMARKS.md (used by report.py), from the results of the
`suite-bench assistant-*` steps of run.sh: assistant-serve-t{N}.json, assistant-batch-t{N}.json,
assistant-index.json and assistant-retrieval.json; and the demo-KB evaluation section (its own
`## ` heading, kb_eval_section) from assistant-kb-eval.json. Standard library only.
"""
from benchlib import conditions, load, load_per_thread, rate as ms

TITLE = "Assistant: service latency, batch, index, retrieval"

RANKERS = (("fused", "fused (weighted dense + phrasing + BM25 scores) — what `ask` uses"),
           ("rrf", "RRF of BM25 and dense (k = 60) — what `ask` used before"),
           ("bm25", "BM25 only (FTS5 `keywordSearch`)"),
           ("dense", "dense only (cosine of all-MiniLM-L6-v2 embeddings)"))


def fusion_text(f):
    """The fused ranker's weights as a phrase."""
    f = f or {}
    return (f"{f.get('dense_weight', 0):g} × dense + {f.get('phrasing_weight', 0):g} × phrasing + "
            f"{f.get('bm25_weight', 0):g} × BM25, {f.get('normalisation', '?')} per query")


def num(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def by_threads(results, prefix):
    """{threads: result} for the files `<prefix>-t<N>.json`, most threads first."""
    return dict(sorted(load_per_thread(results, prefix).items(), reverse=True))


def decisions(d):
    d = d or {}
    return f"{d.get('answer', 0):,} / {d.get('escalate', 0):,}"


def section(results, steps):
    """Lines of the section (after its heading), or None when nothing of it was measured."""
    serve = by_threads(results, "assistant-serve")
    batch = by_threads(results, "assistant-batch")
    index = load(results, "assistant-index.json")
    retrieval = load(results, "assistant-retrieval.json")
    if not (serve or batch or index or retrieval):
        return None
    L = []
    add = L.append
    add("The release `assistant` as a user runs it, on a fresh home in a temporary folder (`keys init`, `index` of the demo "
        "knowledge base `data/kb/lumen-help-center.jsonl`, 59 articles, and the shipped classifier `data/classifier`). "
        "Tickets are Banking77 texts drawn with a fixed seed. Every answer goes the whole product path: PII masking, "
        "query embedding, hybrid retrieval, intent classification, the decision, the ticket stored sealed "
        "(AES-256-GCM) and two durable audit entries. `--threads` sets the BLAS threads of the `assistant` process; "
        "all cores (2 here) is the product's default.")
    add("")

    # ---- service
    add("### `assistant serve`: POST /v1/answer on loopback (warm service)")
    add("")
    if serve:
        first = next(iter(serve.values()))
        add(f"`suite-bench assistant-serve` starts `assistant serve` on 127.0.0.1 (a free port; rate limit lifted), waits for "
            f"`/healthz`, sends {first.get('warmup', '?')} untimed warm-up requests, then for each concurrency C the "
            "timed requests from C keep-alive connections (one client thread each, blocking sockets, "
            "tools/bench/Sources/suite-bench/LoopbackHTTPClient.swift). Each latency runs from the request's first byte "
            "sent to the response's last byte read. The client runs on the same 2 CPUs as the server.")
        add("")
        add("| `--threads` | concurrency | requests | p50 ms | p90 ms | p99 ms | max ms | requests/s | answered / escalated |")
        add("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for t, res in serve.items():
            for run in (res or {}).get("runs", []):
                lat = run.get("latency") or {}
                add(f"| {t} | {run['concurrency']} | {run['requests']:,} | {ms(lat.get('p50_ms'))} | {ms(lat.get('p90_ms'))} | "
                    f"{ms(lat.get('p99_ms'))} | {ms(lat.get('max_ms'))} | {num(run.get('requests_per_s'))} | "
                    f"{decisions(run.get('decisions'))} |")
        add("")
        rss = [(t, r.get("server_peak_rss_bytes")) for t, r in serve.items() if r and r.get("server_peak_rss_bytes")]
        if rss:
            add("Server peak RSS (VmHWM) at the end: " + ", ".join(f"{v / 1048576:,.0f} MiB ({t} thread(s))" for t, v in rss)
                + "; time from spawn to the first healthy `/healthz`: "
                + ", ".join(f"{r.get('startup_seconds', 0):.2f} s" for r in serve.values() if r) + ".")
            add("")
    else:
        add("Not measured.")
        add("")

    # ---- batch
    add("### `assistant batch`: answers/s over a ticket archive")
    add("")
    if batch:
        first = next(iter(batch.values()))
        add(f"`suite-bench assistant-batch` writes {first.get('tickets', 0):,} tickets as JSONL and times the whole "
            "`assistant batch --input … --output …` command (process start, model and index loading included), "
            f"{first.get('runs', '?')} runs, each on a new copy of the archive (new ticket ids); it checks one output "
            "line per ticket. A one-ticket run gives the fixed cost, hence the steady rate "
            "(tickets − 1) / (median run − one-ticket run).")
        add("")
        add("| `--threads` | tickets | runs (s) | median answers/s | one-ticket run (s) | steady answers/s | answered / escalated |")
        add("|---:|---:|---|---:|---:|---:|---|")
        for t, b in batch.items():
            b = b or {}
            add(f"| {t} | {b.get('tickets', 0):,} | {', '.join(f'{x:.1f}' for x in b.get('runs_seconds', []))} | "
                f"{num(b.get('median_answers_per_s'))} | {num(b.get('one_ticket_seconds'), 2)} | "
                f"{num(b.get('steady_answers_per_s'))} | {decisions(b.get('decisions'))} |")
        add("")
    else:
        add("Not measured.")
        add("")

    # ---- index
    add(f"### Index build: {index['articles']:,} articles" if index else "### Index build")
    add("")
    if index:
        n = index["articles"]
        add(f"`suite-bench assistant-index` generates {n:,} articles deterministically from the Banking77 texts (seed "
            f"{index.get('seed')}: article i serves intent i mod 77, title = intent name + article number, 4 texts of the "
            "intent as examples and 2 more in a templated answer), writes them as JSONL to a temporary folder, reads them "
            "back with the product's validating loader (`KnowledgeBaseFile.load`) and builds the index with "
            f"`KnowledgeIndex.build` (what `assistant index` runs: FTS5 rows, one embedding of title + examples per "
            f"article and one of its title and of each example alone, one transaction), {index.get('threads')} thread(s). Then {index.get('changed_articles')} articles "
            f"({100 * index.get('changed_articles', 0) / n:g}%) get a different first example and the index is rebuilt from the whole file (the incremental path: only "
            "changed articles are embedded again), then rebuilt once more with nothing changed. One run each.")
        add("")
        add("| figure | value |")
        add("|---|---:|")
        add(f"| full build, {n:,} articles | {index['full_build_seconds']:.1f} s ({index['full_articles_per_s']:,.1f} articles/s) |")
        add(f"| re-index with {index['changed_articles']:,} articles changed | {index['incremental_seconds']:.2f} s |")
        add(f"| re-index with nothing changed | {index['unchanged_reindex_seconds']:.2f} s |")
        add(f"| writing + loading the JSONL file | {index['write_and_load_seconds']:.2f} s |")
        add(f"| index on disk (SQLite file + its WAL, not checkpointed) | {index['index_bytes'] / 1048576:,.1f} MiB |")
        q = index.get("query_latency") or {}
        for key, label in (("bm25", "BM25 only"), ("dense", "dense only (embedding + cosine over all articles)"),
                           ("fused", "fused (embedding + BM25, dense and phrasing signals + fusion)")):
            v = q.get(key) or {}
            add(f"| query latency at {n:,} articles, {label}: p50 / p99 | {ms(v.get('p50_ms'))} / {ms(v.get('p99_ms'))} ms |")
        add("")
        add(f"Query latencies over {index.get('queries')} texts of the data set, same threads; they show the cost at "
            "this size, not quality (many of those texts are examples of some article).")
        add("")
    else:
        add("Not measured.")
        add("")

    # ---- retrieval
    add("### Retrieval quality and latency: the fused ranker against BM25 alone and dense alone")
    add("")
    if retrieval:
        queries = retrieval.get("queries") or {}
        add(f"A labelled set derived from the Banking77 training data (`suite-bench assistant-retrieval`): a knowledge base "
            f"of {retrieval['articles']} articles, one per intent (title = the intent's name, a templated answer, and as "
            f"examples the first {retrieval['examples_per_article']} texts of the intent's training part); the queries are "
            "the held-out texts of `assistant eval --held-out` (every 7th text of each intent), each relevant to its "
            "intent's article only, halved per intent: `dev` (the 1st, 3rd, ... of each intent, "
            f"{queries.get('dev', 0):,} queries) may tune the ranker (`suite-bench assistant-retrieval-tune`), `held_out` "
            f"({queries.get('held_out', 0):,}) is only reported. The rankers are the product's own code paths on one index: "
            "`KnowledgeIndex.keywordSearch` (BM25), `HybridRetriever.denseRanking` (dense) and `HybridRetriever.retrieve` "
            f"(fused: the first {retrieval.get('depth')} articles by BM25, by cosine and by best phrasing cosine, scored "
            f"{fusion_text(retrieval.get('fusion'))}); RRF (k = 60) ranks the same candidates by their BM25 and dense "
            f"ranks. Latency per query, {retrieval.get('threads')} thread(s), after a warm-up; dense and fused include the "
            "query embedding.")
        add("")
        add("| ranker | split | recall@1 | recall@5 | MRR@10 | nDCG@10 | p50 ms | p99 ms |")
        add("|---|---|---:|---:|---:|---:|---:|---:|")
        for key, label in RANKERS:
            for split in ("dev", "held_out"):
                qv = ((retrieval.get("quality") or {}).get(split) or {}).get(key) or {}
                lv = ((retrieval.get("latency") or {}).get(split) or {}).get(key) or {}
                add(f"| {label} | `{split}` | {qv.get('recall_at_1', 0):.3f} | {qv.get('recall_at_5', 0):.3f} | "
                    f"{qv.get('mrr_at_10', 0):.3f} | {num(qv.get('ndcg_at_10'), 3)} | {ms(lv.get('p50_ms'))} | {ms(lv.get('p99_ms'))} |")
        add("")
        e = ((retrieval.get("latency") or {}).get("held_out") or {}).get("query_embedding") or {}
        empty = (((retrieval.get("quality") or {}).get("held_out") or {}).get("bm25") or {}).get("queries_without_results", 0)
        add(f"The query embedding alone (`held_out`): p50 {ms(e.get('p50_ms'))} ms, p99 {ms(e.get('p99_ms'))} ms. BM25 "
            f"returned nothing for {empty} `held_out` queries. RRF is scored untimed on the fused ranker's candidates.")
        add("")
    else:
        add("Not measured.")
        add("")

    return L + conditions_lines(steps, "swift assistant")


def conditions_lines(steps, prefix):
    """The "Conditions: …" paragraph of the steps whose name starts with `prefix`, or no lines."""
    line = conditions(steps, (prefix,), lead="Conditions: ", with_seconds=True)
    return [line, ""] if line else []


KB_TITLE = "Assistant: the demo knowledge base on its evaluation set (data/eval)"

CATEGORIES = ("paraphrase", "typo", "slang", "angry", "reference_numbers", "signature", "quoted_thread",
              "two_questions", "out_of_scope", "long")


def pct(n, total):
    return "—" if not total else f"{100 * n / total:.1f}%"


def tally_row(label, d):
    """One table row of a DecisionTally summary (`suite-bench assistant-kb-eval`)."""
    d = d or {}
    answerable, oos = d.get("answerable", 0), d.get("out_of_scope", 0)
    return (f"| {label} | {d.get('tickets', 0)} | {answerable} / {oos} | {d.get('right', 0)} ({pct(d.get('right', 0), answerable)}) | "
            f"**{d.get('wrong', 0)} ({pct(d.get('wrong', 0), d.get('tickets', 0))})** | "
            f"{d.get('wrong_article', 0)} / {d.get('answered_out_of_scope', 0)} | "
            f"{d.get('escalated_answerable', 0)} ({pct(d.get('escalated_answerable', 0), answerable)}) | "
            f"{d.get('out_of_scope_caught', 0)} ({pct(d.get('out_of_scope_caught', 0), oos)}) |")


def kb_eval_section(results, steps):
    """Lines of the demo-KB evaluation section, or None when it was not measured."""
    e = load(results, "assistant-kb-eval.json")
    if not e:
        return None
    L = []
    add = L.append
    decisions = e.get("decisions") or {}
    add(f"`suite-bench assistant-kb-eval` builds the demo home as `make demo` does (a new store, `assistant index` of "
        f"`{e.get('kb')}`, {e.get('articles')} articles, with all-MiniLM-L6-v2, and the classifier `{e.get('classifier')}`) "
        f"in a temporary folder and answers each of the {e.get('tickets')} tickets of `{e.get('data')}` (written by the "
        "project, data/eval/README.md) through `Answerer.answer`, the path of `assistant ask`. **Right**: answered with an "
        "expected article. **Wrong**: answered with another article, or answered an out-of-scope ticket (target ≤ 2% of "
        "the tickets). The `tune` split may choose thresholds; `report` is only reported. "
        f"{e.get('threads')} thread(s), {1000 * e.get('answer_seconds_per_ticket', 0):.0f} ms per ticket; the counts are "
        "deterministic, only that time depends on the CPU and its load.")
    add("")
    add("| split | tickets | answerable / out of scope | right (of answerable) | wrong (of tickets) | wrong article / answered out-of-scope | escalated answerable | out-of-scope caught |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|")
    for split in ("tune", "report"):
        add(tally_row(f"`{split}`", (decisions.get(split) or {}).get("all")))
    add("")
    add("By category, `report` split:")
    add("")
    add("| category | tickets | answerable / out of scope | right (of answerable) | wrong (of tickets) | wrong article / answered out-of-scope | escalated answerable | out-of-scope caught |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|")
    report = decisions.get("report") or {}
    for category in CATEGORIES:
        if category in report:
            add(tally_row(f"`{category}`", report[category]))
    add("")
    t = e.get("typo_robustness") or {}
    if t:
        n = t.get("tickets", 0)
        add(f"Typo robustness: the `{t.get('split')}` split again with seeded spelling noise (`TypoNoise`, seed {t.get('seed')}: "
            "in 1–2 words of four letters or more, two adjacent letters swapped, one dropped or one doubled; "
            f"{t.get('texts_changed')} of {n} texts changed). **{t.get('flipped')} of {n} decisions flip** "
            f"({pct(t.get('flipped', 0), n)}: the decision or the article differs from the clean ticket's).")
        add("")
        add("| split | tickets | answerable / out of scope | right (of answerable) | wrong (of tickets) | wrong article / answered out-of-scope | escalated answerable | out-of-scope caught |")
        add("|---|---:|---:|---:|---:|---:|---:|---:|")
        add(tally_row(f"`{t.get('split')}` with typos", t.get("decisions")))
        add("")
    retrieval = e.get("retrieval") or {}
    if retrieval:
        add("Retrieval on the answerable tickets, ranked on the text `ask` reads (personal data masked, quoted history, "
            "signature and reference numbers removed); a hit is any expected article, nDCG@10 uses binary gains over all "
            f"of them. Fused is what `ask` uses ({fusion_text(e.get('fusion'))}, weights chosen on `tune` and Banking77 "
            "`dev` by `suite-bench assistant-retrieval-tune`); RRF (k = 60) is what it used before.")
        add("")
        add("| ranker | split | queries | recall@1 | recall@5 | MRR@10 | nDCG@10 |")
        add("|---|---|---:|---:|---:|---:|---:|")
        for key, label in RANKERS:
            for split in ("tune", "report"):
                q = (retrieval.get(split) or {}).get(key) or {}
                add(f"| {label} | `{split}` | {q.get('queries', 0)} | {q.get('recall_at_1', 0):.3f} | {q.get('recall_at_5', 0):.3f} | "
                    f"{q.get('mrr_at_10', 0):.3f} | {q.get('ndcg_at_10', 0):.3f} |")
        add("")
    return L + conditions_lines(steps, "swift demo-KB")
