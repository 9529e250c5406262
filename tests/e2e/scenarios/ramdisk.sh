# The seed's RAM-disk walkthrough and its edges, with the real tools.
# shellcheck shell=sh
. /lib-guest.sh
set -u
DISK=65536 # ramdisk0's size

step runtime-list
attach_board || fail runtime-list "board not attachable"
run list dfu-util -l || fail runtime-list "dfu-util -l failed"
expect_grep 'Found Runtime: \[2fe3:0005\] ver=0402' /tmp/list.out || fail runtime-list "no run-time interface"
pass runtime-list

step runtime-lsusb
lsusb -v -d 2fe3:0005 >/tmp/lsusb.out 2>/tmp/lsusb.err || fail runtime-lsusb "lsusb -v failed"
cat /tmp/lsusb.out /tmp/lsusb.err
[ ! -s /tmp/lsusb.err ] || fail runtime-lsusb "lsusb printed warnings"
expect_grep 'bInterfaceProtocol +1' /tmp/lsusb.out || fail runtime-lsusb "not run-time protocol"
expect_grep 'Will Detach' /tmp/lsusb.out || fail runtime-lsusb "no functional descriptor"
pass runtime-lsusb

step msos20
# Windows' view: a BOS with the MS OS 2.0 platform capability, then the set.
expect_grep 'Binary Object Store Descriptor' /tmp/lsusb.out || fail msos20 "no BOS"
expect_grep 'Platform Device Capability' /tmp/lsusb.out || fail msos20 "no platform capability"
expect_grep 'd8dd60df-4589-4cc7-9cd2-659d9e648a9f' /tmp/lsusb.out || fail msos20 "not the MS OS 2.0 UUID"
/data/usb-probe msos20 2fe3:0005 20 | tee /tmp/msos20.out || fail msos20 "vendor request failed"
expect_grep 'total=162 compatible_id=WINUSB property=DeviceInterfaceGUIDs value=\{5AB0F1C2-8E3D-4B6A-9F21-7C4D2E9B1A63\} bytes=162' /tmp/msos20.out ||
	fail msos20 "descriptor set differs"
pass msos20

step detach
run detach dfu-util --detach || fail detach "dfu-util --detach failed"
wait_gone || fail detach "device did not leave the bus"
attach_board || fail detach "device did not come back"
run list dfu-util -l || fail detach "dfu-util -l failed"
expect_grep 'Found DFU: \[2fe3:0005\].*alt=0, name="ramdisk0"' /tmp/list.out || fail detach "no ramdisk0 in DFU mode"
pass detach

step dfu-lsusb
lsusb -v -d 2fe3:0005 >/tmp/lsusb.out 2>/tmp/lsusb.err || fail dfu-lsusb "lsusb -v failed"
[ ! -s /tmp/lsusb.err ] || { cat /tmp/lsusb.err; fail dfu-lsusb "lsusb printed warnings"; }
expect_grep 'bInterfaceProtocol +2' /tmp/lsusb.out || fail dfu-lsusb "not DFU-mode protocol"
pass dfu-lsusb

step upload
run upload dfu-util --alt 0 --upload /tmp/ramdisk0_backup.bin || fail upload "upload failed"
size=$(wc -c </tmp/ramdisk0_backup.bin)
[ "$size" -eq "$DISK" ] || fail upload "uploaded $size bytes, want $DISK"
pass upload

for t in 64 512 4096; do
	step "round-trip-t$t"
	head -c "$DISK" /dev/urandom >/tmp/image-$t.bin
	run dn-$t dfu-util --alt 0 -t "$t" --download /tmp/image-$t.bin || fail "round-trip-t$t" "download failed"
	rm -f /tmp/back-$t.bin
	run up-$t dfu-util --alt 0 -t "$t" --upload /tmp/back-$t.bin || fail "round-trip-t$t" "upload failed"
	cmp /tmp/image-$t.bin /tmp/back-$t.bin || fail "round-trip-t$t" "uploaded bytes differ"
	pass "round-trip-t$t"
done

step killed-download
head -c "$DISK" /dev/urandom >/tmp/killed.bin
dfu-util --alt 0 -t 64 --download /tmp/killed.bin >/tmp/killed.out 2>&1 &
pid=$!
# Killed once its progress shows data sent (a fixed delay raced a fast machine,
# where the whole download can end within a second).
polls=0
until grep -q 'Download.* [1-9][0-9]* bytes' /tmp/killed.out; do
	kill -0 "$pid" 2>/dev/null || fail killed-download "dfu-util ended before any progress was seen"
	polls=$((polls + 1))
	[ "$polls" -lt 1000 ] || fail killed-download "no download progress after 20 s"
	sleep 0.02
done
kill -9 "$pid" 2>/dev/null || fail killed-download "dfu-util had already finished; nothing was killed"
wait "$pid" 2>/dev/null
grep -q 'Download done' /tmp/killed.out && fail killed-download "the download had completed before the kill"
note "dfu-util killed mid-download after $polls polls: $(tr '\r' '\n' </tmp/killed.out | grep -o '[0-9]* bytes' | tail -n 1) sent"
head -c "$DISK" /dev/urandom >/tmp/fresh.bin
run fresh dfu-util --alt 0 --download /tmp/fresh.bin || fail killed-download "fresh download failed"
rm -f /tmp/fresh-back.bin
run fresh-up dfu-util --alt 0 --upload /tmp/fresh-back.bin || fail killed-download "upload failed"
cmp /tmp/fresh.bin /tmp/fresh-back.bin || fail killed-download "uploaded bytes differ"
pass killed-download

step oversized-download
head -c $((DISK + 1)) /dev/urandom >/tmp/big.bin
if dfu-util --alt 0 --download /tmp/big.bin >/tmp/big.out 2>&1; then
	cat /tmp/big.out
	fail oversized-download "a download larger than ramdisk0 was accepted"
fi
cat /tmp/big.out
expect_grep 'errADDRESS|Address is out of range|status\(8\)' /tmp/big.out || fail oversized-download "not refused with errADDRESS"
run after-big dfu-util --alt 0 --download /tmp/fresh.bin || fail oversized-download "device unusable afterwards"
pass oversized-download
