#!/usr/bin/env bash
# Benchmark: the daily page and a paper page under load from a second process (wrk,
# 64 connections, 30 s each), on a store holding the full corpus (or the file given).
# Prints requests/s and latency percentiles. Needs wrk (apt-get install wrk).
# Usage: bench/http.sh [CORPUS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpora/arxiv-cs-2025-2026/papers.jsonl.gz}
duration=${2:-30s}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
cargo build --release --locked -q -p paperstand
bin=${CARGO_TARGET_DIR:-target}/release/paperstand
dir=$(mktemp -d)
port=18080
"$bin" --data-dir "$dir" import "$corpus" >/dev/null || true
RUST_LOG=warn "$bin" --data-dir "$dir" serve --no-demo --bind "127.0.0.1:$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
paper=$(curl -fs "$base/" | grep -o 'href="/papers/[^"]*"' | head -1 | cut -d'"' -f2)
echo "machine: $(nproc) cores; corpus: $corpus; daily page: $(curl -fs "$base/" | grep -c '<article class="card">') cards, $(curl -fs "$base/" | wc -c) bytes"
for path in "/" "$paper"; do
  echo "== GET $path (wrk -t2 -c64 -d$duration)"
  wrk -t2 -c64 -d"$duration" --latency "$base$path" | grep -E 'Requests/sec|Latency |50%|90%|99%|Non-2xx|Socket errors'
done
"$bin" --data-dir "$dir" export | python3 -c 'import sys, json; [print(json.loads(l)["id"]) for l in sys.stdin]' > "$dir/ids.txt"
echo "== GET /papers/<random of $(wc -l < "$dir/ids.txt")> (mostly uncached; wrk -t2 -c64 -d$duration)"
IDS_FILE="$dir/ids.txt" wrk -t2 -c64 -d"$duration" --latency -s bench/random-paper.lua "$base" | grep -E 'Requests/sec|Latency |50%|90%|99%|Non-2xx|Socket errors'
echo "== GET /api/daily_papers (wrk -t2 -c64 -d$duration)"
wrk -t2 -c64 -d"$duration" --latency "$base/api/daily_papers" | grep -E 'Requests/sec|Latency |50%|90%|99%|Non-2xx|Socket errors'
etag=$(curl -fsI "$base/feeds/daily.atom" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
echo "== GET /feeds/daily.atom with If-None-Match (304; wrk -t2 -c64 -d$duration)"
wrk -t2 -c64 -d"$duration" --latency -H "If-None-Match: $etag" "$base/feeds/daily.atom" | grep -E 'Requests/sec|Latency |50%|90%|99%|Socket errors'
curl -s -o /dev/null -w "   (check: status %{http_code} for a conditional request)\n" -H "If-None-Match: $etag" "$base/feeds/daily.atom"
echo "== peak RSS of the server: $(grep VmHWM /proc/$server/status | awk '{print $2, $3}')"
