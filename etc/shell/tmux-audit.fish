# tmux-audit shell integration for fish: marks for the audit log.
#
# Source it from ~/.config/fish/config.fish (or copy it into
# ~/.config/fish/conf.d/):
#
#	source /usr/share/tmux-audit/shell/tmux-audit.fish
#
# It prints the OSC 133 marks tmux-audit (and other terminals) read: A where
# the prompt starts, B where it ends and the command line begins, C when a
# command line starts to run (fish_preexec) and D;STATUS when it has ended,
# with its exit status (fish_postexec); and OSC 7, the working directory,
# before each prompt. With them, tmux show-audit -H cuts each command line
# exactly where the prompt ends and shows each one's exit status and
# directory. These marks are what the shell claims; the audit log records
# the screen and the kernel's view of each command as well, with or without
# them. Does nothing outside an interactive shell, and nothing if sourced
# twice.

if status is-interactive; and not set -q __tmux_audit_marks
    set -g __tmux_audit_marks 1

    function __tmux_audit_preexec --on-event fish_preexec
        printf '\e]133;C\a'
    end

    function __tmux_audit_postexec --on-event fish_postexec
        printf '\e]133;D;%s\a' $status
    end

    function __tmux_audit_status
        return $argv[1]
    end

    # The prompt, wrapped in A and B, with the working directory first;
    # the prompt still sees the command's $status.
    functions -c fish_prompt __tmux_audit_fish_prompt
    function fish_prompt
        set -l s $status
        printf '\e]7;file://%s%s\a\e]133;A\a' $hostname \
            (string escape --style=url -- $PWD)
        __tmux_audit_status $s
        __tmux_audit_fish_prompt
        printf '\e]133;B\a'
    end
end
