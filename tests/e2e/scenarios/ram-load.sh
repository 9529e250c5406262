# Ram-load (dfukit board run --mode ram-load) with the real dfu-util: an image
# signed without --load-addr is refused at the reset (the DFU sample comes
# back); a newer DFU sample goes into SLOT-1 and runs from slot 1's copy in
# RAM; then the sample writes SLOT-1 to slot 0, the slot it was not loaded
# from, and a newer hello_world runs from there, at every reset (no revert).
# The host side checks the console.
# shellcheck shell=sh
. /lib-guest.sh
set -u

reset_board() {
	echo "DFUKIT-RESET-BOARD"
	sleep 1
}

# download FILE into SLOT-1 from run-time mode
download() {
	attach_board "" 60 >/dev/null || fail ram-load "board not attachable before $1"
	dfu-util --detach >/dev/null 2>&1 || fail ram-load "detach before $1"
	wait_gone && attach_board >/dev/null || fail ram-load "no DFU mode before $1"
	run "dl-$1" dfu-util --alt 1 --download "/data/$1" || fail ram-load "download of $1"
}

step refused
download hello-noload.bin
reset_board
attach_board "" 60 >/dev/null || fail refused "the DFU sample did not come back"
pass refused

step sample-from-slot1
download dfu-sample-v0.2.0.bin
reset_board
attach_board "" 60 >/dev/null || fail sample-from-slot1 "the new DFU sample did not come up"
pass sample-from-slot1

step hello-into-slot0
download hello-v1.0.0.bin
reset_board
wait_gone || fail hello-into-slot0 "device still on the bus after reset"
sleep 3
# no revert in ram-load: hello_world runs again after this reset
reset_board
sleep 3
pass hello-into-slot0
