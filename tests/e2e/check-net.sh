#!/usr/bin/env bash
# Proves the network path the USB/IP tests rely on: a TCP listener on the host's
# 127.0.0.1 is reachable from the guest as 10.0.2.2 (QEMU user networking), both ways.
#
#   tests/e2e/check-net.sh
#
# A python3 (stdlib) listener on 127.0.0.1:<free port> answers one line; the guest's
# scenarios/net-reach.sh sends "DFUKIT-HELLO ..." with busybox nc and expects the
# reply. A free port (not 3240) keeps this from clashing with a running USB/IP server.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-net.XXXXXX")
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

python3 - "$work" <<'PY' &
import socket, sys, pathlib
work = pathlib.Path(sys.argv[1])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))          # loopback only, any free port
srv.listen(1)
srv.settimeout(300)                 # never outlive a hung test for long
(work / "port.tmp").write_text(str(srv.getsockname()[1]))
(work / "port.tmp").rename(work / "port")
conn, peer = srv.accept()
conn.settimeout(30)
line = conn.makefile("rb").readline().decode(errors="replace").strip()
conn.sendall(f"DFUKIT-HELLO-ACK got [{line}]\n".encode())
conn.close()
(work / "received").write_text(f"{peer[0]}:{peer[1]} {line}\n")
PY
server_pid=$!

for _ in $(seq 50); do [ -f "$work/port" ] && break; sleep 0.1; done
[ -f "$work/port" ] || { echo "check-net: listener did not start" >&2; exit 1; }
port=$(cat "$work/port")
echo "check-net: host listener on 127.0.0.1:$port"

DFUKIT_GUEST_NET_PORT=$port "$here/run-guest.sh" --timeout "${DFUKIT_E2E_TIMEOUT:-120}" \
	"$here/scenarios/net-reach.sh"
wait "$server_pid" || true
server_pid=
if grep -q 'DFUKIT-HELLO from guest' "$work/received" 2>/dev/null; then
	echo "check-net: host listener received: $(cat "$work/received")"
	echo "check-net: PASS (guest reached 10.0.2.2:$port = host 127.0.0.1:$port, reply came back)"
else
	echo "check-net: FAIL: the host listener received nothing" >&2
	exit 1
fi
