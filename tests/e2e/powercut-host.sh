#!/usr/bin/env bash
# Host side of the emulated board's power-cut test (powercut.sh, with-board.sh
# --host-relay): the guest has downloaded hello_world into SLOT-1 with
# dfu-util and prints "DFUKIT-HOST swap-cuts ROUND"; this powers the board on
# again and again, each time cutting the power somewhere in the swap, until the
# DFU sample is back (test swap, hello_world, revert swap), then returns.
#
#   powercut-host.sh swap-cuts ROUND
#
# The plan, one power-on per entry (DFUKIT_E2E_POWERCUT_PLAN, words):
#   op:N:T     dfukit-emu cuts the power at the bootloader's flash operation N
#              (counted from this power-on), torn as flash_sim tear T (0 prefix,
#              1 nothing, 2 bits): DFUKIT_EMU_POWER_CUT_FILE, one power-on only
#   op:rand    the same with N in 1..DFUKIT_E2E_POWERCUT_MAX_OP (default 40), T random
#   time:MS    power on, and MS ms later SIGKILL the emulator (dfukit-emu, QEMU
#              with it), as a reset does; time:rand picks MS in 0..600; where
#              it landed is reported (the swap itself takes a few ms, so it
#              rarely lands inside it: the op: entries are what reach every
#              part of the swap); only while the test swap is on
#              (a DFU sample killed just after the revert could race the guest)
# After the plan the board is powered on without a cut until the DFU sample
# boots. Every power-on must end in a power cut that was asked for, a timed
# kill, hello_world or the DFU sample: anything else (a fault, a halt, "Unable
# to find bootable image", nothing within 60 s) fails. A power-on after a cut
# in the middle of a swap must go on with it (resume it from the primary
# trailer, "Boot source: primary slot", or begin it again if the cut came
# before its state was written). Each phase (test swap, revert) must have had
# at least one resume, else the test checked nothing there and fails.
# Random choices use DFUKIT_E2E_POWERCUT_SEED (default: the round number), printed.
set -euo pipefail
if (($# != 2)) || [ "$1" != swap-cuts ]; then
	echo "usage: $0 swap-cuts ROUND" >&2
	exit 2
fi
round=$2
: "${DFUKIT_WB_CONSOLE:?} ${DFUKIT_WB_FLASH:?} ${DFUKIT_WB_DFUKIT:?} ${DFUKIT_EMU_POWER_CUT_FILE:?}"
console=$DFUKIT_WB_CONSOLE
plan=${DFUKIT_E2E_POWERCUT_PLAN:-op:10:1 time:rand op:150:2 op:3:0 op:90:0 op:60:2 op:120:1 op:50:0 op:30:2}
max_op=${DFUKIT_E2E_POWERCUT_MAX_OP:-40}
RANDOM=$((${DFUKIT_E2E_POWERCUT_SEED:-$round} + round * 7919))
say() { echo "powercut[$round]: $*"; }
die() { echo "powercut[$round]: FAIL: $*" >&2; exit 1; }
say "plan: $plan (seed ${DFUKIT_E2E_POWERCUT_SEED:-$round})"

mark=0       # console lines before this power-on
phase="test"  # test (swap to hello_world), revert (back to the DFU sample), over
landed_test=0 landed_revert=0 hello_seen=0
resumed_test=0 resumed_revert=0 kills_in_swap=0
cut_mid_swap=0 # the previous power-on was cut inside a swap: this one must resume

# The console of this power-on so far (lines after the mark).
section() { tail -n +$((mark + 1)) "$console"; }
power_on() {
	mark=$(wc -l <"$console")
	"$DFUKIT_WB_DFUKIT" board reset --flash "$DFUKIT_WB_FLASH" >/dev/null ||
		die "dfukit board reset failed"
}
# wait_for ERE [SECONDS]: until a line of this power-on matches; 1 on timeout.
wait_for() {
	local i
	for ((i = 0; i < ${2:-60} * 20; i++)); do
		section | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	return 1
}
# What no power-on may end in, unless it is the cut that was asked for.
bricked='firmware stopped|Unable to find bootable image|panic!'
# outcome: wait for this power-on's end; prints cut, hello or sample.
outcome() {
	wait_for "$bricked|Hello World! |USB DFU sample is initialized" 60 ||
		die "power-on $n: no outcome within 60 s (bricked?)"
	sleep 0.2 # the rest of the line(s), e.g. the board's own "firmware stopped"
	if section | grep -q 'firmware stopped: power cut (exit status 67)'; then
		echo cut
	elif section | grep -Eq "$bricked"; then
		section >&2
		die "power-on $n ended badly: $(section | grep -E "$bricked" | head -1)"
	elif section | grep -q 'Hello World! '; then
		echo hello
	else
		echo sample
	fi
}
# check_resume: if the previous power-on was cut inside a swap, this one went on
# with it before booting anything: resumed it from the primary trailer ("Boot
# source: primary slot"), or, if the cut came before the swap's state was
# written, began it again from the request in slot 1.
check_resume() {
	if ((cut_mid_swap)); then
		section | grep -q 'Starting swap using move algorithm.' ||
			die "power-on $n: no swap after the one cut before"
		if section | grep -q 'Boot source: primary slot'; then
			if [ "$phase" = test ]; then resumed_test=$((resumed_test + 1)); else resumed_revert=$((resumed_revert + 1)); fi
			say "power-on $n: resumed the $phase swap from the primary trailer"
		else
			say "power-on $n: began the $phase swap again (the cut came before its state)"
		fi
	fi
	cut_mid_swap=0
}
# after a boot into hello_world or the DFU sample: the phase moves on.
booted() {
	case $1 in
	hello)
		[ "$phase" = test ] || die "power-on $n: hello_world booted again after the revert began"
		hello_seen=1 phase=revert ;;
	sample)
		# Before hello_world ran: allowed only as the native power-cut test allows
		# it (the swap's last write, copy_done, torn bit by bit, reads as unset).
		((hello_seen)) || say "power-on $n: the DFU sample booted before hello_world (early revert)"
		phase=over ;;
	esac
}
land() {
	# a cut inside a swap: "Starting swap" on this power-on before the cut
	if section | grep -q 'Starting swap using move algorithm.'; then
		cut_mid_swap=1
		if [ "$phase" = test ]; then landed_test=$((landed_test + 1)); else landed_revert=$((landed_revert + 1)); fi
		say "power-on $n: $1 landed inside the $phase swap"
	else
		say "power-on $n: $1 landed before the swap started"
	fi
}

