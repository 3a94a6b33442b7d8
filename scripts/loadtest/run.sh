#!/usr/bin/env bash
# The emulator's performance matrix in one run, on loopback; prints one markdown table.
#
# Usage: scripts/loadtest/run.sh [DURATION]          e.g. scripts/loadtest/run.sh 5s
#   DURATION  wrk duration of every measured row (default 10s; wrk syntax: 10s, 1m).
#   Env (optional): SEED_BUDGET (default 120s) bounds the loading of courier's fixture file of
#   100,000 messages, GA_SEED_BUDGET (30s) the GreenArrow seeding, LOOP_SEED_BUDGET (40s) the
#   LoopMessage seeding, MEM_BUDGET (45s) the memory probe's large requests; KEEP=1 keeps the work
#   directory (raw wrk outputs, emulator logs) and prints its path.
# Needs Go, curl and wrk (installed with apt-get when missing). Progress goes to stderr, the table
# to stdout. At the default duration the run takes about 9 minutes (measured: 470 s).
#
# Every wrk row is `wrk -t1 -c32 -d<DURATION> --latency` against 127.0.0.1; p99 is wrk's.
# Sections (each emulator is a fresh `CGO_ENABLED=0` build of ./cmd/emulator, `-log-level error`):
#  1. Reads (fresh in-memory emulator): each vendor's hot GET of one resource and the first page of
#     a list. Before measuring, courier channel 1 is filled to 100 messages, GreenArrow to 100
#     organizations and LoopMessage to 20 (its default page), so those first pages are full (the
#     same pages are compared at scale in 4).
#     Each answer is saved with curl and served byte for byte by scripts/loadtest/bare (a plain
#     net/http server, `-dir`) as that row's ceiling, measured right after the row for
#     min(DURATION, 5s). Target: req/s >= 0.5 x ceiling and p99 <= 2 x the ceiling's p99.
#  2. Stalled-body probe (same emulator): two raw TCP connections send the headers of a courier
#     POST and a 360dialog PATCH with Content-Length: 100 and then nothing; meanwhile
#     GET /_emulator/health and one GET per vendor must each answer 200 within 100 ms.
#  3. Writes, in-memory store (same emulator): 360dialog PATCH partner, LoopMessage PATCH
#     organization, GreenArrow PUT organization, courier POST messaging-messages, through the Lua
#     scripts next to this file (count.lua counts the answers of each status). Target: >= 10,000/s and
#     every answer 2xx.
#  4. At scale (a fresh in-memory emulator, started with -fixtures: courier's default fixture file
#     plus 99,997 messages in channel 1, written by scripts/loadtest/fixture, since posting them
#     would take minutes; its row shows when the emulator was ready): scripts/loadtest/seed posts
#     GreenArrow organizations and LoopMessage organizations up to 100,000 each (each bounded by
#     its budget; the seeding rows show count and rate, PASS when complete); then the courier
#     channel GET, channel list, that channel's
#     first page of messages and the GreenArrow and LoopMessage organizations lists are measured
#     again, in turns with a twin emulator filled as in 1 (twin, seeded, twin, seeded, each for half
#     the duration; p99 is the worse of each side's two). Target: req/s at scale / twin in 0.8-1.2.
#     Then many worlds: a third emulator filled as in 1 makes 300 worlds (one courier POST in each),
#     and its default world's 360dialog partner GET and courier channel GET are measured in turns
#     with the twin, which has none. Target: req/s with the worlds / twin >= 0.8.
#  5. Writes, file store (fresh emulator, -db <tmp>/file.db): the same four writes. Target: >= 3,000/s.
#  6. Memory (fresh in-memory emulator): VmRSS right after start (target < 30 MiB), and after
#     100,000 requests of a ~64 KB body and a ~2 KB query string, spread over a write route of each
#     vendor (some answered with errors), bounded by MEM_BUDGET (target < 100 MiB), and 32 s later,
#     idle again (reported).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/loadtest

