# shellcheck shell=bash
# Sourced by ./clearline and .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# The machine's default `java` may be older (Debian 12 ships 17), so we look around before
# giving up, and when nothing fits we say exactly what to install.

clearline_java_major() {
  # Prints the feature version of the java binary given as $1 (17, 21, 25, ...), or nothing.
  # A JDK states its version in its `release` file: reading that costs nothing, where starting
  # each JDK found to ask it cost about 0.2 s apiece on every run. Only a JDK without one is started.
  local out home
  home=$(dirname "$(dirname "$1")")
  if [ -r "$home/release" ]; then
    out=$(sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$home/release" | head -n1)
    case "$out" in
      1.*) out=${out#1.}; out=${out%%.*} ;;
      *) out=${out%%.*} ;;
    esac
    [[ "$out" =~ ^[0-9]+$ ]] && { echo "$out"; return; }
  fi
  out=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)
  case "$out" in
    1.*) echo "${out#1.}" ;;
    *) echo "$out" ;;
  esac
}

clearline_find_jdk() {
  # $1 (optional): a file remembering the JDK found last time. When JAVA_HOME is not set and that
  # JDK is still there, it is used without looking at any other: the launcher's start-up path.
  local min=21 candidate major best="" best_major=0 remembered=${1:-}
  local -a candidates=()
  if [ -z "${JAVA_HOME:-}" ] && [ -n "$remembered" ] && [ -r "$remembered" ]; then
    candidate=$(head -n1 "$remembered")
    if [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ]; then
      major=$(clearline_java_major "$candidate/bin/java")
      if [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge "$min" ]; then
        export JAVA_HOME="$candidate"
        export PATH="$JAVA_HOME/bin:$PATH"
        return 0
      fi
    fi
  fi
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$candidate" ] && candidates+=("$candidate")
  done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(clearline_java_major "$candidate/bin/java")
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    # Keep JAVA_HOME when it already fits; otherwise prefer the newest JDK found.
    if [ "$candidate" = "${JAVA_HOME:-}" ] && [ "$major" -ge "$min" ]; then best=$candidate; break; fi
    if [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    cat >&2 <<MSG
clearline: no JDK $min or newer was found (checked JAVA_HOME, the java on PATH, /usr/lib/jvm, /opt/java, ~/.sdkman, ~/.jdks).
  Install one, for example:
    Debian 13+ / Ubuntu 24.04+:  sudo apt-get update && sudo apt-get install -y openjdk-21-jdk-headless
    Debian 12 and others:        a Temurin 21 or 25 JDK (Adoptium's packages, or SDKMAN: sdk install java 21-tem)
  A JDK under /usr/lib/jvm, /opt/java or ~/.sdkman is found by itself; elsewhere, export JAVA_HOME=/path/to/jdk.
MSG
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  if [ -n "$remembered" ] && mkdir -p "$(dirname "$remembered")" 2>/dev/null; then
    echo "$best" > "$remembered" 2>/dev/null || true
  fi
}

clearline_require_node() {
  # The Solidity compiler is solc-js, run by Node.js during the build.
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    cat >&2 <<'MSG'
clearline: Node.js 20+ and npm are needed to compile the Solidity contracts (solc-js).
  Install them, for example:  sudo apt-get install -y nodejs npm   (or use nvm / a Node.js 20+ package)
MSG
    return 1
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
  if [ "${major:-0}" -lt 20 ]; then
    echo "clearline: Node.js $(node --version) is too old; Node.js 20 or newer is needed (solc-js, hardhat 2.29)." >&2
    return 1
  fi
}
