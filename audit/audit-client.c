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

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The life of a client: who it is (the credentials the kernel gives for
 * its socket, taken when it connects, and what it claims when it
 * identifies), when it is refused, attaches, moves between sessions,
 * detaches and goes. An attach of a client that is not the owner is sealed
 * at once (audit_guest_seal).
 */

static u_int	 audit_next_client;

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

/*
 * A message from the client broke the protocol and the client is being
 * dropped: its client-disconnect says so, and why (the first reason).
 */
void
audit_client_bad_message(struct client *c, const char *why)
{
	struct audit_client	*ac = c->audit;

	if (ac != NULL && ac->bad_message == NULL)
		ac->bad_message = xstrdup(why);
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
		if (ac->bad_message != NULL)
			reason = "protocol-error";
		else if (!ac->connected)
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
		if (ac->bad_message != NULL) {
			audit_rec_str(&audit_pending, AUDIT_F_ERROR,
			    ac->bad_message);
		}
		audit_end(start);
	}
	free(ac->bad_message);
	free(ac->session);
	free(ac->user);
	free(ac);
	c->audit = NULL;
}
