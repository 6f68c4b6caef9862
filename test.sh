#!/usr/bin/env bash
# Runs every test: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Standalone]
#
# On a machine with only the .NET SDK it first installs what the tests need, when missing:
# Debian's postgresql (the cluster tests' server), kubernetes-client (kubectl, which renders
# deploy/k8s), nodejs and npm (the Node client test), chromium and fonts-noto-cjk (the console's
# browser tests: Playwright drives Debian's Chromium, Noto CJK renders Chinese), with apt-get as root or through sudo, and
# the Node client's packages (npm ci in tests/clients/node, from its package-lock.json). It starts a throw-away PostgreSQL on
# 127.0.0.1:55432 (.ci/postgres-up) unless HAZARDGRID_TEST_POSTGRES names a server, runs
# `dotnet test HazardGrid.sln` with the arguments given, and ends with one line
# "tests: N passed, M failed", after "screenshots: PATH", the folder where the console tests saved
# screenshots of the pages they visited (HAZARDGRID_SCREENSHOTS, by default artifacts/screenshots).
# The exit status is non-zero when the build or any test failed.
set -uo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test: the .NET SDK is not on PATH; this project needs .NET 10 (see global.json)" >&2
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

# apt-get install PACKAGE..., as root or through sudo.
apt_updated=
install() {
  local run=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "test: the tests need the Debian package(s) $*; install them as root (apt-get install $*)" >&2
      return 1
    fi
    run=(sudo)
  fi
  echo "test: installing $* (Debian)" >&2
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$apt_updated" ]; then
    "${run[@]}" apt-get update -qq >&2 && apt_updated=1
  fi
  "${run[@]}" apt-get install -y -qq "$@" >&2
}

if ! command -v kubectl >/dev/null 2>&1; then
  install kubernetes-client || echo "test: without kubectl the Kubernetes manifest tests fail" >&2
fi

# The non-.NET client test (tests/clients/node) runs Node.js with the packages its lock file pins.
if ! command -v node >/dev/null 2>&1; then
  install nodejs || echo "test: without Node.js the Node client test fails" >&2
fi
if command -v node >/dev/null 2>&1 && ! command -v npm >/dev/null 2>&1; then
  install npm || echo "test: without npm the Node client test fails" >&2
fi
node_client=tests/clients/node
if command -v npm >/dev/null 2>&1 && [ "$node_client/package-lock.json" -nt "$node_client/node_modules/.package-lock.json" ]; then
  (cd "$node_client" && npm ci --no-audit --no-fund >&2) || echo "test: npm ci failed in $node_client; the Node client test will say why" >&2
fi

# The console's browser tests (tests/HazardGrid.Tests/Console) drive Debian's Chromium through
# Playwright, which cannot download browsers here, and the same Chromium prints the monthly
# circular's PDF; without the CJK fonts Chinese renders as boxes.
if [ -z "${HAZARDGRID_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  install chromium || echo "test: without chromium the console tests fail" >&2
fi
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  install fonts-noto-cjk || echo "test: without fonts-noto-cjk the console screenshots show boxes for Chinese" >&2
fi
export HAZARDGRID_SCREENSHOTS="${HAZARDGRID_SCREENSHOTS:-$PWD/artifacts/screenshots}"

if [ -z "${HAZARDGRID_TEST_POSTGRES:-}" ]; then
  if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    install postgresql || echo "test: without PostgreSQL the cluster tests fail" >&2
  fi
  if pg=$(bash .ci/postgres-up); then
    eval "$pg"
  else
    echo "test: could not start PostgreSQL (.ci/postgres-up); the cluster tests will say why" >&2
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test HazardGrid.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# `dotnet test` prints one summary per test assembly ("Passed!  - Failed: 0, Passed: 12, ...").
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the build or the runner failed before any test could
fi
if [ "$status" -eq 0 ] && [ "$failed" -ne 0 ]; then
  status=1
fi
echo "screenshots: ${HAZARDGRID_SCREENSHOTS}"
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
