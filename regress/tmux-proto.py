#!/usr/bin/env python3
#
# regress/tmux-proto.py: a tmux 3.5a client that does what it is told, for
# the tests of how the server handles clients that break the protocol. Not a
# test.
#
#	python3 tmux-proto.py SOCKET <SCRIPT
#
# connects to the server's socket and runs the script on standard input,
# one step a line, its words split as sh would (a line starting with # is a
# comment):
#
#	identify [-NAME...] [flags=N]
#		the identify messages a real client sends, in its order
#		(LONGFLAGS, TERM, FEATURES, TTYNAME, CWD, STDIN, STDOUT,
#		CLIENTPID, ENVIRON, DONE), without those named with a minus
#		(-TTYNAME, -DONE, ...); flags=N sets the client flags (0 by
#		default). STDIN and STDOUT carry /dev/null.
#	command [argc=N] [ARG...]
#		MSG_COMMAND with the arguments packed as the client packs
#		them; argc=N sends N as the count whatever the strings are
#	send TYPE [HEX] [fd]
#		any message: TYPE is a name from tmux-protocol.h (MSG_...) or
#		a number, HEX its data; fd attaches /dev/null
#	wait [SECONDS]
#		print what the server sends until it closes the connection or
#		tells the client to exit, or SECONDS (5) pass
#	sleep SECONDS
#	pid	print "pid N", the pid this client gives in MSG_IDENTIFY_CLIENTPID
#	close	close the connection
#
# What the server sends is printed one line a message, in a fixed form:
# "stream N: TEXT" for what was written to the client's stdout (1) or stderr
# (2) since the last such line, TEXT as a JSON string, printed before the
# next other line; "exit N" or "exit N: TEXT" for MSG_EXIT (answered with
# MSG_EXITING, as the real client does); "closed" when the server closes the
# connection; "timeout" when wait runs out; other messages by name
# ("MSG_READY"). File requests are answered as a client that cannot
# open anything would (MSG_WRITE_READY or MSG_READ_DONE with EBADF), except
# the client's own stdout and stderr, which are collected.
#
# The numbers are tmux 3.5a's (tmux-protocol.h, PROTOCOL_VERSION 8); the
# framing is imsg's: a header of u32 type, u16 length (header included), u16
# flags, u32 peer id (the protocol version), u32 pid, native byte order,
# then the data, with any file descriptor passed as SCM_RIGHTS.

import array
import errno
import json
import os
import select
import shlex
import socket
import struct
import sys
import time

PROTOCOL_VERSION = 8
HEADER = struct.Struct("=IHHII")
IMSGF_HASFD = 1
MAX_IMSGSIZE = 16384

MSG = {
    "MSG_VERSION": 12,
    "MSG_IDENTIFY_FLAGS": 100,
    "MSG_IDENTIFY_TERM": 101,
    "MSG_IDENTIFY_TTYNAME": 102,
    "MSG_IDENTIFY_OLDCWD": 103,
    "MSG_IDENTIFY_STDIN": 104,
    "MSG_IDENTIFY_ENVIRON": 105,
    "MSG_IDENTIFY_DONE": 106,
    "MSG_IDENTIFY_CLIENTPID": 107,
    "MSG_IDENTIFY_CWD": 108,
    "MSG_IDENTIFY_FEATURES": 109,
    "MSG_IDENTIFY_STDOUT": 110,
    "MSG_IDENTIFY_LONGFLAGS": 111,
    "MSG_IDENTIFY_TERMINFO": 112,
    "MSG_COMMAND": 200,
    "MSG_DETACH": 201,
    "MSG_DETACHKILL": 202,
    "MSG_EXIT": 203,
    "MSG_EXITED": 204,
    "MSG_EXITING": 205,
    "MSG_LOCK": 206,
    "MSG_READY": 207,
    "MSG_RESIZE": 208,
    "MSG_SHELL": 209,
    "MSG_SHUTDOWN": 210,
    "MSG_OLDSTDERR": 211,
    "MSG_OLDSTDIN": 212,
    "MSG_OLDSTDOUT": 213,
    "MSG_SUSPEND": 214,
    "MSG_UNLOCK": 215,
    "MSG_WAKEUP": 216,
    "MSG_EXEC": 217,
    "MSG_FLAGS": 218,
    "MSG_READ_OPEN": 300,
    "MSG_READ": 301,
    "MSG_READ_DONE": 302,
    "MSG_WRITE_OPEN": 303,
    "MSG_WRITE": 304,
    "MSG_WRITE_READY": 305,
    "MSG_WRITE_CLOSE": 306,
    "MSG_READ_CANCEL": 307,
}
NAME = {v: k for k, v in MSG.items()}

