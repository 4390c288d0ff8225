#!/usr/bin/env bash
# ./bench.sh [--large N] [--seconds S] [--rounds R] [--no-write] — measure the service, in one run.
#
# What it does (docs/performance.md explains every figure):
#   1. installs what it needs: the pinned Azurite (tools/azurite) and Debian's wrk (apt-get);
#   2. builds the service and the load driver (bench/Reputation.Load) in Release;
#   3. starts its own Azurite on 127.0.0.1:10200-10202 (data in .data/bench, removed first);
#   4. for comparison, runs the service with per-grain writes (Orleans' table provider), loads
#      10,000 accounts and measures durable usage ingestion, then deletes that table;
#   5. starts the service as ./run.sh runs it (Release, Azure Table storage, batched writes), with
#      the benchmark endpoints on, loads the same 10,000 accounts through POST /v1/events, then
#      measures, interleaved round by round, each decision against its baseline (a POST of the same
#      body answered with a constant decision by the same app, no grain call): request, signup and
#      billing; then durable usage ingestion, the raw write rate of the same Azurite, and memory
#      per account grain;
#   5b. deletes that table and starts the service again with the write-ahead log on
#      (Reputation:Ingest:Log=AppendBlob: batches appended to the silo's log, grain state written
#      behind), loads the same 10,000 accounts and measures durable usage ingestion the same way,
#      then the raw write rate of the same Azurite again;
#   6. restarts the service on memory storage, measures request decisions at 10,000 accounts, grows
#      the population to --large accounts (default 1,000,000), measures ingestion and request
#      decisions again, and memory per account grain;
#   7. prints the table and writes it into docs/performance.md (between the bench markers), with the
#      date, the machine, the commit and this command. --no-write only prints it.
#
# Every load loop is bounded in time and talks to 127.0.0.1 only. Ctrl-C stops what it started.
#
# Options:
#   --large N     accounts for the large population (default 1000000; at least 20000)
#   --seconds S   length of each measured wrk run (default 5)
#   --rounds R    interleaved rounds of each decision/baseline pair (default 3)
#   --no-write    print the table, leave docs/performance.md alone
#   -h, --help    show this help
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/scripts/lib.sh"
cd "$SCRIPT_DIR"

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SCRIPT_DIR/bench.sh"; }

COMMAND="./bench.sh${*:+ $*}"
LARGE=1000000
SMALL=10000
RUN_SECONDS=5
ROUNDS=3
WRITE=1
while (($# > 0)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --large) LARGE="${2:?--large needs a number}"; shift ;;
    --seconds) RUN_SECONDS="${2:?--seconds needs a number}"; shift ;;
    --rounds) ROUNDS="${2:?--rounds needs a number}"; shift ;;
    --no-write) WRITE=0 ;;
    *) err "unknown argument: $1"; usage >&2; exit 2 ;;
  esac
  shift
