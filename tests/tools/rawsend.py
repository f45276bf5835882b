#!/usr/bin/env python3
"""Sends COUNT Ethernet/IPv4/UDP frames of SIZE bytes from a raw socket,
paced in small bursts, and prints how many were sent. A test-only traffic
source for the external side of the eswitch.

usage: rawsend.py IFACE SRC_MAC DST_MAC COUNT [SIZE] [PPS]
"""
import socket
import struct
import sys
import time


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def frame(src, dst, size):
    payload = b"xvdpa" * (size // 5 + 1)
    udp_len = size - 14 - 20
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, udp_len + 20, 0, 0, 64, 17,
                     0, socket.inet_aton("10.0.0.1"),
                     socket.inet_aton("10.0.0.2"))
    s = sum(struct.unpack("!10H", ip))
    s = (s >> 16) + (s & 0xFFFF)
    ip = ip[:10] + struct.pack("!H", ~(s + (s >> 16)) & 0xFFFF) + ip[12:]
    udp = struct.pack("!HHHH", 9, 9, udp_len, 0) + payload[:udp_len - 8]
    return mac(dst) + mac(src) + b"\x08\x00" + ip + udp


def main():
    iface, src, dst, count = sys.argv[1:5]
    size = int(sys.argv[5]) if len(sys.argv) > 5 else 64
    pps = int(sys.argv[6]) if len(sys.argv) > 6 else 20000
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    f = frame(src, dst, max(size, 60))
    burst = 50
    sent = 0
    start = time.time()
    while sent < int(count):
        n = min(burst, int(count) - sent)
        for _ in range(n):
            s.send(f)
        sent += n
        ahead = sent / pps - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
    print(sent)


if __name__ == "__main__":
    main()
