# regress/lib-syslog.sh: a real rsyslogd of the test's own. Not a test.
# Source it after lib.sh:
#
#	. "$REGRESS/lib-syslog.sh"
#	start_rsyslogd [CONF]	rsyslogd (skip if not installed) on a private
#				config, taking messages on the unix socket
#				$SYSLOG_SOCK and writing them, in the RFC 5424
#				form, to $SYSLOG_FILE; CONF is added to the
#				config (more inputs, each with a ruleset from
#				syslog_ruleset)
#	stop_rsyslogd		kill it (the test's trap does, at exit)
#	syslog_ruleset NAME FILE
#				the config of a ruleset NAME that writes what
#				it is given to FILE, as $SYSLOG_FILE is written
#	syslog_has TEXT		does $SYSLOG_FILE have a line with TEXT?

start_rsyslogd() {
	RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
	[ -x "$RSYSLOGD" ] || skip "rsyslogd is not installed"
	SYSLOG_SOCK=$TMP/syslog.sock
	SYSLOG_FILE=$TMP/syslog.log
	mkdir "$TMP/rsyslog" || fail "mkdir failed"
	cat >"$TMP/rsyslog.conf" <<EOF
global(workDirectory="$TMP/rsyslog" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$SYSLOG_SOCK" RateLimit.Interval="0"
    UseSpecialParser="off" ParseHostname="on" ruleset="unix")
$(syslog_ruleset unix "$SYSLOG_FILE")
${1:-}
EOF
	"$RSYSLOGD" -n -f "$TMP/rsyslog.conf" -i "$TMP/rsyslog.pid" \
	    >"$TMP/rsyslog.out" 2>&1 &
	RS_PID=$!
	wait_for "rsyslogd to listen" test -S "$SYSLOG_SOCK"
}

stop_rsyslogd() {
	[ -n "${RS_PID:-}" ] && kill "$RS_PID" 2>/dev/null
	RS_PID=
}

syslog_ruleset() {
	cat <<EOF
ruleset(name="$1") {
	action(type="omfile" file="$2"
	    template="RSYSLOG_SyslogProtocol23Format")
}
EOF
}

syslog_has() {
	grep -Fq -- "$1" "$SYSLOG_FILE" 2>/dev/null
}
