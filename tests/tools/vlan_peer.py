#!/usr/bin/env python3
"""An 802.1Q host on a raw socket, for tests on kernels without the 8021q
module: sends ICMP echo requests (tagged with VID unless VID is 0) and
counts the echo replies, reporting the VLAN id and priority they carried.

usage: vlan_peer.py IFACE SRC_MAC DST_MAC SRC_IP DST_IP VID COUNT
prints: replies=N vid=V pcp=P   (vid/pcp of the last reply, -1 if untagged)
"""
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def echo_request(src_mac, dst_mac, src_ip, dst_ip, vid, seq):
    payload = b"xvdpa-vlan-peer" + bytes(16)
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x7876, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64,
                     1, 0, socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = mac_bytes(dst_mac) + mac_bytes(src_mac)
    if vid:
        eth += struct.pack("!HH", 0x8100, vid)
    return eth + struct.pack("!H", 0x0800) + ip + icmp


def parse_reply(frame, aux, src_ip, dst_ip):
    """Returns (vid, pcp) for an echo reply dst_ip -> src_ip, else None."""
    vid, pcp = -1, -1
    for level, ctype, data in aux:
        if level == SOL_PACKET and ctype == PACKET_AUXDATA:
            status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH", data[:20])
            if status & TP_STATUS_VLAN_VALID:
                vid, pcp = tci & 0xFFF, tci >> 13
    proto = struct.unpack("!H", frame[12:14])[0]
    off = 14
    if proto == 0x8100:  # tag left in the frame
        tci, proto = struct.unpack("!HH", frame[14:18])
        vid, pcp, off = tci & 0xFFF, tci >> 13, 18
    if proto != 0x0800 or len(frame) < off + 28:
        return None
    ip = frame[off:]
    if ip[9] != 1 or ip[12:16] != socket.inet_aton(dst_ip) or \
            ip[16:20] != socket.inet_aton(src_ip):
        return None
    ihl = (ip[0] & 0xF) * 4
    if ip[ihl] != 0:  # echo reply
        return None
    return vid, pcp


def main():
    iface, src_mac, dst_mac, src_ip, dst_ip, vid, count = sys.argv[1:8]
    vid, count = int(vid), int(count)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((iface, 0))
    replies, last = 0, (-1, -1)
    for seq in range(1, count + 1):
        s.send(echo_request(src_mac, dst_mac, src_ip, dst_ip, vid, seq))
        time.sleep(0.05)
    deadline = time.time() + 2
    while time.time() < deadline:
        r, _, _ = select.select([s], [], [], 0.1)
        if not r:
            continue
        frame, aux, _, _ = s.recvmsg(65536, socket.CMSG_LEN(64))
        got = parse_reply(frame, aux, src_ip, dst_ip)
        if got:
            replies += 1
            last = got
    print("replies=%d vid=%d pcp=%d" % (replies, last[0], last[1]))


if __name__ == "__main__":
    main()
