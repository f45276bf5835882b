#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""tcp_sink.py IFACE SECONDS BYTES [MAXLEN]: checks, as a receiver would,
the TCP stream evil_frontend's TCP modes send (10.250.0.1:40000 ->
10.250.0.2:9, byte o of the stream is (o * 7 + 3) & 255, sequence numbers
from 1000): every frame no longer than MAXLEN (default 1514), its IPv4
header and TCP checksums right, its payload where its sequence number
says. Stops when BYTES of the stream have been seen, or after SECONDS.
Prints one JSON object: frames, the longest, bad_ip_csum, bad_tcp_csum,
bad_payload, too_long, stream bytes seen (distinct), duplicates, and the
TCP flags of the last segment. A raw socket: the interface needs no
address, and the kernel drops the frames after us."""
import json
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SEQ0 = 1000


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def check(frame, st, seen, maxlen):
    if len(frame) < 54 or frame[12:14] != b"\x08\x00":
        return
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6 or ip[12:20] != bytes([10, 250, 0, 1, 10, 250, 0, 2]):
        return
    tot = struct.unpack("!H", ip[2:4])[0]
    ip = ip[:tot]
    th = ip[ihl:]
    if struct.unpack("!H", th[2:4])[0] != 9:
        return
    st["frames"] += 1
    st["longest"] = max(st["longest"], len(frame))
    if len(frame) > maxlen:
        st["too_long"] += 1
    if csum(ip[:ihl]) != 0xFFFF:
        st["bad_ip_csum"] += 1
    pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, len(th))
    if csum(pseudo + th) != 0xFFFF:
        st["bad_tcp_csum"] += 1
    doff = (th[12] >> 4) * 4
    seq = struct.unpack("!I", th[4:8])[0]
    off = seq - SEQ0
    payload = th[doff:]
    want = bytes(((off + i) * 7 + 3) & 255 for i in range(len(payload)))
    if payload != want:
        st["bad_payload"] += 1
    for i in range(off, off + len(payload)):
        if i in seen:
            st["duplicates"] += 1
        seen.add(i)
    st["last_flags"] = th[13]


def main():
    iface, secs, want = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    maxlen = int(sys.argv[4]) if len(sys.argv) > 4 else 1514
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
    s.bind((iface, 0))
    s.settimeout(0.2)
    print("ready", file=sys.stderr, flush=True)
    st = dict(frames=0, longest=0, too_long=0, bad_ip_csum=0,
              bad_tcp_csum=0, bad_payload=0, duplicates=0, last_flags=0)
    seen = set()
    end = time.time() + secs
    while time.time() < end and len(seen) < want:
        try:
            frame, addr = s.recvfrom(70000)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        check(frame, st, seen, maxlen)
    st["bytes"] = len(seen)
    print(json.dumps(st))


if __name__ == "__main__":
    main()
