#!/bin/sh
# Smoke test of the e2e guest itself: the real host tools start, vhci-hcd is loaded,
# and the USB/IP client can reach (or is cleanly refused by) the host's port 3240.
# Needs no server; if one is running on the host, its device list is shown.
# shellcheck source-path=SCRIPTDIR/.. source=lib-guest.sh
. /lib-guest.sh

step dfu-util-version
run dfu-version dfu-util --version || fail dfu-util-version "dfu-util does not run"
expect_grep '^dfu-util [0-9]' /tmp/dfu-version.out || fail dfu-util-version "unexpected output"
pass dfu-util-version

step vhci-hcd
[ -d /sys/bus/platform/drivers/vhci_hcd ] || fail vhci-hcd "vhci_hcd driver not registered"
run lsmod lsmod
pass vhci-hcd

step lsusb
# vhci-hcd brings a USB 2.0 and a USB 3.0 root hub (Linux Foundation 1d6b:0002/0003).
run lsusb lsusb || fail lsusb "lsusb failed"
expect_grep 'ID 1d6b:0002' /tmp/lsusb.out || fail lsusb "no vhci root hub"
pass lsusb

step usbip-version
run usbip-version usbip version || fail usbip-version "usbip does not run"
expect_grep 'usbip' /tmp/usbip-version.out || fail usbip-version "unexpected output"
pass usbip-version

step usbip-port
run usbip-port usbip port || fail usbip-port "usbip port failed (vhci not found?)"
pass usbip-port

step usbip-list-remote
# With no server on the host this must fail with a connection error (QEMU's slirp
# answers the SYN on the host's behalf only if the host connect() succeeds).
if run usbip-list usbip_cmd list -r "$USBIP_HOST"; then
	note "a USB/IP server answered on $USBIP_HOST:$USBIP_PORT"
elif grep -Eqi 'could not connect|connection refused|tcp connect' /tmp/usbip-list.out; then
	note "no USB/IP server on $USBIP_HOST:$USBIP_PORT (connection refused) - expected without a server"
else
	fail usbip-list-remote "unexpected usbip list failure"
fi
pass usbip-list-remote

echo "smoke done at $(cut -d' ' -f1 /proc/uptime)s since boot"
