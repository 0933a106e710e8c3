#!/usr/bin/env python3
#
# bench/html-month.py: write a synthetic audit log of a month of one busy
# host, valid to the last seal, for measuring what show-audit -e html makes
# of it (bench/html-report.sh). Not run by ./build.sh check.
#
#	bench/html-month.py [options] DIR
#
# One server run a day (the server restarted each night), each of USERS
# users opening SESSIONS sessions a day of PANES panes; in each pane the
# user types COMMANDS command lines (one input record a key, as a real
# client's keys are), each answered by output of about OUTPUT bytes in
# chunks of up to 4 KiB, with colours, and one command in twenty a build
# that prints about twenty times that. Users attach, detach and attach
# again; tmux commands (split-window, select-pane) are logged. Files rotate
# at 16 MiB, seals come every 2000 records, as a server with the defaults
# would write them; the sealing keys are fresh, so -V finds the log
# consistent (no host key). Needs Python's cryptography package (Ed25519),
# as the tamper tests do.

import argparse
import heapq
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "regress"))
import tamper as t

T_SEG, T_START, T_STOP, T_SEAL = 1, 2, 3, 7
T_CONNECT, T_ATTACHED, T_DETACHED, T_DISCONNECT = 16, 17, 19, 20
T_S_CREATED, T_S_CLOSED, T_W_CREATED, T_W_CLOSED = 32, 33, 35, 36
T_P_CREATED, T_P_EXITED, T_INPUT, T_OUTPUT, T_COMMAND = 37, 38, 48, 49, 64

F = dict(pid=0x1001, uid=0x1002, gid=0x1003, segment=0x1006,
         session_id=0x1007, format=0x1008, start_time=0x100a,
         client_id=0x100b, pane=0x100c, window=0x100d, width=0x100e,
         height=0x100f, size=0x1010, status=0x1011, cause_uid=0x1014,
         seal_index=0x101c, final=0x101d, first=0x101e, records=0x101f,
         user=0x3001, host=0x3002, tmux_version=0x3003,
         audit_version=0x3004, socket=0x3005, client=0x3006, tty=0x3007,
         term=0x3008, session=0x300a, reason=0x300b, cwd=0x300d,
         client_flags=0x300e, cause=0x300f, cause_client=0x3010,
         command=0x3011, issuer=0x3012, result=0x3015, window_name=0x301e,
         cause_user=0x301f, shell=0x3022, run=0x4001, data=0x4002,
         cause_client_id=0x1017)

ROTATE = 16 * 1024 * 1024
SEAL_EVERY = 2000
HEADER = b"TMUXAUD\x01"

WORDS = ("make", "git status", "git log --oneline", "ls -la", "vim main.c",
         "grep -rn TODO src", "cat /var/log/syslog | tail", "ssh db1",
         "docker ps", "kubectl get pods", "systemctl status nginx",
         "df -h", "top -bn1", "psql -c 'select 1'", "cd src", "less README",
         "python3 manage.py migrate", "journalctl -u app --since today")


def field(name, value):
    tag = F[name]
    if isinstance(value, int):
        return (tag, struct.pack(">Q", value))
    if isinstance(value, str):
        value = value.encode()
    return (tag, value)


def output_text(rng, n):
    """About n bytes of terminal output: coloured listings and logs."""
    out = []
    size = 0
    while size < n:
        k = rng.randrange(6)
        if k == 0:
            line = "\x1b[1;34m%s\x1b[0m  %s.txt  \x1b[32mbuild.sh\x1b[0m" % (
                rng.choice(("src", "docs", "lib")), rng.randrange(10**6))
        elif k == 1:
            line = "gcc -O2 -Wall -c %s.c -o %s.o" % ((rng.randrange(999),) * 2)
        elif k == 2:
            line = ("2026-11-%02d %02d:%02d:%02d INFO request %d served "
                "in %d ms" % (rng.randrange(1, 29), rng.randrange(24),
                rng.randrange(60), rng.randrange(60), rng.randrange(10**6),
                rng.randrange(500)))
        elif k == 3:
            line = "-rw-r--r-- 1 user user %8d Nov %2d 12:%02d file-%d" % (
                rng.randrange(10**7), rng.randrange(1, 31), rng.randrange(60),
                rng.randrange(10**4))
        else:
            line = " ".join(rng.choice(("the", "server", "port", "ok",
                "connection", "status", "done", "error", "retry", "queue"))
                for _ in range(rng.randrange(4, 14)))
        out.append(line + "\r\n")
        size += len(out[-1])
    return "".join(out).encode()


