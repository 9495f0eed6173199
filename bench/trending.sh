#!/usr/bin/env bash
# Benchmark: the trending page (issue #5's target: >= 3,000 requests/s) under load from wrk
# (2 threads, 64 connections), on the demo papers (or the corpus given) seeded with
# community activity by crates/paperstand/examples/seed_community.rs: members, upvotes and
# comments over the last 30 days, repositories with star counts. First times one cold
# request per window (the ranking computed, the page rendered), then visitors' requests
# (the page cache), then a signed-in member's (rendered for each request, the ranked list
# from the ranking's cache). Prints requests/s and latency percentiles. (The JSON API is
# rate-limited per client, so it is not loaded here.) Needs wrk, curl and python3.
# Usage: bench/trending.sh [CORPUS] [VOTES] [DURATION]   (PORT=18082 to move it)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-crates/paperstand/demo/sample_2000.jsonl.gz}
votes=${2:-20000}
duration=${3:-20s}
port=${PORT:-18082}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
cargo build --release --locked -q -p paperstand --bin paperstand --example seed_community
target=${CARGO_TARGET_DIR:-target}/release
bin=$target/paperstand
dir=$(mktemp -d)
base="http://127.0.0.1:$port"
"$bin" --data-dir "$dir" import "$corpus" >/dev/null || true
"$target/examples/seed_community" "$dir" "$votes"
echo 'a long benchmark passphrase' | "$bin" --data-dir "$dir" user create --email bench@example.org --password-stdin >/dev/null
RUST_LOG=warn PAPERSTAND_SEMANTIC=false "$bin" --data-dir "$dir" serve --no-demo --bind "127.0.0.1:$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load:$(uptime | sed 's/.*load average://')"
for window in week all; do
  # The first request after start: the ranked list computed, then the page rendered.
  curl -fs -o /dev/null -w "   cold GET /trending?window=$window: %{time_total} s, %{size_download} bytes\n" "$base/trending?window=$window"
done
echo "papers: $(curl -fs "$base/api/v1/trending?window=all&limit=1" | python3 -c 'import sys, json; print(json.load(sys.stdin)["total"])'); \
in the week's list: $(curl -fs "$base/api/v1/trending?limit=1" | python3 -c 'import sys, json; print(json.load(sys.stdin)["total"])')"
grep -c '<article class="card">' <(curl -fs "$base/trending?window=week") | sed 's/^/   cards on the page: /'

jar="$dir/cookies"
form_csrf=$(curl -fs -c "$jar" -b "$jar" "$base/signin" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "email=bench@example.org" \
  --data-urlencode "password=a long benchmark passphrase" --data-urlencode "csrf=$form_csrf" "$base/signin"
session=$(awk '$6 == "ps_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "could not sign in" >&2; exit 1; }

for path in "/trending?window=week" "/trending?window=all" "/trending?window=month&cat=cs"; do
  echo "== GET $path as a visitor (wrk -t2 -c64 -d$duration)"
  wrk -t2 -c64 -d"$duration" --latency "$base$path" | grep -E 'Requests/sec|Latency |50%|90%|99%|Non-2xx|Socket errors'
done
echo "== GET /trending?window=week as a member (rendered per request; wrk -t2 -c64 -d$duration)"
wrk -t2 -c64 -d"$duration" --latency -H "Cookie: ps_session=$session" "$base/trending?window=week" | grep -E 'Requests/sec|Latency |50%|90%|99%|Non-2xx|Socket errors'
echo "== peak RSS of the server: $(grep VmHWM /proc/$server/status | awk '{print $2, $3}')"
echo "load after:$(uptime | sed 's/.*load average://')"