IDENTIFY = ["LONGFLAGS", "TERM", "FEATURES", "TTYNAME", "CWD", "STDIN",
            "STDOUT", "CLIENTPID", "ENVIRON", "DONE"]


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.streams = {}
        self.open = True

    def send(self, mtype, data=b"", fd=None):
        if not self.open:
            return
        hdr = HEADER.pack(mtype, HEADER.size + len(data),
                          IMSGF_HASFD if fd is not None else 0,
                          PROTOCOL_VERSION, os.getpid())
        anc = []
        if fd is not None:
            anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                    array.array("i", [fd]))]
        try:
            self.sock.sendmsg([hdr + data], anc)
        except OSError as e:
            if e.errno not in (errno.EPIPE, errno.ECONNRESET):
                raise
            self.open = False
        if fd is not None:
            os.close(fd)

    def identify(self, omit, flags):
        devnull = lambda: os.open(os.devnull, os.O_RDWR)
        for what in IDENTIFY:
            if what in omit:
                continue
            mtype = MSG["MSG_IDENTIFY_" + what]
            if what == "LONGFLAGS":
                self.send(mtype, struct.pack("=Q", flags))
            elif what == "TERM":
                self.send(mtype, b"xterm-256color\0")
            elif what == "FEATURES":
                self.send(mtype, struct.pack("=i", 0))
            elif what == "TTYNAME":
                self.send(mtype, b"\0")
            elif what == "CWD":
                self.send(mtype, b"/\0")
            elif what in ("STDIN", "STDOUT"):
                self.send(mtype, b"", devnull())
            elif what == "CLIENTPID":
                self.send(mtype, struct.pack("=i", os.getpid()))
            elif what == "ENVIRON":
                for k in ("PATH", "LC_ALL", "TERM"):
                    if k in os.environ:
                        v = "%s=%s\0" % (k, os.environ[k])
                        self.send(mtype, v.encode())
            else:
                self.send(mtype)

    def receive(self, timeout):
        """Return the next message (type, data), "closed" or None."""
        end = time.monotonic() + timeout
        while True:
            if len(self.buf) >= HEADER.size:
                mtype, length, _, _, _ = HEADER.unpack_from(self.buf)
                if length < HEADER.size:
                    sys.exit("tmux-proto.py: bad message length %d" % length)
                if len(self.buf) >= length:
                    data = self.buf[HEADER.size:length]
                    self.buf = self.buf[length:]
                    return mtype, data
            if not self.open:
                return "closed"
            left = end - time.monotonic()
            if left <= 0:
                return None
            if not select.select([self.sock], [], [], left)[0]:
                return None
            try:
                data, anc, _, _ = self.sock.recvmsg(
                    MAX_IMSGSIZE, socket.CMSG_SPACE(16 * 4))
            except ConnectionResetError:
                data, anc = b"", []
            for level, kind, fds in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    a = array.array("i")
                    a.frombytes(fds[:len(fds) - len(fds) % a.itemsize])
                    for fd in a:
                        os.close(fd)
            if not data:
                self.open = False
                self.sock.close()
            self.buf += data

    def wait(self, timeout):
        while True:
            m = self.receive(timeout)
            if m is None:
                self.flush()
                print("timeout")
                return
            if m == "closed":
                self.flush()
                print("closed")
                return
            if self.handle(*m):
                return

    def flush(self):
        """Print what has been written to each stream so far."""
        for stream in sorted(self.streams):
            if self.streams[stream]:
                text = self.streams[stream].decode(errors="replace")
                print("stream %d: %s" % (stream, json.dumps(text)))
                self.streams[stream] = b""

    def handle(self, mtype, data):
        """Answer or print one message; return True when the wait is over."""
        if mtype == MSG["MSG_WRITE_OPEN"]:
            stream, fd, _ = struct.unpack_from("=iii", data)
            error = 0
            if fd in (1, 2) and len(data) == 12:
                self.streams[stream] = b""
            else:
                error = errno.EBADF
            self.send(MSG["MSG_WRITE_READY"], struct.pack("=ii", stream,
                                                           error))
        elif mtype == MSG["MSG_WRITE"]:
            stream, = struct.unpack_from("=i", data)
            if stream in self.streams:
                self.streams[stream] += data[4:]
        elif mtype == MSG["MSG_WRITE_CLOSE"]:
            self.flush()
        elif mtype == MSG["MSG_READ_OPEN"]:
            stream, = struct.unpack_from("=i", data)
            self.send(MSG["MSG_READ_DONE"], struct.pack("=ii", stream,
                                                         errno.EBADF))
        elif mtype == MSG["MSG_EXIT"]:
            self.flush()
            retval, = struct.unpack_from("=i", data)
            text = data[4:].rstrip(b"\0").decode(errors="replace")
            if text:
                print("exit %d: %s" % (retval, json.dumps(text)))
            else:
                print("exit %d" % retval)
            self.send(MSG["MSG_EXITING"])
            return True
        else:
            self.flush()
            print(NAME.get(mtype, str(mtype)))
            return mtype in (MSG["MSG_VERSION"], MSG["MSG_EXITED"],
                             MSG["MSG_SHUTDOWN"], MSG["MSG_DETACH"],
                             MSG["MSG_DETACHKILL"])
        return False


