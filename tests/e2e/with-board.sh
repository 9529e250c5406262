#!/usr/bin/env bash
# Run a guest scenario against a freshly started virtual board.
#
#   tests/e2e/with-board.sh [--board ID] [--expect-log REGEX]... [--expect-order REGEX]...
#                           [--forbid-log REGEX]... [--host-relay PROGRAM]
#                           BUILD_DIR SCENARIO.sh [FILE...]
#
# Starts `dfukit board run` on 127.0.0.1:<free port> with a new flash file,
# runs the scenario in the QEMU guest (run-guest.sh), then stops the board and
# checks that each --expect-log regex appears on the board's console and that
# the --expect-order regexes appear in the order given (each after the line
# that matched the previous one) and no --forbid-log regex does. When the scenario prints DFUKIT-RESET-BOARD
# the board's reset button is pressed; a line "DFUKIT-HOST ARGS..." runs
# PROGRAM ARGS... on the host (--host-relay; without it the line fails the
# test), with DFUKIT_WB_CONSOLE (the console file so far), DFUKIT_WB_FLASH,
# DFUKIT_WB_DFUKIT (the dfukit program), DFUKIT_WB_BOARD_PID (the board's) and,
# on the emulated board,
# DFUKIT_EMU_POWER_CUT_FILE (a one-shot power cut for dfukit-emu) set; its
# failure fails the scenario. The
# board's console is printed at the end. Exit status: the scenario's (non-zero
# also for a DFUKIT-FAIL line, a guest timeout or a missing exit marker), or 1
# if an expected log line is missing or the board exited by itself.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib-host.sh
. "$here/lib-host.sh"
board=reel_board
expects=()
order=()
forbids=()
host_relay=
while (($#)); do
	case $1 in
	--board) board=$2; shift 2 ;;
	--expect-log) expects+=("$2"); shift 2 ;;
	--expect-order) order+=("$2"); shift 2 ;;
	--forbid-log) forbids+=("$2"); shift 2 ;;
	--host-relay) host_relay=$2; shift 2 ;;
	*) break ;;
	esac
done
(($# >= 2)) || { echo "usage: $0 [--board ID] [--expect-log RE]... BUILD_DIR SCENARIO.sh [FILE...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift

work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-board.XXXXXX")
board_pid=
cleanup() {
	if [ -n "$board_pid" ] && kill -0 "$board_pid" 2>/dev/null; then
		kill "$board_pid" 2>/dev/null || true
		wait "$board_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port, so parallel runs and a user's own board do not clash.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# DFUKIT_BOARD_FIRMWARE runs that program at reset instead of the bootloader
# (the sanitizer build's firmware, which outgrows the slots, runs this way);
# DFUKIT_BOARD_EMULATE_DIR runs the Cortex-M firmware in it on QEMU (--emulate);
# DFUKIT_BOARD_ARGS adds options of dfukit board run (words, e.g. --mode overwrite-only).
if [ -n "${DFUKIT_BOARD_EMULATE_DIR:-}" ]; then
	export DFUKIT_EMU_POWER_CUT_FILE="$work/power-cut"
fi
"$build/bin/dfukit" board run --board "$board" --flash "$work/$board.flash" \
	${DFUKIT_BOARD_FIRMWARE:+--firmware "$DFUKIT_BOARD_FIRMWARE"} \
	${DFUKIT_BOARD_EMULATE_DIR:+--emulate --firmware-dir "$DFUKIT_BOARD_EMULATE_DIR"} \
	${DFUKIT_BOARD_ARGS:-} \
	--listen "127.0.0.1:$port" >"$work/console.log" 2>&1 &
board_pid=$!
for _ in $(seq 50); do
	grep -q "USB DFU sample is initialized\|Starting bootloader" "$work/console.log" 2>/dev/null && break
	sleep 0.1
done

export DFUKIT_GUEST_USBIP_PORT=$port
# The scenario may press the board's reset button through a marker the host sees.
export DFUKIT_BOARD_PIDFILE="$work/$board.flash.pid"
export DFUKIT_WB_CONSOLE="$work/console.log" DFUKIT_WB_FLASH="$work/$board.flash"
export DFUKIT_WB_DFUKIT="$build/bin/dfukit" DFUKIT_WB_BOARD_PID=$board_pid
relay_reset() {
	local args
	case $1 in
	*DFUKIT-RESET-BOARD*) kill -USR1 "$board_pid" ;;
	*DFUKIT-HOST\ *)
		[ -n "$host_relay" ] || { echo "with-board: '$1' but no --host-relay" >&2; return 1; }
		# The marker's words (the console may end lines with CR) are the arguments.
		read -r -a args <<<"${1##*DFUKIT-HOST }"
		args=("${args[@]//$'\r'/}")
		"$host_relay" "${args[@]}" ||
			{ echo "with-board: host relay $host_relay ${args[*]} failed" >&2; return 1; }
		;;
	esac
}
rc=0
guest_run_relayed relay_reset "$@" || rc=$?
((rc == 0)) || echo "with-board: the guest scenario failed (status $rc)" >&2

# The board runs until we stop it; one that is gone already crashed or exited.
if ! kill -0 "$board_pid" 2>/dev/null; then
	wait "$board_pid" && board_rc=0 || board_rc=$?
	echo "with-board: the board exited by itself during the scenario (status $board_rc)" >&2
	rc=1
fi
kill "$board_pid" 2>/dev/null || true
wait "$board_pid" 2>/dev/null || true
board_pid=
echo "---- board console ($board) ----"
cat "$work/console.log"
echo "---- end of board console ----"
for re in "${expects[@]}"; do
	if ! grep -Eq -- "$re" "$work/console.log"; then
		echo "with-board: expected on the board console: /$re/" >&2
		rc=1
	fi
done
# Whatever else was asked: no sanitizer report from the board or its firmware.
forbids+=("ERROR: AddressSanitizer|runtime error: |ERROR: LeakSanitizer")
for re in "${forbids[@]}"; do
	if grep -Eq -- "$re" "$work/console.log"; then
		echo "with-board: must not appear on the board console: /$re/" >&2
		rc=1
	fi
done
if ((${#order[@]})); then
	python3 - "$work/console.log" "${order[@]}" <<'PY' || rc=1
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
at = 0
for pattern in sys.argv[2:]:
    rx = re.compile(pattern)
    while at < len(lines) and not rx.search(lines[at]):
        at += 1
    if at == len(lines):
        print(f"with-board: /{pattern}/ not found on the board console after the previous match",
              file=sys.stderr)
        sys.exit(1)
    at += 1
print(f"with-board: {len(sys.argv) - 2} console lines appeared in the expected order")
PY
fi
exit "$rc"
