#!/usr/bin/env bash
# The virtual board's bootloader (apps/bootloader, its flash a file mapped in
# memory) boots a hello_world signed with dfukit-image sign --pure by imgtool's
# Ed25519 test key, which the board trusts; the same image with a flipped body
# byte is refused. No USB tools: the board's console only.
#   tests/interop/board-pure.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-pure.XXXXXX")
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$build/bin/dfukit-image" sign --key "$root/tests/fixtures/mcuboot/keys/ed25519.pem" --pure \
	--header-size 0x200 --pad-header --align 4 --slot-size 0x76000 --version 1.2.3 \
	"$build/firmware/hello_world.bin" "$work/pure.bin"
cp "$work/pure.bin" "$work/bad.bin"
printf '\125' | dd of="$work/bad.bin" bs=1 seek=2000 conv=notrunc 2>/dev/null

# boot IMAGE WANT: run a board with IMAGE in slot 0 until its console says WANT (20 s at most)
boot() {
	local log=$work/$(basename "$1").log port=$((20000 + RANDOM % 20000))
	"$build/bin/dfukit-board" run --flash "$work/$(basename "$1").flash" --listen "127.0.0.1:$port" \
		--image "$1" >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 200); do
		grep -q "$2" "$log" && break
		sleep 0.1
	done
	# Stopped by us: the board ends on the SIGTERM (status 0, or 143 if the
	# signal ends it); one that was already gone, or ends otherwise, failed.
	local rc=0 stopped=0
	kill "$pid" 2>/dev/null && stopped=1
	wait "$pid" 2>/dev/null || rc=$?
	pid=
	if ((!stopped)) || { [ "$rc" != 0 ] && [ "$rc" != 143 ]; }; then
		echo "FAIL: $(basename "$1"): the board exited with status $rc$( ((stopped)) || echo ' before it was stopped'):" >&2
		cat "$log" >&2
		exit 1
	fi
	grep -q "$2" "$log" || { echo "FAIL: $(basename "$1"): no '$2' in:" >&2; cat "$log" >&2; exit 1; }
	echo "OK: $(basename "$1"): $2"
}
boot "$work/pure.bin" "^Hello World!"
boot "$work/bad.bin" "Image in slot at 0xc000 is not valid: Image has an invalid hash"
if grep -q "Hello World" "$work/bad.bin.log"; then
	echo "FAIL: the tampered pure image ran" >&2
	exit 1
fi
