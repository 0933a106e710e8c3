#
# bench/measure.py: the measurements. Bench runs each part of the benchmark
# (throughput, syscalls, keystroke latency, instructions, memory and
# verification)
# over the configurations, interleaved (rep 1 of every configuration, then
# rep 2, ...) so drift of the machine cancels out, and keeps every raw
# number in Bench.results. run() does a whole run and returns what is saved
# as results.json: those numbers and everything about the run the report
# states, so that report.py needs nothing else.

import datetime
import hashlib
import os
import platform
import shutil
import signal
import subprocess
import tempfile
import time

from common import COLS, MB, MIB, ROWS, median, percentile, q, say
from configs import BASE_CONF, INSTR_CONFIGS, INSTR_MB, MEMORY_CONFIGS, \
    POLICY, SYSCALL_CONFIG, SYSCALL_STREAM, make_configs, policy_in_force
from servers import FAILED, BenchError, Collector, Server
from workload import escape_chunk, generate, prefix, text_line

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
        self.auditd = os.path.join(self.top, "tmux", "tmux-auditd")
        for name in ("fork", "pristine", "auditd"):
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
        self._collector = None
        self.bugs = []
        self.results = {"throughput": {}, "latency": {}, "memory": {},
                        "instructions": {}, "syscalls": {}}

    def cfg(self, key):
        return next(c for c in self.configs if c.key == key)

    def collector(self):
        """The run's tmux-auditd, started the first time it is needed."""
        if self._collector is None:
            self._collector = Collector(self, self.auditd)
        return self._collector

    def verify_args(self, logdir, collector):
        """show-audit -V of a log: with the collector's key for a log the
        collector kept, which must then verify as intact (exit 0); a log
        of the server's own has no key to check and must verify as
        consistent (exit 2, audit-int.h AUDIT_EXIT_UNANCHORED)."""
        argv = [self.fork, "show-audit", "-V", "-d", logdir]
        if collector:
            argv += ["-c", self.collector().key + ".pub"]
            return argv, 0, ": intact:"
        return argv, 2, ": consistent:"

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
        if self._collector is not None:
            self._collector.stop()
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
            ccpu0 = self.collector().cpu() if cfg.collector else 0
            t0 = time.perf_counter()
            srv.tmux("send-keys", "-t", "b", "Enter")
            srv.wait("done", 60 + size // (MB // 2))
            t1 = time.perf_counter()
            cpu = srv.cpu() - cpu0
            if attached and srv.client.received < 1000:
                raise BenchError("attached client received nothing")
            srv.stop()
            # The collector's CPU for this run: until the server is gone
            # and it has stored everything.
            ccpu = self.collector().cpu() - ccpu0 if cfg.collector else None
            logged = srv.log_bytes()
            if cfg.audit:
                self.verify_quietly(srv.logdir, "%s %s" % (cfg.key, path),
                                    cfg.collector)
            return t1 - t0, cpu, logged, ccpu
        finally:
            srv.stop()
            srv.remove_logs()

    def verify_quietly(self, logdir, what, collector=False):
        """Check a log passes show-audit -V; a failure is a bug to report."""
        argv, want, word = self.verify_args(logdir, collector)
        p = subprocess.run(argv, env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=600)
        text = p.stdout.decode(errors="replace")
        bad = [x for x in text.splitlines() if word not in x]
        if p.returncode != want or bad:
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
                                  "collector_cpu": [], "error": None})
                    if cell["error"]:
                        continue
                    try:
                        secs, cpu, logged, ccpu = self.throughput_once(
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
                    if ccpu is not None:
                        cell["collector_cpu"].append(ccpu)
                    say("[%d/%d] %s %s %-9s rep %d: %6.2f s %7.1f MB/s, "
                        "server CPU %.2f s%s" % (
                            n, total, stream, mode, cfg.key, rep + 1, secs,
                            streams[stream][1] / MB / secs, cpu,
                            "" if ccpu is None else
                            ", tmux-auditd CPU %.2f s" % ccpu))

    # Syscalls ------------------------------------------------------------

    def syscalls_once(self, cfg, path):
        """The server's futex and write calls, counted by strace attached to
        all its threads, while one stream goes through a detached pane."""
        srv = Server(self, cfg)
        out = os.path.join(srv.dir, "strace")
        tracer = None
        try:
            srv.start("%s\nread _\ncat %s\n%s\nexec sleep 1000000\n" % (
                srv.signal_cmd("ready"), q(path), srv.signal_cmd("done")))
            srv.wait("ready", 60)
            with open(out + ".err", "w") as err:
                tracer = subprocess.Popen(
                    ["strace", "-c", "-f", "-e", "trace=futex,write", "-o",
                     out, "-p", str(srv.pid)], stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=err)
            deadline = time.monotonic() + 20
            while not traced(srv.pid, tracer.pid):
                if tracer.poll() is not None or time.monotonic() > deadline:
                    with open(out + ".err") as f:
                        why = f.read().strip().splitlines()
                    raise BenchError("strace did not attach: %s" % (
                        why[-1] if why else "no message"))
                time.sleep(0.05)
            size = os.path.getsize(path)
            t0 = time.perf_counter()
            srv.tmux("send-keys", "-t", "b", "Enter")
            # Tracing slows the server down many times over.
            srv.wait("done", 60 + size // (MB // 20))
            secs = time.perf_counter() - t0
            # On SIGINT strace detaches, writes its table and exits by the
            # same signal.
            tracer.send_signal(signal.SIGINT)
            tracer.wait(60)
            counts = strace_counts(out)
            srv.stop()
            logged = srv.log_bytes()
            if cfg.audit:
                self.verify_quietly(srv.logdir, "%s %s under strace" % (
                    cfg.key, path), cfg.collector)
            return {"seconds": secs, "log_bytes": logged,
                    "futex": counts.get("futex", (0, 0))[0],
                    "futex_errors": counts.get("futex", (0, 0))[1],
                    "write": counts.get("write", (0, 0))[0],
                    "write_errors": counts.get("write", (0, 0))[1]}
        finally:
            if tracer is not None and tracer.poll() is None:
                tracer.kill()
                tracer.wait()
            srv.stop()
            srv.remove_logs()

    def run_syscalls(self, streams):
        res = self.results["syscalls"]
        cfg = self.cfg(SYSCALL_CONFIG)
        path, size = streams[SYSCALL_STREAM]
        res.update({"config": cfg.key, "stream": SYSCALL_STREAM,
                    "bytes": size, "runs": [], "error": None})
        if not shutil.which("strace"):
            res["error"] = "strace is not installed"
        elif cfg.na:
            res["error"] = cfg.na
        if res["error"]:
            say("syscalls: n/a: %s" % res["error"])
            return
        for rep in range(self.args.reps):
            try:
                run = self.syscalls_once(cfg, path)
            except FAILED as e:
                res["error"] = str(e)
                say("syscalls: n/a: %s" % e)
                return
            res["runs"].append(run)
            say("syscalls %s %s rep %d: %d futex, %d write: %s futex per "
                "write" % (SYSCALL_STREAM, cfg.key, rep + 1, run["futex"],
                           run["write"], "%.2f" % (run["futex"] /
                                                   run["write"])
                           if run["write"] else "n/a"))

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
        if cfg.collector:
            lines.append("set -s audit-log-collector %s" %
                         q(self.collector().sock))
        elif cfg.audit:
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
            # The timed phase is the repeats after the first.
            out["timed_bytes"] = size * (repeats - 1)
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
        argv, want, word = self.verify_args(logdir, False)
        for _ in range(2):
            t0 = time.perf_counter()
            p = subprocess.run(argv, env=self.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=1800)
            runs.append(time.perf_counter() - t0)
            text = p.stdout.decode(errors="replace")
            bad = [x for x in text.splitlines() if word not in x]
            if p.returncode != want or bad:
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
                    m["timed_bytes"] / MB / m["seconds_large"]))
            if "verify" in m and not m["verify"]["error"]:
                v = m["verify"]
                say("verify: %.1f MB in %d files, %.2f s: %.0f MB/s" % (
                    v["bytes"] / MB, v["files"], min(v["seconds"]),
                    v["bytes"] / MB / min(v["seconds"])))



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


