#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# board-test.sh CASE DFUKIT FIRMWARE_DIR SOURCE_DIR
#
# The virtual board's refusals, through the real `dfukit board` and the real
# firmware: every case fails (exit 1, with the board's output) unless the board
# behaves as the case says. USB/IP listens on 127.0.0.1 only, on a random port
# (another one is tried when it is taken).
set -euo pipefail

case_name=$1
dfukit=$2
fw=$3
src=$4

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-board-test.XXXXXX")
board_pid=""
port=0

cleanup() {
	local pid=$board_pid
	board_pid=""
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		set +e
		wait "$pid" 2>/dev/null
		set -e
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "board-test $case_name: FAIL: $*" >&2
	local f
	for f in "$tmp"/*.log; do
		[ -e "$f" ] || continue
		echo "---- $(basename "$f")" >&2
		cat "$f" >&2
	done
	exit 1
}

# A port the kernel says is free now (a random one collided with the e2e
# tests' ephemeral ports in CI).
pick_port() {
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
}

# wait_log FILE PATTERN SECONDS: until FILE has a line with the fixed string PATTERN.
wait_log() {
	local file=$1 pattern=$2 i
	for ((i = 0; i < $3 * 20; i++)); do
		if grep -q -F -- "$pattern" "$file"; then
			return 0
		fi
		if [ -n "$board_pid" ] && ! kill -0 "$board_pid" 2>/dev/null; then
			grep -q -F -- "$pattern" "$file"
			return
		fi
		sleep 0.05
	done
	return 1
}

# start_board LOG ARGS...: `dfukit board run ARGS` in the background, up and listening.
start_board() {
	local log=$1 try
	shift
	for try in 1 2 3 4 5; do
		pick_port
		"$dfukit" board run --listen "127.0.0.1:$port" --firmware-dir "$fw" "$@" >"$log" 2>&1 &
		board_pid=$!
		if wait_log "$log" "[board] reset:" 20; then
			return 0
		fi
		if kill -0 "$board_pid" 2>/dev/null; then
			fail "the board did not come up in 20 s"
		fi
		local rc=0
		wait "$board_pid" || rc=$?
		board_pid=""
		if ! grep -q -F "cannot listen" "$log"; then
			fail "the board did not start (exit status $rc)"
		fi
	done
	fail "no free port found"
}

# stop_board: SIGTERM, as `dfukit board stop` sends; the board must exit 0.
stop_board() {
	local pid=$board_pid rc=0
	board_pid=""
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "the board exited with status $rc on SIGTERM"
}

# refused LOG PATTERN ARGS...: `dfukit board run ARGS` must fail and say PATTERN
# (on a random port unless $listen_port is set).
listen_port=""
refused() {
	local log=$1 pattern=$2 rc try
	shift 2
	for try in 1 2 3 4 5; do
		rc=0
		pick_port
		timeout 30 "$dfukit" board run --listen "127.0.0.1:${listen_port:-$port}" --firmware-dir "$fw" \
			"$@" >"$log" 2>&1 || rc=$?
		# Someone took the port meanwhile: not the refusal under test, try another.
		[ -z "$listen_port" ] && grep -q -F "cannot listen" "$log" || break
	done
	[ "$rc" != 0 ] || fail "board run $* was not refused"
	[ "$rc" != 124 ] || fail "board run $* ran (killed by timeout) instead of being refused"
	grep -q -F -- "$pattern" "$log" || fail "board run $* was refused without saying '$pattern'"
}

flash_size=$((1024 * 1024)) # reel_board
trailer=64

case_flash_foreign() {
	# A signed image passed to --flash by mistake: refused, named --image, untouched.
	cp "$fw/hello_world.signed.bin" "$tmp/zephyr.signed.bin"
	refused "$tmp/image.log" "--image" --flash "$tmp/zephyr.signed.bin"
	grep -q -F "is not a dfukit flash file" "$tmp/image.log" || fail "no reason given"
	cmp -s "$fw/hello_world.signed.bin" "$tmp/zephyr.signed.bin" ||
		fail "the image passed as --flash was changed"
	[ ! -e "$tmp/zephyr.signed.bin.pid" ] || fail "a pid file was left behind"

	# A file of the right size plus trailer room but without the marker.
	head -c $((flash_size + trailer)) /dev/zero >"$tmp/zero.flash"
	refused "$tmp/zero.log" "--image" --flash "$tmp/zero.flash"
	grep -q -F "no dfukit flash marker" "$tmp/zero.log" || fail "no marker reason given"
	[ "$(stat -c %s "$tmp/zero.flash")" = $((flash_size + trailer)) ] || fail "zero.flash changed size"
	if tr -d '\0' <"$tmp/zero.flash" | grep -q .; then fail "zero.flash was written"; fi

	# Larger than any reel_board flash file (e.g. a nucleo_u575zi_q one, or a disk image).
	head -c $((2 * flash_size)) /dev/zero >"$tmp/big.flash"
	refused "$tmp/big.log" "--image" --flash "$tmp/big.flash"
	[ "$(stat -c %s "$tmp/big.flash")" = $((2 * flash_size)) ] || fail "big.flash changed size"

	# A marked file of the right size whose marker records another flash geometry.
	head -c $flash_size /dev/zero | tr '\0' '\377' >"$tmp/other.flash"
	printf 'DFUKIT-FLASH\n\0\0\0\001\0\0\0\0\0\040\0\004\0\0\0\0\001\0\0\377\0\0\0' \
		>>"$tmp/other.flash"
	head -c $((trailer - 36)) /dev/zero >>"$tmp/other.flash"
	cp "$tmp/other.flash" "$tmp/other.orig"
	refused "$tmp/other.log" "another flash" --flash "$tmp/other.flash"
	cmp -s "$tmp/other.orig" "$tmp/other.flash" || fail "other.flash was changed"

	# A dfukit 0.1 flash file (exactly the flash size, no marker) still works and is adopted.
	head -c $flash_size /dev/zero | tr '\0' '\377' >"$tmp/old.flash"
	start_board "$tmp/old.log" --flash "$tmp/old.flash"
	wait_log "$tmp/old.log" "*** Booting" 20 || fail "the board did not boot an old flash file"
	stop_board
	[ "$(stat -c %s "$tmp/old.flash")" = $((flash_size + trailer)) ] ||
		fail "the old flash file was not given its marker"
	tail -c $trailer "$tmp/old.flash" | head -c 13 | grep -q -F "DFUKIT-FLASH" ||
		fail "no marker at the end of the adopted file"
}

case_lock() {
	# A second board on the same flash is refused, and leaves the first alone.
	start_board "$tmp/a.log" --flash "$tmp/a.flash"
	local a_pid=$board_pid
	cp "$tmp/a.flash.pid" "$tmp/a.pid.orig"
	refused "$tmp/b.log" "another board is running on flash" --flash "$tmp/a.flash"
	grep -q -F "(pid $a_pid)" "$tmp/b.log" || fail "the refusal does not name the running board"
	kill -0 "$a_pid" || fail "the first board died"
	cmp -s "$tmp/a.pid.orig" "$tmp/a.flash.pid" || fail "the second board touched the pid file"
	# The same flash through another path (a symlink) is the same flash.
	ln -s "$tmp/a.flash" "$tmp/link.flash"
	refused "$tmp/c.log" "another board is running on flash" --flash "$tmp/link.flash"
	stop_board
	# Once the first board is off, the flash is free again.
	start_board "$tmp/d.log" --flash "$tmp/a.flash"
	stop_board
}

case_stale_pid() {
	local flash="$tmp/s.flash" decoy rc
	start_board "$tmp/s1.log" --flash "$flash"
	local s_pid=$board_pid
	# A pid file naming a live process that is not this board: reset is refused.
	sleep 300 &
	decoy=$!
	printf '%d 1\n%s\n' "$decoy" "$flash" >"$flash.pid"
	rc=0
	"$dfukit" board reset --flash "$flash" >"$tmp/r1.log" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "reset signalled pid $decoy, which is not the board"
	grep -q -F "nothing signalled" "$tmp/r1.log" || fail "reset: no reason given"
	kill -0 "$decoy" || fail "reset killed a process that is not the board"
	# The right pid file works.
	printf '%d 1\n%s\n' "$s_pid" "$flash" >"$flash.pid"
	"$dfukit" board reset --flash "$flash" >"$tmp/r2.log" 2>&1 || fail "reset of the running board failed"
	wait_log "$tmp/s1.log" "[board] reset" 10 || fail "the board was not reset"
	# kill -9: the pid file stays behind; its pid may be reused by anything.
	board_pid=""
	kill -9 "$s_pid"
	set +e
	wait "$s_pid" 2>/dev/null
	set -e
	[ -e "$flash.pid" ] || fail "no pid file left by kill -9 (the test needs one)"
	printf '%d 1\n%s\n' "$decoy" "$flash" >"$flash.pid"
	for cmd in reset stop; do
		rc=0
		"$dfukit" board "$cmd" --flash "$flash" >"$tmp/$cmd.log" 2>&1 || rc=$?
		[ "$rc" != 0 ] || fail "$cmd after kill -9 signalled pid $decoy"
		grep -q -F "is stale" "$tmp/$cmd.log" || fail "$cmd: the stale pid file is not named"
		kill -0 "$decoy" || fail "$cmd after kill -9 killed an unrelated process"
	done
	# --pid-file alone, a pid file of an older board (no flash line): its program is checked.
	printf '%d 1\n' "$decoy" >"$tmp/old.pid"
	rc=0
	"$dfukit" board stop --pid-file "$tmp/old.pid" >"$tmp/old-stop.log" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "stop --pid-file signalled pid $decoy"
	kill -0 "$decoy" || fail "stop --pid-file killed an unrelated process"
	kill "$decoy"
	set +e
	wait "$decoy" 2>/dev/null
	set -e
	# A new board on that flash replaces the stale pid file, and stop works.
	start_board "$tmp/s2.log" --flash "$flash"
	"$dfukit" board stop --flash "$flash" >"$tmp/stop2.log" 2>&1 || fail "stop of the running board failed"
	local pid=$board_pid rc2=0
	board_pid=""
	wait "$pid" || rc2=$?
	[ "$rc2" = 0 ] || fail "the board exited with $rc2 on stop"
	[ ! -e "$flash.pid" ] || fail "the pid file was left after stop"
}

# no_new_files DIR LISTING: DIR holds exactly what LISTING (an `ls -A` output) held.
no_new_files() {
	local now
	now=$(ls -A "$1")
	[ "$now" = "$2" ] || fail "a failed start left files behind: $(comm -13 <(echo "$2") <(echo "$now") | tr '\n' ' ')"
}

case_failed_start() {
	local before
	# The listen address is taken: refused before any flash file exists.
	start_board "$tmp/a.log" --flash "$tmp/a.flash"
	before=$(ls -A "$tmp")
	listen_port=$port
	refused "$tmp/busy.log" "cannot listen" --flash "$tmp/new.flash"
	refused "$tmp/busy-fleet.log" "cannot listen" --count 3 --flash "$tmp/fleet.flash"
	listen_port=""
	rm "$tmp/busy.log" "$tmp/busy-fleet.log"
	no_new_files "$tmp" "$before"
	stop_board
	# A fleet whose second flash is in use: the first one, created by this start, goes again.
	start_board "$tmp/f2.log" --flash "$tmp/fleet-2.flash"
	before=$(ls -A "$tmp")
	refused "$tmp/locked.log" "another board is running on flash" --count 3 --flash "$tmp/fleet.flash"
	rm "$tmp/locked.log"
	no_new_files "$tmp" "$before"
	stop_board
	# Programming fails (no such image): the new flash file goes, an existing one stays.
	before=$(ls -A "$tmp")
	refused "$tmp/noimg.log" "missing.bin" --image "$tmp/missing.bin" --flash "$tmp/new.flash"
	rm "$tmp/noimg.log"
	no_new_files "$tmp" "$before"
	cp "$tmp/a.flash" "$tmp/a.orig"
	refused "$tmp/noimg2.log" "missing.bin" --image "$tmp/missing.bin" --flash "$tmp/a.flash"
	cmp -s "$tmp/a.orig" "$tmp/a.flash" || fail "a failed start changed an existing flash file"
	[ ! -e "$tmp/a.flash.pid" ] || fail "a failed start left a pid file"
}

# is_erased FILE OFFSET LEN: LEN bytes at OFFSET of FILE are all 0xFF.
is_erased() {
	cmp -s <(tail -c +$(($2 + 1)) "$1" | head -c "$3") <(head -c "$3" /dev/zero | tr '\0' '\377')
}

case_powercut_swap() {
	# A power cut (the board killed with kill -9) between the swap's erase of
	# slot 0's first sector and its programming: the next start must not
	# factory-program the board, and the bootloader must finish the swap.
	local flash="$tmp/p.flash" slot0=$((0xc000)) slot1=$((0x82000)) sector=4096
	start_board "$tmp/p1.log" --flash "$flash"
	grep -q -F "[board] programmed" "$tmp/p1.log" || fail "a new flash file was not factory-programmed"
	wait_log "$tmp/p1.log" "USB DFU sample is initialized" 20 || fail "the DFU sample did not start"
	stop_board
	# An upgrade to hello_world waits in slot 1 (as after dfu-util --alt 1 --download).
	"$dfukit" image sign --key "$src/keys/dfukit-dev-rsa-2048.pem" --header-size 0x200 \
		--pad-header --align 4 --slot-size 0x76000 --version 1.0.0 --pad \
		"$fw/hello_world.bin" "$tmp/hello.signed.bin" >"$tmp/sign.log" 2>&1 || fail "signing failed"
	dd if="$tmp/hello.signed.bin" of="$flash" bs=4096 seek=$((slot1 / 4096)) conv=notrunc \
		status=none
	DFUKIT_POWER_CUT=erase:$slot0 start_board "$tmp/p2.log" --flash "$flash"
	wait_log "$tmp/p2.log" "I: Power is off" 30 || fail "the power cut did not happen"
	grep -q -F "Starting swap using move" "$tmp/p2.log" || fail "no swap was started before the cut"
	local pid=$board_pid
	board_pid=""
	kill -9 "$pid"
	set +e
	wait "$pid" 2>/dev/null
	set -e
	is_erased "$flash" $slot0 $sector || fail "slot 0's first sector is not erased after the cut"
	! is_erased "$flash" $((slot0 + sector)) $sector || fail "the cut left no swap in progress"
	# Next start: no factory programming; the swap resumes and the new image boots.
	start_board "$tmp/p3.log" --flash "$flash"
	wait_log "$tmp/p3.log" "Hello World!" 30 || fail "the swap's new image (hello_world) did not boot"
	if grep -q -F "[board] programmed" "$tmp/p3.log"; then
		fail "the board was factory-programmed over a swap in progress"
	fi
	stop_board
	# An existing flash file whose flash is all erased is a blank board: programmed.
	head -c $((0x100000)) /dev/zero | tr '\0' '\377' >"$tmp/e.flash"
	start_board "$tmp/e.log" --flash "$tmp/e.flash"
	grep -q -F "[board] programmed" "$tmp/e.log" || fail "an erased flash file was not factory-programmed"
	stop_board
}

# sign_enc OUT [OPTION...]: hello_world signed and encrypted (imgtool -E) for the
# board's default DFUKIT_ENC_KEY, with a test request in its trailer (--pad).
sign_enc() {
	local out=$1
	shift
	"$dfukit" image sign --key "$src/keys/dfukit-dev-rsa-2048.pem" \
		-E "$src/tests/fixtures/mcuboot/encrypted/keys/enc-rsa-2048.pub.pem" \
		--header-size 0x200 --pad-header --align 4 --slot-size 0x76000 --version 1.0.0 "$@" \
		"$fw/hello_world.bin" "$out" >"$tmp/sign.log" 2>&1 || fail "signing failed"
}

# A factory-programmed board, stopped, with FILE planted in slot 1.
plant_enc() {
	local flash=$1 file=$2
	start_board "$tmp/f.log" --flash "$flash"
	wait_log "$tmp/f.log" "USB DFU sample is initialized" 20 || fail "the DFU sample did not start"
	stop_board
	dd if="$file" of="$flash" bs=4096 seek=$((0x82000 / 4096)) conv=notrunc status=none
}

case_encrypted_swap() {
	# An encrypted update in slot 1: a power cut at the swap's first erase of
	# slot 0, the swap resumed with the AES keys kept in the trailer, the
	# update decrypted into slot 0 runs; the reset reverts, and slot 1 holds
	# the update again byte for byte as it was downloaded.
	local flash="$tmp/e.flash" slot1=$((0x82000))
	sign_enc "$tmp/hello.enc.bin" --pad
	sign_enc "$tmp/hello.enc.unpadded.bin"
	local len
	len=$(stat -c %s "$tmp/hello.enc.unpadded.bin")
	plant_enc "$flash" "$tmp/hello.enc.bin"
	DFUKIT_POWER_CUT=erase:$((0xc000)) start_board "$tmp/p2.log" --flash "$flash"
	wait_log "$tmp/p2.log" "I: Power is off" 30 || fail "the power cut did not happen"
	local pid=$board_pid
	board_pid=""
	kill -9 "$pid"
	set +e
	wait "$pid" 2>/dev/null
	set -e
	start_board "$tmp/p3.log" --flash "$flash"
	wait_log "$tmp/p3.log" "Hello World!" 30 || fail "the decrypted update did not boot"
	grep -q -F "Starting swap using move" "$tmp/p3.log" || fail "the swap was not resumed"
	kill -USR1 "$board_pid"
	wait_log "$tmp/p3.log" "Swap type: revert" 30 || fail "the reset did not revert"
	wait_log "$tmp/p3.log" "USB DFU sample is initialized" 30 || fail "the DFU sample is not back"
	stop_board
	cmp -s <(head -c "$len" "$tmp/hello.enc.bin") <(tail -c +$((slot1 + 1)) "$flash" | head -c "$len") ||
		fail "slot 1 after the revert is not the encrypted update as downloaded"
}

case_encrypted_tampered() {
	# One ciphertext byte changed: the bootloader refuses the update before
	# anything moves, and the DFU sample keeps running.
	local flash="$tmp/t.flash"
	sign_enc "$tmp/hello.enc.bin" --pad
	python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[0x200+4000]^=0x40; open(p,"wb").write(b)' \
		"$tmp/hello.enc.bin"
	plant_enc "$flash" "$tmp/hello.enc.bin"
	start_board "$tmp/t2.log" --flash "$flash"
	wait_log "$tmp/t2.log" "USB DFU sample is initialized" 30 || fail "the DFU sample did not run"
	stop_board
	grep -q -F "E: Image in the secondary slot is not valid!" "$tmp/t2.log" ||
		fail "the tampered update was not refused"
	# for its hash: only a bootloader that decrypts gets that far
	grep -q -F "is not valid: Image has an invalid hash" "$tmp/t2.log" ||
		fail "the tampered update was not refused for its hash (not decrypted?)"
	if grep -q -F -e "Hello World!" -e "Starting swap" "$tmp/t2.log"; then
		fail "a swap started with the tampered update"
	fi
}

# otp_counter FLASH: the security counter in FLASH.otp (reel_board: 8-byte
# records value, ~value; the largest whose words are complements).
otp_counter() {
	python3 -c '
import struct, sys
b = open(sys.argv[1] + ".otp", "rb").read()[:4096]
v = 0
for i in range(0, len(b), 8):
    a, n = struct.unpack_from("<II", b, i)
    if a == n ^ 0xffffffff and a > v:
        v = a
print(v)' "$1"
}

# sign_xip VERSION PAYLOAD OUT SLOT_OFFSET COUNTER [OPTION...]: signed -F for its slot, -s COUNTER.
sign_xip() {
	local v=$1 in=$2 out=$3 addr=$4 cnt=$5
	shift 5
	"$dfukit" image sign --key "$src/keys/dfukit-dev-rsa-2048.pem" --header-size 0x200 \
		--pad-header --align 4 --slot-size 0x76000 --version "$v" --rom-fixed "$addr" \
		-s "$cnt" "$@" "$in" "$out" >"$tmp/sign.log" 2>&1 || fail "signing $out failed"
}

case_security_counter_xip() {
	# Hardware rollback protection in direct-xip: the factory image (counter 1,
	# confirmed by the board) raises the store to 1; an update in slot 1
	# (counter 3) does not on its test boot, nor after its revert; signed
	# --confirm it does; then a newer image in slot 0 with counter 2 is
	# refused with MCUboot's line and erased, and slot 1 keeps running.
	local flash="$tmp/x.flash" slot0=$((0xc000)) slot1=$((0x82000))
	sign_xip 0.1.0 "$fw/dfu-sample.bin" "$tmp/dfu.bin" $slot0 1
	sign_xip 3.0.0 "$fw/hello_world.bin" "$tmp/hello-test.bin" $slot1 3 --pad
	sign_xip 3.0.0 "$fw/hello_world.bin" "$tmp/hello-conf.bin" $slot1 3 --confirm
	sign_xip 5.0.0 "$fw/dfu-sample.bin" "$tmp/dfu-low.bin" $slot0 2 --pad
	local xip=(--flash "$flash" --mode direct-xip --security-counter)
	start_board "$tmp/x1.log" "${xip[@]}" --image "$tmp/dfu.bin"
	wait_log "$tmp/x1.log" "USB DFU sample is initialized" 20 || fail "the DFU sample did not start"
	stop_board
	[ "$(otp_counter "$flash")" = 1 ] || fail "the factory image did not raise the counter to 1"
	# a test boot from slot 1, then the revert: the counter stays
	dd if="$tmp/hello-test.bin" of="$flash" bs=4096 seek=$((slot1 / 4096)) conv=notrunc status=none
	start_board "$tmp/x2.log" "${xip[@]}"
	wait_log "$tmp/x2.log" "Hello World!" 20 || fail "the test image did not run"
	grep -q -F "Image 0 loaded from the secondary slot" "$tmp/x2.log" || fail "not from slot 1"
	[ "$(otp_counter "$flash")" = 1 ] || fail "a test boot raised the counter"
	kill -USR1 "$board_pid"
	wait_log "$tmp/x2.log" "Erasing faulty image in the secondary slot." 30 || fail "no revert"
	wait_log "$tmp/x2.log" "USB DFU sample is initialized" 30 || fail "the DFU sample is not back"
	stop_board
	[ "$(otp_counter "$flash")" = 1 ] || fail "the revert raised the counter"
	# confirmed (--confirm): raised to its counter
	dd if="$tmp/hello-conf.bin" of="$flash" bs=4096 seek=$((slot1 / 4096)) conv=notrunc status=none
	start_board "$tmp/x3.log" "${xip[@]}"
	wait_log "$tmp/x3.log" "Hello World!" 20 || fail "the confirmed image did not run"
	stop_board
	[ "$(otp_counter "$flash")" = 3 ] || fail "the confirmed image did not raise the counter to 3"
	# a newer version below the counter: refused, erased; slot 1 runs
	dd if="$tmp/dfu-low.bin" of="$flash" bs=4096 seek=$((slot0 / 4096)) conv=notrunc status=none
	start_board "$tmp/x4.log" "${xip[@]}"
	wait_log "$tmp/x4.log" "Hello World!" 20 || fail "slot 1 did not run after the refusal"
	stop_board
	grep -q -F "E: Image security counter value 2 lower than monotonic value 3" "$tmp/x4.log" ||
		fail "the image below the counter was not refused with MCUboot's line"
	grep -q -F "Image in the primary slot is not valid!" "$tmp/x4.log" || fail "slot 0 not refused"
	is_erased "$flash" $slot0 4096 || fail "the refused image was not erased"
	[ "$(otp_counter "$flash")" = 3 ] || fail "the counter moved"
}

case_console_flush() {
	# The bootloader's last line before it hands over (the swap's flash time
	# with DFUKIT_FLASH_TIMING=1) reaches the console.
	DFUKIT_FLASH_TIMING=1 start_board "$tmp/t.log" --flash "$tmp/t.flash"
	wait_log "$tmp/t.log" "USB DFU sample is initialized" 30 || fail "the DFU sample did not start"
	grep -q -F "I: Flash: " "$tmp/t.log" || fail "the bootloader's flash time line was lost"
	grep -q -F "I: Jumping to the first image slot" "$tmp/t.log" || fail "the jump line was lost"
	stop_board
}

case_not_host_program() {
	# A correctly signed image whose payload is a target binary (here a
	# Cortex-M-like vector table) is not run; the bootloader says why and where
	# such images run.
	{
		printf '\000\000\004\040\301\001\000\000' # initial SP 0x20040000, reset 0x1c1
		head -c 4088 /dev/zero
	} >"$tmp/arm.bin"
	"$dfukit" image sign --key "$src/keys/dfukit-dev-rsa-2048.pem" --header-size 0x200 \
		--pad-header --align 4 --slot-size 0x76000 --version 1.0.0 \
		"$tmp/arm.bin" "$tmp/arm.signed.bin" >"$tmp/sign.log" 2>&1 || fail "signing failed"
	start_board "$tmp/arm.log" --flash "$tmp/arm.flash" --image "$tmp/arm.signed.bin"
	wait_log "$tmp/arm.log" "dfukit board run --emulate" 20 || fail "no message naming the emulated board"
	grep -q -F "is not a host program" "$tmp/arm.log" || fail "the message does not say why"
	if grep -q -F "Exec format error" "$tmp/arm.log"; then fail "still 'Exec format error'"; fi
	stop_board
	# A script is not a host program either (exec would run it with /bin/sh).
	printf '#!/bin/sh\necho stranger code ran\n' >"$tmp/script.bin"
	"$dfukit" image sign --key "$src/keys/dfukit-dev-rsa-2048.pem" --header-size 0x200 \
		--pad-header --align 4 --slot-size 0x76000 --version 1.0.0 \
		"$tmp/script.bin" "$tmp/script.signed.bin" >"$tmp/sign2.log" 2>&1 || fail "signing failed"
	start_board "$tmp/script.log" --flash "$tmp/script.flash" --image "$tmp/script.signed.bin"
	wait_log "$tmp/script.log" "dfukit board run --emulate" 20 || fail "a script image was not refused"
	if grep -q -F "stranger code ran" "$tmp/script.log"; then fail "a script image ran"; fi
	stop_board
}

case_listen_remote() {
	# A non-loopback --listen is refused unless the user acknowledges that
	# slot 0 runs on this host; nothing is created before the refusal.
	local before addr
	before=$(ls -A "$tmp")
	# Documentation addresses only: if the check were missing, binding them fails
	# (a test must not listen beyond 127.0.0.1, e.g. on 0.0.0.0).
	for addr in 192.0.2.1 ::ffff:192.0.2.1 2001:db8::1; do
		refused "$tmp/remote.log" "--i-know-slot0-runs-on-this-host" --flash "$tmp/r.flash" \
			--listen "$addr:3240"
		grep -q -F "any USB/IP peer" "$tmp/remote.log" || fail "$addr: the refusal does not say why"
		rm "$tmp/remote.log"
	done
	no_new_files "$tmp" "$before"
	# With the option the check is passed (192.0.2.1 is not ours, so the bind fails
	# instead: no test server listens beyond 127.0.0.1).
	refused "$tmp/ack.log" "cannot listen on 192.0.2.1" --flash "$tmp/r.flash" \
		--listen 192.0.2.1:3240 --i-know-slot0-runs-on-this-host
	if grep -q -F "refusing --listen" "$tmp/ack.log"; then fail "the option did not acknowledge"; fi
	# Loopback needs no option.
	start_board "$tmp/lo.log" --flash "$tmp/r.flash"
	stop_board
}

case_sub_help() {
	# dfukit board SUB --help (and -h) prints SUB's own help on stdout, exit 0.
	local sub opt first
	for sub in run reset stop list; do
		for opt in --help -h; do
			"$dfukit" board "$sub" "$opt" >"$tmp/help.out" 2>"$tmp/help.err" ||
				fail "dfukit board $sub $opt failed"
			first=$(head -n 1 "$tmp/help.out")
			case "$first" in
			"usage: dfukit board $sub" | "usage: dfukit board $sub "*) ;;
			*) fail "dfukit board $sub $opt starts with '$first', not its own usage line" ;;
			esac
			[ ! -s "$tmp/help.err" ] || fail "dfukit board $sub $opt wrote to stderr"
		done
	done
	"$dfukit" board stop --help >"$tmp/stop.out"
	grep -q -F -- "--pid-file FILE" "$tmp/stop.out" || fail "stop --help lacks its options"
	if grep -q -E -- "^  --count" "$tmp/stop.out"; then fail "stop --help lists run's options"; fi
	"$dfukit" board run --help >"$tmp/run.out"
	grep -q -F -- "--i-know-slot0-runs-on-this-host" "$tmp/run.out" || fail "run --help lacks its options"
}

fn="case_${case_name//-/_}"
declare -F "$fn" >/dev/null || fail "unknown case"
"$fn"
echo "board-test $case_name: ok"
