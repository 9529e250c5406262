#!/usr/bin/env bash
# The install check (scripts/test.sh runs it):
#   1. a host build (MinSizeRel, BUILD_TESTING=OFF, cmocka hidden from pkg-config)
#      installed into a temporary prefix: its file set, every header compiling on
#      its own, the pkg-config files and CMake package naming every library, the
#      installed tools (dfukit --version, dfukit image, dfukit board list, a board run
#      from the prefix with its installed firmware, dfu-gadget --help and --dump);
#   2. the consumer (tests/install/consumer*.c) built against that prefix with
#      pkg-config and with find_package, and run: DFU loopback on vudc, and an
#      MCUboot fixture image validated with its key;
#   3. a Cortex-M4F cross build (DFUKIT_HOST=OFF) installed the same way, and the
#      consumer linked into a bare-metal ELF with arm-none-eabi-gcc, through
#      find_package (cmake/cortex-m4f.cmake) and through pkg-config; and with dfukit
#      as add_subdirectory() of the consumer's project, without an install.
#
#   tests/install/check-install.sh [WORK_DIR]     (default: build-install)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/tests/install"
work="${1:-$root/build-install}"
jobs="$(nproc)"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
tmp="$(mktemp -d)"
board_pid=""
cleanup() {
	if [ -n "$board_pid" ]; then
		kill "$board_pid" 2>/dev/null || echo "check-install: board $board_pid already gone" >&2
		wait "$board_pid" 2>/dev/null || echo "check-install: board $board_pid stopped" >&2
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "check-install: FAIL: $*" >&2; exit 1; }
step() { echo "-- $*"; }

image="$root/tests/fixtures/mcuboot/images/ecdsa-p256-1000-padhdr.bin"
key="$root/tests/fixtures/mcuboot/keys/ecdsa-p256.pub.der"
cwarn=(-std=c11 -Wall -Wextra -Werror -Wconversion -Wshadow -Wstrict-prototypes -pedantic)
# Headers cmake/install.cmake leaves out: the board glue always, the host ports' in cross builds.
never_installed=(host/board_env.h port/board_image.h)
host_only=(port/usbip.h port/ffs.h) # and all of host/
# Headers a consumer of each kind of install must find.
must_have=(usbd.h udc.h dfu.h dfu_ramdisk.h dfu_flash.h dfuse.h flash.h image.h boot.h boot_image.h
	msos20.h sample/device.h port/vudc.h board_profile.h null/null_udc.h)
# Libraries every install carries (cross installs add the target mbedcrypto), and host ones.
portable_libs=(usbd msos20 dfu dfu_ramdisk dfu_flash dfuse sample flash boards image boot boot_image
	vudc null_port)
host_libs=(usbip ffs flash_file)

in_list() { # in_list WORD LIST...
	local w="$1" x
	shift
	for x in "$@"; do [ "$x" = "$w" ] && return 0; done
	return 1
}

