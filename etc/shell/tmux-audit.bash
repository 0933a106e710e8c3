# tmux-audit shell integration for bash: marks for the audit log.
#
# Source it from ~/.bashrc (after PS1 is set):
#
#	. /usr/share/tmux-audit/shell/tmux-audit.bash
#
# It prints the OSC 133 marks tmux-audit (and other terminals) read: A where
# the prompt starts, B where it ends and the command line begins (also
# around PS2, the continuation prompt, marked k=s), C when a command line
# starts to run (from PS0) and D;STATUS when it has ended, with its exit
# status; and OSC 7, the working directory, before each prompt. With them,
# tmux show-audit -H cuts each command line exactly where the prompt ends,
# keeps multi-line commands whole and shows each one's exit status and
# directory. These marks are what the shell claims; the audit log records
# the screen and the kernel's view of each command as well, with or without
# them. Needs bash 4.4 or later (PS0). Does nothing outside an interactive
# shell, and nothing if sourced twice.

if [[ $- == *i* && -z ${__tmux_audit_marks-} ]] &&
    (( BASH_VERSINFO[0] > 4 ||
    (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4) )); then
	__tmux_audit_marks=1

	# The working directory as a file URL path: unreserved bytes as they
	# are, every other byte as %XX.
	__tmux_audit_url() {
		local LC_ALL=C s=$1 out= c i
		for ((i = 0; i < ${#s}; i++)); do
			c=${s:i:1}
			case $c in
			[A-Za-z0-9/._~-]) out+=$c ;;
			*) printf -v c '%%%02X' "'$c"; out+=${c: -3} ;;
			esac
		done
		printf '%s' "$out"
	}

	# First in PROMPT_COMMAND, so $? is still the command's status. A D
	# with no command before it (the first prompt, an empty line) is
	# ignored by tmux-audit.
	__tmux_audit_precmd() {
		local ret=$?
		printf '\e]133;D;%s\a\e]7;file://%s%s\a' "$ret" \
		    "${HOSTNAME-}" "$(__tmux_audit_url "$PWD")"
		# Mark the prompts again if something has set them since.
		[[ $PS1 == *'133;B'* ]] ||
		    PS1='\[\e]133;A\a\]'$PS1'\[\e]133;B\a\]'
		[[ $PS2 == *'133;B'* ]] ||
		    PS2='\[\e]133;A;k=s\a\]'$PS2'\[\e]133;B\a\]'
		return $ret
	}
	PROMPT_COMMAND="__tmux_audit_precmd${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
	PS0=$'\e]133;C\a'${PS0-}
fi
