#!/usr/bin/env bash
# Load on ydt serve's /api on loopback (generator/tests/load.rs), larger than in the test suite:
# YDT_LOAD_CLIENTS residents (default 400) each behind its own CloudFront viewer address, plus one
# flooder. Prints the request count, p50/p99/max latency.
set -euo pipefail
cd "$(dirname "$0")/.."
export YDT_LOAD_CLIENTS="${YDT_LOAD_CLIENTS:-400}"
cargo test -p ydt --test load -- --nocapture 2>&1 | grep -E 'requests from|test result'