dur=${1:-10s}
[[ $dur =~ ^([0-9]+)(s|m|h)?$ ]] || { echo "usage: $0 [duration, e.g. 10s]" >&2; exit 2; }
case ${BASH_REMATCH[2]} in m) dur_s=$((BASH_REMATCH[1] * 60)) ;; h) dur_s=$((BASH_REMATCH[1] * 3600)) ;; *) dur_s=${BASH_REMATCH[1]} ;; esac
((dur_s > 0)) || { echo "duration must be positive" >&2; exit 2; }
ceil_dur=$((dur_s < 5 ? dur_s : 5))s
seed_budget=${SEED_BUDGET:-120s}
[[ $seed_budget =~ ^([0-9]+)s$ ]] || { echo "SEED_BUDGET must be in seconds, e.g. 120s" >&2; exit 2; }
seed_budget_s=${BASH_REMATCH[1]}
ga_seed_budget=${GA_SEED_BUDGET:-30s}
loop_seed_budget=${LOOP_SEED_BUDGET:-40s}
mem_budget=${MEM_BUDGET:-45s}
started=$SECONDS
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in ${pids[@]+"${pids[@]}"}; do
		kill "$p" 2>/dev/null || true
	done
	for p in ${pids[@]+"${pids[@]}"}; do
		wait "$p" 2>/dev/null || true
	done
	if [[ ${KEEP:-} == 1 ]]; then echo "work directory kept: $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s +%ds] %s\n' "$(date +%T)" $((SECONDS - started)) "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# tools and binaries

if ! command -v wrk >/dev/null; then
	log "installing wrk"
	sudo=""
	[[ $(id -u) == 0 ]] || sudo=sudo
	if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk; } >&2; then die "could not install wrk"; fi
fi
command -v curl >/dev/null || die "curl is missing"

log "building emulator, bare, seed"
CGO_ENABLED=0 go build -trimpath -o "$tmp/emulator" ./cmd/emulator || die "emulator build failed"
CGO_ENABLED=0 go build -trimpath -o "$tmp/bare" ./$here/bare || die "bare build failed"
CGO_ENABLED=0 go build -trimpath -o "$tmp/seed" ./$here/seed || die "seed build failed"
CGO_ENABLED=0 go build -trimpath -o "$tmp/fixture" ./$here/fixture || die "fixture build failed"

# ---------------------------------------------------------------------------------------------
# helpers

