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
#include <sys/socket.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The audit log inside the server. Events are encoded straight into one
 * buffer as they happen and written out from the server loop.
 *
 * The configuration is loaded only after the first client has identified,
 * so the log starts in the HOLD state: records are kept in memory until the
 * audit-log option is known. If it is on they are written, so a server
 * started with auditing on in its config has its log from server-start; if
 * it is off they are thrown away and a later "set -s audit-log on" starts
 * the log with a log-start record that counts them.
 */

/* Records kept while the configuration is loading, at most. */
#define AUDIT_HOLD_MAX (1024 * 1024)

/* Unwritten records kept while the log cannot be written, at most. */
#define AUDIT_PENDING_MAX (64 * 1024 * 1024)

enum audit_state {
	AUDIT_OFF,
	AUDIT_HOLD,
	AUDIT_ON
};

static enum audit_state	 audit_state = AUDIT_OFF;
struct audit_buf	 audit_pending;
int			 audit_log_input = 1;
int			 audit_log_output = 1;
int			 audit_log_redact = 1;
int			 audit_log_syslog;
int			 audit_log_sync = 1;		/* seal */
long long		 audit_log_max_size = 67108864;
long long		 audit_log_max_age = 86400;
uint64_t		 audit_seq;
static uint64_t		 audit_dropped;

pid_t			 audit_pid = -1;
uint64_t		 audit_start;
u_char			 audit_run[16];
char			*audit_host;
char			*audit_user;
static u_int		 audit_next_client;

static int		 audit_in_config;
static char		*audit_refused;

static void	audit_open(void);
static void	audit_close(void);
static void	audit_read_options(void);
static void	audit_refuse(const char *);

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

/* Is the log holding records until the configuration is loaded? */
int
audit_is_holding(void)
{
	return (audit_state == AUDIT_HOLD);
}

/* Is the log open and writing? */
int
audit_is_on(void)
{
	return (audit_state == AUDIT_ON);
}

/* Is the log taking records? */
int
audit_active(void)
{
	return (audit_state != AUDIT_OFF);
}

/* Begin a record in the pending buffer; returns where it starts. */
size_t
audit_begin(u_int type)
{
	return (audit_rec_begin(&audit_pending, type, audit_seq++,
	    audit_now()));
}

/* Finish a record. While holding, drop it if the hold buffer is full. */
void
audit_end(size_t start)
{
	audit_rec_end(&audit_pending, start);
	if (audit_state == AUDIT_ON) {
		if (audit_store_drop(audit_pending.data + start,
		    audit_pending.len - start)) {
			audit_pending.len = start;
			audit_seq--;
			return;
		}
		audit_seal_count();
		audit_syslog_record(audit_pending.data + start,
		    audit_pending.len - start);
		if (audit_seal_due() && audit_store_open_file())
			audit_seal(0);
		return;
	}
	if (audit_state == AUDIT_HOLD && audit_pending.len > AUDIT_HOLD_MAX) {
		audit_pending.len = start;
		audit_seq--;
		audit_dropped++;
	}
}

/* The user name for a uid, or NULL. */
const char *
audit_user_name(uid_t uid)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) == NULL)
		return (NULL);
	return (pw->pw_name);
}

