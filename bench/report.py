#
# bench/report.py: docs/benchmarks.md, from the results of a run as
# measure.run() returns them and bench.py saves them (bench/out/
# results.json). Nothing here measures or looks at the machine: a report
# can be written again from saved results (bench/run.sh --report-only FILE).
#
# One function per section of the report, each returning its lines;
# Results holds what several sections compute from the raw numbers (ratios
# to pristine, latency percentiles, log sizes).

import datetime
import json

from common import MB, MIB, median, percentile, q

MODES = ("detached", "attached")

# What a results file must hold for this report: files written before
# results.json held everything the report states lack some of it.
NEEDED = ("date", "elapsed", "argv", "args", "machine", "versions", "sha256",
          "streams", "pane", "configs", "memory_configs", "instr_configs",
          "instr_mb", "results", "problems")


class ResultsError(Exception):
    """A results file this report cannot be written from."""


def load(path):
    """Read a results file bench.py saved."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ResultsError("%s: %s" % (path, e))
    missing = [k for k in NEEDED if k not in data] \
        if isinstance(data, dict) else ["everything"]
    if missing:
        raise ResultsError("%s: not a results file of this benchmark, or "
                           "one too old to report from (no %s)" % (
                               path, ", ".join(missing)))
    return data


def fmt_ratio(x):
    return "n/a" if x is None else "%.2fx" % x


class Results:
    """One run's saved results and what the sections derive from them."""

    def __init__(self, data):
        self.data = data
        self.a = data["args"]
        self.configs = data["configs"]
        self.title = {c["key"]: c["title"] for c in self.configs}
        self.na = {c["key"]: c["na"] for c in self.configs}
        self.streams = data["streams"]
        self.cells = [(s, m) for s in self.streams for m in MODES]
        r = data["results"]
        self.tp = r["throughput"]
        self.lat = r["latency"]
        self.ins = r.get("instructions", {})
        self.mem = r["memory"]

    def na_reason(self, key, err=None):
        return "n/a (%s)" % (self.na[key] or err or "not measured")

    # Throughput.

    def tp_cell(self, s, m, key):
        return self.tp.get(s, {}).get(m, {}).get(key)

    def tp_ratio(self, s, m, key):
        """The median over repetitions of pristine's time over this one's
        in the same repetition (paired, so drift between repetitions
        cancels), or the ratio of the medians if a repetition is missing."""
        c, p = self.tp_cell(s, m, key), self.tp_cell(s, m, "pristine")
        if not c or not p or not c["seconds"] or not p["seconds"]:
            return None
        if len(c["seconds"]) == len(p["seconds"]):
            return median([x / y for x, y in zip(p["seconds"],
                                                 c["seconds"])])
        return median(p["seconds"]) / median(c["seconds"])

    def log_ratio(self, s, key):
        """The most log bytes per byte of stream s any throughput run of
        key wrote, or None."""
        vals = []
        for m in MODES:
            c = self.tp_cell(s, m, key)
            if c and c["log_bytes"]:
                vals.extend(x / self.tp[s]["bytes"] for x in c["log_bytes"])
        return max(vals) if vals else None

    # Latency, in microseconds.

    def lat_stat(self, key, f):
        c = self.lat.get(key)
        if not c or not c["ns"]:
            return None
        return f(c["ns"]) / 1000.0

    def lat_med(self, key):
        return self.lat_stat(key, median)

    def lat_p99(self, key):
        return self.lat_stat(key, lambda x: percentile(x, 99))

    # Instructions.

    def ins_ratio(self, s, key, which):
        """Instructions of key over pristine's: of the main thread, of
        the other threads (over pristine's total), or of all."""
        c = self.ins.get(s, {}).get(key) or {}
        p = self.ins.get(s, {}).get("pristine") or {}
        if "threads" not in c or "threads" not in p:
            return None
        cc, pc = c["threads"], p["threads"]
        if which == "main":
            return cc[0] / pc[0]
        if which == "other":
            return sum(cc[1:]) / sum(pc)
        return sum(cc) / sum(pc)

    # Memory.

    def mem_ok(self, key):
        m = self.mem.get(key)
        return m if m and "error" not in m else None

    def verify(self):
        """The verification of the large memory run's log, or None."""
        mon = self.mem_ok("on-seal")
        return mon.get("verify") if mon else None


def table_head(hdr):
    return ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]


