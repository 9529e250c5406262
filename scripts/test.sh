#!/usr/bin/env bash
# The test command: install dependencies, build, run every test with CTest,
# then the unit tests again under ASan+UBSan, then the Cortex-M builds with their
# sizes, then the unit tests on a big-endian target (s390x under qemu-user).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="$(nproc)"

./scripts/install-deps.sh

echo "== build (host, Debug)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=gcc -DDFUKIT_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs" -L unit

echo "== e2e under ASan+UBSan: the board and its firmware instrumented, real dfu-util in the guest"
# Instrumented programs outgrow the flash slots, so the board runs the DFU
# sample directly (no bootloader) with DFUKIT_BOARD_FIRMWARE; any sanitizer
# report on the board's console fails the test.
asan_fw="$root/build-asan/firmware/dfu-sample"
DFUKIT_BOARD_FIRMWARE="$asan_fw" ./tests/e2e/with-board.sh \
	--expect-log "USBD message: DFU download completed" build-asan --timeout 400 \
	tests/e2e/scenarios/ramdisk.sh build/bench/usb-probe >build-asan/e2e-ramdisk.log 2>&1 ||
	{ cat build-asan/e2e-ramdisk.log; exit 1; }
DFUKIT_BOARD_FIRMWARE="$asan_fw" ./tests/e2e/with-board.sh \
	--expect-log "SLOT-1: image v0.0.0 verified" build-asan --timeout 400 \
	tests/e2e/scenarios/hostile-host.sh build/bench/usb-probe build/firmware/hello_world.signed.bin \
	>build-asan/e2e-hostile.log 2>&1 || { cat build-asan/e2e-hostile.log; exit 1; }
DFUKIT_BOARD_FIRMWARE="$asan_fw" ./tests/e2e/usbip-stress.sh build-asan
echo "e2e under ASan+UBSan: ramdisk walkthrough, hostile host, USB/IP stress passed, no sanitizer report"

echo "== reliability: static analysis, unit tests under valgrind, short fuzzing"
# Tools of these steps (Debian 12 packages), installed like install-deps.sh does.
rel_pkgs=(clang clang-tidy clang-format cppcheck valgrind libclang-rt-14-dev python3-unicorn)
rel_missing=()
for p in "${rel_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || rel_missing+=("$p")
done
if ((${#rel_missing[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${rel_missing[@]}"
fi
t0=$SECONDS
SA_BUILD="$root/build-analysis" ./scripts/static-analysis.sh
# The code's shape: no source file over 800 lines, no function over 80 (tests aside).
./scripts/check-shape.py
# One style (.clang-format), as applied to the whole tree.
./scripts/check-format.sh
t1=$SECONDS
VG_BUILD="$root/build-valgrind" ./scripts/valgrind-unit.sh
t2=$SECONDS
FUZZ_BUILD="$root/build-fuzz" ./scripts/fuzz.sh 20
t3=$SECONDS
echo "reliability steps: static analysis $((t1 - t0)) s, valgrind $((t2 - t1)) s, fuzzing $((t3 - t2)) s"

echo "== Cortex-M builds (M4F, M33): library, firmware and bootloader sizes"
./scripts/cortex-m-sizes.sh
echo "== Cortex-M bootloader and hello_world on the emulated boards (QEMU mps2-an386, mps2-an505)"
./tests/cm/emulated-boot.sh build-cortex-m4f build
./tests/cm/emulated-boot.sh build-cortex-m33 build
echo "== fault injection: every instruction of the verification path skipped once, both CPUs (tests/fih)"
# Fails on any single-fault bypass (a skipped instruction that boots a bad image).
# The control scenario and the whole boot: tests/fih/README.md, docs/reliability.md.
# python3-unicorn (installed with the reliability tools) is Debian's: /usr/bin/python3.
for cross in build-cortex-m4f build-cortex-m33; do
	/usr/bin/python3 tests/fih/fih.py "$cross" build --path --scenario bad-signature \
		--scenario bad-hash --scenario untrusted-key --scenario slot1-bad-test-swap
done
echo "== the emulated boards: dfukit-emu's USB over USB/IP (cm.emu.usb), direct-xip and ram-load"
echo "   bootloaders (cm.emu.*), and dfukit board run --emulate with the real dfu-util (e2e.cm.*)"
# Configured again: these tests exist once the cross builds do.
cmake -S . -B build >/dev/null
ctest --test-dir build --output-on-failure -R '^(e2e\.cm|cm\.emu)\.'
echo "== the bootloader's mbedTLS configuration, run on the host against the fixtures"
./scripts/target-crypto-check.sh "$root/build-target-crypto"

echo "== big-endian: unit tests built for s390x, run under qemu-user"
./scripts/big-endian-tests.sh "$root/build-s390x"

echo "== Release build (host, -O3 with -Werror): everything, then the unit tests"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$jobs"
ctest --test-dir build-release --output-on-failure -j"$jobs" -L unit

echo "== install: host (MinSizeRel, no tests) and Cortex-M4F installs, consumers via pkg-config and find_package"
./tests/install/check-install.sh "$root/build-install"
