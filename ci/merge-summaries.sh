#!/usr/bin/env bash
# Merges the summary.csv of every results-*/ folder into class-summary.csv (one header).
set -euo pipefail
out="${1:-class-summary.csv}"
first=1
: > "$out"
for summary in results-*/summary.csv; do
  if [ "$first" = 1 ]; then
    cat "$summary" >> "$out"
    first=0
  else
    tail -n +2 "$summary" >> "$out"
  fi
done
echo "merged $(($(wc -l < "$out") - 1)) submissions into $out"
