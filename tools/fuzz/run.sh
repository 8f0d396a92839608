#!/usr/bin/env bash
# `make fuzz`: builds one libFuzzer target per decoder (PNG and JPEG shims in C, the DICOM reader in
# Swift) with AddressSanitizer, seeds each from the committed fixtures, runs each for FUZZ_SECONDS
# (default 60) and prints the executions and any finding. Builds and corpora live in .build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
out=.build-fuzz
mkdir -p "$out"
flags=(-g -O1 -fsanitize=fuzzer,address)

clang "${flags[@]}" -I Sources/CPNG/include tools/fuzz/fuzz_png.c Sources/CPNG/cpng.c -lpng -lz -o "$out/fuzz_png" 2>/dev/null
clang "${flags[@]}" -I Sources/CJPEG/include tools/fuzz/fuzz_jpeg.c Sources/CJPEG/cjpeg.c -ljpeg -o "$out/fuzz_jpeg" 2>/dev/null

# The DICOM module imports CJPEG: give swiftc a module map for it and link the C files.
mkdir -p "$out/cjpeg-module"
cat > "$out/cjpeg-module/module.modulemap" <<MAP
module CJPEG {
    header "$PWD/Sources/CJPEG/include/cjpeg.h"
    header "$PWD/Sources/CJPEG/include/cinflate.h"
    export *
}
MAP
clang -g -O1 -fsanitize=address -fsanitize=fuzzer-no-link -c Sources/CJPEG/cjpeg.c -I Sources/CJPEG/include -o "$out/cjpeg.o"
clang -g -O1 -fsanitize=address -fsanitize=fuzzer-no-link -c Sources/CJPEG/cinflate.c -I Sources/CJPEG/include -o "$out/cinflate.o"
swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name FuzzDICOM -I "$out/cjpeg-module" \
  Sources/DICOM/*.swift tools/fuzz/FuzzDICOM.swift "$out/cjpeg.o" "$out/cinflate.o" -ljpeg -lz \
  -o "$out/fuzz_dicom" 2> >(grep -v "Cannot export local symbol" >&2)

seed() {  # seed corpus: $1 name, then source folders/files
  local dir="$out/corpus_$1"; shift
  mkdir -p "$dir"
  for src in "$@"; do cp -n $src "$dir/" 2>/dev/null || true; done
  echo "$dir"
}
png_corpus=$(seed png "Tests/Fixtures/imaging/png/*.png")
jpeg_corpus=$(seed jpeg "Tests/Fixtures/imaging/jpeg/*.jpg")
dicom_corpus=$(seed dicom "Tests/Fixtures/dicom/synthetic/*.dcm")

status=0
for target in png jpeg dicom; do
  corpus_var="${target}_corpus"
  echo "== fuzz_$target for ${seconds}s (corpus ${!corpus_var})"
  mkdir -p "$out/findings_$target"
  if ! "$out/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$out/findings_$target/" -print_final_stats=1 "${!corpus_var}" > "$out/fuzz_$target.log" 2>&1; then
    status=1
    echo "   FINDING: see $out/fuzz_$target.log and $out/findings_$target/"
  fi
  grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|Done [0-9]+ runs|ERROR:" \
    "$out/fuzz_$target.log" | sed 's/^/   /' || true
  echo "   corpus: $(ls "${!corpus_var}" | wc -l) files"
done
exit $status
