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

start_shell() {
	start_logged -s main -x 80 -y 24 \
	    "env PS1='\$ ' bash --norc --noprofile --noediting"
	attach_pty main
	wait_for "client-attached" log_has "r['type'] == 'client-attached'"
	wait_pane "the prompt" output %0 'b"$ "'
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
