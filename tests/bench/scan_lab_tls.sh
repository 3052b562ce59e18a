#!/usr/bin/env bash
# TLS benchmark: N starttls-offered lab gateways (closed, real STARTTLS) audited with the whole
# library, then the same N closed gateways without TLS; endpoints/s, CPU seconds and peak RSS of
# the scanner, and TLS handshakes and resumptions. Usage: scan_lab_tls.sh [N] [scan args]
set -euo pipefail
build=${BUILD_DIR:-$(dirname "$0")/../../build}
count=${1:-1000}
shift || true
work=$(mktemp -d)
lab_pid=
trap 'kill "$lab_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
run() {
  local profile=$1
  shift
  local profiles=()
  for _ in $(seq 1 "$count"); do profiles+=(--profile "$profile"); done
  rm -f "$work/endpoints.txt"
  "$build/relayaudit" lab "${profiles[@]}" --endpoints-file "$work/endpoints.txt" >/dev/null &
  lab_pid=$!
  for _ in $(seq 1 500); do [ -s "$work/endpoints.txt" ] && break; sleep 0.02; done
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/usage" "$build/relayaudit" scan -f "$work/endpoints.txt" \
    -q -o "$work/results.json" "$@" || true
  end=$(date +%s.%N)
  kill "$lab_pid" 2>/dev/null || true
  wait "$lab_pid" 2>/dev/null || true
  python3 - "$profile" "$work/results.json" "$start" "$end" $(tail -n1 "$work/usage") <<'PY'
import json, sys
profile, path, start, end, rss_kb, user, system = sys.argv[1:8]
results = json.load(open(path))
endpoints = results["endpoints"]
wall = float(end) - float(start)
handshakes = sum(e.get("tls", {}).get("handshakes", 0) for e in endpoints)
resumed = sum(e.get("tls", {}).get("resumed", 0) for e in endpoints)
connections = sum(e["connections"] for e in endpoints)
trips = sum(e["round_trips"] for e in endpoints)
print(f"{profile}: {len(endpoints)} endpoints, verdicts {results['summary']['closed']} closed; "
      f"wall {wall:.2f}s, {len(endpoints) / wall:.0f} endpoints/s, scanner CPU "
      f"{float(user) + float(system):.2f}s, peak RSS {int(rss_kb) / 1024:.1f} MiB; "
      f"{connections} connections, {trips} round trips, {handshakes} TLS handshakes, "
      f"{resumed} resumed")
PY
}
run starttls-offered "$@"
run closed "$@"
