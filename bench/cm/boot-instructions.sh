#!/usr/bin/env bash
# Boot time of the Cortex-M bootloader on the emulated boards, in INSTRUCTIONS
# (not cycles): under `qemu-system-arm -icount shift=0,sleep=off` one
# instruction is one virtual nanosecond from reset. The FPGA counter runs at the
# machine's SYSCLK: 25 MHz on mps2-an386 (40 instructions a tick), 20 MHz on
# mps2-an505 (50 instructions a tick; QEMU's mps2-tz leaves the FPGAIO at its
# default prescale clock), so a figure is exact to one tick.
#
# Total: the shipped bootloader (apps/bootloader-cm) with hello_world-clock in
# slot 0, which reads the counter as its first statement: reset -> bootloader
# -> jump -> the image's first C statement.
# Split: bootloader-bench (bench/cm/CMakeLists.txt, boot_split.c), the same
# bootloader linked with timing wrappers around the mbedTLS calls src/image
# makes: SHA-256 (starts/update/finish, and the key hash), the key (ECDSA:
# group load, point read, on-curve check; RSA: import, complete, check) and
# the signature verification itself. "Rest" is the shipped total minus those.
# The parts are sums of counter readings, each exact to a tick, so a small
# rest is known to a few thousand instructions only.
# The bench build's own total is printed below the table: it is larger by its
# stack painting and the report, not by the wrappers (a few instructions a call).
#
# Rows: a valid 256 KiB image in slot 0 (plain boot); a 4 KiB one (about the fixed cost);
# a 256 KiB test swap (slot 1 validated, swap-using-move, slot 0 validated),
# its update encrypted when the build decrypts (-DDFUKIT_ENC_KEY: the key
# unwrap and AES-CTR then fall in "rest").
#
#   bench/cm/boot-instructions.sh HOST_BUILD CROSS_BUILD...
#   e.g. bench/cm/boot-instructions.sh build build-cortex-m4f build-cortex-m33
# DFUKIT_BENCH_SIGN="--pure" signs the images with Ed25519 over the image itself
# (an ed25519 build; the split columns then miss it: SHA-512 and the pure
# verification are not timed, only the total is).
# Each cross build verifies the signature type of its DFUKIT_SIGNATURES (the
# first listed; configure with -DDFUKIT_SIGNATURES=ecdsa-p256, rsa-2048 or ed25519):
# images are signed with the trusted test key of that type, as
# scripts/cm-firmware.sh signs them.
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 HOST_BUILD CROSS_BUILD..." >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
signer="$(cd "$1" && pwd)/bin/dfukit-image"
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-bootbench.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# run FLASH: boot the machine until hello_world speaks; prints the console log's path.
run() {
	local log
	log=$(mktemp "$work/run.XXXXXX") # a new file: the wait below must never see an older run's log
	timeout 300 qemu-system-arm -M "$machine" -icount shift=0,sleep=off -nographic -monitor none \
		-serial stdio -semihosting-config "enable=on,target=native,arg=bootloader,arg=flash=$1" \
		-device "loader,file=$1,addr=$load,force-raw=on" >"$log" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null && ! grep -q "^Hello World!" "$log"; do sleep 0.05; done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	grep -q "^Hello World!" "$log" || { echo "boot-instructions: no Hello World:" >&2; cat "$log" >&2; exit 1; }
	echo "$log"
}

# field LOG NAME: a number from the console (boot-clock's hex ticks, boot-bench's fields).
field() {
	local v
	if [ "$2" = clock ]; then
		v=$(sed -n 's/^boot-clock: \(0x[0-9a-f]*\) ticks.*/\1/p' "$1")
	else
		v=$(sed -n "s/^boot-bench: .* $2=\([0-9]*\).*/\1/p" "$1")
	fi
	[ -n "$v" ] || { echo "boot-instructions: no '$2' on the console:" >&2; cat "$1" >&2; exit 1; }
	echo $((v))
}

# image OUT SIZE VERSION [EXTRA...]: hello_world-clock padded so the signed image is SIZE bytes.
image() {
	local out=$1 size=$2 version=$3 body
	shift 3
	# shellcheck disable=SC2086 # DFUKIT_BENCH_SIGN: more sign options, e.g. --pure
	"$signer" sign --key "$key" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" ${DFUKIT_BENCH_SIGN:-} "$hello" "$work/probe" >/dev/null
	body=$((size - $(stat -c %s "$work/probe") + $(stat -c %s "$hello")))
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); n=int(sys.argv[3]); assert len(d) <= n
open(sys.argv[2],"wb").write(d + bytes(n - len(d)))' "$hello" "$work/payload" "$body"
	# shellcheck disable=SC2086
	"$signer" sign --key "$key" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" ${DFUKIT_BENCH_SIGN:-} "$@" "$work/payload" "$out" >/dev/null
}

# flash OUT SIZE BOOT [IMAGE OFFSET]...: an erased chip with the bootloader and images.
flash() {
	local out=$1 size=$2 boot=$3
	shift 3
	"$root/scripts/compose-flash.py" "$out" "$size" "$boot" 0 "$@"
}

pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f %%", 100 * a / b }'; }
mi() { awk -v a="$1" 'BEGIN { if (a < 1e6 && a > -1e6) printf "%.1f k", a / 1e3; else printf "%.2f M", a / 1e6 }'; }
ki() { awk -v a="$1" 'BEGIN { printf "%.1f k", a / 1e3 }'; }
overhead=()

echo "Instructions (not cycles) from reset to the image's first statement; qemu-system-arm -icount shift=0."
echo "Split measured in bootloader-bench (timed crypto calls: image_sha256_*, image_crypto_verify)."
echo
echo "| CPU (machine) | crypto | signature | case | total | SHA-256 (share) | signature (share) | of it: key parse | signatures checked | rest: boot core, image parsing, flash, start-up |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for cross in "$@"; do
	cross=$(cd "$cross" && pwd)
	if grep -q cortex-m33 "$cross/CMakeCache.txt"; then
		board=nucleo_u575zi_q machine=mps2-an505 load=0x10000000 cpu=Cortex-M33 per_tick=50
		size=$((0x200000)) s0=$((0x10000)) s1=$((0xF8000)) slot_size=0xE8000 align=16
	else
		board=reel_board machine=mps2-an386 load=0x0 cpu=Cortex-M4F per_tick=40
		size=$((0x100000)) s0=$((0xC000)) s1=$((0x82000)) slot_size=0x76000 align=4
	fi
	signatures=$(sed -n 's/^DFUKIT_SIGNATURES:STRING=//p' "$cross/CMakeCache.txt")
	crypto=$(sed -n 's/^DFUKIT_CRYPTO:STRING=//p' "$cross/CMakeCache.txt")
	p256=$(sed -n 's/^DFUKIT_BEARSSL_P256:STRING=//p' "$cross/CMakeCache.txt")
	[ "$crypto" != bearssl ] || crypto="bearssl-$p256"
	case ${signatures%%;*} in
	rsa-2048) alg=RSA-2048 key=$root/keys/dfukit-dev-rsa-2048.pem ;;
	ecdsa-p256 | "") alg=ECDSA-P256 key=$root/tests/fixtures/mcuboot/keys/ecdsa-p256.pem ;;
	ed25519) alg=Ed25519 key=$root/keys/dfukit-dev-ed25519.pem ;;
	*) echo "boot-instructions: unknown DFUKIT_SIGNATURES '$signatures' in $cross" >&2; exit 1 ;;
	esac
	boot="$cross/apps/bootloader-cm/bootloader-mps2-$board.bin"
	bench="$cross/bench/cm/bootloader-bench-$board.bin"
	hello="$cross/apps/hello-world-cm/hello_world-clock-$board.bin"
	for f in "$boot" "$bench" "$hello"; do
		[ -f "$f" ] || { echo "boot-instructions: missing $f (cmake --build $cross)" >&2; exit 1; }
	done
	image "$work/big.bin" 262144 0.0.0
	image "$work/small.bin" 4096 0.0.0
	# A bootloader that decrypts (DFUKIT_ENC_KEY): the update encrypted for its
	# key (KEY.pub.pem beside KEY.der), as the emulated-board tests make it.
	enc_key=$(sed -n 's/^DFUKIT_ENC_KEY:[A-Z]*=//p' "$cross/CMakeCache.txt")
	enc=() swap="256 KiB test swap"
	if [ -n "$enc_key" ]; then
		enc=(-E "${enc_key%.der}.pub.pem")
		swap="256 KiB test swap, encrypted ($(basename "$enc_key" .der))"
	fi
	image "$work/big-test.bin" 262144 1.0.0 --pad "${enc[@]}"
	for c in "256 KiB image in slot 0:big.bin" "4 KiB image in slot 0:small.bin" \
		"$swap:big.bin big-test.bin"; do
		what=${c%%:*}
		read -r img0 img1 <<<"${c#*:}"
		slots=("$work/$img0" "$s0")
		[ -z "$img1" ] || slots+=("$work/$img1" "$s1")
		flash "$work/f" "$size" "$boot" "${slots[@]}"
		total=$(($(field "$(run "$work/f")" clock) * per_tick))
		flash "$work/f" "$size" "$bench" "${slots[@]}"
		log=$(run "$work/f")
		btotal=$(($(field "$log" clock) * per_tick))
		sha=$(($(field "$log" sha256) * per_tick))
		k=$(($(field "$log" key) * per_tick))
		v=$(($(field "$log" verify) * per_tick))
		n=$(field "$log" verify_calls)
		# BearSSL's key check is one call through its P-256 vtable, not timed on its own.
		if [ "$crypto" = mbedtls ] || [ "$alg" = RSA-2048 ]; then keycol=$(ki "$k"); else keycol="(in signature)"; fi
		printf '| %s (%s) | %s | %s | %s | %s | %s (%s) | %s (%s) | %s | %d | %s |\n' "$cpu" "$machine" "$crypto" "$alg" "$what" \
			"$(mi "$total")" "$(mi "$sha")" "$(pct "$sha" "$total")" "$(mi "$v")" \
			"$(pct "$v" "$total")" "$keycol" "$n" "$(mi $((total - sha - v)))"
		overhead+=("$cpu, $crypto, $alg, $what: bench build $(mi "$btotal") = shipped + $(mi $((btotal - total))) (painting, stack scan, report line)")
	done
done
echo
echo "Shares are of the shipped bootloader's total; the parts are timed in bootloader-bench, whose"
echo "start-up also paints the stack (not in the shipped build):"
printf '  %s\n' "${overhead[@]}"
