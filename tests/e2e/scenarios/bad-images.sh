# Guest side of bad-images.sh: every bad image is refused by the device.
# shellcheck shell=sh
. /lib-guest.sh
set -u
attach_board || fail bad-images "board not attachable"
dfu-util --detach >/dev/null 2>&1 || fail bad-images "detach"
wait_gone && attach_board >/dev/null || fail bad-images "no DFU mode"
for f in unsigned wrongkey tampered truncated padded-wrongkey; do
	step "refuse-$f"
	dfu-util --alt 1 --download "/data/$f.bin" >/tmp/$f.out 2>&1
	rc=$?
	cat /tmp/$f.out
	expect_grep 'status\(2\) = File is for this device but fails' /tmp/$f.out ||
		fail "refuse-$f" "not refused with errFILE"
	# A truncated image can only be judged after its last block, during
	# manifestation, where dfu-util 0.11 reports the error but exits 0.
	if [ "$f" != truncated ] && [ $rc -eq 0 ]; then
		fail "refuse-$f" "dfu-util exited 0"
	fi
	pass "refuse-$f (dfu-util exit status $rc)"
done
step old-image-boots
echo "DFUKIT-RESET-BOARD"
sleep 1
attach_board "" 60 >/dev/null || fail old-image-boots "DFU sample did not come back"
dfu-util -l | tee /tmp/list.out
expect_grep 'Found Runtime: \[2fe3:0005\]' /tmp/list.out || fail old-image-boots "not the DFU sample"
pass old-image-boots
# On the emulated board (bad-images.sh --emulate): the host writes a bad image
# with a test request into slot 1 behind the sample's back; after a reset the
# bootloader must refuse it and boot the DFU sample.
if [ -n "${DFUKIT_GUEST_PLANT_SLOT1:-}" ]; then
	step bootloader-refuses
	echo "DFUKIT-HOST plant-slot1"
	echo "DFUKIT-RESET-BOARD"
	wait_gone "" 30 || fail bootloader-refuses "still on the bus after the reset"
	attach_board "" 60 >/dev/null || fail bootloader-refuses "DFU sample did not come back"
	dfu-util -l | tee /tmp/list2.out
	expect_grep 'Found Runtime: \[2fe3:0005\]' /tmp/list2.out ||
		fail bootloader-refuses "not the DFU sample"
	pass bootloader-refuses
fi
