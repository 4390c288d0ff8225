#!/usr/bin/env bash
# ./test.sh [FILTER] — build the solution and run every test project (what CI runs via .ci/run).
#
# What it does:
#   1. installs the pinned Azurite storage emulator into tools/azurite/node_modules (once, ~40 s),
#      the pinned Helm into tools/helm/bin for the chart checks (once, ~10 s), the pinned Redocly
#      CLI into tools/redocly/node_modules for the OpenAPI lint (once, a few s), and, where apt-get
#      exists, Debian's prometheus package (promtool, for the alert rule checks) and chromium and
#      chromium-driver for the browser tests (once, ~30 s each);
#   2. starts a separate Azurite for the tests on 127.0.0.1:10100 (blob), 10101 (queue),
#      10102 (table) with a fresh temporary data folder, so an Azurite of ./run.sh is not touched,
#      and exports REPUTATION_TEST_STORAGE (its connection string) to the tests;
#   3. builds Reputation.sln once in Release;
#   4. runs each tests/*/*.Tests.csproj with "dotnet test --no-build", writing TRX files to
#      TestResults/<project>/, and carries on after a failing project;
#   5. runs scripts/test-clients.sh (unless a FILTER is given): the TypeScript and Python clients'
#      tests (clients/) against the committed vectors, random prompts the C# tests answer this run,
#      and a service it starts on free ports (memory storage); it packs Reputation.Client and builds
#      and runs samples/Reputation.Client.Sample against the package. Its counts join the totals;
#      its logs are in TestResults/clients/;
#   6. runs scripts/check-image.sh (unless a FILTER is given), which builds the Dockerfile with
#      buildah on local stand-in base images and runs the image; it counts as one test, its output
#      in TestResults/image-check.log;
#   7. stops Azurite and prints the totals as the very last line:
#        N passed, N failed            or   N passed, N failed, N skipped   (when any skipped)
#      A project that produced no TRX file (crash, build break) counts as one failed test.
#
# Exit code: 0 only if at least one test ran, none failed, and every project produced results.
#
# Arguments:
#   FILTER        optional; passed to "dotnet test --filter" (e.g. FullyQualifiedName~Scoring)
#   -h, --help    show this help
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/scripts/lib.sh"
cd "$SCRIPT_DIR"

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SCRIPT_DIR/test.sh"; }

FILTER=""
while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    -*)
      err "unknown option: $1 (see ./test.sh --help)"
      exit 2
      ;;
    *)
      if [[ -n "$FILTER" ]]; then
        err "only one FILTER argument is accepted (combine with | or &, see ./test.sh --help)"
        exit 2
      fi
      FILTER="$1"
      ;;
  esac
  shift
done

BLOB_PORT=10100
QUEUE_PORT=10101
TABLE_PORT=10102
RESULTS_DIR="$SCRIPT_DIR/TestResults"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

AZURITE_TMP=""
cleanup() {
  trap '' INT TERM HUP
  stop_azurite >/dev/null 2>&1 || true
  if [[ -n "$AZURITE_TMP" ]]; then
    rm -rf "$AZURITE_TMP"
    AZURITE_TMP=""
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

ensure_azurite
ensure_helm
ensure_redocly
ensure_promtool
ensure_browser
ensure_console_vendor

AZURITE_TMP="$(mktemp -d "${TMPDIR:-/tmp}/reputation-test-azurite.XXXXXX")"
log "Starting a test Azurite on 127.0.0.1:$BLOB_PORT/$QUEUE_PORT/$TABLE_PORT (data in $AZURITE_TMP) ..."
start_azurite "$AZURITE_TMP/data" "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT" "$AZURITE_TMP/azurite.log"

# The well-known Azurite development account (public, documented by Microsoft; not a secret).
export REPUTATION_TEST_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"

total_passed=0
total_failed=0
total_skipped=0
problems=()

log "Building Reputation.sln (Release) ..."
build_ok=1
if ! dotnet build Reputation.sln -c Release --nologo; then
  build_ok=0
  total_failed=$((total_failed + 1))
  problems+=("the build of Reputation.sln failed (counted as 1 failed)")
fi

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

# Value of attribute $2 in the XML start tag $1 (0 when absent).
attr() {
  local v
  v="$(printf '%s' "$1" | grep -o "[[:space:]]$2=\"[0-9]*\"" | head -n 1 | grep -o '[0-9][0-9]*' || true)"
  printf '%s' "${v:-0}"
}

