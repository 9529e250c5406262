#!/usr/bin/env bash
# The main job: install what is needed, build, start a virtual board and run
# the seed's walkthrough against it with the real dfu-util (inside a small
# QEMU guest that imports the board over USB/IP): detach, RAM-disk upload and
# download, a signed hello_world into SLOT-1, reset (MCUboot-style test swap,
# "Hello World!"), reset again (revert). Then the board's console is shown.
#
# By default the board runs its Cortex-M firmware, as the cross build makes
# it, on an emulated CPU (QEMU mps2-an386, Cortex-M4F; mps2-an505, Cortex-M33
# for nucleo_u575zi_q); NATIVE=1 runs the host-native build of the same
# firmware instead (faster, and what the sanitizer and fuzz runs use).
#
#   ./scripts/demo.sh                       # reel_board, emulated Cortex-M4F
#   BOARD=nucleo_u575zi_q ./scripts/demo.sh # emulated Cortex-M33
#   NATIVE=1 ./scripts/demo.sh              # host-native firmware
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
./tests/e2e/build-guest.sh >/dev/null
board=${BOARD:-reel_board}
if [ -n "${NATIVE:-}" ]; then
	exec ./tests/e2e/with-board.sh --board "$board" build \
		--timeout 300 tests/e2e/scenarios/walkthrough.sh build/firmware/hello_world.signed.bin
fi
# The board's Cortex-M build: bootloader, DFU sample and hello_world, run by
# `dfukit board run --emulate`.
case $board in
reel_board) preset=cortex-m4f ;;
nucleo_u575zi_q) preset=cortex-m33 ;;
*) echo "demo.sh: no Cortex-M build for board $board" >&2; exit 2 ;;
esac
./scripts/mbedtls-target.sh "$preset" "build-$preset/target"
cmake --preset "$preset" >/dev/null
cmake --build "build-$preset" -j"$(nproc)"
dir=build/firmware/mps2-$board
exec ./tests/e2e/emulated.sh "build-$preset" build "$dir" --board "$board" build \
	--timeout 300 tests/e2e/scenarios/walkthrough.sh "$dir/hello_world.signed.bin"
