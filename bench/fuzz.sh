#!/usr/bin/env bash
# The hostile-input properties of tests/tests/hostile.rs (privacy guard, content loaders, request
# parser and router) for minutes rather than seconds: PROPTEST_CASES cases each (default 20000),
# in release. cargo-fuzz needs a nightly toolchain; this runs on stable.
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
time cargo test -p ydt-e2e --test hostile -- --nocapture
