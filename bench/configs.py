#
# bench/configs.py: the configurations measured (pristine tmux, the fork
# with the audit log off and on, the peers) and which of them each part of
# the benchmark runs.

from common import q

# A root-owned file every tmux-audit server reads first; the audit options
# it sets are locked (audit/audit-int.h, AUDIT_POLICY_PATH).
POLICY = "/etc/tmux-audit.conf"

# The memory test is long (a gigabyte through each): only what the targets
# compare.
MEMORY_CONFIGS = ("pristine", "on-seal", "on-collector")

# Instructions are counted (valgrind's callgrind) for these, on the first
# INSTR_MB of each stream: exact where wall time is noisy. on-nocmd is
# on-seal with command capture off, to show what capture costs.
INSTR_CONFIGS = ("pristine", "off", "on-seal", "on-nocmd", "on-collector")
INSTR_MB = {"text": 4, "escape": 2}

# The server's futex and write calls are counted (strace) for this
# configuration on this stream through a detached pane: how many times the
# loop and the log writer thread hand a batch over.
SYSCALL_CONFIG, SYSCALL_STREAM = "on-seal", "text"

# Every configuration starts from these lines. No periodic status redraw:
# it would put stray letters into the keystroke measurement.
BASE_CONF = ["set -g status-interval 0"]


def policy_in_force():
    """Does the system policy file hold any command?"""
    try:
        with open(POLICY) as f:
            return any(x.strip() and not x.strip().startswith("#")
                       for x in f)
    except OSError:
        return False


class Config:
    def __init__(self, key, title, binary, conf=(), peer=None, audit=False,
                 collector=False):
        self.key = key
        self.title = title
        self.binary = binary
        self.conf = list(conf)
        self.peer = peer		# None, "pipe-pane", "script", "tlog"
        self.audit = audit
        self.collector = collector	# sent to tmux-auditd, not to files
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
    def on(sync, commands="on"):
        return ["set -s audit-log on", "set -s audit-log-input on",
                "set -s audit-log-output on",
                "set -s audit-log-commands %s" % commands,
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
        Config("on-collector", "fork, all on, sync seal, to tmux-auditd",
               fork, on("seal"), audit=True, collector=True),
        Config("on-nocmd", "fork, all on but command capture, sync seal",
               fork, on("seal", "off"), audit=True),
        Config("pipe-pane", "pristine + pipe-pane 'cat >> file'", pristine,
               peer="pipe-pane"),
        Config("script", "pristine + script in the pane", pristine,
               peer="script"),
        Config("tlog", "pristine + tlog-rec in the pane", pristine,
               peer="tlog"),
    ]

