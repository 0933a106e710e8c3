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

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The bottom of the audit log in the server: its state, the buffer records
 * are encoded into, and what every record says about the server and its
 * clients. Everything else calls down to here; nothing here calls up.
 *
 * The write path runs one way: the hooks in upstream code call the
 * producers (audit-server.c, audit-client.c, audit-command.c,
 * audit-pane.c, audit-popup.c), which begin a record here, add fields
 * (audit-record.c) and end it in the store (audit-store.c), the one place
 * records end up; the store seals (audit-seal.c) and hands records to the
 * writer thread (audit-writer.c), which chains them (audit-chain.c) and
 * writes them.
 *
 * The configuration is loaded only after the first client has identified,
 * so the log starts in the HOLD state: records are kept in memory until the
 * audit-log option is known. If it is on they are written, so a server
 * started with auditing on in its config has its log from server-start; if
 * it is off they are thrown away and a later "set -s audit-log on" starts
 * the log with a log-start record that counts them.
 */

static enum audit_state	 audit_state = AUDIT_OFF;
struct audit_buf	 audit_pending;
struct audit_view	 audit_pending_view;
uint64_t		 audit_seq;
uint64_t		 audit_dropped;

int			 audit_log_commands = 1;
int			 audit_log_input = 1;
int			 audit_log_output = 1;
int			 audit_log_redact = 1;
int			 audit_log_syslog;
int			 audit_log_sync = 1;		/* seal */
long long		 audit_log_max_size = 67108864;
long long		 audit_log_max_age = 86400;

pid_t			 audit_pid = -1;
uint64_t		 audit_start;
u_char			 audit_run[16];
char			*audit_host;
char			*audit_user;

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

/* Change the state (audit-server.c decides). */
void
audit_set_state(enum audit_state state)
{
	audit_state = state;
}

/* Who this server is: set once, as it starts. */
void
audit_identity(void)
{
	char	host[256];

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
	audit_rec_view(&audit_pending, &audit_pending_view);
}

/* Read the options that change what is recorded. */
void
audit_read_options(void)
{
	audit_log_commands = options_get_number(global_options,
	    "audit-log-commands");
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
 * Begin a record in the pending buffer; returns where it starts. The
 * record is finished with audit_end (audit-store.c).
 */
size_t
audit_begin(u_int type)
{
	return (audit_rec_begin(&audit_pending, type, audit_seq++,
	    audit_now()));
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
