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

#include <stdlib.h>
#include <string.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Popups (display-popup): a command on a terminal of its own, shown over a
 * client, that can be typed into like a pane. They are logged like panes,
 * with a popup number (from 1 in each server run) instead of a pane id:
 * popup-opened, input and output records with "popup", pane-resized with
 * "popup" when its size changes, and popup-closed.
 *
 * popup.c's popup_data is private to it, so popups are known here by the
 * address of theirs.
 */

struct audit_popup {
	const void			*pd;
	u_int				 id;
	struct bufferevent		*event;
	struct evbuffer_cb_entry	*cb;
	struct audit_shell		*shell;
	struct session			*s;
	u_int				 sx;
	u_int				 sy;
	TAILQ_ENTRY(audit_popup)	 entry;
};
static TAILQ_HEAD(, audit_popup) audit_popups =
    TAILQ_HEAD_INITIALIZER(audit_popups);
static u_int	audit_next_popup = 1;

static struct audit_popup *
audit_popup_find(const void *pd)
{
	struct audit_popup	*ap;

	TAILQ_FOREACH(ap, &audit_popups, entry) {
		if (ap->pd == pd)
			return (ap);
	}
	return (NULL);
}

/* The popup (and session) input went to. */
static void
audit_popup_ident(struct audit_buf *b, void *arg)
{
	struct audit_popup	*ap = arg;

	audit_rec_uint(b, AUDIT_F_POPUP, ap->id);
	if (ap->s != NULL && session_alive(ap->s)) {
		audit_rec_str(b, AUDIT_F_SESSION, ap->s->name);
		audit_rec_uint(b, AUDIT_F_SESSION_ID, ap->s->id);
	}
}

/* Bytes have been added to a popup's output buffer: log them as input. */
static void
audit_popup_input_cb(struct evbuffer *evb,
    const struct evbuffer_cb_info *info, void *arg)
{
	struct audit_popup	*ap = arg;

	audit_input_added(evb, info, bufferevent_getfd(ap->event),
	    audit_popup_ident, ap);
	audit_shell_input(ap->shell, evb, info);
}

/*
 * A popup has been opened on client c, running a command on a terminal
 * whose output is parsed into screen.
 */
void
audit_popup_opened(const void *pd, struct client *c, struct session *s,
    struct screen *screen, struct bufferevent *event, const char *shellcmd,
    int argc, char **argv, const char *cwd, u_int sx, u_int sy)
{
	struct audit_buf	*b = &audit_pending;
	struct audit_popup	*ap;
	size_t			 start;
	int			 i;

	if (audit_pid == -1)
		return;		/* not in the server */
	ap = xcalloc(1, sizeof *ap);
	ap->pd = pd;
	ap->id = audit_next_popup++;
	ap->event = event;
	ap->s = (s != NULL) ? s : c->session;
	ap->sx = sx;
	ap->sy = sy;
	ap->cb = evbuffer_add_cb(event->output, audit_popup_input_cb, ap);
	ap->shell = audit_shell_create(NULL, screen, bufferevent_getfd(event),
	    audit_popup_ident, ap);
	TAILQ_INSERT_TAIL(&audit_popups, ap, entry);

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_POPUP_OPENED);
	audit_popup_ident(b, ap);
	audit_add_cause(b);
	audit_add_client(b, c);
	if (cwd != NULL)
		audit_rec_str(b, AUDIT_F_CWD, cwd);
	/* As job_run: a shell command if there is one, or else argv. */
	if (shellcmd != NULL)
		audit_rec_str(b, AUDIT_F_COMMAND, shellcmd);
	else {
		for (i = 0; i < argc; i++)
			audit_rec_str(b, AUDIT_F_ARGV, argv[i]);
	}
	audit_rec_uint(b, AUDIT_F_WIDTH, sx);
	audit_rec_uint(b, AUDIT_F_HEIGHT, sy);
	audit_end(start);
}

/* Bytes read from a popup. Until the matching pop, replies are the cause. */
void
audit_popup_output(const void *pd, const u_char *buf, size_t len)
{
	struct audit_popup	*ap = audit_popup_find(pd);

	if (ap == NULL) {
		audit_cause_push("reply", NULL, NULL);
		return;
	}
	audit_output_read(AUDIT_F_POPUP, ap->id, buf, len);
	audit_shell_output(ap->shell);
}