/* Add the fields that say which server this is. */
void
audit_add_server(struct audit_buf *b)
{
	audit_rec_uint(b, AUDIT_F_PID, audit_pid);
	audit_rec_uint(b, AUDIT_F_UID, getuid());
	audit_rec_str(b, AUDIT_F_USER, audit_user);
	audit_rec_str(b, AUDIT_F_HOST, audit_host);
	audit_rec_str(b, AUDIT_F_TMUX_VERSION, getversion());
	audit_rec_str(b, AUDIT_F_AUDIT_VERSION, AUDIT_VERSION);
	audit_rec_str(b, AUDIT_F_SOCKET, socket_path);
	audit_rec_uint(b, AUDIT_F_START_TIME, audit_start);
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

/* Report a problem with the log to the server's message log and clients. */
void
audit_warn(const char *msg)
{
	struct client	*c;

	log_debug("%s: %s", __func__, msg);
	server_add_message("%s", msg);
	TAILQ_FOREACH(c, &clients, entry) {
		if (c->session != NULL && (~c->flags & CLIENT_CONTROL))
			status_message_set(c, -1, 1, 0, "%s", msg);
	}
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
	int		 have;

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
		audit_end(start);
		free(copy);
		return (-1);
	}
	audit_rec_uint(&audit_pending, AUDIT_F_DIR_UID, dsb.st_uid);
	audit_rec_uint(&audit_pending, AUDIT_F_DIR_MODE, dsb.st_mode & 07777);
	if ((dsb.st_mode & (S_IWGRP|S_IWOTH)) && (~dsb.st_mode & S_ISVTX)) {
		xasprintf(cause, "audit log: socket directory %s is writable "
		    "by others (mode %04o)", dir, (u_int)(dsb.st_mode & 07777));
		audit_rec_str(&audit_pending, AUDIT_F_REASON, *cause);
		audit_end(start);
		free(copy);
		return (-1);
	}
	audit_end(start);
	free(copy);
	return (0);
}

