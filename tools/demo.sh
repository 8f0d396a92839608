#!/usr/bin/env bash
# `make demo`: both products on the embedded defaults (data/demo), release build.
# Usage: tools/demo.sh BIN_DIR
set -euo pipefail
bin=${1:-.build/release}
cd "$(dirname "$0")/.."
tickets=data/demo/tickets.txt

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "assistant --version"
"$bin/assistant" --version

say "assistant tokenize: WordPiece tokens with code point offsets (all-MiniLM-L6-v2 vocabulary)"
"$bin/assistant" tokenize -- "Où est mon colis ? Il devait arriver hier." "Refund of €12.50 for order #A-1042 😕"

say "assistant embed: 384-dimension unit vectors, one JSON line per ticket (first 6 values shown)"
"$bin/assistant" embed --batch 8 < "$tickets" | sed -E 's/("embedding":\[)(([^,]*,){6})[^]]*\]/\1\2 ...]/'

say "triage --version (imaging commands arrive with the imaging issues)"
"$bin/triage" --version
