#!/usr/bin/env bash
# Save-to-reload time of `ydt serve` on a generated corpus (default: city, 2,000 communities).
#
#   bench/preview.sh [small|county|city] [rounds]
#
# Builds ydt and ydt-corpus in release, writes the corpus (seed 20261201) under $YDT_BENCH_DIR
# (default /dev/shm/ydt-preview), starts `ydt serve` on a free loopback port and waits for its
# first full build. Then, each round, an open page's live-reload poll is waiting while one record
# of a different community gets a new summary and is saved; it measures save → the poll's answer
# (the moment the browser reloads) and save → the record page served with the new text. Prints
# median, 90th percentile and worst of each, and the server's own rebuild times.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-city}"
rounds="${2:-20}"
seed=20261201
work="${YDT_BENCH_DIR:-/dev/shm/ydt-preview}"
target="${CARGO_TARGET_DIR:-$PWD/target}"

echo "building ydt and ydt-corpus (release)" >&2
cargo build --release --quiet -p ydt --bin ydt -p ydt-e2e --bin ydt-corpus
ydt="$target/release/ydt"
corpus="$target/release/ydt-corpus"

site="$work/$size-$seed"
if [ ! -f "$site/.complete" ]; then
  rm -rf "$site"
  mkdir -p "$work"
  echo "writing the $size corpus to $site" >&2
  "$corpus" --size "$size" --seed "$seed" --out "$site" >&2
  touch "$site/.complete"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log="$work/serve-$size.log"
"$ydt" serve --root "$site" --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
echo "ydt serve on 127.0.0.1:$port, first build of $size (log: $log)" >&2

python3 - "$site" "$port" "$rounds" "$log" <<'PY'
import atexit, http.client, os, random, re, statistics, sys, threading, time

site, port, rounds, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def get(path, timeout=60):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body

started = time.time()
while True:
    try:
        status, body = get("/__ydt/reload?v=none")
        if int(body) > 0:
            break
    except (OSError, ValueError):
        pass
    if time.time() - started > 3600:
        sys.exit("no first build within an hour")
    time.sleep(0.5)
print(f"first full build served after {time.time() - started:.1f} s", file=sys.stderr)

communities = sorted(os.listdir(os.path.join(site, "content/communities")))
run = "".join(random.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(6))
to_reload, to_page = [], []
originals = {}  # each touched record's text before this run, written back at the end


def restore():
    for path, text in originals.items():
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


atexit.register(restore)
for n in range(rounds):
    slug = communities[(n * 97) % len(communities)]
    records = os.path.join(site, "content/communities", slug, "records")
    name = sorted(os.listdir(records))[0]
    path = os.path.join(records, name)
    text = open(path, encoding="utf-8").read()
    # Few digits in a row: the privacy guard rightly refuses anything that looks like a card number.
    marker = f"（修订{run}-{n + 1}）"
    originals.setdefault(path, text)
    text = re.sub(r"^summary: (.*?)(（[^（）]*修订[^（）]*）)*$", lambda m: f"summary: {m.group(1)}{marker}",
                  text, count=1, flags=re.M)
    seen = int(get("/__ydt/reload?v=none")[1])
    answer = {}
    poll = threading.Thread(target=lambda: answer.update(v=get(f"/__ydt/reload?v={seen}")[1]))
    poll.start()
    time.sleep(0.2)  # the poll is waiting, as an open page's is
    saved = time.perf_counter()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    poll.join()
    reloaded = time.perf_counter()
    if int(answer["v"]) != seen + 1:
        sys.exit(f"round {n}: the poll answered {answer['v']}, expected {seen + 1}")
    status, page = get(f"/c/{slug}/{name.rsplit('.', 1)[0]}/")
    shown = time.perf_counter()
    if status != 200 or marker.encode() not in page:
        sys.exit(f"round {n}: /c/{slug}/ does not show the change (status {status})")
    to_reload.append((reloaded - saved) * 1000)
    to_page.append((shown - saved) * 1000)

def row(label, values):
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    print(f"| {label} | {statistics.median(values):.0f} ms | {p90:.0f} ms | {values[-1]:.0f} ms |")

rebuilds = [int(m) for m in re.findall(r"rebuilt .*? in (\d+) ms", open(log, encoding="utf-8").read())][1:]
print(f"\n{rounds} saves, one record each in a different community\n")
print("| | median | p90 | worst |")
print("|---|---|---|---|")
row("save → reload answered", to_reload)
row("save → page served", to_page)
if rebuilds:
    row("rebuild (server's own count)", rebuilds)
PY
