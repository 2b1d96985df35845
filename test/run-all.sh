#!/usr/bin/env bash
# The whole test suite: build, unit tests, kernel tests. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
npm run -s build || { echo "0 passed, 1 failed"; exit 1; }
npx vitest run "$@"