def traced(pid, tracer):
    """Is every thread of pid traced by tracer?"""
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("TracerPid:"):
                        if int(line.split()[1]) != tracer:
                            return False
                        break
    except OSError:
        return False
    return True


def strace_counts(path):
    """(calls, errors) per system call from strace -c's table:
    % time  seconds  usecs/call  calls  [errors]  syscall."""
    counts = {}
    try:
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) in (5, 6) and w[3].isdigit() and \
                        w[-1] != "total":
                    counts[w[-1]] = (int(w[3]),
                                     int(w[4]) if len(w) == 6 else 0)
    except OSError as e:
        raise BenchError("strace wrote no table: %s" % e)
    return counts


def commit(top):
    """Which commit of the fork is measured, for the report."""
    try:
        rev = subprocess.run(["git", "-C", top, "rev-parse", "--short",
                              "HEAD"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode().strip()
        dirty = subprocess.run(["git", "-C", top, "status",
                                "--porcelain", "--", "audit", "patches"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL).stdout.strip()
        return "commit %s%s" % (rev, " with local changes to audit/ "
                                "or patches/" if dirty else "") \
            if rev else "not a git checkout"
    except OSError:
        return "not a git checkout"


def saved(b, started, elapsed, argv, streams):
    """What results.json holds: the raw numbers, and what the report says
    about the run (machine, versions, parameters, configurations), taken
    while the copies of the binaries still exist."""
    return {
        "date": started.isoformat(),
        "elapsed": elapsed,
        "argv": argv,
        "args": vars(b.args),
        "machine": machine(),
        "versions": {
            "pristine": first_line([b.pristine, "-V"]),
            "fork": first_line([b.fork, "show-audit", "-v"]),
            "script": first_line(["script", "--version"]),
            "tlog": first_line(["tlog-rec", "--version"]),
        },
        "sha256": {"pristine": b.pristine_sha, "fork": b.fork_sha},
        "streams": {s: n for s, (_, n) in streams.items()},
        "pane": {"cols": COLS, "rows": ROWS},
        "configs": [{"key": c.key, "title": c.title, "na": c.na}
                    for c in b.configs],
        "memory_configs": list(MEMORY_CONFIGS),
        "instr_configs": list(INSTR_CONFIGS),
        "instr_mb": INSTR_MB,
        "results": b.results,
        "problems": b.bugs,
        "unavailable": {c.key: c.na for c in b.configs if c.na},
    }


def run(args, argv):
    """Run the parts of the benchmark args asks for; return what is saved
    as results.json, or None if interrupted."""
    only = set(args.only.split(","))
    args.commit = commit(args.top)
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
        if "syscalls" in only:
            b.run_syscalls(streams)
        if "latency" in only:
            b.run_latency()
        if "instructions" in only:
            b.run_instructions(streams)
        if "memory" in only:
            base = os.path.join(d, "memory")
            prefix(streams["text"][0], base, args.base_mib * MIB)
            b.run_memory(base, args.large_mib // args.base_mib)
        elapsed = time.monotonic() - t_start
        return saved(b, started, elapsed, argv, streams)
    except KeyboardInterrupt:
        say("interrupted: cleaning up")
        return None
    finally:
        b.cleanup()
