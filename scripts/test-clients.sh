#!/usr/bin/env bash
# scripts/test-clients.sh [RESULTS_DIR] — the client ports' tests and the .NET package check, against a
# running service. ./test.sh runs it after the .NET test projects; it can run alone after
# `dotnet build Reputation.sln -c Release`.
#
#   1. writes random prompts with the C# answers (Reputation.Client.Tests, a new seed each run) for
#      the ports' tests, beside the committed vectors in clients/vectors;
#   2. starts the built service on free ports of 127.0.0.1 (memory storage, development keys);
#   3. runs clients/typescript's tests with `node --test` and clients/python's with `python3 -m unittest`,
#      both including an end-to-end decision and ingest against that service;
#   4. packs Reputation.Contracts, Reputation.Core and Reputation.Client into artifacts/packages, builds
#      samples/Reputation.Client.Sample against the packages (not the projects) and runs it against the
#      service: one test;
#   5. stops the service and prints "N passed, N failed" as its last line (exit 1 on a failure).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/scripts/lib.sh"
cd "$SCRIPT_DIR"

RESULTS="${1:-$SCRIPT_DIR/TestResults/clients}"
mkdir -p "$RESULTS"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

passed=0
failed=0
problems=()
SERVICE_PID=""
trap 'stop_test_service >/dev/null 2>&1 || true' EXIT

count() { # count <name> <passed> <failed>
  log "$1: $2 passed, $3 failed"
  passed=$((passed + $2))
  failed=$((failed + $3))
}

# 1. Random prompts for the ports, answered by the C# implementation.
export REPUTATION_PORT_VECTORS="$RESULTS/random-prompts.json"
rm -f "$REPUTATION_PORT_VECTORS"
client_tests="tests/Reputation.Client.Tests/bin/Release/net10.0/Reputation.Client.Tests.dll"
if ! dotnet "$client_tests" -method "*Random_prompts_normalise_idempotently*" >"$RESULTS/random-prompts.log" 2>&1; then
  count "random prompts for the ports (C#)" 0 1
  problems+=("writing the random prompts failed (${RESULTS#"$SCRIPT_DIR"/}/random-prompts.log)")
fi

# 2. The service.
if ! start_test_service "$RESULTS/service.log"; then
  problems+=("the service did not start (${RESULTS#"$SCRIPT_DIR"/}/service.log)")
  count "client ports (no service)" 0 1
else
  export REPUTATION_URL="$SERVICE_URL" REPUTATION_API_KEY=dev-service-key
  log "Service for the client ports on $SERVICE_URL"

  # 3a. TypeScript: node's own runner, TAP summary lines "# pass N" / "# fail N".
  log "Testing clients/typescript (node --test) ..."
  (cd clients/typescript && node --test --test-reporter=tap test/) >"$RESULTS/typescript.tap" 2>&1 || true
  ts_pass="$(grep -E '^# pass [0-9]+' "$RESULTS/typescript.tap" | tail -n 1 | grep -o '[0-9]*' || true)"
  ts_fail="$(grep -E '^# fail [0-9]+' "$RESULTS/typescript.tap" | tail -n 1 | grep -o '[0-9]*' || true)"
  if [[ -z "$ts_pass" || -z "$ts_fail" ]]; then
    ts_pass=0 ts_fail=1
    problems+=("the TypeScript tests produced no summary (${RESULTS#"$SCRIPT_DIR"/}/typescript.tap)")
  elif ((ts_fail > 0)); then
    grep -E '^not ok|^\s+error:' "$RESULTS/typescript.tap" | head -n 20 >&2 || true
    problems+=("TypeScript tests failed (${RESULTS#"$SCRIPT_DIR"/}/typescript.tap)")
  fi
  count "clients/typescript" "$ts_pass" "$ts_fail"

  # 3b. Python: unittest's "Ran N tests" and "FAILED (failures=F, errors=E, skipped=S)".
  # A machine without Python gets Debian's (standard library only: nothing else is installed).
  ensure_apt_command python3 python3 "the Python client's tests need python3" || true
  log "Testing clients/python (python3 -m unittest) ..."
  (cd clients/python && python3 -m unittest discover -s tests -t . -v) >"$RESULTS/python.log" 2>&1 || true
  py_ran="$(grep -E '^Ran [0-9]+ tests?' "$RESULTS/python.log" | grep -o '[0-9][0-9]*' | head -n 1 || true)"
  if [[ -z "$py_ran" ]]; then
    count "clients/python" 0 1
    problems+=("the Python tests produced no summary (${RESULTS#"$SCRIPT_DIR"/}/python.log)")
  else
    py_bad=0
    for kind in failures errors; do
      n="$(grep -oE "$kind=[0-9]+" "$RESULTS/python.log" | tail -n 1 | grep -o '[0-9]*' || true)"
      py_bad=$((py_bad + ${n:-0}))
    done
    py_skipped="$(grep -oE 'skipped=[0-9]+' "$RESULTS/python.log" | tail -n 1 | grep -o '[0-9]*' || true)"
    ((py_bad <= py_ran)) || py_bad=$py_ran # a failing subTest counts once per test
    if ((py_bad > 0)); then
      grep -E '^(FAIL|ERROR):' "$RESULTS/python.log" | head -n 20 >&2 || true
      problems+=("Python tests failed (${RESULTS#"$SCRIPT_DIR"/}/python.log)")
    fi
    count "clients/python" "$((py_ran - py_bad - ${py_skipped:-0}))" "$py_bad"
  fi

  # 4. The NuGet packages, and a sample that references them (not the projects) deciding against the service.
  log "Packing Reputation.Client and building samples/Reputation.Client.Sample against the package ..."
  rm -rf artifacts/packages artifacts/sample-packages samples/Reputation.Client.Sample/bin samples/Reputation.Client.Sample/obj
  package_ok=1
  for project in Reputation.Contracts Reputation.Core Reputation.Client; do
    dotnet pack "src/$project" -c Release --no-build -o artifacts/packages >>"$RESULTS/package.log" 2>&1 || package_ok=0
  done
  # The sample restores into its own folder (the Reputation.* packages never enter the user's NuGet
  # cache, so a repack is always what it gets) with the user's cache as a fallback for the rest.
  global_packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
  if ((package_ok)) && dotnet build samples/Reputation.Client.Sample -c Release \
    -p:RestorePackagesPath="$SCRIPT_DIR/artifacts/sample-packages" -p:RestoreFallbackFolders="$global_packages" \
    >>"$RESULTS/package.log" 2>&1 &&
    dotnet samples/Reputation.Client.Sample/bin/Release/net10.0/Reputation.Client.Sample.dll >>"$RESULTS/package.log" 2>&1; then
    count "NuGet package and sample" 1 0
  else
    tail -n 20 "$RESULTS/package.log" >&2 || true
    problems+=("packing, building the sample against the package or running it failed (${RESULTS#"$SCRIPT_DIR"/}/package.log)")
    count "NuGet package and sample" 0 1
  fi
fi

stop_test_service || problems+=("the test service did not stop")
for p in "${problems[@]}"; do
  printf 'problem: %s\n' "$p"
done
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
