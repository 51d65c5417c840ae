# Sourced by .ci/run (bash, set -euo pipefail): installs Debian's Chromium
# (and a colour emoji font, so the screenshots show the bot's emoji) for the
# browser playground's end-to-end test, and makes that test required: with
# LEADNUDGE_TEST_CHROMIUM=required it fails instead of skipping.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-color-emoji
elif ! fc-list 2>/dev/null | grep -qi 'Noto Color Emoji'; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-color-emoji || true
fi
echo "$( (chromium --version || chromium-browser --version) 2>/dev/null | head -1)"
export LEADNUDGE_TEST_CHROMIUM=required
export LEADNUDGE_TEST_ARTIFACTS="${LEADNUDGE_TEST_ARTIFACTS:-$PWD/.ci/artifacts}"
echo "screenshots of the browser test go to $LEADNUDGE_TEST_ARTIFACTS/playground"
