# dfukit's DFU function as a real Linux USB gadget (port/ffs, apps/dfu-gadget):
# configfs + FunctionFS with dummy_hcd as the device controller, and the guest's own
# dfu-util/lsusb as the host. Needs the guest built with
# DFUKIT_E2E_MODULES="libcomposite usb_f_fs dummy_hcd"; extra files: dfu-gadget
# (static) and dfu-gadget-setup.sh.
# shellcheck shell=sh
. /lib-guest.sh
set -u
DISK=65536 # ramdisk0's size
VIDPID=2fe3:0005
export DFU_GADGET=/data/dfu-gadget DFU_GADGET_LOG=/tmp/dfu-gadget.log

t0=$(cut -d' ' -f1 /proc/uptime)
elapsed() { awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }'; }
gadget_log() {
	echo "--- dfu-gadget log ---"
	cat "$DFU_GADGET_LOG" 2>/dev/null
	echo "--- end of dfu-gadget log ---"
}
gfail() {
	gadget_log
	dmesg | tail -n 20
	fail "$@"
}

# wait_dfu PATTERN TIMEOUT: until `dfu-util -l` shows PATTERN (a fresh process each
# time: without udevd, libusb sees no hotplug events).
wait_dfu() {
	_until=$(($(uptime_s) + $2))
	while :; do
		dfu-util -l >/tmp/wait.out 2>&1
		if grep -Eq -- "$1" /tmp/wait.out; then return 0; fi
		if [ "$(uptime_s)" -ge "$_until" ]; then
			cat /tmp/wait.out
			return 1
		fi
		sleep 0.2
	done
}

step gadget-setup
for m in libcomposite usb_f_fs dummy_hcd; do
	grep -q "^$m " /proc/modules || fail gadget-setup "module $m not loaded (DFUKIT_E2E_MODULES?)"
done
[ -x "$DFU_GADGET" ] || fail gadget-setup "no /data/dfu-gadget"
run setup sh /data/dfu-gadget-setup.sh start --runtime || gfail gadget-setup "setup failed"
pass gadget-setup

step runtime-list
wait_dfu "Found Runtime: \[$VIDPID\] ver=0402" 15 || gfail runtime-list "no run-time interface"
cat /tmp/wait.out
pass runtime-list

step runtime-lsusb
lsusb -v -d "$VIDPID" >/tmp/lsusb.out 2>&1 || gfail runtime-lsusb "lsusb -v failed"
cat /tmp/lsusb.out
expect_grep 'idVendor +0x2fe3' /tmp/lsusb.out || gfail runtime-lsusb "wrong VID"
expect_grep 'iProduct +[0-9]+ Zephyr DFU sample' /tmp/lsusb.out || gfail runtime-lsusb "wrong product string"
expect_grep 'bInterfaceClass +254' /tmp/lsusb.out || gfail runtime-lsusb "not a DFU interface"
expect_grep 'bInterfaceProtocol +1' /tmp/lsusb.out || gfail runtime-lsusb "not run-time protocol"
if grep -q 'Will Detach' /tmp/lsusb.out; then
	FUNCDESC=yes
	note "DFU functional descriptor present (FunctionFS accepts it)"
else
	FUNCDESC=no
	grep -q 'refuses the DFU functional descriptor' "$DFU_GADGET_LOG" ||
		gfail runtime-lsusb "no functional descriptor and dfu-gadget did not say why"
	note "kernel $(uname -r): FunctionFS refused the DFU functional descriptor; dfu-util gets -t"
fi
pass runtime-lsusb

# Without the functional descriptor dfu-util must be told the transfer size.
T=
[ "$FUNCDESC" = yes ] || T="-t 4096"

step detach
# shellcheck disable=SC2086
run detach dfu-util -d "$VIDPID" $T -e || gfail detach "dfu-util -e failed"
wait_dfu "Found DFU: \[$VIDPID\] ver=0402.*alt=0, name=\"ramdisk0\"" 20 ||
	gfail detach "device did not come back in DFU mode"
cat /tmp/wait.out
expect_grep 'DFU detach requested' "$DFU_GADGET_LOG" || gfail detach "gadget saw no DETACH"
expect_grep 'ready: DFU mode' "$DFU_GADGET_LOG" || gfail detach "gadget not in DFU mode"
[ "$(grep -c 'Found DFU' /tmp/wait.out)" -eq 1 ] || gfail detach "want exactly one alternate"
pass detach

step dfu-lsusb
lsusb -v -d "$VIDPID" >/tmp/lsusb.out 2>&1 || gfail dfu-lsusb "lsusb -v failed"
expect_grep 'bInterfaceProtocol +2' /tmp/lsusb.out || gfail dfu-lsusb "not DFU-mode protocol"
expect_grep 'iInterface +[0-9]+ ramdisk0' /tmp/lsusb.out || gfail dfu-lsusb "no ramdisk0 name"
pass dfu-lsusb

