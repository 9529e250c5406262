# shellcheck shell=bash
# Shared by the tests/cm/emulated-*.sh scripts: the emulated boards' flash
# map, a --from build of another strategy, one boot of QEMU with the flash in
# a file, and the checks with their counts. Source it after setting `name`
# (the script's name for messages) and `root` (the source tree).

fails=0
checks=0
fail() { echo "$name: FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { checks=$((checks + 1)); }
fail_with_log() {
	fail "$1"
	[ ! -f "$2" ] || sed 's/^/  | /' "$2" >&2
}
# summary BOARD: the counts; the status says whether all passed.
summary() {
	echo "$name: $1: $checks checks passed, $fails failed"
	((fails == 0))
}

# emu_board CROSS_BUILD_DIR: the emulated board of a cross build and its
# flash map (apps/bootloader-cm/mps2): board, machine, load (where the flash
# file is loaded), ram (SRAM base), flash_size, slot0, slot1, slot_size,
# align, zephyr_board.
emu_board() {
	if grep -q 'cortex-m33' "$1/CMakeCache.txt"; then
		board=nucleo_u575zi_q machine=mps2-an505 load=0x10000000 ram=0x38000000
		flash_size=$((0x200000)) slot0=$((0x10000)) slot1=$((0xF8000)) slot_size=0xE8000 align=16
		zephyr_board=nucleo_u575zi_q/stm32u575xx
	else
		board=reel_board machine=mps2-an386 load=0x0 ram=0x20000000
		flash_size=$((0x100000)) slot0=$((0xC000)) slot1=$((0x82000)) slot_size=0x76000 align=4
		zephyr_board=reel_board@1/nrf52840
	fi
}

# emu_variant_build CROSS_BUILD_DIR SUFFIX CMAKE_ARG... -- TARGET...: configure
# CROSS-SUFFIX like CROSS (preset, build type, crypto, signatures, target
# prefix: the target crypto is not built again) with the CMAKE_ARGs (which
# may override those) and
# build TARGETs there (BOARD in a target's name is the cross build's board).
# The new directory in `cross`.
emu_variant_build() {
	local from=$1 suffix=$2 preset b t
	shift 2
	local args=()
	while (($#)) && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift # --
	get() { sed -n "s/^$1:[A-Z]*=//p" "$from/CMakeCache.txt"; }
	preset=$(basename "$(get CMAKE_TOOLCHAIN_FILE)" .cmake)
	case $preset in cortex-m4f) b=reel_board ;; cortex-m33) b=nucleo_u575zi_q ;; *) return 2 ;; esac
	# the CMAKE_ARGs last: they may override what CROSS had
	(cd "$root" && cmake --preset "$preset" -B "$from-$suffix" \
		-DDFUKIT_TARGET_PREFIX="$(get DFUKIT_TARGET_PREFIX)" -DDFUKIT_CRYPTO="$(get DFUKIT_CRYPTO)" \
		-DDFUKIT_SIGNATURES="$(get DFUKIT_SIGNATURES)" -DCMAKE_BUILD_TYPE="$(get CMAKE_BUILD_TYPE)" \
		"${args[@]}" >/dev/null) || return
	local targets=()
	for t in "$@"; do targets+=("${t//BOARD/$b}"); done
	cmake --build "$from-$suffix" -j2 --target "${targets[@]}" >/dev/null || return
	cross=$from-$suffix
}

# emu_mode_build CROSS_BUILD_DIR MODE TARGET...: emu_variant_build of
# CROSS-MODE with -DDFUKIT_BOOT_MODE=MODE.
emu_mode_build() {
	local from=$1 mode=$2
	shift 2
	emu_variant_build "$from" "$mode" -DDFUKIT_BOOT_MODE="$mode" -- "$@"
}

# The console line that ends a boot: hello_world's, whole (killed mid-line,
# the console would lack its end). A script may widen it.
emu_stop='Hello World![^\n]*\n'

# boot FLASH LOG [SEMIHOSTING_ARG...]: power the board on until the console
# matches emu_stop or the firmware stops. QEMU's status: 0 once the line came
# (QEMU ends cleanly on the SIGTERM), 64+ from the firmware
# (port/mps2/mps2.h), 124 on the timeout.
boot() {
	local flash=$1 log=$2 args="" a
	shift 2
	for a in "$@"; do args+=",arg=$a"; done
	: >"$log" || { echo "$name: cannot create $log" >&2; return 125; }
	timeout 120 qemu-system-arm -M "$machine" -nographic -monitor none -serial stdio \
		-semihosting-config "enable=on,target=native,arg=bootloader,arg=flash=$flash$args" \
		-device "loader,file=$flash,addr=$load,force-raw=on" >"$log" 2>&1 &
	local pid=$! rc=0
	while kill -0 "$pid" 2>/dev/null; do
		if grep -qzP "$emu_stop" "$log"; then
			kill "$pid" 2>/dev/null || [ ! -d "/proc/$pid" ] # it may have ended meanwhile
			break
		fi
		sleep 0.05
	done
	wait "$pid" || rc=$?
	return "$rc"
}

# boot_expecting STATUS WHAT FLASH LOG [SEMIHOSTING_ARG...]: boot; any other
# status than STATUS is a failure, reported with the console.
boot_expecting() {
	local want=$1 what=$2 rc=0
	shift 2
	boot "$@" || rc=$?
	[ "$rc" = "$want" ] && return 0
	fail_with_log "$what: QEMU status $rc, expected $want" "$2"
	return 1
}

# expect LOG WHAT REGEX...: each regex on the console, in order.
expect() {
	local log=$1 what=$2
	shift 2
	if python3 - "$log" "$@" <<'PY'; then ok; else fail_with_log "$what" "$log"; fi
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
at = 0
for pattern in sys.argv[2:]:
    while at < len(lines) and not re.search(pattern, lines[at]):
        at += 1
    if at == len(lines):
        print(f"  /{pattern}/ missing (in order)", file=sys.stderr)
        sys.exit(1)
    at += 1
PY
}
