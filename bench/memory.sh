#!/usr/bin/env bash
# bench/memory.sh — heap per account grain, this working tree against another commit, in one session.
#
# Builds the service and the load driver (Release) from this working tree and, when a commit is
# given, the service from that commit too (in a temporary git worktree under .data/bench-memory).
# Then, ROUNDS times and alternating between the builds, it starts the service on memory storage
# (127.0.0.1:5192, Development keys, benchmark endpoints on), reads GET /v1/bench/memory (a forced
# full compacting collection, then the managed heap, the working set and the activations), loads
# ACCOUNTS accounts as ./bench.sh does (bench/Reputation.Load populate: a signup with IP and card and
# a usage summary each), reads it again and prints the growth of heap and working set divided by
# the account activations added: each account with its share of the ranges and cards it brought
# and, on memory storage, the provider's stored copy of its state (docs/performance.md, "Memory").
#
#   bench/memory.sh [ACCOUNTS] [ROUNDS] [COMMIT]     defaults 20000, 2 and none (this tree only)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/scripts/lib.sh"
cd "$SCRIPT_DIR"

ACCOUNTS="${1:-20000}"
ROUNDS="${2:-2}"
BASE="${3:-}"
[[ "$ACCOUNTS" =~ ^[1-9][0-9]*$ && "$ROUNDS" =~ ^[1-9]$ ]] || { err "usage: bench/memory.sh [ACCOUNTS] [ROUNDS 1-9] [COMMIT]"; exit 2; }
PORT=5192
URL="http://127.0.0.1:$PORT"
WORK="$SCRIPT_DIR/.data/bench-memory"
SERVICE_PID=""
BASE_TREE=""
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

cleanup() {
  local rc=$?
  if [[ -n "$SERVICE_PID" ]]; then
    stop_pid "$SERVICE_PID" "the service" 60 kill || true
  fi
  if [[ -n "$BASE_TREE" ]]; then
    git worktree remove --force "$BASE_TREE" >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v curl >/dev/null 2>&1 || apt_install "bench/memory.sh needs curl" curl
mkdir -p "$WORK"

# build <tree>: the service's entry assembly, built in Release (scripts/lib.sh).
build() { build_service_tree "$1" "$WORK/build.log"; }

log "Building this tree (Release) ..."
THIS_DLL="$(build "$SCRIPT_DIR")"
dotnet build bench/Reputation.Load -c Release --nologo -v quiet >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; exit 1; }
LOAD_DLL="$SCRIPT_DIR/bench/Reputation.Load/bin/Release/net10.0/Reputation.Load.dll"
BUILDS=("this:$THIS_DLL")
if [[ -n "$BASE" ]]; then
  BASE_TREE="$WORK/base"
  git worktree remove --force "$BASE_TREE" >/dev/null 2>&1 || rm -rf "$BASE_TREE"
  git worktree add --detach "$BASE_TREE" "$BASE" >/dev/null
  log "Building $BASE (Release) ..."
  BUILDS=("base:$(build "$BASE_TREE")" "${BUILDS[@]}")
fi

# field <json> <name>: a number from /v1/bench/memory's answer.
field() { grep -o "\"$2\":[0-9]*" <<<"$1" | head -n 1 | cut -d: -f2; }

# run <label> <dll>: prints the bytes per account activation added.
run() {
  local label="$1" dll="$2" before after accounts
  port_open "$PORT" && { err "127.0.0.1:$PORT is in use"; return 1; }
  (
    cd "$(dirname "$dll")/../../.."
    export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development ASPNETCORE_URLS="$URL"
    export Reputation__Storage__Provider=Memory Reputation__Api__BenchmarkEndpoints=true
    export Reputation__Silo__SiloPort=11192 Reputation__Silo__GatewayPort=30192
    export Logging__LogLevel__Default=Warning
    exec dotnet "$dll"
  ) >>"$WORK/service-$label.log" 2>&1 &
  SERVICE_PID=$!
  local deadline=$((SECONDS + 90))
  until curl -fsS "$URL/health/ready" >/dev/null 2>&1; do
    kill -0 "$SERVICE_PID" 2>/dev/null || { err "the service exited; see $WORK/service-$label.log"; return 1; }
    ((SECONDS < deadline)) || { err "the service was not ready within 90 s"; return 1; }
    sleep 0.5
  done
  before="$(curl -fsS "$URL/v1/bench/memory" -H "X-Api-Key: dev-operator-key")"
  dotnet "$LOAD_DLL" populate --url "$URL" --key dev-service-key --from 0 --to "$ACCOUNTS" --concurrency 4 | grep '^result ' >/dev/null
  after="$(curl -fsS "$URL/v1/bench/memory" -H "X-Api-Key: dev-operator-key")"
  stop_pid "$SERVICE_PID" "the service" 60 kill || true
  SERVICE_PID=""
  accounts=$(( $(grep -o '"Reputation.Grains.Accounts.AccountGrain,Reputation.Grains":[0-9]*' <<<"$after" | cut -d: -f2) \
    - $(grep -o '"Reputation.Grains.Accounts.AccountGrain,Reputation.Grains":[0-9]*' <<<"$before" | cut -d: -f2 || echo 0) ))
  ((accounts > 0)) || { err "no account activations were added"; return 1; }
  printf '%-5s accounts=%d heap_per_account=%d working_set_per_account=%d\n' "$label" "$accounts" \
    $(( ($(field "$after" managedHeapBytes) - $(field "$before" managedHeapBytes)) / accounts )) \
    $(( ($(field "$after" workingSetBytes) - $(field "$before" workingSetBytes)) / accounts ))
}

for ((round = 1; round <= ROUNDS; round++)); do
  log "Round $round of $ROUNDS: $ACCOUNTS accounts per build"
  for build in "${BUILDS[@]}"; do
    run "${build%%:*}" "${build#*:}"
  done
done
