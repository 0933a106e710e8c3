/* $OpenBSD$ */

/*
 * Copyright (c) 2026 The tmux-audit authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF MIND, USE, DATA OR PROFITS, WHETHER
 * IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING
 * OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The life of the log in the server: it starts holding records with the
 * server, is opened (or dropped) once the configuration is read, starts
 * and stops as the audit-log options change, and is closed with a final
 * seal when the server exits. A server that may not run without its log
 * (its socket directory is unsafe, or the system policy requires the log
 * and it cannot be started) refuses every client and exits.
 */

static int		 audit_in_config;
static char		*audit_refused;

/*
 * May a new client join? Not while the server is refusing to run, and only
 * the owner and root when server-access-owner-only is on.
 */
int
audit_client_may_join(struct client *c)
{
	struct audit_client	*ac = c->audit;

	if (ac == NULL)
		return (1);
	if (audit_refused != NULL) {
		ac->deny_reason = audit_refused;
		return (0);
	}

	if (options_get_number(global_options, "server-access-owner-only") &&
	    !audit_client_is_owner(c)) {
		ac->deny_reason = "server-access-owner-only is on";
		return (0);
	}
	return (1);
}

/* Send away the clients of users other than the owner and root. */
static void
audit_kick_others(const char *why)
{
	struct client	*c;

	TAILQ_FOREACH(c, &clients, entry) {
		if (audit_client_is_owner(c) || (c->flags & CLIENT_EXIT))
			continue;
		c->exit_message = xstrdup(why);
		c->flags |= CLIENT_EXIT;
	}
}

/*
 * Refuse to run: tell every client why and send them away, turn away new
 * ones, and exit once the last has gone (from audit_loop).
 */
static void
audit_refuse(const char *why)
{
	struct client	*c;

	log_debug("%s: %s", __func__, why);
	if (audit_refused == NULL)
		audit_refused = xstrdup(why);
	TAILQ_FOREACH(c, &clients, entry) {
		if (c->flags & CLIENT_EXIT)
			continue;
		free(c->exit_message);
		c->exit_message = xstrdup(why);
		c->retval = 1;
		c->flags |= CLIENT_EXIT;
	}
}

/* Expand the audit-log-path option into an absolute path. */
static char *
audit_expand_path(const char *value)
{
	struct environ_entry	*envent;
	const char		*home, *rest, *base;
	char			*path;

	home = find_home();
	if (home == NULL)
		home = "/";
	if (strncmp(value, "$XDG_STATE_HOME", 15) == 0 &&
	    (value[15] == '/' || value[15] == '\0')) {
		rest = value + 15;
		envent = environ_find(global_environ, "XDG_STATE_HOME");
		if (envent != NULL && envent->value != NULL &&
		    *envent->value == '/')
			base = envent->value;
		else {
			xasprintf(&path, "%s/.local/state%s", home, rest);
			return (path);
		}
		xasprintf(&path, "%s%s", base, rest);
		return (path);
	}
	if (strncmp(value, "$HOME", 5) == 0 &&
	    (value[5] == '/' || value[5] == '\0')) {
		xasprintf(&path, "%s%s", home, value + 5);
		return (path);
	}
	if (value[0] == '~' && (value[1] == '/' || value[1] == '\0')) {
		xasprintf(&path, "%s%s", home, value + 1);
		return (path);
	}
	return (xstrdup(value));
}

/*
 * Log the server socket's path, owner and mode, and check that others
 * cannot write to its directory: whoever can replace the socket can put
 * their own server in front of the clients. A sticky directory (like /tmp)
 * is allowed, because others cannot remove or rename the socket there.
 */
