#!/usr/bin/env python3
"""Sends commands to a QEMU human monitor (HMP) on a unix socket and
prints each one's output, without the monitor's banner, prompt, echo or
terminal escapes.

    hmp.py SOCKET COMMAND...

One connection for all the COMMANDs, one after the other. Exits 1 when the
socket cannot be reached or a reply does not come within 10 s; a QEMU that
closes the connection (after "quit") ends the output there, with exit 0.
"""
import re
import socket
import sys
import time

PROMPT = b"(qemu) "
ESC = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]|\x1b[()][0-9A-B]|\r")


def read_to_prompt(s, deadline):
    buf = b""
    while not buf.endswith(PROMPT):
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            raise SystemExit("hmp: no reply from the monitor within 10 s")
        if not chunk:
            return buf, False
        buf += chunk
    return buf[: -len(PROMPT)], True


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    path, cmds = sys.argv[1], sys.argv[2:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError as e:
        raise SystemExit("hmp: %s: %s" % (path, e))
    read_to_prompt(s, time.monotonic() + 10)  # the banner
    for cmd in cmds:
        s.sendall(cmd.encode() + b"\n")
        out, alive = read_to_prompt(s, time.monotonic() + 10)
        text = ESC.sub(b"", out).decode(errors="replace")
        lines = text.split("\n")
        # The monitor echoes the command line (redrawn as typed).
        if lines and lines[0].strip().endswith(cmd.strip()):
            lines = lines[1:]
        sys.stdout.write("".join(l + "\n" for l in lines if l.strip()))
        sys.stdout.flush()
        if not alive:
            break
    s.close()


if __name__ == "__main__":
    main()
