#!/usr/bin/env python3
#
# bench/bench.py: what does the audit log cost? Measured in one run against
# upstream tmux 3.5a built from the same tarball ("pristine"), the manual
# pipe-pane recipe, util-linux script and tlog-rec, with configurations
# interleaved (rep 1 of every configuration, then rep 2, ...) so drift of
# the machine cancels out. Started by bench/run.sh (./build.sh bench).
#
# Every measurement uses a fresh server on its own -L socket inside a private
# temporary directory (TMUX_TMPDIR), removed at exit with every server and
# client this script started.

import argparse
import datetime
import fcntl
import hashlib
import json
import os
import platform
import pty
import random
import re
import select
import shlex
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

MB = 1000 * 1000
MIB = 1024 * 1024

# A root-owned file every tmux-audit server reads first; the audit options
# it sets are locked (audit/audit-int.h, AUDIT_POLICY_PATH).
POLICY = "/etc/tmux-audit.conf"

# The memory test is long (a gigabyte through each): only what the targets
# compare.
MEMORY_CONFIGS = ("pristine", "on-seal")

# Instructions are counted (valgrind's callgrind) for these, on the first
# INSTR_MB of each stream: exact where wall time is noisy.
INSTR_CONFIGS = ("pristine", "off", "on-seal")
INSTR_MB = {"text": 4, "escape": 2}

# The pane is 200x50 everywhere; an attached client is one line taller for
# the status line, so attaching does not resize the pane.
COLS, ROWS = 200, 50

# Every configuration starts from these lines. No periodic status redraw:
# it would put stray letters into the keystroke measurement.
BASE_CONF = ["set -g status-interval 0"]

# Escape sequences, stripped from what the client receives before looking
# for the echo of a key: CSI, OSC, two-byte ESC sequences and charset
# designations.
ESC_RE = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)"
                    rb"|[()*+][0-~]|[ -/]*[0-~])")


class BenchError(Exception):
    """A measurement failed: its cell is reported as n/a with the reason."""


# What ends one measurement (reported as n/a) rather than the whole run.
FAILED = (BenchError, OSError, subprocess.SubprocessError)


