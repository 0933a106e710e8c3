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
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The life of sessions, windows and panes (created, resized, exited,
 * closed, renamed), what goes into panes (through audit-input.c) and the
 * command lines run in them (audit-shell.c), the keys clients type into
 * them, and paste buffers, copies and pipe-pane.
 */

/* Pane processes, to log their exit after the pane is gone. */
struct audit_child {
	pid_t			 pid;
	u_int			 pane;
	RB_ENTRY(audit_child)	 entry;
};
RB_HEAD(audit_children, audit_child);
static int	audit_child_cmp(struct audit_child *, struct audit_child *);
RB_GENERATE_STATIC(audit_children, audit_child, entry, audit_child_cmp);
static struct audit_children	audit_children = RB_INITIALIZER(&audit_children);

static int
audit_child_cmp(struct audit_child *a, struct audit_child *b)
{
	if (a->pid < b->pid)
		return (-1);
	return (a->pid > b->pid);
}

/* Add the pane and the window it is in. */
static void
audit_add_pane(struct audit_buf *b, struct window_pane *wp)
{
	audit_rec_uint(b, AUDIT_F_PANE, wp->id);
	if (wp->window != NULL)
		audit_rec_uint(b, AUDIT_F_WINDOW, wp->window->id);
}

/* Add the session a pane's window is in: the one linked first. */
static void
audit_add_pane_session(struct audit_buf *b, struct window_pane *wp)
{
	struct winlink	*wl;

	if (wp->window == NULL)
		return;
	wl = TAILQ_FIRST(&wp->window->winlinks);
	if (wl == NULL || wl->session == NULL)
		return;
	audit_rec_str(b, AUDIT_F_SESSION, wl->session->name);
	audit_rec_uint(b, AUDIT_F_SESSION_ID, wl->session->id);
}

/* The pane (window, session) input went to. */
static void
audit_pane_ident(struct audit_buf *b, void *arg)
{
	struct window_pane	*wp = arg;

	audit_add_pane(b, wp);
	audit_add_pane_session(b, wp);
}

/* Bytes have been added to a pane's output buffer: log them as input. */
static void
audit_pane_input_cb(struct evbuffer *evb, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct window_pane	*wp = arg;

	audit_input_added(evb, info, wp->fd, audit_pane_ident, wp);
	audit_shell_input(wp->audit, evb, info);
}

/*
 * A pane's bufferevent has been made (its process has been spawned or
 * respawned): watch what is written to it and the command lines run in it.
 */
void
audit_pane_event(struct window_pane *wp)
{
	evbuffer_add_cb(wp->event->output, audit_pane_input_cb, wp);
	audit_shell_free(wp->audit);
	wp->audit = audit_shell_create(wp, &wp->base, -1, audit_pane_ident,
	    wp);
}

/* Bytes read from a pane. */
void
audit_pane_output(struct window_pane *wp, const u_char *buf, size_t len)
{
	audit_output_read(AUDIT_F_PANE, wp->id, buf, len);
	audit_shell_output(wp->audit);
}

/* Bytes read from a pane have been parsed onto its screen. */
void
audit_pane_parsed(struct window_pane *wp)
{
	audit_shell_parsed(wp->audit);
}

/* A pane is being destroyed: the command lines in it end with it. */
void
audit_pane_destroyed(struct window_pane *wp)
{
	audit_shell_free(wp->audit);
	wp->audit = NULL;
}

/* A client typed a key (or used the mouse) into a pane. */
int
audit_pane_key(struct window_pane *wp, struct client *c, struct session *s,
    struct winlink *wl, key_code key, struct mouse_event *m)
{
	int	retval;

	audit_cause_push(KEYC_IS_MOUSE(key) ? "mouse" : "key", c, NULL);
	retval = window_pane_key(wp, c, s, wl, key, m);
	audit_cause_pop();
	return (retval);
}

/* A pane has been spawned or respawned. */
void
audit_pane_spawned(struct window_pane *wp, int respawn)
{
	struct audit_buf	*b = &audit_pending;
	struct audit_child	*ac, find;
	size_t			 start;
	int			 i;

	if (wp->pid > 0) {
		find.pid = wp->pid;
		if ((ac = RB_FIND(audit_children, &audit_children, &find)) ==
		    NULL) {
			ac = xcalloc(1, sizeof *ac);
			ac->pid = wp->pid;
			RB_INSERT(audit_children, &audit_children, ac);
		}
		ac->pane = wp->id;
	}
	if (!audit_active())
		return;

	start = audit_begin(AUDIT_PANE_CREATED);
	audit_add_pane(b, wp);
	audit_add_pane_session(b, wp);
	audit_add_cause(b);
	if (respawn)
		audit_rec_uint(b, AUDIT_F_RESPAWN, 1);
	if (wp->pid > 0)
		audit_rec_uint(b, AUDIT_F_PID, wp->pid);
	audit_rec_str(b, AUDIT_F_CWD, wp->cwd);
	if (wp->argc == 0)
		audit_rec_str(b, AUDIT_F_SHELL, wp->shell);
	for (i = 0; i < wp->argc; i++)
		audit_rec_str(b, AUDIT_F_ARGV, wp->argv[i]);
	audit_rec_uint(b, AUDIT_F_WIDTH, wp->sx);
	audit_rec_uint(b, AUDIT_F_HEIGHT, wp->sy);
	audit_end(start);
}

