#!/usr/bin/env bash
# Grades part PART of PARTS of a class (one CI machine's share) into results-PART/.
#   SUBMISSIONS=folder EXERCISE=tcp-server PART=1 PARTS=4 ci/grade-part.sh
# Optional: FORMAT (default junit), ENTRY, NETGRADE (default netgrade).
set -euo pipefail
netgrade="${NETGRADE:-netgrade}"
args=(grade "$SUBMISSIONS" --exercise "$EXERCISE" --partition "$PART/$PARTS"
      --format "${FORMAT:-junit}" --output "results-$PART")
[ -n "${ENTRY:-}" ] && args+=(--entry "$ENTRY")
"$netgrade" "${args[@]}"
