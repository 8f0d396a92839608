#!/usr/bin/env bash
# `make bench`: the suite's release binaries side by side with their Python peers, results into
# docs/BENCHMARKS.md (through tools/bench/report/report.py). Orchestration only: each timed step
# goes through tools/bench/step.py, every figure comes from a peer or suite-bench, the report from
# report/report.py.
#
# Usage (from anywhere; `make bench` runs it after `make setup` and the release build of the bench
# package, which builds suite-bench, triage and assistant into tools/bench/.build/release):
#   bash tools/bench/run.sh BIN_DIR        # e.g. tools/bench/.build/release: suite-bench, triage, assistant
#
# Environment overrides (all optional):
#   BENCH_RUNS=5           timed runs per measurement (median reported)
#   BENCH_THREADS="1 2"    thread counts for the embedding benchmarks
#   BENCH_DATA=...         JSONL data (default ../shared/data/banking77/train.jsonl)
#   BENCH_RESULTS=DIR      where the JSON outputs go (default .build/bench-results/<UTC time>)
#   BENCH_OUT=FILE         the report (default docs/BENCHMARKS.md)
#   BENCH_VENV=DIR         the peers' venv (default ~/.cache/suite-venvs/bench)
#   BENCH_QUIET_WAIT=120   seconds to wait, before each timed step, for the CPU to be idle
#   BENCH_RETRIES=1        extra tries of a step that shared the CPU with other processes
#   BENCH_CACHE=DIR        the exported ONNX model and the generated images (default ~/.cache/suite-venvs/bench-cache)
#   BENCH_ONLY="imaging"   run only these sections (space- or comma-separated: embed tokenize memory
#                          vault imaging cnn batch assistant kb-eval receive; kb-eval, the demo-KB evaluation of the assistant
#                          section, alone); the report keeps the other sections of BENCH_OUT as they were
#   BENCH_IMAGES=20        images per format for the imaging benchmark (2048x2048, generated once)
#   BENCH_BATCH_IMAGES=2000  images in the `triage batch` benchmark's folder (2048x2048, generated once)
#   BENCH_BATCH_RUNS=3     timed runs of each `triage batch` configuration (median reported)
#   BENCH_ASSISTANT_REQUESTS=2000  timed POST /v1/answer requests per concurrency (assistant section)
#   BENCH_ASSISTANT_TICKETS=2000   tickets per `assistant batch` run (assistant section)
#   BENCH_RECEIVE_INSTANCES=2000   DICOM instances (2048x2048 16-bit DX, ~8 MiB each, generated once) sent
#                          to `triage serve` and to DCMTK's storescp by storescu (receive section)
#
# The peers' venv lives outside the repo; it is created on first use and re-installed when
# tools/bench/requirements.txt changes. Nothing here writes into the repo but BENCH_OUT.
#
# Re-run only the imaging benchmark (a few minutes), the CNN one (about 15 minutes), or only
# `triage batch` against its peer (about 15 minutes once the inputs exist; generating them takes
# longer the first time):
#   BENCH_ONLY=imaging bash tools/bench/run.sh tools/bench/.build/release
#   BENCH_ONLY=cnn bash tools/bench/run.sh tools/bench/.build/release
#   BENCH_ONLY=batch bash tools/bench/run.sh tools/bench/.build/release
# or only the DICOM receiver against DCMTK's storescp (about 20 minutes with 2,000 instances, once
# their 17 GB are generated; BENCH_RECEIVE_INSTANCES=500 for a quicker look):
#   BENCH_ONLY=receive bash tools/bench/run.sh tools/bench/.build/release
set -euo pipefail

bin_dir=${1:?usage: tools/bench/run.sh BIN_DIR (suite-bench, triage, assistant: tools/bench/.build/release)}
bin_dir=$(cd "$bin_dir" 2>/dev/null && pwd) || { echo "bench: no such directory: $1" >&2; exit 1; }
cd "$(dirname "$0")/../.."
repo=$(pwd)

say() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
start_all=$(date +%s)

