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
 * What was lost while the log could not be written and audit-log-fail is
 * open: how many records, and how many bytes of input and output of each
 * pane and popup, for the gap record written once writing works again.
 */

/* Count one record dropped. */
void
audit_gap_count(struct audit_gap *g, const struct audit_record *r)
{
	const struct audit_field	*f;
	struct audit_gap_pane		*gp;
	uint64_t			 pane;
	u_int				 i;
	int				 popup;

	g->records++;
	if ((r->type != AUDIT_INPUT && r->type != AUDIT_OUTPUT) ||
	    audit_rec_get_term(r, &pane, &popup) != 0)
		return;
	for (i = 0; i < g->npanes; i++) {
		if (g->panes[i].popup == popup && g->panes[i].pane == pane)
			break;
	}
	if (i == g->npanes) {
		g->panes = xreallocarray(g->panes, i + 1, sizeof *g->panes);
		memset(&g->panes[i], 0, sizeof *g->panes);
		g->panes[i].popup = popup;
		g->panes[i].pane = pane;
		g->npanes++;
	}
	gp = &g->panes[i];
	f = audit_rec_find(r, AUDIT_F_DATA);
	if (r->type == AUDIT_INPUT)
		gp->input += f != NULL ? f->len : 0;
	else
		gp->output += f != NULL ? f->len : 0;
}

/* Add what was lost to a gap record: records, then a lost field a pane. */
void
audit_gap_fields(struct audit_gap *g, struct audit_buf *b)
{
	u_int	 i;
	char	*s;

	audit_rec_uint(b, AUDIT_F_RECORDS, g->records);
	for (i = 0; i < g->npanes; i++) {
		xasprintf(&s, "%s%u input=%llu output=%llu",
		    g->panes[i].popup ? "popup " : "%", g->panes[i].pane,
		    (unsigned long long)g->panes[i].input,
		    (unsigned long long)g->panes[i].output);
		audit_rec_str(b, AUDIT_F_LOST, s);
		free(s);
	}
}

/* Start counting again. */
void
audit_gap_clear(struct audit_gap *g)
{
	free(g->panes);
	memset(g, 0, sizeof *g);
}
