#!/usr/bin/env bash
# The main job: install what is needed, build, start a virtual board and run
# the seed's walkthrough against it with the real dfu-util (inside a small
# QEMU guest that imports the board over USB/IP): detach, RAM-disk upload and
# download, a signed hello_world into SLOT-1, reset (MCUboot-style test swap,
# "Hello World!"), reset again (revert). Then the board's console is shown.
#
#   ./scripts/demo.sh                       # reel_board
#   BOARD=nucleo_u575zi_q ./scripts/demo.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
./tests/e2e/build-guest.sh >/dev/null
exec ./tests/e2e/with-board.sh --board "${BOARD:-reel_board}" build \
	--timeout 300 tests/e2e/scenarios/walkthrough.sh build/firmware/hello_world.signed.bin