def header(R):
    """The title, how to reproduce, and the run: machine, versions,
    parameters."""
    a, d = R.a, R.data
    mi, v, sha = d["machine"], d["versions"], d["sha256"]
    started = datetime.datetime.fromisoformat(d["date"])
    return [
        "# Benchmarks: what the audit log costs",
        "",
        "Generated by `bench/bench.py`%s. Do not edit by hand: run the "
        "command below again." % (" (quick run: numbers are rough)"
                                  if a["quick"] else ""),
        "",
        "Reproduce with:",
        "",
        "    " + " ".join(["./build.sh", "bench"] + [q(x) for x in
                                                     d["argv"]]),
        "",
        "| | |",
        "|---|---|",
        "| date | %s (the run took %.1f min) |" % (
            started.strftime("%Y-%m-%d %H:%M UTC"), d["elapsed"] / 60),
        "| machine | %s CPUs (nproc), %s, %s memory |" % (
            mi.get("nproc"), mi.get("cpu", "unknown CPU"),
            mi.get("memory", "unknown")),
        "| system | %s, Linux %s (%s) |" % (
            mi.get("os", "unknown"), mi.get("kernel"), mi.get("arch")),
        "| load average | %s at the start, %s at the end (1, 5, 15 min) |"
        % (a["load_start"], mi.get("load")),
        "| tmux | pristine: %s (sha256 %s...); fork: %s, %s (sha256 %s...) |"
        % (v["pristine"], sha["pristine"], v["fork"], a["commit"],
           sha["fork"]),
        "| peers | %s; %s |" % (v["script"], v["tlog"]),
        "| logs and data | %s (%s) |" % (a["tmpdir_shown"], a["tmpfs"]),
        "| parameters | %d repetitions; text %.0f MB, escape-heavy %.0f MB; "
        "%d keys; memory %d MiB then %d MiB |" % (
            a["reps"], R.streams["text"] / MB, R.streams["escape"] / MB,
            a["keys"], a["base_mib"], a["large_mib"]),
        "",
    ]


def targets_noise(R):
    """How far pristine's repetitions and the A/A control stray (the noise
    the verdicts allow for), and the instruction counts that noise does not
    touch. Returns the lines and the control's largest throughput
    deviation from 1."""
    out = []
    w = out.append
    spread = []
    for s, m in R.cells:
        p = R.tp_cell(s, m, "pristine")
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
    ctl_tp = [R.tp_ratio(s, m, "control") for s, m in R.cells]
    ctl_tp = [x for x in ctl_tp if x is not None]
    tp_noise = max([abs(1 - x) for x in ctl_tp] or [0])
    lm, lc = R.lat_med("pristine"), R.lat_med("control")
    lp, lpc = R.lat_p99("pristine"), R.lat_p99("control")
    if ctl_tp or (lm and lc):
        w("The A/A control (pristine measured against itself, as one more "
          "configuration) came out at %s in throughput and %s at the "
          "latency median and p99: a target missed by less than the "
          "control strays from 1 is reported as not resolved, not as met." %
          (", ".join("%.2fx" % x for x in ctl_tp) or "n/a",
           "%.2fx and %.2fx" % (lc / lm, lpc / lp) if lm and lc and lp and
           lpc else "n/a"))
        w("")
    im = R.ins_ratio("text", "on-seal", "main")
    io = R.ins_ratio("text", "off", "main")
    iw = R.ins_ratio("text", "on-seal", "other")
    if im is not None and io is not None:
        w("Counted instructions, which that noise does not touch (section "
          "Instructions): the server's main thread, which sets the pace of "
          "a pane printing as fast as it can, runs %.3fx pristine's "
          "instructions with everything on and %.3fx with audit-log off "
          "(plain text); the log writer thread runs another %.3fx, on "
          "another CPU when there is one." % (im, io, iw or 0))
        w("")
    return out, tp_noise


def target_row(name, measured, ok, noisy=False):
    return "| %s | %s | %s |" % (
        name, measured, "n/a" if ok is None else "**met**" if ok else
        "**not resolved** (within the control's noise)" if noisy else
        "**missed**")


