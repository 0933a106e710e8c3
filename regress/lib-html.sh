# regress/lib-html.sh: helpers for the tests of the HTML report
# (show-audit -e html). Not a test. Source it after lib.sh:
#
#	. "$REGRESS/lib-html.sh"
#	need_chromium		skip unless Chromium is installed
#	need_player		skip unless the player has been fetched
#				(./build.sh player); TMUX_AUDIT_PLAYER names
#				it, so every tmux under test finds it
#	html_data REPORT	print the JSON data block of a report
#	html_casts REPORT DIR	write each recording of a report to
#				DIR/cast-N, as JSON lines, unescaped
#
# and, on PYTHONPATH, browser (regress/browser.py) to open a report in
# headless Chromium, with no network, and report_problems(b, url) for
# what a report must never do. Screenshots go in $ARTIFACTS
# (regress/out/, git-ignored), kept after the test.

ARTIFACTS=$REGRESS/out
PYTHONPATH=$REGRESS${PYTHONPATH:+:$PYTHONPATH}
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE

need_chromium() {
	command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1 ||
	    skip "chromium is not installed"
	mkdir -p "$ARTIFACTS" || fail "mkdir $ARTIFACTS failed"
}

need_player() {
	TMUX_AUDIT_PLAYER=$TOP/audit/player
	export TMUX_AUDIT_PLAYER
	[ -f "$TMUX_AUDIT_PLAYER/VERSION" ] ||
	    skip "no player in audit/player (./build.sh player)"
}

html_data() {
	python3 -c '
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<script type=\"application/json\" id=\"tmux-audit-data\">"
    r"(.*?)</script>", page, re.S)
print(m.group(1))' "$1"
}

html_casts() {
	python3 -c '
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
for m in re.finditer(r"<script type=\"application/x-asciicast\" "
        r"id=\"(cast-\d+)\">(.*?)</script>", page, re.S):
    with open(sys.argv[2] + "/" + m.group(1), "w", encoding="utf-8") as f:
        for line in m.group(2).splitlines():
            f.write(json.dumps(json.loads(line)) + "\n")' "$1" "$2"
}