runs=${BENCH_RUNS:-5}
threads_list=${BENCH_THREADS:-1 2}
batch=32
model=models/all-MiniLM-L6-v2
data=${BENCH_DATA:-../shared/data/banking77/train.jsonl}
out=${BENCH_OUT:-docs/BENCHMARKS.md}
venv=${BENCH_VENV:-$HOME/.cache/suite-venvs/bench}
quiet_wait=${BENCH_QUIET_WAIT:-120}
bench_bin=$bin_dir/suite-bench
cache=${BENCH_CACHE:-$HOME/.cache/suite-venvs/bench-cache}
only=${BENCH_ONLY:-}
only=" ${only//,/ } "
# wants SECTION: true when the section is to be run (all of them unless BENCH_ONLY names some).
wants() { [ "$only" = "  " ] || [[ "$only" == *" $1 "* ]]; }
for s in $only; do
  case $s in embed|tokenize|memory|vault|imaging|cnn|batch|assistant|kb-eval|receive) ;; *) echo "bench: unknown section in BENCH_ONLY: $s" >&2; exit 2 ;; esac
done

# ---- preconditions
build_hint="swift build -c release --package-path tools/bench --product"
needs_bench_bin=0  # every section but batch and receive runs suite-bench
for s in embed tokenize memory vault imaging cnn assistant kb-eval; do if wants "$s"; then needs_bench_bin=1; fi; done
if [ "$needs_bench_bin" = 1 ] && [ ! -x "$bench_bin" ]; then
  echo "bench: $bench_bin not found; build it first: $build_hint suite-bench (or make bench)" >&2
  exit 1
fi
if { wants batch || wants receive; } && [ ! -x "$bin_dir/triage" ]; then
  echo "bench: $bin_dir/triage not found; build it first: $build_hint triage (or make bench)" >&2
  exit 1
fi
text_sections=0
if wants embed || wants tokenize || wants memory; then text_sections=1; fi
if [ "$text_sections" = 1 ] && [ ! -f "$data" ]; then
  echo "bench: data set not found at $data (the shared Banking77 data, outside the repo)." >&2
  echo "bench: skipping the text benchmarks; their sections of $out are kept as they are." >&2
  text_sections=0
fi
if wants receive; then
  for tool in storescp storescu timeout; do
    command -v "$tool" > /dev/null || { echo "bench: $tool not found (dcmtk, coreutils); run make setup" >&2; exit 1; }
  done
fi
if [ "$text_sections" = 1 ] && [ ! -f "$model/model.safetensors" ]; then
  echo "bench: $model/model.safetensors not found; run make setup" >&2
  exit 1
fi

# ---- the peers' venv (outside the repo)
source tools/python-venv.sh
ensure_venv "$venv" tools/bench/requirements.txt
py=$venv/bin/python

