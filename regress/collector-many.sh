#!/bin/sh

# One collector, many servers at once: 20 servers of 3 users, all printing
# at the same time, rotating segments by size (audit-log-max-size 64k).
# Each user's directory gets exactly that user's runs (6, 7 and 7), every
# run is whole (every line its server printed, once), and the directory
# verifies with the collector's key: every segment intact, linked into its
# run, every seal counter-sealed.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-collector.sh"
USERS="tmuxauditc1 tmuxauditc2 tmuxauditc3"
for u in $USERS; do
	make_user "$u"
done

collector_start
audit_conf "set -s audit-log-collector $CSOCK" \
    "set -s audit-log-max-size 65536" \
    "set -s audit-log-seal-interval 1"
N=8000
i=0
PIDS=
while [ $i -lt 20 ]; do
	i=$((i + 1))
	set -- $USERS
	shift $((i % 3))
	u=$1
	mkdir -p "$TMP/many/$i"
	_name=$u
	# Each server on a socket of its own, in the user's directory.
	_d=$TMP/u-$u
	[ -d "$_d" ] || { mkdir -m 0700 "$_d" && chown "$u" "$_d"; } ||
	    fail "mkdir $_d"
	chmod 0644 "$CONF"
	as_user "$u" "$USER_BIN" -S "$_d/sock$i" -f "$CONF" new -d -x 80 \
	    -y 24 "sleep 1; seq -f 'srv$i-%g' 1 $N; echo end-$i; sleep 600" ||
	    fail "server $i of $u failed"
	PIDS="$PIDS $(as_user "$u" "$USER_BIN" -S "$_d/sock$i" display -p '#{pid}')"
	echo "$u" >"$TMP/many/$i/user"
done
SERVER_PIDS="$PIDS"

# Wait for every server to finish printing, then stop them all.
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	u=$(cat "$TMP/many/$i/user")
	wait_for "server $i to print its last line" sh -c \
	    "setpriv --reuid=$u --regid=$(id -g "$u") --init-groups \
	    $USER_BIN -S $TMP/u-$u/sock$i capture-pane -p | grep -q '^end-$i\$'"
	as_user "$u" "$USER_BIN" -S "$TMP/u-$u/sock$i" kill-server
done
for p in $PIDS; do
	wait_for "server $p to exit" gone "$p"
done
# Every run's last segment complete in the collector's log.
for p in $PIDS; do
	wait_for "server $p's last segment to be complete" sh -c \
	    "grep -q 'server pid $p uid [0-9]* ([a-z0-9]*): segment [0-9]* complete' $CLOG"
done

for u in $USERS; do
	D=$(user_dir "$u")
	log_json "$D"
	python3 - "$TMP/log.json" "$u" "$N" "$(id -u "$u")" <<'EOF' ||
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
user, n, uid = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
runs = {}
for r in recs:
    if r["type"] == "segment":
        run = r["run"]
        if r.get("user") != user or r.get("uid") != uid:
            sys.exit("%s's directory has a segment of %s" % (user,
                r.get("user")))
    elif r["type"] == "output":
        runs[run] = runs.get(run, "") + r.get("data", "")
want = {"tmuxauditc1": 6, "tmuxauditc2": 7, "tmuxauditc3": 7}[user]
if len(runs) != want:
    sys.exit("%s has %d runs, not %d" % (user, len(runs), want))
for run, out in runs.items():
    m = re.search(r"srv(\d+)-1\r\n", out)
    if not m:
        sys.exit("run %s: no first line" % run)
    i = m.group(1)
    lines = "".join("srv%s-%d\r\n" % (i, k) for k in range(1, n + 1))
    if out.count(lines) != 1 or out.count("end-%s\r\n" % i) != 1:
        sys.exit("run %s (server %s): the output is not whole" % (run, i))
EOF
	    fail "$u's logs"
	"$TMUX_BIN" show-audit -V -c "$CKEY.pub" -d "$D" >"$TMP/v.out" \
	    2>"$TMP/v.err" || fail "$u's logs do not verify: $(cat "$TMP/v.err")"
	SEGS=$(ls "$D"/*.tmux-audit | wc -l)
	OK=$(grep -c ': intact: .*, closed, unanchored (no host key), collected (collector key ' \
	    "$TMP/v.out")
	[ "$SEGS" -gt 7 ] || fail "$u: only $SEGS segments: no rotation"
	assert_eq "$u: segments intact and collected" "$SEGS" "$OK"
done
exit 0
