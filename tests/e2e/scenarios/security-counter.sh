# Hardware rollback protection (dfukit board run --security-counter), with
# the real dfu-util: the DFU sample v2.0.0 (security counter 2) is swapped in
# and confirms itself; after one more reset the bootloader has raised its
# counter to 2, so hello_world v1.0.0 (counter 1) into SLOT-1 is refused at
# the reset and the DFU sample v2.0.0 comes back. The host side checks the
# console for MCUboot's lines.
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
	attach_board "" 60 >/dev/null || fail seccnt "board not attachable before $1"
	dfu-util --detach >/dev/null 2>&1 || fail seccnt "detach before $1"
	wait_gone && attach_board >/dev/null || fail seccnt "no DFU mode before $1"
	# shellcheck disable=SC2086 # $T is empty or two words on purpose
	run "dl-$1" dfu-util --alt 1 --download "/data/$1" $T || fail seccnt "download of $1"
}

step upgrade
download dfu-sample-v2.0.0.bin
reset_board
# the DFU sample v2.0.0 runs (and confirms itself); the next reset raises the counter
attach_board "" 60 >/dev/null || fail upgrade "the DFU sample v2.0.0 did not come up"
reset_board
attach_board "" 60 >/dev/null || fail upgrade "the DFU sample v2.0.0 did not come back"
pass upgrade

step downgrade
download hello-v1.0.0.bin
reset_board
# refused: the DFU sample v2.0.0 boots again and is back on USB
attach_board "" 60 >/dev/null || fail downgrade "the DFU sample did not come back"
pass downgrade
