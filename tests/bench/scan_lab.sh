#!/usr/bin/env bash
# Whole-scan benchmark: a lab of N gateways in one process, audited with -o by another; prints
# endpoints/s, wall and CPU seconds, the scanner's peak RSS and the size of results.json.
# Usage: scan_lab.sh [N] [scan args...]
#   BUILD_DIR     the build tree holding relayaudit (default: ../../build)
#   RELAYAUDIT    the binary itself (overrides BUILD_DIR)
#   LAB_PROFILE   serve N gateways of this one profile (e.g. closed) instead of closed/open
#   LAB_LATENCY   milliseconds of simulated round trip (default 20), when the lab has --latency
#   KEEP_RESULTS  copy results.json here before the work directory is removed
set -euo pipefail
binary=${RELAYAUDIT:-${BUILD_DIR:-$(dirname "$0")/../../build}/relayaudit}
count=${1:-1000}
shift || true
work=$(mktemp -d "${TMPDIR:-/tmp}/compact-bench.XXXXXX")
lab_pid=
trap '[ -n "$lab_pid" ] && kill "$lab_pid" 2>/dev/null; rm -rf "$work"' EXIT

lab_args=()
if [ -n "${LAB_PROFILE:-}" ]; then
  # One value per use (a comma list): --profile never takes the words after it.
  profiles=$(printf "$LAB_PROFILE,%.0s" $(seq 1 "$count"))
  lab_args+=(--profile "${profiles%,}")
else
  lab_args+=(--count "$count")
fi
# --latency arrives with the pacing work; an older lab is measured without it.
if "$binary" lab --help | grep -q -- '--latency'; then
  lab_args+=(--latency "${LAB_LATENCY:-20}")
  latency="${LAB_LATENCY:-20} ms"
else
  latency="none (this lab has no --latency)"
fi
"$binary" lab "${lab_args[@]}" --endpoints-file "$work/endpoints.txt" >/dev/null &
lab_pid=$!
for _ in $(seq 1 1500); do
  [ -s "$work/endpoints.txt" ] && [ "$(wc -l <"$work/endpoints.txt")" -ge "$count" ] && break
  sleep 0.02
done

set +e
/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$binary" scan -f "$work/endpoints.txt" -q \
  -o "$work/results.json" "$@"
code=$?
set -e
kill "$lab_pid" 2>/dev/null || true
wait "$lab_pid" 2>/dev/null || true
lab_pid=
[ -n "${KEEP_RESULTS:-}" ] && cp "$work/results.json" "$KEEP_RESULTS"

# Read line by line: a 10,000-endpoint document must not be loaded whole to be measured.
python3 - "$work/results.json" "$(tail -n1 "$work/time")" "$code" "$latency" <<'PY'
import json, os, re, sys
path, timing, code, latency = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4]
wall, user, system, rss_kb = float(timing[0]), float(timing[1]), float(timing[2]), int(timing[3])
endpoints = trips = 0
summary = None
# 2.0 writes each endpoint on one line; 1.x spread it over many: both are matched per line.
round_trips = re.compile(r'"round_trips": ?([0-9]+)')
with open(path, encoding="utf-8", errors="replace") as results:
    for line in results:
        stripped = line.lstrip(" ")
        if stripped.startswith('"summary": {'):
            indent = len(line) - len(stripped)
            text = stripped[len('"summary": '):]
            for more in results:
                text += more
                if more.startswith(" " * indent + "}"):
                    break
            summary = json.loads(text.rstrip(",\n"))
            continue
        for match in round_trips.finditer(line):
            endpoints += 1
            trips += int(match.group(1))
size = os.path.getsize(path)
per = size / endpoints if endpoints else 0
print(f"endpoints: {endpoints}  exit: {code}  latency: {latency}  summary: {summary}")
print(f"wall: {wall:.2f}s  endpoints/s: {endpoints / wall if wall else 0:.0f}  "
      f"CPU: {user + system:.2f}s (user {user:.2f}, sys {system:.2f})  "
      f"peak RSS: {rss_kb / 1024:.1f} MiB")
print(f"results.json: {size} bytes  {per / 1024:.1f} KiB/endpoint  "
      f"round trips/endpoint: {trips / endpoints if endpoints else 0:.1f}")
PY
