# shellcheck shell=sh disable=SC2034  # the BOARD_* results are for the scenarios
# Helpers for e2e scenarios; runs INSIDE the guest (busybox sh), shipped as /lib-guest.sh.
#   . /lib-guest.sh
#
# Markers (one per line, parsed by humans and by CTest's output):
#   DFUKIT-STEP: <name>            step NAME
#   DFUKIT-PASS: <name>            pass NAME
#   DFUKIT-FAIL: <name>: <reason>  fail NAME REASON   (also exits the scenario with 1)
#   DFUKIT-NOTE: <text>            note TEXT
#
# Settings (environment; DFUKIT_GUEST_* ones can be set on the host, see run-guest.sh):
#   USBIP_HOST   default ${DFUKIT_GUEST_USBIP_HOST:-10.0.2.2}  (the host's 127.0.0.1)
#   USBIP_PORT   default ${DFUKIT_GUEST_USBIP_PORT:-3240}
#   BOARD_BUSID  default ${DFUKIT_GUEST_BUSID:-1-1}            (busid on the server)

USBIP_HOST=${USBIP_HOST:-${DFUKIT_GUEST_USBIP_HOST:-10.0.2.2}}
USBIP_PORT=${USBIP_PORT:-${DFUKIT_GUEST_USBIP_PORT:-3240}}
BOARD_BUSID=${BOARD_BUSID:-${DFUKIT_GUEST_BUSID:-1-1}}

step() { echo "DFUKIT-STEP: $*"; }
pass() { echo "DFUKIT-PASS: $*"; }
note() { echo "DFUKIT-NOTE: $*"; }
# fail NAME [REASON...]: print the marker and end the scenario (status 1).
fail() {
	_name=$1
	shift
	echo "DFUKIT-FAIL: $_name: ${*:-failed}"
	exit 1
}

# Seconds since boot (whole), for deadlines; busybox has no date +%s.%N worth using.
uptime_s() { cut -d. -f1 /proc/uptime; }

# usbip with the configured server port.
usbip_cmd() { usbip --tcp-port "$USBIP_PORT" "$@"; }

# run NAME CMD [ARGS...]: run CMD, show its output, keep it in /tmp/NAME.out,
# return CMD's status (so "run x cmd || fail x ..." works under set -e too).
run() {
	_name=$1
	shift
	echo "+ $*"
	"$@" >"/tmp/$_name.out" 2>&1
	_rc=$?
	cat "/tmp/$_name.out"
	[ $_rc -eq 0 ] || echo "  (exit status $_rc)"
	return $_rc
}

# expect_grep PATTERN FILE: succeed if the extended regexp PATTERN occurs in FILE;
# otherwise show FILE so the log explains the failure.
expect_grep() {
	if grep -Eq -- "$1" "$2"; then return 0; fi
	echo "expect_grep: /$1/ not found in $2; it contains:"
	sed 's/^/  | /' "$2"
	return 1
}

# board_port [BUSID]: the local vhci port number importing BUSID from the server, empty
# if none. "usbip port" prints per port:
#   Port 00: <Port in Use> at Full Speed(12Mbps)
#          ...
#          3-1 -> usbip://10.0.2.2:3240/1-1
board_port() {
	usbip port 2>/dev/null | awk -v want="/$USBIP_HOST:$USBIP_PORT/${1:-$BOARD_BUSID}" '
		/^Port [0-9]+:/ { p = $2; sub(":", "", p); p += 0 }
		/-> usbip:\/\// { s = $3; sub("^usbip:/", "", s); if (s == want) print p }' | head -n1
}

# board_local_busid [BUSID]: the guest-side busid (e.g. 3-1, a /sys/bus/usb/devices
# name) of the imported device, empty if none.
board_local_busid() {
	usbip port 2>/dev/null | awk -v want="/$USBIP_HOST:$USBIP_PORT/${1:-$BOARD_BUSID}" '
		/-> usbip:\/\// { s = $3; sub("^usbip:/", "", s); if (s == want) print $1 }' | head -n1
}

