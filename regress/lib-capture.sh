# regress/lib-capture.sh: helpers for the tests of what the audit log
# captures (pane input and output, commands, pane lives). Not a test.
# Source it after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$REGRESS/lib-capture.sh"
#
# It adds:
#
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
#
# and a Python module, capture (PYTHONPATH is set), for the checks:
#
#	recs = load(path)	the records of a show-audit -J output
#	data(r)			the bytes of r's data or data_base64
#	pane_bytes(recs, type, pane)
#				the concatenated data of pane's records
#	check(what, ok)		note a failure; done() prints every failure
#				and exits 1 if there was any

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
