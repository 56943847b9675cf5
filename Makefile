# xinfang: the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing from Debian's packages first (apt-get; root or sudo).

SHELL := /bin/bash
CARGO ?= cargo
BIN := $(or $(CARGO_TARGET_DIR),target)/release/xinfang
# System packages: Tesseract and its Chinese/orientation data, the CJK fonts, and the
# tools the tests and benchmarks check outputs with (LibreOffice renders the DOCX files
# and reads the exported XLSX back);
# python3-onnx folds the PP-OCR models' graphs once, at install; python3-uno lets the
# tests render DOCX through LibreOffice as Word reads it (scripts/docx-to-pdf.py).
DEB_PACKAGES := pkg-config g++ libtesseract-dev libleptonica-dev tesseract-ocr \
	tesseract-ocr-chi-sim tesseract-ocr-osd fonts-noto-cjk fonts-arphic-ukai \
	poppler-utils qpdf curl chromium chromium-driver libreoffice-writer-nogui libreoffice-calc-nogui python3-pip \
	python3-onnx python3-uno
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps ppocr build samples samples-venv sample-documents bench fuzz api-check clean

## run: install what is missing, build, read the sample letters (masked summary), take
## them into the register in xinfang-data/ and start the web service on
## http://127.0.0.1:8080 (the admin password is printed on start).
run: deps ppocr build
	$(BIN) extract samples/letters
	$(BIN) intake --data xinfang-data samples/letters
	$(BIN) serve --data xinfang-data --listen 127.0.0.1:8080

## test: install what is missing and run every test (unit, CLI, hostile inputs).
test: deps ppocr
	$(CARGO) test --release --locked

## ppocr: put the PP-OCR engine's runtime library and models in .ppocr/ (from the PyPI
## wheels of onnxruntime and rapidocr-onnxruntime; nothing is installed into Python), and
## fold the models' graphs (scripts/ppocr-fold.py, Debian's python3-onnx).
ppocr: deps
	scripts/ppocr-install.sh

## deps: install the Debian packages that are not installed yet.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

build:
	$(CARGO) build --release --locked

## fuzz: run each fuzz target (fuzz/: decode, pdf, docx, template) for FUZZ_SECONDS
## (default 60) with cargo-fuzz on stable Rust (RUSTC_BOOTSTRAP=1); not part of `make test`.
FUZZ_SECONDS ?= 60
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

## api-check: the API keeps its contract. schemathesis (PyPI, in a throwaway venv under
## target/) runs every operation of /api/openapi.json against a fresh service for
## API_SECONDS (default 120) with the checks not_a_server_error, status_code_conformance,
## content_type_conformance and response_schema_conformance; any failure fails.
API_SECONDS ?= 120
api-check: deps build
	scripts/api-check.sh $(API_SECONDS)

## samples: regenerate samples/letters and samples/truth (Python venv with Pillow etc.).
samples: samples-venv
	.venv-samples/bin/python samples/generate.py
	.venv-samples/bin/python samples/risk.py

## samples-venv: the Python the sample generator runs in (bench/engines.sh uses it too).
samples-venv:
	[ -x .venv-samples/bin/python ] || python3 -m venv .venv-samples
	.venv-samples/bin/pip install -q pillow==13.0.0 python-docx==1.2.0 reportlab==5.1.0 numpy==2.4.6

## bench: the benchmarks recorded in BENCHMARKS.md: extract against plain tesseract,
## archive-pdf against OCRmyPDF (installed here if missing; only the benchmark needs it),
## generate against LibreOffice converting the same DOCX, the web service under wrk, and
## binder (10,000 items) against qpdf --empty --pages.
bench: deps ppocr build
	bench/run.sh
	bench/engines.sh
	@dpkg-query -W -f='$${Status}\n' ocrmypdf 2>/dev/null | grep -q "install ok installed" || \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends ocrmypdf
	bench/archive.sh
	bench/documents.sh
	@dpkg-query -W -f='$${Status}\n' wrk 2>/dev/null | grep -q "install ok installed" || \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends wrk
	bench/serve.sh
	bench/binder.sh

## sample-documents: regenerate samples/documents/ (one PDF of every document kind; the
## letter is received and assigned on a fixed day under faketime, installed here if missing).
sample-documents: build
	@dpkg-query -W -f='$${Status}\n' faketime 2>/dev/null | grep -q "install ok installed" || \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends faketime
	samples/documents.sh

clean:
	$(CARGO) clean
