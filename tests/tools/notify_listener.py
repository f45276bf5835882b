#!/usr/bin/env python3
"""A service manager's notify socket (sd_notify(3)) for tests: binds the
datagram socket argv[1], writes every line it receives to argv[2], and
exits after READY=1 (or after 30 s without it, with status 1)."""
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.settimeout(30)
with open(out, "w", encoding="utf-8") as f:
    try:
        while True:
            msg = sock.recv(4096).decode()
            f.write(msg.rstrip("\n") + "\n")
            f.flush()
            if "READY=1" in msg.split("\n"):
                break
    except socket.timeout:
        sys.exit(1)
    finally:
        sock.close()
        os.unlink(path)
