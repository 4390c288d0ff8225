#!/usr/bin/env bash
# bench/ingest.sh — usage ingestion on memory storage, this working tree against other commits, in one session.
#
# Builds the service and the load driver (Release) from this working tree and the service from each
# commit given (in temporary git worktrees under .data/bench-ingest). Then, ROUNDS times
# and alternating between the builds, it starts the service on memory storage (127.0.0.1:5193,
# Development keys), loads ACCOUNTS accounts as ./bench.sh does (a signup with IP and card and a
# usage summary each), and measures ingestion as ./bench.sh's issue-12 figure does: usage summaries
# in batches of 1,000 distinct accounts, 4 batches in flight, SECONDS long, twice; the second run
# counts (the JIT's tiers and the activations have settled). Besides events/s it reads the service's
# CPU time (user and system, from the kernel's process statistics) around that run: the core time
# per event, the steadier figure on a shared machine. The last lines are each build's median.
#
#   bench/ingest.sh [--rounds R] [--seconds S] [--accounts N] [--fingerprints F] [--model M] [--no-spin] [COMMIT ...]
#
# --fingerprints F sends F prompt fingerprints per summary (the accounts' shared templates: four
# template buckets each) and --model M names a model: what a gateway's usage carries; the default,
# none of either, is ./bench.sh's own ingestion. --no-spin turns off the thread pool's spinning
# (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0) so that CPU time counts work, not waiting for it.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/scripts/lib.sh"
cd "$SCRIPT_DIR"

ROUNDS=3
RUN_SECONDS=15
ACCOUNTS=10000
FINGERPRINTS=0
MODEL=""
SPIN=""
COMMITS=()
while (($# > 0)); do
  case "$1" in
    --rounds) ROUNDS="${2:?}"; shift ;;
    --seconds) RUN_SECONDS="${2:?}"; shift ;;
    --accounts) ACCOUNTS="${2:?}"; shift ;;
    --fingerprints) FINGERPRINTS="${2:?}"; shift ;;
    --model) MODEL="${2:?}"; shift ;;
    --no-spin) SPIN=0 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) err "unknown option: $1"; exit 2 ;;
    *) COMMITS+=("$1") ;;
  esac
  shift
done
[[ "$ROUNDS" =~ ^[1-9]$ && "$RUN_SECONDS" =~ ^[1-9][0-9]*$ && "$ACCOUNTS" =~ ^[1-9][0-9]*$ && "$FINGERPRINTS" =~ ^[0-9]+$ ]] \
  || { err "usage: bench/ingest.sh [--rounds 1-9] [--seconds S] [--accounts N] [--fingerprints F] [--model M] [COMMIT ...]"; exit 2; }
((ACCOUNTS >= 1000)) || { err "--accounts needs at least the batch's 1,000"; exit 2; }

PORT=5193
URL="http://127.0.0.1:$PORT"
WORK="$SCRIPT_DIR/.data/bench-ingest"
RESULTS="$WORK/results-$(date +%Y%m%d-%H%M%S).txt"
SERVICE_PID=""
TREES=()
TICKS="$(getconf CLK_TCK)"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

cleanup() {
  local rc=$?
  if [[ -n "$SERVICE_PID" ]]; then
    stop_pid "$SERVICE_PID" "the service" 60 kill || true
  fi
  for tree in "${TREES[@]}"; do
    git worktree remove --force "$tree" >/dev/null 2>&1 || true
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v curl >/dev/null 2>&1 || apt_install "bench/ingest.sh needs curl" curl
mkdir -p "$WORK"

# build <tree>: the service's entry assembly, built in Release (scripts/lib.sh).
build() { build_service_tree "$1" "$WORK/build.log"; }

BUILDS=()
for commit in "${COMMITS[@]}"; do
  sha="$(git rev-parse --short "$commit^{commit}")"
  tree="$WORK/tree-$sha"
  git worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"
  git worktree add --detach "$tree" "$sha" >/dev/null
  TREES+=("$tree")
  log "Building $sha (Release) ..."
  BUILDS+=("$sha:$(build "$tree")")
done
log "Building this tree (Release) ..."
BUILDS+=("this:$(build "$SCRIPT_DIR")")
dotnet build bench/Reputation.Load -c Release --nologo -v quiet >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; exit 1; }
LOAD_DLL="$SCRIPT_DIR/bench/Reputation.Load/bin/Release/net10.0/Reputation.Load.dll"