class Writer:
    """Records of one server run, into rotating, sealed segment files."""

    def __init__(self, outdir, host, user, pid, start):
        self.outdir = outdir
        self.host, self.user, self.pid = host, user, pid
        self.run = os.urandom(16)
        self.start = start
        self.seq = 0
        self.number = 0
        self.seal_index = 0
        self.sk, self.pk = t.new_key()
        self.run_key = self.pk
        self.prev = None
        self.records = []
        self.size = 0
        self.since_seal = 0
        self.server = [field("pid", pid), field("uid", 1000),
            field("user", user), field("host", host),
            field("tmux_version", "3.5a"), field("audit_version", "0.2.0"),
            field("socket", "/tmp/tmux-1000/default"),
            field("start_time", start)]
        self.open(start)

    def open(self, time):
        self.number += 1
        fields = [field("format", 1), (F["run"], self.run),
                  field("segment", self.number)] + self.server
        if self.number == 1:
            fields.append(field("first", 1))
        else:
            # Where the link to the last segment goes (reseal fills it).
            fields += [(0x4008, bytes(32)), (0x4009, bytes(64))]
        self.records = [t.frame(T_SEG, self.seq, time, fields)]
        self.seg_time = time
        self.size = len(HEADER) + len(self.records[0])
        self.since_seal = 1
        self.last = time

    def add(self, rtype, time, fields):
        if time < self.last:
            time = self.last
        self.last = time
        fr = t.frame(rtype, self.seq, time, fields)
        self.seq += 1
        self.records.append(fr)
        self.size += len(fr)
        self.since_seal += 1
        if self.since_seal >= SEAL_EVERY:
            self.seal(time, final=False)
        if self.size >= ROTATE:
            self.close(time)
            self.open(time)

    def seal(self, time, final):
        f = [field("seal_index", self.seal_index), (F["run"], self.run),
             field("segment", self.number), field("records", 0)]
        if final:
            f.append(field("final", 1))
        f += [(0x4003, bytes(32)), (0x4004, b""), (0x4005, bytes(32)),
              (0x4006, bytes(64))]
        self.records.append(t.frame(T_SEAL, self.seq, time, f))
        self.seq += 1
        self.seal_index += 1
        self.since_seal = 0

    def close(self, time):
        self.seal(time, final=True)
        stamp = _stamp(self.seg_time)
        path = os.path.join(self.outdir, "%s_%s_%s_%d_%06d.tmux-audit" % (
            self.host, self.user, stamp, self.pid, self.number))
        t.write(path, HEADER, self.records)
        seg = t.Segment(path)
        chain, sig, self.sk, self.pk = t.reseal(seg, self.sk, self.pk,
            prev=self.prev, run_key=self.run_key)
        self.prev = (chain, sig)
        os.chmod(path, 0o600)
        self.records = []


