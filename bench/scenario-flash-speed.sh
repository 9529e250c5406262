# Guest side of bench/flash-speed.sh: a 256 KiB signed image into SLOT-1.
# shellcheck shell=sh
. /lib-guest.sh
set -u
attach_board || fail bench "board not attachable"
dfu-util --detach >/dev/null 2>&1 || fail bench "detach"
wait_gone && attach_board >/dev/null || fail bench "no DFU mode"
/data/usb-probe rtt 2fe3:0005 100 | sed 's/^/RTT /' || fail bench "rtt"
for i in 1 2 3; do /data/usb-probe time dfu-util -l 2>&1 | grep BENCH | sed 's/^/STARTUP /'; done
/data/usb-probe time dfu-util --alt 1 --download /data/image256k.bin >/tmp/dn.out 2>&1 || { cat /tmp/dn.out; fail bench "download"; }
grep -E 'BENCH|status' /tmp/dn.out | tail -3 | sed 's/^BENCH/DOWNLOAD BENCH/'
pass bench
