#!/usr/bin/env bash
# Stack high-water marks and RAM use of the Cortex-M firmware on the emulated
# boards, by stack painting: the bench variants (bench/cm/CMakeLists.txt) are
# the shipped firmware with start-up filling the free RAM between .bss and the
# stack pointer with a known word (port/mps2/startup.c, DFUKIT_STACK_PAINT).
#   bootloader: bootloader-stack-<board> reports the mark just before the jump
#     (boot_split.c), for a plain boot of a 256 KiB image and a 256 KiB test swap.
#   DFU sample: dfu-sample-stack-<board>, factory-programmed in slot 0, runs
#     the seed's whole walkthrough (tests/e2e/scenarios/walkthrough.sh: detach,
#     ramdisk0 upload/download, SLOT-1 download with its image check, resets)
#     with the real dfu-util; it prints its mark whenever it deepens
#     (sample_stack.c); the figure is the deepest of those. NO_WALKTHROUGH=1
#     leaves this part out.
# RAM used = data + bss (arm-none-eabi-size of the shipped ELF) + the mark,
# against the RAM region the linker script gives the firmware (all of the
# chip's RAM; the stack is what .data and .bss leave, with no reservation of
# its own, so the linker checks nothing about it).
#
#   bench/cm/stack-usage.sh HOST_BUILD CROSS_BUILD...
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 HOST_BUILD CROSS_BUILD..." >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
host=$(cd "$1" && pwd)
signer="$host/bin/dfukit-image"
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-stack.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
# ram_length MAP: the RAM region's length from the link map's memory configuration.
ram_length() { echo $(($(awk '$1 == "RAM" { print $3; exit }' "$1"))); }
# data_bss ELF: "data bss".
data_bss() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $2, $3 }'; }

boot_run() {
	local log=$1 flash=$2
	: >"$log"
	timeout 300 qemu-system-arm -M "$machine" -nographic -monitor none -serial stdio \
		-semihosting-config "enable=on,target=native,arg=bootloader,arg=flash=$flash" \
		-device "loader,file=$flash,addr=$load,force-raw=on" >"$log" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null && ! grep -q "Hello World!" "$log"; do sleep 0.05; done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	local mark
	mark=$(sed -n 's/^boot-bench: .* stack_bytes=\([0-9]*\).*/\1/p' "$log" | tail -1)
	# QEMU's own status is that of the kill; what counts is the mark it printed.
	[ -n "$mark" ] || { echo "stack-usage: no stack mark from the bootloader:" >&2; cat "$log" >&2; exit 1; }
	echo "$mark"
}

# new_flash OUT SIZE BOOT [IMAGE OFFSET]...: an erased chip with the bootloader and images.
new_flash() {
	local out=$1 size=$2 boot=$3
	shift 3
	"$root/scripts/compose-flash.py" "$out" "$size" "$boot" 0 "$@"
}

sign() { # sign IN OUT VERSION [EXTRA...]
	local in=$1 out=$2 version=$3
	shift 3
	"$signer" sign --key "$key" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" "$@" "$in" "$out" >/dev/null
}

