#!/usr/bin/env bash
# Regenerates the committed generated Swift sources (`make codegen`):
#   unicode  Sources/Tokenization/UnicodeTables.swift         (unicode_tables.py, HF tokenizers 0.23.3)
#   dicom    Sources/DICOM/DataDictionary+Table.swift and
#            Sources/DICOM/Tag+Keywords.swift                  (dicom_dictionary.py, pydicom 3.0.2)
#   deid     Sources/DICOM/ConfidentialityProfile+Table.swift (confidentiality_profile.py,
#                                                              dicom-anonymizer 2.1.0: PS3.15 E.1-1)
# Usage: tools/codegen/generate.sh [unicode] [dicom] [deid]      (no argument: all three)
# The pinned venv (tools/codegen/requirements.txt) lives outside the repo, CODEGEN_VENV or
# ~/.cache/suite-venvs/codegen; it is created on first use and re-installed when the file changes.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${CODEGEN_VENV:-$HOME/.cache/suite-venvs/codegen}
source tools/python-venv.sh
ensure_venv "$venv" tools/codegen/requirements.txt
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(unicode dicom deid)
for t in "${targets[@]}"; do
  case $t in
    unicode) echo "== unicode_tables"; "$venv/bin/python" tools/codegen/unicode_tables.py ;;
    dicom) echo "== dicom_dictionary"; "$venv/bin/python" tools/codegen/dicom_dictionary.py ;;
    deid) echo "== confidentiality_profile"; "$venv/bin/python" tools/codegen/confidentiality_profile.py ;;
    *) echo "codegen: unknown generator: $t (unicode, dicom, deid)" >&2; exit 2 ;;
  esac
done