used_ports=" "
free_port() { # a port nothing listens on, not handed out before in this run, below the ephemeral
	# range: a client's connection there (wrk's, curl's) would make the emulator's listen fail
	local p lo=32768 span
	[[ -r /proc/sys/net/ipv4/ip_local_port_range ]] && read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	span=$((lo - 10000))
	((span >= 1000)) || span=1000
	for _ in $(seq 500); do
		p=$((10000 + RANDOM % span))
		[[ $used_ports == *" $p "* ]] && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			used_ports+="$p "
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

HEALTH_WAIT=30 # seconds start_emu waits for an emulator to become healthy
wait_health() { # port pid: up to HEALTH_WAIT s
	local deadline=$((SECONDS + HEALTH_WAIT))
	while ((SECONDS < deadline)); do
		kill -0 "$2" 2>/dev/null || return 1
		curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$1/_emulator/health" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

EMU_PID=""
start_emu() { # name port [emulator flags...]; sets EMU_PID
	local name=$1 port=$2
	shift 2
	"$tmp/emulator" -addr "127.0.0.1:$port" -log-level error "$@" 2>>"$tmp/$name.log" &
	EMU_PID=$!
	pids+=("$EMU_PID")
	wait_health "$port" "$EMU_PID" || { tail -5 "$tmp/$name.log" >&2 || true; die "emulator $name did not become healthy"; }
}

stop_pid() { # pid: SIGTERM, then SIGKILL after 15 s
	local p=$1
	kill "$p" 2>/dev/null || return 0
	for _ in $(seq 150); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

NOTES=()
QUIET_PID="" # the emulator being measured: every wrk run first waits for it to be idle
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
quiesce() { # wait (up to 30 s) until $QUIET_PID uses < 5% of a CPU over 0.5 s: slow requests
	# that wrk gave up on at the end of the previous row must not run into the next measurement
	[[ -n $QUIET_PID ]] && kill -0 "$QUIET_PID" 2>/dev/null || return 0
	local deadline=$((SECONDS + 30)) hz a b
	hz=$(getconf CLK_TCK)
	while ((SECONDS < deadline)); do
		a=$(cpu_ticks "$QUIET_PID")
		sleep 0.5
		b=$(cpu_ticks "$QUIET_PID")
		(((b - a) * 200 < 5 * hz)) && return 0
	done
	NOTES+=("the emulator was still busy 30 s after the row before \"$1\" (measured anyway)")
	log "emulator still busy before $1"
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
num() { # 12345.6 -> 12,346
	awk -v n="$1" 'BEGIN {n = sprintf("%.0f", n); s = ""; while (length(n) > 3) {s = "," substr(n, length(n) - 2) s; n = substr(n, 1, length(n) - 3)}; print n s}'
}
calc() { awk "BEGIN {print ($1)}"; }
is_true() { [[ $(awk "BEGIN {print (($1) ? 1 : 0)}") == 1 ]]; }

# wrk_run OUTFILE [DURATION] -- wrk args...: one measured run; then R_RPS, R_P99 (ms), R_BAD (answers
# outside 2xx: count.lua's count, else wrk's own count of >= 400), R_SOCK (socket errors, or empty).
wrk_run() {
	local out=$1 d=$2
	shift 3
	quiesce "$(basename "$out" .txt)"
	timeout -k 5 $((dur_s + 60)) wrk -t1 -c32 -d"$d" --timeout 5s --latency "$@" >"$out" 2>&1 || true
	R_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$out")
	R_P99=$(awk '$1 == "99%" {v = $2
		if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)}
		else if (v ~ /m$/) {sub(/m$/, "", v); v *= 60000} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}
		printf "%.2f", v}' "$out")
	local lua native
	lua=$(sed -n 's/^non2xx=\([0-9]*\).*/\1/p' "$out")
	native=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")
	R_BAD=${lua:-${native:-0}}
	R_SOCK=$(sed -n 's/^ *Socket errors: *//p' "$out")
	R_STATUSES=$(sed -n 's/^statuses=//p' "$out")
	R_REQS=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$out")
	if [[ -z $R_RPS || -z $R_P99 ]]; then
		log "wrk gave no result, see below"
		tail -5 "$out" >&2 || true
		R_RPS=0 R_P99=0 R_SOCK="wrk failed"
	fi
}

# problems: what besides the numbers makes a row FAIL (answers outside 2xx, socket errors).
problems() {
	local p=""
	[[ ${R_REQS:-0} != 0 ]] || p+="no request completed within $dur (wrk --timeout 5s); "
	((R_BAD == 0)) || p+="$(num "$R_BAD") non-2xx${R_STATUSES:+ (statuses $R_STATUSES)}; "
	[[ -z $R_SOCK ]] || p+="socket errors: $R_SOCK; "
	printf '%s' "${p%; }"
}

TABLE=()
row() { # request req/s share p99 target result
	TABLE+=("| $1 | $2 | $3 | $4 | $5 | $6 |")
	log "$1: $2 req/s, $3, p99 $4 -> $6"
}
verdict() { # condition-expression problems
	if [[ -z $2 ]] && is_true "$1"; then echo PASS; elif [[ -n $2 ]]; then echo "FAIL ($2)"; else echo FAIL; fi
}

# seed_run LABEL seed-args...: runs the seeder (bounded by its -max and a timeout); sets S_N, S_RATE, S_SECS.
seed_run() {
	local label=$1 out
	shift
	timeout -k 5 600 "$tmp/seed" "$@" >"$tmp/seed.out" 2>>"$tmp/seed.log" || true
	cat "$tmp/seed.out" >>"$tmp/seed.log"
	out=$(tail -1 "$tmp/seed.out")
	S_N=$(sed -n 's/.*seeded=\([0-9]*\).*/\1/p' <<<"$out")
	S_RATE=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' <<<"$out")
	S_SECS=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
	S_N=${S_N:-0} S_RATE=${S_RATE:-0} S_SECS=${S_SECS:-0}
	log "seed $label: $S_N in $S_SECS s ($S_RATE/s)"
}

# ---------------------------------------------------------------------------------------------
# fixtures, routes and bodies

DIALOG_KEY='X-API-Key: examplePA-api-key'
LOOP_KEY='Authorization: lm-acme-default'
GA_ADMIN="Authorization: Basic $(printf '%s' '1:ga-system-admin-secret' | base64)"
COURIER='Authorization: Bearer courier-admin-token'
LOOP_ORG=0b7e3f52-6d1a-4c8e-9f20-3a5b7c9d1e01 # Acme Default
LOOP_PATCH_ORG=2d9a5b74-8f3c-4ea0-b142-5c7d9e1f3a03 # Acme Labs
CHANNEL=50000000-0000-4000-8000-000000000001 # Pat's care-team channel, 3 fixture messages
ALICE=30000000-0000-4000-8000-000000000001
MSG_DOC='{"data":{"type":"messaging-messages","attributes":{"channel-id":"'$CHANNEL'","individual-id":"'$ALICE'","message":"Seed message {n}"}},"meta":{}}'
GA_ORG_DOC='{"organization":{"name":"Load org {n}"}}'
LOOP_ORG_DOC='{"name":"Load org {n}","website":"https://example.com","support_url":"https://example.com/help","country":"US"}'

# name | label | path | header
READS=(
	"dialog_partner|360dialog GET partner|/360dialog/api/v2/partners/examplePA|$DIALOG_KEY"
	"dialog_clients|360dialog GET clients list|/360dialog/api/v2/partners/examplePA/clients|$DIALOG_KEY"
	"loop_org|LoopMessage GET organization details|/loopmessage/api/v1/organizations/details/$LOOP_ORG/|$LOOP_KEY"
	"loop_orgs|LoopMessage GET organizations list, 20 of 20|/loopmessage/api/v1/organizations/list/|$LOOP_KEY"
	"ga_org|GreenArrow GET organization 1|/greenarrow/ga/api/v2/organizations/1|$GA_ADMIN"
	"ga_orgs|GreenArrow GET organizations list, 100 of 100|/greenarrow/ga/api/v2/organizations|$GA_ADMIN"
	"courier_channel|courier GET messaging channel|/courier/v1/messaging-channels/$CHANNEL/|$COURIER"
	"courier_channels|courier GET messaging-channels list, 3 items|/courier/v1/messaging-channels/|$COURIER"
	"courier_messages|courier GET channel messages, first page, 100 of 100|/courier/v1/messaging-messages/?channel-id=$CHANNEL|$COURIER"
)
# name | label | path | lua script
WRITES=(
	"dialog_patch|360dialog PATCH partner|/360dialog/api/v2/partners/examplePA|dialog_patch.lua"
	"loop_patch|LoopMessage PATCH organization|/loopmessage/api/v1/organizations/details/$LOOP_PATCH_ORG/|loop_patch.lua"
	"ga_put|GreenArrow PUT organization 2|/greenarrow/ga/api/v2/organizations/2|ga_put.lua"
	"courier_post|courier POST messaging-messages|/courier/v1/messaging-messages/|courier_post.lua"
)

# prefill BASE: full first pages: channel 1 to 100 messages (3 fixtures), GreenArrow to 100
# organizations (4 fixtures), LoopMessage to 20 (3 fixtures).
prefill() {
	seed_run "courier prefill" -url "$1/courier/v1/messaging-messages/" -H "$COURIER" \
		-H 'Content-Type: application/vnd.api+json' -body "$MSG_DOC" -n 97 -c 8 -max 30s
	((S_N == 97)) || die "could not prefill courier messages (see $tmp/seed.log)"
	seed_run "GreenArrow prefill" -url "$1/greenarrow/ga/api/v2/organizations" -H "$GA_ADMIN" \
		-H 'Content-Type: application/json' -body "$GA_ORG_DOC" -n 96 -c 8 -max 30s
	((S_N == 96)) || die "could not prefill GreenArrow organizations (see $tmp/seed.log)"
	seed_run "LoopMessage prefill" -url "$1/loopmessage/api/v1/organizations/new/" -H "$LOOP_KEY" \
		-H 'Content-Type: application/json' -body "$LOOP_ORG_DOC" -n 17 -c 8 -max 30s
	((S_N == 17)) || die "could not prefill LoopMessage organizations (see $tmp/seed.log)"
}

measure_writes() { # port mode target
	local port=$1 mode=$2 target=$3 w name label path lua
	for w in "${WRITES[@]}"; do
		IFS='|' read -r name label path lua <<<"$w"
		wrk_run "$tmp/wrk-$mode-$name.txt" "$dur" -- -s "$here/$lua" "http://127.0.0.1:$port$path"
		row "$label ($mode)" "$(num "$R_RPS")" "—" "$R_P99 ms" "≥ $(num "$target")/s, all 2xx" \
			"$(verdict "$R_RPS >= $target" "$(problems)")$( ((R_BAD > 0)) || echo " · all 2xx ($R_STATUSES)")"
	done
}

# ---------------------------------------------------------------------------------------------
# 1. reads against the ceiling (fresh in-memory emulator)

port=$(free_port)
B=http://127.0.0.1:$port
start_emu memory "$port"
mem_pid=$EMU_PID QUIET_PID=$EMU_PID
log "in-memory emulator pid $mem_pid on $B"

prefill "$B"

mkdir -p "$tmp/bodies"
for r in "${READS[@]}"; do
	IFS='|' read -r name label path hdr <<<"$r"
	code=$(curl -sS --max-time 10 -o "$tmp/bodies/$name" -w '%{http_code}' -H "$hdr" "$B$path") || code=000
	[[ $code == 200 ]] || die "GET $path answered $code: $(head -c 300 "$tmp/bodies/$name" 2>/dev/null)"
	log "$name: $(wc -c <"$tmp/bodies/$name") bytes"
done

bare_port=$(free_port)
"$tmp/bare" -addr "127.0.0.1:$bare_port" -dir "$tmp/bodies" 2>>"$tmp/bare.log" &
bare_pid=$!
pids+=("$bare_pid")
for _ in $(seq 50); do
	curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$bare_port/dialog_partner" 2>/dev/null && break
	sleep 0.1
done
cmp -s "$tmp/bodies/dialog_partner" <(curl -sS --max-time 5 "http://127.0.0.1:$bare_port/dialog_partner") ||
	die "bare does not serve the saved bodies"

for r in "${READS[@]}"; do
	IFS='|' read -r name label path hdr <<<"$r"
	wrk_run "$tmp/wrk-read-$name.txt" "$dur" -- -H "$hdr" "$B$path"
	rps=$R_RPS p99=$R_P99 prob=$(problems)
	wrk_run "$tmp/wrk-ceiling-$name.txt" "$ceil_dur" -- "http://127.0.0.1:$bare_port/$name"
	[[ -z $(problems) ]] || prob+="${prob:+; }ceiling: $(problems)"
	share=$(calc "$R_RPS > 0 ? $rps / $R_RPS : 0")
	row "$label ($(num "$(wc -c <"$tmp/bodies/$name")") B)" "$(num "$rps")" \
		"$(printf '%.2f' "$share") of $(num "$R_RPS")" "$p99 ms (ceiling $R_P99 ms)" \
		"≥ 0.50 of ceiling, p99 ≤ 2× ceiling" "$(verdict "$share >= 0.5 && $p99 <= 2 * $R_P99" "$prob")"
done
stop_pid "$bare_pid"

# ---------------------------------------------------------------------------------------------
# 2. stalled-body probe (same emulator)

exec {stall1}<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /courier/v1/messaging-messages/ HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\nContent-Type: application/vnd.api+json\r\nContent-Length: 100\r\n\r\n' \
	"$COURIER" >&"$stall1"
exec {stall2}<>"/dev/tcp/127.0.0.1/$port"
printf 'PATCH /360dialog/api/v2/partners/examplePA HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n' \
	"$DIALOG_KEY" >&"$stall2"
sleep 0.5 # let both requests reach their handlers
PROBES=(
	"control GET /_emulator/health|/_emulator/health|X-Probe: 1"
	"360dialog GET partner|/360dialog/api/v2/partners/examplePA|$DIALOG_KEY"
	"LoopMessage GET organization details|/loopmessage/api/v1/organizations/details/$LOOP_ORG/|$LOOP_KEY"
	"GreenArrow GET organization 1|/greenarrow/ga/api/v2/organizations/1|$GA_ADMIN"
	"courier GET messaging channel|/courier/v1/messaging-channels/$CHANNEL/|$COURIER"
)
for p in "${PROBES[@]}"; do
	IFS='|' read -r label path hdr <<<"$p"
	res=$(curl -sS --max-time 2 -o /dev/null -w '%{http_code} %{time_total}' -H "$hdr" "$B$path" 2>/dev/null) || res="${res:-000} 2"
	code=${res%% *} ms=$(calc "${res##* } * 1000")
	prob=""
	[[ $code == 200 ]] || prob="status $code"
	row "stalled bodies: $label" "—" "—" "$(printf '%.1f' "$ms") ms (one request)" \
		"200 within 100 ms while 2 bodies stall" "$(verdict "$ms <= 100" "$prob")"
done
for fd in "$stall1" "$stall2"; do # a stalled request must not have been answered before its body
	if IFS= read -r -t 0.2 -u "$fd" line; then
		NOTES+=("stalled-body probe: a stalled request was answered before its body came: ${line%$'\r'}")
	fi
done
exec {stall1}>&- {stall2}>&-

# ---------------------------------------------------------------------------------------------
# 3. writes, in-memory store (same emulator)

measure_writes "$port" memory 10000

# ---------------------------------------------------------------------------------------------
# 4. at scale: a fresh in-memory emulator that starts with courier's default fixtures plus
# 99,997 messages in channel 1 (a fixture file: posting them takes minutes, see the POST rows)

stop_pid "$mem_pid"
mkdir -p "$tmp/scale-fixtures"
"$tmp/fixture" -in fixtures/courier.json -out "$tmp/scale-fixtures/courier.json" -channel "$CHANNEL" -n 99997 ||
	die "could not write the courier fixture file"
port=$(free_port)
B=http://127.0.0.1:$port
t0=$SECONDS HEALTH_WAIT=$((seed_budget_s + 120)) # a slow load is a FAIL of its row, not of the run
start_emu scaled "$port" -fixtures "$tmp/scale-fixtures"
HEALTH_WAIT=30
mem_pid=$EMU_PID QUIET_PID=$EMU_PID
loaded=$((SECONDS - t0))
msgs=$(curl -sS -g --max-time 30 -H "$COURIER" "$B/courier/v1/messaging-messages/?channel-id=$CHANNEL&page[limit]=1" |
	sed -n 's/.*"page\[total\]":\([0-9]*\).*/\1/p')
msgs=${msgs:-0}
log "at-scale emulator pid $mem_pid on $B: $msgs messages in channel 1, ready after $loaded s"
row "seed: courier messages in channel 1 (fixture file, loaded at start)" "—" "—" "—" \
	"100,000 rows within $seed_budget" "$(verdict "$msgs >= 100000 && $loaded <= $seed_budget_s" "")$( ((msgs >= 100000)) || echo " ($(num "$msgs") rows)") (ready after $loaded s)"
seed_run "GreenArrow organizations" -url "$B/greenarrow/ga/api/v2/organizations" -H "$GA_ADMIN" \
	-H 'Content-Type: application/json' -body "$GA_ORG_DOC" -n 99996 -c 32 -max "$ga_seed_budget"
orgs=$((S_N + 4))
row "seed: GreenArrow organizations (32 connections)" "$(num "$S_RATE")" "—" "—" \
	"100,000 rows within $ga_seed_budget" "$(verdict "$orgs >= 100000" "")$( ((orgs >= 100000)) || echo " ($(num "$orgs") rows in ${S_SECS} s)")"
seed_run "LoopMessage organizations" -url "$B/loopmessage/api/v1/organizations/new/" -H "$LOOP_KEY" \
	-H 'Content-Type: application/json' -body "$LOOP_ORG_DOC" -n 99997 -c 32 -max "$loop_seed_budget"
lorgs=$((S_N + 3))
row "seed: LoopMessage organizations (32 connections)" "$(num "$S_RATE")" "—" "—" \
	"100,000 rows within $loop_seed_budget" "$(verdict "$lorgs >= 100000" "")$( ((lorgs >= 100000)) || echo " ($(num "$lorgs") rows in ${S_SECS} s)")"

SCALE=(
	"courier_channel|courier GET messaging channel, $(num "$msgs") messages"
	"courier_channels|courier GET messaging-channels list, $(num "$msgs") messages"
	"courier_messages|courier GET channel messages, first page, 100 of $(num "$msgs")"
	"ga_orgs|GreenArrow GET organizations list, 100 of $(num "$orgs")"
	"loop_orgs|LoopMessage GET organizations list, 20 of $(num "$lorgs")"
)
# The fresh side of each comparison is a twin emulator filled as in 1, measured in turns with the
# seeded one (fresh, seeded, fresh, seeded; half the duration each), so the machine's drift over
# the minutes of seeding does not pass for growth.
# turns NAME PATH HEADER PORT PID: PATH on the twin and on PORT in turns; sets FRESH_RPS and
# FRESH_P99 (the twin's), R_RPS and R_P99 (PORT's; each p99 the worse of two) and BAD (problems).
turns() {
	local name=$1 path=$2 hdr=$3 port=$4 pid=$5 fresh_sum=0 sum=0 p99=0 turn p
	FRESH_P99=0 BAD=""
	for turn in 1 2; do
		QUIET_PID=$twin_pid
		wrk_run "$tmp/wrk-twin-$name-$turn.txt" "$half" -- -H "$hdr" "http://127.0.0.1:$twin_port$path"
		fresh_sum=$(calc "$fresh_sum + $R_RPS")
		FRESH_P99=$(calc "$R_P99 > $FRESH_P99 ? $R_P99 : $FRESH_P99")
		p=$(problems) && BAD+=${p:+$p; }
		QUIET_PID=$pid
		wrk_run "$tmp/wrk-$name-$turn.txt" "$half" -- -H "$hdr" "http://127.0.0.1:$port$path"
		sum=$(calc "$sum + $R_RPS")
		p99=$(calc "$R_P99 > $p99 ? $R_P99 : $p99")
		p=$(problems) && BAD+=${p:+$p; }
	done
	FRESH_RPS=$(calc "$fresh_sum / 2") R_RPS=$(calc "$sum / 2") R_P99=$p99 BAD=${BAD%; }
}
twin_port=$(free_port)
start_emu twin "$twin_port"
twin_pid=$EMU_PID
prefill "http://127.0.0.1:$twin_port"
half=$(((dur_s + 1) / 2))s
for s in "${SCALE[@]}"; do
	IFS='|' read -r name label <<<"$s"
	for r in "${READS[@]}"; do
		IFS='|' read -r rname _ path hdr <<<"$r"
		[[ $rname == "$name" ]] && break
	done
	turns "scale-$name" "$path" "$hdr" "$port" "$mem_pid"
	ratio=$(calc "$FRESH_RPS > 0 ? $R_RPS / $FRESH_RPS : 0")
	row "at scale: $label" "$(num "$R_RPS")" "$(printf '%.2f' "$ratio")× fresh ($(num "$FRESH_RPS"))" \
		"$R_P99 ms (fresh $FRESH_P99 ms)" "req/s within ±20% of fresh" "$(verdict "$ratio >= 0.8 && $ratio <= 1.2" "$BAD")"
done
stop_pid "$mem_pid"

# Many worlds: what each keeps (its handlers, its heap, its store) must not slow the others.
worlds_port=$(free_port)
start_emu worlds "$worlds_port"
worlds_pid=$EMU_PID
prefill "http://127.0.0.1:$worlds_port"
made=0
for _ in $(seq 300); do
	id=$(curl -sS --max-time 10 -X POST "http://127.0.0.1:$worlds_port/_emulator/worlds" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
	[[ -n $id ]] || continue
	curl -fsS --max-time 10 -o /dev/null -X POST -H "$COURIER" -H 'Content-Type: application/vnd.api+json' \
		-d "${MSG_DOC//\{n\}/0}" "http://127.0.0.1:$worlds_port/w/$id/courier/v1/messaging-messages/" && made=$((made + 1))
done
log "worlds emulator pid $worlds_pid: $made worlds made and written to"
for name in dialog_partner courier_channel; do
	for r in "${READS[@]}"; do
		IFS='|' read -r rname label path hdr <<<"$r"
		[[ $rname == "$name" ]] && break
	done
	turns "worlds-$name" "$path" "$hdr" "$worlds_port" "$worlds_pid"
	ratio=$(calc "$FRESH_RPS > 0 ? $R_RPS / $FRESH_RPS : 0")
	row "with $made worlds: $label (default world)" "$(num "$R_RPS")" "$(printf '%.2f' "$ratio")× no worlds ($(num "$FRESH_RPS"))" \
		"$R_P99 ms (no worlds $FRESH_P99 ms)" "req/s ≥ 0.8× no worlds" "$(verdict "$ratio >= 0.8 && $made == 300" "$BAD")"
done
row "memory: VmRSS with $made worlds" "—" "—" "—" "(reported)" "$(mib "$(rss_kb "$worlds_pid")") ($(mib "$(rss_kb "$twin_pid")") without)"
stop_pid "$worlds_pid"
stop_pid "$twin_pid"

# ---------------------------------------------------------------------------------------------
# 5. writes, file store (fresh emulator)

port=$(free_port)
start_emu file "$port" -db "$tmp/file.db"
file_pid=$EMU_PID QUIET_PID=$EMU_PID
log "file-store emulator pid $file_pid on port $port"
measure_writes "$port" "file store" 3000
stop_pid "$file_pid"

# ---------------------------------------------------------------------------------------------
# 6. memory (fresh in-memory emulator)

port=$(free_port)
B=http://127.0.0.1:$port
start_emu rss "$port"
rss_pid=$EMU_PID
sleep 1
idle=$(rss_kb "$rss_pid")
QUIET_PID=""
row "memory: VmRSS right after start" "—" "—" "—" "< 30 MiB" "$(verdict "$idle < 30 * 1024" "") ($(mib "$idle"))"

pad=$(head -c 65536 /dev/zero | tr '\0' x)
query="pad=$(head -c 2048 /dev/zero | tr '\0' q)&i={n}"
printf '{"pad":"%s"}' "$pad" >"$tmp/big-pad.json"
printf '{"organization":{},"pad":"%s"}' "$pad" >"$tmp/big-ga.json"
printf '{"data":{"type":"messaging-messages","attributes":{"message":"%s"}}}' "$pad" >"$tmp/big-courier.json"
BIG=(
	"PATCH|/360dialog/api/v2/partners/examplePA|$DIALOG_KEY|big-pad.json"
	"POST|/courier/v1/messaging-messages/|$COURIER|big-courier.json"
	"PUT|/greenarrow/ga/api/v2/organizations/3|$GA_ADMIN|big-ga.json"
	"PATCH|/loopmessage/api/v1/organizations/details/$LOOP_PATCH_ORG/|$LOOP_KEY|big-pad.json"
)
big_pids=()
i=0
for b in "${BIG[@]}"; do
	IFS='|' read -r method path hdr file <<<"$b"
	i=$((i + 1))
	timeout -k 5 300 "$tmp/seed" -any -n 25000 -c 8 -max "$mem_budget" -method "$method" -url "$B$path?$query" \
		-H "$hdr" -H 'Content-Type: application/json' -body "@$tmp/$file" >"$tmp/big-$i.out" 2>>"$tmp/seed.log" &
	big_pids+=($!)
	pids+=($!)
done
for p in "${big_pids[@]}"; do wait "$p" || true; done
sent=0
for i in 1 2 3 4; do
	n=$(sed -n 's/.*seeded=\([0-9]*\).*/\1/p' "$tmp/big-$i.out")
	sent=$((sent + ${n:-0}))
done
busy=$(rss_kb "$rss_pid") peak=$(hwm_kb "$rss_pid")
log "large requests: $sent answered; VmRSS $(mib "$busy"), VmHWM $(mib "$peak")"
row "memory: VmRSS after $(num "$sent") of 100,000 requests (64 KB body, 2 KB query, 4 vendors)" "—" "—" "—" \
	"< 100 MiB" "$(verdict "$busy < 100 * 1024" "") ($(mib "$busy"), peak $(mib "$peak"))"
# Idle again, the emulator gives back what the burst left in its heap (cmd/emulator/release_memory.go);
# what stays is the journal's last 1,000 requests and the read connections the burst opened.
sleep 32
rested=$(rss_kb "$rss_pid")
row "memory: VmRSS 32 s after those requests" "—" "—" "—" "(reported)" "$(mib "$rested")"
stop_pid "$rss_pid"

# ---------------------------------------------------------------------------------------------
# the table

commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
cat <<EOF
## Emulator load test

- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
- Go: $(go version | awk '{print $3, $4}'); commit: $commit
- load: wrk -t1 -c32 -d$dur --latency on loopback (ceilings: bare net/http, same bytes, -d$ceil_dur); run took $((SECONDS - started)) s
- machine load average (1, 5, 15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)

| request | req/s | share of ceiling | p99 | target | result |
| --- | ---: | --- | --- | --- | --- |
EOF
printf '%s\n' "${TABLE[@]}"
echo
for n in ${NOTES[@]+"${NOTES[@]}"}; do echo "- $n"; done
