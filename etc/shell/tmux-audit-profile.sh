# tmux-audit shell integration for bash login shells, installed by the
# Debian package as /etc/profile.d/tmux-audit.sh (POSIX sh: /etc/profile
# sources it in every sh-like login shell).
#
# In an interactive bash started by tmux (a pane's shell is a login shell)
# whose server is auditing (audit-log on, as the system policy sets it), it
# sources the bash marks, /usr/share/tmux-audit/shell/tmux-audit.bash, so
# show-audit -H has each command line cut exactly and with its exit status.
# Elsewhere it does nothing: other shells, no tmux, a server not auditing,
# or the package removed (this file is kept until purge).

if [ -n "${BASH_VERSION-}" ] && [ -n "${TMUX-}" ] && [ -n "${PS1-}" ] &&
    [ -r /usr/share/tmux-audit/shell/tmux-audit.bash ] &&
    [ "$(tmux show -sv audit-log 2>/dev/null)" = on ]; then
	. /usr/share/tmux-audit/shell/tmux-audit.bash
fi
