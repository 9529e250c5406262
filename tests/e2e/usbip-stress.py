#!/usr/bin/env python3
"""Hostile USB/IP peers against a running virtual board (host side only, no
guest): a flood of URBs, UNLINKs of unknown seqnums, two clients racing to
import, and garbage. The firmware's memory must stay bounded (RSS before and
after), the device must keep answering, and its flash must not change.

    usbip-stress.py PORT FIRMWARE_PID FLASH_FILE
"""
import hashlib
import socket
import struct
import sys
import threading
import time

PORT, PID, FLASH = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ADDR = ("127.0.0.1", PORT)
failures = []
checks = [0]


def rss_kib():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def flash_hash():
    return hashlib.sha256(open(FLASH, "rb").read()).hexdigest()


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def import_dev(busid=b"1-1"):
    s = socket.create_connection(ADDR, timeout=5)
    s.sendall(struct.pack(">HHI32s", 0x0111, 0x8003, 0, busid))
    hdr = recv_exact(s, 8)
    _, code, status = struct.unpack(">HHI", hdr)
    if status != 0:
        s.close()
        return None, None
    rec = recv_exact(s, 312)
    busnum, devnum = struct.unpack(">II", rec[288:296])
    return s, (busnum << 16) | devnum


def submit(seq, devid, setup, length, direction=1, ep=0):
    return struct.pack(">IIIIIIiiii8s", 1, seq, devid, direction, ep, 0, length, 0, 0, 0, setup)


def get_device_descriptor(s, devid, seq):
    s.sendall(submit(seq, devid, bytes([0x80, 6, 0, 1, 0, 0, 18, 0]), 18))
    hdr = recv_exact(s, 48)
    cmd, rseq, _, _, _, status, actual = struct.unpack(">IIIIIii", hdr[:28])
    data = recv_exact(s, actual) if actual > 0 else b""
    return cmd, rseq, status, data


def check(cond, what):
    checks[0] += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


rss0, flash0 = rss_kib(), flash_hash()
print(f"firmware pid {PID}: RSS {rss0} KiB before")

# 1. A flood: 20000 URBs pipelined in batches, every reply in order, own seqnum.
s, devid = import_dev()
check(s is not None, "import refused")
n, batch = 20000, 200
t0 = time.time()
for base in range(0, n, batch):
    s.sendall(b"".join(submit(base + i + 1, devid, bytes([0x80, 6, 0, 1, 0, 0, 18, 0]), 18)
                       for i in range(batch)))
    for i in range(batch):
        hdr = recv_exact(s, 48)
        cmd, rseq, _, _, _, status, actual = struct.unpack(">IIIIIii", hdr[:28])
        recv_exact(s, actual)
        ok = cmd == 3 and rseq == base + i + 1 and status == 0 and actual == 18
        if not ok:
            check(False, f"URB {base + i + 1}: cmd {cmd} seq {rseq} status {status} len {actual}")
            break
check(not failures, "every flooded URB answered in order")
print(f"flood: {n} URBs in {time.time() - t0:.2f} s")

# 2. UNLINK of seqnums that never existed: RET_UNLINK with status 0, no crash.
for k in range(1000):
    s.sendall(struct.pack(">IIIII", 2, 900000 + k, devid, 0, 0) + struct.pack(">I", 123456 + k) + bytes(24))
    hdr = recv_exact(s, 48)
    cmd, rseq, _, _, _, status = struct.unpack(">IIIIIi", hdr[:24])
    if cmd != 4 or rseq != 900000 + k or status not in (0, -104):
        check(False, f"unlink {k}: cmd {cmd} seq {rseq} status {status}")
        break
else:
    check(True, "unknown unlinks answered")
print("unlink: 1000 unknown seqnums answered")

# 3. Two clients racing to import while the first still holds the device.
results = []
def racer():
    c, _ = import_dev()
    results.append(c is not None)
    if c:
        c.close()
threads = [threading.Thread(target=racer) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check(not any(results), f"a second importer got in: {results}")
print(f"race: {len(results)} concurrent imports refused while the device is imported")
cmd, rseq, status, data = get_device_descriptor(s, devid, 1)
check(status == 0 and len(data) == 18, "the first importer lost its device")
s.close()

# 4. Garbage and absurd lengths on fresh connections; each closes only itself.
for junk in [b"\x00" * 7, b"\xff" * 48, struct.pack(">HHI", 0x0111, 0x1234, 0),
             struct.pack(">HHI32s", 0x0999, 0x8003, 0, b"1-1")]:
    g = socket.create_connection(ADDR, timeout=5)
    g.sendall(junk)
    g.close()
g, gdev = import_dev()
check(g is not None, "import after garbage refused")
g.sendall(submit(1, gdev, bytes([0x80, 6, 0, 1, 0, 0, 18, 0]), 0x7fffffff))
try:
    g.settimeout(2)
    g.recv(48)
except OSError:
    pass
g.close()
time.sleep(0.5)

# 5. Still alive, memory bounded, flash untouched.
s, devid = import_dev()
check(s is not None, "device not importable at the end")
cmd, rseq, status, data = get_device_descriptor(s, devid, 7)
check(status == 0 and data[:4] == bytes([18, 1, 0x10, 2]), f"device descriptor at the end: {data.hex()}")
s.close()
rss1, flash1 = rss_kib(), flash_hash()
print(f"RSS {rss0} KiB before, {rss1} KiB after; flash {'unchanged' if flash0 == flash1 else 'CHANGED'}")
check(rss1 <= rss0 + 256, f"RSS grew from {rss0} to {rss1} KiB")
check(flash0 == flash1, "flash changed")
print(f"{checks[0] - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
