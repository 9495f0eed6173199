#!/usr/bin/env bash
# Benchmark: `paperstand migrate-store` copying an instance from SQLite into PostgreSQL,
# then copying it again (the re-run updates rows in place). Imports the corpus given (the
# demo sample by default) into a fresh SQLite file, copies it into a fresh schema of the
# PostgreSQL at URL, prints the times and the per-table verification, drops the schema.
# Needs psql and /usr/bin/time. PROFILE=debug times a debug build instead of release.
# Usage: bench/migrate-store.sh [CORPUS]   (URL=postgres://… to choose the server)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-crates/paperstand/demo/sample_2000.jsonl.gz}
url=${URL:-postgres://postgres@127.0.0.1:5432/test}
profile=${PROFILE:-release}
if [ "$profile" = release ]; then
    cargo build --release --locked -q -p paperstand --bin paperstand
else
    cargo build --locked -q -p paperstand --bin paperstand
fi
bin=${CARGO_TARGET_DIR:-target}/$profile/paperstand
dir=$(mktemp -d)
schema="bench_migrate_$$"
trap 'psql -q "$url" -c "drop schema if exists $schema cascade" 2>/dev/null; rm -rf "$dir"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load:$(uptime | sed 's/.*load average://'); build: $profile"
"$bin" --data-dir "$dir" import "$corpus" | head -1
psql -q "$url" -c "create schema $schema"
to="$url?options[search_path]=$schema"
/usr/bin/time -f "first copy: %e s, peak RSS %M KiB" "$bin" migrate-store --from "sqlite://$dir/paperstand.sqlite" --to "$to" | tail -1
/usr/bin/time -f "second copy (nothing new): %e s, peak RSS %M KiB" "$bin" migrate-store --from "sqlite://$dir/paperstand.sqlite" --to "$to"
