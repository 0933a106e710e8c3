#!/bin/sh

# The lines typed into a REPL are command lines too, read from the screen
# (a REPL has no marks), with the program that read them from the kernel.
# In bash with the shipped integration a real client runs python3 -q and
# types x = 6 * 7, a for block of two lines and an empty one, print(x) and
# C-d; then sqlite3 and four statements, one over two lines, and .quit.
# show-audit -H must list python3 -q and sqlite3 as the shell's commands,
# ended by its D mark with status 0, and every line typed into them as
# the screen showed it, without the REPL's prompt (>>> , ... , sqlite> ,
# ...> ); the empty line that ends the block is not a command. Each REPL
# line's kernel_argv is the REPL's (python3 -q, sqlite3): the foreground
# process when it was submitted.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
PY=$(command -v python3)
case "$PY" in
/usr/bin/*|/bin/*)	;;
*)	PY=/usr/bin/python3 ;;
esac
[ -x "$PY" ] || skip "no python3 in /usr/bin"

user=$(id -un)
mkdir -p "$TMP/bin" "$TMP/work" || fail "mkdir failed"
ln -s "$PY" "$TMP/bin/python3" || fail "ln python3"
ln -s "$(command -v sqlite3)" "$TMP/bin/sqlite3" || fail "ln sqlite3"
cat >"$TMP/rc" <<EOF
PS1='\$ '
. $TOP/etc/shell/tmux-audit.bash
EOF

audit_conf
run_pid $T new -d -s main -x 80 -y 24 -c "$TMP/work" \
    "env -i PATH=$TMP/bin:/usr/bin:/bin HOME=$TMP/home TERM=$TERM \
    bash --rcfile $TMP/rc -i" || fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
attach_pty main
wait_prompt %0 '$ '
type_line 1 %0 '>>> ' '=python3 -q' Enter
type_line 2 %0 '>>> ' '=x = 6 * 7' Enter
type_line 3 %0 '... ' '=for i in range(2):' Enter
type_line 4 %0 '... ' '=    print(i)' Enter
type_keys Enter
wait_prompt %0 '>>> '
type_line 5 %0 '>>> ' '=print(x)' Enter
type_keys C-d
wait_prompt %0 '$ '
type_line 6 %0 'sqlite> ' '=sqlite3' Enter
type_line 7 %0 'sqlite> ' '=create table t(a)\;' Enter
type_line 8 %0 '   ...> ' '=insert into t values (1),' Enter
type_line 9 %0 'sqlite> ' '=(2)\;' Enter
type_line 10 %0 'sqlite> ' '=select sum(a) from t\;' Enter
type_line 11 %0 '$ ' '=.quit' Enter

$T show-audit -H | sed -E 's/^[^ ]+ ([0-9]+\.[0-9]{3}s|-) /TIME \1 /' |
    sed -E 's/^TIME [0-9]+\.[0-9]{3}s /TIME D /' >"$TMP/H" ||
    fail "show-audit -H failed"
$T show-audit -H -J >"$TMP/H.json" || fail "show-audit -H -J failed"

w="$TMP/work"
c="$PTY_TTY $user %0"
assert_eq "-H" "\
TIME D $c 0 $w shell: python3 -q
TIME - $c - $w screen: x = 6 * 7
TIME - $c - $w screen: for i in range(2):
TIME - $c - $w screen:     print(i)
TIME - $c - $w screen: print(x)
TIME D $c 0 $w shell: sqlite3
TIME - $c - $w screen: create table t(a);
TIME - $c - $w screen: insert into t values (1),
TIME - $c - $w screen: (2);
TIME - $c - $w screen: select sum(a) from t;
TIME - $c - $w screen: .quit" "$(cat "$TMP/H")"

python3 - "$TMP/H.json" <<'EOF' || fail "see above"
import sys
from capture import *
prompts = {"x = 6 * 7": ">>> ", "for i in range(2):": ">>> ",
    "    print(i)": "... ", "print(x)": ">>> ",
    "create table t(a);": "sqlite> ", "insert into t values (1),": "sqlite> ",
    "(2);": "   ...> ", "select sum(a) from t;": "sqlite> ",
    ".quit": "sqlite> "}
for r in load(sys.argv[1]):
    t = r["text"]
    if t in ("python3 -q", "sqlite3"):
        check("%r: started %r" % (t, r["started"]), r["started"] == "mark")
        check("%r: kernel_argv %r" % (t, r.get("kernel_argv")),
            r.get("kernel_argv", [""])[0] == "bash")
        continue
    check("%r: started %r" % (t, r["started"]), r["started"] == "echo")
    check("%r: prompt %r" % (t, r.get("screen_prompt")),
        r.get("screen_prompt") == prompts[t])
    argv = ["sqlite3"] if prompts[t].endswith("> ") and \
        prompts[t] != ">>> " else ["python3", "-q"]
    check("%r: kernel_argv %r" % (t, r.get("kernel_argv")),
        r.get("kernel_argv") == argv)
done("command-line-repl")
EOF
exit 0