def say(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def q(s):
    return shlex.quote(str(s))


def median(xs):
    return statistics.median(xs) if xs else None


def percentile(xs, p):
    """Nearest-rank percentile."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


# --------------------------------------------------------------------------
# Test data, generated once per run with fixed seeds (same bytes every run).

WORDS = ("the of and to in is that for it as was with be by on not this are "
         "or from at which but have an they you were there been one all we "
         "their has would when if so no will more can who out them what up "
         "into some time could do than only other then its also after use "
         "server client session window pane buffer socket request response "
         "error warning config value index table record stream output input "
         "kernel process thread memory cache queue event timer signal").split()
HOSTS = ["web01", "web02", "db-primary", "cache3", "worker-17", "edge-eu-1"]
PROCS = ["nginx", "postgres", "sshd", "cron", "kubelet", "app", "systemd"]
LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]


def text_line(r):
    k = r.random()
    if k < 0.5:
        # A log line, like journalctl or an application log.
        msg = " ".join(r.choice(WORDS) for _ in range(r.randint(4, 16)))
        return ("2026-11-%02dT%02d:%02d:%02d.%06dZ %s %s[%d]: %s %s "
                "id=%08x dur=%d.%dms\n" % (
                    r.randint(1, 28), r.randint(0, 23), r.randint(0, 59),
                    r.randint(0, 59), r.randint(0, 999999), r.choice(HOSTS),
                    r.choice(PROCS), r.randint(100, 99999), r.choice(LEVELS),
                    msg, r.getrandbits(32), r.randint(0, 999),
                    r.randint(0, 9)))
    if k < 0.8:
        # Source code.
        ind = "\t" * r.randint(0, 3)
        a, b = r.choice(WORDS), r.choice(WORDS)
        forms = ["%sif (%s_%s == %d)\n", "%sreturn (%s_%s(%d));\n",
                 "%s%s->%s = xstrdup(\"%d\");\n", "%s/* %s %s %d */\n",
                 "%sfor (i = 0; i < n_%s; i++) %s[i] = %d;\n"]
        return r.choice(forms) % (ind, a, b, r.randint(0, 4096))
    if k < 0.9:
        return "\n"
    # Prose, up to 160 columns.
    words = []
    while len(" ".join(words)) < r.randint(40, 150):
        words.append(r.choice(WORDS))
    return " ".join(words) + ".\n"


WIDE = ["漢字", "日本語", "テスト", "中文字符", "한국어", "表示", "😀", "🚀", "✅"]
NARROW = ["é", "ü", "ñ", "ø", "Ω", "λ", "→", "✓", "─", "│", "┌", "┐", "█", "░",
          "e\u0301", "a\u0308"]


def escape_chunk(r):
    k = r.random()
    if k < 0.45:
        # A coloured log line with 256-colour and true-colour SGR, bold,
        # underline, wide and combining characters.
        parts = ["\x1b[38;5;%dm%02d:%02d:%02d\x1b[0m " % (
            r.randint(16, 231), r.randint(0, 23), r.randint(0, 59),
            r.randint(0, 59)),
            "\x1b[1;3%dm%-5s\x1b[0m " % (r.randint(1, 6), r.choice(LEVELS))]
        for _ in range(r.randint(4, 12)):
            w = r.random()
            if w < 0.15:
                parts.append(r.choice(WIDE))
            elif w < 0.3:
                parts.append(r.choice(NARROW) + r.choice(WORDS))
            elif w < 0.45:
                parts.append("\x1b[38;2;%d;%d;%dm%s\x1b[39m" % (
                    r.randint(0, 255), r.randint(0, 255), r.randint(0, 255),
                    r.choice(WORDS)))
            elif w < 0.55:
                parts.append("\x1b[4m%s\x1b[24m" % r.choice(WORDS))
            else:
                parts.append(r.choice(WORDS))
        return " ".join(parts) + "\n"
    if k < 0.8:
        # A full-screen program redrawing some rows (like top): absolute
        # cursor moves, background colours, erase to end of line.
        out = []
        for _ in range(r.randint(3, 12)):
            row, col = r.randint(1, ROWS), r.randint(1, COLS - 60)
            cells = "".join(
                r.choice(WIDE) if r.random() < 0.1 else r.choice(NARROW)
                if r.random() < 0.2 else r.choice(WORDS) + " "
                for _ in range(r.randint(3, 10)))
            out.append("\x1b[%d;%dH\x1b[48;5;%dm\x1b[38;5;%dm%s\x1b[0m\x1b[K" % (
                row, col, r.randint(232, 255), r.randint(16, 231), cells))
        out.append("\x1b[%d;1H" % ROWS)
        return "".join(out) + "\n"
    if k < 0.95:
        # A progress bar redrawn in place, with relative cursor movement.
        n = r.randint(0, 40)
        return "\r\x1b[2K\x1b[32m[%s>%s]\x1b[0m %3d%% \x1b[1A\x1b[1B\x1b[5C" \
            "\x1b[5D%s\r" % ("=" * n, " " * (40 - n), n * 100 // 40,
                             r.choice(NARROW))
    # A scroll region and reverse index, then the region is reset.
    return "\x1b[%d;%dr\x1b[%d;1H%s\n\x1bM\x1b[r\x1b[%d;1H" % (
        r.randint(2, 10), r.randint(30, ROWS), r.randint(2, 10),
        " ".join(r.choice(WORDS) for _ in range(8)), ROWS)


def generate(path, size, make, seed):
    """Write at least size bytes of make()'s output, drawn from a pool."""
    r = random.Random(seed)
    pool = [make(r).encode() for _ in range(20000)]
    n = 0
    with open(path, "wb") as f:
        while n < size:
            block = b"".join(r.choices(pool, k=4096))
            f.write(block)
            n += len(block)
    return n


# --------------------------------------------------------------------------
# Configurations.

class Config:
    def __init__(self, key, title, binary, conf=(), peer=None, audit=False):
        self.key = key
        self.title = title
        self.binary = binary
        self.conf = list(conf)
        self.peer = peer		# None, "pipe-pane", "script", "tlog"
        self.audit = audit
        self.na = None			# why it cannot be measured

    def pane_command(self, inner, logfile):
        """The command the pane runs: inner (a sh script), maybe wrapped."""
        if self.peer == "script":
            return "script -q -c %s %s" % (q("sh " + q(inner)), q(logfile))
        if self.peer == "tlog":
            return ("tlog-rec --writer=file --file-path=%s --log-input=true "
                    "--log-output=true /bin/sh %s" % (q(logfile), q(inner)))
        return "exec sh %s" % q(inner)


def make_configs(fork, pristine):
    def on(sync):
        return ["set -s audit-log on", "set -s audit-log-input on",
                "set -s audit-log-output on",
                "set -s audit-log-sync %s" % sync]
    return [
        Config("pristine", "pristine tmux 3.5a", pristine),
        Config("control", "pristine tmux 3.5a again (A/A control)",
               pristine),
        Config("off", "fork, audit-log off", fork, ["set -s audit-log off"]),
        Config("on-off", "fork, all on, sync off", fork, on("off"),
               audit=True),
        Config("on-seal", "fork, all on, sync seal (default)", fork,
               on("seal"), audit=True),
        Config("on-always", "fork, all on, sync always", fork, on("always"),
               audit=True),
        Config("pipe-pane", "pristine + pipe-pane 'cat >> file'", pristine,
               peer="pipe-pane"),
        Config("script", "pristine + script in the pane", pristine,
               peer="script"),
        Config("tlog", "pristine + tlog-rec in the pane", pristine,
               peer="tlog"),
    ]


# --------------------------------------------------------------------------
# Servers and clients.

class Client:
    """A tmux client attached through a pty this script holds the master of."""

    def __init__(self, argv, env, rows, cols):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ,
                            struct.pack("HHHH", rows, cols, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.thread = None
        self.received = 0

    def _drain(self):
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.received += len(data)

    def drain(self):
        """Read and throw away everything the client prints, in a thread."""
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def read_until_quiet(self, idle=0.3, limit=5.0):
        end = time.monotonic() + limit
        data = b""
        while time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [], idle)
            if not r:
                break
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        return data

    def keystrokes(self, n, warmup, interval):
        """Write one letter at a time and time it until its echo is back;
        one key every interval seconds (or at once after a slower echo)."""
        letters = b"abcdefghijklmnopqrstuvwxyz"
        out = []
        start = time.monotonic()
        for i in range(warmup + n):
            ch = letters[i % 26:i % 26 + 1]
            buf = b""
            t0 = time.perf_counter_ns()
            os.write(self.fd, ch)
            while True:
                r, _, _ = select.select([self.fd], [], [], 5)
                if not r:
                    raise BenchError("no echo within 5 s")
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise BenchError("client exited")
                buf += chunk
                if ch in ESC_RE.sub(b"", buf):
                    break
            t1 = time.perf_counter_ns()
            if i >= warmup:
                out.append(t1 - t0)
            pause = start + (i + 1) * interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        return out

    def close(self):
        for sig, wait in ((None, 5.0), (signal.SIGTERM, 2.0),
                          (signal.SIGKILL, 2.0)):
            if sig is not None:
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
            end = time.monotonic() + wait
            while time.monotonic() < end:
                try:
                    pid, _ = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:
                    pid = self.pid
                if pid == self.pid:
                    break
                time.sleep(0.02)
            else:
                continue
            break
        if self.thread is not None:
            self.thread.join(2)
        try:
            os.close(self.fd)
        except OSError:
            pass


def policy_in_force():
    """Does the system policy file hold any command?"""
    try:
        with open(POLICY) as f:
            return any(x.strip() and not x.strip().startswith("#")
                       for x in f)
    except OSError:
        return False


def proc_start(pid):
    """A process's start time (to tell it from a later one with its pid), or
    None if it has gone or is a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


class Server:
    """A fresh tmux server for one measurement."""

    def __init__(self, bench, cfg, extra_conf=()):
        self.bench = bench
        self.cfg = cfg
        bench.nservers += 1
        self.label = "b%d-%d" % (os.getpid(), bench.nservers)
        self.bin = cfg.binary
        self.dir = os.path.join(bench.tmp, "run", self.label)
        os.makedirs(self.dir, mode=0o700)
        self.logdir = os.path.join(bench.tmp, "logs", self.label)
        self.logfile = os.path.join(self.dir, "peer.log")
        self.conf = os.path.join(self.dir, "tmux.conf")
        lines = BASE_CONF + cfg.conf + list(extra_conf)
        if cfg.audit:
            lines.append("set -s audit-log-path %s" % q(self.logdir))
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.pid = None
        self.client = None
        bench.servers.append(self)

    def tmux(self, *args, timeout=30):
        argv = [self.bin, "-L", self.label, "-f", self.conf] + list(args)
        try:
            p = subprocess.run(argv, env=self.bench.env, timeout=timeout,
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except subprocess.TimeoutExpired:
            raise BenchError("tmux %s: no answer after %d s" %
                             (args[0], timeout))
        if p.returncode != 0:
            raise BenchError("tmux %s: %s" % (
                args[0], p.stderr.decode(errors="replace").strip() or
                "exit status %d" % p.returncode))
        return p.stdout.decode(errors="replace")

    def signal_cmd(self, channel):
        return "%s -L %s wait-for -S %s" % (q(self.bin), q(self.label),
                                            channel)

    def start(self, script):
        """Start the server with one 200x50 pane running script (sh)."""
        inner = os.path.join(self.dir, "pane.sh")
        with open(inner, "w") as f:
            f.write(script)
        cmd = self.cfg.pane_command(inner, self.logfile)
        if self.cfg.binary == self.bench.fork and policy_in_force():
            raise BenchError("a system policy (%s) is in force: it "
                             "overrides the audit options" % POLICY)
        self.tmux("new-session", "-d", "-x", str(COLS), "-y", str(ROWS),
                  "-s", "b", cmd)
        self.pid = int(self.tmux("display", "-p", "#{pid}").strip())
        if self.cfg.binary == self.bench.fork:
            self.check_options()
        if self.cfg.peer == "pipe-pane":
            self.tmux("pipe-pane", "-t", "b", "cat >> %s" % q(self.logfile))

    def check_options(self):
        """Make sure the audit options are what this configuration says: a
        system policy (/etc/tmux-audit.conf) overrides and locks them."""
        want = {}
        for line in self.cfg.conf:
            w = line.split()
            if w[:2] == ["set", "-s"]:
                want[w[2]] = w[3]
        if self.cfg.audit:
            want["audit-log-path"] = self.logdir
        for name, value in want.items():
            got = self.tmux("show", "-sv", name).strip()
            if got != value:
                raise BenchError("%s is %s, not %s: a system policy (%s) "
                                 "overrides it" % (name, got, value,
                                                   POLICY))
        if policy_in_force():
            raise BenchError("a system policy (%s) is in force" % POLICY)

    def wait(self, channel, timeout):
        self.tmux("wait-for", channel, timeout=timeout)

    def attach(self, drain=True):
        """Attach a client through a pty, draining its output if asked."""
        self.client = Client([self.bin, "-L", self.label, "attach", "-t", "b"],
                             self.bench.env, ROWS + 1, COLS)
        self.bench.clients.append(self.client)
        if drain:
            self.client.drain()
        end = time.monotonic() + 10
        while not self.tmux("list-clients", "-F", "#{client_name}").strip():
            if time.monotonic() > end:
                raise BenchError("client did not attach")
            time.sleep(0.05)
        size = self.tmux("display", "-p", "-t", "b",
                         "#{pane_width}x#{pane_height}").strip()
        if size != "%dx%d" % (COLS, ROWS):
            raise BenchError("attached pane is %s, not %dx%d" %
                             (size, COLS, ROWS))
        return self.client

    def status(self, key):
        """A line of /proc/PID/status in kB, as bytes."""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
        raise BenchError("no %s for pid %d" % (key, self.pid))

    def cpu(self):
        """CPU seconds (user + system) the server has used so far."""
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self):
        if self.pid is None:
            return False
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state not in ("Z", "X")

    def ours(self):
        try:
            return os.readlink("/proc/%d/exe" % self.pid) == \
                os.path.realpath(self.bin)
        except OSError:
            return False

    def descendants(self):
        """The server's descendants (panes, recorders, pipe-pane's cat) as
        (pid, start time), so none outlives the measurement: script, for
        one, keeps waiting for its child after its terminal has gone."""
        children = {}
        for e in os.listdir("/proc"):
            if not e.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % e) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(
                (int(e), fields[19]))
        out, todo = [], [self.pid]
        while todo:
            for pid, start in children.get(todo.pop(), []):
                out.append((pid, start))
                todo.append(pid)
        return out

    def stop(self):
        """Kill the server and wait until it has gone (log closed)."""
        procs = []
        if self.alive():
            procs = self.descendants()
            try:
                self.tmux("kill-server", timeout=10)
            except BenchError:
                pass
            end = time.monotonic() + 20
            while self.alive() and time.monotonic() < end:
                time.sleep(0.02)
            if self.alive() and self.ours():
                os.kill(self.pid, signal.SIGKILL)
        for sig in (signal.SIGHUP, signal.SIGKILL):
            left = [p for p, start in procs if proc_start(p) == start]
            for p in left:
                try:
                    os.kill(p, sig)
                except OSError:
                    pass
            if left and sig == signal.SIGHUP:
                time.sleep(0.2)
        if self.client is not None:
            self.client.close()
            self.client = None

    def log_bytes(self):
        """Bytes of log this configuration wrote."""
        if self.cfg.audit:
            try:
                return sum(e.stat().st_size
                           for e in os.scandir(self.logdir))
            except OSError as e:
                raise BenchError("no audit log: %s" % e)
        if self.cfg.peer:
            try:
                return os.path.getsize(self.logfile)
            except OSError:
                return 0
        return None

    def remove_logs(self):
        shutil.rmtree(self.logdir, ignore_errors=True)
        try:
            os.unlink(self.logfile)
        except OSError:
            pass


# --------------------------------------------------------------------------
# The benchmark.

class Bench:
    def __init__(self, args):
        self.args = args
        self.top = args.top
        self.fork = os.path.join(self.top, "tmux", "tmux")
        self.pristine = os.path.join(self.top, "tmux-pristine", "tmux")
        base = args.tmpdir or os.environ.get("TMPDIR") or "/var/tmp"
        self.tmp = tempfile.mkdtemp(prefix="tmux-audit-bench.", dir=base)
        self.tmp = os.path.realpath(self.tmp)
        for d in ("run", "logs", "data", "home", "bin"):
            os.mkdir(os.path.join(self.tmp, d), 0o700)
        # Copies of both binaries: a rebuild during the run must not change
        # what is measured halfway through.
        for name in ("fork", "pristine"):
            src = getattr(self, name)
            dst = os.path.join(self.tmp, "bin", "tmux-" + name)
            shutil.copy2(src, dst)
            setattr(self, name, dst)
            with open(dst, "rb") as f:
                setattr(self, name + "_sha",
                        hashlib.sha256(f.read()).hexdigest()[:12])
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.path.join(self.tmp, "home"),
            "TMUX_TMPDIR": self.tmp,
            "TERM": "xterm-256color",
            "LC_ALL": "C.UTF-8",
            "SHELL": "/bin/sh",
        }
        self.servers = []
        self.clients = []
        self.nservers = 0
        self.configs = make_configs(self.fork, self.pristine)
        self.bugs = []
        self.results = {"throughput": {}, "latency": {}, "memory": {},
                        "instructions": {}}

    def cfg(self, key):
        return next(c for c in self.configs if c.key == key)

    def cleanup(self):
        for c in self.clients:
            try:
                c.close()
            except Exception:
                pass
        for s in self.servers:
            try:
                if s.alive() and s.ours():
                    s.stop()
            except Exception:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    # Peers ---------------------------------------------------------------

    def check_peers(self):
        """Find out which peers can run here; the others become n/a."""
        if not shutil.which("script"):
            self.cfg("script").na = "script not installed (util-linux)"
        if not shutil.which("tlog-rec"):
            self.cfg("tlog").na = "tlog-rec not installed (Debian: tlog)"
        elif not os.path.exists("/var/run/utmp"):
            # tlog-rec in a pane fails with "Failed adding a utmp record"
            # unless utmp exists.
            if os.geteuid() == 0:
                fd = os.open("/var/run/utmp", os.O_WRONLY | os.O_CREAT, 0o664)
                os.close(fd)
                say("created /var/run/utmp (tlog-rec needs it)")
            else:
                self.cfg("tlog").na = \
                    "/var/run/utmp is missing (tlog-rec needs it; create it)"
        for key in ("script", "tlog"):
            c = self.cfg(key)
            if c.na:
                say("%s: n/a: %s" % (key, c.na))
                continue
            srv = Server(self, c, ["set -g remain-on-exit on"])
            try:
                srv.start("echo bench-peer-ok\n%s\nexec sleep 1000000\n" %
                          srv.signal_cmd("ready"))
                try:
                    srv.wait("ready", 15)
                except BenchError as e:
                    text = ""
                    try:
                        text = srv.tmux("capture-pane", "-p", "-t", "b")
                    except BenchError:
                        pass
                    lines = [x.strip() for x in text.splitlines()
                             if x.strip() and "Pane is dead" not in x]
                    c.na = "does not run in a pane: %s" % (
                        " / ".join(lines)[:200] if lines else str(e))
            except BenchError as e:
                c.na = str(e)
            finally:
                srv.stop()
                srv.remove_logs()
            if c.na:
                say("%s: n/a: %s" % (key, c.na))

    # Throughput ----------------------------------------------------------

    def throughput_once(self, cfg, path, attached):
        srv = Server(self, cfg)
        try:
            srv.start("%s\nread _\ncat %s\n%s\nexec sleep 1000000\n" % (
                srv.signal_cmd("ready"), q(path), srv.signal_cmd("done")))
            srv.wait("ready", 60)
            if attached:
                srv.attach(drain=True)
                time.sleep(0.3)
            size = os.path.getsize(path)
            cpu0 = srv.cpu()
            t0 = time.perf_counter()
            srv.tmux("send-keys", "-t", "b", "Enter")
            srv.wait("done", 60 + size // (MB // 2))
            t1 = time.perf_counter()
            cpu = srv.cpu() - cpu0
            if attached and srv.client.received < 1000:
                raise BenchError("attached client received nothing")
            srv.stop()
            logged = srv.log_bytes()
            if cfg.audit:
                self.verify_quietly(srv.logdir, "%s %s" % (cfg.key, path))
            return t1 - t0, cpu, logged
        finally:
            srv.stop()
            srv.remove_logs()

    def verify_quietly(self, logdir, what):
        """Check a log passes show-audit -V; a failure is a bug to report."""
        p = subprocess.run([self.fork, "show-audit", "-V", "-d", logdir],
                           env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=600)
        text = p.stdout.decode(errors="replace")
        bad = [x for x in text.splitlines() if ": intact:" not in x]
        if p.returncode != 0 or bad:
            msg = "show-audit -V failed on the log of %s (exit %d): %s" % (
                what, p.returncode, "; ".join(bad[:3]) or text[:200])
            say("BUG: " + msg)
            if msg not in self.bugs:
                self.bugs.append(msg)

    def run_throughput(self, streams):
        a = self.args
        modes = ["detached", "attached"]
        cells = [(s, m) for s in streams for m in modes]
        res = self.results["throughput"]
        for s, _ in cells:
            res.setdefault(s, {"bytes": streams[s][1]})
        live = [c for c in self.configs if not c.na]
        total = a.reps * len(cells) * len(live)
        n = 0
        for rep in range(a.reps):
            order = live[rep % len(live):] + live[:rep % len(live)]
            for stream, mode in cells:
                path = streams[stream][0]
                for cfg in order:
                    n += 1
                    cell = res[stream].setdefault(mode, {}).setdefault(
                        cfg.key, {"seconds": [], "cpu": [], "log_bytes": [],
                                  "error": None})
                    if cell["error"]:
                        continue
                    try:
                        secs, cpu, logged = self.throughput_once(
                            cfg, path, mode == "attached")
                    except FAILED as e:
                        cell["error"] = str(e)
                        say("[%d/%d] %s %s %s: n/a: %s" % (
                            n, total, stream, mode, cfg.key, e))
                        continue
                    cell["seconds"].append(secs)
                    cell["cpu"].append(cpu)
                    if logged is not None:
                        cell["log_bytes"].append(logged)
                    say("[%d/%d] %s %s %-9s rep %d: %6.2f s %7.1f MB/s, "
                        "server CPU %.2f s" % (
                            n, total, stream, mode, cfg.key, rep + 1, secs,
                            streams[stream][1] / MB / secs, cpu))

    # Latency -------------------------------------------------------------

    def latency_once(self, cfg, keys):
        srv = Server(self, cfg)
        try:
            srv.start("stty raw -echo\n%s\nexec cat\n" %
                      srv.signal_cmd("ready"))
            srv.wait("ready", 60)
            client = srv.attach(drain=False)
            client.read_until_quiet(0.3, 5)
            lat = client.keystrokes(keys, self.args.warmup,
                                    self.args.interval)
            srv.stop()
            return lat, srv.log_bytes()
        finally:
            srv.stop()
            srv.remove_logs()

    def run_latency(self):
        a = self.args
        rounds = max(1, a.latency_rounds)
        per = -(-a.keys // rounds)
        # Each server types for at least latency_seconds, so that a
        # periodic seal (and its sync) falls inside the measurement.
        a.interval = max(0.002, a.latency_seconds / (per + a.warmup))
        live = [c for c in self.configs if not c.na]
        res = self.results["latency"]
        for r in range(rounds):
            order = live[r % len(live):] + live[:r % len(live)]
            for cfg in order:
                cell = res.setdefault(cfg.key, {"ns": [], "error": None,
                                                "log_bytes": 0, "keys": 0})
                if cell["error"]:
                    continue
                try:
                    lat, logged = self.latency_once(cfg, per)
                except FAILED as e:
                    cell["error"] = str(e)
                    say("latency %s: n/a: %s" % (cfg.key, e))
                    continue
                cell["ns"].extend(lat)
                if logged is not None:
                    cell["log_bytes"] += logged
                    cell["keys"] += per + a.warmup
                say("latency round %d/%d %-9s: median %6.0f us, p99 %6.0f us"
                    % (r + 1, rounds, cfg.key, median(lat) / 1000,
                       percentile(lat, 99) / 1000))

    # Instructions ----------------------------------------------------------

    def instructions_once(self, cfg, path):
        """The instructions the server runs, per thread (the main thread
        first), from its start to its exit with one stream through a
        detached pane, counted by callgrind."""
        self.nservers += 1
        label = "i%d-%d" % (os.getpid(), self.nservers)
        d = os.path.join(self.tmp, "run", label)
        os.makedirs(d, mode=0o700)
        conf = os.path.join(d, "tmux.conf")
        lines = BASE_CONF + cfg.conf
        if cfg.audit:
            lines.append("set -s audit-log-path %s" %
                         q(os.path.join(self.tmp, "logs", label)))
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        out = os.path.join(d, "callgrind")
        base = [cfg.binary, "-L", label, "-f", conf]

        def tmux(*args, timeout=60, check=True):
            p = subprocess.run(base + list(args), env=self.env,
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout)
            if check and p.returncode != 0:
                raise BenchError("tmux %s: %s" % (args[0], p.stderr.decode(
                    errors="replace").strip()))
            return p.returncode

        vg = subprocess.Popen(["valgrind", "--tool=callgrind",
                               "--separate-threads=yes",
                               "--callgrind-out-file=%s.%%p" % out]
                              + base + ["-D"], env=self.env,
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while tmux("show", "-s", "-v", "escape-time", check=False):
                if vg.poll() is not None or time.monotonic() > deadline:
                    raise BenchError("the server under valgrind did not "
                                     "start")
                time.sleep(0.2)
            sig = "%s -L %s" % (q(cfg.binary), q(label))
            tmux("new-session", "-d", "-x", str(COLS), "-y", str(ROWS),
                 "%s wait-for go; cat %s; %s wait-for -S done; exec sleep "
                 "600" % (sig, q(path), sig))
            tmux("wait-for", "-S", "go")
            tmux("wait-for", "done", timeout=1800)
            tmux("kill-server", check=False)
            vg.wait(timeout=120)
        finally:
            if vg.poll() is None:
                vg.kill()
                vg.wait()
        counts = []
        for name in sorted(os.listdir(d)):
            if not name.startswith("callgrind."):
                continue
            with open(os.path.join(d, name)) as f:
                for line in f:
                    if line.startswith("summary:"):
                        counts.append(int(line.split()[1]))
                        break
        if not counts:
            raise BenchError("callgrind wrote no counts")
        return counts

    def run_instructions(self, streams):
        res = self.results["instructions"]
        if not shutil.which("valgrind"):
            res["error"] = "valgrind is not installed"
            say("instructions: n/a: valgrind is not installed")
            return
        for s, mb in INSTR_MB.items():
            part = streams[s][0] + ".instr"
            with open(streams[s][0], "rb") as src, open(part, "wb") as dst:
                dst.write(src.read(int(mb * MB)))
            res[s] = {"bytes": os.path.getsize(part)}
            for key in INSTR_CONFIGS:
                cfg = self.cfg(key)
                if cfg.na:
                    continue
                try:
                    counts = self.instructions_once(cfg, part)
                except FAILED as e:
                    res[s][key] = {"error": str(e)}
                    say("instructions %s %s: n/a: %s" % (s, key, e))
                    continue
                res[s][key] = {"threads": counts}
                say("instructions %s %-8s: main thread %d, other threads "
                    "%d" % (s, key, counts[0], sum(counts[1:])))

    # Memory and verification ---------------------------------------------

    def memory_once(self, cfg, path, repeats):
        srv = Server(self, cfg)
        out = {}
        try:
            srv.start("%s\nread _\ncat %s\n%s\nread _\ni=1\n"
                      "while [ $i -lt %d ]; do cat %s; i=$((i+1)); done\n"
                      "%s\nexec sleep 1000000\n" % (
                          srv.signal_cmd("ready"), q(path),
                          srv.signal_cmd("p1"), repeats, q(path),
                          srv.signal_cmd("p2")))
            srv.wait("ready", 60)
            size = os.path.getsize(path)
            out["start"] = srv.status("VmHWM")
            srv.tmux("send-keys", "-t", "b", "Enter")
            srv.wait("p1", 60 + size // (MB // 2))
            out["hwm_base"] = srv.status("VmHWM")
            out["rss_base"] = srv.status("VmRSS")
            t0 = time.perf_counter()
            srv.tmux("send-keys", "-t", "b", "Enter")
            srv.wait("p2", 60 + size * repeats // (MB // 2))
            out["seconds_large"] = time.perf_counter() - t0
            out["hwm_large"] = srv.status("VmHWM")
            out["rss_large"] = srv.status("VmRSS")
            out["output_bytes"] = size * repeats
            srv.stop()
            if cfg.audit:
                out["log_bytes"] = srv.log_bytes()
                out["verify"] = self.verify_timed(srv.logdir)
            return out
        finally:
            srv.stop()
            srv.remove_logs()

    def verify_timed(self, logdir):
        files = [e for e in os.scandir(logdir) if e.is_file()]
        size = sum(e.stat().st_size for e in files)
        runs = []
        for _ in range(2):
            t0 = time.perf_counter()
            p = subprocess.run([self.fork, "show-audit", "-V", "-d", logdir],
                               env=self.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=1800)
            runs.append(time.perf_counter() - t0)
            text = p.stdout.decode(errors="replace")
            bad = [x for x in text.splitlines() if ": intact:" not in x]
            if p.returncode != 0 or bad:
                msg = "show-audit -V failed on the large log (exit %d): %s" \
                    % (p.returncode, "; ".join(bad[:3]) or text[:200])
                say("BUG: " + msg)
                self.bugs.append(msg)
                return {"bytes": size, "files": len(files), "seconds": runs,
                        "error": msg}
        return {"bytes": size, "files": len(files), "seconds": runs,
                "error": None}

    def run_memory(self, path, repeats):
        res = self.results["memory"]
        for key in MEMORY_CONFIGS:
            cfg = self.cfg(key)
            try:
                res[key] = self.memory_once(cfg, path, repeats)
            except FAILED as e:
                res[key] = {"error": str(e)}
                say("memory %s: n/a: %s" % (key, e))
                continue
            m = res[key]
            say("memory %-8s: VmHWM %.1f MiB after %d MiB, %.1f MiB after "
                "%d MiB (%.1f MB/s)" % (
                    key, m["hwm_base"] / MIB, os.path.getsize(path) // MIB,
                    m["hwm_large"] / MIB, m["output_bytes"] // MIB,
                    m["output_bytes"] / MB / m["seconds_large"]))
            if "verify" in m and not m["verify"]["error"]:
                v = m["verify"]
                say("verify: %.1f MB in %d files, %.2f s: %.0f MB/s" % (
                    v["bytes"] / MB, v["files"], min(v["seconds"]),
                    v["bytes"] / MB / min(v["seconds"])))


# --------------------------------------------------------------------------
# The report.

def machine():
    info = {"nproc": os.cpu_count(), "kernel": platform.release(),
            "arch": platform.machine()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memory"] = "%.1f GiB" % (
                        int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    info["os"] = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    info["load"] = "%.2f %.2f %.2f" % os.getloadavg()
    return info


def first_line(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10)
        return p.stdout.decode(errors="replace").strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "n/a"


def fmt_ratio(x):
    return "n/a" if x is None else "%.2fx" % x


def report(b, streams, started, elapsed, argv):
    a = b.args
    r = b.results
    cfgs = b.configs
    title = {c.key: c.title for c in cfgs}
    out = []
    w = out.append

    def na_reason(key, err=None):
        c = b.cfg(key)
        return "n/a (%s)" % (c.na or err or "not measured")

    # Throughput ratios: pristine's median time / this median time.
    tp = r["throughput"]
    cells = [(s, m) for s in streams for m in ("detached", "attached")]

    def tp_cell(s, m, key):
        return tp.get(s, {}).get(m, {}).get(key)

    def tp_ratio(s, m, key):
        """The median over repetitions of pristine's time over this one's
        in the same repetition (paired, so drift between repetitions
        cancels), or the ratio of the medians if a repetition is missing."""
        c, p = tp_cell(s, m, key), tp_cell(s, m, "pristine")
        if not c or not p or not c["seconds"] or not p["seconds"]:
            return None
        if len(c["seconds"]) == len(p["seconds"]):
            return median([x / y for x, y in zip(p["seconds"],
                                                 c["seconds"])])
        return median(p["seconds"]) / median(c["seconds"])

    lat = r["latency"]

    def lat_stat(key, f):
        c = lat.get(key)
        if not c or not c["ns"]:
            return None
        return f(c["ns"]) / 1000.0

    def lat_med(key):
        return lat_stat(key, median)

    def lat_p99(key):
        return lat_stat(key, lambda x: percentile(x, 99))

    def text_log_ratio(key):
        vals = []
        for m in ("detached", "attached"):
            c = tp_cell("text", m, key)
            if c and c["log_bytes"]:
                vals.extend(x / tp["text"]["bytes"] for x in c["log_bytes"])
        return max(vals) if vals else None

    def esc_log_ratio(key):
        vals = []
        for m in ("detached", "attached"):
            c = tp_cell("escape", m, key)
            if c and c["log_bytes"]:
                vals.extend(x / tp["escape"]["bytes"] for x in c["log_bytes"])
        return max(vals) if vals else None

    ins = r.get("instructions", {})

    def ins_ratio(s, key, which):
        """Instructions of key over pristine's: of the main thread, of
        the other threads (over pristine's total), or of all."""
        c = ins.get(s, {}).get(key) or {}
        p = ins.get(s, {}).get("pristine") or {}
        if "threads" not in c or "threads" not in p:
            return None
        cc, pc = c["threads"], p["threads"]
        if which == "main":
            return cc[0] / pc[0]
        if which == "other":
            return sum(cc[1:]) / sum(pc)
        return sum(cc) / sum(pc)

    mem = r["memory"]
    base_mib = a.base_mib
    large_mib = a.large_mib

    def mem_ok(key):
        m = mem.get(key)
        return m if m and "error" not in m else None

    w("# Benchmarks: what the audit log costs")
    w("")
    w("Generated by `bench/bench.py`%s. Do not edit by hand: run the command "
      "below again." % (" (quick run: numbers are rough)" if a.quick else ""))
    w("")
    w("Reproduce with:")
    w("")
    w("    " + " ".join(["./build.sh", "bench"] + [q(x) for x in argv]))
    w("")
    mi = machine()
    w("| | |")
    w("|---|---|")
    w("| date | %s (the run took %.1f min) |" % (
        started.strftime("%Y-%m-%d %H:%M UTC"), elapsed / 60))
    w("| machine | %s CPUs (nproc), %s, %s memory |" % (
        mi.get("nproc"), mi.get("cpu", "unknown CPU"),
        mi.get("memory", "unknown")))
    w("| system | %s, Linux %s (%s) |" % (
        mi.get("os", "unknown"), mi.get("kernel"), mi.get("arch")))
    w("| load average | %s at the start, %s at the end (1, 5, 15 min) |" % (
        a.load_start, mi.get("load")))
    w("| tmux | pristine: %s (sha256 %s...); fork: %s, %s (sha256 %s...) |"
      % (first_line([b.pristine, "-V"]), b.pristine_sha,
         first_line([b.fork, "show-audit", "-v"]), a.commit, b.fork_sha))
    w("| peers | %s; %s |" % (first_line(["script", "--version"]),
                              first_line(["tlog-rec", "--version"])))
    w("| logs and data | %s (%s) |" % (a.tmpdir_shown, a.tmpfs))
    w("| parameters | %d repetitions; text %.0f MB, escape-heavy %.0f MB; "
      "%d keys; memory %d MiB then %d MiB |" % (
          a.reps, streams["text"][1] / MB, streams["escape"][1] / MB,
          a.keys, base_mib, large_mib))
    w("")

    # Targets.
    w("## Targets")
    w("")
    spread = []
    for s, m in cells:
        p = tp_cell(s, m, "pristine")
        if p and len(p["seconds"]) > 1:
            spread.append("%s %s %.0f%%" % (
                s, m, (max(p["seconds"]) / min(p["seconds"]) - 1) * 100))
    if spread:
        w("Pristine's own repetitions differed by up to %s (slowest over "
          "fastest) in this run; ratios closer to 1 than that are within "
          "the noise of this machine." % ", ".join(spread))
        w("")
    # The A/A control: pristine measured against itself. How far its
    # ratios stray from 1 is how far this machine's noise goes.
    ctl_tp = [tp_ratio(s, m, "control") for s, m in cells]
    ctl_tp = [x for x in ctl_tp if x is not None]
    tp_noise = max([abs(1 - x) for x in ctl_tp] or [0])
    lm, lc = lat_med("pristine"), lat_med("control")
    lp, lpc = lat_p99("pristine"), lat_p99("control")
    if ctl_tp or (lm and lc):
        w("The A/A control (pristine measured against itself, as one more "
          "configuration) came out at %s in throughput and %s at the "
          "latency median and p99: a target missed by less than the "
          "control strays from 1 is reported as not resolved, not as met." %
          (", ".join("%.2fx" % x for x in ctl_tp) or "n/a",
           "%.2fx and %.2fx" % (lc / lm, lpc / lp) if lm and lc and lp and
           lpc else "n/a"))
        w("")
    im, io = ins_ratio("text", "on-seal", "main"), ins_ratio("text", "off",
                                                             "main")
    iw = ins_ratio("text", "on-seal", "other")
    if im is not None and io is not None:
        w("Counted instructions, which that noise does not touch (section "
          "Instructions): the server's main thread, which sets the pace of "
          "a pane printing as fast as it can, runs %.3fx pristine's "
          "instructions with everything on and %.3fx with audit-log off "
          "(plain text); the log writer thread runs another %.3fx, on "
          "another CPU when there is one." % (im, io, iw or 0))
        w("")
    w("| target | measured | |")
    w("|---|---|---|")

    def target(name, measured, ok, noisy=False):
        w("| %s | %s | %s |" % (name, measured,
                               "n/a" if ok is None else
                               "**met**" if ok else
                               "**not resolved** (within the control's "
                               "noise)" if noisy else "**missed**"))


    for key, limit in (("on-seal", 0.95), ("off", 0.99)):
        rs = [(s, m, tp_ratio(s, m, key)) for s, m in cells]
        have = [x for x in rs if x[2] is not None]
        if have:
            worst = min(have, key=lambda x: x[2])
            target("throughput, %s: at least %.2fx pristine" % (
                title[key], limit),
                ", ".join("%s %s %.2fx" % x for x in have) +
                "; worst %.2fx" % worst[2],
                worst[2] >= limit and len(have) == len(rs),
                worst[2] >= limit - tp_noise)
        else:
            target("throughput, %s: at least %.2fx pristine" % (
                title[key], limit), "n/a", None)

    mp, mo = lat_med("pristine"), lat_med("on-seal")
    if mp and mo:
        added = (mo - mp) / mp
        mc = lat_med("control") or mp
        target("keystroke latency added (all on, default sync): at most 5% "
               "at the median", "%.0f us vs %.0f us: %+.1f%%" % (
                   mo, mp, added * 100), added <= 0.05,
               added - 0.05 <= abs(mc - mp) / mp)
    else:
        target("keystroke latency added at the median: at most 5%",
               "n/a", None)
    po, pp = lat_p99("on-seal"), lat_p99("pipe-pane")
    if po and pp:
        pc, pr = lat_p99("control"), lat_p99("pristine")
        target("keystroke latency p99 (all on, default sync): no worse than "
               "pipe-pane", "%.0f us vs %.0f us" % (po, pp), po <= pp,
               pc is not None and pr is not None and
               (po - pp) / pp <= abs(pc - pr) / pr)
    else:
        target("keystroke latency p99: no worse than pipe-pane", "n/a", None)

    mon, mpr = mem_ok("on-seal"), mem_ok("pristine")
    if mon and mpr:
        growth = mon["hwm_large"] - mpr["hwm_large"]
        target("server peak RSS added by auditing: at most 8 MiB",
               "%.1f MiB (VmHWM %.1f vs %.1f MiB after %d MiB of output)" % (
                   growth / MIB, mon["hwm_large"] / MIB,
                   mpr["hwm_large"] / MIB, large_mib), growth <= 8 * MIB)
        d_on = mon["hwm_large"] - mon["hwm_base"]
        d_pr = mpr["hwm_large"] - mpr["hwm_base"]
        target("server peak RSS flat between %d MiB and %d MiB of output "
               "(grows at most 1 MiB more than pristine's)" % (
                   base_mib, large_mib),
               "fork %+.2f MiB, pristine %+.2f MiB" % (
                   d_on / MIB, d_pr / MIB), d_on - d_pr <= MIB)
    else:
        target("server peak RSS added by auditing: at most 8 MiB", "n/a",
               None)
    lr = text_log_ratio("on-seal")
    if mon and mon.get("log_bytes"):
        lr = max(lr or 0, mon["log_bytes"] / mon["output_bytes"])
    target("log bytes per byte of plain-text output (default sync): at "
           "most 1.10", "n/a" if lr is None else "%.3f" % lr,
           None if lr is None else lr <= 1.10)
    v = mon.get("verify") if mon else None
    if v and not v["error"]:
        rate = v["bytes"] / MB / min(v["seconds"])
        target("show-audit -V verification: at least 300 MB/s",
               "%.0f MB/s (%.0f MB in %d files)" % (
                   rate, v["bytes"] / MB, v["files"]), rate >= 300)
    else:
        target("show-audit -V verification: at least 300 MB/s",
               "n/a" if not v else v["error"], None if not v else False)
    w("")

    # Summary of ratios.
    w("## Ratios to pristine")
    w("")
    w("Throughput: pristine's time divided by this configuration's in the "
      "same repetition, median over the repetitions (below 1 is slower). Latency: this median or 99th percentile divided "
      "by pristine's (above 1 is slower). Log: bytes written to the log per "
      "byte of output.")
    w("")
    hdr = ["configuration"] + ["%s %s" % (s, m) for s, m in cells] + [
        "latency median", "latency p99", "log/text", "log/escape"]
    w("| " + " | ".join(hdr) + " |")
    w("|" + "---|" * len(hdr))
    for c in cfgs:
        if c.na:
            w("| %s | %s |" % (c.title, " | ".join(
                [na_reason(c.key)] + [""] * (len(hdr) - 2))))
            continue
        row = [c.title]
        for s, m in cells:
            cell = tp_cell(s, m, c.key)
            if cell and cell["error"]:
                row.append("n/a (%s)" % cell["error"])
            else:
                row.append(fmt_ratio(tp_ratio(s, m, c.key)))
        for f in (lat_med, lat_p99):
            x, p = f(c.key), f("pristine")
            le = lat.get(c.key, {}).get("error")
            row.append("n/a (%s)" % le if le else
                       fmt_ratio(x / p if x and p else None))
        for f in (text_log_ratio, esc_log_ratio):
            x = f(c.key)
            row.append("-" if x is None else "%.3f" % x)
        w("| " + " | ".join(row) + " |")
    w("")

    # Throughput details.
    w("## Output throughput")
    w("")
    w("MB/s (10^6 bytes per second) from the median time of %d repetitions, "
      "the ratio to pristine as in the table above, and in brackets the "
      "fastest and slowest repetition, in seconds." % a.reps)
    w("")
    hdr = ["configuration"] + ["%s %s" % (s, m) for s, m in cells]
    w("| " + " | ".join(hdr) + " |")
    w("|" + "---|" * len(hdr))
    for c in cfgs:
        row = [c.title]
        for s, m in cells:
            cell = tp_cell(s, m, c.key)
            if c.na or not cell or not cell["seconds"]:
                row.append("n/a")
                continue
            secs = cell["seconds"]
            row.append("%.1f MB/s (%.2fx) [%.2f-%.2f s]" % (
                streams[s][1] / MB / median(secs),
                tp_ratio(s, m, c.key) or 0, min(secs), max(secs)))
        w("| " + " | ".join(row) + " |")
    w("")

    w("CPU time used by the tmux server process itself during the same runs "
      "(median, user + system, from /proc/PID/stat) and its ratio to "
      "pristine's: less disturbed by other load on the machine than wall "
      "time. It leaves out the peers' own processes (`cat` of pipe-pane, "
      "`script`, `tlog-rec`).")
    w("")
    w("| " + " | ".join(hdr) + " |")
    w("|" + "---|" * len(hdr))
    for c in cfgs:
        row = [c.title]
        for s, m in cells:
            cell, p = tp_cell(s, m, c.key), tp_cell(s, m, "pristine")
            if c.na or not cell or not cell["cpu"]:
                row.append("n/a")
                continue
            pc = median(p["cpu"]) if p and p["cpu"] else None
            row.append("%.2f s (%s)" % (
                median(cell["cpu"]), fmt_ratio(median(cell["cpu"]) / pc)
                if pc else "n/a"))
        w("| " + " | ".join(row) + " |")
    w("")

    # Latency details.
    w("## Keystroke latency")
    w("")
    w("From a byte written to the pty of an attached client to its echo "
      "(from `cat` in the pane, under `stty raw -echo`) coming back out of "
      "that client; %d keys per configuration (in %d round%s on a fresh "
      "server each, after %d warm-up keys), one key every %.1f ms%s." % (
          a.keys, a.latency_rounds, "s" if a.latency_rounds > 1 else "",
          a.warmup, a.interval * 1000,
          ", so each server runs %d s: longer than the seal interval (10 s), "
          "so a periodic seal and its sync fall inside the measurement"
          % a.latency_seconds if a.latency_seconds else
          "; the servers run for less than the seal interval (10 s), so no "
          "periodic seal is measured"))
    w("")
    w("Log bytes per key: what the configuration's log grew by, divided by "
      "the keys typed (each key is one byte in and its echo one byte out), "
      "including the records of the server's start and the client's "
      "attach.")
    w("")
    w("| configuration | median | p99 | max | added at the median | "
      "log bytes per key |")
    w("|---|---|---|---|---|---|")
    for c in cfgs:
        cell = lat.get(c.key)
        if c.na or not cell or not cell["ns"]:
            w("| %s | %s | | | | |" % (c.title, na_reason(
                c.key, cell and cell["error"])))
            continue
        md, p99 = lat_med(c.key), lat_p99(c.key)
        mx = max(cell["ns"]) / 1000
        added = "%+.1f%%" % ((md - mp) / mp * 100) if mp else "n/a"
        per_key = "%.0f" % (cell["log_bytes"] / cell["keys"]) \
            if cell.get("keys") else "-"
        w("| %s | %.0f us | %.0f us | %.0f us | %s | %s |" % (
            c.title, md, p99, mx, added, per_key))
    w("")

    # Memory.
    w("## Server memory")
    w("")
    w("Peak resident set (VmHWM in /proc/PID/status) of the server after "
      "%d MiB and after %d MiB of plain text through one detached pane "
      "(default history-limit)." % (base_mib, large_mib))
    w("")
    w("| configuration | at start | after %d MiB | after %d MiB | growth | "
      "vs pristine | MB/s |" % (base_mib, large_mib))
    w("|---|---|---|---|---|---|---|")
    for key in MEMORY_CONFIGS:
        m = mem.get(key)
        if not m or "error" in m:
            w("| %s | n/a (%s) | | | | | |" % (
                title[key], m["error"] if m else "not measured"))
            continue
        vs = "%+.1f MiB" % ((m["hwm_large"] - mpr["hwm_large"]) / MIB) \
            if mpr else "n/a"
        w("| %s | %.1f MiB | %.1f MiB | %.1f MiB | %+.2f MiB | %s | %.1f |" %
          (title[key], m["start"] / MIB, m["hwm_base"] / MIB,
           m["hwm_large"] / MIB, (m["hwm_large"] - m["hwm_base"]) / MIB, vs,
           m["output_bytes"] / MB / m["seconds_large"]))
    w("")

    # Instructions.
    w("## Instructions")
    w("")
    if "error" in ins:
        w("Not measured: %s." % ins["error"])
    else:
        w("Instructions the tmux server runs from its start to its exit "
          "with the first %s of a stream through a detached 200x50 pane, "
          "counted by `valgrind --tool=callgrind --separate-threads=yes`: "
          "exact and repeatable, unlike wall time, but blind to time in "
          "the kernel (the writes themselves) and to waiting. The main "
          "thread is the server loop; the fork's other thread is its log "
          "writer, which hashes and writes records while the loop goes "
          "on. Ratios are to pristine's main thread (main) and to "
          "pristine's total (writer, total)." % " and ".join(
              "%d MB (%s)" % (INSTR_MB[s], s) for s in INSTR_MB))
        w("")
        hdr = ["configuration"]
        for s in INSTR_MB:
            hdr += ["%s: main thread" % s, "%s: writer" % s,
                    "%s: total" % s]
        w("| " + " | ".join(hdr) + " |")
        w("|" + "---|" * len(hdr))
        for key in INSTR_CONFIGS:
            row = [title[key]]
            for s in INSTR_MB:
                c = ins.get(s, {}).get(key)
                if not c or "threads" not in c:
                    err = "n/a" if not c else "n/a (%s)" % c["error"]
                    row += [err, "", ""]
                    continue
                t = c["threads"]
                row.append("%.1fM (%.3fx)" % (t[0] / 1e6,
                                              ins_ratio(s, key, "main")))
                row.append("%.1fM (+%.3fx)" % (
                    sum(t[1:]) / 1e6, ins_ratio(s, key, "other"))
                    if len(t) > 1 else "-")
                row.append("%.1fM (%.3fx)" % (sum(t) / 1e6,
                                              ins_ratio(s, key, "total")))
            w("| " + " | ".join(row) + " |")
    w("")

    # Log size and verification.
    w("## Log size and verification")
    w("")
    w("| configuration | log bytes / text output | log bytes / escape-heavy "
      "output |")
    w("|---|---|---|")
    for c in cfgs:
        if c.key in ("pristine", "control", "off"):
            continue
        t, e = text_log_ratio(c.key), esc_log_ratio(c.key)
        w("| %s | %s | %s |" % (
            c.title, na_reason(c.key) if c.na else
            "n/a" if t is None else "%.3f" % t,
            "" if c.na else "n/a" if e is None else "%.3f" % e))
    if mon and mon.get("log_bytes"):
        w("| %s, %d MiB run | %.3f | |" % (
            title["on-seal"], large_mib,
            mon["log_bytes"] / mon["output_bytes"]))
    w("")
    if v and not v["error"]:
        w("`tmux show-audit -V -d DIR` on the log of the %d MiB run: %.0f MB "
          "in %d files, %s s (run twice, the log in the page cache): "
          "**%.0f MB/s** from the faster run." % (
              large_mib, v["bytes"] / MB, v["files"],
              " and ".join("%.2f" % x for x in v["seconds"]),
              v["bytes"] / MB / min(v["seconds"])))
    elif v:
        w("Verification failed: %s" % v["error"])
    w("")

    if b.bugs:
        w("## Problems seen during the run")
        w("")
        for x in b.bugs:
            w("- " + x)
        w("")

    w("## Method")
    w("")
    w("- Each measurement starts a fresh server (`-L` socket of its own, "
      "`-f` a config of its own) with one %dx%d pane in a detached session. "
      "The pane runs a small `sh` script that signals `wait-for` when ready "
      "and waits for Enter; the timer starts just before `send-keys Enter` "
      "and stops when `wait-for` returns after `cat FILE; tmux wait-for -S "
      "done` has run in the pane. *Attached*: a client is attached through a "
      "%dx%d pty held by the benchmark, its output read and thrown away."
      % (COLS, ROWS, COLS, ROWS + 1))
    w("- Configurations are interleaved: repetition 1 of every "
      "configuration, then repetition 2, the order rotated each time.")
    w("- The A/A control runs the same pristine binary as a configuration "
      "of its own, so its ratios to pristine show the noise of the machine "
      "during this run; a target missed by less than that is reported as "
      "not resolved.")
    w("- *all on* is `audit-log on` with `audit-log-input` and "
      "`audit-log-output` on and seals at the default interval (10 s); "
      "only `audit-log-sync` changes. The log goes to the benchmark's "
      "temporary directory, on the same file system as the data. "
      "Every audit log written is checked with `show-audit -V`.")
    w("- Peers run in a pristine pane: `pipe-pane 'cat >> file'`; "
      "`script -q -c CMD file`; `tlog-rec --writer=file --file-path=file "
      "--log-input=true --log-output=true /bin/sh SCRIPT`.")
    w("- Data is generated once per run with fixed seeds: plain text (log "
      "lines, source code, prose) and an escape-heavy stream (256-colour and "
      "true-colour SGR, absolute and relative cursor movement, erase, scroll "
      "regions, UTF-8 wide and combining characters).")
    w("- Every configuration sets `status-interval 0` so no periodic status "
      "redraw lands in the latency measurement.")
    w("")
    return "\n".join(out)


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        prog="./build.sh bench",
        description="Measure the cost of tmux-audit against pristine tmux "
        "3.5a and its peers, and write docs/benchmarks.md.")
    ap.add_argument("--top", required=True, help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true",
                    help="a smoke run of about two minutes: small volumes, "
                    "one repetition, a few hundred keys; written to "
                    "bench/out/ unless -o is given")
    ap.add_argument("--reps", type=int, help="throughput repetitions (5)")
    ap.add_argument("--text-mb", type=float,
                    help="plain-text stream size in MB (64)")
    ap.add_argument("--escape-mb", type=float,
                    help="escape-heavy stream size in MB (16)")
    ap.add_argument("--keys", type=int, help="keystrokes per configuration "
                    "(2000)")
    ap.add_argument("--large", dest="large_mib", type=int,
                    help="the large output volume for the memory test, in "
                    "MiB, a multiple of 64 (1024)")
    ap.add_argument("--only",
                    default="throughput,latency,memory,instructions",
                    help="comma-separated parts to run (default: all)")
    ap.add_argument("-o", "--output", help="where to write the report "
                    "(default docs/benchmarks.md; bench/out/ for --quick)")
    ap.add_argument("--no-write", action="store_true",
                    help="only print the report")
    ap.add_argument("--tmpdir", help="where the data and logs go "
                    "(default $TMPDIR or /var/tmp)")
    args, argv = ap.parse_args(), sys.argv[3:]
    args.base_mib = 64
    q_ = args.quick
    args.reps = args.reps or (1 if q_ else 5)
    args.text_mb = args.text_mb or (8 if q_ else 64)
    args.escape_mb = args.escape_mb or (4 if q_ else 16)
    args.keys = args.keys or (300 if q_ else 2000)
    args.large_mib = args.large_mib or (192 if q_ else 1024)
    if args.large_mib % args.base_mib or args.large_mib < 2 * args.base_mib:
        ap.error("--large must be a multiple of 64 and at least 128")
    args.latency_rounds = 1 if q_ else 2
    args.latency_seconds = 0 if q_ else 12
    args.warmup = 20
    args.interval = 0.002
    only = set(args.only.split(","))
    if args.output is None and not args.no_write:
        args.output = os.path.join(args.top, "bench", "out",
                                   "benchmarks-quick.md") if q_ else \
            os.path.join(args.top, "docs", "benchmarks.md")
    try:
        rev = subprocess.run(["git", "-C", args.top, "rev-parse", "--short",
                              "HEAD"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode().strip()
        dirty = subprocess.run(["git", "-C", args.top, "status",
                                "--porcelain", "--", "audit", "patches"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL).stdout.strip()
        args.commit = "commit %s%s" % (rev, " with local changes to audit/ "
                                       "or patches/" if dirty else "") \
            if rev else "not a git checkout"
    except OSError:
        args.commit = "not a git checkout"

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    started = datetime.datetime.now(datetime.timezone.utc)
    args.load_start = "%.2f %.2f %.2f" % os.getloadavg()
    t_start = time.monotonic()
    b = Bench(args)
    args.tmpdir_shown = os.path.dirname(b.tmp)
    try:
        fs = subprocess.run(["stat", "-f", "-c", "%T", b.tmp],
                            stdout=subprocess.PIPE).stdout.decode().strip()
    except OSError:
        fs = "unknown"
    args.tmpfs = "file system %s" % (fs or "unknown")
    if fs == "tmpfs":
        say("warning: %s is tmpfs: syncing costs nothing there "
            "(use --tmpdir)" % b.tmp)
    try:
        say("temporary directory %s" % b.tmp)
        d = os.path.join(b.tmp, "data")
        streams = {}
        say("generating data")
        streams["text"] = (os.path.join(d, "text"), generate(
            os.path.join(d, "text"), int(args.text_mb * MB), text_line, 1))
        streams["escape"] = (os.path.join(d, "escape"), generate(
            os.path.join(d, "escape"), int(args.escape_mb * MB),
            escape_chunk, 2))
        if policy_in_force():
            say("warning: %s exists: its audit options override the fork's "
                "configurations, which will be reported as n/a" % POLICY)
        b.check_peers()
        if "throughput" in only:
            b.run_throughput(streams)
        if "latency" in only:
            b.run_latency()
        if "instructions" in only:
            b.run_instructions(streams)
        if "memory" in only:
            base = os.path.join(d, "memory")
            with open(streams["text"][0], "rb") as src, \
                    open(base, "wb") as dst:
                want = args.base_mib * MIB
                while want > 0:
                    chunk = src.read(min(want, 8 * MIB))
                    if not chunk:
                        src.seek(0)
                        continue
                    dst.write(chunk)
                    want -= len(chunk)
            b.run_memory(base, args.large_mib // args.base_mib)
        elapsed = time.monotonic() - t_start
        text = report(b, streams, started, elapsed, argv)
    except KeyboardInterrupt:
        say("interrupted: cleaning up")
        b.cleanup()
        return 130
    finally:
        b.cleanup()
    print(text)
    raw = os.path.join(args.top, "bench", "out",
                       "results%s.json" % ("-quick" if args.quick else ""))
    os.makedirs(os.path.dirname(raw), exist_ok=True)
    with open(raw, "w") as f:
        json.dump({"date": started.isoformat(), "args": vars(args),
                   "machine": machine(), "results": b.results,
                   "problems": b.bugs,
                   "unavailable": {c.key: c.na for c in b.configs if c.na}},
                  f, indent=1)
    if args.output and not args.no_write:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)),
                    exist_ok=True)
        with open(args.output, "w") as f:
            f.write(text + "\n")
        say("wrote %s and %s" % (args.output, raw))
    say("took %.1f min" % ((time.monotonic() - t_start) / 60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
