# Guest side of fleet.sh: a CI runner updating a fleet of boards behind one
# USB/IP server. Attach 1-1..1-N, tell them apart by serial number, put each
# into DFU mode, download a different signed image to each board's SLOT-1 with
# N dfu-util processes in parallel (-S SERIAL), then press each board's reset
# button (DFUKIT-RESET-BOARD <i>, acted on by the host). The host checks that
# every board boots its own image.
# shellcheck shell=sh
. /lib-guest.sh
set -u
N=${DFUKIT_GUEST_FLEET_COUNT:-4}
XFER=${DFUKIT_GUEST_TRANSFER_SIZE:-}
T=${XFER:+--transfer-size $XFER}

step attach
i=1
while [ "$i" -le "$N" ]; do
	attach_board "1-$i" || fail attach "1-$i not attachable"
	s=$(cat "$BOARD_SYSFS/serial" 2>/dev/null)
	[ -n "$s" ] || fail attach "1-$i has no serial number"
	for j in $(seq 1 $((i - 1))); do
		eval "[ \"\$SERIAL_$j\" != \"$s\" ]" || fail attach "1-$i has the serial of 1-$j: $s"
	done
	eval "SERIAL_$i=$s; SYSFS_$i=$BOARD_SYSFS"
	note "board 1-$i: serial $s"
	i=$((i + 1))
done
pass attach

step devlist
run devlist usbip_cmd list -r "$USBIP_HOST" || fail devlist "usbip list -r failed"
i=1
while [ "$i" -le "$N" ]; do
	expect_grep "^ +1-$i: " /tmp/devlist.out || fail devlist "1-$i not listed"
	i=$((i + 1))
done
pass devlist

step detach
i=1
while [ "$i" -le "$N" ]; do
	eval "s=\$SERIAL_$i; BOARD_SYSFS=\$SYSFS_$i"
	run "detach-$i" dfu-util -S "$s" --detach || fail detach "dfu-util -S $s --detach (1-$i)"
	wait_gone "1-$i" || fail detach "1-$i did not leave the bus"
	attach_board "1-$i" >/dev/null || fail detach "1-$i did not come back in DFU mode"
	eval "SYSFS_$i=$BOARD_SYSFS"
	i=$((i + 1))
done
dfu-util -l | tee /tmp/list.out
i=1
while [ "$i" -le "$N" ]; do
	eval "s=\$SERIAL_$i"
	expect_grep "Found DFU: .*alt=1, name=\"SLOT-1\", serial=\"$s\"" /tmp/list.out ||
		fail detach "1-$i ($s) not in DFU mode"
	i=$((i + 1))
done
pass detach

step parallel-download
i=1
while [ "$i" -le "$N" ]; do
	eval "s=\$SERIAL_$i"
	# shellcheck disable=SC2086 # $T is empty or two words on purpose
	dfu-util -S "$s" --alt 1 --download "/data/fleet-1.0.$i.bin" $T >"/tmp/dl-$i.out" 2>&1 &
	eval "PID_$i=$!"
	i=$((i + 1))
done
bad=
p=
i=1
while [ "$i" -le "$N" ]; do
	eval "p=\$PID_$i"
	wait "$p"
	rc=$?
	echo "---- dfu-util for 1-$i (exit status $rc) ----"
	cat "/tmp/dl-$i.out"
	if [ $rc -ne 0 ] || ! grep -q 'Download done' "/tmp/dl-$i.out"; then
		bad="$bad 1-$i"
	fi
	i=$((i + 1))
done
[ -z "$bad" ] || fail parallel-download "failed on:$bad"
pass parallel-download

step reset
i=1
while [ "$i" -le "$N" ]; do
	eval "BOARD_SYSFS=\$SYSFS_$i"
	echo "DFUKIT-RESET-BOARD $i"
	wait_gone "1-$i" || fail reset "1-$i still on the bus after its reset"
	i=$((i + 1))
done
# hello_world has no USB: every board is off the bus now; the host reads the consoles.
sleep 2
i=1
while [ "$i" -le "$N" ]; do
	[ -z "$(board_port "1-$i")" ] || fail reset "1-$i came back on USB"
	i=$((i + 1))
done
pass reset