rows=()
row() { # row FIRMWARE BOARD CASE ELF MAP STACK
	local db data bss len
	db=$(data_bss "$4")
	data=${db% *} bss=${db#* }
	len=$(ram_length "$5")
	rows+=("$(printf '| %s | %s | %s | %d | %d | %s | %s | %d | %s |' "$1" "$2" "$3" "$data" "$bss" \
		"${6:-?}" "$([ -n "$6" ] && echo $((data + bss + $6)) || echo ?)" "$len" \
		"$([ -n "$6" ] && awk -v u=$((data + bss + $6)) -v l="$len" 'BEGIN { printf "%.1f %%", 100 * u / l }' || echo ?)")")
}

for cross in "$@"; do
	cross=$(cd "$cross" && pwd)
	if grep -q cortex-m33 "$cross/CMakeCache.txt"; then
		board=nucleo_u575zi_q machine=mps2-an505 load=0x10000000 xfer=64
		size=$((0x200000)) s0=$((0x10000)) s1=$((0xF8000)) slot_size=0xE8000 align=16
	else
		board=reel_board machine=mps2-an386 load=0x0 xfer=
		size=$((0x100000)) s0=$((0xC000)) s1=$((0x82000)) slot_size=0x76000 align=4
	fi
	signatures=$(sed -n 's/^DFUKIT_SIGNATURES:STRING=//p' "$cross/CMakeCache.txt")
	case ${signatures%%;*} in
	rsa-2048) alg=RSA-2048 key=$root/keys/dfukit-dev-rsa-2048.pem ;;
	ed25519) alg=Ed25519 key=$root/keys/dfukit-dev-ed25519.pem ;;
	*) alg=ECDSA-P256 key=$root/tests/fixtures/mcuboot/keys/ecdsa-p256.pem ;;
	esac
	crypto=$(sed -n 's/^DFUKIT_CRYPTO:STRING=//p' "$cross/CMakeCache.txt")
	[ "$crypto" != bearssl ] || crypto="bearssl-$(sed -n 's/^DFUKIT_BEARSSL_P256:STRING=//p' "$cross/CMakeCache.txt")"
	alg="$alg (${crypto:-mbedtls})"
	boot_elf="$cross/apps/bootloader-cm/bootloader-mps2-$board.elf"
	stack_bin="$cross/bench/cm/bootloader-stack-$board.bin"
	hello="$cross/apps/hello-world-cm/hello_world-$board.bin"
	sample_elf="$cross/apps/dfu-sample-cm/dfu-sample-$board.elf"
	paint_sample="$cross/bench/cm/dfu-sample-stack-$board"
	for f in "$boot_elf" "$stack_bin" "$hello" "$sample_elf" "$paint_sample.bin"; do
		[ -f "$f" ] || { echo "stack-usage: missing $f (cmake --build $cross)" >&2; exit 1; }
	done

	# The bootloader: a 256 KiB image, then a 256 KiB test swap.
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(d + bytes(262144 - 0x400 - len(d)))' \
		"$hello" "$work/payload"
	sign "$work/payload" "$work/v0.bin" 0.0.0
	sign "$work/payload" "$work/v1.bin" 1.0.0 --pad
	new_flash "$work/flash" "$size" "$stack_bin" "$work/v0.bin" "$s0"
	plain=$(boot_run "$work/plain.log" "$work/flash")
	new_flash "$work/flash" "$size" "$stack_bin" "$work/v0.bin" "$s0" "$work/v1.bin" "$s1"
	swap=$(boot_run "$work/swap.log" "$work/flash")
	map="${boot_elf%.elf}.map"
	row bootloader "$board" "$alg, boot of a 256 KiB image" "$boot_elf" "$map" "$plain"
	row bootloader "$board" "$alg, 256 KiB test swap" "$boot_elf" "$map" "$swap"

	# The DFU sample through the walkthrough.
	if [ -z "${NO_WALKTHROUGH:-}" ]; then
		dir="$work/fw-$board"
		KEY=$key "$root/scripts/cm-firmware.sh" "$cross" "$host" "$dir" >/dev/null
		sign "$paint_sample.bin" "$dir/dfu-sample-cm-$board.signed.bin" 0.0.0
		cp "$dir/hello_world-$board.signed.bin" "$dir/hello_world.signed.bin"
		rc=0
		DFUKIT_BOARD_EMULATE_DIR="$dir" \
			DFUKIT_GUEST_TRANSFER_SIZE=$xfer \
			"$root/tests/e2e/with-board.sh" --board "$board" --expect-log "Booting dfukit dfu-sample on" \
			"$host" --timeout 400 "$root/tests/e2e/scenarios/walkthrough.sh" "$dir/hello_world.signed.bin" \
			>"$work/walk-$board.log" 2>&1 || rc=$?
		if ((rc != 0)); then
			echo "stack-usage: the walkthrough on $board failed (status $rc):" >&2
			tail -40 "$work/walk-$board.log" >&2
			exit 1
		fi
		best=0 # the deepest over every run of the sample (it runs again after the revert)
		for m in $(sed -n 's/.*stack-mark: \(0x[0-9a-f]*\) bytes.*/\1/p' "$work/walk-$board.log"); do
			((m <= best)) || best=$((m))
		done
		((best > 0)) || { echo "stack-usage: no stack-mark line from the sample on $board" >&2; exit 1; }
		n=$(grep -c "stack-mark: " "$work/walk-$board.log")
		row "DFU sample" "$board" "$alg, walkthrough${xfer:+ (-t $xfer)}, mark deepened $n times" "$sample_elf" \
			"${sample_elf%.elf}.map" "$best"
	fi
done

echo "Stack high-water mark by stack painting; RAM = data + bss + mark, bytes."
echo
echo "| firmware | board | case | data | bss | stack high-water mark | RAM used | RAM region (linker) | fill |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
