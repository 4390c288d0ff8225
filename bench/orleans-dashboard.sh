#!/usr/bin/env bash
# bench/orleans-dashboard.sh — what the Orleans dashboard costs the request decision.
#
# Runs the service (Release, memory storage, Development keys) on 127.0.0.1:5191 with the Orleans
# dashboard off and on (Reputation:OrleansDashboard:Enabled), alternating, ROUNDS times, with the
# silo's decision cache at its default (5 s) and off (0: every decision is a grain call, which the
# dashboard's profiler times). Each run warms up with wrk for 5 s, then measures
# wrk -t2 -c32 for SECONDS against POST /v1/decisions/request for 10,000 accounts (never seen: the
# new-account answer). A browser on the dashboard would add its polling; none is open here.
# Prints one line per run and, per cache setting, the median req/s off and on and their ratio, and
# the service's own CPU time per 1,000 decisions (from /proc), which a busy machine moves far less.
#
#   bench/orleans-dashboard.sh [ROUNDS] [SECONDS]     defaults 3 and 10
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/scripts/lib.sh"
cd "$SCRIPT_DIR"

ROUNDS="${1:-3}"
SECS="${2:-10}"
[[ "$ROUNDS" =~ ^[1-9]$ && "$SECS" =~ ^[0-9]+$ ]] || { err "usage: bench/orleans-dashboard.sh [ROUNDS 1-9] [SECONDS]"; exit 2; }
PORT=5191
URL="http://127.0.0.1:$PORT"
WORK="$SCRIPT_DIR/.data/bench-dashboard"
APP_DLL="$SCRIPT_DIR/src/Reputation.Api/bin/Release/net10.0/Reputation.Api.dll"
SERVICE_PID=""
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

stop_service() {
  [[ -n "$SERVICE_PID" ]] || return 0
  stop_pid "$SERVICE_PID" "the service" 60 kill || true
  SERVICE_PID=""
}
trap stop_service EXIT

ensure_wrk
mkdir -p "$WORK"
log "Building src/Reputation.Api (Release) ..."
dotnet build src/Reputation.Api -c Release --nologo -v quiet >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; exit 1; }

# run <dashboard: true|false> <cache seconds>: prints the req/s of the measured run.
run() {
  local dashboard="$1" cache="$2" out
  port_open "$PORT" && { err "127.0.0.1:$PORT is in use"; return 1; }
  (
    cd "$SCRIPT_DIR/src/Reputation.Api"
    export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development ASPNETCORE_URLS="$URL"
    export Reputation__Storage__Provider=Memory
    export Reputation__Silo__SiloPort=11191 Reputation__Silo__GatewayPort=30191
    export Reputation__OrleansDashboard__Enabled="$dashboard" Reputation__DecisionCache__Seconds="$cache"
    export Logging__LogLevel__Default=Warning
    exec dotnet "$APP_DLL"
  ) >>"$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  local deadline=$((SECONDS + 90))
  until curl -fsS "$URL/health/ready" >/dev/null 2>&1; do
    kill -0 "$SERVICE_PID" 2>/dev/null || { err "the service exited; see $WORK/service.log"; return 1; }
    ((SECONDS < deadline)) || { err "the service was not ready within 90 s"; return 1; }
    sleep 0.5
  done
  wrk -t2 -c32 -d5s --timeout 5s -s bench/wrk/decide.lua "$URL" -- request /v1/decisions/request dev-service-key 10000 >/dev/null
  local cpu_before cpu_after requests
  cpu_before="$(cpu_ticks "$SERVICE_PID")"
  out="$(wrk -t2 -c32 -d"${SECS}s" --timeout 5s -s bench/wrk/decide.lua "$URL" -- request /v1/decisions/request dev-service-key 10000 | grep '^result ')"
  cpu_after="$(cpu_ticks "$SERVICE_PID")"
  stop_service
  [[ "$out" == *" non2xx=0 errors=0 "* ]] || { err "failed calls in the run: $out"; return 1; }
  requests="$(sed -n 's/.*requests=\([0-9]*\) .*/\1/p' <<<"$out")"
  # The service's own CPU per 1,000 decisions: unlike req/s, hardly moved by other load on the machine.
  printf '%s cpu_ms_per_1k=%s\n' "$out" "$(awk -v t=$((cpu_after - cpu_before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.1f", t * 1000 / hz / n * 1000 }')"
}

# cpu_ticks PID: user + system CPU time of the process so far, in clock ticks (/proc/PID/stat fields 14 and 15).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

for cache in 5 0; do
  off=() on=() cpu_off=() cpu_on=()
  for ((round = 1; round <= ROUNDS; round++)); do
    for dashboard in false true; do
      line="$(run "$dashboard" "$cache")"
      rps="$(sed -n 's/.* rps=\([0-9]*\) .*/\1/p' <<<"$line")"
      cpu="$(sed -n 's/.* cpu_ms_per_1k=\([0-9.]*\).*/\1/p' <<<"$line")"
      printf 'cache %ss  round %d  dashboard %-5s  %s\n' "$cache" "$round" "$dashboard" "${line#result }"
      if [[ "$dashboard" == true ]]; then on+=("$rps") cpu_on+=("$cpu"); else off+=("$rps") cpu_off+=("$cpu"); fi
    done
  done
  m_off="$(printf '%s\n' "${off[@]}" | median)" m_on="$(printf '%s\n' "${on[@]}" | median)"
  c_off="$(printf '%s\n' "${cpu_off[@]}" | median)" c_on="$(printf '%s\n' "${cpu_on[@]}" | median)"
  printf 'cache %ss: median req/s dashboard off %s, on %s (on/off %s); service CPU ms per 1,000 decisions off %s, on %s (on/off %s)\n' \
    "$cache" "$m_off" "$m_on" "$(ratio "$m_on" "$m_off")" "$c_off" "$c_on" "$(ratio "$c_on" "$c_off")"
done
