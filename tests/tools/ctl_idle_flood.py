#!/usr/bin/python3
"""Idle clients of vdpad's control socket: connections that never send.

Usage: ctl_idle_flood.py SOCK GID UID0 NUIDS PER_UID HOLD_S [sustain] [READY]

Forks NUIDS children; child k runs as uid UID0+k with group GID (the
control group) and opens PER_UID SOCK_SEQPACKET connections to SOCK that
never send anything, for HOLD_S seconds. A connect that finds the listen
backlog full is retried every 0.1 s. With "sustain", a connection vdpad
closes is replaced by a new one (at most every 0.5 s), so the pressure
lasts the whole hold; without it, each child makes PER_UID connections in
all. READY, if given, is created once every child has connected PER_UID
times (or 5 s have passed).

Prints one JSON object at the end, summed over the children:
  connected       connect() calls that succeeded
  closed_by_peer  connections vdpad closed (EOF or reset)
  refused         of those, the ones vdpad first answered (with an error)
  open            connections still open at the end
  connect_errors  connects that failed other than on a full backlog
                  (last_error: the last one's reason)
  children, reported  children forked, and those that reported
"""
import json
import os
import select
import socket
import sys
import time

RETRY_S = 0.1
SUSTAIN_PACE_S = 0.5


class Child:
    def __init__(self, path, per_uid, sustain):
        self.path = path
        self.per_uid = per_uid
        self.sustain = sustain
        self.socks = {}  # fd -> [socket, answered]
        self.n = dict(connected=0, closed_by_peer=0, refused=0, open=0,
                      connect_errors=0)

    def connect_some(self):
        """Connects until PER_UID are open (sustain) or made (one-shot)."""
        while len(self.socks) < self.per_uid and (
                self.sustain or self.n["connected"] < self.per_uid):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.setblocking(False)
            try:
                s.connect(self.path)
            except (BlockingIOError, InterruptedError):
                s.close()
                return  # backlog full: later
            except OSError as e:
                s.close()
                self.n["connect_errors"] += 1
                self.n["last_error"] = e.strerror
                return
            self.socks[s.fileno()] = [s, False]
            self.n["connected"] += 1

    def watch(self, poller_s):
        """Counts the connections vdpad closed in the next POLLER_S s."""
        p = select.poll()
        for fd in self.socks:
            p.register(fd, select.POLLIN)
        for fd, _ in p.poll(int(poller_s * 1000)):
            ent = self.socks[fd]
            try:
                data = ent[0].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                ent[1] = True
                continue
            self.n["closed_by_peer"] += 1
            self.n["refused"] += ent[1]
            ent[0].close()
            del self.socks[fd]

    def run(self, hold_s, ready_w):
        end = time.monotonic() + hold_s
        start = time.monotonic()
        next_try = 0.0
        told = False
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_try:
                self.connect_some()
                full = len(self.socks) == self.per_uid
                next_try = now + (SUSTAIN_PACE_S if full and self.sustain
                                  else RETRY_S)
            if not told and (self.n["connected"] >= self.per_uid or
                             now - start > 5):
                os.write(ready_w, b"r")
                told = True
            self.watch(0.05)
        self.n["open"] = len(self.socks)
        return self.n


def child_main(args, k, ready_w, out_w):
    path, gid, uid0, _, per_uid, hold = args[:6]
    sustain = "sustain" in args[6:]
    os.setgroups([int(gid)])
    os.setgid(int(gid))
    os.setuid(int(uid0) + k)
    n = Child(path, int(per_uid), sustain).run(float(hold), ready_w)
    os.write(out_w, (json.dumps(n) + "\n").encode())
    os._exit(0)


def main():
    args = sys.argv[1:]
    if len(args) < 6:
        sys.exit(__doc__)
    nuids = int(args[3])
    ready = [a for a in args[6:] if a != "sustain"]
    ready_r, ready_w = os.pipe()
    out_r, out_w = os.pipe()
    pids = []
    for k in range(nuids):
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            os.close(out_r)
            child_main(args, k, ready_w, out_w)
        pids.append(pid)
    os.close(ready_w)
    os.close(out_w)
    got = 0
    deadline = time.monotonic() + 10
    while got < nuids and time.monotonic() < deadline:
        r, _, _ = select.select([ready_r], [], [], 0.1)
        if r:
            b = os.read(ready_r, 64)
            if not b:
                break
            got += len(b)
    if ready:
        open(ready[0], "w").close()
    total = dict(connected=0, closed_by_peer=0, refused=0, open=0,
                 connect_errors=0, reported=0)
    with os.fdopen(out_r) as f:
        for line in f:
            for k, v in json.loads(line).items():
                if isinstance(v, int):
                    total[k] += v
                else:
                    total[k] = v
            total["reported"] += 1
    for pid in pids:
        os.waitpid(pid, 0)
    total["children"] = nuids
    print(json.dumps(total))


if __name__ == "__main__":
    main()
