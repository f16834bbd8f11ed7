#!/bin/sh
# Entry point the Maven build calls in generate-sources / generate-test-sources.
# Checks for Node.js 20+, installs the pinned solc from package-lock.json when node_modules is
# missing or the lockfile changed, then runs compile.mjs with the given arguments.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
module=$(dirname "$here")

if ! command -v node >/dev/null 2>&1; then
  cat >&2 <<'MSG'
contracts: Node.js was not found on the PATH. The Solidity contracts are compiled by solc-js,
which needs Node.js 20 or newer and npm. Install them (for example `sudo apt-get install -y nodejs npm`,
or nvm / a Node.js 20+ package), make sure `node --version` works, and run the build again.
MSG
  exit 3
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "contracts: Node.js $(node --version) is too old; install Node.js 20 or newer and run the build again." >&2
  exit 3
fi

# npm ci wipes node_modules before installing, so the copied lockfile (written only after a
# successful install) tells whether node_modules matches the committed lockfile.
installed_lock="$module/node_modules/.clearline-package-lock.json"
if [ ! -f "$installed_lock" ] || ! cmp -s "$module/package-lock.json" "$installed_lock"; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "contracts: npm was not found on the PATH; install npm (it comes with Node.js 20+) and run the build again." >&2
    exit 3
  fi
  echo "contracts: installing the pinned solc (npm ci) ..." >&2
  (cd "$module" && npm ci --no-audit --no-fund --loglevel=error) || {
    echo "contracts: 'npm ci' failed in $module (message above). Check that the npm registry is reachable and package-lock.json is intact." >&2
    exit 3
  }
  cp "$module/package-lock.json" "$installed_lock"
fi

exec node "$here/compile.mjs" "$@"
