#!/bin/sh

# Formats that end early are expanded without reading past their end or
# looping. A # at the very end is kept as it is (3.5a read past the end of
# the string: a heap over-read that shows under AddressSanitizer); a
# character cut short at the end counts for nothing in #{w:} (3.5a looped
# for ever, hanging the server with every session in it)
# (upstream-format-string-end.patch); a s/// replacement ending in a
# backslash keeps it (3.5a read and copied memory past its end)
# (upstream-regsub-trailing-backslash.patch). Widths beyond 10000 and
# precisions beyond 100 are refused, so a format cannot make the server
# allocate gigabytes (upstream-format-limits.patch).

. "$(dirname "$0")/lib.sh"

audit_conf
start_main

expand() {
	timeout 10 $T display-message -p -t main "$1" ||
	    fail "display-message -p '$1' failed or hung"
}

assert_eq "abc#" "abc#" "$(expand 'abc#')"
assert_eq "#" "#" "$(expand '#')"
assert_eq "##" "#" "$(expand '##')"
assert_eq "#{w:} of ab and a cut-short character" "2" \
    "$(expand "#{w:#{l:ab$(printf '\342')}}")"
assert_eq "#{w:} of a cut-short character before c" "1" \
    "$(expand "#{w:#{l:$(printf '\342\202')c}}")"
assert_eq "s/// with a trailing backslash" 'x\' \
    "$(expand '#{s/main/x\:session_name}')"
assert_eq "s/// with an escaped backslash" 'x\' \
    "$(expand '#{s/main/x\\:session_name}')"

assert_eq "p10000" 10000 "$(expand '#{p10000:session_name}' | tr -d '\n' |
    wc -c)"
assert_eq "p10001, refused" "main" "$(expand '#{p10001:session_name}')"
assert_eq "p-10001, refused" "main" "$(expand '#{p-10001:session_name}')"
assert_eq "=10001, refused" "main" "$(expand '#{=10001:session_name}')"
assert_eq "=-3" "ain" "$(expand '#{=-3:session_name}')"
assert_eq "precision 100" 102 "$(expand '#{e|*|f|100:1,1}' | tr -d '\n' |
    wc -c)"
assert_eq "precision 101, refused" "" "$(expand '#{e|*|f|101:1,1}')"

end_main
exit 0
