#!/usr/bin/env bash
# The submission function's size and speed (see README, Performance):
#   - the `bootstrap` size, built natively with the `lambda` profile (the same code as the arm64
#     package, which cannot run here), and with --arm64 the arm64 package as deployed: bootstrap
#     plus manifest.json, zip -9 (needs cargo-lambda and ziglang);
#   - cold start: process spawn to the first answer, against moto on loopback, moto's time apart;
#   - requests under concurrency: p50/p99 of each request's time, of its storage time and of the
#     rest, the function's own (tests/tests/function_timings.rs).
# Everything runs on 127.0.0.1 with fake credentials; nothing reaches AWS.
#
#   bench/function.sh [--arm64]
#   YDT_FN_COLD_STARTS=20 YDT_FN_REQUESTS=40 YDT_FN_PROCESSES="1 4" bench/function.sh
set -euo pipefail
cd "$(dirname "$0")/.."

arm64=false
for arg in "$@"; do
  case "$arg" in
    --arm64) arm64=true ;;
    *) echo "usage: bench/function.sh [--arm64]" >&2; exit 2 ;;
  esac
done

export AWS_EC2_METADATA_DISABLED=true
export AWS_REGION=ap-east-1 AWS_DEFAULT_REGION=ap-east-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL

command -v moto_server >/dev/null || {
  echo "moto_server is needed: pip install 'moto[server]'" >&2
  exit 1
}

target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --profile lambda -p ydt-function --bin bootstrap
bootstrap="$target/lambda/bootstrap"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
zipped() { # zip -9 of the given files, in bytes
  rm -f "$scratch/package.zip"
  zip -q -9 -j "$scratch/package.zip" "$@"
  stat -c %s "$scratch/package.zip"
}
# The package carries the site's manifest.json; the example site's stands in for it.
manifest="$scratch/manifest.json"
if [ -f public/manifest.json ]; then
  cp public/manifest.json "$manifest"
else
  cp function/tests/fixtures/manifest.json "$manifest"
fi

echo "size (bytes)                       bootstrap    zip -9 with manifest.json"
printf '%-32s %11s %11s\n' "x86_64, --profile lambda" \
  "$(stat -c %s "$bootstrap")" "$(zipped "$bootstrap" "$manifest")"
if $arm64; then
  if command -v cargo-lambda >/dev/null; then
    # Its own directory: cargo lambda puts each binary in <dir>/<name>/, which would collide with
    # the native target/lambda/bootstrap.
    cargo lambda build --quiet --profile lambda --arm64 -p ydt-function --bin bootstrap \
      --lambda-dir "$target/lambda-arm64"
    arm="$target/lambda-arm64/bootstrap/bootstrap"
    printf '%-32s %11s %11s\n' "aarch64, cargo lambda --arm64" \
      "$(stat -c %s "$arm")" "$(zipped "$arm" "$manifest")"
  else
    echo "cargo-lambda not found: no arm64 package (pip install cargo-lambda ziglang)"
  fi
fi
echo

YDT_BOOTSTRAP="$(realpath "$bootstrap")" \
  cargo test --quiet --release -p ydt-e2e --test function_timings -- --ignored --nocapture
