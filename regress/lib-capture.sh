# regress/lib-capture.sh: helpers for the tests of what the audit log
# captures (pane input and output, commands, pane lives). Not a test.
# Source it after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$REGRESS/lib-capture.sh"
#
# It adds:
#
#	start_shell		start the server (start_logged, lib.sh) with
#				one session, main, whose pane runs bash with
#				no line editor and the prompt "$ ", so that the
#				terminal echoes and the pane's output is
#				exact; attach a pty client (attach_pty) and
#				wait for its client-attached record and for
#				the prompt in the log
#	type_text TEXT		type TEXT literally in the pty client of
#				attach_pty (through the outer tmux)
#	type_keys KEY...	press keys named as tmux names them (Enter,
#				Up, C-c) in that client
#	pane_has TYPE PANE PY	does the concatenated data of the TYPE
#				(input or output) records of PANE (%N), read
#				now with no server, contain the bytes of the
#				Python bytes literal PY?
#	wait_pane WHAT TYPE PANE PY
#				wait_for pane_has
#	at_prompt PANE PROMPT	does PANE (of the server on $LABEL, or $S if
#				set) show PROMPT alone on the cursor's line,
#				the cursor right after it?
#	wait_prompt PANE PROMPT	wait_for at_prompt
#	commands_logged N	has that server recorded N command lines?
#	type_line N PANE PROMPT KEY...
#				press the keys (type_text for a word starting
#				with =, type_keys otherwise), then wait for the
#				Nth command line to be recorded and for PROMPT
#				in PANE
#	bash_rcs		write $TMP/rc, the rc file (bash --rcfile) of a
#				bash whose prompt is "$ ", and $TMP/rc-marks,
#				the same with the shipped integration
#	shell_server NAME CMD	start a server of its own, labelled (as its
#				outer tmux) after NAME, with one session, main,
#				80 by 24, whose pane runs the shell command
#				line CMD in $TMP/work; attach a pty client and
#				wait for the prompt "$ " in %0
#	script_files SHELL	make $TMP/work/hello.txt and $TMP/bin, links
#				to SHELL, cat, sh and sleep (the PATH of the
#				shell type_script types into), and set LONG to
#				a command line of 120 characters, which wraps
#	type_script NAME B CONT EC UNSURE
#				in the pane of shell_server NAME, type the
#				lines of the command-line-SHELL tests: echo
#				abc; Up; "EC" Tab "hoo hi" (if EC is not
#				empty); cat hel Tab; line editing (echo one
#				two); "echo a \" and "b", b being command line
#				B and CONT the continuation prompt, or empty
#				for a shell that indents the next row instead;
#				$LONG; echo pasted, with paste-buffer (its
#				client's pid is PASTE_PID); sh -c 'exit 3';
#				sleep 1. Write show-audit -H to $TMP/NAME.H
#				(TIME, then D for a duration, "-" for none or
#				"?" where the kernel may have missed the
#				command: cat, sh and the screen texts the ERE
#				UNSURE matches), -H -J to $TMP/NAME.json and
#				sleep 1's "text|duration" to $TMP/NAME.sleep;
#				then kill both servers
#
# and a Python module, capture (PYTHONPATH is set), for the checks:
#
#	recs = load(path)	the records of a show-audit -J output
#	data(r)			the bytes of r's data or data_base64
#	pane_bytes(recs, type, pane)
#				the concatenated data of pane's records
#	check(what, ok)		note a failure; done() prints every failure
#				and exits 1 if there was any
#	connect_id(recs, pid, what)
#				check that there is one client-connect record
#				of pid (what names the client in the failure)
#				and return it and its client_id
#	check_inputs(recs, cause)
#				check that there are input records and that
#				each is to %0 @0 main $0, has cause cause and
#				its data and size agree; return them
#	check_script(tmp, uid, cont, argv)
#				check what type_script wrote for NAME rc (no
#				integration) and rc-marks (the integration),
#				cont being its CONT (None for empty): each
#				command line's start (echo, mark), screen
#				prompt and text, shell fields (with marks
#				only; no text for an indented continuation),
#				kernel fields (argv(NAME), tmp/work, uid) and
#				end; and that sleep 1 took about a second

