# regress/collector.py: a lying tmux server for the collector tests. Not a
# test. It speaks the collector protocol of audit/FORMAT.md section 17 on
# its own and prints its pid, then each answer of the collector, one a
# line:
#
#	PID pid
#	WELCOME segment next complete
#	ACK segment next complete
#	ERROR text
#	EOF
#
# python3 collector.py SOCKET CASE [ARG...], with tamper.py beside it:
#
#	impostor			HELLO with another pid
#	garbage				HELLO, then a message of unknown type
#	oversized			HELLO, then a header saying 4 GB
#	early				HELLO, then records before a segment
#	stall				HELLO, then half a message, then nothing
#	replay SEGFILE			HELLO for SEGFILE's run with our own
#					pid, then SEGFILE (someone else's) as is
#	forge SEGFILE COPY		SEGFILE made ours (our pid) and sealed
#					again with fresh keys into COPY, then sent:
#					the segment and its records up to the
#					first seal, then, changed by a byte, the
#					records up to the second seal; then
#					connect again and send its records from
#					the start
#	numbered SEGFILE COPY N		SEGFILE made ours, numbered N (not the
#					first of its run) and sealed again into
#					COPY, then sent whole, each answer read
#					before the next message

import os
import socket
import struct
import sys

import tamper as t

HELLO, SEGMENT, RECORDS, END = 1, 2, 3, 4
WELCOME, ACK, ERROR = 16, 17, 18


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    return s


def message(mtype, data=b""):
    """A whole message: its 5-byte header and data."""
    return struct.pack(">BI", mtype, len(data)) + data


def hello_message(run, start, pid):
    return message(HELLO, b"TMUXAUDC" + bytes([1]) + run + t.u64(start) +
                   t.u64(pid))


def send(s, mtype, data=b""):
    s.sendall(message(mtype, data))


def hello(s, run, start, pid):
    s.sendall(hello_message(run, start, pid))


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        try:
            got = s.recv(n - len(data))
        except ConnectionResetError:
            got = b""
        if not got:
            return None
        data += got
    return data


def answer(s):
    """Read and print one answer; return its type, or None at EOF."""
    hdr = recv_exact(s, 5)
    if hdr is None:
        print("EOF")
        return None
    mtype, n = struct.unpack(">BI", hdr)
    data = recv_exact(s, n)
    if data is None:
        print("EOF")
        return None
    if mtype == WELCOME:
        seg, nxt = struct.unpack(">QQ", data[1:17])
        print("WELCOME %d %d %d" % (seg, nxt, data[17]))
    elif mtype == ACK:
        seg, nxt = struct.unpack(">QQ", data[:16])
        print("ACK %d %d %d" % (seg, nxt, data[16]))
    elif mtype == ERROR:
        print("ERROR " + data.decode())
    else:
        print("UNKNOWN %d" % mtype)
    return mtype


def until_eof(s):
    while answer(s) is not None:
        pass


def run_of(seg):
    r = seg.records[0]
    return r.field(t.F_RUN), r.uint(t.F_START_TIME)


def begin(s, seg, pid):
    """
    HELLO for seg's run with pid, its answer, then seg's segment record;
    returns the run id and start time.
    """
    run, start = run_of(seg)
    hello(s, run, start, pid)
    answer(s)
    send(s, SEGMENT, seg.header + seg.records[0].raw)
    return run, start


def frames(recs):
    return b"".join(r.raw for r in recs)


def main():
    path, case = sys.argv[1], sys.argv[2]
    s = connect(path)
    me = os.getpid()
    run, start = os.urandom(16), 1
    print("PID %d" % me)

    if case == "impostor":
        hello(s, run, start, me + 1)
        until_eof(s)
    elif case == "garbage":
        hello(s, run, start, me)
        answer(s)
        send(s, 99, b"x")
        until_eof(s)
    elif case == "oversized":
        hello(s, run, start, me)
        answer(s)
        s.sendall(struct.pack(">BI", RECORDS, 0xffffffff))
        until_eof(s)
    elif case == "stall":
        hello(s, run, start, me)
        answer(s)
        s.sendall(struct.pack(">BI", RECORDS, 100) + b"half")
        until_eof(s)
    elif case == "early":
        hello(s, run, start, me)
        answer(s)
        send(s, RECORDS, b"\0\0\0\0")
        until_eof(s)
    elif case == "replay":
        begin(s, t.Segment(sys.argv[3]), me)
        until_eof(s)
    elif case == "forge":
        seg = t.Segment(sys.argv[3])
        seg.path = sys.argv[4]

        def ours(fields):
            return [(tag, t.u64(me) if tag == t.F_PID else v)
                    for tag, v in fields]
        sk, pk = t.new_key()
        t.reseal(seg, sk, pk, edit=ours)
        seg = t.Segment(sys.argv[4])
        recs = seg.events()
        seals = [i for i, r in enumerate(recs) if r.type == t.SEAL]
        first, second = seals[0], seals[1]
        run, start = begin(s, seg, me)
        answer(s)
        send(s, RECORDS, frames(recs[:first + 1]))
        answer(s)
        # A byte changed in the last data of the next epoch.
        changed = list(recs[first + 1:second + 1])
        for i in range(len(changed) - 1, -1, -1):
            data = changed[i].field(t.F_DATA)
            if data:
                p = changed[i].value_offset(t.F_DATA) - changed[i].offset
                raw = bytearray(changed[i].raw)
                raw[p] ^= 1
                changed[i] = t.Record(changed[i].offset, bytes(raw))
                print("CHANGED %d %d" % (changed[i].seq, changed[i].offset))
                print("SEALS %d %d" % (recs[first].seq, changed[-1].seq))
                break
        send(s, RECORDS, frames(changed))
        until_eof(s)
        s = connect(path)
        hello(s, run, start, me)
        answer(s)
        send(s, RECORDS, frames(recs))
        until_eof(s)
    elif case == "numbered":
        seg = t.Segment(sys.argv[3])
        seg.path = sys.argv[4]
        number = int(sys.argv[5])

        def later(fields):
            out = [(tag, t.u64(me) if tag == t.F_PID else v)
                   for tag, v in fields if tag != t.F_FIRST]
            return out + [(t.F_PREV_CHAIN, bytes(32)),
                          (t.F_PREV_SEAL, bytes(64))]
        sk, pk = t.new_key()
        t.reseal(seg, sk, pk, edit=later, number=number)
        seg = t.Segment(sys.argv[4])
        begin(s, seg, me)
        answer(s)
        batch = []
        for r in seg.events():
            batch.append(r)
            if r.type == t.SEAL:
                send(s, RECORDS, frames(batch))
                answer(s)
                batch = []
        if batch:
            send(s, RECORDS, frames(batch))
            answer(s)
        if seg.records[-1].is_final():
            send(s, END)
            answer(s)
    else:
        sys.exit("unknown case " + case)


if __name__ == "__main__":
    main()
