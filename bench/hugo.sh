#!/usr/bin/env bash
# Side-by-side build benchmark: ydt against Hugo on the same synthetic content, and both against
# the floor of copying the finished output tree with `cp -r`.
#
#   bench/hugo.sh [--city | --only SIZE] [--runs N] [--seed N] [--keep]
#
# Installs hugo and GNU time from Debian if missing, builds ydt and ydt-corpus in release,
# generates the `small` and `county` corpora (and `city` with --city: long, ~100,000 pages; or
# one size with --only) twice from one seed — in ydt's format and as a Hugo site — then runs the
# builds N times each (default 5) after one warm-up, alternating ydt, hugo and cp, with every
# output on tmpfs (/dev/shm). Prints the median wall time, pages per second and peak RSS of
# each, and the ratios.
#
# The Hugo site has the same pages as ydt's for the same data: the home page listing the
# communities by street, each community's entry page (latest month's records with totals,
# notices, earlier months), each record page with its full table and totals, each notice and
# each community's notice list; built with `hugo --minify`. ydt also writes what Hugo is not
# asked to (complaint form, posters, QR codes, CSV/JSON downloads, Atom feeds): its page count is
# what it reports, Hugo's is the number of HTML files it wrote. Records carry `published:`, which
# Hugo reads as a publish date, so Hugo runs with --buildFuture.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

sizes=(small county)
runs=5
seed=20261201
keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --city) sizes+=(city) ;;
    --only) sizes=("$2"); shift ;;
    --runs) runs=$2; shift ;;
    --seed) seed=$2; shift ;;
    --keep) keep=true ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v hugo >/dev/null || missing+=(hugo)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=/dev/shm/ydt-bench-$$
mkdir -p "$work/bin"
cleanup() { if ! $keep; then rm -rf "$work"; fi; }
trap cleanup EXIT

# Build, then copy the binaries at once: a shared CARGO_TARGET_DIR may be rebuilt from another
# checkout while the benchmark runs.
echo "building ydt and ydt-corpus (release)" >&2
cargo build --release --quiet -p ydt --bin ydt -p ydt-e2e --bin ydt-corpus \
  --message-format=json 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' |
  while read -r exe; do cp "$exe" "$work/bin/"; done
ydt=$work/bin/ydt
corpus=$work/bin/ydt-corpus
[ -x "$ydt" ] && [ -x "$corpus" ] || { echo "cargo build did not produce ydt and ydt-corpus" >&2; exit 1; }

