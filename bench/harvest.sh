#!/usr/bin/env bash
# Benchmark: end-to-end OAI-PMH harvest (arXivRaw, 2,500 records a page) from the local replay
# server (bench/oai_replay.py: records resampled from the real fixture, fresh ids) into a fresh
# store, politeness off. First times the replay server alone (a curl loop over every page), then
# the harvest. Prints records/s and peak RSS. Needs GNU time, curl and python3.
# Usage: bench/harvest.sh [RECORDS] (default 500000; PORT=18090 in the environment to move it)
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-500000}
port=${PORT:-18090}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
cargo build --release --locked -q -p paperstand
bin=${CARGO_TARGET_DIR:-target}/release/paperstand
dir=$(mktemp -d)
base="http://127.0.0.1:$port/oai"
python3 bench/oai_replay.py --port "$port" --records "$records" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -fs "$base?verb=Identify" | grep -q badVerb && break; sleep 0.2; done
kill -0 $server 2>/dev/null || { echo "the replay server did not start (port $port taken? set PORT)" >&2; exit 1; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load:$(uptime | sed 's/.*load average://')"

echo "== replay server alone (curl, one page after another)"
start=$(date +%s.%N)
url="$base?verb=ListRecords&metadataPrefix=arXivRaw"
pages=0
while :; do
  token=$(curl -fs "$url" | tail -c 400 | grep -o '<resumptionToken[^>]*>[^<]*</resumptionToken>' | sed 's/<[^>]*>//g' || true)
  pages=$((pages + 1))
  [ -n "$token" ] || break
  url="$base?verb=ListRecords&resumptionToken=$token"
done
awk -v s="$start" -v e="$(date +%s.%N)" -v n="$records" -v p="$pages" \
  'BEGIN { printf "%d pages in %.2f s: %.0f records/s\n", p, e - s, n / (e - s) }'

echo "== harvest of $records records into a fresh store"
/usr/bin/time -f "wall %e s, peak RSS %M KiB, cpu user %U s sys %S s" -o "$dir/time.txt" \
  env PAPERSTAND_INGEST_ALLOWED_HOSTS=127.0.0.1 PAPERSTAND_INGEST_REQUEST_INTERVAL_MS=0 \
  "$bin" --data-dir "$dir/data" harvest oai --base-url "$base"
cat "$dir/time.txt"
awk -v n="$records" '/^wall/ { printf "%.0f records/s, peak RSS %.0f MB\n", n / $2, $6 / 1024 }' "$dir/time.txt"
ls -l "$dir"/data/paperstand.sqlite* | awk '{print $5, $9}'
echo "load after:$(uptime | sed 's/.*load average://')"
