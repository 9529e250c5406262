#!/usr/bin/env bash
# The main job: install what is needed, build, start a virtual reel_board and
# run the seed's walkthrough against it with the real dfu-util (inside a small
# QEMU guest that imports the board over USB/IP), then show the board's console.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
./tests/e2e/build-guest.sh >/dev/null
exec ./tests/e2e/with-board.sh --board "${BOARD:-reel_board}" build \
	--timeout 300 tests/e2e/scenarios/walkthrough.sh
