#!/usr/bin/env bash
# Lighthouse (mobile emulation: a mid-range phone on slow 4G, 4x CPU slowdown) on the pages a
# resident meets first: a community's entry page, a record and the complaint form, served by the
# real `ydt serve` over a copy of the example site. Prints the four category scores per page.
# Not part of tests/run: scores move with the machine's load; see the README for measured ones.
#
#   bench/lighthouse.sh            # reports in bench/lighthouse/ (gitignored)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

LIGHTHOUSE_VERSION=12.2.3
tools="$repo/bench/.tools"
lighthouse="$tools/node_modules/.bin/lighthouse"
if ! [ -x "$lighthouse" ] || [ "$("$lighthouse" --version)" != "$LIGHTHOUSE_VERSION" ]; then
  echo "installing lighthouse@$LIGHTHOUSE_VERSION" >&2
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --silent "lighthouse@$LIGHTHOUSE_VERSION"
fi
export CHROME_PATH=/usr/bin/chromium
[ -x "$CHROME_PATH" ] || { echo "no $CHROME_PATH: apt-get install -y chromium" >&2; exit 1; }

cargo build -p ydt --quiet
ydt="${CARGO_TARGET_DIR:-$repo/target}/debug/ydt"

root=$(mktemp -d)
cp -r content themes "$root/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ydt" serve --root "$root" --port "$port" >"$root/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null; rm -rf "$root"' EXIT
origin="http://127.0.0.1:$port"
for _ in $(seq 600); do
  curl -fsS -o /dev/null "$origin/" 2>/dev/null && break
  kill -0 $serve 2>/dev/null || { cat "$root/serve.log" >&2; exit 1; }
  sleep 0.2
done

slug=cuizhuyuan
record=$(curl -fsS "$origin/c/$slug/" | grep -o "href=\"\?/c/$slug/[a-z0-9-]*/\"\?" | grep -v -e notices/ -e jiandu/ -e poster/ | head -1 | sed 's/^href="\?//; s/"\?$//')
out="$repo/bench/lighthouse"
mkdir -p "$out"
flags="--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync"

printf '%-40s %12s %14s %15s %5s\n' page performance accessibility best-practices seo
for page in "entry:/c/$slug/" "record:$record" "form:/c/$slug/jiandu/"; do
  name=${page%%:*}
  path=${page#*:}
  "$lighthouse" "$origin$path" --quiet --form-factor=mobile --screenEmulation.mobile \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="$flags" --output=json --output=html --output-path="$out/$name" >/dev/null
  node -e '
    const r = require(process.argv[1]);
    const s = (k) => Math.round(r.categories[k].score * 100);
    console.log(process.argv[2].padEnd(40), String(s("performance")).padStart(12),
      String(s("accessibility")).padStart(14), String(s("best-practices")).padStart(15), String(s("seo")).padStart(5));
  ' "$out/$name.report.json" "$path"
done
echo "reports: $out/*.report.html" >&2
