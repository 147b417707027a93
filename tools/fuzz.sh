#!/usr/bin/env bash
# Runs every fuzz target of the module for a while each: tools/fuzz.sh [FUZZTIME] (default 30s).
# The targets are found with `go test -list`, so a new one is run without being listed here.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-30s}
go=${GO:-go}
targets=$($go test -list '^Fuzz' ./... | awk '
	/^Fuzz/ { names[n++] = $1; next }
	/^ok/   { for (i = 0; i < n; i++) print $2, names[i]; n = 0 }')
if [ -z "$targets" ]; then
	echo "no fuzz targets found" >&2
	exit 1
fi
count=0
while read -r pkg name; do
	echo "== $name ($pkg), $fuzztime"
	$go test -run=NONE -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg"
	count=$((count + 1))
done <<< "$targets"
echo "fuzzed $count targets for $fuzztime each"