def targets_throughput(R, tp_noise):
    out = []
    for key, limit in (("on-seal", 0.95), ("off", 0.99)):
        name = "throughput, %s: at least %.2fx pristine" % (R.title[key],
                                                            limit)
        rs = [(s, m, R.tp_ratio(s, m, key)) for s, m in R.cells]
        have = [x for x in rs if x[2] is not None]
        if not have:
            out.append(target_row(name, "n/a", None))
            continue
        worst = min(have, key=lambda x: x[2])
        out.append(target_row(
            name, ", ".join("%s %s %.2fx" % x for x in have) +
            "; worst %.2fx" % worst[2],
            worst[2] >= limit and len(have) == len(rs),
            worst[2] >= limit - tp_noise))
    return out


def targets_latency(R):
    out = []
    mp, mo = R.lat_med("pristine"), R.lat_med("on-seal")
    if mp and mo:
        added = (mo - mp) / mp
        mc = R.lat_med("control") or mp
        out.append(target_row(
            "keystroke latency added (all on, default sync): at most 5% at "
            "the median", "%.0f us vs %.0f us: %+.1f%%" % (
                mo, mp, added * 100), added <= 0.05,
            added - 0.05 <= abs(mc - mp) / mp))
    else:
        out.append(target_row("keystroke latency added at the median: at "
                              "most 5%", "n/a", None))
    po, pp = R.lat_p99("on-seal"), R.lat_p99("pipe-pane")
    if po and pp:
        pc, pr = R.lat_p99("control"), R.lat_p99("pristine")
        out.append(target_row(
            "keystroke latency p99 (all on, default sync): no worse than "
            "pipe-pane", "%.0f us vs %.0f us" % (po, pp), po <= pp,
            pc is not None and pr is not None and
            (po - pp) / pp <= abs(pc - pr) / pr))
    else:
        out.append(target_row("keystroke latency p99: no worse than "
                              "pipe-pane", "n/a", None))
    return out


def targets_commands(R):
    """What command capture (audit-log-commands) costs: all on against the
    same with capture off, in the main thread's instructions for each
    output stream and at the keystroke latency median."""
    out = []
    for s in R.data["instr_mb"]:
        c = R.ins.get(s, {})
        on, off = c.get("on-seal") or {}, c.get("on-nocmd") or {}
        name = ("command capture, %s stream: main-thread instructions "
                "within 0.5%% of capture off" % s)
        if "threads" not in on or "threads" not in off:
            out.append(target_row(name, "n/a", None))
            continue
        x = on["threads"][0] / off["threads"][0]
        out.append(target_row(name, "%.1fM vs %.1fM: %+.3f%%" % (
            on["threads"][0] / 1e6, off["threads"][0] / 1e6,
            (x - 1) * 100), abs(x - 1) <= 0.005))
    mo, mn = R.lat_med("on-seal"), R.lat_med("on-nocmd")
    mp, mc = R.lat_med("pristine"), R.lat_med("control")
    name = ("command capture: keystroke latency median no worse than "
            "with capture off, within the A/A noise")
    if mo and mn and mp and mc:
        noise = abs(mc - mp) / mp
        out.append(target_row(name, "%.0f us vs %.0f us: %+.1f%% (A/A "
                              "%.1f%%)" % (mo, mn, (mo - mn) / mn * 100,
                                           noise * 100),
                              (mo - mn) / mn <= noise))
    else:
        out.append(target_row(name, "n/a", None))
    return out


def targets_memory(R):
    out = []
    mon, mpr = R.mem_ok("on-seal"), R.mem_ok("pristine")
    base_mib, large_mib = R.a["base_mib"], R.a["large_mib"]
    if mon and mpr:
        growth = mon["hwm_large"] - mpr["hwm_large"]
        out.append(target_row(
            "server peak RSS added by auditing: at most 8 MiB",
            "%.1f MiB (VmHWM %.1f vs %.1f MiB after %d MiB of output)" % (
                growth / MIB, mon["hwm_large"] / MIB,
                mpr["hwm_large"] / MIB, large_mib), growth <= 8 * MIB))
        d_on = mon["hwm_large"] - mon["hwm_base"]
        d_pr = mpr["hwm_large"] - mpr["hwm_base"]
        out.append(target_row(
            "server peak RSS flat between %d MiB and %d MiB of output "
            "(grows at most 1 MiB more than pristine's)" % (
                base_mib, large_mib),
            "fork %+.2f MiB, pristine %+.2f MiB" % (d_on / MIB, d_pr / MIB),
            d_on - d_pr <= MIB))
    else:
        out.append(target_row("server peak RSS added by auditing: at most "
                              "8 MiB", "n/a", None))
    return out


