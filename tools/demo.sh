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

say "assistant ask: each demo ticket is answered from a source or escalated with a reason (classifier: data/classifier)"
while IFS= read -r ticket; do
  printf '\n> %s\n' "$ticket"
  "$bin/assistant" ask --home "$home" -- "$ticket" | sed -E '2s/^(.{160}).+/\1…/' | head -4
done < "$tickets"
printf '\n> %s\n' "I was charged twice, my card is 4111 1111 1111 1111"
"$bin/assistant" ask --home "$home" -- "I was charged twice, my card is 4111 1111 1111 1111" | head -2

say "assistant audit verify: every answer is on the hash-chained audit trail"
"$bin/assistant" audit verify --home "$home"

say "triage inspect: synthetic DICOM phantoms made by the test-fixture generator (not clinical images)"
"$bin/triage" inspect Tests/Fixtures/dicom/synthetic/signed12_implicit.dcm Tests/Fixtures/dicom/synthetic/rgb16_rle_2frames.dcm
echo
echo "(triage scoring, heatmaps and the worklist are not built yet)"
