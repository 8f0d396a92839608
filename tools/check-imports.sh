#!/usr/bin/env bash
# Checks the import table of ../shared/DESIGN.md: imports point down only
# (apps → product cores → shared modules → C targets). Shared modules never import a product,
# ArgumentParser or Hummingbird. Exits 1 and lists offending lines.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
products='AssistantCore|AssistantServer|TriageCore|CommandLineSupport|ArgumentParser|Hummingbird[A-Za-z]*'
if grep -rnE "^\s*(@testable )?import ($products)\b" Sources/; then
  echo "error: a shared module (Sources/) imports a product or a CLI/HTTP framework" >&2
  status=1
fi
if grep -rnE "^\s*import (ArgumentParser|Hummingbird[A-Za-z]*|CommandLineSupport)\b" apps/*/*Core/ 2>/dev/null; then
  echo "error: a product core imports a CLI/HTTP framework (executables and servers only)" >&2
  status=1
fi
if grep -rnE "^\s*import (AssistantCore|assistant)\b" apps/triage/ || grep -rnE "^\s*import (TriageCore|triage)\b" apps/assistant/; then
  echo "error: one product imports the other" >&2
  status=1
fi
[ $status = 0 ] && echo "imports point down only"
exit $status
