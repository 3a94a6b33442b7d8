#!/usr/bin/env bash
# Load test of the 360dialog partner GET against a bare net/http baseline, on loopback only.
# Needs wrk (apt-get install wrk). Usage: scripts/loadtest/run.sh [duration, default 10s]
# Prints requests/second of both, their ratio, and the emulator's idle resident memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
dur=${1:-10s}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/emulator" ./cmd/emulator
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/bare" ./scripts/loadtest/bare

"$tmp/emulator" -addr 127.0.0.1:18480 -log-level error &
emu=$!
"$tmp/bare" -addr 127.0.0.1:18481 &
for _ in $(seq 50); do curl -fsS -o /dev/null http://127.0.0.1:18480/_emulator/health 2>/dev/null && break; sleep 0.1; done
sleep 1
idle_kb=$(awk '/VmRSS/ {print $2}' /proc/$emu/status)

rps() { wrk -t2 -c32 -d"$dur" "$@" | awk '/Requests\/sec/ {print $2}'; }
emu_rps=$(rps -H 'X-API-Key: examplePA-api-key' http://127.0.0.1:18480/360dialog/api/v2/partners/examplePA)
bare_rps=$(rps http://127.0.0.1:18481/)
busy_kb=$(awk '/VmRSS/ {print $2}' /proc/$emu/status)

echo "emulator partner GET: $emu_rps req/s"
echo "bare net/http:        $bare_rps req/s"
awk -v a="$emu_rps" -v b="$bare_rps" 'BEGIN {printf "ratio:                %.2f (target >= 0.50)\n", a/b}'
echo "emulator idle RSS:    $((idle_kb / 1024)) MiB (target < 30); after load: $((busy_kb / 1024)) MiB"
