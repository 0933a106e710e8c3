# tmux-audit shell integration for zsh: marks for the audit log.
#
# Source it from ~/.zshrc (after the prompt is set):
#
#	. /usr/share/tmux-audit/shell/tmux-audit.zsh
#
# It prints the OSC 133 marks tmux-audit (and other terminals) read: A where
# the prompt starts, B where it ends and the command line begins (also
# around PS2, the continuation prompt, marked k=s), C when a command line
# starts to run (preexec) and D;STATUS when it has ended, with its exit
# status (precmd); and OSC 7, the working directory, before each prompt.
# With them, tmux show-audit -H cuts each command line exactly where the
# prompt ends, keeps multi-line commands whole and shows each one's exit
# status and directory. These marks are what the shell claims; the audit
# log records the screen and the kernel's view of each command as well,
# with or without them. Does nothing outside an interactive shell, and
# nothing if sourced twice.

if [[ -o interactive && -z ${__tmux_audit_marks-} ]]; then
	typeset -g __tmux_audit_marks=1

	# The working directory as a file URL path: unreserved bytes as they
	# are, every other byte as %XX.
	__tmux_audit_url() {
		emulate -L zsh
		setopt localoptions extendedglob
		local LC_ALL=C s=$1 out= c
		local -i i
		for (( i = 1; i <= ${#s}; i++ )); do
			c=$s[i]
			if [[ $c == [A-Za-z0-9/._~-] ]]; then
				out+=$c
			else
				out+=$(printf '%%%02X' "'$c")
			fi
		done
		print -rn -- $out
	}

	# First in precmd_functions, so $? is still the command's status. A D
	# with no command before it (the first prompt, an empty line) is
	# ignored by tmux-audit.
	__tmux_audit_precmd() {
		local -i ret=$?
		print -n "\e]133;D;$ret\a\e]7;file://${HOST-}$(__tmux_audit_url $PWD)\a"
		# Mark the prompts again if something has set them since.
		[[ $PS1 == *'133;B'* ]] ||
		    PS1=$'%{\e]133;A\a%}'$PS1$'%{\e]133;B\a%}'
		[[ $PS2 == *'133;B'* ]] ||
		    PS2=$'%{\e]133;A;k=s\a%}'$PS2$'%{\e]133;B\a%}'
		return $ret
	}
	__tmux_audit_preexec() {
		print -n '\e]133;C\a'
	}
	precmd_functions=(__tmux_audit_precmd $precmd_functions)
	preexec_functions+=(__tmux_audit_preexec)
fi