def targets_log(R):
    out = []
    mon = R.mem_ok("on-seal")
    lr = R.log_ratio("text", "on-seal")
    if mon and mon.get("log_bytes"):
        lr = max(lr or 0, mon["log_bytes"] / mon["output_bytes"])
    out.append(target_row(
        "log bytes per byte of plain-text output (default sync): at most "
        "1.10", "n/a" if lr is None else "%.3f" % lr,
        None if lr is None else lr <= 1.10))
    v = R.verify()
    name = "show-audit -V verification: at least 300 MB/s"
    if v and not v["error"]:
        rate = v["bytes"] / MB / min(v["seconds"])
        out.append(target_row(name, "%.0f MB/s (%.0f MB in %d files)" % (
            rate, v["bytes"] / MB, v["files"]), rate >= 300))
    else:
        out.append(target_row(name, "n/a" if not v else v["error"],
                              None if not v else False))
    return out


def targets(R):
    """Each target, what was measured, and the verdict."""
    out = ["## Targets", ""]
    noise, tp_noise = targets_noise(R)
    out += noise
    out += ["| target | measured | |", "|---|---|---|"]
    out += targets_throughput(R, tp_noise)
    out += targets_latency(R)
    out += targets_commands(R)
    out += targets_memory(R)
    out += targets_log(R)
    out.append("")
    return out


def ratios(R):
    """Every configuration's ratios to pristine in one table."""
    out = [
        "## Ratios to pristine",
        "",
        "Throughput: pristine's time divided by this configuration's in the "
        "same repetition, median over the repetitions (below 1 is slower). "
        "Latency: this median or 99th percentile divided by pristine's "
        "(above 1 is slower). Log: bytes written to the log per byte of "
        "output.",
        "",
    ]
    hdr = ["configuration"] + ["%s %s" % (s, m) for s, m in R.cells] + [
        "latency median", "latency p99", "log/text", "log/escape"]
    out += table_head(hdr)
    for c in R.configs:
        key = c["key"]
        if c["na"]:
            out.append("| %s | %s |" % (c["title"], " | ".join(
                [R.na_reason(key)] + [""] * (len(hdr) - 2))))
            continue
        row = [c["title"]]
        for s, m in R.cells:
            cell = R.tp_cell(s, m, key)
            if cell and cell["error"]:
                row.append("n/a (%s)" % cell["error"])
            else:
                row.append(fmt_ratio(R.tp_ratio(s, m, key)))
        for f in (R.lat_med, R.lat_p99):
            x, p = f(key), f("pristine")
            le = R.lat.get(key, {}).get("error")
            row.append("n/a (%s)" % le if le else
                       fmt_ratio(x / p if x and p else None))
        for s in ("text", "escape"):
            x = R.log_ratio(s, key)
            row.append("-" if x is None else "%.3f" % x)
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    return out


def throughput(R):
    """MB/s of every configuration, and the server's CPU time."""
    out = [
        "## Output throughput",
        "",
        "MB/s (10^6 bytes per second) from the median time of %d "
        "repetitions, the ratio to pristine as in the table above, and in "
        "brackets the fastest and slowest repetition, in seconds." %
        R.a["reps"],
        "",
    ]
    hdr = ["configuration"] + ["%s %s" % (s, m) for s, m in R.cells]
    out += table_head(hdr)
    for c in R.configs:
        row = [c["title"]]
        for s, m in R.cells:
            cell = R.tp_cell(s, m, c["key"])
            if c["na"] or not cell or not cell["seconds"]:
                row.append("n/a")
                continue
            secs = cell["seconds"]
            row.append("%.1f MB/s (%.2fx) [%.2f-%.2f s]" % (
                R.streams[s] / MB / median(secs),
                R.tp_ratio(s, m, c["key"]) or 0, min(secs), max(secs)))
        out.append("| " + " | ".join(row) + " |")
    out += [
        "",
        "CPU time used by the tmux server process itself during the same "
        "runs (median, user + system, from /proc/PID/stat) and its ratio to "
        "pristine's: less disturbed by other load on the machine than wall "
        "time. It leaves out the peers' own processes (`cat` of pipe-pane, "
        "`script`, `tlog-rec`).",
        "",
    ]
    out += table_head(hdr)
    for c in R.configs:
        row = [c["title"]]
        for s, m in R.cells:
            cell = R.tp_cell(s, m, c["key"])
            p = R.tp_cell(s, m, "pristine")
            if c["na"] or not cell or not cell["cpu"]:
                row.append("n/a")
                continue
            pc = median(p["cpu"]) if p and p["cpu"] else None
            row.append("%.2f s (%s)" % (
                median(cell["cpu"]), fmt_ratio(median(cell["cpu"]) / pc)
                if pc else "n/a"))
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    # The collector's own CPU, beside the server's, for the rows that
    # send their log to it.
    for c in R.configs:
        cells = [(s, m, R.tp_cell(s, m, c["key"])) for s, m in R.cells]
        if c["na"] or not any(x and x.get("collector_cpu")
                              for _, _, x in cells):
            continue
        out += ["CPU time used by the collector, tmux-auditd, for the "
                "same runs of \"%s\" (median; from the start of a run "
                "to the exit of its server, when all is stored): it "
                "checks every record and seal again, and syncs and "
                "counter-signs each seal." % c["title"], ""]
        out += table_head(["process"] + ["%s %s" % (s, m)
                                      for s, m in R.cells])
        row = ["tmux-auditd"]
        for s, m, x in cells:
            row.append("%.2f s" % median(x["collector_cpu"])
                       if x and x.get("collector_cpu") else "n/a")
        out.append("| " + " | ".join(row) + " |")
        out.append("")
    return out


