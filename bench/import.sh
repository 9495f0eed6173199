#!/usr/bin/env bash
# Benchmark: import of the full arXiv corpus into a fresh SQLite store, then the same
# import again (all unchanged). Prints papers/s and peak RSS. Needs GNU time.
# Usage: bench/import.sh [CORPUS] (default: ../shared/corpora/arxiv-cs-2025-2026/papers.jsonl.gz)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpora/arxiv-cs-2025-2026/papers.jsonl.gz}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
cargo build --release --locked -q -p paperstand
bin=${CARGO_TARGET_DIR:-target}/release/paperstand
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; corpus: $corpus"
for run in fresh again; do
  echo "== $run import"
  /usr/bin/time -f "wall %e s, peak RSS %M KiB" "$bin" --data-dir "$dir" import "$corpus" | grep -v '^  line' || true
done
ls -l "$dir"/paperstand.sqlite* | awk '{print $5, $9}'
