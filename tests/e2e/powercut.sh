#!/usr/bin/env bash
# Power cuts during the swap on the emulated Cortex-M board, with the real
# dfu-util: the guest (scenarios/powercut.sh) downloads hello_world into
# SLOT-1; the host (powercut-host.sh) then powers the board on again and again
# and cuts the power inside the test swap and inside the revert swap, both at
# chosen flash operations (dfukit-emu's DFUKIT_EMU_POWER_CUT_FILE: the
# firmware's cut-at/cut-tear) and by killing the emulator (dfukit board reset)
# a while after the swap started. Each power-on must end on a valid image or
# in the cut; the swap resumes after each cut; hello_world boots as the test,
# the DFU sample after the revert, and comes back on USB in run-time mode.
#
#   tests/e2e/powercut.sh CROSS_BUILD_DIR HOST_BUILD_DIR DIR BOARD
#
# CI form: one round, the plan of powercut-host.sh (about 9 power-ons with cuts).
# DFUKIT_E2E_POWERCUT=long: 4 rounds of 16 power-ons each with random cut
# points and kill times (seed DFUKIT_E2E_POWERCUT_SEED, default the time; printed).
# DFUKIT_E2E_POWERCUT_PLAN / _ROUNDS set either by hand.
set -euo pipefail
(($# == 4)) || { echo "usage: $0 CROSS_BUILD_DIR HOST_BUILD_DIR DIR BOARD" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cross=$1 host=$2 dir=$3 board=$4
rounds=${DFUKIT_E2E_POWERCUT_ROUNDS:-1}
timeout=500
if [ "${DFUKIT_E2E_POWERCUT:-}" = long ]; then
	rounds=${DFUKIT_E2E_POWERCUT_ROUNDS:-4}
	: "${DFUKIT_E2E_POWERCUT_PLAN:=op:rand op:rand time:rand op:rand op:rand time:rand op:rand op:rand op:rand time:rand op:rand op:rand op:rand op:rand op:rand op:rand}"
	: "${DFUKIT_E2E_POWERCUT_SEED:=$(date +%s)}"
	export DFUKIT_E2E_POWERCUT_PLAN DFUKIT_E2E_POWERCUT_SEED
	timeout=$((300 + rounds * 300))
	echo "powercut: long form, $rounds rounds, seed $DFUKIT_E2E_POWERCUT_SEED"
elif [ -n "${DFUKIT_E2E_POWERCUT:-}" ]; then
	echo "powercut: DFUKIT_E2E_POWERCUT=$DFUKIT_E2E_POWERCUT: want 'long' or nothing" >&2
	exit 2
fi
export DFUKIT_GUEST_POWERCUT_ROUNDS=$rounds
exec "$here/emulated.sh" "$cross" "$host" "$dir" --board "$board" \
	--host-relay "$here/powercut-host.sh" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v0.0.0 verified, test swap at the next reset" \
	--expect-order "power cut armed: flash operation" \
	--expect-order "Starting swap using move algorithm." \
	--expect-order "firmware stopped: power cut \\(exit status 67\\)" \
	--expect-order "Boot source: primary slot" \
	--expect-order "Hello World! " \
	--expect-order "Swap type: revert" \
	--expect-order "firmware stopped: power cut \\(exit status 67\\)" \
	--expect-order "Boot source: primary slot" \
	--expect-order "USB DFU sample is initialized" \
	--forbid-log "Unable to find bootable image|panic!|firmware stopped: (halted|fault)" \
	"$host" --timeout "$timeout" "$here/scenarios/powercut.sh" "$dir/hello_world.signed.bin"
