# Swap-using-offset (dfukit board run --mode offset), the seed's walkthrough
# with the real dfu-util: a hello_world into SLOT-1 is test-swapped, runs, and
# is reverted at the next reset (the DFU sample comes back on USB); a
# hello_world with its own permanent request is swapped for good and keeps
# running after another reset. dfu-util is used exactly as with
# swap-using-move: the sample puts SLOT-1 downloads at sector 1 of slot 1.
# The host side checks the console.
# shellcheck shell=sh
. /lib-guest.sh
set -u
XFER=${DFUKIT_GUEST_TRANSFER_SIZE:-}
T=${XFER:+--transfer-size $XFER}

reset_board() {
	echo "DFUKIT-RESET-BOARD"
	sleep 1
}

# download FILE into SLOT-1 from run-time mode
download() {
	attach_board "" 60 >/dev/null || fail offset "board not attachable before $1"
	dfu-util --detach >/dev/null 2>&1 || fail offset "detach before $1"
	wait_gone && attach_board >/dev/null || fail offset "no DFU mode before $1"
	# shellcheck disable=SC2086 # $T is empty or two words on purpose
	run "dl-$1" dfu-util --alt 1 --download "/data/$1" $T || fail offset "download of $1"
}

step test-revert
download hello-v1.0.0.bin
# the test swap: hello_world runs (it has no USB)
reset_board
wait_gone || fail test-revert "device still on the bus after reset"
sleep 3
# the revert: the DFU sample comes back on USB
reset_board
attach_board "" 60 >/dev/null || fail test-revert "the DFU sample did not come back"
pass test-revert

step permanent
download hello-v3.0.0.bin
reset_board
wait_gone || fail permanent "device still on the bus after reset"
sleep 3
# no revert: hello_world runs again after this reset
reset_board
sleep 3
pass permanent
