#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The external host's end of the TCP streams a migrating test guest keeps
up while it moves (tests/integration/vdpa_migration.sh, bench/migration.sh).

    mig_stream.py sink ADDR PORT STOPFILE OUT BLOCK
    mig_stream.py source ADDR PORT STOPFILE OUT SEED

Each listens on ADDR:PORT, takes one connection and, at the end, writes
one JSON object to OUT (and OUT.tmp before it is complete).

sink: the guest sends blocks, each a header line "XM1 %06d\\n" (its
index) then BLOCK bytes, the same bytes in every block (the guest prints
their sha256). Once STOPFILE exists the sink writes one byte "S" back:
the guest ends after its current block and half-closes. JSON: bytes,
blocks (whole ones), sha256 (the distinct sha256s of the blocks'
bodies: one when all are intact), bad_headers (blocks whose header was not
the next index), trailing (bytes after the last whole block), stop_sent
(the stream's byte count when the "S" went out), gaps_ms (the pauses
over 200 ms between two receives, longest first, at most 50, with the
time since the first byte at which each ended: [[gap, at], ...]), start
(the first byte's time, seconds since the epoch).

source: sends a stream made of SEED (64 KiB chunks of Python's
random.Random(SEED)) until STOPFILE exists, then shuts its side down and
reads until the guest closes. JSON: bytes, sha256 (of what it sent),
gaps_ms and start (as for sink, between two sends that progressed).

While they run, OUT.bytes holds the byte count so far (rewritten every
0.2 s). Both give up after 600 s or when the peer resets (then "error" says why).
"""
import hashlib
import json
import os
import random
import socket
import sys
import time

CHUNK = 65536
LIMIT = 600


def listen(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(LIMIT)
    c, _ = s.accept()
    s.close()
    c.settimeout(1.0)
    return c


class Gaps:
    def __init__(self, out):
        self.t0 = None
        self.start = None
        self.last = None
        self.gaps = []
        self.out = out
        self.shown = 0.0

    def progress(self, n):
        now = time.monotonic()
        if now - self.shown >= 0.2:
            self.shown = now
            with open(self.out + ".bytes.tmp", "w") as f:
                f.write("%d\n" % n)
            os.rename(self.out + ".bytes.tmp", self.out + ".bytes")

    def tick(self):
        now = time.monotonic()
        if self.t0 is None:
            self.t0 = now
            self.start = time.time()
        elif now - self.last > 0.2:
            self.gaps.append([round((now - self.last) * 1000),
                              round((now - self.t0) * 1000)])
        self.last = now

    def top(self):
        return sorted(self.gaps, reverse=True)[:50]


def write(out, res):
    with open(out + ".tmp", "w") as f:
        json.dump(res, f)
    os.rename(out + ".tmp", out)


def sink(c, stop, out, block):
    res = {"bytes": 0, "blocks": 0, "sha256": [], "bad_headers": 0,
           "trailing": 0, "stop_sent": None, "gaps_ms": []}
    gaps = Gaps(out)
    shas = {}
    unit = 11 + block
    buf = bytearray()
    end = time.monotonic() + LIMIT
    try:
        while time.monotonic() < end:
            if res["stop_sent"] is None and os.path.exists(stop):
                c.sendall(b"S")
                res["stop_sent"] = res["bytes"]
            try:
                d = c.recv(1 << 20)
            except socket.timeout:
                gaps.progress(res["bytes"])
                continue
            if not d:
                break
            gaps.tick()
            res["bytes"] += len(d)
            gaps.progress(res["bytes"])
            buf += d
            while len(buf) >= unit:
                hdr = bytes(buf[:11])
                if hdr != b"XM1 %06d\n" % res["blocks"]:
                    res["bad_headers"] += 1
                h = hashlib.sha256(buf[11:unit]).hexdigest()
                shas[h] = shas.get(h, 0) + 1
                res["blocks"] += 1
                del buf[:unit]
    except OSError as e:
        res["error"] = str(e)
    res["trailing"] = len(buf)
    res["sha256"] = sorted(shas, key=shas.get, reverse=True)
    res["gaps_ms"] = gaps.top()
    res["start"] = gaps.start
    c.close()
    write(out, res)


def source(c, stop, out, seed):
    res = {"bytes": 0, "sha256": None, "gaps_ms": []}
    gaps = Gaps(out)
    rnd = random.Random(seed)
    h = hashlib.sha256()
    end = time.monotonic() + LIMIT
    try:
        while time.monotonic() < end and not os.path.exists(stop):
            chunk = rnd.randbytes(CHUNK)
            h.update(chunk)
            view = memoryview(chunk)
            while len(view):
                try:
                    n = c.send(view)
                except socket.timeout:
                    continue
                gaps.tick()
                res["bytes"] += n
                gaps.progress(res["bytes"])
                view = view[n:]
        c.shutdown(socket.SHUT_WR)
        while time.monotonic() < end:
            try:
                if not c.recv(65536):
                    break
            except socket.timeout:
                continue
    except OSError as e:
        res["error"] = str(e)
    res["sha256"] = h.hexdigest()
    res["gaps_ms"] = gaps.top()
    res["start"] = gaps.start
    c.close()
    write(out, res)


def main():
    if len(sys.argv) != 7 or sys.argv[1] not in ("sink", "source"):
        raise SystemExit(__doc__)
    mode, addr, port, stop, out, arg = sys.argv[1:]
    try:
        c = listen(addr, int(port))
    except OSError as e:
        write(out, {"bytes": 0, "error": "no connection: %s" % e})
        return
    if mode == "sink":
        sink(c, stop, out, int(arg))
    else:
        source(c, stop, out, int(arg))


if __name__ == "__main__":
    main()