/* Open the log: check the directory and create the first segment. */
static void
audit_open(void)
{
	const char	*value;
	char		*dir, *cause = NULL, *msg;

	if (audit_socket_check(&cause) != 0) {
		audit_warn(cause);
		if (audit_in_config)
			cfg_add_cause("%s", cause);
		audit_refuse(cause);
		free(cause);
		audit_state = AUDIT_OFF;
		audit_pending.len = 0;
		return;
	}

	value = options_get_string(global_options, "audit-log-path");
	dir = audit_expand_path(value);
	if (audit_dir_check(dir, 1, &cause) != 0)
		goto fail;
	value = options_get_string(global_options, "audit-log-key");
	if (audit_seal_run(audit_start, audit_run, value, &cause) != 0)
		goto fail;
	audit_syslog_pending();
	audit_state = AUDIT_ON;
	if (audit_store_open(dir, &cause) != 0) {
		if (options_get_number(global_options, "audit-log-fail")) {
			/* Fail closed: hold everything until it can open. */
			if (audit_in_config)
				cfg_add_cause("%s", cause);
			audit_store_open_later(dir, cause);
			free(cause);
			free(dir);
			return;
		}
		audit_state = AUDIT_HOLD;
		goto fail;
	}
	free(dir);
	return;

fail:
	free(dir);
	if (audit_policy_requires_log()) {
		/* The policy says no server runs without its log. */
		xasprintf(&msg, "%s (required by the audit policy %s)", cause,
		    AUDIT_POLICY_PATH);
		audit_warn(msg);
		audit_syslog_incident(msg);
		audit_refuse(msg);
		free(msg);
		free(cause);
		audit_state = AUDIT_OFF;
		audit_pending.len = 0;
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
	audit_state = AUDIT_OFF;
	audit_pending.len = 0;

	/* The option must not say the log is on when it is not. */
	options_set_number(global_options, "audit-log", 0);
	audit_option_save("audit-log");
}

/* Close the log with a final seal. */
static void
audit_close(void)
{
	if (audit_state == AUDIT_ON)
		audit_store_close();
	audit_state = AUDIT_OFF;
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
	char	 host[256];
	size_t	 start;

	if (sodium_init() < 0)
		fatalx("sodium_init failed");

	audit_pid = getpid();
	audit_start = audit_now();
	randombytes_buf(audit_run, sizeof audit_run);
	if (gethostname(host, sizeof host) != 0)
		strlcpy(host, "unknown", sizeof host);
	host[sizeof host - 1] = '\0';
	audit_host = xstrdup(host);
	if (audit_user_name(getuid()) != NULL)
		audit_user = xstrdup(audit_user_name(getuid()));
	else
		xasprintf(&audit_user, "%ld", (long)getuid());
	atexit(audit_atexit);
	audit_option_save_all();

	audit_state = AUDIT_HOLD;
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
	if (audit_state == AUDIT_HOLD)
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
	if (audit_state != AUDIT_HOLD)
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
	audit_dropped += audit_seq;
	audit_pending.len = 0;
	audit_state = AUDIT_OFF;
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
	if ((strncmp(name, "audit-log", 9) == 0 ||
	    strcmp(name, "server-access-owner-only") == 0) &&
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
		if (audit_state == AUDIT_HOLD)
			return (0);
		if (value == NULL)
			on = !options_get_number(global_options, name);
		else
			on = (strcmp(value, "on") == 0 ||
			    strcmp(value, "yes") == 0 || strcmp(value, "1") == 0);
		if (!on)
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
	if (audit_state != AUDIT_HOLD &&
	    options_get_number(global_options, "audit-log") &&
	    audit_dir_check(path, 1, &why) != 0) {
		*cause = why;
		free(path);
		return (-1);
	}
	free(path);
	return (0);
}

/* Read the options that change what is recorded. */
static void
audit_read_options(void)
{
	audit_log_input = options_get_number(global_options, "audit-log-input");
	audit_log_output = options_get_number(global_options,
	    "audit-log-output");
	audit_log_redact = options_get_number(global_options,
	    "audit-log-redact");
	audit_log_syslog = options_get_number(global_options,
	    "audit-log-syslog");
	audit_log_sync = options_get_number(global_options, "audit-log-sync");
	audit_log_max_size = options_get_number(global_options,
	    "audit-log-max-size");
	audit_log_max_age = options_get_number(global_options,
	    "audit-log-max-age");
}

/*
 * An option has changed, by whatever path (set-option, customize mode, a
 * hook, a key binding): put back a change the policy or the owner-only
 * rule forbids, log it, and start or stop the log.
 */
void
audit_option_changed(const char *name)
{
	size_t	 start;
	int	 on, restart;

	if (audit_option_guard(name))
		return;
	if (strncmp(name, "audit-log", 9) == 0)
		audit_read_options();
	if (strcmp(name, "server-access-owner-only") == 0 &&
	    options_get_number(global_options, name))
		audit_kick_others("access not allowed");
	if (audit_state == AUDIT_HOLD) {
		audit_option_logged(name);
		return;
	}
	restart = (strcmp(name, "audit-log") == 0 ||
	    strcmp(name, "audit-log-path") == 0);
	on = options_get_number(global_options, "audit-log");

	if (!restart || (audit_state == AUDIT_ON && on &&
	    strcmp(name, "audit-log") == 0)) {
		audit_option_logged(name);
		return;
	}

	if (audit_state == AUDIT_ON) {
		audit_option_logged(name);
		start = audit_begin(AUDIT_LOG_STOP);
		audit_rec_str(&audit_pending, AUDIT_F_REASON, on ?
		    "audit-log-path changed" : "audit-log off");
		audit_end(start);
		audit_close();
		if (!on)
			return;
	}
	if (!on) {
		audit_option_logged(name);
		return;
	}

	audit_state = AUDIT_HOLD;
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

	if (audit_state == AUDIT_ON) {
		audit_store_loop();
		audit_syslog_flush();
	}
	if (audit_refused != NULL && TAILQ_EMPTY(&clients) && !killed) {
		killed = 1;
		kill(getpid(), SIGTERM);
	}
}

/* Read a number from /proc/PID/NAME; -1 if absent or unset. */
static long long
audit_proc_number(pid_t pid, const char *name)
{
	char		 path[64], buf[32];
	FILE		*f;
	long long	 n;
	char		*end;

	snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, name);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	if (fgets(buf, sizeof buf, f) == NULL) {
		fclose(f);
		return (-1);
	}
	fclose(f);
	errno = 0;
	n = strtoll(buf, &end, 10);
	if (errno != 0 || end == buf || n < 0 || n == 4294967295LL)
		return (-1);
	return (n);
}

/* Add the fields that say who a client is. */
void
audit_add_client(struct audit_buf *b, struct client *c)
{
	struct audit_client	*ac = c->audit;

	if (ac == NULL) {
		audit_rec_str(b, AUDIT_F_CLIENT, c->name);
		return;
	}
	audit_rec_uint(b, AUDIT_F_CLIENT_ID, ac->id);
	audit_rec_str(b, AUDIT_F_CLIENT, c->name);
	if (ac->creds) {
		audit_rec_uint(b, AUDIT_F_UID, ac->uid);
		audit_rec_uint(b, AUDIT_F_GID, ac->gid);
		audit_rec_uint(b, AUDIT_F_PID, ac->pid);
		audit_rec_str(b, AUDIT_F_USER, ac->user);
	}
}

/* A client has connected: take its credentials from the kernel. */
void
audit_client_create(struct client *c, int fd)
{
	struct audit_client	*ac;
#ifdef SO_PEERCRED
	struct ucred		 uc;
	socklen_t		 len = sizeof uc;
#endif

	if (audit_pid == -1)
		return;		/* not in the server */
	ac = c->audit = xcalloc(1, sizeof *ac);
	ac->id = audit_next_client++;
#ifdef SO_PEERCRED
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0) {
		ac->creds = 1;
		ac->uid = uc.uid;
		ac->gid = uc.gid;
		ac->pid = uc.pid;
	}
#else
	if (getpeereid(fd, &ac->uid, &ac->gid) == 0) {
		ac->creds = 1;
		ac->pid = -1;
	}
#endif
	if (!ac->creds)
		log_debug("%s: no peer credentials: %s", __func__,
		    strerror(errno));
	else if (audit_user_name(ac->uid) != NULL)
		ac->user = xstrdup(audit_user_name(ac->uid));
}

