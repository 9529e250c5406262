#!/bin/sh
# Set up (or tear down) dfukit's DFU function as a Linux USB gadget: configfs +
# libcomposite + FunctionFS, then dfu-gadget serving it. POSIX sh (busybox is fine);
# needs root. See port/ffs/README.md.
#
#   dfu-gadget-setup.sh start [--runtime] [--udc NAME]   # prints the gadget's log path
#   dfu-gadget-setup.sh stop
#
# Environment (defaults in brackets):
#   DFU_GADGET      the dfu-gadget program        [dfu-gadget from PATH]
#   GADGET_NAME     configfs gadget directory     [dfukit]
#   FFS_NAME        FunctionFS instance (ffs.X)   [dfu]
#   FFS_DIR         FunctionFS mount point        [/dev/ffs-$FFS_NAME]
#   DFU_GADGET_LOG  dfu-gadget's output           [/tmp/dfu-gadget.log]
#   BIND_TIMEOUT    seconds to wait for the bind  [10]
#   DFU_GADGET_ARGS more dfu-gadget options, e.g. "--transfer-size 1024"  []
#
# "start": loads the modules if modprobe can (a board; the e2e guest has insmod'ed
# them), mounts configfs, creates the gadget (VID:PID 2fe3:0005, bcdDevice 0402,
# English strings, configuration c.1 at 100 mA, function ffs.$FFS_NAME), mounts
# FunctionFS, starts dfu-gadget in the background and waits until it has written the
# function's descriptors and bound the gadget to the UDC (FunctionFS refuses a bind
# before that). dfu-gadget rewrites the device fields from dfukit's own description,
# the same values, and binds again after a DFU detach.
set -eu

GADGET_NAME=${GADGET_NAME:-dfukit}
FFS_NAME=${FFS_NAME:-dfu}
FFS_DIR=${FFS_DIR:-/dev/ffs-$FFS_NAME}
DFU_GADGET=${DFU_GADGET:-dfu-gadget}
DFU_GADGET_LOG=${DFU_GADGET_LOG:-/tmp/dfu-gadget.log}
BIND_TIMEOUT=${BIND_TIMEOUT:-10}
CONFIGFS=/sys/kernel/config
G=$CONFIGFS/usb_gadget/$GADGET_NAME
PIDFILE=/run/dfu-gadget-$GADGET_NAME.pid

say() { echo "dfu-gadget-setup: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

start() {
	runtime='' udc=''
	while [ $# -gt 0 ]; do
		case $1 in
		--runtime) runtime=--runtime ;;
		--udc) [ $# -ge 2 ] || die "--udc needs a name"; udc=$2; shift ;;
		*) die "unknown option $1" ;;
		esac
		shift
	done
	if command -v modprobe >/dev/null 2>&1; then
		modprobe libcomposite 2>/dev/null || true
		modprobe usb_f_fs 2>/dev/null || true
	fi
	[ -d $CONFIGFS/usb_gadget ] || mount -t configfs none $CONFIGFS 2>/dev/null || true
	[ -d $CONFIGFS/usb_gadget ] || die "no $CONFIGFS/usb_gadget (configfs or libcomposite missing)"
	if [ -z "$udc" ]; then
		for u in /sys/class/udc/*; do
			[ -e "$u" ] && udc=${u##*/} && break
		done
	fi
	[ -n "$udc" ] || die "no USB device controller in /sys/class/udc (dtoverlay=dwc2? dummy_hcd?)"
	[ ! -d "$G" ] || die "$G exists; run '$0 stop' first"

	mkdir "$G"
	echo 0x2fe3 >"$G/idVendor"
	echo 0x0005 >"$G/idProduct"
	echo 0x0402 >"$G/bcdDevice"
	echo 0x0200 >"$G/bcdUSB"
	mkdir "$G/strings/0x409"
	echo ZEPHYR >"$G/strings/0x409/manufacturer"
	echo "Zephyr DFU sample" >"$G/strings/0x409/product"
	echo "${DFUKIT_SERIAL:-0000000000000000}" >"$G/strings/0x409/serialnumber"
	mkdir "$G/configs/c.1"
	echo 100 >"$G/configs/c.1/MaxPower"
	echo 0xc0 >"$G/configs/c.1/bmAttributes"
	mkdir "$G/functions/ffs.$FFS_NAME"
	ln -s "$G/functions/ffs.$FFS_NAME" "$G/configs/c.1/"
	mkdir -p "$FFS_DIR"
	mount -t functionfs "$FFS_NAME" "$FFS_DIR"

	# shellcheck disable=SC2086  # word splitting of the option lists is intended
	"$DFU_GADGET" --ffs-dir "$FFS_DIR" --gadget "$G" --udc "$udc" $runtime ${DFU_GADGET_ARGS:-} \
		>"$DFU_GADGET_LOG" 2>&1 &
	echo $! >"$PIDFILE"
	# dfu-gadget binds the UDC itself once its descriptors are in: wait for that.
	i=0
	while [ "$(cat "$G/UDC" 2>/dev/null)" != "$udc" ]; do
		if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
			cat "$DFU_GADGET_LOG" >&2
			die "dfu-gadget exited"
		fi
		i=$((i + 1))
		[ $i -le $((BIND_TIMEOUT * 10)) ] || die "gadget not bound to $udc after ${BIND_TIMEOUT}s"
		sleep 0.1
	done
	say "gadget $GADGET_NAME bound to $udc; log: $DFU_GADGET_LOG"
	echo "$DFU_GADGET_LOG"
}

stop() {
	if [ -f "$PIDFILE" ]; then
		pid=$(cat "$PIDFILE")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		rm -f "$PIDFILE"
	fi
	[ -d "$G" ] || return 0
	[ -z "$(cat "$G/UDC" 2>/dev/null)" ] || echo "" >"$G/UDC" || true
	if grep -q " $FFS_DIR functionfs " /proc/mounts 2>/dev/null; then umount "$FFS_DIR"; fi
	rm -f "$G/configs/c.1/ffs.$FFS_NAME"
	rmdir "$G/configs/c.1/strings/0x409" 2>/dev/null || true
	rmdir "$G/configs/c.1" "$G/functions/ffs.$FFS_NAME" "$G/strings/0x409" "$G"
	say "gadget $GADGET_NAME removed"
}

case ${1:-} in
start) shift; start "$@" ;;
stop) stop ;;
*) echo "usage: $0 start [--runtime] [--udc NAME] | stop" >&2; exit 2 ;;
esac
