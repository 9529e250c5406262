#!/bin/sh
# Proves the network path guest -> host loopback: sends a line to 10.0.2.2:PORT (a
# listener on the host's 127.0.0.1, see check-net.sh) and expects the reply line.
# shellcheck source-path=SCRIPTDIR/.. source=lib-guest.sh
. /lib-guest.sh
port=${DFUKIT_GUEST_NET_PORT:-3240}
step net-reach
echo "DFUKIT-HELLO from guest" | nc -w 5 "$USBIP_HOST" "$port" >/tmp/reply.txt 2>&1 ||
	fail net-reach "nc to $USBIP_HOST:$port failed: $(cat /tmp/reply.txt)"
cat /tmp/reply.txt
expect_grep '^DFUKIT-HELLO-ACK' /tmp/reply.txt || fail net-reach "no reply from the host"
pass net-reach
