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
#define AUDIT_VERSION "0.2.0"
#define AUDIT_FORMAT 1

struct audit_client;
struct client;
struct session;
struct cmd;
struct cmd_list;
struct cmdq_item;
struct options;
struct window;
struct window_pane;
struct winlink;
struct mouse_event;
struct bufferevent;
struct key_event;
struct key_binding;
struct screen;
struct audit_shell;

/* Server lifecycle. */
void	audit_server_start(void);
void	audit_server_stop(void);
void	audit_config_done(void);
void	audit_policy_load(struct client *, int);
int	audit_option_check(struct options *, const char *, int, const char *,
	    char **);
void	audit_option_changed(const char *);
void	audit_loop(void);

/* Clients. */
void	audit_client_create(struct client *, int);
void	audit_client_identified(struct client *);
void	audit_client_denied(struct client *);
int	audit_client_may_join(struct client *);
int	audit_access_forbidden(struct cmdq_item *, uid_t);
void	audit_client_set_session(struct client *, struct session *);
void	audit_client_lost(struct client *);
void	audit_client_bad_message(struct client *, const char *);

/* Commands and what causes input. */
int	audit_command_begin(struct cmdq_item *, struct client *, struct cmd *);
void	audit_command_end(struct cmdq_item *, struct client *, struct cmd *,
	    enum cmd_retval);
void	audit_command_error(struct cmdq_item *, const char *);
void	audit_command_refused_list(struct client *, struct cmd_list *,
	    const char *);
void	audit_command_refused_argv(struct client *, int, char **,
	    const char *);
void	audit_command_refused_line(struct client *, const char *,
	    const char *);
void	audit_cause_push(const char *, struct client *, const char *);
void	audit_cause_push_derived(const char *);
void	audit_cause_pop(void);
void	audit_access_changed(uid_t, const char *);

/* The read-only rule. */
int	audit_readonly_refused(struct cmdq_item *, struct client *,
	    struct cmd *);
void	audit_readonly_key(struct client *, struct key_binding *,
	    struct key_event *);
int	audit_format_jobs_refused(void);

/* Sessions, windows and panes. */
void	audit_session_created(struct session *);
void	audit_session_closed(struct session *);
void	audit_session_renamed(struct session *, const char *);
void	audit_window_created(struct window *);
void	audit_window_closed(struct window *);
void	audit_pane_event(struct window_pane *);
int	audit_pane_hold(struct window_pane *);
void	audit_pane_spawned(struct window_pane *, int);
void	audit_pane_resized(struct window_pane *);
void	audit_pane_output(struct window_pane *, const u_char *, size_t);
void	audit_pane_parsed(struct window_pane *);
void	audit_pane_destroyed(struct window_pane *);
int	audit_pane_key(struct window_pane *, struct client *, struct session *,
	    struct winlink *, key_code, struct mouse_event *);
void	audit_child_exited(pid_t, int);
void	audit_popup_opened(const void *, struct client *, struct session *,
	    struct screen *, struct bufferevent *, const char *, int, char **,
	    const char *, u_int, u_int);
void	audit_popup_output(const void *, const u_char *, size_t);
void	audit_popup_parsed(const void *);
void	audit_popup_resized(const void *, u_int, u_int);
void	audit_popup_exited(const void *, int);
void	audit_popup_closed(const void *);
void	audit_popup_moved(const void *, struct window_pane *);
int	audit_overlay_key(struct client *, struct key_event *);
void	audit_paste_changed(const char *, int);
void	audit_copy(struct window_pane *, size_t, const char *);
void	audit_pipe_pane(struct window_pane *, const char *);

/* Command lines run in panes and popups: the shell's marks. */
void	audit_osc_133(struct window_pane *, struct screen *, const char *);
void	audit_osc_7(struct window_pane *, struct screen *, const char *);

/* show-audit outside the server (-d, -v); returns -1 if not for us. */
int	audit_client_main(int, char **);

#endif /* AUDIT_H */
