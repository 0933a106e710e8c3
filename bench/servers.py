#
# bench/servers.py: the tmux servers and clients a measurement drives. Every
# measurement uses a fresh server on its own -L socket inside the run's
# private temporary directory (TMUX_TMPDIR); a client is attached through a
# pty this process holds the master of.

import fcntl
import os
import pwd
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import termios
import threading
import time

from common import COLS, ROWS, q
from configs import BASE_CONF, POLICY, policy_in_force

# Escape sequences, stripped from what the client receives before looking
# for the echo of a key: CSI, OSC, two-byte ESC sequences and charset
# designations.
ESC_RE = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)"
                    rb"|[()*+][0-~]|[ -/]*[0-~])")


class BenchError(Exception):
    """A measurement failed: its cell is reported as n/a with the reason."""


# What ends one measurement (reported as n/a) rather than the whole run.
FAILED = (BenchError, OSError, subprocess.SubprocessError)


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
        if cfg.collector:
            lines.append("set -s audit-log-collector %s" %
                         q(bench.collector().sock))
            self.logdir = bench.collector().user_dir
        elif cfg.audit:
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
        if self.cfg.collector:
            want["audit-log-collector"] = self.bench.collector().sock
        elif self.cfg.audit:
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

    def log_files(self):
        """The collector's files of this server's run (segments and their
        counter-seals): the collector keeps every user's runs together."""
        mark = "_%d_" % self.pid
        try:
            return [e.path for e in os.scandir(self.logdir)
                    if mark in e.name]
        except OSError as e:
            raise BenchError("no audit log: %s" % e)

    def log_bytes(self):
        """Bytes of log this configuration wrote."""
        if self.cfg.collector:
            return sum(os.path.getsize(p) for p in self.log_files())
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
        if self.cfg.collector:
            if self.pid is not None:
                self.bench.collector().remove(self.log_files())
            return
        shutil.rmtree(self.logdir, ignore_errors=True)
        try:
            os.unlink(self.logfile)
        except OSError:
            pass




class Collector:
    """One tmux-auditd for the whole run, started when a configuration
    first needs it; it stores in a directory of the run."""

    def __init__(self, bench, binary):
        self.dir = os.path.join(bench.tmp, "collector")
        os.makedirs(self.dir, mode=0o700)
        self.sock = os.path.join(self.dir, "sock")
        self.store = os.path.join(self.dir, "store")
        self.key = os.path.join(self.dir, "key")
        self.user_dir = os.path.join(self.store,
                                     pwd.getpwuid(os.geteuid()).pw_name)
        self.log = open(os.path.join(self.dir, "auditd.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "-f", "-d", self.store, "-k", self.key, "-s",
             self.sock], stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT)
        end = time.monotonic() + 10
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise BenchError("tmux-auditd did not start: see %s" %
                                 self.log.name)
            time.sleep(0.02)

    def cpu(self):
        """CPU seconds (user + system) tmux-auditd has used so far."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def remove(self, paths):
        """Remove stored files (immutable once complete, where the file
        system has the flag)."""
        for p in paths:
            subprocess.run(["chattr", "-ia", p], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            try:
                os.unlink(p)
            except OSError:
                pass

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        subprocess.run(["chattr", "-R", "-ia", self.store],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
