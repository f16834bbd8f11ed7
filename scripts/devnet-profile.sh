#!/bin/bash
# Profiles the devnet process that `./clearline bench devnet --no-hardhat` starts: JFR for the whole
# run (attached with jcmd once it answers), and perf (if installed) once for the transfer windows and
# once for the eth_call windows. Shares, not rates: the profilers cost CPU themselves.
#   scripts/devnet-profile.sh [OUT_DIR]      (about 2 minutes on a quiet machine plus the build, 8+ when loaded;
#                                             bench-results/devnet-profile.md says what it found)
# Then: perf report -i OUT/perf-tx.data --sort dso -g none; jfr print --events jdk.ExecutionSample OUT/devnet.jfr
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-$root/devnet/target/profile}
mkdir -p "$out"
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
jar="$root/cli/target/clearline.jar devnet --port"

watch() {
  local pid="" port b last perf_pid
  for _ in $(seq 1 1200); do
    pid=$(pgrep -f "$jar" | head -1 || true)
    [ -n "$pid" ] && break
    sleep 0.5
  done
  [ -z "$pid" ] && { echo "no devnet process appeared" >&2; return 1; }
  port=$(tr '\0' ' ' < "/proc/$pid/cmdline" | sed -E 's/.*--port ([0-9]+).*/\1/')
  bn() { curl -s -m 2 -H 'content-type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "http://127.0.0.1:$port" \
    | sed -nE 's/.*"result":"0x([0-9a-f]+)".*/\1/p'; }
  num() { local v; v=$(bn || true); if [ -n "$v" ]; then echo $((16#$v)); else echo -1; fi; }
  until [ "$(num)" -ge 0 ]; do sleep 0.5; done
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=profile filename="$out/devnet.jfr" settings=profile >/dev/null
  # The transfer windows start once the deployment's and the mints' blocks (about 20) are behind.
  until b=$(num) && [ "$b" -gt 200 ]; do sleep 0.3; done
  echo "transfers from block $b at $(date +%T)"
  perf_pid=""
  if command -v perf >/dev/null; then perf record -F 499 -g -p "$pid" -o "$out/perf-tx.data" >/dev/null 2>&1 & perf_pid=$!; fi
  last=-1
  while true; do sleep 1; b=$(num); [ "$b" = "$last" ] && break; last=$b; done
  [ -n "$perf_pid" ] && { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
  echo "transfers ended at block $b at $(date +%T); eth_call windows next"
  sleep 1
  if command -v perf >/dev/null; then
    perf record -F 499 -g -p "$pid" -o "$out/perf-call.data" >/dev/null 2>&1 & perf_pid=$!
    sleep 16
    kill -INT "$perf_pid"; wait "$perf_pid" || true
  fi
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.dump name=profile filename="$out/devnet.jfr" >/dev/null
  echo "profiles in $out"
}

watch &
watcher=$!
./clearline bench devnet --no-hardhat --cold-seconds 10 --warm-seconds 10 --txs 40000 --block-txs 1 --out "$out/bench.md"
wait "$watcher"
