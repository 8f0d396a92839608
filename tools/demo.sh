#!/usr/bin/env bash
# `make demo`: both products on the embedded defaults (data/), release build.
# Usage: tools/demo.sh BIN_DIR
# State goes to a throwaway home under .build/demo-home (keys, store, knowledge index).
set -euo pipefail
bin=${1:-.build/release}
cd "$(dirname "$0")/.."
home=.build/demo-home
tickets=data/demo/tickets.txt

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "assistant tokenize: WordPiece tokens with code point offsets (all-MiniLM-L6-v2 vocabulary)"
"$bin/assistant" tokenize -- "Où est ma nouvelle carte ?" "Refund of €12.50 for order #A-1042 😕"

say "assistant embed: 384-dimension unit vectors, one JSON line per ticket (first 6 values shown)"
head -3 "$tickets" | "$bin/assistant" embed --batch 8 | sed -E 's/("embedding":\[)(([^,]*,){6})[^]]*\]/\1\2 ...]/'

say "assistant keys init (a throwaway demo home: $home)"
rm -rf "$home"
"$bin/assistant" keys init --home "$home"

say "assistant index: the Lumen Bank demo knowledge base (fictional, data/kb)"
"$bin/assistant" index --home "$home" --kb data/kb/lumen-help-center.jsonl

say "assistant models: the demo classifier stored as a content-addressed version and promoted (audited; ask records its id)"
version=$("$bin/assistant" models add --home "$home" data/classifier)
"$bin/assistant" models promote --home "$home" "$version"
"$bin/assistant" models list --home "$home"

say "assistant ask: each demo ticket is answered from a source or escalated with a reason (classifier: the active version)"
while IFS= read -r ticket; do
  printf '\n> %s\n' "$ticket"
  "$bin/assistant" ask --home "$home" -- "$ticket" | sed -E '2s/^(.{160}).+/\1…/' | head -4
done < "$tickets"
printf '\n> %s\n' "I was charged twice, my card is 4111 1111 1111 1111"
"$bin/assistant" ask --home "$home" -- "I was charged twice, my card is 4111 1111 1111 1111" | head -2

say "assistant audit verify: every answer is on the hash-chained audit trail"
"$bin/assistant" audit verify --home "$home"

say "triage demo-inputs: synthetic DICOM phantoms and edge cases written by the project (they show the DICOM paths and the refusals)"
triage_out=.build/demo-triage
rm -rf "$triage_out"
"$bin/triage" demo-inputs "$triage_out/inputs" --size 256

say "triage inspect: two of them, headers only (identifying attributes hidden)"
"$bin/triage" inspect "$triage_out/inputs/chest-faint.dcm" "$triage_out/inputs/lateral.dcm"

model=data/triage-model
if [ ! -f "$model/model.json" ] || [ ! -f "$model/weights.safetensors" ]; then
  echo
  echo "no triage model at $model (train one with \`triage train\`, docs/TRIAGE-MODEL.md): skipping scan, explain, batch and worklist"
  exit 0
fi
triage_home="$triage_out/home"
"$bin/triage" keys init --home "$triage_home" >/dev/null

say "triage models: the shipped model stored as a content-addressed version and promoted (scan and batch below use it)"
version=$("$bin/triage" models add --home "$triage_home" "$model")
"$bin/triage" models promote --home "$triage_home" "$version"
"$bin/triage" models list --home "$triage_home"

radiographs=data/demo/radiographs
say "triage scan: 16 real chest radiographs (PneumoniaMNIST validation images, CC BY 4.0, data/README.md), the reference label beside each verdict"
echo "(validation images: the model chose its threshold on this split, so this shows the model at work, not its accuracy; docs/TRIAGE-MODEL.md)"
while IFS=, read -r file label; do
  [ "$file" = file ] && continue
  printf '%-10s %s\n' "$label" "$("$bin/triage" scan --home "$triage_home" "$radiographs/$file" 2>/dev/null)"
done < "$radiographs/labels.csv"

say "triage scan: the DICOM phantoms — out-of-scope studies are NOT ASSESSABLE (lateral view, CT, colour)"
in="$triage_out/inputs"
"$bin/triage" scan --home "$triage_home" "$in/lateral.dcm" "$in/ct-slice.dcm" "$in/colour-photo.dcm" || true