/* The ACL refused a client. */
void
audit_client_denied(struct client *c)
{
	struct audit_client	*ac = c->audit;
	size_t			 start;

	if (ac == NULL)
		return;
	ac->denied = 1;
	if (!audit_active())
		return;
	start = audit_begin(AUDIT_ACCESS_DENIED);
	audit_add_client(&audit_pending, c);
	audit_rec_str(&audit_pending, AUDIT_F_REASON, ac->deny_reason != NULL ?
	    ac->deny_reason : "access not allowed");
	audit_end(start);
	if (ac->deny_reason != NULL) {
		free(c->exit_message);
		c->exit_message = xstrdup(ac->deny_reason);
	}
}

/* The client environment variables recorded as claimed. */
static const char *audit_claimed[] = {
	"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "SUDO_USER", "SUDO_UID",
	"USER", "LOGNAME", "DISPLAY", "TMUX"
};

/* A client has sent its identity. */
void
audit_client_identified(struct client *c)
{
	struct audit_client	*ac = c->audit;
	struct environ_entry	*envent;
	struct audit_buf	*b = &audit_pending;
	size_t			 start;
	long long		 n;
	u_int			 i;
	char			*s;

	if (ac == NULL || ac->denied || !audit_active())
		return;
	ac->connected = 1;

	start = audit_begin(AUDIT_CLIENT_CONNECT);
	audit_add_client(b, c);
	if (ac->creds) {
		if ((n = audit_proc_number(ac->pid, "loginuid")) != -1)
			audit_rec_uint(b, AUDIT_F_LOGINUID, n);
		if ((n = audit_proc_number(ac->pid, "sessionid")) != -1)
			audit_rec_uint(b, AUDIT_F_AUDITSESSION, n);
	}
	if (c->ttyname != NULL && *c->ttyname != '\0')
		audit_rec_str(b, AUDIT_F_TTY, c->ttyname);
	audit_rec_str(b, AUDIT_F_TERM, c->term_name);
	audit_rec_str(b, AUDIT_F_CWD, c->cwd);
	audit_rec_str(b, AUDIT_F_CLIENT_FLAGS, server_client_get_flags(c));
	for (i = 0; i < nitems(audit_claimed); i++) {
		envent = environ_find(c->environ, audit_claimed[i]);
		if (envent == NULL || envent->value == NULL)
			continue;
		xasprintf(&s, "%s=%s", envent->name, envent->value);
		audit_rec_str(b, AUDIT_F_CLAIMED, s);
		free(s);
	}
	audit_end(start);
}

/* Why a client is leaving its session. */
static const char *
audit_detach_reason(struct client *c)
{
	if (c->flags & CLIENT_EXIT) {
		switch (c->exit_type) {
		case CLIENT_EXIT_DETACH:
			if (c->exit_msgtype == MSG_DETACHKILL)
				return ("detach-kill");
			return ("detach");
		case CLIENT_EXIT_SHUTDOWN:
			return ("server-exit");
		case CLIENT_EXIT_RETURN:
			break;
		}
	}
	if (c->session == NULL)
		return ("session-destroyed");
	if (c->flags & CLIENT_EXIT)
		return ("exit");
	return ("client-exit");
}

