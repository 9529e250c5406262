#!/usr/bin/env bash
# Many boards in one USB/IP server: `dfukit board run --count N` on a free
# loopback port; the guest (scenarios/fleet.sh) updates all N boards in
# parallel, each with its own signed hello_world (version 1.0.i for board
# 1-i), and resets each one (DFUKIT-RESET-BOARD <i> -> `dfukit board reset
# --flash` of that board). Then each board's console must show, in order, that
# it received and verified its own image, was reset, test-swapped, and booted
# its own version into "Hello World!"; no board may show another's version.
#
#   tests/e2e/fleet.sh BUILD_DIR [COUNT]     (COUNT: default 4)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib-host.sh
. "$here/lib-host.sh"
root=$(cd "$here/../.." && pwd)
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

images=()
for i in $(seq "$count"); do
	"$dfukit" image sign --key "$root/keys/dfukit-dev-rsa-2048.pem" --header-size 0x200 \
		--pad-header --align 4 --slot-size 0x76000 --version "1.0.$i" \
		"$build/firmware/hello_world.bin" "$work/fleet-1.0.$i.bin" >/dev/null
	images+=("$work/fleet-1.0.$i.bin")
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$dfukit" board run --board "$board" --count "$count" --flash "$work/$board.flash" \
	--listen "127.0.0.1:$port" >"$work/console.log" 2>&1 &
hub_pid=$!
for _ in $(seq 100); do
	[ "$(grep -c 'USB DFU sample is initialized' "$work/console.log" 2>/dev/null)" -ge "$count" ] && break
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
kill "$hub_pid" 2>/dev/null || true
wait "$hub_pid" 2>/dev/null || true
hub_pid=
echo "---- fleet console ($count x $board) ----"
cat "$work/console.log"
echo "---- end of fleet console ----"

python3 - "$work/console.log" "$count" <<'PY' || rc=1
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
count = int(sys.argv[2])
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
spans = {}
for i in range(1, count + 1):
    prefix = f"[1-{i}] "
    mine = [l[len(prefix):] for l in lines if l.startswith(prefix)]
    start = [stamp(l) for l in mine if "DFU download started (alt 1" in l]
    end = [stamp(l) for l in mine if "DFU download completed" in l]
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