# The Hugo side: configuration and a small layout that renders the same pages and tables.
hugo_site() {
  local dir=$1
  cat > "$dir/config.yaml" <<'EOF'
baseURL: https://ydt.example.cn/
languageCode: zh-CN
defaultContentLanguage: zh
title: 合肥市小微权力监督一点通
disableKinds: [taxonomy, term]
outputs:
  home: [HTML]
  section: [HTML, RSS]
  page: [HTML]
EOF
  mkdir -p "$dir/data/kinds" "$dir/layouts/_default" "$dir/layouts/partials"
  cp "$repo"/generator/kinds/*.yaml "$dir/data/kinds/"
  cp "$repo/themes/default/templates/style.css" "$dir/style.css"
  cat > "$dir/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{ .Title }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ site.Title }}{{ end }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
<link rel="canonical" href="{{ .Permalink }}">
<style>{{ readFile "style.css" | safeCSS }}</style>
</head>
<body>
<header class="top"><a class="site" href="/">{{ site.Title }}</a><h1>{{ .Title }}</h1></header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer><p><a href="/help/">使用说明</a> · <a href="/track/">查询办理进度</a> · <a href="/">全部社区</a></p></footer>
</body>
</html>
EOF
  cat > "$dir/layouts/partials/money.html" <<'EOF'
{{- lang.FormatNumberCustom 2 (float .) -}}
EOF
  cat > "$dir/layouts/partials/cell.html" <<'EOF'
{{- if eq (printf "%T" .) "time.Time" }}{{ .Format "2006-01-02" }}{{ else }}{{ . }}{{ end -}}
EOF
  cat > "$dir/layouts/index.html" <<'EOF'
{{ define "main" }}
<p>选择您所在的社区</p>
{{ $communities := where (site.GetPage "/c").Sections "Params.community" true }}
{{ range $communities.GroupByParam "street" }}
<h2>{{ (index .Pages 0).Params.district }} {{ .Key }}</h2>
<ul class="list">{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
{{ end }}
EOF
  cat > "$dir/layouts/_default/list.html" <<'EOF'
{{ define "main" }}
{{ if .Params.community }}
<p class="crumbs">{{ .Params.district }} · {{ .Params.street }}</p>
<div class="office"><p>办公地址：{{ .Params.office.address }}</p><p>办公电话：{{ .Params.office.phone }}</p><p>办公时间：{{ .Params.office.hours }}</p></div>
<div class="actions"><a class="btn primary" href="{{ .RelPermalink }}jiandu/">我要监督（投诉 · 举报 · 建议）</a></div>
{{ $months := (.RegularPages.GroupByParam "period" "desc") }}
{{ range $i, $m := $months }}
{{ if eq $i 0 }}
<h2>{{ $m.Key }} 公开</h2>
{{ range $m.Pages.GroupByParam "record_kind" }}
<h3>{{ (index site.Data.kinds .Key).name }}</h3>
<ul class="list">{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><span class="meta">{{ len .Params.rows }}条{{ range $k, $v := .Params.totals }}，{{ $k }}合计 <span class="total">{{ partial "money.html" $v }}</span> 元{{ end }}</span></li>{{ end }}</ul>
{{ end }}
{{ else }}
{{ if eq $i 1 }}<h2>往期公开</h2>{{ end }}
<h3>{{ $m.Key }}</h3>
<ul class="list">{{ range $m.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
{{ end }}
{{ with .GetPage "notices" }}
<h2>最新公告</h2>
<ul class="list">{{ range first 5 .Pages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><span class="meta">{{ .Params.category }} · {{ .Date.Format "2006-01-02" }}</span></li>{{ end }}</ul>
<p><a href="{{ .RelPermalink }}">全部公告</a></p>
{{ end }}
{{ else }}
<ul class="list">{{ range .Pages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><span class="meta">{{ .Params.category }} · {{ .Date.Format "2006-01-02" }}</span></li>{{ end }}</ul>
{{ end }}
{{ end }}
EOF
  cat > "$dir/layouts/_default/single.html" <<'EOF'
{{ define "main" }}
{{ if .Params.record_kind }}
{{ $kind := index site.Data.kinds .Params.record_kind }}
{{ $rows := .Params.rows }}
{{ $cols := slice }}
{{ range $c := $kind.columns }}{{ $has := false }}{{ range $rows }}{{ if isset . $c.key }}{{ $has = true }}{{ end }}{{ end }}{{ if $has }}{{ $cols = $cols | append $c }}{{ end }}{{ end }}
<p class="crumbs"><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a> · {{ $kind.name }} · {{ .Params.period }}</p>
<p class="meta">公开日期：{{ partial "cell.html" .Params.published }}，共 {{ len $rows }} 条</p>
<p>{{ .Params.summary }}</p>
<div class="table-wrap"><table>
<thead><tr><th>序号</th>{{ range $cols }}<th>{{ .label }}</th>{{ end }}</tr></thead>
<tbody>{{ range $i, $r := $rows }}<tr><td class="number">{{ add $i 1 }}</td>{{ range $c := $cols }}<td>{{ with index $r $c.key }}{{ if eq $c.type "money" }}{{ partial "money.html" . }}{{ else }}{{ partial "cell.html" . }}{{ end }}{{ end }}</td>{{ end }}</tr>
{{ end }}</tbody>
{{ with .Params.totals }}{{ $t := . }}<tfoot><tr><td class="number">合计</td>{{ range $cols }}<td>{{ with index $t .key }}{{ partial "money.html" . }}{{ end }}</td>{{ end }}</tr></tfoot>{{ end }}
</table></div>
{{ else }}
<p class="crumbs">{{ .Params.category }} · {{ .Date.Format "2006-01-02" }}</p>
<div class="notice">{{ .Content }}</div>
{{ end }}
{{ end }}
EOF
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# One timed run: prints "seconds peak_kb" for the command.
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; return 1; }; cat "$work/time"; }

printf '\n%-7s %-5s %8s %8s %8s %10s %10s %10s %9s\n' size tool pages files MB "median s" "pages/s" "peak MB" "× cp -r"
results=()
for size in "${sizes[@]}"; do
  d=$work/$size
  mkdir -p "$d"
  "$corpus" --size "$size" --seed "$seed" --out "$d/ydt" 2>/dev/null
  "$corpus" --size "$size" --seed "$seed" --format hugo --out "$d/hugo" 2>/dev/null
  hugo_site "$d/hugo"
  : >"$d/ydt.t"; : >"$d/hugo.t"; : >"$d/cp.t"; : >"$d/cphugo.t"
  # One warm-up each (page cache, binaries), then the counted runs, alternating.
  for i in $(seq 0 "$runs"); do
    rm -rf "$d/out-ydt"
    t=$(timed "$ydt" build --root "$d/ydt" --out "$d/out-ydt")
    [ "$i" -gt 0 ] && echo "$t" >>"$d/ydt.t"
    ydt_pages=$(sed -n 's/^built \([0-9]*\) pages.*/\1/p' "$work/log")
    rm -rf "$d/out-hugo"
    t=$(timed hugo --quiet --minify --buildFuture --source "$d/hugo" --destination "$d/out-hugo")
    [ "$i" -gt 0 ] && echo "$t" >>"$d/hugo.t"
    rm -rf "$d/cp"
    t=$(timed cp -r "$d/out-ydt" "$d/cp")
    [ "$i" -gt 0 ] && echo "$t" >>"$d/cp.t"
    rm -rf "$d/cp"
    t=$(timed cp -r "$d/out-hugo" "$d/cp")
    [ "$i" -gt 0 ] && echo "$t" >>"$d/cphugo.t"
  done
  rm -rf "$d/cp"
  hugo_pages=$(find "$d/out-hugo" -name '*.html' | wc -l)
  cp_s=$(cut -d' ' -f1 "$d/cp.t" | median)
  cphugo_s=$(cut -d' ' -f1 "$d/cphugo.t" | median)
  row() { # tool pages outdir timesfile floor
    local s kb files mb
    s=$(cut -d' ' -f1 "$4" | median)
    kb=$(cut -d' ' -f2 "$4" | median)
    files=$(find "$3" -type f | wc -l)
    mb=$(du -sm "$3" | cut -f1)
    awk -v size="$size" -v tool="$1" -v pages="$2" -v files="$files" -v mb="$mb" -v s="$s" -v kb="$kb" -v floor="$5" \
      'BEGIN { printf "%-7s %-5s %8s %8s %8s %10s %10.0f %10.0f %9.1f\n", size, tool, pages, files, mb, s, pages / s, kb / 1024, s / floor }'
  }
  row ydt "$ydt_pages" "$d/out-ydt" "$d/ydt.t" "$cp_s"
  row hugo "$hugo_pages" "$d/out-hugo" "$d/hugo.t" "$cphugo_s"
  printf '%-7s %-5s %8s %8s %8s %10s\n' "$size" "cp" "-" "-" "-" "$cp_s"
  printf '%-7s %-5s %8s %8s %8s %10s\n' "$size" "cp-h" "-" "-" "-" "$cphugo_s"
  ydt_s=$(cut -d' ' -f1 "$d/ydt.t" | median)
  hugo_s=$(cut -d' ' -f1 "$d/hugo.t" | median)
  results+=("$(awk -v size="$size" -v y="$ydt_s" -v h="$hugo_s" -v c="$cp_s" 'BEGIN { printf "%s: ydt / hugo wall time %.2f; ydt / cp -r %.1f", size, y / h, y / c }')")
  rm -rf "$d/out-ydt" "$d/out-hugo"
done
echo
printf '%s\n' "${results[@]}"
echo "(median of $runs runs each after one warm-up, alternating; $(nproc) cores; output on /dev/shm; cp = cp -r of ydt's output, cp-h = of Hugo's)"
