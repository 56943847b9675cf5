#!/usr/bin/env bash
# Runs each fuzz target in fuzz/ for SECONDS (default 60) with cargo-fuzz on stable Rust
# (RUSTC_BOOTSTRAP=1 lets the stable compiler take the -Z flags coverage instrumentation
# needs). No sanitizer: the code under test is safe Rust, so what is looked for is panics
# that escape, hangs (30 s per input) and memory growth (4 GiB). Seeds: the sample letters,
# the layout samples, the templates and fuzz/seeds/, copied into fuzz/corpus/TARGET (kept between runs,
# not committed). A crash stops the run with the input in fuzz/artifacts/TARGET; make it a
# file of the generated hostile corpus (tests/util/hostile.rs) when it is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
export RUSTC_BOOTSTRAP=1 CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
[ -f fuzz/Cargo.lock ] || cp Cargo.lock fuzz/Cargo.lock
seed() {
  local target=$1; shift
  mkdir -p "fuzz/corpus/$target"
  for f in "$@"; do [ -f "$f" ] && cp -n "$f" "fuzz/corpus/$target/" || true; done
}
seed decode samples/letters/* samples/layouts/*.pdf samples/layouts/*.png
seed pdf samples/letters/*.pdf samples/layouts/*.pdf samples/documents/*.pdf
seed docx samples/letters/*.docx
seed template templates/*.txt
seed multipart fuzz/seeds/multipart/*
cargo fuzz build -s none
for target in decode pdf docx template multipart; do
  echo "== $target: $SECONDS_EACH s"
  cargo fuzz run -s none "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$SECONDS_EACH" -timeout=30 -rss_limit_mb=4096 -max_len=4194304 -print_final_stats=1 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|stat::|==|SUMMARY|Done|INFO: Loaded)|panicked|ERROR|artifact" || true
  if ls "fuzz/artifacts/$target"/crash-* "fuzz/artifacts/$target"/timeout-* "fuzz/artifacts/$target"/oom-* >/dev/null 2>&1; then
    echo "$target: findings in fuzz/artifacts/$target" >&2
    exit 1
  fi
done
# The upload target's register and spool (a temporary folder per process).
rm -rf "${TMPDIR:-/tmp}"/xinfang-fuzz-multipart-*