# ---- results dir (git-ignored: .build*/)
results=${BENCH_RESULTS:-.build/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$results"
results=$(cd "$results" && pwd)
log=$results/log.txt
: > "$log"
say "results in $results"

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 TQDM_DISABLE=1
export TRANSFORMERS_VERBOSITY=error PYTHONWARNINGS=ignore

# ---- machine and versions
{
  lscpu > "$results/lscpu.txt" 2>&1 || true
  nproc > "$results/nproc.txt" 2>&1 || true
  grep -E '^(MemTotal|MemAvailable)' /proc/meminfo > "$results/meminfo.txt" 2>&1 || true
  cat /etc/os-release > "$results/os-release.txt" 2>&1 || true
  uname -srm > "$results/uname.txt" 2>&1 || true
  swift --version > "$results/swift-version.txt" 2>&1 || true
  installed() {
    for p in "$@"; do
      dpkg-query -W -f='${Package} ${Version} ${Status}\n' "$p" 2>/dev/null | grep ' installed$' | cut -d' ' -f1,2 || true
    done
  }
  installed libopenblas0-pthread libopenblas0 libopenblas0-openmp libopenblas0-serial libopenblas-dev > "$results/openblas.txt"
  installed libpng16-16 libdeflate0 libjpeg62-turbo zlib1g > "$results/imaging-libs.txt"
  installed dcmtk > "$results/dcmtk.txt"
  "$venv/bin/pip" freeze --all --disable-pip-version-check > "$results/pip-freeze.txt" 2>/dev/null || true
  "$py" --version > "$results/python-version.txt" 2>&1 || true
  {
    echo "commit $(git rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "dirty_files $(git status --porcelain 2>/dev/null | wc -l)"
  } > "$results/git.txt"
  printf '%s\n' "$runs" > "$results/runs.txt"
}

tries=$((1 + ${BENCH_RETRIES:-1}))
: > "$results/steps.jsonl"
# step NAME OUTFILE CMD...: one timed step through step.py (waits for a quiet CPU, runs CMD into
# $results/OUTFILE, retries a try that shared the CPU, appends its row to steps.jsonl).
# `step_tries=1 step ...` runs it once whatever (peak memory does not depend on the load).
step() {
  local name=$1 outfile=$2; shift 2
  "$py" tools/bench/step.py --results "$results" --name "$name" --out "$outfile" \
    --tries "${step_tries:-$tries}" --quiet-wait "$quiet_wait" -- "$@"
}

if [ "$text_sections" = 1 ] && wants embed; then
  for t in $threads_list; do
    step "swift embed, $t thread(s)" "swift-embed-t$t.json" \
      "$bench_bin" embed --model "$model" --data "$data" --runs "$runs" --batch "$batch" --threads "$t"
    step "peers embed (sentence-transformers, ONNX Runtime), $t thread(s)" "peer-text-t$t.json" \
      "$py" tools/bench/peers/peer_text.py --model "$model" --data "$data" --runs "$runs" --batch "$batch" --threads "$t"
  done
fi

if [ "$text_sections" = 1 ] && wants tokenize; then
  step "swift tokenize" swift-tokenize.json \
    "$bench_bin" tokenize --model "$model" --data "$data" --runs "$runs"
  step "peer tokenize (HF tokenizers)" peer-tokenize.json \
    "$py" tools/bench/peers/peer_tokenize.py --model "$model" --data "$data" --runs "$runs" \
    --swift-json "$results/swift-tokenize.json"
fi

if [ "$text_sections" = 1 ] && wants memory; then
  step_tries=1 step "swift memory" swift-memory.json \
    "$bench_bin" memory --model "$model" --data "$data" --batch "$batch"
  step_tries=1 step "peer memory (sentence-transformers)" peer-memory.json \
    "$py" tools/bench/peers/peer_memory.py --model "$model" --data "$data" --batch "$batch" --threads 2
fi
if wants vault; then
  step_tries=1 step "swift vault and audit log" swift-vault.json \
    "$bench_bin" vault --records 100000 --runs "$runs"
fi

# glibc malloc settings: what `triage` and `suite-bench imaging` set with mallopt at start
# (Imaging.AllocatorTuning), given to both sides of the imaging and batch sections through glibc's
# environment tunables, so the Python peers allocate as the Swift side does (both gain from them).
same_malloc=(env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=536870912)

if wants imaging; then
  # Inputs: generated once into the cache (outside the repo), again when the generator or the count changes.
  images=${BENCH_IMAGES:-20}
  gen=tools/bench/inputs/imaging_inputs.py
  stamp="$(sha256sum "$gen" | cut -d' ' -f1) $images"
  image_dir=$cache/imaging-inputs
  if [ "$(cat "$image_dir/.stamp" 2>/dev/null || true)" != "$stamp" ]; then
    say "generating the imaging inputs ($images per format, 2048x2048) into $image_dir"
    rm -rf "$image_dir"
    "$py" "$gen" --out "$image_dir" --count "$images" > /dev/null
    echo "$stamp" > "$image_dir/.stamp"
  fi
  cp "$image_dir/manifest.json" "$results/imaging-inputs.json"
  mkdir -p "$results/swift-imaging-dump"
  step "swift imaging (decode + resize to 224x224)" swift-imaging.json \
    env OPENBLAS_NUM_THREADS=1 "$bench_bin" imaging --dir "$image_dir" --runs "$runs" --dump "$results/swift-imaging-dump"
  step "peer imaging (Pillow, pydicom + NumPy)" peer-imaging.json \
    "${same_malloc[@]}" "$py" tools/bench/peers/peer_imaging.py --dir "$image_dir" --runs "$runs" --swift-dump "$results/swift-imaging-dump"
fi

if wants cnn; then
  # suite-bench writes the models' weights (torchvision names) and reference logits for the peer.
  cnn_dir=$results/cnn-models
  for t in $threads_list; do
    step "swift cnn (inference, training, sgemm peak), $t thread(s)" "swift-cnn-t$t.json" \
      "$bench_bin" cnn --runs "$runs" --threads "$t" --export "$cnn_dir"
    step "peers cnn (PyTorch, ONNX Runtime), $t thread(s)" "peer-cnn-t$t.json" \
      "$py" tools/bench/peers/peer_cnn.py --cases "$cnn_dir/cnn-cases.json" --runs "$runs" --threads "$t"
  done
  rm -f "$cnn_dir"/*.safetensors  # 50 MB of random weights; cnn-cases.json stays
fi

if wants batch; then
  # Inputs: generated once into the cache (outside the repo), again when a generator or the count changes.
  batch_images=${BENCH_BATCH_IMAGES:-2000}
  stamp="$(cat tools/bench/inputs/batch_inputs.py tools/bench/inputs/imaging_inputs.py | sha256sum | cut -d' ' -f1) $batch_images"
  batch_dir=$cache/batch-inputs
  if [ "$(cat "$batch_dir/.stamp" 2>/dev/null || true)" != "$stamp" ]; then
    say "generating the triage batch inputs ($batch_images images, 2048x2048) into $batch_dir (several minutes)"
    rm -rf "$batch_dir"
    "$py" tools/bench/inputs/batch_inputs.py --out "$batch_dir" --count "$batch_images" > /dev/null
    echo "$stamp" > "$batch_dir/.stamp"
  fi
  cp "$batch_dir/manifest.json" "$results/batch-inputs.json"
  batch_runs=${BENCH_BATCH_RUNS:-3}
  bb=("${same_malloc[@]}" "$py" tools/bench/peers/batch_bench.py --input "$batch_dir/images" --runs "$batch_runs")
  for w in 1 2; do
    step "swift batch, $w worker(s)" "swift-batch-w$w.json" \
      "${bb[@]}" --work "$results/batch-swift-w$w" swift --triage "$bin_dir/triage" --model data/triage-model --workers "$w"
  done
  for n in 1 2; do
    step "peer batch (Pillow, pydicom, PyTorch), $n process(es)" "peer-batch-p$n.json" \
      "${bb[@]}" --work "$results/batch-peer-p$n" peer --python "$py" --model data/triage-model --processes "$n" \
      --swift-store "$results/batch-swift-w1/run-$((batch_runs - 1))/home/store.sqlite"
  done
fi

if wants assistant; then
  # The release `assistant` beside suite-bench: service latency, batch, index build, retrieval quality.
  if [ ! -f "$data" ]; then
    say "data set not found at $data (the shared Banking77 data): skipping the assistant benchmarks; their section of $out is kept"
  elif [ ! -f "$model/model.safetensors" ] || [ ! -x "$bin_dir/assistant" ]; then
    echo "bench: the assistant section needs $model (make setup) and $bin_dir/assistant ($build_hint assistant)" >&2
    exit 1
  else
    a_common=(--assistant "$bin_dir/assistant" --model "$model" --data "$data")
    for t in 2 1; do
      step "swift assistant serve, $t thread(s)" "assistant-serve-t$t.json" \
        "$bench_bin" assistant-serve "${a_common[@]}" --threads "$t" --requests "${BENCH_ASSISTANT_REQUESTS:-2000}" --concurrency 1 4
      step "swift assistant batch, $t thread(s)" "assistant-batch-t$t.json" \
        "$bench_bin" assistant-batch "${a_common[@]}" --threads "$t" --tickets "${BENCH_ASSISTANT_TICKETS:-2000}" --runs 3
    done
    step "swift assistant index (10,000 articles)" assistant-index.json \
      "$bench_bin" assistant-index --model "$model" --data "$data" --articles 10000
    step "swift assistant retrieval (fused, RRF, BM25, dense)" assistant-retrieval.json \
      "$bench_bin" assistant-retrieval --model "$model" --data "$data"
  fi
fi

if wants assistant || wants kb-eval; then
  # Part of the assistant benchmarks that needs the model only, not the shared data: the demo
  # knowledge base's hand-written evaluation set (data/eval). BENCH_ONLY=kb-eval runs it alone.
  if [ ! -f "$model/model.safetensors" ]; then
    echo "bench: the demo-KB evaluation needs $model (make setup)" >&2
    exit 1
  fi
  step "swift demo-KB evaluation (data/eval)" assistant-kb-eval.json \
    "$bench_bin" assistant-kb-eval --model "$model"
fi

if wants receive; then
  # `triage serve`'s DICOM receiver against DCMTK's storescp, both fed by storescu over 127.0.0.1,
  # 1 and 4 associations, on the same generated files (tools/bench/peers/receive_bench.py).
  recv_n=${BENCH_RECEIVE_INSTANCES:-2000}
  gen=tools/bench/inputs/receive_inputs.py
  stamp="$(sha256sum "$gen" | cut -d' ' -f1) $recv_n"
  recv_dir=$cache/receive-inputs
  recv_work=$cache/receive-work  # the receivers' output: on the same disk as the inputs
  # Room: the inputs (unless already there) and one receiver's output at a time, ~8.4 MB each,
  # plus 10% and 2 GB of slack; each run deletes its output when it ends.
  per=8400000
  need=$(( recv_n * per * 11 / 10 + 2000000000 ))
  if [ "$(cat "$recv_dir/.stamp" 2>/dev/null || true)" != "$stamp" ]; then need=$(( need + recv_n * per )); fi
  mkdir -p "$cache"
  rm -rf "$recv_work"
  avail=$(( $(df --output=avail -k "$cache" | tail -1) * 1024 ))
  if [ "$avail" -lt "$need" ]; then
    echo "bench: the receive section needs about $(( need / 1000000000 )) GB free on the disk of $cache" \
      "($recv_n instances of ~8.4 MB, and one receiver's copy of them); only $(( avail / 1000000000 )) GB are free." \
      "Free some space, or set BENCH_RECEIVE_INSTANCES lower (or BENCH_CACHE to a bigger disk)." >&2
    exit 1
  fi
  if [ "$(cat "$recv_dir/.stamp" 2>/dev/null || true)" != "$stamp" ]; then
    say "generating the receive inputs ($recv_n DICOM files, 2048x2048 16-bit DX) into $recv_dir (several minutes)"
    rm -rf "$recv_dir"
    "$py" "$gen" --out "$recv_dir" --count "$recv_n" > /dev/null
    echo "$stamp" > "$recv_dir/.stamp"
  fi
  cp "$recv_dir/manifest.json" "$results/receive-inputs.json"
  # receive_bench.py stops its server and deletes its output itself; this trap is the backstop
  # for an interrupted run: it stops the servers whose process ids the runs wrote down.
  cleanup_receive() {
    local f pid
    for f in "$recv_work"/*/server.pids; do
      [ -f "$f" ] || continue
      for pid in $(cat "$f"); do kill "$pid" 2>/dev/null || true; done
    done
    rm -rf "$recv_work"
  }
  trap cleanup_receive EXIT
  rb=("$py" tools/bench/peers/receive_bench.py run --input "$recv_dir" --limit "${BENCH_RECEIVE_LIMIT:-1800}")
  for c in 1 4; do
    step "receive storescp, $c association(s)" "receive-storescp-c$c.json" \
      "${rb[@]}" --work "$recv_work/storescp-c$c" --concurrency "$c" storescp
    step "receive triage serve, $c association(s)" "receive-triage-c$c.json" \
      "${rb[@]}" --work "$recv_work/triage-c$c" --concurrency "$c" triage --triage "$bin_dir/triage" --model data/triage-model
  done
  cleanup_receive
  trap - EXIT
fi

end_all=$(date +%s)
printf '{"total_seconds": %d, "runs": %d, "threads": "%s", "data": "%s", "only": "%s", "finished_utc": "%s"}\n' \
  "$((end_all - start_all))" "$runs" "$threads_list" "$data" "${BENCH_ONLY:-}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  > "$results/run.json"

mkdir -p "$(dirname "$out")"
# Sections this run did not measure are kept from the current $out (report.py says so under each).
"$py" tools/bench/report/report.py --results "$results" --out "$out" --keep "$out"
say "wrote $out (results: $results)"
say "total time: $(( (end_all - start_all) / 60 )) min $(( (end_all - start_all) % 60 )) s"
