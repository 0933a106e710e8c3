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

#ifndef AUDIT_H
#define AUDIT_H

/*
 * The audit subsystem. tmux.h includes this file; the hooks below are the
 * only entry points upstream code calls. Everything else is private to
 * audit/ and declared in audit-int.h.
 */

/* Fork version and on-disk format version (see audit/FORMAT.md). */
#define AUDIT_VERSION "0.1.0"
#define AUDIT_FORMAT 1

struct audit_client;
struct client;
struct session;
struct cmdq_item;

/* Server lifecycle. */
void	audit_server_start(void);
void	audit_server_stop(void);
void	audit_config_done(void);
int	audit_option_check(const char *, int, const char *, char **);
void	audit_option_changed(const char *);
void	audit_loop(void);

/* Clients. */
void	audit_client_create(struct client *, int);
void	audit_client_identified(struct client *);
void	audit_client_denied(struct client *);
void	audit_client_set_session(struct client *, struct session *);
void	audit_client_lost(struct client *);

/* Sessions. */
void	audit_session_created(struct session *);
void	audit_session_closed(struct session *);

/* show-audit outside the server (-d, -v); returns -1 if not for us. */
int	audit_client_main(int, char **);

#endif /* AUDIT_H */
