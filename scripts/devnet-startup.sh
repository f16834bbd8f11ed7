#!/usr/bin/env bash
# Time from the command to the first answered eth_blockNumber, for `./clearline devnet` and
# (when present) Hardhat's node, each started fresh N times. Prints one line per start:
# name, wall milliseconds, CPU milliseconds of that process until its first answer.
#   scripts/devnet-startup.sh [runs=3]
# Used by the devnet benchmark; stands alone too. Binds 127.0.0.1 on free ports only.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-3}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

first_answer_ms() {
  # $1: port; the rest: the command. Prints milliseconds from spawn to the first JSON-RPC answer.
  local port=$1; shift
  local start end pid
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    if curl -s -m 1 -H 'Content-Type: application/json' \
        -d '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "http://127.0.0.1:$port" 2>/dev/null | grep -q result; then
      end=$(date +%s%N)
      # CPU the process (and the launcher's children) spent until then, in clock ticks: the
      # figure that does not depend on how busy the machine is.
      local ticks
      ticks=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null || echo 0)
      kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
      echo "$(( (end - start) / 1000000 )) $(( ticks * 1000 / $(getconf CLK_TCK) ))"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "failed"; return 1; }
    sleep 0.02
  done
  kill "$pid" 2>/dev/null; echo "timeout"
}

cd "$root"
for i in $(seq 1 "$runs"); do
  port=$(free_port)
  echo "clearline-devnet $(first_answer_ms "$port" ./clearline devnet --port "$port")"
  port=$(free_port)
  echo "clearline-devnet-no-cache $(CLEARLINE_STARTUP_CACHE=off first_answer_ms "$port" ./clearline devnet --port "$port")"
  hh="$root/devnet/src/test/hardhat"
  if [ -x "$hh/node_modules/.bin/hardhat" ]; then
    port=$(free_port)
    echo "hardhat-node $(cd "$hh" && first_answer_ms "$port" ./node_modules/.bin/hardhat node --hostname 127.0.0.1 --port "$port")"
  fi
done
