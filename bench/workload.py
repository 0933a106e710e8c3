#
# bench/workload.py: the test data, generated once per run with fixed seeds
# (same bytes every run): plain text and an escape-heavy stream.

import random

from common import COLS, ROWS

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



def prefix(src, dst, size):
    """Write the first size bytes of src to dst, starting src again at its
    beginning if it is shorter."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        while size > 0:
            chunk = f.read(min(size, 8 * 1024 * 1024))
            if not chunk:
                f.seek(0)
                continue
            out.write(chunk)
            size -= len(chunk)
