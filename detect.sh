#!/usr/bin/env bash
# ./detect.sh [--seeds tuning|report] [--scenario NAME]... [--parallel N] [--out DIR [--resume]] [--service-dll PATH] [--no-build]
# — the detection sweep: every scenario under every one of its seeds, each run on a fresh service.
#
# What it does:
#   1. builds src/Reputation.Simulator and src/Reputation.Api in Release, once (--no-build skips it;
#      --service-dll runs another build of the service, e.g. an older commit's from a git worktree);
#   2. for each scenario (scenarios/*.json, or the ones named) and each of its tuningSeeds or
#      reportSeeds, starts a FRESH service (memory storage, Development keys, free 127.0.0.1 ports:
#      runs on one service would share IP-range, card and template entities), runs the simulator
#      with that seed, and stops the service; up to --parallel runs at once;
#   3. writes each run's report to OUT/runs/<scenario>--<seed>.json (a failed run leaves
#      <scenario>--<seed>.failed with the reason; its logs are in OUT/logs/), then the table per
#      scenario — mean, min and max over the seeds of campaign recall, campaign requests answered
#      allow, ordinary accounts held and each population's held or allowed share, with issue 11's
#      targets and how many runs met each — as OUT/detection.md (Markdown, to paste into
#      docs/detection.md) and OUT/detection.json, and prints the Markdown.
#
# Report seeds are for figures that are reported; tuning seeds are for looking while changing the
# policy. A run takes one to two minutes (fresh-deployment three to six); all thirteen scenarios with
# five seeds, two at a time, about an hour on two cores.
#
# Options:
#   --seeds SET          tuning or report (default report)
#   --scenario NAME      a scenario file name without .json; repeat for several (default: all)
#   --parallel N         runs at once, 1-4 (default 2; each run is a service and a simulator)
#   --out DIR            output folder (default .data/detect/<seeds>-<UTC time>)
#   --resume             with --out: run only what has no report there yet (failed runs again)
#   --service-dll PATH   run this Reputation.Api.dll instead of building src/Reputation.Api
#   --no-build           use the Release builds already there
#   -h, --help           show this help
#
# Exit code: 0 if every run finished (the figures may still miss targets), 1 if a run failed,
# 2 on bad arguments.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/scripts/lib.sh"
cd "$SCRIPT_DIR"

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SCRIPT_DIR/detect.sh"; }

bad_usage() {
  err "$1 (see ./detect.sh --help)"
  exit 2
}