# cpu_ticks <pid>: user + system time of the process so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# messages <direction: Request|OneWay>: grain messages the silo has processed so far (Orleans' own counter).
messages() {
  curl -fsS "$URL/metrics" -H "X-Api-Key: dev-operator-key" \
    | awk -v d="Direction=\"$1\"" '/^orleans_messaging_processing_dispatcher_processed_total/ && index($0, d) { n += $NF } END { printf "%d\n", n }'
}

# ingest <label>: one ingestion run; prints its events/s, the service's µs of CPU per event, and
# grain requests and one-way messages per event (in hundredths).
ingest() {
  local before after line events rate requests oneway
  requests="$(messages Request)"
  oneway="$(messages OneWay)"
  before="$(cpu_ticks "$SERVICE_PID")"
  line="$(dotnet "$LOAD_DLL" ingest --url "$URL" --key dev-service-key --accounts "$ACCOUNTS" --seconds "$RUN_SECONDS" \
    --batch 1000 --concurrency 4 --distinct true --fingerprints "$FINGERPRINTS" --model "${MODEL:-}" --label "$1" 2>/dev/null | grep '^result ')"
  after="$(cpu_ticks "$SERVICE_PID")"
  events="$(grep -o ' events=[0-9]*' <<<"$line" | cut -d= -f2)"
  rate="$(grep -o 'events_per_s=[0-9]*' <<<"$line" | cut -d= -f2)"
  ((events > 0)) || { err "no events accepted: $line"; return 1; }
  # The exporter answers from a cache refreshed at most every few hundred milliseconds.
  sleep 1
  printf '%s %s %s %s\n' "$rate" $(( (after - before) * 1000000 / TICKS / events )) \
    $(( ($(messages Request) - requests) * 100 / events )) $(( ($(messages OneWay) - oneway) * 100 / events ))
}

# run <label> <dll>: starts the service, loads the population, measures twice; prints the second.
run() {
  local label="$1" dll="$2" first second
  port_open "$PORT" && { err "127.0.0.1:$PORT is in use"; return 1; }
  (
    cd "$(dirname "$dll")/../../.."
    export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development ASPNETCORE_URLS="$URL"
    export Reputation__Storage__Provider=Memory
    export Reputation__Silo__SiloPort=11193 Reputation__Silo__GatewayPort=30193
    export Logging__LogLevel__Default=Warning
    if [[ -n "$SPIN" ]]; then export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit="$SPIN"; fi
    exec dotnet "$dll"
  ) >>"$WORK/service-$label.log" 2>&1 &
  SERVICE_PID=$!
  local deadline=$((SECONDS + 90))
  until curl -fsS "$URL/health/ready" >/dev/null 2>&1; do
    kill -0 "$SERVICE_PID" 2>/dev/null || { err "the service exited; see $WORK/service-$label.log"; return 1; }
    ((SECONDS < deadline)) || { err "the service was not ready within 90 s"; return 1; }
    sleep 0.5
  done
  dotnet "$LOAD_DLL" populate --url "$URL" --key dev-service-key --from 0 --to "$ACCOUNTS" --concurrency 4 | grep '^result ' >/dev/null
  first="$(ingest "$label-1")"
  second="$(ingest "$label-2")"
  stop_pid "$SERVICE_PID" "the service" 60 kill || true
  SERVICE_PID=""
  printf '%-8s events_per_s=%s cpu_us_per_event=%s requests_per_100_events=%s oneway_per_100_events=%s (first run %s / %s / %s / %s) load=%s\n' \
    "$label" ${second} ${first} "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RESULTS"
}

log "$ROUNDS rounds, $ACCOUNTS accounts, ${RUN_SECONDS} s runs, $FINGERPRINTS fingerprints per summary${MODEL:+, model $MODEL}${SPIN:+, no spinning}; results in $RESULTS"
for ((round = 1; round <= ROUNDS; round++)); do
  log "Round $round of $ROUNDS"
  for build in "${BUILDS[@]}"; do
    run "${build%%:*}" "${build#*:}"
  done
done

# Each build's median over the rounds of each figure.
log "Medians"
median() { grep "^$1 " "$RESULTS" | grep -o " $2=[0-9]*" | cut -d= -f2 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for build in "${BUILDS[@]}"; do
  label="${build%%:*}"
  printf '%-8s events_per_s=%s cpu_us_per_event=%s requests_per_100_events=%s oneway_per_100_events=%s rounds=%s\n' "$label" \
    "$(median "$label" events_per_s)" "$(median "$label" cpu_us_per_event)" "$(median "$label" requests_per_100_events)" \
    "$(median "$label" oneway_per_100_events)" "$(grep -c "^$label " "$RESULTS")" | tee -a "$RESULTS.medians"
done
cat "$RESULTS.medians" >>"$RESULTS" && rm -f "$RESULTS.medians"
