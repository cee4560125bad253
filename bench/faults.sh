#!/usr/bin/env bash
# The storage-fault test (tests/tests/storage_faults.rs) at full size: YDT_FAULT_SUBMISSIONS
# submissions (default 2000) from YDT_FAULT_CONCURRENCY residents at once (default 24), with
# YDT_FAULT_RATE of DynamoDB calls failing (default 0.30). Needs moto_server (see tests/run).
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true AWS_REGION=cn-north-1 AWS_DEFAULT_REGION=cn-north-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
unset AWS_PROFILE AWS_SESSION_TOKEN
export YDT_FAULT_SUBMISSIONS="${YDT_FAULT_SUBMISSIONS:-2000}"
export YDT_FAULT_CONCURRENCY="${YDT_FAULT_CONCURRENCY:-24}"
export YDT_FAULT_RATE="${YDT_FAULT_RATE:-0.30}"
cargo test -p ydt-e2e --test storage_faults -- --nocapture 2>&1 | grep -v '^storage error'