# attach_board [BUSID] [TIMEOUT]: import BUSID from the server and wait until the guest
# has enumerated it (it shows in lsusb). Retries until TIMEOUT (default 30 s) because the
# board may be down or re-exporting itself (after a DFU detach or reset the server drops
# the connection and the device is imported again; the usbip client never re-attaches
# on its own). A stale import of the same busid is detached first.
# On success sets BOARD_PORT, BOARD_SYSFS (/sys/bus/usb/devices/<local busid>),
# BOARD_BUS, BOARD_DEV (lsusb -s BOARD_BUS:BOARD_DEV), BOARD_VIDPID (vvvv:pppp).
attach_board() {
	_busid=${1:-$BOARD_BUSID}
	_deadline=$(($(uptime_s) + ${2:-30}))
	_tries=0
	while :; do
		_port=$(board_port "$_busid")
		if [ -n "$_port" ]; then
			# Already imported: fine if it is (or becomes) usable, else clear it.
			if _board_wait_enumerated "$_busid" 3; then break; fi
			echo "attach_board: detaching stale port $_port"
			usbip detach -p "$_port" >/dev/null 2>&1 || true
			sleep 0.5
		fi
		_tries=$((_tries + 1))
		if usbip_cmd attach -r "$USBIP_HOST" -b "$_busid" >/tmp/attach.out 2>&1; then
			if _board_wait_enumerated "$_busid" $((_deadline - $(uptime_s))); then break; fi
		fi
		if [ "$(uptime_s)" -ge "$_deadline" ]; then
			echo "attach_board: $_busid not usable after $_tries tries; last attach said:"
			sed 's/^/  | /' /tmp/attach.out
			return 1
		fi
		sleep 0.5
	done
	BOARD_PORT=$(board_port "$_busid")
	echo "attach_board: $_busid on port $BOARD_PORT after $_tries attach(es): $(lsusb -s "$BOARD_BUS:$BOARD_DEV")"
	return 0
}

# Wait up to $2 s until the import of $1 has a USB device the guest enumerated.
_board_wait_enumerated() {
	_until=$(($(uptime_s) + $2))
	while :; do
		_local=$(board_local_busid "$1")
		if [ -n "$_local" ] && [ -r "/sys/bus/usb/devices/$_local/devnum" ]; then
			BOARD_SYSFS=/sys/bus/usb/devices/$_local
			BOARD_BUS=$(cat "$BOARD_SYSFS/busnum")
			BOARD_DEV=$(cat "$BOARD_SYSFS/devnum")
			BOARD_VIDPID=$(cat "$BOARD_SYSFS/idVendor"):$(cat "$BOARD_SYSFS/idProduct")
			if lsusb -s "$BOARD_BUS:$BOARD_DEV" >/dev/null 2>&1; then return 0; fi
		fi
		[ "$(uptime_s)" -lt "$_until" ] || return 1
		sleep 0.2
	done
}

# wait_gone [BUSID] [TIMEOUT]: wait (default 15 s) until the import of BUSID has gone,
# i.e. the server dropped the connection (DFU detach, reset, board stopped) and the
# guest removed the device. Returns 1 on timeout.
wait_gone() {
	_busid=${1:-$BOARD_BUSID}
	_deadline=$(($(uptime_s) + ${2:-15}))
	while [ -n "$(board_port "$_busid")" ] || { [ -n "${BOARD_SYSFS:-}" ] && [ -e "$BOARD_SYSFS" ]; }; do
		if [ "$(uptime_s)" -ge "$_deadline" ]; then
			echo "wait_gone: $_busid still attached"
			usbip port 2>&1 | sed 's/^/  | /'
			return 1
		fi
		sleep 0.2
	done
	return 0
}

# detach_all: drop every import (cleanup between phases).
detach_all() {
	for _p in $(usbip port 2>/dev/null | sed -n "s/^Port 0*\([0-9][0-9]*\):.*/\1/p"); do
		usbip detach -p "$_p" >/dev/null 2>&1 || true
	done
}
