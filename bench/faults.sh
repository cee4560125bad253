#!/usr/bin/env bash
# The storage-fault test (tests/tests/storage_faults.rs) at a longer size than `tests/run` gives it:
# YDT_FAULT_SUBMISSIONS submissions (default 3000) from YDT_FAULT_CONCURRENCY residents at once
# (default 24), with YDT_FAULT_RATE of DynamoDB calls failing (default 0.30), spread over
# YDT_FAULT_SHARDS regions (default 32) of YDT_FAULT_SERVERS moto servers (default 2). moto copies a
# whole table on every transaction, so time and its memory grow with the square of the submissions
# per shard: keep them under a hundred or so (5,000 over 16 shards ran moto out of memory at 11 GB).
# Needs moto_server (see tests/run).
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true AWS_REGION=cn-north-1 AWS_DEFAULT_REGION=cn-north-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
unset AWS_PROFILE AWS_SESSION_TOKEN
export YDT_FAULT_SUBMISSIONS="${YDT_FAULT_SUBMISSIONS:-3000}"
export YDT_FAULT_CONCURRENCY="${YDT_FAULT_CONCURRENCY:-24}"
export YDT_FAULT_RATE="${YDT_FAULT_RATE:-0.30}"
export YDT_FAULT_SHARDS="${YDT_FAULT_SHARDS:-32}"
export YDT_FAULT_SERVERS="${YDT_FAULT_SERVERS:-2}"
cargo test -p ydt-e2e --test storage_faults -- --nocapture 2>&1 | grep -v '^storage error'
