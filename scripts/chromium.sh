#!/usr/bin/env bash
# Debian's chromium, for the browser tests of `kiln inspect` (test/stages/inspect.test.ts drives it
# headless through puppeteer-core; nothing is downloaded by npm). Installs it if absent.
set -euo pipefail
if command -v chromium >/dev/null; then command -v chromium; exit 0; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium
