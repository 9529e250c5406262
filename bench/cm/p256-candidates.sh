#!/usr/bin/env bash
# P-256 verification candidates for the Cortex-M bootloader, side by side
# (issue 17; docs/performance.md, "Crypto library for the Cortex-M
# bootloader"): flash of the library as linked (--gc-sections, from the map)
# and the instructions of one verification under QEMU mps2-an386
# -icount shift=0 (bench/cm/p256/harness.c, a fresh OpenSSL key and signature
# per run, the same for every candidate).
#   - BearSSL 0.6, br_ecdsa_i31_vrfy_raw over br_ec_p256_m31, from the target
#     prefix scripts/bearssl-target.sh fills;
#   - nettle 3.8 (Debian's source package, scripts/debian-source.sh) configured
#     --enable-mini-gmp (nettle's own small mpn layer instead of GMP), its
#     limb-level ecc_ecdsa_verify(), with the fixed-base table nettle's eccdata
#     generates for each "K C" given (Debian builds "11 6");
#   - the same nettle through its public API (ecc_point_set, the only on-curve
#     check nettle has, and ecdsa_verify on mini-gmp's mpz, which mallocs):
#     size only.
#
#   bench/cm/p256-candidates.sh TARGET_PREFIX ["K C"...]    (default "11 6" "43 3" "64 2" "128 1")
#   e.g. bench/cm/p256-candidates.sh build-cortex-m4f/target
set -euo pipefail
(($# >= 1)) || { echo "usage: $0 TARGET_PREFIX [\"K C\"...]" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
prefix=$(cd "$1" && pwd)
shift
tables=("$@")
((${#tables[@]})) || tables=("11 6" "43 3" "64 2" "128 1")
here="$root/bench/cm/p256"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-p256.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cflags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -ffunction-sections -fdata-sections -ffreestanding -DNDEBUG -std=gnu11)
# shellcheck disable=SC2054 # one linker option
ldflags=(-nostartfiles --specs=nano.specs -T "$here/link.ld" -Wl,--gc-sections)

# The test vector: a P-256 key, the SHA-256 of some bytes, its signature as r || s.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/key.pem"
head -c 1024 /dev/urandom >"$work/msg"
openssl dgst -sha256 -binary -out "$work/hash" "$work/msg"
openssl pkeyutl -sign -inkey "$work/key.pem" -in "$work/hash" -out "$work/sig.der"
openssl ec -in "$work/key.pem" -pubout -outform DER -out "$work/pub.der" 2>/dev/null
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
der, h, pub = (open(f"{w}/{n}", "rb").read() for n in ("sig.der", "hash", "pub.der"))
def integer(b, i):  # DER INTEGER at b[i] -> (32-byte big-endian value, next index)
    assert b[i] == 2 and b[i + 1] < 0x80
    n = b[i + 1]
    return int.from_bytes(b[i + 2:i + 2 + n], "big").to_bytes(32, "big"), i + 2 + n
r, i = integer(der, 2)
s, _ = integer(der, i)
def arr(name, b):
    return "static const unsigned char %s[%d] = {%s};\n" % (name, len(b), ", ".join("0x%02x" % x for x in b))
open(f"{w}/vec.h", "w").write(arr("vec_q", pub[-64:]) + arr("vec_h", h) + arr("vec_rs", r + s))
PY

# library bytes in a link map: everything but the harness, its glue and libc
lib_bytes() {
	awk -f "$root/bench/size/map-sizes.awk" "$1" |
		awk '$1 ~ /^(harness|verify_)/ { next } $1 ~ /^libc|^libgcc/ { l += $2 + $3; next }
			{ t += $2 + $3 } END { printf "%d %d\n", t, l }'
}
# run ELF: the harness's line ("ok instructions N")
run() {
	timeout 900 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none -semihosting \
		-icount shift=0,sleep=off -kernel "$1" 2>&1 | tr -d '\r' | head -n1
}
row() { # NAME ELF MAP [size-only]
	read -r lib libc < <(lib_bytes "$3")
	local line="(not run)"
	[ -n "${4:-}" ] || line=$(run "$2")
	printf '| %s | %d | %d | %s |\n' "$1" "$lib" "$libc" "$line"
}
cc_h() { arm-none-eabi-gcc "${cflags[@]}" -I"$work" -c "$here/harness.c" -o "$work/harness.o"; }
cc_h

echo "| candidate | library bytes (text + data) | libc bytes | one verification, instructions (mps2-an386) |"
echo "|---|---:|---:|---|"
arm-none-eabi-gcc "${cflags[@]}" -I"$prefix/include" -c "$here/verify_bearssl.c" -o "$work/verify_bearssl.o"
arm-none-eabi-gcc "${ldflags[@]}" "${cflags[@]}" "$work/harness.o" "$work/verify_bearssl.o" "$prefix/lib/libbearssl.a" \
	-Wl,-Map="$work/bearssl.map" -o "$work/bearssl.elf"
row "BearSSL 0.6 i31/m31 ($(cut -d' ' -f1 "$prefix/bearssl-version"))" "$work/bearssl.elf" "$work/bearssl.map"

# nettle: configured for the target with mini-gmp; eccdata (a build tool) runs on the host.
nsrc=$("$root/scripts/debian-source.sh" nettle ecc-secp256r1.c)
cp -r "$nsrc" "$work/nettle"
(cd "$work/nettle" && ./configure --host=arm-none-eabi --enable-mini-gmp --disable-assembler \
	--disable-shared --disable-documentation --disable-openssl CC_FOR_BUILD=cc \
	CFLAGS="${cflags[*]}" LDFLAGS="--specs=nosys.specs" >"$work/nettle-configure.log" 2>&1 &&
	make eccdata >/dev/null 2>&1)
for t in "${tables[@]}"; do
	read -r k c <<<"$t"
	obj="$work/nettle-obj-$k-$c"
	mkdir -p "$obj"
	(cd "$work/nettle" && ./eccdata secp256r1 "$k" "$c" 32 >ecc-secp256r1.h 2>/dev/null &&
		for f in ecc-*.c mini-gmp.c gmp-glue.c cnd-copy.c sec-tabselect.c sec-add-1.c sec-sub-1.c \
			ecdsa-verify.c dsa.c; do
			# only secp256r1's curve file (the others need their own eccdata tables)
			case $f in ecc-curve*.c | ecc-gost-*.c | ecc-secp[1-5]*r1.c) [ "$f" = ecc-secp256r1.c ] || continue ;; esac
			arm-none-eabi-gcc "${cflags[@]}" -DHAVE_CONFIG_H -I. -c "$f" -o "$obj/${f%.c}.o"
		done && arm-none-eabi-ar rcs "$obj/libnettle-p256.a" "$obj"/*.o)
	for v in verify_nettle verify_nettle_mpz; do
		arm-none-eabi-gcc "${cflags[@]}" -DHAVE_CONFIG_H -I"$work/nettle" -c "$here/$v.c" -o "$work/$v.o"
		libs=("$obj/libnettle-p256.a")
		[ "$v" = verify_nettle ] || libs+=(--specs=nosys.specs)
		arm-none-eabi-gcc "${ldflags[@]}" "${cflags[@]}" "$work/harness.o" "$work/$v.o" "${libs[@]}" \
			-Wl,-Map="$work/$v-$k-$c.map" -o "$work/$v-$k-$c.elf" 2>/dev/null
		if [ "$v" = verify_nettle ]; then
			row "nettle 3.8 + mini-gmp, ecc_ecdsa_verify, table \"$k $c\"" "$work/$v-$k-$c.elf" "$work/$v-$k-$c.map"
		else
			row "nettle 3.8 + mini-gmp, ecc_point_set + ecdsa_verify (mpz, malloc), table \"$k $c\"" \
				"$work/$v-$k-$c.elf" "$work/$v-$k-$c.map" size-only
		fi
	done
done