/* A pane has a new size. */
void
audit_pane_resized(struct window_pane *wp)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_PANE_RESIZED);
	audit_add_pane(b, wp);
	audit_rec_uint(b, AUDIT_F_WIDTH, wp->sx);
	audit_rec_uint(b, AUDIT_F_HEIGHT, wp->sy);
	audit_end(start);
}

/* Add how a process ended: its exit status, or the signal that killed it. */
void
audit_add_status(struct audit_buf *b, int status)
{
	if (WIFEXITED(status))
		audit_rec_uint(b, AUDIT_F_STATUS, WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		audit_rec_uint(b, AUDIT_F_SIGNAL, WTERMSIG(status));
		audit_rec_str(b, AUDIT_F_NAME, sigabbrev_np(WTERMSIG(status)));
	}
}

/* A child process has exited: if it was a pane's, log how. */
void
audit_child_exited(pid_t pid, int status)
{
	struct audit_buf	*b = &audit_pending;
	struct audit_child	*ac, find;
	size_t			 start;

	find.pid = pid;
	if ((ac = RB_FIND(audit_children, &audit_children, &find)) == NULL)
		return;
	RB_REMOVE(audit_children, &audit_children, ac);
	if (audit_active()) {
		start = audit_begin(AUDIT_PANE_EXITED);
		audit_rec_uint(b, AUDIT_F_PANE, ac->pane);
		audit_rec_uint(b, AUDIT_F_PID, pid);
		audit_add_status(b, status);
		audit_end(start);
	}
	free(ac);
}

/* A window has been created. */
void
audit_window_created(struct window *w)
{
	size_t	start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_WINDOW_CREATED);
	audit_rec_uint(&audit_pending, AUDIT_F_WINDOW, w->id);
	audit_rec_uint(&audit_pending, AUDIT_F_WIDTH, w->sx);
	audit_rec_uint(&audit_pending, AUDIT_F_HEIGHT, w->sy);
	audit_end(start);
}

/* A window has been destroyed. */
void
audit_window_closed(struct window *w)
{
	size_t	start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_WINDOW_CLOSED);
	audit_rec_uint(&audit_pending, AUDIT_F_WINDOW, w->id);
	audit_rec_str(&audit_pending, AUDIT_F_WINDOW_NAME, w->name);
	audit_end(start);
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

/* A session is about to be renamed. */
void
audit_session_renamed(struct session *s, const char *newname)
{
	size_t	start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_SESSION_RENAMED);
	audit_add_cause(&audit_pending);
	audit_rec_str(&audit_pending, AUDIT_F_SESSION, newname);
	audit_rec_uint(&audit_pending, AUDIT_F_SESSION_ID, s->id);
	audit_rec_str(&audit_pending, AUDIT_F_OLD_SESSION, s->name);
	audit_end(start);
}

/*
 * A paste buffer was set, changed or deleted. Its content is recorded
 * under the same rule as input (audit-log-input).
 */
void
audit_paste_changed(const char *name, int deleted)
{
	struct audit_buf	*b = &audit_pending;
	struct paste_buffer	*pb;
	const char		*data;
	size_t			 start, size;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_PASTE_BUFFER_CHANGED);
	audit_add_cause(b);
	audit_rec_str(b, AUDIT_F_NAME, name);
	if (deleted || (pb = paste_get_name(name)) == NULL)
		audit_rec_str(b, AUDIT_F_ACTION, "deleted");
	else {
		audit_rec_str(b, AUDIT_F_ACTION, "set");
		data = paste_buffer_data(pb, &size);
		audit_rec_uint(b, AUDIT_F_SIZE, size);
		if (audit_log_input) {
			if (size > AUDIT_DATA_CHUNK * 8)
				size = AUDIT_DATA_CHUNK * 8;
			audit_rec_bytes(b, AUDIT_F_DATA, data, size);
		}
	}
	audit_end(start);
}

/* Copy mode copied a selection to a buffer, the clipboard or a command. */
void
audit_copy(struct window_pane *wp, size_t size, const char *destination)
{
	size_t	start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_COPY);
	audit_add_pane(&audit_pending, wp);
	audit_add_cause(&audit_pending);
	audit_rec_uint(&audit_pending, AUDIT_F_SIZE, size);
	audit_rec_str(&audit_pending, AUDIT_F_DESTINATION, destination);
	audit_end(start);
}

/* pipe-pane started (with its command) or stopped (NULL). */
void
audit_pipe_pane(struct window_pane *wp, const char *command)
{
	size_t	start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_PIPE_PANE);
	audit_add_pane(&audit_pending, wp);
	audit_add_cause(&audit_pending);
	audit_rec_str(&audit_pending, AUDIT_F_ACTION,
	    command != NULL ? "start" : "stop");
	audit_rec_str(&audit_pending, AUDIT_F_COMMAND, command);
	audit_end(start);
}
