# Guest side of encrypted.sh tampered: the tampered encrypted image is refused
# by the device (errFILE), and after a reset the DFU sample still runs.
# shellcheck shell=sh
. /lib-guest.sh
set -u
attach_board || fail encrypted-tampered "board not attachable"
dfu-util --detach >/dev/null 2>&1 || fail encrypted-tampered "detach"
wait_gone && attach_board >/dev/null || fail encrypted-tampered "no DFU mode"
dfu-util --alt 1 --download /data/image.bin >/tmp/dn.out 2>&1
rc=$?
cat /tmp/dn.out
expect_grep 'status\(2\) = File is for this device but fails' /tmp/dn.out ||
	fail encrypted-tampered "not refused with errFILE"
[ $rc -ne 0 ] || fail encrypted-tampered "dfu-util exited 0"
echo "DFUKIT-RESET-BOARD"
sleep 1
attach_board "" 60 >/dev/null || fail encrypted-tampered "DFU sample did not come back"
dfu-util -l | tee /tmp/list.out
expect_grep 'Found Runtime: \[2fe3:0005\]' /tmp/list.out || fail encrypted-tampered "not the DFU sample"
pass encrypted-tampered