start_shell() {
	start_logged -s main -x 80 -y 24 \
	    "env PS1='\$ ' bash --norc --noprofile --noediting"
	attach_pty main
	wait_for "client-attached" log_has "r['type'] == 'client-attached'"
	wait_pane "the prompt" output %0 'b"$ "'
}

# Is terminal $1 reading a secret: canonical mode with echo off, as read -s
# and getpass set it? A line editor (readline) turns echo off too, but with
# canonical mode off, so -echo alone does not say the read has started.
tty_reads_secret() {
	_trs=$(stty -a -F "$1" 2>/dev/null) || return 1
	case " $(echo $_trs) " in
	*" -echo "*" icanon "*|*" icanon "*" -echo "*) return 0 ;;
	esac
	return 1
}

# The same for the terminal of pane $1 (%N).
pane_reads_secret() {
	_prs=$(_cl_tmux display -p -t "$1" '#{pane_tty}' 2>/dev/null) &&
	    [ -n "$_prs" ] && tty_reads_secret "$_prs"
}

# Type text literally in the pty client.
type_text() {
	"$TMUX_BIN" -L "$OUTER" send-keys -l -- "$1" ||
	    fail "send-keys -l to the outer tmux failed"
}

# Press keys in the pty client.
type_keys() {
	"$TMUX_BIN" -L "$OUTER" send-keys "$@" ||
	    fail "send-keys to the outer tmux failed"
}

cat >"$TMP/capture.py" <<'EOF'
import base64, json, sys

errors = []

def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]

def data(r):
    if "data" in r:
        return r["data"].encode("utf-8")
    if "data_base64" in r:
        return base64.b64decode(r["data_base64"], validate=True)
    return b""

def pane_bytes(recs, type, pane):
    return b"".join(data(r) for r in recs
        if r["type"] == type and r.get("pane") == pane)

def check(what, ok):
    if not ok:
        errors.append(what)
    return ok

def connect_id(recs, pid, what):
    connects = [r for r in recs if r["type"] == "client-connect" and
        r.get("pid") == pid]
    check("%d client-connect records for %s" % (len(connects), what),
        len(connects) == 1)
    if not connects:
        return {}, None
    return connects[0], connects[0]["client_id"]

def check_inputs(recs, cause):
    inputs = [r for r in recs if r["type"] == "input"]
    check("no input records", inputs)
    for r in inputs:
        where = (r.get("pane"), r.get("window"), r.get("session"),
            r.get("session_id"))
        check("seq %d: input to %r, not %%0 @0 main $0" % (r["seq"], where),
            where == ("%0", "@0", "main", "$0"))
        check("seq %d: cause %r, not %r" % (r["seq"], r.get("cause"),
            cause), r.get("cause") == cause)
        check("seq %d: size %r for %d bytes" % (r["seq"], r.get("size"),
            len(data(r))), r.get("size") == len(data(r)) and "data" in r)
    return inputs

