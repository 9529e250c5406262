# Overwrite-only with downgrade prevention (dfukit board run --mode
# overwrite-only --downgrade-prevention), with the real dfu-util: an older
# hello_world into SLOT-1 is refused at the reset (the DFU sample comes back),
# a newer one is copied over slot 0 and keeps running after another reset
# (no revert in this mode). The host side checks the console.
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
	attach_board "" 60 >/dev/null || fail overwrite "board not attachable before $1"
	dfu-util --detach >/dev/null 2>&1 || fail overwrite "detach before $1"
	wait_gone && attach_board >/dev/null || fail overwrite "no DFU mode before $1"
	# shellcheck disable=SC2086 # $T is empty or two words on purpose
	run "dl-$1" dfu-util --alt 1 --download "/data/$1" $T || fail overwrite "download of $1"
}

step downgrade
download hello-v1.0.0.bin
reset_board
# refused: the DFU sample (v2.0.0) boots again and is back on USB
attach_board "" 60 >/dev/null || fail downgrade "the DFU sample did not come back"
pass downgrade

step upgrade
download hello-v3.0.0.bin
reset_board
wait_gone || fail upgrade "device still on the bus after reset"
sleep 3
# no revert: hello_world (no USB) runs again after this reset
reset_board
sleep 3
pass upgrade
