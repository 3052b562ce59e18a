#!/usr/bin/env bash
# Whole-scan benchmark: a lab of N gateways (alternating closed/open) in one process, audited by
# another; prints endpoints per second and the scanner's peak RSS. Usage: scan_lab.sh [N] [scan args]
set -euo pipefail
build=${BUILD_DIR:-$(dirname "$0")/../../build}
count=${1:-1000}
shift || true
work=$(mktemp -d)
trap 'kill "$lab_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$build/relayaudit" lab --count "$count" --endpoints-file "$work/endpoints.txt" >/dev/null &
lab_pid=$!
for _ in $(seq 1 500); do [ -s "$work/endpoints.txt" ] && break; sleep 0.02; done
start=$(date +%s.%N)
set +e
/usr/bin/time -f "%M" -o "$work/rss" "$build/relayaudit" scan -f "$work/endpoints.txt" -q \
  -o "$work/results.json" "$@"
code=$?
set -e
end=$(date +%s.%N)
python3 - "$work/results.json" "$start" "$end" "$(tail -n1 "$work/rss")" "$code" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
start, end, rss_kb, code = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
endpoints = results["endpoints"]
trips = sum(e["round_trips"] for e in endpoints)
print(f"endpoints: {len(endpoints)}  exit: {code}  summary: {results['summary']}")
print(f"wall: {end - start:.2f}s  endpoints/s: {len(endpoints) / (end - start):.0f}  "
      f"peak RSS: {rss_kb / 1024:.1f} MiB  round trips/endpoint: {trips / len(endpoints):.1f}")
PY
