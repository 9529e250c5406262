# Guest side of bench/dfu-speed.sh. Default: 1 MiB through the real dfu-util
# into ramdisk0 and back. With DFUKIT_GUEST_BENCH_SLOT1=1: the signed image
# /data/image256k.bin into SLOT-1, three times (the native and the emulated
# board run this same case).
# shellcheck shell=sh
. /lib-guest.sh
set -u
SIZE=1048576
attach_board || fail bench "board not attachable"
dfu-util --detach >/dev/null 2>&1 || fail bench "detach"
wait_gone && attach_board >/dev/null || fail bench "no DFU mode"
/data/usb-probe rtt 2fe3:0005 200 | sed 's/^/RTT /' || fail bench "rtt"
# dfu-util's own start-up (libusb init, enumeration, descriptor reads), to set apart.
for _ in 1 2 3; do /data/usb-probe time dfu-util -l 2>&1 | grep BENCH | sed 's/^/STARTUP /'; done
if [ "${DFUKIT_GUEST_BENCH_SLOT1:-}" = 1 ]; then
	for _ in 1 2 3; do
		echo "BENCH-CASE slot1 t=4096"
		/data/usb-probe time dfu-util --alt 1 --download /data/image256k.bin >/tmp/dn.out 2>&1 ||
			{ cat /tmp/dn.out; fail bench "SLOT-1 download"; }
		grep BENCH /tmp/dn.out
	done
	/data/usb-probe rtt 2fe3:0005 200 | sed 's/^/RTT /'
	pass bench
	exit 0
fi
head -c "$SIZE" /dev/urandom >/tmp/image.bin
for t in 512 4096; do
	echo "BENCH-CASE download t=$t"
	/data/usb-probe time dfu-util --alt 0 -t "$t" --download /tmp/image.bin >/tmp/dn.out 2>&1 || { cat /tmp/dn.out; fail bench "download"; }
	grep BENCH /tmp/dn.out
	echo "BENCH-CASE upload t=$t"
	rm -f /tmp/back.bin
	/data/usb-probe time dfu-util --alt 0 -t "$t" --upload /tmp/back.bin >/tmp/up.out 2>&1 || { cat /tmp/up.out; fail bench "upload"; }
	grep BENCH /tmp/up.out
	cmp /tmp/image.bin /tmp/back.bin || fail bench "upload differs"
done
/data/usb-probe rtt 2fe3:0005 200 | sed 's/^/RTT /'
pass bench
