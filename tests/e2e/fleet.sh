#!/usr/bin/env bash
# Many boards in one USB/IP server: `dfukit board run --count N` on a free
# loopback port; the guest (scenarios/fleet.sh) updates all N boards in
# parallel, each with its own signed hello_world (version 1.0.i for board
# 1-i), and resets each one (DFUKIT-RESET-BOARD <i> -> `dfukit board reset
# --flash` of that board). Then each board's console must show, in order, that
# it received and verified its own image, was reset, test-swapped, and booted
# its own version into "Hello World!"; no board may show another's version.
#
#   tests/e2e/fleet.sh [--emulate CROSS_BUILD_DIR FIRMWARE_DIR] BUILD_DIR [COUNT]
#                                            (COUNT: default 4)
#
# --emulate: the boards are emulated Cortex-M boards (dfukit board run
# --emulate) running the cross build's firmware, collected into FIRMWARE_DIR
# (scripts/cm-firmware.sh); the images are its hello_world signed with the key
# its bootloader trusts, in its board's geometry. The emulated firmware's log
# clock starts with each QEMU, so whether the downloads ran side by side is
# judged by when their console lines reached the host instead.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib-host.sh
. "$here/lib-host.sh"
root=$(cd "$here/../.." && pwd)
cross=
if [ "${1:-}" = --emulate ]; then
	(($# >= 4)) || { echo "usage: $0 [--emulate CROSS_BUILD_DIR FIRMWARE_DIR] BUILD_DIR [COUNT]" >&2; exit 2; }
	cross=$(cd "$2" && pwd) fwdir=$3
	shift 3
fi
build=$(cd "$1" && pwd)
count=${2:-4}
# The harness self-test (selftest.sh) runs a scenario that fails on purpose here.
scenario=${DFUKIT_FLEET_SCENARIO:-$here/scenarios/fleet.sh}
board=reel_board
dfukit="$build/bin/dfukit"

work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-fleet.XXXXXX")
hub_pid=
cleanup() {
	if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then
		kill "$hub_pid" 2>/dev/null || true
		wait "$hub_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

key="$root/keys/dfukit-dev-rsa-2048.pem" payload="$build/firmware/hello_world.bin"
align=4 slot_size=0x76000 emulate=()
if [ -n "$cross" ]; then
	board=$("$root/scripts/cm-firmware.sh" "$cross" "$build" "$fwdir")
	read -r _ key < <("$root/scripts/cm-signing-key.sh" "$cross") # the Cortex-M build's
	payload="$cross/apps/hello-world-cm/hello_world-$board.bin"
	if [ "$board" = nucleo_u575zi_q ]; then align=16 slot_size=0xE8000; fi
	emulate=(--emulate --firmware-dir "$fwdir")
	# The Cortex-M hello_world is a few KiB: its SLOT-1 download (0.1 s) can end
	# before the next board's starts, parallel or not. Zeros after its code
	# (never run) make each download last long enough that parallel ones overlap.
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(d + bytes(64 * 1024 - len(d)))' "$payload" "$work/hello_world-64k.bin"
	payload="$work/hello_world-64k.bin"
fi
images=()
for i in $(seq "$count"); do
	"$dfukit" image sign --key "$key" --header-size 0x200 \
		--pad-header --align "$align" --slot-size "$slot_size" --version "1.0.$i" \
		"$payload" "$work/fleet-1.0.$i.bin" >/dev/null
	images+=("$work/fleet-1.0.$i.bin")
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The console, and each line's arrival time on the host (arrival.log).
mkfifo "$work/hub.out"
python3 -u -c '
import sys, time
out, stamps = open(sys.argv[1], "w"), open(sys.argv[2], "w")
for line in sys.stdin:
    out.write(line); out.flush()
    stamps.write(f"{time.monotonic():.6f} {line}"); stamps.flush()
' "$work/console.log" "$work/arrival.log" <"$work/hub.out" &
stamp_pid=$!
"$dfukit" board run --board "$board" --count "$count" --flash "$work/$board.flash" \
	"${emulate[@]}" --listen "127.0.0.1:$port" >"$work/hub.out" 2>&1 &
hub_pid=$!
for _ in $(seq 100); do
	[ -f "$work/console.log" ] &&
		[ "$(grep -c 'USB DFU sample is initialized' "$work/console.log")" -ge "$count" ] && break
	sleep 0.1
done

export DFUKIT_GUEST_USBIP_PORT=$port
export DFUKIT_GUEST_FLEET_COUNT=$count
relay_reset() {
	local idx
	case $1 in
	*DFUKIT-RESET-BOARD\ [0-9]*)
		idx=${1##*DFUKIT-RESET-BOARD }
		idx=${idx%%[!0-9]*}
		"$dfukit" board reset --flash "$work/$board-$idx.flash" ||
			{ echo "fleet: reset of board $idx failed" >&2; return 1; }
		;;
	*DFUKIT-RESET-BOARD*) kill -USR1 "$hub_pid" ;;
	esac
}
rc=0
guest_run_relayed relay_reset --timeout "${DFUKIT_FLEET_TIMEOUT:-400}" "$scenario" "${images[@]}" || rc=$?
((rc == 0)) || echo "fleet: the guest scenario failed (status $rc)" >&2

# The boards boot hello_world after the guest saw them leave the bus; give them time.
for _ in $(seq 100); do
	[ "$(grep -c 'Hello World!' "$work/console.log" 2>/dev/null)" -ge "$count" ] && break
	sleep 0.1
done
# Power off: the hub must still be running and end cleanly (status 0) on SIGTERM.
if ! kill "$hub_pid"; then
	echo "fleet: the board (pid $hub_pid) was gone before power off" >&2
	rc=1
fi
hub_rc=0
wait "$hub_pid" || hub_rc=$?
((hub_rc == 0)) || { echo "fleet: the board exited with status $hub_rc at power off" >&2; rc=1; }
hub_pid=
# the console's last lines: the stamper ends when the hub's output does
wait "$stamp_pid" || { echo "fleet: the console copy failed" >&2; rc=1; }
echo "---- fleet console ($count x $board) ----"
cat "$work/console.log"
echo "---- end of fleet console ----"

python3 - "$work/console.log" "$count" "${cross:+$work/arrival.log}" <<'PY' || rc=1
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
count = int(sys.argv[2])
arrival = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
ok = True
for i in range(1, count + 1):
    prefix = f"[1-{i}] "
    mine = [l[len(prefix):] for l in lines if l.startswith(prefix)]
    want = [re.escape(f"SLOT-1: image v1.0.{i} verified"),
            re.escape("[board] reset"),
            "Swap type: test",
            "Starting swap using move algorithm.",
            re.escape(f"Image version: v1.0.{i}") + "$",
            "Hello World! "]
    at = 0
    for pattern in want:
        rx = re.compile(pattern)
        while at < len(mine) and not rx.search(mine[at]):
            at += 1
        if at == len(mine):
            print(f"fleet: board 1-{i}: /{pattern}/ not on its console (after the previous match)",
                  file=sys.stderr)
            ok = False
            break
        at += 1
    others = [l for l in mine if re.search(r"v1\.0\.(\d+)", l) and
              re.search(r"v1\.0\.(\d+)", l).group(1) != str(i)]
    if others:
        print(f"fleet: board 1-{i} shows another board's image: {others[0]}", file=sys.stderr)
        ok = False
    if ok:
        print(f"fleet: board 1-{i} booted its own image v1.0.{i}")

# Were the downloads parallel? Each board's log time counts from its own start,
# and the hub starts all boards within milliseconds, so the clocks compare.
def stamp(line):
    m = re.match(r"\[(\d+):(\d+):(\d+)\.(\d+),(\d+)\]", line)
    h, mi, s, ms, us = map(int, m.groups())
    return ((h * 60 + mi) * 60 + s) * 1.0 + ms / 1e3 + us / 1e6
# With --emulate, the host's arrival times of the lines instead.
timed = [(stamp, l) for l in lines]
if arrival:
    timed = []
    for l in open(arrival, errors="replace").read().splitlines():
        t, _, text = l.partition(" ")
        timed.append((lambda _l, _t=float(t): _t, text))
spans = {}
for i in range(1, count + 1):
    prefix = f"[1-{i}] "
    mine = [(f, l[len(prefix):]) for f, l in timed if l.startswith(prefix)]
    start = [f(l) for f, l in mine if "DFU download started (alt 1" in l]
    end = [f(l) for f, l in mine if "DFU download completed" in l]
    if start and end:
        spans[i] = (start[-1], end[-1])
for i, (a, b) in sorted(spans.items()):
    others = [j for j, (c, d) in spans.items() if j != i and c < b and a < d]
    print(f"fleet: board 1-{i} SLOT-1 download {a:.3f}..{b:.3f} s, overlapping 1-" +
          ", 1-".join(map(str, others)) if others else
          f"fleet: board 1-{i} SLOT-1 download {a:.3f}..{b:.3f} s, overlapping none")
    if count > 1 and not others:
        print(f"fleet: board 1-{i}'s download overlapped no other: not parallel", file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
PY
exit "$rc"
