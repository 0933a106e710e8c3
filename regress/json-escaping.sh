#!/bin/sh

# Client-supplied strings cannot break a record's line or forge a field: a
# session name, the client's cwd, TERM and the claimed environment
# (USER, SSH_CONNECTION, SUDO_USER, LOGNAME) holding quotes, backslashes,
# newlines, control bytes, escape sequences and invalid UTF-8 (bad bytes,
# an overlong form, a surrogate). Every line of show-audit -J is one JSON
# object whose values give back the exact bytes (as "<key>_base64" when
# they are not valid UTF-8; inside "claimed" as {"base64": ...}, nothing
# left out); the text view is one line per record with no control bytes,
# and its values unescape to the exact bytes too.

. "$(dirname "$0")/lib.sh"

audit_conf

dir=$(printf '%s/d"q\\b\nn\001c\tt\377x\303\251 end' "$TMP")
name=$(printf 's"q\\b\nn\001\377\303\251 $x')
# What tmux makes of that name (session_check_name: vis(3) escapes).
vis_name='s"q\\b\nn\001\377é $x'
user=$(printf 'u"q\\b\nn\001c\tt\303\251\033[31m\177 $HOME ${x}')
ssh=$(printf '10.0.0.1 22 "x\\y\nz\377')
sudo=$(printf 'root"}\\\n,"claimed":{"USER":"x"}')
logname=$(printf 'l\300\257\355\240\200n')
term=$(printf 'xterm"\\\001')
mkdir "$dir" || fail "mkdir failed"

cd "$dir" || fail "cd failed"
run_pid env USER="$user" SSH_CONNECTION="$ssh" SUDO_USER="$sudo" \
    LOGNAME="$logname" TERM="$term" $T new -d -s "$name" ||
    fail "new-session failed"
new_pid=$LAST_PID
cd "$TMP" || fail "cd failed"

tmux_name=$($T list-sessions -F '#{session_name}')
assert_eq "session name in tmux" "$vis_name" "$tmux_name"
wait_for "session-created" log_has 'r["type"] == "session-created"'
server_pid=$(server_pid)
SERVER_PIDS=$server_pid
kill -TERM "$server_pid"
wait_for "the server to exit" gone "$server_pid"

$TMUX_BIN show-audit -J -d "$LOG" >"$TMP/json" 2>"$TMP/err" ||
    fail "show-audit -J failed: $(cat "$TMP/err")"
$TMUX_BIN show-audit -d "$LOG" >"$TMP/text" 2>"$TMP/err" ||
    fail "show-audit failed: $(cat "$TMP/err")"