shopt -s nullglob
projects=(tests/*/*.Tests.csproj)
shopt -u nullglob
if ((${#projects[@]} == 0)); then
  problems+=("no test projects found under tests/*/*.Tests.csproj")
fi

for proj in "${projects[@]}"; do
  name="$(basename "$proj" .csproj)"
  out="$RESULTS_DIR/$name"
  args=(test "$proj" -c Release --no-build --nologo
    --results-directory "$out" --logger "trx;LogFileName=$name.trx")
  if [[ -n "$FILTER" ]]; then
    args+=(--filter "$FILTER")
  fi
  log "Testing $name ..."
  rc=0
  dotnet "${args[@]}" </dev/null || rc=$?

  shopt -s nullglob
  trx_files=("$out"/*.trx)
  shopt -u nullglob
  if ((${#trx_files[@]} == 0)); then
    total_failed=$((total_failed + 1))
    problems+=("$name produced no TRX results (dotnet test exit code $rc; crash or build break) — counted as 1 failed")
    continue
  fi

  p_passed=0 p_failed=0 p_skipped=0
  for trx in "${trx_files[@]}"; do
    # The <Counters .../> tag, even if its attributes were spread over several lines.
    counters="$(tr '\r\n' '  ' <"$trx" | grep -o '<Counters[^>]*>' | head -n 1 || true)"
    if [[ -z "$counters" ]]; then
      p_failed=$((p_failed + 1))
      problems+=("$name: $(basename "$trx") has no <Counters> element — counted as 1 failed")
      continue
    fi
    p_passed=$((p_passed + $(attr "$counters" passed)))
    p_failed=$((p_failed + $(attr "$counters" failed) + $(attr "$counters" error) + $(attr "$counters" timeout) + $(attr "$counters" aborted)))
    # Skipped tests: the TRX logger writes them as outcome NotExecuted but may leave the notExecuted
    # counter at 0 (seen with xunit v3), so fall back to total - executed.
    skipped="$(attr "$counters" notExecuted)"
    if ((skipped == 0)); then
      skipped=$(($(attr "$counters" total) - $(attr "$counters" executed)))
      ((skipped > 0)) || skipped=0
    fi
    p_skipped=$((p_skipped + skipped))
  done
  if ((rc != 0 && p_failed == 0)); then
    p_failed=1
    problems+=("$name: dotnet test exited with code $rc but reported no failed test (aborted run?) — counted as 1 failed")
  fi
  log "$name: $p_passed passed, $p_failed failed, $p_skipped skipped"
  total_passed=$((total_passed + p_passed))
  total_failed=$((total_failed + p_failed))
  total_skipped=$((total_skipped + p_skipped))
done

# The client ports (TypeScript, Python) and the .NET package, against a service of this build.
if [[ -n "$FILTER" ]]; then
  log "Client ports not tested: a FILTER was given (run scripts/test-clients.sh alone for them)."
elif ((build_ok == 0)); then
  total_failed=$((total_failed + 1))
  problems+=("the client ports were not tested: the build failed (counted as 1 failed)")
else
  log "Testing the client ports and the .NET package (scripts/test-clients.sh) ..."
  clients_rc=0
  "$SCRIPT_DIR/scripts/test-clients.sh" "$RESULTS_DIR/clients" </dev/null | tee "$RESULTS_DIR/clients.log" || clients_rc=$?
  clients_summary="$(tail -n 1 "$RESULTS_DIR/clients.log")"
  if [[ "$clients_summary" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    total_passed=$((total_passed + BASH_REMATCH[1]))
    total_failed=$((total_failed + BASH_REMATCH[2]))
    if ((clients_rc != 0 && BASH_REMATCH[2] == 0)); then
      total_failed=$((total_failed + 1))
      problems+=("scripts/test-clients.sh exited with code $clients_rc but reported no failed test — counted as 1 failed")
    elif ((BASH_REMATCH[2] > 0)); then
      problems+=("client ports: ${BASH_REMATCH[2]} failed (TestResults/clients/)")
    fi
  else
    total_failed=$((total_failed + 1))
    problems+=("scripts/test-clients.sh printed no summary (TestResults/clients.log) — counted as 1 failed")
  fi
fi

# The image: built from the Dockerfile without a registry and run (scripts/check-image.sh).
if [[ -n "$FILTER" ]]; then
  log "Image check not run: a FILTER was given (run scripts/check-image.sh alone for it)."
elif ((EUID != 0)); then
  total_failed=$((total_failed + 1))
  problems+=("the image check needs root (buildah); run scripts/check-image.sh as root — counted as 1 failed")
else
  log "Checking the image (scripts/check-image.sh, about 2-4 minutes) ..."
  if "$SCRIPT_DIR/scripts/check-image.sh" >"$RESULTS_DIR/image-check.log" 2>&1 </dev/null; then
    total_passed=$((total_passed + 1))
    log "image check: passed"
  else
    total_failed=$((total_failed + 1))
    tail -n 20 "$RESULTS_DIR/image-check.log" >&2 || true
    problems+=("the image check failed (TestResults/image-check.log) — counted as 1 failed")
  fi
fi

# Stop Azurite (and, on CI, the MSBuild/compiler servers) now, so nothing prints after the summary.
stop_azurite || problems+=("the test Azurite did not stop within the timeout")
if [[ -n "${CI:-}" && "${CI}" != "false" ]]; then
  dotnet build-server shutdown >/dev/null 2>&1 || true
fi

exit_code=0
if ((total_failed > 0)); then
  exit_code=1
fi
if ((total_passed + total_failed == 0)); then
  exit_code=1
  problems+=("no test ran")
fi
if ((build_ok == 0)); then
  exit_code=1
fi

echo
if ((${#problems[@]} > 0)); then
  for p in "${problems[@]}"; do
    printf 'problem: %s\n' "$p"
  done
fi
printf 'TRX files: %s\n' "${RESULTS_DIR#"$SCRIPT_DIR"/}/"
if ((total_skipped > 0)); then
  printf '%d passed, %d failed, %d skipped\n' "$total_passed" "$total_failed" "$total_skipped"
else
  printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
fi
exit "$exit_code"