def latency(R):
    """Keystroke latency of every configuration, and log bytes per key."""
    a = R.a
    out = [
        "## Keystroke latency",
        "",
        "From a byte written to the pty of an attached client to its echo "
        "(from `cat` in the pane, under `stty raw -echo`) coming back out "
        "of that client; %d keys per configuration (in %d round%s on a "
        "fresh server each, after %d warm-up keys), one key every %.1f "
        "ms%s." % (
            a["keys"], a["latency_rounds"],
            "s" if a["latency_rounds"] > 1 else "", a["warmup"],
            a["interval"] * 1000,
            ", so each server runs %d s: longer than the seal interval "
            "(10 s), so a periodic seal and its sync fall inside the "
            "measurement" % a["latency_seconds"] if a["latency_seconds"]
            else "; the servers run for less than the seal interval (10 s), "
            "so no periodic seal is measured"),
        "",
        "Log bytes per key: what the configuration's log grew by, divided "
        "by the keys typed (each key is one byte in and its echo one byte "
        "out), including the records of the server's start and the "
        "client's attach.",
        "",
        "| configuration | median | p99 | max | added at the median | "
        "log bytes per key |",
        "|---|---|---|---|---|---|",
    ]
    mp = R.lat_med("pristine")
    for c in R.configs:
        cell = R.lat.get(c["key"])
        if c["na"] or not cell or not cell["ns"]:
            out.append("| %s | %s | | | | |" % (c["title"], R.na_reason(
                c["key"], cell and cell["error"])))
            continue
        md, p99 = R.lat_med(c["key"]), R.lat_p99(c["key"])
        mx = max(cell["ns"]) / 1000
        added = "%+.1f%%" % ((md - mp) / mp * 100) if mp else "n/a"
        per_key = "%.0f" % (cell["log_bytes"] / cell["keys"]) \
            if cell.get("keys") else "-"
        out.append("| %s | %.0f us | %.0f us | %.0f us | %s | %s |" % (
            c["title"], md, p99, mx, added, per_key))
    out.append("")
    return out


def memory(R):
    """The server's peak RSS after the small and the large volume."""
    base_mib, large_mib = R.a["base_mib"], R.a["large_mib"]
    out = [
        "## Server memory",
        "",
        "Peak resident set (VmHWM in /proc/PID/status) of the server after "
        "%d MiB and after %d MiB of plain text through one detached pane "
        "(default history-limit)." % (base_mib, large_mib),
        "",
        "| configuration | at start | after %d MiB | after %d MiB | growth "
        "| vs pristine | MB/s |" % (base_mib, large_mib),
        "|---|---|---|---|---|---|---|",
    ]
    mpr = R.mem_ok("pristine")
    for key in R.data["memory_configs"]:
        m = R.mem.get(key)
        if not m or "error" in m:
            out.append("| %s | n/a (%s) | | | | | |" % (
                R.title[key], m["error"] if m else "not measured"))
            continue
        vs = "%+.1f MiB" % ((m["hwm_large"] - mpr["hwm_large"]) / MIB) \
            if mpr else "n/a"
        out.append(
            "| %s | %.1f MiB | %.1f MiB | %.1f MiB | %+.2f MiB | %s | %.1f |"
            % (R.title[key], m["start"] / MIB, m["hwm_base"] / MIB,
               m["hwm_large"] / MIB, (m["hwm_large"] - m["hwm_base"]) / MIB,
               vs, m.get("timed_bytes", m["output_bytes"] - base_mib * MIB) /
               MB / m["seconds_large"]))
    out.append("")
    return out


