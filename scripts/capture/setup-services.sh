#!/usr/bin/env bash
# Installs the real queue servers the capture tests and `npm run bench -- capture` start on
# loopback: redis-server (Debian) and goaws, an SQS-compatible server (Go module proxy, pinned),
# built into .cache/bin/goaws. Idempotent; any failed step exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/../.."
GOAWS_VERSION=v0.4.5
if ! command -v redis-server >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server
fi
redis-server --version
mkdir -p .cache/bin
if [ ! -x .cache/bin/goaws ] || [ "$(cat .cache/bin/goaws.version 2>/dev/null)" != "$GOAWS_VERSION" ]; then
  command -v go >/dev/null || { echo "setup-services: go not found (needed to build goaws $GOAWS_VERSION)" >&2; exit 1; }
  tmp=$(mktemp -d)
  # The module's main package is app/cmd (its binary is named "cmd").
  GOBIN="$tmp" GOFLAGS=-mod=mod go install "github.com/Admiral-Piett/goaws/app/cmd@$GOAWS_VERSION"
  mv "$tmp/cmd" .cache/bin/goaws
  rm -rf "$tmp"
  echo "$GOAWS_VERSION" > .cache/bin/goaws.version
fi
echo "setup-services: goaws $(cat .cache/bin/goaws.version) at .cache/bin/goaws"
