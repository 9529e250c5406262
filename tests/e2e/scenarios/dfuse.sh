# DfuSe (DFUKIT_DFUSE=1) on nucleo_u575zi_q with the real dfu-util: SLOT-1 at its bus
# address 0x080F8000, refusals with their DfuSe statuses, download + upload compare,
# and `:leave`, after which the board resets by itself and MCUboot test-boots the image.
# shellcheck shell=sh
. /lib-guest.sh
set -u
ADDR=0x080F8000
REGION=950272 # 116 pages of 8 KiB
IMG=/data/hello_world.signed.bin
SIZE=$(wc -c <"$IMG")

step runtime
attach_board || fail runtime "board not attachable"
run list dfu-util -l || fail runtime "dfu-util -l failed"
expect_grep 'Found Runtime: \[2fe3:0005\]' /tmp/list.out || fail runtime "no run-time interface"
lsusb -v -d 2fe3:0005 >/tmp/lsusb.out 2>&1
expect_grep 'bcdDFUVersion +1\.1a' /tmp/lsusb.out || fail runtime "bcdDFUVersion is not DfuSe's 1.1a"
pass runtime

step detach
run detach dfu-util --detach || fail detach "dfu-util --detach failed"
wait_gone || fail detach "device did not leave the bus"
attach_board || fail detach "device did not come back"
run list dfu-util -l || fail detach "dfu-util -l failed"
expect_grep 'Found DFU: \[2fe3:0005\].*alt=0, name="@SLOT-1 /0x080F8000/116\*008Kg"' /tmp/list.out ||
	fail detach "no DfuSe SLOT-1 alternate"
pass detach

step refusals
# Read unprotect is refused with errTARGET.
if run unprotect dfu-util -a 0 -s :unprotect:force -D "$IMG"; then
	fail refusals "read unprotect accepted"
fi
expect_grep 'status\(1\)' /tmp/unprotect.out || fail refusals "read unprotect not refused with errTARGET"
# An address outside the exposed region (the bootloader's) is refused with errADDRESS.
if run outside dfu-util -a 0 -s 0x08000000:force -D "$IMG"; then
	fail refusals "a download outside SLOT-1 was accepted"
fi
expect_grep 'status\(8\)' /tmp/outside.out || fail refusals "not refused with errADDRESS"
pass refusals

step download
# "Mass erase" erases the exposed region only (the DFU sample keeps running).
run dn dfu-util -a 0 -s "$ADDR:mass-erase:force" -D "$IMG" || fail download "download failed"
pass download

step upload
rm -f /tmp/back.bin /tmp/region.bin
run up dfu-util -a 0 -s "$ADDR:$SIZE" -U /tmp/back.bin || fail upload "upload failed"
cmp "$IMG" /tmp/back.bin || fail upload "uploaded image differs"
run up-region dfu-util -a 0 -s "$ADDR" -U /tmp/region.bin || fail upload "region upload failed"
[ "$(wc -c </tmp/region.bin)" -eq "$REGION" ] || fail upload "region upload is $(wc -c </tmp/region.bin) bytes, want $REGION"
head -c "$SIZE" /tmp/region.bin | cmp - "$IMG" || fail upload "region does not start with the image"
rest=$(tail -c +$((SIZE + 1)) /tmp/region.bin | tr -d '\377' | wc -c)
[ "$rest" -eq 0 ] || fail upload "$rest bytes after the image are not erased"
pass upload

step leave
run leave dfu-util -a 0 -s "$ADDR:leave" -D "$IMG" || fail leave "download with :leave failed"
# The board resets by itself: MCUboot swaps and test-boots hello_world (no USB).
wait_gone || fail leave "device still on the bus after leave"
sleep 3
pass leave

step revert
printf '\n(pressing the board'"'"'s reset button)\n'
echo "DFUKIT-RESET-BOARD"
sleep 1
attach_board "" 60 >/dev/null || fail revert "DFU sample did not come back after the revert"
run list dfu-util -l || fail revert "dfu-util -l failed"
expect_grep 'Found Runtime: \[2fe3:0005\]' /tmp/list.out || fail revert "not in run-time mode"
pass revert