def check_script(tmp, uid, cont, argv):
    work = tmp + "/work"
    for rc, marks in (("rc", False), ("rc-marks", True)):
        for r in load("%s/%s.json" % (tmp, rc)):
            t = r["text"]
            check("%s %r: started %r" % (rc, t, r["started"]),
                r["started"] == ("mark" if marks else "echo"))
            p = r.get("screen_prompt")
            if t != "b":
                ok = p == "$ "
            elif cont:
                ok = p == cont
            else:
                # An indented continuation row: its "prompt" is blanks.
                ok = p is not None and p.strip() == "" and p != ""
            check("%s %r: screen_prompt %r" % (rc, t, p), ok)
            check("%s %r: screen_text %r" % (rc, t, r.get("screen_text")),
                r.get("screen_text") == t)
            # With no continuation prompt, the B mark is on the first row
            # only: the shell's text of the whole command is not known.
            multi = not cont and t == "echo a \\\nb"
            check("%s %r: shell fields %r" % (rc, t, r.get("shell_cwd")),
                marks == ("shell_cwd" in r) and
                (marks and not multi) == ("shell_text" in r) and
                r.get("shell_cwd", work) == work)
            check("%s %r: kernel %r" % (rc, t, r.get("kernel_argv")),
                r.get("kernel_argv") == argv(rc) and
                r.get("kernel_cwd") == work and
                r.get("kernel_uid") == uid and r.get("kernel_pid") > 1)
            if marks:
                check("%s %r: end %r" % (rc, t, r.get("end_source")),
                    r.get("end_source") == "shell")
            elif t == "sleep 1":
                check("%s %r: end %r" % (rc, t, r.get("end_source")),
                    r.get("end_source") == "kernel")
        s = open("%s/%s.sleep" % (tmp, rc)).read().split("|")
        check("%s: sleep 1 lasted %r" % (rc, s),
            s[0] == "sleep 1" and 0.9 < float(s[1]) < 5)

def done(name):
    for e in errors:
        print("%s: %s" % (name, e), file=sys.stderr)
    sys.exit(1 if errors else 0)
EOF
PYTHONPATH=$TMP
export PYTHONPATH

pane_has() {
	"$TMUX_BIN" show-audit -J -d "$LOG" >"$TMP/poll.json" 2>/dev/null
	python3 -c '
import ast, sys
from capture import load, pane_bytes
want = ast.literal_eval(sys.argv[4])
sys.exit(0 if want in pane_bytes(load(sys.argv[1]), sys.argv[2],
    sys.argv[3]) else 1)' "$TMP/poll.json" "$1" "$2" "$3" 2>/dev/null
}

wait_pane() {
	what=$1
	shift
	wait_for "$what" pane_has "$@"
}

# The server the command-line helpers ask: $S (lib-users.sh) or $T.
_cl_tmux() {
	${S:-$T} "$@"
}

at_prompt() {
	_ap=$(_cl_tmux display -p -t "$1" '#{cursor_x} #{cursor_y}') ||
	    return 1
	_line=$(_cl_tmux capture-pane -p -t "$1" -S "${_ap#* }" \
	    -E "${_ap#* }") || return 1
	[ "$_line" = "$(printf '%s' "$2" | sed 's/ *$//')" ] &&
	    [ "${_ap% *}" -eq "$(printf '%s' "$2" | wc -m)" ]
}

wait_prompt() {
	wait_for "the prompt \"$2\" in $1" at_prompt "$1" "$2"
}

commands_logged() {
	[ "$(_cl_tmux show-audit -Y command-line 2>/dev/null | wc -l)" -ge "$1" ]
}

type_line() {
	_tl_n=$1
	_tl_pane=$2
	_tl_prompt=$3
	shift 3
	for _tl_key in "$@"; do
		case "$_tl_key" in
		=*)	type_text "${_tl_key#=}" ;;
		*)	type_keys "$_tl_key" ;;
		esac
	done
	wait_for "command line $_tl_n" commands_logged "$_tl_n"
	wait_prompt "$_tl_pane" "$_tl_prompt"
}

bash_rcs() {
	echo "PS1='\$ '" >"$TMP/rc"
	cp "$TMP/rc" "$TMP/rc-marks"
	echo ". $TOP/etc/shell/tmux-audit.bash" >>"$TMP/rc-marks"
}

# A test that runs several servers one after the other gives each its
# own label: the last one may not have gone yet.
shell_server() {
	audit_conf
	rm -rf "$LOG"
	LABEL=audit-$TEST-$$-$1
	T="$TMUX_BIN -L $LABEL -f $CONF"
	OUTER=outer-$TEST-$$-$1
	run_pid $T new -d -s main -x 80 -y 24 -c "$TMP/work" "$2" ||
	    fail "new-session failed"
	SERVER_PIDS="${SERVER_PIDS:-} $($T display -p '#{pid}')"
	attach_pty main
	wait_prompt %0 '$ '
}