# kill_after MS: MS ms after this power-on, SIGKILL the firmware (dfukit-emu;
# QEMU dies with it), as the board's reset does: the power goes and stays off
# until the next power_on. (The swap itself takes only a few ms here, ECDSA
# validation of the images some 100 ms: where the kill lands is reported.)
kill_after() {
	python3 - "$1" "$DFUKIT_WB_BOARD_PID" <<'PY' || die "power-on $n: no timed kill"
import os, signal, sys, time
ms, hub = int(sys.argv[1]), sys.argv[2]
time.sleep(ms / 1000)
kids = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/stat") as st:
            fields = st.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):  # gone meanwhile
        continue
    if fields[1] == hub:
        kids.append(int(pid))
if len(kids) != 1:
    sys.exit(f"powercut: the board {hub} has {len(kids)} firmware processes, want 1")
os.kill(kids[0], signal.SIGKILL)
PY
}

n=0
for entry in $plan; do
	[ "$phase" != over ] || { say "plan entry $entry skipped: the DFU sample is back"; continue; }
	n=$((n + 1))
	case $entry in
	op:*)
		IFS=: read -r _ op tear <<<"$entry"
		if [ "$op" = rand ]; then op=$((RANDOM % max_op + 1)) tear=$((RANDOM % 3)); fi
		[[ $op =~ ^[0-9]+$ && ${tear:-} =~ ^[0-2]$ ]] || die "bad plan entry '$entry' (op:N:T)"
		echo "op:$op:$tear" >"$DFUKIT_EMU_POWER_CUT_FILE"
		power_on
		wait_for 'power cut armed: flash operation' 30 || die "power-on $n: dfukit-emu armed no cut"
		[ ! -e "$DFUKIT_EMU_POWER_CUT_FILE" ] || die "power-on $n: the cut file was not taken"
		result=$(outcome)
		check_resume
		case $result in
		cut) land "a cut at flash operation $op (tear $tear)" ;;
		*) say "power-on $n: the swap ended before flash operation $op: $result booted"; booted "$result" ;;
		esac
		;;
	time:*)
		ms=${entry#time:}
		if [ "$ms" = rand ]; then ms=$((RANDOM % 601)); fi
		[[ $ms =~ ^[0-9]+$ ]] || die "bad plan entry '$entry' (time:MS)"
		if [ "$phase" != test ]; then
			n=$((n - 1))
			say "plan entry time:$ms skipped: the test swap is over"
			continue
		fi
		power_on
		kill_after "$ms"
		wait_for 'firmware stopped \(signal 9\)' 10 || die "power-on $n: the kill did not stop the firmware"
		check_resume
		if section | grep -v 'firmware stopped (signal 9)' | grep -Eq "$bricked"; then
			die "power-on $n ended badly: $(section | grep -E "$bricked" | head -1)"
		elif section | grep -q 'Jumping to the first image slot'; then
			say "power-on $n: a kill $ms ms after power-on came after the jump"
			# the image is booting: which one decides the phase
			wait_for 'Hello World! |USB DFU sample is initialized' 10 ||
				die "power-on $n: nothing booted after the jump"
			booted "$(section | grep -q 'Hello World! ' && echo hello || echo sample)"
		elif section | grep -q 'Starting swap using move algorithm.'; then
			# in the swap or in the validation after it: the next power-on may
			# find the swap done, so no resume is required
			kills_in_swap=$((kills_in_swap + 1))
			say "power-on $n: a kill $ms ms after power-on landed in the $phase swap (or its validation)"
		elif section | grep -q 'Starting bootloader'; then
			say "power-on $n: a kill $ms ms after power-on landed in the bootloader before the swap"
		else
			say "power-on $n: a kill $ms ms after power-on landed before the bootloader spoke"
		fi
		;;
	*) die "unknown plan entry '$entry'" ;;
	esac
done

# No more cuts: power on until the DFU sample is back (at most: finish the
# test swap into hello_world, then the revert).
for _ in 1 2 3; do
	[ "$phase" != over ] || break
	n=$((n + 1))
	power_on
	result=$(outcome)
	check_resume
	[ "$result" != cut ] || die "power-on $n: a power cut nobody asked for"
	say "power-on $n (no cut): $result booted"
	booted "$result"
done
[ "$phase" = over ] || die "the DFU sample did not come back after $n power-ons"
say "test swap: $landed_test cuts inside it, $resumed_test resumes; revert swap: $landed_revert cuts inside it, $resumed_revert resumes; $kills_in_swap timed kills after a swap began"
((resumed_test > 0)) || die "no cut inside the test swap was resumed from its trailer: nothing was checked there"
((resumed_revert > 0 || !hello_seen)) ||
	die "no cut inside the revert swap was resumed from its trailer: nothing was checked there"
say "all $n power-ons ended on a valid image; the DFU sample is back"
