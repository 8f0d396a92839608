#!/usr/bin/env bash
# Checks the import table of ../shared/DESIGN.md: imports point down only
# (apps → product cores → shared modules → C targets). Shared modules never import a product,
# ArgumentParser or Hummingbird. The shared app-level modules under apps/ (CommandLineSupport,
# ServiceSupport) never import a product; product cores never import CLI/HTTP frameworks or them.
#
#   module                     may import
#   Sources/SuiteFoundation    Foundation only (everything may import it)
#   Sources/*                  other shared modules, C targets, Foundation, swift-crypto, GRDB
#   apps/CommandLineSupport    shared modules, ArgumentParser
#   apps/ServiceSupport        Hummingbird (with HummingbirdCore, HummingbirdTLS), hummingbird-auth,
#                              swift-nio, swift-nio-extras, swift-nio-ssl, swift-log, swift-metrics,
#                              swift-prometheus, swift-service-lifecycle (no shared domain module)
#   apps/DICOMService          DICOMNetwork, swift-nio, swift-log (the DICOM acceptor's transport)
#   apps/*/*Core               shared modules
#   apps/*/*Server             its core, shared modules, ServiceSupport, Hummingbird
#   apps/*/<executable>        all of the above for its product, ArgumentParser
#
# Tokenization is imported only by the tokenizer's users: ModelRuntime (a sentence encoder is
# tokenizer + BERT + pooling), AssistantCore and the assistant executable.
# An import may carry an access level (`public import`, `package import`).
#
# Exits 1 and lists offending lines.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
imp='^\s*(@testable |@preconcurrency |public |package |internal )*import'
products='AssistantCore|AssistantServer|TriageCore|TriageServer|CommandLineSupport|ServiceSupport|ArgumentParser|Hummingbird[A-Za-z]*'
if grep -rnE "$imp ($products)\b" Sources/; then
  echo "error: a shared module (Sources/) imports a product or a CLI/HTTP framework" >&2
  status=1
fi
if grep -rnE "$imp (ArgumentParser|Hummingbird[A-Za-z]*|CommandLineSupport|ServiceSupport)\b" apps/*/*Core/ 2>/dev/null; then
  echo "error: a product core imports a CLI/HTTP framework (executables and servers only)" >&2
  status=1
fi
if grep -rnE "$imp (AssistantCore|AssistantServer|TriageCore|TriageServer|CommandLineSupport|ArgumentParser|ModelRuntime|RecordStore)\b" apps/ServiceSupport/; then
  echo "error: ServiceSupport (shared by the services) imports a product, a domain module or the CLI framework" >&2
  status=1
fi
if grep -rnE "$imp (AssistantCore|AssistantServer|TriageCore|TriageServer|CommandLineSupport|ServiceSupport|ArgumentParser|Hummingbird[A-Za-z]*|ModelRuntime|RecordStore)\b" apps/DICOMService/; then
  echo "error: DICOMService (the DICOM transport) imports a product, a domain module, ServiceSupport or a CLI/HTTP framework" >&2
  status=1
fi
if grep -rnE "$imp (AssistantCore|assistant)\b" apps/triage/ || grep -rnE "$imp (TriageCore|triage)\b" apps/assistant/; then
  echo "error: one product imports the other" >&2
  status=1
fi
if grep -rnE "$imp " Sources/SuiteFoundation/ | grep -vE "import Foundation\s*$"; then
  echo "error: SuiteFoundation imports something besides Foundation" >&2
  status=1
fi
if grep -rlE "$imp Tokenization\b" Sources/ apps/ | grep -vE "^(Sources/(Tokenization|ModelRuntime)|apps/assistant/(AssistantCore|assistant))/"; then
  echo "error: Tokenization imported by a module that does not use the tokenizer" >&2
  status=1
fi
[ $status = 0 ] && echo "imports point down only"
exit $status
