#!/usr/bin/env bash
# Pacing benchmark: the whole library against the lab's server shapes that punish a client
# (Postfix error sleep, postscreen greet wait, Exchange tarpit, a server that defers everything,
# a connection limit), each endpoint's wall time and what pacing learned.
# Usage: scan_pacing.sh [greylist delay, default 6s] [extra scan args...]
set -euo pipefail
build=${BUILD_DIR:-$(dirname "$0")/../../build}
delay=${1:-6s}
shift || true
work=$(mktemp -d)
trap 'kill "$lab_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$build/relayaudit" lab --profile error-sleep,postscreen,exchange-tarpit,greylist-forever,connection-limit,closed \
  --soft-error-limit 3 --error-sleep 1s --hard-error-limit 5 --greet-wait 2s --tarpit-delay 1s \
  --connection-limit 2 --endpoints-file "$work/endpoints.txt" >/dev/null &
lab_pid=$!
for _ in $(seq 1 500); do [ -s "$work/endpoints.txt" ] && break; sleep 0.02; done
start=$(date +%s.%N)
set +e
"$build/relayaudit" scan -f "$work/endpoints.txt" -q --greylist-delay "$delay" -o "$work/results.json" "$@"
code=$?
set -e
end=$(date +%s.%N)
python3 - "$work/results.json" "$start" "$end" "$code" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
start, end, code = float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
names = ["error-sleep", "postscreen", "exchange-tarpit", "greylist-forever", "connection-limit", "closed"]
print(f"whole scan: {end - start:.2f}s  exit: {code}")
for name, endpoint in zip(names, results["endpoints"]):
    seconds = (endpoint["finished_ms"] - endpoint["started_ms"]) / 1000
    pacing = {k: v for k, v in endpoint.get("pacing", {}).items() if v not in (None, False, 0)}
    print(f"  {name:17} {endpoint['verdict']:12} {seconds:6.2f}s  connections {endpoint['connections']:3}  {pacing}")
PY