def instructions(R):
    """Callgrind's instruction counts, per thread."""
    out = ["## Instructions", ""]
    ins, instr_mb = R.ins, R.data["instr_mb"]
    if "error" in ins:
        out += ["Not measured: %s." % ins["error"], ""]
        return out
    out += [
        "Instructions the tmux server runs from its start to its exit with "
        "the first %s of a stream through a detached %dx%d pane, counted by "
        "`valgrind --tool=callgrind --separate-threads=yes`: exact and "
        "repeatable, unlike wall time, but blind to time in the kernel (the "
        "writes themselves) and to waiting. The main thread is the server "
        "loop; the fork's other thread is its log writer, which hashes and "
        "writes records while the loop goes on. Ratios are to pristine's "
        "main thread (main) and to pristine's total (writer, total)." % (
            " and ".join("%d MB (%s)" % (instr_mb[s], s) for s in instr_mb),
            R.data["pane"]["cols"], R.data["pane"]["rows"]),
        "",
    ]
    hdr = ["configuration"]
    for s in instr_mb:
        hdr += ["%s: main thread" % s, "%s: writer" % s, "%s: total" % s]
    out += table_head(hdr)
    for key in R.data["instr_configs"]:
        row = [R.title[key]]
        for s in instr_mb:
            c = ins.get(s, {}).get(key)
            if not c or "threads" not in c:
                row += ["n/a" if not c else "n/a (%s)" % c["error"], "", ""]
                continue
            t = c["threads"]
            row.append("%.1fM (%.3fx)" % (t[0] / 1e6,
                                          R.ins_ratio(s, key, "main")))
            row.append("%.1fM (+%.3fx)" % (
                sum(t[1:]) / 1e6, R.ins_ratio(s, key, "other"))
                if len(t) > 1 else "-")
            row.append("%.1fM (%.3fx)" % (sum(t) / 1e6,
                                          R.ins_ratio(s, key, "total")))
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    return out


def syscalls(R):
    """How many futex calls the server makes per batch of log records."""
    sc = R.data["results"].get("syscalls")
    if sc is None:
        return []	# saved before this was measured
    out = ["## Server syscalls per batch", ""]
    if not sc or sc["error"]:
        out += ["Not measured: %s." % (sc["error"] if sc else
                                       "not among the parts run (--only)"),
                ""]
        return out
    runs = sc["runs"]
    out += [
        "The server's futex and write calls while the %.0f MB %s stream "
        "went through a detached pane, with %s, counted by `strace -c -f "
        "-e trace=futex,write -p PID` attached to every thread of the "
        "running server just before the stream started and detached after "
        "it had gone through; %d run%s. The log writer thread makes one "
        "write per batch of records the server loop hands it, so the write "
        "calls count the batches (with the few writes the loop makes "
        "itself, such as seals); the futex calls are the hand-offs between "
        "the two. For a writer thread that sleeps while it has nothing to "
        "write, one wake (the loop posting a batch) and one sleep (the "
        "writer waiting for the next) per batch is the floor: about 2 futex "
        "calls per write (a little under when a batch is posted before the "
        "writer has gone to sleep, which then needs neither call), where "
        "the hand-off through a mutex and condition variable before commit "
        "a5806a3 took about 4. Tracing slows every system call of the "
        "server and so changes how records fall into batches: read the "
        "ratio, not the counts." % (
            sc["bytes"] / MB, "plain-text" if sc["stream"] == "text" else
            sc["stream"], R.title[sc["config"]], len(runs),
            "s" if len(runs) != 1 else ""),
        "",
        "| run | futex calls | write calls | futex per write | log bytes "
        "per write |",
        "|---|---|---|---|---|",
    ]
    per = []
    for i, run in enumerate(runs):
        if run["write"]:
            per.append(run["futex"] / run["write"])
        out.append("| %d | %d%s | %d | %s | %s |" % (
            i + 1, run["futex"], " (%d failed)" % run["futex_errors"]
            if run["futex_errors"] else "", run["write"],
            "%.2f" % per[-1] if run["write"] else "n/a",
            "%.0f" % (run["log_bytes"] / run["write"])
            if run["write"] and run["log_bytes"] else "n/a"))
    out.append("")
    if per:
        out += ["**%.2f futex calls per write** (median of the runs)." %
                median(per), ""]
    return out


