#!/usr/bin/env bash
# Benchmark: digests (issue #6). Imports the corpus (default: the 74,728-paper
# arxiv-cs-2025-2026 corpus when present, else the demo sample), then
# crates/paperstand/examples/digest_bench.rs builds the due digests of SUBSCRIBERS
# subscribers with mixed preferences (target: 100,000 in <= 60 s) and sends SEND of them
# over SMTP to a local aiosmtpd sink without fsync (target: >= 200 messages/s).
# Usage: bench/digests.sh [SUBSCRIBERS] [SEND] [CORPUS]
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=${1:-100000}
send=${2:-5000}
corpus=${3:-../shared/corpora/arxiv-cs-2025-2026/papers.jsonl.gz}
[ -f "$corpus" ] || corpus=crates/paperstand/demo/sample_2000.jsonl.gz
scripts/install-test-deps >/dev/null
cargo build --release --locked -q -p paperstand --bin paperstand --example digest_bench
target=${CARGO_TARGET_DIR:-target}/release
dir=$(mktemp -d)
sink=$dir/sink
mkdir -p "$sink"
.venv-test/bin/python crates/paperstand/tests/python/smtp_server.py --port 0 --out "$sink" --no-fsync > "$dir/sink.out" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do grep -q LISTENING "$dir/sink.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/LISTENING/ {print $2}' "$dir/sink.out")
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load:$(uptime | sed 's/.*load average://')"
echo "corpus: $corpus"
"$target/paperstand" --data-dir "$dir/data" import "$corpus" >/dev/null 2>&1 || true
"$target/examples/digest_bench" "$dir/data" "$subscribers" "smtp://127.0.0.1:$port" "$send"
echo "sink received: $(wc -l < "$sink/received.jsonl") messages"
