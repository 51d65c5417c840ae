# Sourced by .ci/run (bash, set -euo pipefail): makes sure Slack's official
# Node SDKs are installed for fakeslack/node_test.go, which checks the local
# Slack against an implementation we did not write.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs and npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
echo "node $(node --version), npm $(npm --version)"
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "warning: @slack/socket-mode 3 needs Node.js 20 or newer; the Node SDK check may fail" >&2
fi
(cd fakeslack/testdata/node && npm ci --no-audit --no-fund --loglevel=error)