SEEDS="report"
SCENARIOS=()
PARALLEL=2
OUT=""
SERVICE_DLL=""
BUILD=1
RESUME=""
while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --seeds)
      (($# >= 2)) || bad_usage "--seeds needs tuning or report"
      SEEDS="$2"
      [[ "$SEEDS" == tuning || "$SEEDS" == report ]] || bad_usage "--seeds takes tuning or report, not '$SEEDS'"
      shift
      ;;
    --scenario)
      (($# >= 2)) || bad_usage "--scenario needs a name"
      [[ -f "scenarios/$2.json" ]] || bad_usage "no scenario scenarios/$2.json"
      SCENARIOS+=("$2")
      shift
      ;;
    --parallel)
      (($# >= 2)) || bad_usage "--parallel needs a number"
      PARALLEL="$2"
      [[ "$PARALLEL" =~ ^[1-4]$ ]] || bad_usage "--parallel takes 1 to 4, not '$PARALLEL'"
      shift
      ;;
    --out)
      (($# >= 2)) || bad_usage "--out needs a folder"
      OUT="$2"
      shift
      ;;
    --service-dll)
      (($# >= 2)) || bad_usage "--service-dll needs a path"
      SERVICE_DLL="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
      [[ -f "$SERVICE_DLL" ]] || bad_usage "no file $2"
      shift
      ;;
    --no-build)
      BUILD=""
      ;;
    --resume)
      RESUME=1
      ;;
    *)
      bad_usage "unknown argument: $1"
      ;;
  esac
  shift
done

# The original scenarios first, then the newer ones, then anything else in scenarios/.
ORDER=(shared-cards no-shared-cards slow-and-low popular-tool company-team carrier-nat-label students reseller
  aged-sticky-campaign release-pivot partner-intel fresh-deployment)
if ((${#SCENARIOS[@]} == 0)); then
  for name in "${ORDER[@]}"; do
    [[ -f "scenarios/$name.json" ]] && SCENARIOS+=("$name")
  done
  for file in scenarios/*.json; do
    name="$(basename "$file" .json)"
    [[ " ${SCENARIOS[*]} " == *" $name "* ]] || SCENARIOS+=("$name")
  done
fi

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
SIM_DLL="$SCRIPT_DIR/src/Reputation.Simulator/bin/Release/net10.0/Reputation.Simulator.dll"
API_DLL="${SERVICE_DLL:-$SCRIPT_DIR/src/Reputation.Api/bin/Release/net10.0/Reputation.Api.dll}"
if [[ -n "$BUILD" ]]; then
  log "Building src/Reputation.Simulator (Release) ..."
  dotnet build src/Reputation.Simulator -c Release --nologo -v q
  if [[ -z "$SERVICE_DLL" ]]; then
    log "Building src/Reputation.Api (Release) ..."
    dotnet build src/Reputation.Api -c Release --nologo -v q
  fi
fi
for dll in "$SIM_DLL" "$API_DLL"; do
  [[ -f "$dll" ]] || { err "$dll is missing (build it, or drop --no-build)"; exit 1; }
done
API_DIR="$(dirname "$API_DLL")"

[[ -z "$RESUME" || -n "$OUT" ]] || bad_usage "--resume needs the --out folder of the sweep to finish"
OUT="${OUT:-$SCRIPT_DIR/.data/detect/$SEEDS-$(date -u +%Y%m%dT%H%M%SZ)}"
RUNS="$OUT/runs"
LOGS="$OUT/logs"
mkdir -p "$RUNS" "$LOGS"

JOBS=()
for scenario in "${SCENARIOS[@]}"; do
  seeds="$(dotnet "$SIM_DLL" --scenario "scenarios/$scenario.json" --print-seeds "$SEEDS")" \
    || { err "scenarios/$scenario.json has no $SEEDS seeds"; exit 2; }
  for seed in $seeds; do
    if [[ -n "$RESUME" && -f "$RUNS/$scenario--$seed.json" && ! -f "$RUNS/$scenario--$seed.failed" ]]; then
      continue
    fi
    rm -f "$RUNS/$scenario--$seed.failed" "$RUNS/$scenario--$seed.json"
    JOBS+=("$scenario $seed")
  done
done
log "${#JOBS[@]} runs (${#SCENARIOS[@]} scenarios, $SEEDS seeds), $PARALLEL at a time; output in $OUT"

# Free ports for run slot $1, drawn at random from the slot's own share of three ranges below the
# ephemeral ports: runs of one sweep never race for a port, and two sweeps at once rarely meet. Prints
# "HTTP SILO GATEWAY".
slot_ports() {
  local slot="$1" k http silo gateway
  for ((k = 0; k < 50; k++)); do
    http=$((12000 + slot * 1000 + RANDOM % 1000))
    silo=$((16000 + slot * 1000 + RANDOM % 1000))
    gateway=$((20000 + slot * 1000 + RANDOM % 1000))
    if ! port_open "$http" && ! port_open "$silo" && ! port_open "$gateway"; then
      echo "$http $silo $gateway"
      return 0
    fi
  done
  return 1
}

# One run: a fresh service on the slot's ports, the simulator against it, the service stopped.
run_one() {
  local scenario="$1" seed="$2" slot="$3"
  local name="$scenario--$seed" ports http silo gateway service="" rc=0
  trap 'stop_pid "$service" "the service of $name" 20 kill; exit 130' INT TERM
  if ! ports="$(slot_ports "$slot")"; then
    echo "no free ports in slot $slot" >"$RUNS/$name.failed"
    return 1
  fi
  read -r http silo gateway <<<"$ports"
  (
    cd "$API_DIR"
    export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development
    export ASPNETCORE_URLS="http://127.0.0.1:$http"
    export Reputation__Storage__Provider=Memory
    # Reputation time follows the events, so one-hour windows hold the simulated last hour, not
    # whatever of it arrived in the last real hour (docs/detection.md, "Reproduce").
    export Reputation__Api__FollowEventTime=true
    export Reputation__Silo__SiloPort="$silo" Reputation__Silo__GatewayPort="$gateway"
    exec dotnet "$API_DLL"
  ) >"$LOGS/$name.service.log" 2>&1 &
  service=$!
  local deadline=$((SECONDS + 90))
  until curl -fsS -o /dev/null "http://127.0.0.1:$http/health/ready" 2>/dev/null; do
    if ! kill -0 "$service" 2>/dev/null || ((SECONDS >= deadline)); then
      echo "the service did not become ready on 127.0.0.1:$http (log: logs/$name.service.log)" >"$RUNS/$name.failed"
      stop_pid "$service" "the service of $name" 20 kill || true
      return 1
    fi
    sleep 0.5
  done
  dotnet "$SIM_DLL" --scenario "scenarios/$scenario.json" --seed "$seed" --url "http://127.0.0.1:$http" \
    --run-id "d$seed" --report "$RUNS/$name.json" >"$LOGS/$name.log" 2>&1 || rc=$?
  stop_pid "$service" "the service of $name" 30 kill || true
  case "$rc" in
    0) ;;
    3) echo "the service rejected events (see logs/$name.log)" >"$RUNS/$name.failed" ;;
    *) echo "the simulator exited with code $rc: $(grep -m 1 '^error:' "$LOGS/$name.log" || tail -n 1 "$LOGS/$name.log")" >"$RUNS/$name.failed" ;;
  esac
  [[ "$rc" == 0 ]]
}

declare -A SLOT_OF=()
FREE_SLOTS=()
for ((s = 0; s < PARALLEL; s++)); do FREE_SLOTS+=("$s"); done
FAILED=0
DONE=0

stop_all() {
  trap '' INT TERM
  local pid
  for pid in "${!SLOT_OF[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  exit 130
}
trap stop_all INT TERM

reap_one() {
  local pid rc=0
  wait -n -p pid "${!SLOT_OF[@]}" || rc=$?
  FREE_SLOTS+=("${SLOT_OF[$pid]}")
  unset "SLOT_OF[$pid]"
  DONE=$((DONE + 1))
  ((rc == 0)) || FAILED=$((FAILED + 1))
  log "$DONE/${#JOBS[@]} runs done$( ((FAILED == 0)) || echo ", $FAILED failed")"
}

STARTED=$SECONDS
for job in "${JOBS[@]}"; do
  while ((${#FREE_SLOTS[@]} == 0)); do reap_one; done
  slot="${FREE_SLOTS[0]}"
  FREE_SLOTS=("${FREE_SLOTS[@]:1}")
  read -r scenario seed <<<"$job"
  log "run $scenario seed $seed (slot $slot)"
  run_one "$scenario" "$seed" "$slot" &
  SLOT_OF[$!]="$slot"
done
while ((${#SLOT_OF[@]} > 0)); do reap_one; done
log "all runs done in $(((SECONDS - STARTED) / 60)) min $(((SECONDS - STARTED) % 60)) s"

ORDER_ARG="$(IFS=,; echo "${SCENARIOS[*]}")"
dotnet "$SIM_DLL" summarize --runs "$RUNS" --seed-set "$SEEDS" --order "$ORDER_ARG" \
  --markdown "$OUT/detection.md" --json "$OUT/detection.json"
cat "$OUT/detection.md"
echo
log "Table: $OUT/detection.md (and detection.json); run reports in $RUNS"
((FAILED == 0)) || { err "$FAILED run(s) failed; see $RUNS/*.failed and $LOGS"; exit 1; }