def log_size(R):
    """Log bytes per byte of output, and the verification speed."""
    out = [
        "## Log size and verification",
        "",
        "| configuration | log bytes / text output | log bytes / "
        "escape-heavy output |",
        "|---|---|---|",
    ]
    for c in R.configs:
        if c["key"] in ("pristine", "control", "off"):
            continue
        t, e = R.log_ratio("text", c["key"]), R.log_ratio("escape", c["key"])
        out.append("| %s | %s | %s |" % (
            c["title"], R.na_reason(c["key"]) if c["na"] else
            "n/a" if t is None else "%.3f" % t,
            "" if c["na"] else "n/a" if e is None else "%.3f" % e))
    mon = R.mem_ok("on-seal")
    large_mib = R.a["large_mib"]
    if mon and mon.get("log_bytes"):
        out.append("| %s, %d MiB run | %.3f | |" % (
            R.title["on-seal"], large_mib,
            mon["log_bytes"] / mon["output_bytes"]))
    out.append("")
    v = R.verify()
    if v and not v["error"]:
        out.append(
            "`tmux show-audit -V -d DIR` on the log of the %d MiB run: %.0f "
            "MB in %d files, %s s (run twice, the log in the page cache): "
            "**%.0f MB/s** from the faster run." % (
                large_mib, v["bytes"] / MB, v["files"],
                " and ".join("%.2f" % x for x in v["seconds"]),
                v["bytes"] / MB / min(v["seconds"])))
    elif v:
        out.append("Verification failed: %s" % v["error"])
    out.append("")
    return out


def problems(R):
    """Bugs seen during the run (a log that does not verify)."""
    if not R.data["problems"]:
        return []
    return ["## Problems seen during the run", ""] + [
        "- " + x for x in R.data["problems"]] + [""]


def method(R):
    cols, rows = R.data["pane"]["cols"], R.data["pane"]["rows"]
    return [
        "## Method",
        "",
        "- Each measurement starts a fresh server (`-L` socket of its own, "
        "`-f` a config of its own) with one %dx%d pane in a detached "
        "session. The pane runs a small `sh` script that signals `wait-for` "
        "when ready and waits for Enter; the timer starts just before "
        "`send-keys Enter` and stops when `wait-for` returns after `cat "
        "FILE; tmux wait-for -S done` has run in the pane. *Attached*: a "
        "client is attached through a %dx%d pty held by the benchmark, its "
        "output read and thrown away." % (cols, rows, cols, rows + 1),
        "- Configurations are interleaved: repetition 1 of every "
        "configuration, then repetition 2, the order rotated each time.",
        "- The A/A control runs the same pristine binary as a configuration "
        "of its own, so its ratios to pristine show the noise of the "
        "machine during this run; a target missed by less than that is "
        "reported as not resolved.",
        "- *all on* is `audit-log on` with `audit-log-input` and "
        "`audit-log-output` on and seals at the default interval (10 s); "
        "only `audit-log-sync` changes. The log goes to the benchmark's "
        "temporary directory, on the same file system as the data. Every "
        "audit log written is checked with `show-audit -V`.",
        "- Peers run in a pristine pane: `pipe-pane 'cat >> file'`; "
        "`script -q -c CMD file`; `tlog-rec --writer=file "
        "--file-path=file --log-input=true --log-output=true /bin/sh "
        "SCRIPT`.",
        "- Data is generated once per run with fixed seeds: plain text (log "
        "lines, source code, prose) and an escape-heavy stream (256-colour "
        "and true-colour SGR, absolute and relative cursor movement, erase, "
        "scroll regions, UTF-8 wide and combining characters).",
        "- Every configuration sets `status-interval 0` so no periodic "
        "status redraw lands in the latency measurement.",
        "",
    ]


SECTIONS = (header, targets, ratios, throughput, latency, memory,
            instructions, syscalls, log_size, problems, method)


def report(data):
    """The report (docs/benchmarks.md) from saved results."""
    R = Results(data)
    out = []
    for section in SECTIONS:
        out += section(R)
    return "\n".join(out)
