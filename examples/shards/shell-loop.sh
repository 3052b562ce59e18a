#!/bin/sh
# One audit split into 3 shards run side by side on one machine (prefix each scan with
# `ssh host` to spread them), then merged into one results document.
# Usage: shell-loop.sh [FLEET_FILE]   (default fleet.txt); writes shard-1..3.json, results.json.
# Exits as the merged audit does: 0 every endpoint closed, 1 open relay, 3 something unproven.
set -u
fleet=${1:-fleet.txt}
pids=""
for k in 1 2 3; do
  relayaudit scan -f "$fleet" --shard $k/3 -q -o shard-$k.json &
  pids="$pids $!"
done
for pid in $pids; do
  wait "$pid"
  status=$?
  # 1 (open relay) and 3 (unproven) are verdicts, judged after the merge; 2 and 4 are failures.
  if [ "$status" -eq 2 ] || [ "$status" -eq 4 ]; then exit "$status"; fi
done
relayaudit merge shard-1.json shard-2.json shard-3.json -o results.json