say "triage explain: the class activation map of a decision over a real radiograph, and how faithful it is"
"$bin/triage" explain "$radiographs/val_00000.png" --model "$model" --out "$triage_out/heatmap.png" --overlay --home "$triage_home"

say "triage batch: a .tar.gz of the radiographs, the DICOM phantoms, a truncated PNG and a text file"
mkdir -p "$triage_out/studies"
cp "$radiographs"/*.png "$in"/*.dcm "$in/truncated.png" "$in/README.txt" "$triage_out/studies/"
tar -czf "$triage_out/studies.tar.gz" -C "$triage_out" studies
status=0
"$bin/triage" batch "$triage_out/studies.tar.gz" --home "$triage_home" --report "$triage_out/worklist.html" || status=$?
echo "(exit status $status: 3 means some inputs failed, here the truncated PNG on purpose: it stays on the worklist as UNREADABLE)"
"$bin/triage" batch "$triage_out/studies.tar.gz" --home "$triage_home" --resume 2>/dev/null | sed 's/^/again: /' || true

say "triage worklist: unread studies, most urgent first, then the refused and unreadable ones (ids and patient pseudonyms only)"
"$bin/triage" worklist --home "$triage_home"
first=$("$bin/triage" worklist --home "$triage_home" --json --limit 1 | sed -E 's/.*"study_id":"([^"]+)".*/\1/')
"$bin/triage" show "${first:0:8}" --home "$triage_home"
"$bin/triage" read "${first:0:8}" --agree --label pneumonia --home "$triage_home"

say "triage serve: a modality sends a study over DICOM (DCMTK's echoscu and storescu) and it lands on the worklist"
serve_home="$triage_out/serve-home"
"$bin/triage" keys init --home "$serve_home" >/dev/null
"$bin/triage" serve --home "$serve_home" --model "$model" --dicom-port 0 --allow-calling DEMO_MODALITY 2> "$triage_out/serve.log" &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 150); do
  port=$(sed -nE 's/^triage: DICOM receiver on 127\.0\.0\.1:([0-9]+) .*/\1/p' "$triage_out/serve.log")
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "$port" ] || { cat "$triage_out/serve.log"; echo "triage serve did not start" >&2; exit 1; }
echo "listening on port $port as TRIAGE; only the calling AE DEMO_MODALITY may store"
timeout 30 echoscu -aec TRIAGE -aet DEMO_MODALITY 127.0.0.1 "$port" && echo "C-ECHO: success"
"$bin/triage" demo-inputs "$triage_out/sent" --radiographs "$radiographs" >/dev/null
sent=("$triage_out/sent/radiograph-val_00000.dcm" "$triage_out/sent/radiograph-val_00003.dcm" "$in/lateral.dcm")
timeout 60 storescu -v -aec TRIAGE -aet DEMO_MODALITY 127.0.0.1 "$port" "${sent[@]}" 2>&1 | grep -E "Sending file|Store Response" || true
timeout 30 storescu -v -aec TRIAGE -aet DEMO_MODALITY 127.0.0.1 "$port" "$in/lateral.dcm" 2>&1 | grep "Store Response" | sed 's/^/sent again: /' || true
timeout 30 storescu -aec TRIAGE -aet STRANGER 127.0.0.1 "$port" "$in/chest-faint.dcm" 2>&1 | grep -A2 "Association Rejected" | sed 's/^/unknown calling AE: /' || true
for _ in $(seq 1 150); do
  [ -z "$(ls -A "$serve_home/spool/incoming")" ] && [ "$("$bin/triage" worklist --home "$serve_home" --json | grep -o '"study_id"' | wc -l)" -ge 3 ] && break
  sleep 0.2
done
"$bin/triage" worklist --home "$serve_home"
kill -TERM "$serve_pid"
wait "$serve_pid" || true
trap - EXIT
grep -E '"message":"(spool drained|C-STORE not stored)"' "$triage_out/serve.log" | head -4 || true

say "triage audit verify: every score, read and report is on the hash-chained audit trail"
"$bin/triage" audit verify --home "$triage_home"
echo
echo "worklist report with thumbnails and heatmaps: $triage_out/worklist.html; heatmap: $triage_out/heatmap.png"
echo "(decision support for a reader, not a diagnosis: docs/TRIAGE.md)"