def message_type(word):
    if word in MSG:
        return MSG[word]
    if "MSG_" + word in MSG:
        return MSG["MSG_" + word]
    return int(word, 0)


def run(client, words):
    step, args = words[0], words[1:]
    if step == "identify":
        omit = [a[1:] for a in args if a.startswith("-")]
        flags = 0
        for a in args:
            if a.startswith("flags="):
                flags = int(a[6:], 0)
        client.identify(omit, flags)
    elif step == "command":
        argc = None
        if args and args[0].startswith("argc="):
            argc = int(args[0][5:], 0)
            args = args[1:]
        if argc is None:
            argc = len(args)
        packed = b"".join(a.encode() + b"\0" for a in args)
        client.send(MSG["MSG_COMMAND"], struct.pack("=i", argc) + packed)
    elif step == "send":
        fd = None
        if args and args[-1] == "fd":
            fd = os.open(os.devnull, os.O_RDWR)
            args = args[:-1]
        data = bytes.fromhex(args[1]) if len(args) > 1 else b""
        client.send(message_type(args[0]), data, fd)
    elif step == "wait":
        client.wait(float(args[0]) if args else 5)
    elif step == "sleep":
        time.sleep(float(args[0]))
    elif step == "pid":
        print("pid %d" % os.getpid())
    elif step == "close":
        if client.open:
            client.sock.close()
            client.open = False
    else:
        sys.exit("tmux-proto.py: unknown step: %s" % step)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tmux-proto.py SOCKET <SCRIPT")
    client = Client(sys.argv[1])
    for line in sys.stdin:
        if line.lstrip().startswith("#"):
            continue
        words = shlex.split(line)
        if words:
            run(client, words)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
