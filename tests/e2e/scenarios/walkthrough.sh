# The seed's walkthrough, command by command, as a user types it on the host
# that imported the board (here: the QEMU guest). The board's reset button is
# pressed by printing DFUKIT-RESET-BOARD, which the host side acts on.
# shellcheck shell=sh
. /lib-guest.sh
set -u
XFER=${DFUKIT_GUEST_TRANSFER_SIZE:-}
T=${XFER:+--transfer-size $XFER}

say() { printf '\n$ %s\n' "$*"; }
reset_board() {
	printf '\n(pressing the board'"'"'s reset button)\n'
	echo "DFUKIT-RESET-BOARD"
	sleep 1
}

attach_board || fail walkthrough "board not attachable"
say dfu-util -l
dfu-util -l || fail walkthrough "dfu-util -l"

say dfu-util --detach
dfu-util --detach || fail walkthrough "dfu-util --detach"
wait_gone && attach_board >/dev/null || fail walkthrough "device did not come back in DFU mode"
say dfu-util -l
dfu-util -l || fail walkthrough "dfu-util -l"

say dfu-util --alt 0 --upload ramdisk0_backup.bin
dfu-util --alt 0 --upload ramdisk0_backup.bin || fail walkthrough "upload"
ls -l ramdisk0_backup.bin

say dfu-util --alt 0 --download ramdisk0_backup.bin
dfu-util --alt 0 --download ramdisk0_backup.bin || fail walkthrough "download"

cp /data/hello_world.signed.bin zephyr.signed.bin
# shellcheck disable=SC2086 # $T is empty or two words on purpose
say dfu-util --alt 1 --download zephyr.signed.bin $T
# shellcheck disable=SC2086
dfu-util --alt 1 --download zephyr.signed.bin $T || fail walkthrough "SLOT-1 download"

# MCUboot swaps and boots hello_world as a test: it has no USB.
reset_board
wait_gone || fail walkthrough "device still on the bus after reset"
sleep 3
# Reset again: MCUboot reverts to the DFU sample, which comes back on USB.
reset_board
attach_board "" 60 >/dev/null || fail walkthrough "DFU sample did not come back after the revert"
say dfu-util -l
dfu-util -l | tee /tmp/list.out || fail walkthrough "dfu-util -l"
expect_grep 'Found Runtime: \[2fe3:0005\]' /tmp/list.out || fail walkthrough "not in run-time mode"
pass walkthrough
