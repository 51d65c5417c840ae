#!/bin/sh
# Reproduces the `leadnudge scan` figures in BENCHMARKS.md: a generated
# 1.25 GB export (1,000 people, 200 channels, a year), scanned three times
# with default settings, side by side with jq extracting the text of the
# same files. Needs jq and GNU time (/usr/bin/time). Usage:
#   sh scan/bench-vs-jq.sh [DIR]     (DIR default /tmp/leadnudge-export-1g)
set -eu
dir=${1:-/tmp/leadnudge-export-1g}
cd "$(dirname "$0")/.."
[ -f "$dir/channels.json" ] || go run ./scan/internal/genexport -out "$dir" -people 1000 -channels 200 -days 365
go build -o /tmp/leadnudge-bench ./cmd/leadnudge
bytes=$(find "$dir" -name '*.json' -exec cat {} + | wc -c)
echo "export: $dir, $bytes bytes"
# warm the page cache once, so both tools read from memory
find "$dir" -name '*.json' -exec cat {} + > /dev/null
for i in 1 2 3; do
	/usr/bin/time -f "leadnudge %e s %U user %S sys %M KB" /tmp/leadnudge-bench scan "$dir" --format json > /dev/null
	/usr/bin/time -f "jq        %e s %U user %S sys %M KB" sh -c "find '$dir' -name '????-??-??.json' -exec jq -r '.[].text' {} + > /dev/null"
done 2>&1 | awk -v b="$bytes" '{ printf "%s  %.0f MB/s\n", $0, b/1e6/$2 }'