/* Bytes read from a popup have been parsed onto its screen. */
void
audit_popup_parsed(const void *pd)
{
	struct audit_popup	*ap = audit_popup_find(pd);

	if (ap != NULL)
		audit_shell_parsed(ap->shell);
}

/* A popup has a new size. */
void
audit_popup_resized(const void *pd, u_int sx, u_int sy)
{
	struct audit_buf	*b = &audit_pending;
	struct audit_popup	*ap = audit_popup_find(pd);
	size_t			 start;

	if (ap == NULL || (sx == ap->sx && sy == ap->sy))
		return;
	ap->sx = sx;
	ap->sy = sy;
	if (!audit_active())
		return;
	start = audit_begin(AUDIT_PANE_RESIZED);
	audit_rec_uint(b, AUDIT_F_POPUP, ap->id);
	audit_rec_uint(b, AUDIT_F_WIDTH, sx);
	audit_rec_uint(b, AUDIT_F_HEIGHT, sy);
	audit_end(start);
}

/* Stop watching a popup's terminal: it is gone or has become a pane. */
static void
audit_popup_unwatch(struct audit_popup *ap)
{
	if (ap->cb != NULL) {
		evbuffer_remove_cb_entry(ap->event->output, ap->cb);
		ap->cb = NULL;
	}
}

/* A popup's command has exited with status. */
void
audit_popup_exited(const void *pd, int status)
{
	struct audit_buf	*b = &audit_pending;
	struct audit_popup	*ap = audit_popup_find(pd);
	size_t			 start;

	if (ap == NULL)
		return;
	audit_popup_unwatch(ap);
	audit_shell_free(ap->shell);
	ap->shell = NULL;
	if (!audit_active())
		return;
	start = audit_begin(AUDIT_POPUP_CLOSED);
	audit_rec_uint(b, AUDIT_F_POPUP, ap->id);
	audit_rec_str(b, AUDIT_F_ACTION, "exited");
	audit_add_status(b, status);
	audit_end(start);
	ap->event = NULL;
}

/*
 * A popup has been closed (its command is killed if it is still running),
 * or its command has been moved into a new pane (wp): then the popup's
 * bufferevent, with the callback on it, is already gone.
 */
static void
audit_popup_end(const void *pd, struct window_pane *wp)
{
	struct audit_buf	*b = &audit_pending;
	struct audit_popup	*ap = audit_popup_find(pd);
	size_t			 start;

	if (ap == NULL)
		return;
	TAILQ_REMOVE(&audit_popups, ap, entry);
	audit_shell_free(ap->shell);
	if (ap->event != NULL) {
		/* Moved to a pane: job_transfer has freed the bufferevent. */
		if (wp == NULL)
			audit_popup_unwatch(ap);
		if (audit_active()) {
			start = audit_begin(AUDIT_POPUP_CLOSED);
			audit_rec_uint(b, AUDIT_F_POPUP, ap->id);
			audit_add_cause(b);
			if (wp != NULL) {
				audit_rec_str(b, AUDIT_F_ACTION, "to-pane");
				audit_rec_uint(b, AUDIT_F_PANE, wp->id);
			} else
				audit_rec_str(b, AUDIT_F_ACTION, "closed");
			audit_end(start);
		}
	}
	free(ap);
}

/* A popup is being freed. */
void
audit_popup_closed(const void *pd)
{
	audit_popup_end(pd, NULL);
}

/* A popup's command now runs in a new pane. */
void
audit_popup_moved(const void *pd, struct window_pane *wp)
{
	audit_popup_end(pd, wp);
	audit_pane_spawned(wp, 0);
}

/* A client pressed a key in an overlay (a popup or a menu). */
int
audit_overlay_key(struct client *c, struct key_event *event)
{
	int	retval;

	audit_cause_push(KEYC_IS_MOUSE(event->key) ? "mouse" : "key", c, NULL);
	retval = c->overlay_key(c, c->overlay_data, event);
	audit_cause_pop();
	return (retval);
}