def _stamp(us):
    import time as _t
    return _t.strftime("%Y%m%dT%H%M%SZ", _t.gmtime(us // 10**6))


def session_events(rng, a, day0, user, uid, sid, wids, pids, cid, tty):
    """The events of one session, as (time, order, type, fields)."""
    ev = []
    n = [0]

    def at(time, rtype, fields):
        n[0] += 1
        ev.append((time, sid * 10**7 + n[0], rtype, fields))

    start = day0 + rng.randrange(8 * 3600, 12 * 3600) * 10**6
    end = start + rng.randrange(2 * 3600, 6 * 3600) * 10**6
    name = "%s-%d" % (user, sid)
    client = [field("client_id", cid), field("client", tty),
              field("uid", uid), field("gid", uid), field("pid", 5000 + cid),
              field("user", user)]
    at(start, T_CONNECT, client + [field("tty", tty),
        field("term", "xterm-256color"), field("cwd", "/home/" + user),
        field("client_flags", "focused,UTF-8")])
    at(start + 1000, T_S_CREATED, [field("session", name),
        field("session_id", sid), field("cwd", "/home/" + user)])
    panes = []
    for i in range(a.panes):
        pane = pids.pop(0)
        window = wids.pop(0)
        panes.append(pane)
        t0 = start + 2000 + i * 60 * 10**6
        at(t0, T_W_CREATED, [field("window", window), field("width", 200),
            field("height", 50)])
        at(t0 + 10, T_P_CREATED, [field("pane", pane),
            field("window", window), field("session", name),
            field("session_id", sid), field("cause", "command"),
            field("cause_client", tty), field("cause_client_id", cid),
            field("cause_uid", uid), field("cause_user", user),
            field("pid", 20000 + pane), field("cwd", "/home/" + user),
            field("shell", "/bin/bash"), field("width", 200),
            field("height", 50)])
        at(t0 + 20, T_OUTPUT, [field("pane", pane),
            field("data", "%s@host:~$ " % user)])
        if i == 0:
            at(t0 + 30, T_ATTACHED, client + [field("session", name),
                field("session_id", sid)])
        else:
            at(t0, T_COMMAND, [field("issuer", "key")] + client +
                [field("command", "split-window"), field("result", "ok")])
        tc = t0 + 10**6
        span = (end - tc) // (a.commands + 1)
        pane_fields = [field("pane", pane), field("window", window),
            field("session", name), field("session_id", sid),
            field("cause", "key"), field("cause_client", tty),
            field("cause_client_id", cid), field("cause_uid", uid),
            field("cause_user", user)]
        for c in range(a.commands):
            tc += rng.randrange(span // 2, span + 1)
            line = rng.choice(WORDS)
            for ch in line + "\r":
                tc += rng.randrange(40000, 200000)
                at(tc, T_INPUT, pane_fields + [field("size", 1),
                    field("data", ch)])
                if ch != "\r":
                    at(tc + 800, T_OUTPUT, [field("pane", pane),
                        field("data", ch)])
            big = rng.randrange(20) == 0
            size = int(rng.expovariate(1.0 / a.output) *
                       (20 if big else 1)) + 40
            data = output_text(rng, size)
            for off in range(0, len(data), 4096):
                tc += rng.randrange(1000, 40000)
                at(tc, T_OUTPUT, [field("pane", pane),
                    field("data", data[off:off + 4096])])
            at(tc + 500, T_OUTPUT, [field("pane", pane),
                field("data", "\r\n%s@host:~$ " % user)])
            if c == a.commands // 2 and i == 0:
                at(tc + 1000, T_DETACHED, client + [field("session", name),
                    field("session_id", sid), field("reason", "detach")])
                at(tc + 600 * 10**6, T_ATTACHED, client +
                    [field("session", name), field("session_id", sid)])
        at(end + i, T_P_EXITED, [field("pane", pane),
            field("pid", 20000 + pane), field("status", 0)])
        at(end + i + 1, T_W_CLOSED, [field("window", window),
            field("window_name", "bash")])
    at(end + 100, T_DETACHED, client + [field("session", name),
        field("session_id", sid), field("reason", "session-destroyed")])
    at(end + 101, T_S_CLOSED, [field("session", name),
        field("session_id", sid)])
    at(end + 102, T_DISCONNECT, client + [field("reason", "exit")])
    return ev


def main():
    p = argparse.ArgumentParser(description="a month of one busy host")
    p.add_argument("dir")
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--users", type=int, default=10)
    p.add_argument("--sessions", type=int, default=2,
        help="sessions per user and day")
    p.add_argument("--panes", type=int, default=2)
    p.add_argument("--commands", type=int, default=40,
        help="command lines typed per pane")
    p.add_argument("--output", type=int, default=2000,
        help="mean bytes of output per command")
    p.add_argument("--host", default="busy-host")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.dir, exist_ok=True)
    month = 1793491200 * 10**6          # 2026-11-01T00:00:00Z
    for day in range(a.days):
        day0 = month + day * 86400 * 10**6
        w = Writer(a.dir, a.host, "svc", 4000 + day, day0 + 7 * 3600 * 10**6)
        w.add(T_START, w.start, w.server)
        events = []
        wids = list(range(10**5))
        pids = list(range(10**5))
        sid = 0
        for u in range(a.users):
            user = "user%02d" % u
            for s in range(a.sessions):
                events.append(session_events(rng, a, day0, user, 1001 + u,
                    sid, wids, pids, sid, "/dev/pts/%d" % sid))
                sid += 1
        for time, _, rtype, fields in heapq.merge(*[sorted(e, key=lambda x:
                x[:2]) for e in events], key=lambda x: x[:2]):
            w.add(rtype, time, fields)
        stop = day0 + 23 * 3600 * 10**6
        w.add(T_STOP, stop, [field("pid", w.pid)])
        w.close(stop)
        print("day %d: %d records" % (day + 1, w.seq), file=sys.stderr)


if __name__ == "__main__":
    main()
