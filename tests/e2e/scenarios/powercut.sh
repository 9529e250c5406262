# Guest side of the emulated board's power-cut test (tests/e2e/powercut.sh):
# each round puts the DFU sample into DFU mode, downloads hello_world into
# SLOT-1 with dfu-util and asks the host (DFUKIT-HOST swap-cuts ROUND,
# tests/e2e/powercut-host.sh) to power the board on and cut the power during
# the swap again and again; the host returns once the DFU sample is back after
# hello_world's test run and the revert, and here it must be on USB again, in
# run-time mode, and take the next round's download.
# shellcheck shell=sh
. /lib-guest.sh
set -u
ROUNDS=${DFUKIT_GUEST_POWERCUT_ROUNDS:-1}
XFER=${DFUKIT_GUEST_TRANSFER_SIZE:-}
T=${XFER:+--transfer-size $XFER}

attach_board || fail powercut "board not attachable"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	step "round-$r"
	run "detach-$r" dfu-util --detach || fail "round-$r" "dfu-util --detach"
	wait_gone && attach_board >/dev/null || fail "round-$r" "no DFU mode"
	# shellcheck disable=SC2086 # $T is empty or two words on purpose
	run "dl-$r" dfu-util --alt 1 --download /data/hello_world.signed.bin $T ||
		fail "round-$r" "SLOT-1 download"
	expect_grep 'Download done' "/tmp/dl-$r.out" || fail "round-$r" "no 'Download done'"
	echo "DFUKIT-HOST swap-cuts $r"
	wait_gone "" 60 || fail "round-$r" "still on the bus after the reset"
	# The host cuts and powers on until the DFU sample is back; it appears only then.
	attach_board "" 600 >/dev/null || fail "round-$r" "the DFU sample did not come back"
	run "list-$r" dfu-util -l || fail "round-$r" "dfu-util -l"
	expect_grep 'Found Runtime: \[2fe3:0005\]' "/tmp/list-$r.out" ||
		fail "round-$r" "the board is not the DFU sample in run-time mode"
	pass "round-$r"
	r=$((r + 1))
done
