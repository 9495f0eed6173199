#!/usr/bin/env bash
# Benchmark: upvote POSTs (JSON, as the upvote script sends them: session cookie, CSRF
# token, a write transaction each) from one signed-in member on random papers, under load
# from wrk (2 threads, 64 connections); issue #5's target is >= 1,000/s. The store holds
# the demo papers (or the corpus given). The trending page has its own bench/trending.sh.
# Prints requests/s, latency percentiles and the votes stored. Needs wrk, curl, python3.
# Usage: bench/votes.sh [CORPUS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-}
duration=${2:-20s}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
cargo build --release --locked -q -p paperstand
bin=${CARGO_TARGET_DIR:-target}/release/paperstand
dir=$(mktemp -d)
port=18081
base="http://127.0.0.1:$port"
if [ -n "$corpus" ]; then
  "$bin" --data-dir "$dir" import "$corpus" >/dev/null || true
  demo=--no-demo
else
  demo=
fi
echo 'a long benchmark passphrase' | "$bin" --data-dir "$dir" user create --email bench@example.org --password-stdin >/dev/null
RUST_LOG=warn PAPERSTAND_SEMANTIC=false "$bin" --data-dir "$dir" serve $demo --bind "127.0.0.1:$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.2; done
jar="$dir/cookies"
curl -fs -c "$jar" -b "$jar" "$base/signin" >/dev/null
form_csrf=$(curl -fs -c "$jar" -b "$jar" "$base/signin" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "email=bench@example.org" \
  --data-urlencode "password=a long benchmark passphrase" --data-urlencode "csrf=$form_csrf" "$base/signin"
session=$(awk '$6 == "ps_session" {print $7}' "$jar")
csrf=$(curl -fs -b "$jar" "$base/account" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
[ -n "$session" ] && [ -n "$csrf" ] || { echo "could not sign in" >&2; exit 1; }
"$bin" --data-dir "$dir" export 2>/dev/null | python3 -c 'import sys, json; [print(json.loads(l)["id"]) for l in sys.stdin]' > "$dir/ids.txt"
echo "machine: $(nproc) cores; papers: $(wc -l < "$dir/ids.txt")"
echo "== POST /vote/<random paper> as one member (wrk -t2 -c64 -d$duration)"
IDS_FILE="$dir/ids.txt" SESSION="$session" CSRF="$csrf" \
  wrk -t2 -c64 -d"$duration" --latency -s bench/vote.lua "$base" | grep -E 'Requests/sec|Latency |50%|90%|99%|Non-2xx|Socket errors'
curl -fs -b "$jar" -H 'Accept: application/json' --data "up=1&csrf=$csrf" "$base/vote/$(head -1 "$dir/ids.txt")"; echo "   (check: one vote answered as JSON)"
votes=$(curl -fs "$base/api/v1/trending?window=all&limit=100" | python3 -c 'import sys, json; print(sum(i["breakdown"]["terms"][0]["count"] for i in json.load(sys.stdin)["items"]))')
echo "   upvotes on the 100 most upvoted papers after the run: $votes"
echo "== peak RSS of the server: $(grep VmHWM /proc/$server/status | awk '{print $2, $3}')"
