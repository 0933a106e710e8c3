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
 * show-audit -t and -P: what a target names (a pane, a window, a session,
 * or a popup), and whether a record belongs to it. Records of a pane do
 * not all carry its window and session, so the pane-created and
 * popup-opened records (and session names) seen so far are remembered.
 */

/* Remember which window and session each pane was created in. */
void
audit_target_track(struct audit_target *t, const struct audit_record *r)
{
	struct audit_target_pane	**list, *sp;
	uint64_t		  pane, window, session;
	u_int			 *n, tag;
	char			 *name;

	if ((r->type == AUDIT_SESSION_CREATED ||
	    r->type == AUDIT_SESSION_RENAMED) &&
	    audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &session) == 0 &&
	    session < 1000000 &&
	    (name = audit_rec_get_str(r, AUDIT_F_SESSION)) != NULL) {
		if (session >= t->nsnames) {
			t->snames = xrecallocarray(t->snames, t->nsnames,
			    session + 1, sizeof *t->snames);
			t->nsnames = session + 1;
		}
		free(t->snames[session]);
		t->snames[session] = name;
	}
	if (r->type == AUDIT_PANE_CREATED) {
		tag = AUDIT_F_PANE;
		list = &t->panes;
		n = &t->npanes;
	} else if (r->type == AUDIT_POPUP_OPENED) {
		tag = AUDIT_F_POPUP;
		list = &t->popups;
		n = &t->npopups;
	} else
		return;
	if (audit_rec_get_uint(r, tag, &pane) != 0 || pane > 1000000)
		return;
	if (pane >= *n) {
		*list = xrecallocarray(*list, *n, pane + 1, sizeof **list);
		*n = pane + 1;
	}
	sp = &(*list)[pane];
	sp->known = 1;
	if (audit_rec_get_uint(r, AUDIT_F_WINDOW, &window) == 0)
		sp->window = window;
	if (audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &session) == 0)
		sp->session = session;
}

/* Does a record belong to the -t target? */
int
audit_target_match(struct audit_target *t, const struct audit_record *r)
{
	struct audit_target_pane	*sp = NULL;
	uint64_t		 v;
	char			*name;
	int			 match;

	if (t->ttype == AUDIT_T_POPUP)
		return (audit_rec_get_uint(r, AUDIT_F_POPUP, &v) == 0 &&
		    v == t->tid);
	if (audit_rec_get_uint(r, AUDIT_F_POPUP, &v) == 0) {
		/*
		 * A popup is in no window: only its session matches, or the
		 * pane its command was moved to (popup-closed, to-pane).
		 */
		if (t->ttype == AUDIT_T_PANE)
			return (audit_rec_get_uint(r, AUDIT_F_PANE, &v) == 0 &&
			    v == t->tid);
		if (t->ttype == AUDIT_T_WINDOW)
			return (0);
		if (v < t->npopups && t->popups[v].known)
			sp = &t->popups[v];
	} else if (audit_rec_get_uint(r, AUDIT_F_PANE, &v) == 0) {
		if (t->ttype == AUDIT_T_PANE)
			return (v == t->tid);
		if (v < t->npanes && t->panes[v].known)
			sp = &t->panes[v];
	}
	switch (t->ttype) {
	case AUDIT_T_NONE:
		return (1);
	case AUDIT_T_PANE:
	case AUDIT_T_POPUP:
		return (0);
	case AUDIT_T_WINDOW:
		if (audit_rec_get_uint(r, AUDIT_F_WINDOW, &v) == 0)
			return (v == t->tid);
		return (sp != NULL && sp->window == t->tid);
	case AUDIT_T_SESSION:
		if (t->tname != NULL) {
			name = audit_rec_get_str(r, AUDIT_F_SESSION);
			if (name == NULL && sp != NULL &&
			    sp->session < t->nsnames &&
			    t->snames[sp->session] != NULL)
				name = xstrdup(t->snames[sp->session]);
			match = (name != NULL && strcmp(name, t->tname) == 0);
			free(name);
			return (match);
		}
		if (audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &v) == 0)
			return (v == t->tid);
		return (sp != NULL && sp->session == t->tid);
	}
	return (0);
}

/*
 * Work out what -t names from its text: %N a pane, @N or anything with a
 * colon a window, $N or a name a session. In the server a live target is
 * resolved by tmux itself first.
 */
int
audit_target_parse(struct audit_target *t, struct cmdq_item *item,
    const char *target, char **cause)
{
	struct cmd_find_state	 fs;
	const char		*errstr, *dot, *colon;
	enum cmd_find_type	 type;

	colon = strchr(target, ':');
	dot = strchr(colon != NULL ? colon : target, '.');
	if (*target == '%' || (colon != NULL && dot != NULL)) {
		t->ttype = AUDIT_T_PANE;
		type = CMD_FIND_PANE;
	} else if (*target == '@' || colon != NULL) {
		t->ttype = AUDIT_T_WINDOW;
		type = CMD_FIND_WINDOW;
	} else {
		t->ttype = AUDIT_T_SESSION;
		type = CMD_FIND_SESSION;
	}

	if (item != NULL && cmd_find_target(&fs, item, target, type,
	    CMD_FIND_QUIET) == 0) {
		switch (t->ttype) {
		case AUDIT_T_PANE:
			t->tid = fs.wp->id;
			break;
		case AUDIT_T_WINDOW:
			t->tid = fs.w->id;
			break;
		default:
			t->tid = fs.s->id;
			break;
		}
		return (0);
	}

	if (*target == '%' || *target == '@' || *target == '$') {
		t->tid = strtonum(target + 1, 0, UINT_MAX, &errstr);
		if (errstr == NULL)
			return (0);
	} else if (t->ttype == AUDIT_T_SESSION && *target != '\0') {
		t->tname = xstrdup(target);
		return (0);
	}
	xasprintf(cause, "can't find audit target: %s", target);
	return (-1);
}

/* Free what a target has learned of panes and sessions. */
void
audit_target_free(struct audit_target *t)
{
	u_int	i;

	for (i = 0; i < t->nsnames; i++)
		free(t->snames[i]);
	free(t->snames);
	free(t->panes);
	free(t->popups);
	free(t->tname);
}
