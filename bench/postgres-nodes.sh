#!/usr/bin/env bash
# Benchmark (issue #9): the daily page `/` and `/api/daily_papers` under load on SQLite
# (one node) and on PostgreSQL (one node, and two nodes on one database with the load
# split between them), then digest sending from one `paperstand digest send` process
# against two at once, sharing one PostgreSQL outbox, to a local aiosmtpd sink without
# fsync. Imports CORPUS (the demo sample by default) into SQLite, copies it into a fresh
# PostgreSQL schema with migrate-store (dropped at the end), and prints the numbers.
# Needs wrk (apt-get install wrk), psql, the test venv (scripts/install-test-deps).
# PROFILE=debug measures a debug build instead of release. Non-2xx answers are printed.
# The API's per-client limit is lifted (`PAPERSTAND_API_RATE_PER_MINUTE=0`) for the
# main rows; then PostgreSQL serves /api/daily_papers again with the shared limit on at a
# limit no client reaches, so every request also counts itself in `rate_windows`: once
# from one client (wrk's address: every request updates one row) and once as 1,000
# clients behind the local proxy (bench/many-clients.lua sets X-Forwarded-For).
# PAGES_ONLY=1 skips digest sending.
# Usage: bench/postgres-nodes.sh [CORPUS] [DURATION] [SUBSCRIBERS]   (URL=postgres://…)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-crates/paperstand/demo/sample_2000.jsonl.gz}
duration=${2:-20s}
subscribers=${3:-5000}
url=${URL:-postgres://postgres@127.0.0.1:5432/test}
profile=${PROFILE:-release}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
if [ "$profile" = release ]; then
    cargo build --release --locked -q -p paperstand --bin paperstand --example digest_bench
else
    cargo build --locked -q -p paperstand --bin paperstand --example digest_bench
fi
target=${CARGO_TARGET_DIR:-target}/$profile
bin=$target/paperstand
dir=$(mktemp -d)
schema="bench_nodes_$$"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    psql -q "$url" -c "drop schema if exists $schema cascade" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
pg="$url?options[search_path]=$schema"
sql() { PGOPTIONS="-c search_path=$schema" psql -qAt "$url" -c "$1"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load:$(uptime | sed 's/.*load average://'); build: $profile"
echo "corpus: $corpus; wrk -c64 for $duration per row (on the same cores as the servers)"
"$bin" --data-dir "$dir/sqlite" import "$corpus" | head -1
# Subscribers with built digests waiting in the outbox, made in SQLite and copied over.
"$target/examples/digest_bench" "$dir/sqlite" "$subscribers" > "$dir/build.out"
grep -E '^(corpus|build):' "$dir/build.out"
day=$(sed -n 's/.*period: \([0-9-]*\).*/\1/p' "$dir/build.out" | head -1)
psql -q "$url" -c "create schema $schema"
"$bin" migrate-store --from "sqlite://$dir/sqlite/paperstand.sqlite" --to "$pg" >/dev/null

serve() { # NAME PORT [DATABASE_URL]; API_RATE: the API limit a minute (0: none)
    local dir_of=$dir/$1
    export PAPERSTAND_API_RATE_PER_MINUTE=${API_RATE:-0}
    if [ -n "${3:-}" ]; then
        DATABASE_URL=$3 PAPERSTAND_DIGEST=false PAPERSTAND_SEMANTIC=false PAPERSTAND_LOG=warn \
            "$bin" --data-dir "$dir_of" serve --no-demo --bind "127.0.0.1:$2" >/dev/null 2>&1 &
    else
        PAPERSTAND_DIGEST=false PAPERSTAND_SEMANTIC=false PAPERSTAND_LOG=warn \
            "$bin" --data-dir "$dir_of" serve --no-demo --bind "127.0.0.1:$2" >/dev/null 2>&1 &
    fi
    local pid=$!
    pids+=($pid)
    for _ in $(seq 300); do curl -fs "http://127.0.0.1:$2/readyz" >/dev/null && break; sleep 0.2; done
    curl -fs "http://127.0.0.1:$2/readyz" >/dev/null || { echo "node $1 did not start" >&2; exit 1; }
    # A new node builds its search index in the background: measure once it is idle
    # (under 5 % of a core for a second), at most two minutes after it started.
    local before after waited=0
    while [ $waited -lt 120 ]; do
        before=$(awk '{print $14 + $15}' "/proc/$pid/stat"); sleep 1
        after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        waited=$((waited + 1))
        [ $((after - before)) -lt 5 ] && break
    done
    echo "node $1 idle after ${waited} s"
}
rps() { awk '/Requests\/sec/ {print $2}'; }
one() { # LABEL PORT PATH [WRK_SCRIPT]
    local out
    out=$(wrk -t2 -c64 -d"$duration" --latency ${4:+-s "$4"} "http://127.0.0.1:$2$3")
    printf '%-40s %-22s %10s req/s  p50 %-8s p99 %-8s %s\n' "$1" "$3${4:+ (1,000 clients)}" "$(rps <<<"$out")" \
        "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
        "$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ' ')"
}
two() { # LABEL PORT_A PORT_B PATH: half the connections on each node, at the same time
    wrk -t1 -c32 -d"$duration" "http://127.0.0.1:$2$4" > "$dir/wrk-a" &
    local a=$!
    wrk -t1 -c32 -d"$duration" "http://127.0.0.1:$3$4" > "$dir/wrk-b"
    wait $a
    local ra rb
    ra=$(rps < "$dir/wrk-a"); rb=$(rps < "$dir/wrk-b")
    printf '%-40s %-22s %10.0f req/s  (%s + %s) %s\n' "$1" "$4" "$(echo "$ra + $rb" | bc)" "$ra" "$rb" \
        "$(cat "$dir/wrk-a" "$dir/wrk-b" | grep -E 'Non-2xx|Socket errors' | tr -s ' ' | tr '\n' ' ')"
}

serve sqlite 18091
for path in / /api/daily_papers; do one "SQLite, one node" 18091 "$path"; done
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()
serve pg-a 18092 "$pg"
for path in / /api/daily_papers; do one "PostgreSQL, one node" 18092 "$path"; done
serve pg-b 18093 "$pg"
for path in / /api/daily_papers; do two "PostgreSQL, two nodes (load split)" 18092 18093 "$path"; done
for pid in "${pids[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done; pids=()
# The shared limit's cost: one upsert per API request, at a limit nobody reaches.
API_RATE=1000000000 serve pg-limited 18094 "$pg"
one "PostgreSQL, one node, shared limit on" 18094 /api/daily_papers
one "PostgreSQL, one node, shared limit on" 18094 /api/daily_papers bench/many-clients.lua
echo "rate_windows rows: $(sql "select count(*) from rate_windows")"
for pid in "${pids[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done; pids=()
[ -n "${PAGES_ONLY:-}" ] && exit 0

# Digest sending: the outbox as migrate-store copied it (every digest pending).
scripts/install-test-deps >/dev/null
mkdir -p "$dir/sink"
.venv-test/bin/python crates/paperstand/tests/python/smtp_server.py --port 0 --out "$dir/sink" --no-fsync > "$dir/sink.out" &
pids+=($!)
for _ in $(seq 100); do grep -q LISTENING "$dir/sink.out" 2>/dev/null && break; sleep 0.1; done
smtp="smtp://127.0.0.1:$(awk '/LISTENING/ {print $2}' "$dir/sink.out")"
messages=$(sql "select count(*) from outbox where state = 'pending'")
send() { # N senders at once; prints the wall time
    local started senders=()
    started=$(date +%s.%N)
    for n in $(seq "$1"); do
        DATABASE_URL=$pg PAPERSTAND_SMTP_URL=$smtp PAPERSTAND_MAIL_RATE=0 PAPERSTAND_LOG=warn \
            PAPERSTAND_DIGEST_TOKEN_KEY=bench-digest-link-key-0123456789abcdef0123 \
            PAPERSTAND_MAIL_FROM="Paperstand <digest@bench.example.org>" \
            "$bin" --data-dir "$dir/sender$n" digest send --period "$day" >/dev/null 2>&1 &
        senders+=($!)
    done
    for pid in "${senders[@]}"; do wait "$pid" || true; done
    local seconds
    seconds=$(echo "$(date +%s.%N) - $started" | bc)
    printf 'digest send, %s sender process(es): %s messages in %.1f s = %.0f messages/s (sent: %s, pending: %s)\n' \
        "$1" "$messages" "$seconds" "$(echo "$messages / $seconds" | bc -l)" \
        "$(sql "select count(*) from outbox where state = 'sent'")" \
        "$(sql "select count(*) from outbox where state in ('pending', 'sending')")"
}
reset() {
    sql "update outbox set state = 'pending', attempts = 0, claimed_by = null, claim_expires_at = null, done_at = null, last_error = null" >/dev/null
}
echo "period $day, $messages digests pending, sink: aiosmtpd --no-fsync, 4 messages in flight per sender, no rate limit"
send 1
reset
send 2
reset
send 1
echo "sink received: $(wc -l < "$dir/sink/received.jsonl") messages in all"