# Only the commands the script runs: what Tab completes must not depend
# on what the machine has installed.
script_files() {
	mkdir -p "$TMP/bin" "$TMP/work" || fail "mkdir failed"
	for _sf_c in "$1" cat sh sleep; do
		ln -s "$(command -v $_sf_c)" "$TMP/bin/$_sf_c" ||
		    fail "no $_sf_c"
	done
	echo hi >"$TMP/work/hello.txt"
	LONG=$(python3 -c 'print("echo " + "x" * 115)')
}

type_script() {
	type_line 1 %0 '$ ' '=echo abc' Enter
	type_line 2 %0 '$ ' Up Enter
	_ts_n=2
	if [ -n "$4" ]; then
		_ts_n=3
		type_line 3 %0 '$ ' "=$4" Tab '=hoo hi' Enter
	fi
	type_line $((_ts_n + 1)) %0 '$ ' '=cat hel' Tab Enter
	type_line $((_ts_n + 2)) %0 '$ ' '=cho one two three' C-a '=e' C-e \
	    Left Left Left Left Left Left C-k Enter
	type_text 'echo a \'
	if [ -n "$3" ]; then
		type_keys Enter
		wait_prompt %0 "$3"
	else
		# No prompt to wait for: the cursor goes to the next row,
		# indented.
		_ts_y=$($T display -p -t %0 '#{cursor_y}')
		type_keys Enter
		wait_for "the continuation row" sh -c \
		    "[ \$($T display -p -t %0 '#{cursor_y}') -gt $_ts_y ] &&
		    [ \$($T display -p -t %0 '#{cursor_x}') -gt 0 ]"
	fi
	type_line "$2" %0 '$ ' '=b' Enter
	_ts_n=$(($2 + 1))
	type_line $_ts_n %0 '$ ' "=$LONG" Enter
	$T set-buffer 'echo pasted
' || fail "set-buffer failed"
	run_pid $T paste-buffer -t %0 || fail "paste-buffer failed"
	PASTE_PID=$LAST_PID
	_ts_n=$((_ts_n + 1))
	wait_for "command line $_ts_n" commands_logged $_ts_n
	wait_prompt %0 '$ '
	_ts_n=$((_ts_n + 1))
	type_line $_ts_n %0 '$ ' "=sh -c 'exit 3'" Enter
	_ts_n=$((_ts_n + 1))
	type_line $_ts_n %0 '$ ' '=sleep 1' Enter
	# The kernel's end of sleep comes with the next foreground check.
	wait_for "the end of sleep 1" sh -c "$T show-audit -H \
	    -F '#{audit_duration}' -f '#{m:sleep*,#{audit_text}}' | grep -q ."
	# Whether the kernel saw cat and sh run (for a foreground check to
	# fall while they ran) depends on the machine: their duration is "?".
	$T show-audit -H | sed -E 's/^[^ ]+ ([0-9]+\.[0-9]{3}s|-) /TIME \1 /' |
	    sed -E 's/^TIME [0-9]+\.[0-9]{3}s /TIME D /' |
	    sed -E "/screen: (cat hello.txt|sh -c 'exit 3'${5:+|$5})\$/s/^TIME [^ ]+ /TIME ? /" \
	    >"$TMP/$1.H" || fail "show-audit -H failed"
	$T show-audit -H -J >"$TMP/$1.json" || fail "show-audit -H -J failed"
	$T show-audit -H -F '#{audit_text}|#{audit_duration}' \
	    -f '#{m:sleep*,#{audit_text}}' >"$TMP/$1.sleep"
	$T kill-server
	"$TMUX_BIN" -L "$OUTER" kill-server 2>/dev/null
}