set -- "$LOG"/*.tmux-audit
[ $# -eq 1 ] || fail "$# files in the log directory"

python3 - "$1" "$TMP/json" "$TMP/text" "$new_pid" "$dir" "$vis_name" \
    "$term" "$user" "$ssh" "$sudo" "$logname" <<'EOF' || fail "see above"
import base64, json, os, re, struct, sys

seg, jpath, tpath, pid = sys.argv[1:5]
pid = int(pid)
d, name, term, user, ssh, sudo, logname = [os.fsencode(a)
    for a in sys.argv[5:]]
errors = []
def check(what, ok):
    if not ok:
        errors.append(what)

# The number of records, from the file's framing alone.
data = open(seg, "rb").read()
off, nrec = 8, 0
while off < len(data):
    off += 4 + struct.unpack(">I", data[off:off + 4])[0]
    nrec += 1

# JSON: one object a line, strict UTF-8, nothing else.
jraw = open(jpath, "rb").read()
check("JSON output ends with a newline", jraw.endswith(b"\n"))
recs = []
for i, line in enumerate(jraw.split(b"\n")[:-1]):
    try:
        r = json.loads(line.decode("utf-8", "strict"))
    except ValueError as e:
        errors.append("JSON line %d does not parse: %s: %r" % (i, e, line))
        continue
    check("JSON line %d is not an object" % i, isinstance(r, dict))
    recs.append(r)
check("%d JSON lines for %d records" % (len(recs), nrec), len(recs) == nrec)

# A text field's bytes: the string as UTF-8, or key_base64 decoded.
def value(r, key):
    if key in r:
        check("%s is both text and base64" % key, key + "_base64" not in r)
        return r[key].encode("utf-8")
    if key + "_base64" in r:
        return base64.b64decode(r[key + "_base64"], validate=True)
    return None

def valid(b):
    try:
        b.decode("utf-8", "strict")
        return True
    except UnicodeDecodeError:
        return False

def one(t, **kw):
    rs = [r for r in recs if r["type"] == t and
        all(r.get(k) == v for k, v in kw.items())]
    check("%d %s records, not 1" % (len(rs), t), len(rs) == 1)
    return rs[0] if rs else {}

cc = one("client-connect", pid=pid)
sc = one("session-created")
sx = one("session-closed")
for what, r, key, want in [
        ("client-connect cwd", cc, "cwd", d),
        ("client-connect term", cc, "term", term),
        ("session-created cwd", sc, "cwd", d),
        ("session-created session", sc, "session", name),
        ("session-closed session", sx, "session", name)]:
    got = value(r, key)
    check("%s: %r, want %r" % (what, got, want), got == want)
    check("%s: base64 used for valid UTF-8 or not for invalid" % what,
        (key in r) == valid(want))

claimed = cc.get("claimed")
check("claimed is not an object: %r" % (claimed,), isinstance(claimed, dict))
claimed = claimed if isinstance(claimed, dict) else {}
want = {}
for k, v in [("USER", user), ("SSH_CONNECTION", ssh), ("SUDO_USER", sudo),
        ("LOGNAME", logname)]:
    if valid(v):
        want[k] = v.decode()
    else:
        want[k] = {"base64": base64.b64encode(v).decode()}
check("claimed is %r, want %r" % (claimed, want), claimed == want)
check("claimed values leaked to the top level",
    not any(k in cc for k in ["USER", "SUDO_USER", "LOGNAME"]))

# Text: one line a record, no control bytes, values that unescape (vis(3)
# style) to the exact bytes.
traw = open(tpath, "rb").read()
check("text output ends with a newline", traw.endswith(b"\n"))
lines = traw.split(b"\n")[:-1]
check("%d text lines for %d records" % (len(lines), nrec),
    len(lines) == nrec)
head = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (\d+) ([a-z-]+)")

def unvis(s):
    out, i = bytearray(), 0
    cstyle = {b"n": b"\n", b"t": b"\t", b"r": b"\r", b"a": b"\a",
        b"b": b"\b", b"v": b"\v", b"f": b"\f", b"0": b"\0", b"s": b" ",
        b"\\": b"\\", b'"': b'"', b"$": b"$"}
    while i < len(s):
        c = s[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
        elif re.match(rb"[0-7]{3}", s[i + 1:i + 4]):
            out.append(int(s[i + 1:i + 4], 8))
            i += 4
        elif s[i + 1:i + 2] in cstyle:
            out += cstyle[s[i + 1:i + 2]]
            i += 2
        else:
            raise ValueError("bad escape at %d in %r" % (i, s))
    return bytes(out)

def fields(line):
    m = head.match(line)
    rest = line[m.end():]
    out = []
    while rest:
        m = re.match(rb' ([a-z_0-9]+)=("((?:[^"\\]|\\.)*)"|([^ "]*))', rest)
        if m is None:
            raise ValueError("cannot split %r" % rest)
        raw = m.group(3) if m.group(3) is not None else m.group(4)
        out.append((m.group(1).decode(), unvis(raw)))
        rest = rest[m.end():]
    return out

for i, line in enumerate(lines):
    bad = [b for b in line if b < 0x20 or b == 0x7f]
    check("text line %d has control bytes %r" % (i, bad), not bad)
    check("text line %d is not UTF-8" % i, valid(line))
    m = head.match(line)
    if m is None:
        errors.append("text line %d: bad start: %r" % (i, line))
        continue
    if i < len(recs):
        check("text line %d is not seq %d %s" % (i, recs[i]["seq"],
            recs[i]["type"]), (int(m.group(1)), m.group(2).decode()) ==
            (recs[i]["seq"], recs[i]["type"]))
    try:
        f = fields(line)
    except ValueError as e:
        errors.append("text line %d: %s" % (i, e))
        continue
    if i < len(recs) and recs[i] is cc:
        got = dict((k, v) for k, v in f if k != "claimed")
        for k, want in [("cwd", d), ("term", term), ("pid", b"%d" % pid)]:
            check("text %s: %r, want %r" % (k, got.get(k), want),
                got.get(k) == want)
        got = sorted(v for k, v in f if k == "claimed")
        want = sorted([b"USER=" + user, b"SSH_CONNECTION=" + ssh,
            b"SUDO_USER=" + sudo, b"LOGNAME=" + logname])
        check("text claimed: %r, want %r" % (got, want), got == want)
    if i < len(recs) and recs[i] is sc:
        got = dict(f)
        check("text session: %r" % got.get("session"),
            got.get("session") == name)
        check("text session cwd: %r" % got.get("cwd"), got.get("cwd") == d)

for e in errors:
    print("json-escaping: " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
exit 0