done
[[ "$LARGE" =~ ^[0-9]+$ ]] && ((LARGE >= 2 * SMALL)) || { err "--large takes a number of at least $((2 * SMALL)), not '$LARGE'"; exit 2; }
[[ "$RUN_SECONDS" =~ ^[1-9][0-9]*$ ]] || { err "--seconds takes a whole number of seconds, not '$RUN_SECONDS'"; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || { err "--rounds takes a number from 1 to 99, not '$ROUNDS'"; exit 2; }

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
BLOB_PORT=10200
QUEUE_PORT=10201
TABLE_PORT=10202
HTTP_PORT=5190
URL="http://127.0.0.1:$HTTP_PORT"
SERVICE_KEY=dev-service-key
OPERATOR_KEY=dev-operator-key
WORK="$SCRIPT_DIR/.data/bench"
RESULTS="$WORK/results.txt"
CONNECTION="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"
SERVICE_PID=""
STATE_TABLE=""

cleanup() {
  local rc=$?
  trap '' INT TERM HUP
  stop_service
  stop_azurite || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

stop_service() {
  [[ -n "$SERVICE_PID" ]] || return 0
  stop_pid "$SERVICE_PID" "the service" 60 kill || true
  SERVICE_PID=""
}

# start_service <storage: AzureTable|Memory> [writes: Batched|PerGrain] [log: None|AppendBlob]; sets STATE_TABLE
start_service() {
  local provider="$1" writes="${2:-Batched}" ingest_log="${3:-None}"
  STATE_TABLE="BenchState$(date +%s)"
  if port_open "$HTTP_PORT"; then
    err "127.0.0.1:$HTTP_PORT is in use (a leftover ./bench.sh service?)"
    return 1
  fi
  # From the project folder, as ./run.sh does, so that appsettings.Development.json applies.
  (
    cd "$SCRIPT_DIR/src/Reputation.Api"
    export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development
    export ASPNETCORE_URLS="$URL"
    export Reputation__Storage__Provider="$provider" Reputation__Storage__Writes="$writes"
    export Reputation__Ingest__Log="$ingest_log" Reputation__Ingest__LogContainer="bench-log-$(date +%s)"
    export Reputation__Storage__ConnectionString="$CONNECTION"
    export Reputation__Storage__TableName="$STATE_TABLE"
    export Reputation__Silo__SiloPort=11190 Reputation__Silo__GatewayPort=30190
    export Reputation__Api__BenchmarkEndpoints=true
    export Logging__LogLevel__Default=Warning
    exec dotnet "$APP_DLL"
  ) >>"$WORK/service-$provider-$writes-$ingest_log.log" 2>&1 &
  SERVICE_PID=$!
  local deadline=$((SECONDS + 90))
  until curl -fsS "$URL/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
      err "the service exited during startup; last lines of $WORK/service-$provider-$writes-$ingest_log.log:"
      tail -n 20 "$WORK/service-$provider-$writes-$ingest_log.log" >&2
      SERVICE_PID=""
      return 1
    fi
    ((SECONDS < deadline)) || { err "the service was not ready within 90 s"; return 1; }
    sleep 0.5
  done
}

# record <name> <line from a tool: "result k=v ...">
record() {
  local name="$1" line="$2"
  [[ "$line" == result\ * ]] || { err "$name: no result line (got: ${line:-nothing})"; return 1; }
  printf '%s %s\n' "$name" "${line#result }" >>"$RESULTS"
  printf '    %-28s %s\n' "$name" "${line#result }"
}

load() { dotnet "$LOAD_DLL" "$@"; }

# wrk_run <name> <kind> <path> <accounts> <seconds>
wrk_run() {
  local name="$1" kind="$2" path="$3" accounts="$4" secs="$5" out
  out="$(wrk -t2 -c32 -d"${secs}s" --timeout 5s -s bench/wrk/decide.lua "$URL" -- "$kind" "$path" "$SERVICE_KEY" "$accounts" | grep '^result ' || true)"
  [[ -n "$name" ]] && record "$name" "$out"
  return 0
}

# metrics_snapshot <name>: the server-side decision duration histogram, if /metrics has one.
metrics_snapshot() {
  local name="$1"
  curl -fsS "$URL/metrics" -H "X-Api-Key: $OPERATOR_KEY" 2>/dev/null \
    | grep '^reputation_decision_duration_seconds_bucket' >"$WORK/metrics-$name.txt" || true
}

# decisions <phase> <accounts> <kinds...>: interleaved rounds of baseline and decision per kind.
decisions() {
  local phase="$1" accounts="$2" kind round
  shift 2
  log "warming up ($phase) ..."
  for kind in "$@"; do
    # Twice each, 5 s: the JIT's tiers and the caches settle before anything is measured.
    wrk_run "" "$kind" "/v1/bench/baseline/$kind" "$accounts" 5
    wrk_run "" "$kind" "/v1/decisions/$kind" "$accounts" 5
    wrk_run "" "$kind" "/v1/bench/baseline/$kind" "$accounts" 5
    wrk_run "" "$kind" "/v1/decisions/$kind" "$accounts" 5
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    log "$phase: round $round of $ROUNDS (${RUN_SECONDS} s per run)"
    for kind in "$@"; do
      wrk_run "$phase.baseline.$kind.$round" "$kind" "/v1/bench/baseline/$kind" "$accounts" "$RUN_SECONDS"
      metrics_snapshot "$phase.$kind.$round.before"
      wrk_run "$phase.decision.$kind.$round" "$kind" "/v1/decisions/$kind" "$accounts" "$RUN_SECONDS"
      metrics_snapshot "$phase.$kind.$round.after"
    done
  done
}

# memory <name>: heap, working set and activations after a forced full collection.
memory() {
  local name="$1" json
  json="$(curl -fsS "$URL/v1/bench/memory" -H "X-Api-Key: $OPERATOR_KEY")"
  printf '%s' "$json" >"$WORK/memory-$name.json"
  record "heap.$name" "result file=memory-$name.json"
}

ensure_azurite
ensure_wrk
command -v curl >/dev/null 2>&1 || apt_install "./bench.sh needs curl" curl

log "Building the service and the load driver (Release) ..."
dotnet build src/Reputation.Api -c Release --nologo -v quiet
dotnet build bench/Reputation.Load -c Release --nologo -v quiet
APP_DLL="$(dotnet msbuild src/Reputation.Api -nologo -getProperty:TargetPath -p:Configuration=Release | tail -n 1)"
LOAD_DLL="$(dotnet msbuild bench/Reputation.Load -nologo -getProperty:TargetPath -p:Configuration=Release | tail -n 1)"

rm -rf "$WORK"
mkdir -p "$WORK"
: >"$RESULTS"
log "Starting Azurite on 127.0.0.1:$BLOB_PORT-$TABLE_PORT (data in .data/bench) ..."
start_azurite "$WORK/azurite" "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT" "$WORK/azurite.log"

log "Phase 0: durable ingestion with per-grain writes, for comparison (Azure Table storage on Azurite)"
start_service AzureTable PerGrain
record "pergrain.populate" "$(load populate --url "$URL" --key "$SERVICE_KEY" --from 0 --to "$SMALL" | grep '^result ')"
record "pergrain.ingest" "$(load ingest --url "$URL" --key "$SERVICE_KEY" --accounts "$SMALL" --seconds 15 --batch 1000 --concurrency 4 --distinct true --label ingest-pergrain | grep '^result ')"
record "pergrain.worst" "$(load durable --url "$URL" --key "$SERVICE_KEY" --seconds 10 --batch 100 --concurrency 4 | grep '^result ')"
stop_service
# Azurite slows as it holds more rows: the batched run starts on an empty store too.
load drop --connection-string "$CONNECTION" --table "$STATE_TABLE"

log "Phase 1: the service as ./run.sh runs it (Release, Azure Table storage on Azurite, batched writes)"
start_service AzureTable
memory "durable.empty"
log "loading $SMALL accounts (a signup with IP and card and a usage summary each) ..."
record "durable.populate" "$(load populate --url "$URL" --key "$SERVICE_KEY" --from 0 --to "$SMALL" | grep '^result ')"
decisions durable "$SMALL" request signup billing
memory "durable.small"
log "ingestion: usage summaries for the $SMALL accounts in batches of 1000 distinct accounts ..."
record "durable.ingest" "$(load ingest --url "$URL" --key "$SERVICE_KEY" --accounts "$SMALL" --seconds 15 --batch 1000 --concurrency 4 --distinct true | grep '^result ')"
log "raw Azurite writes vs durable ingestion with every event another account's (one write each) ..."
record "durable.raw" "$(load raw --connection-string "$CONNECTION" --seconds 10 --concurrency 16 | grep '^result ')"
record "durable.rawbatch" "$(load raw --connection-string "$CONNECTION" --seconds 10 --concurrency 4 --rows 100 | grep '^result ')"
record "durable.worst" "$(load durable --url "$URL" --key "$SERVICE_KEY" --seconds 10 --batch 100 --concurrency 4 | grep '^result ')"
stop_service
load drop --connection-string "$CONNECTION" --table "$STATE_TABLE"

log "Phase 1b: the same with the write-ahead log (Reputation:Ingest:Log=AppendBlob, grain state written behind)"
start_service AzureTable Batched AppendBlob
record "wal.populate" "$(load populate --url "$URL" --key "$SERVICE_KEY" --from 0 --to "$SMALL" | grep '^result ')"
log "ingestion through the log: usage summaries for the $SMALL accounts in batches of 1000 distinct accounts ..."
record "wal.ingest" "$(load ingest --url "$URL" --key "$SERVICE_KEY" --accounts "$SMALL" --seconds 15 --batch 1000 --concurrency 4 --distinct true --label ingest-wal | grep '^result ')"
record "wal.worst" "$(load durable --url "$URL" --key "$SERVICE_KEY" --seconds 10 --batch 100 --concurrency 4 | grep '^result ')"
log "raw Azurite writes again, after the log phase ..."
record "wal.raw" "$(load raw --connection-string "$CONNECTION" --seconds 10 --concurrency 16 | grep '^result ')"
stop_service

log "Phase 2: the same service on memory storage, $SMALL then $LARGE accounts"
start_service Memory
memory "memory.empty"
record "memory.populate.small" "$(load populate --url "$URL" --key "$SERVICE_KEY" --from 0 --to "$SMALL" | grep '^result ')"
decisions small "$SMALL" request
memory "memory.small"
log "growing the population to $LARGE accounts (progress every 5 s) ..."
record "memory.populate.large" "$(load populate --url "$URL" --key "$SERVICE_KEY" --from "$SMALL" --to "$LARGE" --concurrency 4 | grep '^result ')"
memory "memory.large"
record "memory.ingest" "$(load ingest --url "$URL" --key "$SERVICE_KEY" --accounts "$LARGE" --seconds 15 --batch 1000 --concurrency 4 --label ingest-memory | grep '^result ')"
decisions large "$LARGE" request
stop_service
stop_azurite

log "Report"
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -z "$(git status --porcelain 2>/dev/null)" ]] || COMMIT="$COMMIT with uncommitted changes"
REPORT_ARGS=(report --results "$RESULTS" --work "$WORK" --command "$COMMAND" --commit "$COMMIT" --small "$SMALL" --large "$LARGE")
if ((WRITE)); then
  REPORT_ARGS+=(--doc "$SCRIPT_DIR/docs/performance.md")
fi
load "${REPORT_ARGS[@]}"