# check_tree PREFIX host|cross CC [CFLAGS...]: the installed files.
check_tree() {
	local prefix="$1" kind="$2" cc="$3"
	shift 3
	local inc="$prefix/include/dfukit" n=0 h name
	# Every header under include/dfukit/ is installed unless it is one of the left-out ones.
	local src_hdrs=()
	while IFS= read -r -d '' h; do src_hdrs+=("$h"); done < <(find "$root/include/dfukit" -name '*.h' -print0)
	((${#src_hdrs[@]} > 0)) || fail "no headers under $root/include/dfukit"
	for h in "${src_hdrs[@]}"; do
		name="${h#"$root"/include/dfukit/}"
		if in_list "$name" "${never_installed[@]}" ||
			{ [ "$kind" = cross ] && { in_list "$name" "${host_only[@]}" || [ "${name%%/*}" = host ]; }; }; then
			[ ! -e "$inc/$name" ] || fail "$kind: $name is installed without its library"
		else
			cmp -s "$h" "$inc/$name" || fail "$kind: include/dfukit/$name is not installed (or differs)"
			n=$((n + 1))
		fi
	done
	for name in "${must_have[@]}"; do
		[ -f "$inc/$name" ] || fail "$kind: include/dfukit/$name is missing"
	done
	[ "$kind" = host ] || [ ! -e "$inc/host" ] ||
		fail "cross: include/dfukit/host/ is installed without the host libraries"
	# Every installed header compiles on its own with the consumer's warnings.
	local hdrs=() count=0
	while IFS= read -r -d '' h; do hdrs+=("$h"); done < <(find "$inc" -name '*.h' -print0)
	for h in "${hdrs[@]}"; do
		printf '#include <dfukit/%s>\n' "${h#"$inc"/}" >"$tmp/hdr.c"
		"$cc" "$@" "${cwarn[@]}" -fsyntax-only -I"$prefix/include" "$tmp/hdr.c" ||
			fail "$kind: ${h#"$prefix"/} does not compile on its own"
		count=$((count + 1))
	done
	((count >= n && n > 0)) || fail "$kind: $count headers compiled, $n expected"
	# Every library is in a pkg-config file and is an imported target of the package.
	local libs=() pc_libs targets lib short
	while IFS= read -r -d '' lib; do libs+=("$lib"); done < <(find "$prefix/lib" -maxdepth 1 -name 'lib*.a' -print0)
	((${#libs[@]} > 1)) || fail "$kind: no libraries installed"
	local want=("${portable_libs[@]}")
	if [ "$kind" = host ]; then
		want+=("${host_libs[@]}")
	else
		want+=(mbedcrypto)
		for lib in "${host_libs[@]}"; do
			[ ! -e "$prefix/lib/libdfukit_$lib.a" ] || fail "cross: host library dfukit_$lib installed"
		done
	fi
	for lib in "${want[@]}"; do
		[ "$lib" = mbedcrypto ] || lib="dfukit_$lib"
		[ -f "$prefix/lib/lib$lib.a" ] || fail "$kind: lib$lib.a is not installed"
	done
	((${#libs[@]} == ${#want[@]})) || fail "$kind: ${#libs[@]} libraries installed, ${#want[@]} expected"
	local pcs=(dfukit)
	[ "$kind" = cross ] || pcs+=(dfukit-host)
	pc_libs="$(PKG_CONFIG_PATH="" PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" pkg-config --libs "${pcs[@]}")" ||
		fail "$kind: pkg-config ${pcs[*]}"
	targets="$(cat "$prefix"/lib/cmake/dfukit/dfukit-targets.cmake)"
	for lib in "${libs[@]}"; do
		lib="$(basename "$lib" .a)"
		lib="${lib#lib}"
		[[ " $pc_libs " == *" -l$lib "* ]] || fail "$kind: lib$lib.a is in no pkg-config file"
		[ "$lib" != mbedcrypto ] || continue
		short="${lib#dfukit_}"
		[[ "$targets" == *"add_library(dfukit::$short STATIC IMPORTED)"* ]] ||
			fail "$kind: lib$lib.a has no imported target dfukit::$short"
	done
	echo "   $kind install: ${#libs[@]} libraries, $count headers (each compiles alone), pkg-config and CMake package name them all"
}

# ---- host ---------------------------------------------------------------------
host_build="$work/host"
host_prefix="$tmp/host"
step "host build (MinSizeRel, BUILD_TESTING=OFF, cmocka hidden)"
PKG_CONFIG_LIBDIR="$tmp/no-pkgconfig" cmake -S "$root" -B "$host_build" -DCMAKE_BUILD_TYPE=MinSizeRel \
	-DBUILD_TESTING=OFF >"$work/host-configure.log" 2>&1 || { cat "$work/host-configure.log"; fail "host configure"; }
cmake --build "$host_build" -j"$jobs" >"$work/host-build.log" 2>&1 ||
	{ tail -40 "$work/host-build.log"; fail "host build"; }
[ ! -e "$host_build/CTestTestfile.cmake" ] || fail "BUILD_TESTING=OFF still configured tests"
cmake --install "$host_build" --prefix "$host_prefix" >"$work/host-install.log" ||
	fail "host install"
check_tree "$host_prefix" host cc

step "installed tools"
for prog in dfukit dfukit-board dfukit-image dfu-gadget dfu-gadget-setup.sh; do
	[ -x "$host_prefix/bin/$prog" ] || fail "bin/$prog is not installed"
done
out="$("$host_prefix/bin/dfukit" image --help)" || fail "dfukit image --help"
[[ "$out" == *"MCUboot image tool"* ]] || fail "dfukit image --help: $out"
out="$("$host_prefix/bin/dfukit" board list)" || fail "dfukit board list"
[[ "$out" == *reel_board*nucleo_u575zi_q* ]] || fail "dfukit board list: $out"
out="$("$host_prefix/bin/dfu-gadget" --help)" || fail "dfu-gadget --help"
[[ "$out" == *"--ffs-dir DIR"*"--transfer-size N"*"exit status:"* ]] || fail "dfu-gadget --help: $out"
want_version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$host_build/CMakeCache.txt")"
[ -n "$want_version" ] || fail "no CMAKE_PROJECT_VERSION in the host build"
for v in --version "image version"; do
	# shellcheck disable=SC2086
	out="$("$host_prefix/bin/dfukit" $v)" || fail "dfukit $v"
	[ "$out" = "dfukit $want_version" ] || fail "dfukit $v: '$out', the build is $want_version"
done
out="$("$host_prefix/bin/dfukit" image sign --help)" || fail "dfukit image sign --help"
[[ "$out" == "Usage: dfukit image sign "* ]] || fail "installed dfukit image names itself: $out"
out="$("$host_prefix/bin/dfu-gadget" --dump)" || fail "dfu-gadget --dump"
[[ "$out" == "descriptors ("* ]] || fail "dfu-gadget --dump: $out"
# A board run from the prefix: the bootloader and the factory image from the installed
# firmware directory, up to the DFU sample serving USB/IP.
fw_dir="$host_prefix/bin/../libexec/dfukit/firmware"
mkdir "$tmp/board"
log="$tmp/board/console.log"
started=""
for attempt in 1 2 3; do
	port=$((20000 + RANDOM % 20000))
	(cd "$tmp/board" && exec "$host_prefix/bin/dfukit" board run --listen "127.0.0.1:$port" \
		--flash "$tmp/board/b.flash") >"$log" 2>&1 &
	board_pid=$!
	for _ in $(seq 100); do
		if grep -q "USB DFU sample is initialized" "$log"; then started=1; break; fi
		kill -0 "$board_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -z "$started" ] || break
	kill "$board_pid" 2>/dev/null || echo "   board exited on its own (attempt $attempt)"
	wait "$board_pid" 2>/dev/null || echo "   board attempt $attempt ended"
	board_pid=""
	grep -q "cannot listen" "$log" || break
done
[ -n "$started" ] || { cat "$log"; fail "the installed board did not bring up the DFU sample"; }
grep -qF "programmed $fw_dir/dfu-sample.signed.bin" "$log" ||
	{ cat "$log"; fail "the installed board did not use the installed firmware ($fw_dir)"; }
grep -q "Starting bootloader" "$log" || { cat "$log"; fail "the installed board ran no bootloader"; }
"$host_prefix/bin/dfukit" board stop --flash "$tmp/board/b.flash" || fail "dfukit board stop"
wait "$board_pid" || fail "the installed board exited with an error"
board_pid=""
echo "   dfukit --version, dfukit image, dfukit board list, dfu-gadget --help and --dump, board run from the prefix: ok"

step "host consumer: pkg-config and find_package"
PKG_CONFIG_PATH="" PKG_CONFIG_LIBDIR="$host_prefix/lib/pkgconfig" \
	pkg-config --cflags --libs dfukit-host >"$tmp/pc-host" || fail "pkg-config dfukit-host"
read -r -a pc_host <"$tmp/pc-host"
cc "${cwarn[@]}" -O2 -o "$tmp/consumer-pc" "$here/consumer.c" "$here/consumer_host.c" "${pc_host[@]}" ||
	fail "the pkg-config consumer does not build"
"$tmp/consumer-pc" "$image" "$key" || fail "the pkg-config consumer failed"
cmake -S "$here" -B "$tmp/consumer-cmake" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$host_prefix" \
	>"$tmp/consumer-cmake.log" 2>&1 || { cat "$tmp/consumer-cmake.log"; fail "find_package(dfukit) (host)"; }
cmake --build "$tmp/consumer-cmake" >>"$tmp/consumer-cmake.log" 2>&1 ||
	{ cat "$tmp/consumer-cmake.log"; fail "the find_package consumer does not build"; }
"$tmp/consumer-cmake/consumer" "$image" "$key" || fail "the find_package consumer failed"

# ---- Cortex-M4F -----------------------------------------------------------------
cm_build="$work/cortex-m4f"
cm_prefix="$tmp/cortex-m4f"
step "Cortex-M4F cross build (DFUKIT_HOST=OFF) and install"
"$root/scripts/mbedtls-target.sh" cortex-m4f "$cm_build/target" >/dev/null || fail "target mbedTLS"
# The consumer checks an ECDSA-P256 image; a Cortex-M build verifies only
# RSA-2048 unless DFUKIT_SIGNATURES says otherwise.
signatures="-DDFUKIT_SIGNATURES=rsa-2048;ecdsa-p256"
cmake -S "$root" -B "$cm_build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/cortex-m4f.cmake" \
	-DCMAKE_BUILD_TYPE=MinSizeRel -DDFUKIT_HOST=OFF -DDFUKIT_TARGET_PREFIX="$cm_build/target" \
	"$signatures" >"$work/cm-configure.log" 2>&1 || { cat "$work/cm-configure.log"; fail "cross configure"; }
cmake --build "$cm_build" -j"$jobs" >"$work/cm-build.log" 2>&1 ||
	{ tail -40 "$work/cm-build.log"; fail "cross build"; }
cmake --install "$cm_build" --prefix "$cm_prefix" >"$work/cm-install.log" || fail "cross install"
cpu_flags="$(sed -n 's/^DFUKIT_CPU_FLAGS:STRING=//p' "$cm_build/CMakeCache.txt")"
[ -n "$cpu_flags" ] || fail "no DFUKIT_CPU_FLAGS in the cross build"
read -r -a cpu <<<"$cpu_flags"
check_tree "$cm_prefix" cross arm-none-eabi-gcc "${cpu[@]}"
[ ! -e "$cm_prefix/bin" ] || fail "cross: host programs installed"
pc_cpu="$(PKG_CONFIG_PATH="" PKG_CONFIG_LIBDIR="$cm_prefix/lib/pkgconfig" pkg-config --variable=cpu_flags dfukit)"
[ "$pc_cpu" = "$cpu_flags" ] || fail "cross: dfukit.pc cpu_flags '$pc_cpu', built with '$cpu_flags'"

# check_elf ELF: the consumer's firmware holds the libraries' code, for the right core.
check_elf() {
	local elf="$1" syms attrs s
	syms="$(arm-none-eabi-nm "$elf")" || fail "nm $elf"
	for s in Reset_Handler usbd_init dfu_init sample_device_describe vudc_control dfukit_image_validate \
		mbedtls_ecdsa_read_signature mbedtls_sha256_update_ret; do
		grep -Eq " T $s\$" <<<"$syms" || fail "$(basename "$elf"): $s is not linked in"
	done
	attrs="$(arm-none-eabi-readelf -A "$elf")" || fail "readelf $elf"
	grep -q "Tag_ABI_VFP_args: VFP registers" <<<"$attrs" || fail "$(basename "$elf"): not hard-float"
}
step "Cortex-M4F consumer: find_package (cmake/cortex-m4f.cmake) and pkg-config (arm-none-eabi-gcc)"
cmake -S "$here" -B "$tmp/consumer-cm" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/cortex-m4f.cmake" \
	-DCMAKE_BUILD_TYPE=MinSizeRel -DDFUKIT_TARGET_PREFIX="$cm_prefix" >"$tmp/consumer-cm.log" 2>&1 ||
	{ cat "$tmp/consumer-cm.log"; fail "find_package(dfukit) (cross)"; }
cmake --build "$tmp/consumer-cm" >>"$tmp/consumer-cm.log" 2>&1 ||
	{ cat "$tmp/consumer-cm.log"; fail "the find_package Cortex-M consumer does not link"; }
check_elf "$tmp/consumer-cm/consumer-cm.elf"
PKG_CONFIG_PATH="" PKG_CONFIG_LIBDIR="$cm_prefix/lib/pkgconfig" pkg-config --cflags --libs dfukit \
	>"$tmp/pc-cm" || fail "pkg-config dfukit (cross)"
read -r -a pc_cm <<<"$(cat "$tmp/pc-cm")"
arm-none-eabi-gcc "${cpu[@]}" -Os -ffunction-sections -fdata-sections "${cwarn[@]}" \
	"$here/consumer.c" "$here/consumer_cm.c" -nostartfiles -T "$here/consumer-cm.ld" \
	--specs=nano.specs -Wl,--gc-sections "${pc_cm[@]}" -o "$tmp/consumer-cm-pc.elf" ||
	fail "the pkg-config Cortex-M consumer does not link"
check_elf "$tmp/consumer-cm-pc.elf"
step "Cortex-M4F consumer with dfukit as add_subdirectory (no install)"
cmake -S "$here" -B "$tmp/consumer-sub" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/cortex-m4f.cmake" \
	-DCMAKE_BUILD_TYPE=MinSizeRel -DDFUKIT_TARGET_PREFIX="$cm_build/target" -DDFUKIT_SOURCE_DIR="$root" \
	-DDFUKIT_HOST=OFF "$signatures" >"$tmp/consumer-sub.log" 2>&1 || { cat "$tmp/consumer-sub.log"; fail "add_subdirectory(dfukit)"; }
cmake --build "$tmp/consumer-sub" -j"$jobs" >>"$tmp/consumer-sub.log" 2>&1 ||
	{ cat "$tmp/consumer-sub.log"; fail "the add_subdirectory Cortex-M consumer does not link"; }
check_elf "$tmp/consumer-sub/consumer-cm.elf"
[ ! -e "$tmp/consumer-sub/dfukit/bench/size/fw-dfu.elf" ] || fail "add_subdirectory built more than the consumer links"
arm-none-eabi-size "$tmp/consumer-cm/consumer-cm.elf" "$tmp/consumer-cm-pc.elf" "$tmp/consumer-sub/consumer-cm.elf"
echo "install check passed: host and Cortex-M4F installs, pkg-config and find_package consumers"
