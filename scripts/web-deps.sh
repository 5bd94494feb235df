#!/usr/bin/env bash
# Fetches the web page's npm libraries (uPlot; puppeteer-core for the browser
# test) exactly as web/package-lock.json pins them, when they are missing or
# the lock file changed. The build embeds uPlot from web/node_modules.
set -eu
cd "$(dirname "$0")/../web"
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    echo "fetching the web page's libraries (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
fi