/* Write a client-detached record and forget the session. */
static void
audit_client_detached(struct client *c, const char *reason)
{
	struct audit_client	*ac = c->audit;
	size_t			 start;

	if (audit_active()) {
		start = audit_begin(AUDIT_CLIENT_DETACHED);
		audit_add_client(&audit_pending, c);
		audit_rec_str(&audit_pending, AUDIT_F_SESSION, ac->session);
		audit_rec_uint(&audit_pending, AUDIT_F_SESSION_ID,
		    ac->session_id);
		audit_rec_str(&audit_pending, AUDIT_F_REASON, reason);
		audit_end(start);
	}
	free(ac->session);
	ac->session = NULL;
}

/*
 * A client's session is about to change. The client remembers its session
 * here, because c->session is cleared before this is called when a session
 * is destroyed.
 */
void
audit_client_set_session(struct client *c, struct session *s)
{
	struct audit_client	*ac = c->audit;
	size_t			 start;
	u_int			 type;

	if (ac == NULL)
		return;
	if (s == NULL) {
		if (ac->session != NULL)
			audit_client_detached(c, audit_detach_reason(c));
		return;
	}
	if (ac->session != NULL && ac->session_id == s->id &&
	    strcmp(ac->session, s->name) == 0)
		return;

	if (audit_active()) {
		if (ac->session == NULL)
			type = AUDIT_CLIENT_ATTACHED;
		else
			type = AUDIT_CLIENT_SESSION_CHANGED;
		start = audit_begin(type);
		audit_add_client(&audit_pending, c);
		audit_rec_str(&audit_pending, AUDIT_F_SESSION, s->name);
		audit_rec_uint(&audit_pending, AUDIT_F_SESSION_ID, s->id);
		audit_rec_str(&audit_pending, AUDIT_F_OLD_SESSION, ac->session);
		audit_end(start);
		if (type == AUDIT_CLIENT_ATTACHED)
			audit_guest_seal(c);
	}
	free(ac->session);
	ac->session = xstrdup(s->name);
	ac->session_id = s->id;
}

/* A client has gone. */
void
audit_client_lost(struct client *c)
{
	struct audit_client	*ac = c->audit;
	const char		*reason;
	size_t			 start;

	if (ac == NULL)
		return;
	if (ac->session != NULL)
		audit_client_detached(c, "connection-closed");
	if (audit_active() && !ac->denied) {
		if (!ac->connected)
			reason = "lost-before-identify";
		else if (c->flags & CLIENT_EXIT) {
			switch (c->exit_type) {
			case CLIENT_EXIT_SHUTDOWN:
				reason = "server-exit";
				break;
			case CLIENT_EXIT_DETACH:
				reason = "detached";
				break;
			default:
				reason = "exit";
				break;
			}
		} else
			reason = "connection-closed";
		start = audit_begin(AUDIT_CLIENT_DISCONNECT);
		audit_add_client(&audit_pending, c);
		audit_rec_str(&audit_pending, AUDIT_F_REASON, reason);
		audit_end(start);
	}
	free(ac->session);
	free(ac->user);
	free(ac);
	c->audit = NULL;
}

/* A session has been created. */
void
audit_session_created(struct session *s)
{
	size_t	start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_SESSION_CREATED);
	audit_rec_str(&audit_pending, AUDIT_F_SESSION, s->name);
	audit_rec_uint(&audit_pending, AUDIT_F_SESSION_ID, s->id);
	audit_rec_str(&audit_pending, AUDIT_F_CWD, s->cwd);
	audit_end(start);
}

/* A session has been destroyed. */
void
audit_session_closed(struct session *s)
{
	size_t	start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_SESSION_CLOSED);
	audit_rec_str(&audit_pending, AUDIT_F_SESSION, s->name);
	audit_rec_uint(&audit_pending, AUDIT_F_SESSION_ID, s->id);
	audit_end(start);
}
