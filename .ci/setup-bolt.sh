# shellcheck shell=bash
# Sourced by .ci/run (bash, set -euo pipefail): installs the Slack Bolt for
# JavaScript peer baseline of `leadnudge loadtest --peer bolt`
# (loadtest/testdata/bolt-peer, pinned by its package-lock.json), so that
# loadtest's peer test runs instead of skipping.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs and npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
echo "node $(node --version), npm $(npm --version): npm ci in loadtest/testdata/bolt-peer"
(cd loadtest/testdata/bolt-peer && npm ci --no-audit --no-fund --loglevel=error)