static int
audit_socket_check(char **cause)
{
	struct stat	 sb, dsb;
	char		*dir, *copy;
	size_t		 start;
	int		 have, retval = -1;

	if (socket_path == NULL || *socket_path == '\0')
		return (0);
	copy = xstrdup(socket_path);
	dir = dirname(copy);
	have = (stat(socket_path, &sb) == 0);

	start = audit_begin(AUDIT_SERVER_SOCKET);
	audit_rec_str(&audit_pending, AUDIT_F_SOCKET, socket_path);
	if (have) {
		audit_rec_uint(&audit_pending, AUDIT_F_UID, sb.st_uid);
		audit_rec_uint(&audit_pending, AUDIT_F_MODE,
		    sb.st_mode & 07777);
	}
	if (stat(dir, &dsb) != 0) {
		xasprintf(cause, "socket directory %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	audit_rec_uint(&audit_pending, AUDIT_F_DIR_UID, dsb.st_uid);
	audit_rec_uint(&audit_pending, AUDIT_F_DIR_MODE, dsb.st_mode & 07777);
	if ((dsb.st_mode & (S_IWGRP|S_IWOTH)) && (~dsb.st_mode & S_ISVTX)) {
		xasprintf(cause, "audit log: socket directory %s is writable "
		    "by others (mode %04o)", dir, (u_int)(dsb.st_mode & 07777));
		audit_rec_str(&audit_pending, AUDIT_F_REASON, *cause);
		goto out;
	}
	retval = 0;
out:
	audit_end(start);
	free(copy);
	return (retval);
}

/* Is a process alive (not gone, and not a zombie)? */
static int
audit_process_alive(pid_t pid)
{
	char	 path[64], buf[256], *p;
	FILE	*f;
	int	 alive = 1;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return (0);
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (1);
	if (fgets(buf, sizeof buf, f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'Z')
		alive = 0;
	fclose(f);
	return (alive);
}

/*
 * Note segments another run on this host left open: it ended without
 * closing its log (killed, crashed, power lost). Closed segments are made
 * read-only, so an open one is still writable; its server is gone if its
 * pid is.
 */
static void
audit_unclean(const char *dir)
{
	struct stat	 sb;
	char		**paths, *cause, *base, *end, *prefix;
	const char	*errstr;
	u_int		 n, i;
	long long	 pid;
	size_t		 start, plen;

	if (audit_list_dir(dir, &paths, &n, &cause) != 0) {
		free(cause);
		return;
	}
	base = audit_file_word(audit_host);
	xasprintf(&prefix, "%s_", base);
	free(base);
	plen = strlen(prefix);
	for (i = 0; i < n; i++) {
		base = strrchr(paths[i], '/') + 1;
		if (strncmp(base, prefix, plen) != 0 ||
		    stat(paths[i], &sb) != 0 || (~sb.st_mode & S_IWUSR) ||
		    sb.st_uid != getuid())
			continue;
		end = strrchr(base, '_');
		if (end == NULL)
			continue;
		*end = '\0';
		pid = strtonum(strrchr(base, '_') != NULL ?
		    strrchr(base, '_') + 1 : "", 1, INT_MAX, &errstr);
		*end = '_';
		if (errstr != NULL || pid == audit_pid ||
		    audit_process_alive((pid_t)pid))
			continue;
		start = audit_begin(AUDIT_UNCLEAN_END);
		audit_rec_str(&audit_pending, AUDIT_F_PATH, paths[i]);
		audit_rec_uint(&audit_pending, AUDIT_F_PID, pid);
		audit_end(start);

		/* Noted once: make it read-only like a closed segment. */
		chmod(paths[i], 0400);
	}
	free(prefix);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* The log cannot start: say why, and turn it off (or refuse to run). */
static void
audit_open_failed(char *cause)
{
	char	*msg;

	audit_syslog_discard();
	audit_set_state(AUDIT_OFF);
	audit_pending.len = 0;
	if (audit_policy_requires_log()) {
		/* The policy says no server runs without its log. */
		xasprintf(&msg, "%s (required by the audit policy %s)", cause,
		    AUDIT_POLICY_PATH);
		audit_warn(msg);
		audit_syslog_incident(msg);
		audit_refuse(msg);
		free(msg);
		free(cause);
		return;
	}
	if (!cfg_finished || audit_in_config)
		cfg_add_cause("%s", cause);
	audit_warn(cause);
	/*
	 * Say so in syslog too: its witness would wait for seals, and the
	 * records held so far may already have gone there.
	 */
	xasprintf(&msg, "audit log cannot be started: %s (audit-log is off)",
	    cause);
	audit_syslog_incident(msg);
	free(msg);
	free(cause);

	/* The option must not say the log is on when it is not. */
	options_set_number(global_options, "audit-log", 0);
	audit_option_save("audit-log");
}

/* The collector's socket from audit-log-collector, or NULL for none. */
static const char *
audit_collector(void)
{
	const char	*value;

	value = options_get_string(global_options, "audit-log-collector");
	if (*value == '\0' || strcmp(value, "off") == 0)
		return (NULL);
	return (value);
}

/* Is the value of audit-log-collector a socket path that can be used? */
static int
audit_collector_check(const char *value, char **cause)
{
	if (*value != '/') {
		xasprintf(cause, "audit-log-collector %s: not an absolute path",
		    value);
		return (-1);
	}
	if (strlen(value) >= sizeof ((struct sockaddr_un *)NULL)->sun_path) {
		xasprintf(cause, "audit-log-collector %s: path too long",
		    value);
		return (-1);
	}
	return (0);
}

/*
 * Open the log: check the directory (or the collector's path) and create
 * the first segment.
 */
static void
audit_open(void)
{
	const char	*value;
	char		*dir, *cause = NULL;

	if (audit_socket_check(&cause) != 0) {
		audit_syslog_discard();
		audit_warn(cause);
		if (audit_in_config)
			cfg_add_cause("%s", cause);
		audit_refuse(cause);
		free(cause);
		audit_set_state(AUDIT_OFF);
		audit_pending.len = 0;
		return;
	}

	if ((value = audit_collector()) != NULL) {
		/* The collector keeps the files, and sees unclean ends. */
		dir = NULL;
		if (audit_collector_check(value, &cause) != 0)
			goto fail;
		audit_segment_set_link(value);
	} else {
		value = options_get_string(global_options, "audit-log-path");
		dir = audit_expand_path(value);
		if (audit_dir_check(dir, 1, &cause) != 0)
			goto fail;
		audit_segment_set_dir(dir);
	}
	value = options_get_string(global_options, "audit-log-key");
	if (audit_seal_run(audit_start, value, &cause) != 0)
		goto fail;
	audit_syslog_release();
	audit_set_state(AUDIT_ON);
	if (dir != NULL)
		audit_unclean(dir);
	if (audit_store_open(&cause) != 0) {
		if (options_get_number(global_options, "audit-log-fail")) {
			/* Fail closed: hold everything until it can open. */
			if (audit_in_config)
				cfg_add_cause("%s", cause);
			audit_store_open_later(cause);
			free(cause);
			free(dir);
			return;
		}
		goto fail;
	}
	free(dir);
	return;

fail:
	free(dir);
	audit_segment_forget_dir();
	audit_open_failed(cause);
}

/* Close the log with a final seal. */
static void
audit_close(void)
{
	if (audit_is_on())
		audit_store_close();
	audit_set_state(AUDIT_OFF);
}

static void
audit_atexit(void)
{
	audit_flush();
}

/* The server has started: start holding records until the config is read. */
void
audit_server_start(void)
{
	size_t	 start;

	if (sodium_init() < 0)
		fatalx("sodium_init failed");
	audit_identity();
	atexit(audit_atexit);
	audit_option_save_all();

	audit_set_state(AUDIT_HOLD);
	start = audit_begin(AUDIT_SERVER_START);
	audit_add_server(&audit_pending);
	audit_end(start);
}

/* The server is exiting. */
void
audit_server_stop(void)
{
	size_t	start;

	if (!audit_active())
		return;
	if (audit_is_holding())
		audit_config_done();
	if (!audit_active())
		return;
	start = audit_begin(AUDIT_SERVER_STOP);
	audit_rec_uint(&audit_pending, AUDIT_F_PID, audit_pid);
	audit_end(start);
	audit_close();
	audit_syslog_drain();
}

/* The configuration files have been loaded: the options are now known. */
void
audit_config_done(void)
{
	if (!audit_is_holding())
		return;
	audit_read_options();
	if (options_get_number(global_options, "audit-log")) {
		audit_in_config = 1;
		audit_open();
		audit_in_config = 0;
		return;
	}
	log_debug("%s: audit-log off, dropping %zu bytes held", __func__,
	    audit_pending.len);
	audit_syslog_discard();
	audit_dropped += audit_seq;
	audit_pending.len = 0;
	audit_set_state(AUDIT_OFF);
}

/*
 * Check a new value for an audit option before set-option changes it, so a
 * bad value is refused with an error naming the problem.
 */
int
audit_option_check(struct options *oo, const char *name, int unset,
    const char *value, char **cause)
{
	char	*path, *why = NULL;
	int	 on;

	audit_option_before(oo, name);
	if (audit_policy_locked(name)) {
		xasprintf(cause, "%s is locked by the audit policy %s", name,
		    AUDIT_POLICY_PATH);
		return (-1);
	}
	audit_policy_note(name, audit_command_file());
	if (audit_option_guarded(name) &&
	    !audit_client_is_owner(audit_cause_client())) {
		xasprintf(cause, "%s: only the server owner can change it",
		    name);
		return (-1);
	}
	if (unset)
		return (0);
	if (strcmp(name, "audit-log") == 0) {
		/*
		 * Turning the log on: the directory must be usable now. While
		 * the config is loading, a later line may still set the path:
		 * the log is opened (and checked) once it has been read.
		 */
		if (audit_is_holding())
			return (0);
		if (value == NULL)
			on = !options_get_number(global_options, name);
		else
			on = (strcmp(value, "on") == 0 ||
			    strcmp(value, "yes") == 0 || strcmp(value, "1") == 0);
		if (!on || audit_collector() != NULL)
			return (0);
		path = audit_expand_path(options_get_string(global_options,
		    "audit-log-path"));
		if (audit_dir_check(path, 1, &why) != 0) {
			*cause = why;
			free(path);
			return (-1);
		}
		free(path);
		return (0);
	}
	if (strcmp(name, "audit-log-syslog-target") == 0)
		return (audit_syslog_check(value == NULL ? "" : value, cause));
	if (strcmp(name, "audit-log-collector") == 0) {
		if (value == NULL || *value == '\0' || strcmp(value, "off") == 0)
			return (0);
		return (audit_collector_check(value, cause));
	}
	if (strcmp(name, "audit-log-path") != 0)
		return (0);
	if (value == NULL || *value == '\0') {
		*cause = xstrdup("audit-log-path: empty value");
		return (-1);
	}
	path = audit_expand_path(value);
	if (*path != '/') {
		xasprintf(cause, "audit-log-path %s: not an absolute path",
		    value);
		free(path);
		return (-1);
	}
	if (!audit_is_holding() &&
	    options_get_number(global_options, "audit-log") &&
	    audit_dir_check(path, 1, &why) != 0) {
		*cause = why;
		free(path);
		return (-1);
	}
	free(path);
	return (0);
}

/*
 * An option has changed, by whatever path (set-option, customize mode, a
 * hook, a key binding): put back a change the policy or the owner-only
 * rule forbids, log it, and start or stop the log.
 */
void
audit_option_changed(const char *name)
{
	const char	*kept;
	size_t		 start;
	int		 on, restart;
	char		*why, *tried;

	if ((why = audit_option_guard(name, &tried, &kept)) != NULL) {
		audit_warn(why);
		audit_option_refused(name, tried, kept, why);
		free(tried);
		free(why);
		return;
	}
	if (strncmp(name, "audit-log", 9) == 0)
		audit_read_options();
	if (strcmp(name, "server-access-owner-only") == 0 &&
	    options_get_number(global_options, name))
		audit_kick_others("access not allowed");
	if (audit_is_holding()) {
		audit_option_logged(name);
		return;
	}
	restart = (strcmp(name, "audit-log") == 0 ||
	    strcmp(name, "audit-log-path") == 0 ||
	    strcmp(name, "audit-log-collector") == 0);
	on = options_get_number(global_options, "audit-log");

	if (!restart || (audit_is_on() && on &&
	    strcmp(name, "audit-log") == 0)) {
		audit_option_logged(name);
		return;
	}

	if (audit_is_on()) {
		audit_option_logged(name);
		start = audit_begin(AUDIT_LOG_STOP);
		audit_rec_str(&audit_pending, AUDIT_F_REASON, !on ?
		    "audit-log off" : (strcmp(name, "audit-log-path") == 0 ?
		    "audit-log-path changed" : "audit-log-collector changed"));
		audit_end(start);
		audit_close();
		if (!on)
			return;
	}
	if (!on) {
		audit_option_logged(name);
		return;
	}

	audit_set_state(AUDIT_HOLD);
	start = audit_begin(AUDIT_LOG_START);
	audit_add_server(&audit_pending);
	audit_rec_uint(&audit_pending, AUDIT_F_DROPPED, audit_dropped);
	audit_end(start);
	audit_open();
	audit_option_logged(name);
}

/* Called every pass of the server loop. */
void
audit_loop(void)
{
	static int	killed;

	if (audit_is_on()) {
		audit_store_loop();
		audit_syslog_flush();
	}
	if (audit_refused != NULL && TAILQ_EMPTY(&clients) && !killed) {
		killed = 1;
		kill(getpid(), SIGTERM);
	}
}
