#!/usr/bin/env bash
# Start a board, find its firmware process, and run usbip-stress.py against it.
#   tests/e2e/usbip-stress.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-stress.XXXXXX")
board_pid=
cleanup() {
	[ -z "$board_pid" ] || kill "$board_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/bin/dfukit" board run --flash "$work/board.flash" --listen "127.0.0.1:$port" \
	${DFUKIT_BOARD_FIRMWARE:+--firmware "$DFUKIT_BOARD_FIRMWARE"} >"$work/console.log" 2>&1 &
board_pid=$!
for _ in $(seq 100); do
	grep -q "USB DFU sample is initialized" "$work/console.log" 2>/dev/null && break
	sleep 0.1
done
fw_pid=$(pgrep -P "$board_pid" | head -n1)
[ -n "$fw_pid" ] || { cat "$work/console.log"; echo "no firmware process" >&2; exit 1; }
rc=0
python3 "$here/usbip-stress.py" "$port" "$fw_pid" "$work/board.flash" || rc=$?
kill -0 "$fw_pid" 2>/dev/null || { echo "the firmware died" >&2; rc=1; }
n=$(grep -c "usbip" "$work/console.log") || n=0
echo "usbip log lines on the console: $n"
if grep -Eq "ERROR: AddressSanitizer|runtime error: |ERROR: LeakSanitizer" "$work/console.log"; then
	cat "$work/console.log"
	echo "sanitizer report on the board console" >&2
	rc=1
fi
exit $rc