step upload-initial
rm -f /tmp/initial.bin
# shellcheck disable=SC2086
run up0 dfu-util -d "$VIDPID" -a 0 $T -U /tmp/initial.bin || gfail upload-initial "upload failed"
size=$(wc -c </tmp/initial.bin)
[ "$size" -eq "$DISK" ] || gfail upload-initial "uploaded $size bytes, want $DISK"
pass upload-initial

step round-trip
head -c "$DISK" /dev/urandom >/tmp/image.bin
ts=$(elapsed)
# shellcheck disable=SC2086
run dn dfu-util -d "$VIDPID" -a 0 $T -D /tmp/image.bin || gfail round-trip "download failed"
expect_grep 'Download done' /tmp/dn.out || gfail round-trip "no 'Download done'"
rm -f /tmp/back.bin
# shellcheck disable=SC2086
run up dfu-util -d "$VIDPID" -a 0 $T -U /tmp/back.bin || gfail round-trip "upload failed"
cmp /tmp/image.bin /tmp/back.bin || gfail round-trip "uploaded bytes differ"
note "round trip of $DISK bytes, 4096-byte blocks: $(awk -v a="$ts" -v b="$(elapsed)" 'BEGIN { printf "%.1f", b - a }') s"
expect_grep 'DFU download completed: 65536 bytes' "$DFU_GADGET_LOG" || gfail round-trip "gadget log has no completed download"
pass round-trip

step restart-dfu-mode
# The plain start: DFU mode straight away, here with 1024-byte blocks.
run stop1 sh /data/dfu-gadget-setup.sh stop || gfail restart-dfu-mode "teardown failed"
export DFU_GADGET_ARGS="--transfer-size 1024"
run setup2 sh /data/dfu-gadget-setup.sh start || gfail restart-dfu-mode "setup failed"
unset DFU_GADGET_ARGS
wait_dfu "Found DFU: \[$VIDPID\] ver=0402.*alt=0, name=\"ramdisk0\"" 15 || gfail restart-dfu-mode "no DFU-mode device"
T1=
[ "$FUNCDESC" = yes ] || T1="-t 1024"
pass restart-dfu-mode

step stall
# A block larger than wTransferSize: the class refuses DNLOAD, the port STALLs it
# (FunctionFS: write on ep0 for an OUT request) and the device enters dfuERROR.
if dfu-util -d "$VIDPID" -a 0 -t 4096 -D /tmp/image.bin >/tmp/stall.out 2>&1; then
	cat /tmp/stall.out
	gfail stall "a 4096-byte block was accepted with wTransferSize 1024"
fi
cat /tmp/stall.out
expect_grep 'STALL 21 01 [0-9a-f]{4} 0000 1000' "$DFU_GADGET_LOG" || gfail stall "gadget did not stall DNLOAD"
# The next dfu-util finds dfuERROR, clears it and goes on.
head -c "$DISK" /dev/urandom >/tmp/image-1024.bin
# shellcheck disable=SC2086
run dn-1024 dfu-util -d "$VIDPID" -a 0 $T1 -D /tmp/image-1024.bin || gfail stall "download after the stall failed"
expect_grep 'dfuERROR, status\(15\)' /tmp/dn-1024.out || gfail stall "device was not in dfuERROR/errSTALLEDPKT"
rm -f /tmp/back-1024.bin
# shellcheck disable=SC2086
run up-1024 dfu-util -d "$VIDPID" -a 0 $T1 -U /tmp/back-1024.bin || gfail stall "upload failed"
cmp /tmp/image-1024.bin /tmp/back-1024.bin || gfail stall "uploaded bytes differ"
pass stall

step oversized-download
head -c $((DISK + 1)) /dev/urandom >/tmp/big.bin
# shellcheck disable=SC2086
if dfu-util -d "$VIDPID" -a 0 $T1 -D /tmp/big.bin >/tmp/big.out 2>&1; then
	cat /tmp/big.out
	gfail oversized-download "a download larger than ramdisk0 was accepted"
fi
cat /tmp/big.out
expect_grep 'errADDRESS|Address is out of range|status\(8\)' /tmp/big.out || gfail oversized-download "not refused with errADDRESS"
# shellcheck disable=SC2086
run after-big dfu-util -d "$VIDPID" -a 0 $T1 -D /tmp/image.bin || gfail oversized-download "device unusable afterwards"
pass oversized-download

step gadget-stop
run stop sh /data/dfu-gadget-setup.sh stop || gfail gadget-stop "teardown failed"
[ ! -d /sys/kernel/config/usb_gadget/dfukit ] || gfail gadget-stop "gadget still in configfs"
gadget_log
note "scenario took $(elapsed) s"
pass gadget-stop
