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
 * The "current cause" that every byte written into a pane, and every other
 * change, is attributed to. tmux is single-threaded, so the cause is a
 * small stack: a command being executed, a key a client typed, pipe-pane
 * -I, synchronize-panes, or a terminal reply generated while parsing a
 * pane's output. Anything done with nothing on the stack was done by tmux
 * itself. Pushes and pops sit side by side, in the hooks or in the
 * function that pushes.
 */

#define AUDIT_CAUSE_DEPTH 32

struct audit_cause {
	const char	*kind;
	struct client	*c;
	const char	*command;
	int		 readonly;	/* a read-only client's command */
	int		 redacted;	/* input it wrote was redacted */
};

static struct audit_cause	audit_causes[AUDIT_CAUSE_DEPTH];
static u_int			audit_ncauses;

/* Push a cause; anything past the depth limit is counted, not lost. */
void
audit_cause_push(const char *kind, struct client *c, const char *command)
{
	struct audit_cause	*top;

	if (audit_ncauses < AUDIT_CAUSE_DEPTH) {
		top = &audit_causes[audit_ncauses];
		top->kind = kind;
		top->c = c;
		top->command = command;
		top->readonly = 0;
		top->redacted = 0;
	}
	audit_ncauses++;
}

/* Push a cause that keeps the client and command of the one below it. */
void
audit_cause_push_derived(const char *kind)
{
	struct audit_cause	*top;

	if (audit_ncauses != 0 && audit_ncauses <= AUDIT_CAUSE_DEPTH) {
		top = &audit_causes[audit_ncauses - 1];
		audit_cause_push(kind, top->c, top->command);
	} else
		audit_cause_push(kind, NULL, NULL);
}

void
audit_cause_pop(void)
{
	if (audit_ncauses == 0)
		fatalx("%s: cause stack underflow", __func__);
	audit_ncauses--;
}

/* The cause on top, or NULL if there is none (or too many). */
static struct audit_cause *
audit_cause_top(void)
{
	if (audit_ncauses == 0 || audit_ncauses > AUDIT_CAUSE_DEPTH)
		return (NULL);
	return (&audit_causes[audit_ncauses - 1]);
}

/* Mark the cause on top as a command a read-only client issued. */
void
audit_cause_set_readonly(void)
{
	struct audit_cause	*top;

	if ((top = audit_cause_top()) != NULL)
		top->readonly = 1;
}

/*
 * Is a command issued by a read-only client running (hooks aside), under
 * whatever else is on the stack?
 */
int
audit_cause_readonly(void)
{
	u_int	i;

	for (i = 0; i < audit_ncauses && i < AUDIT_CAUSE_DEPTH; i++) {
		if (audit_causes[i].readonly)
			return (1);
	}
	return (0);
}

/*
 * Input was redacted: mark every command on the stack, so its own record
 * leaves out what it wrote too.
 */
void
audit_cause_redacted(void)
{
	u_int	i;

	for (i = 0; i < audit_ncauses && i < AUDIT_CAUSE_DEPTH; i++) {
		if (strcmp(audit_causes[i].kind, "command") == 0)
			audit_causes[i].redacted = 1;
	}
}

/* Was input of the cause on top redacted? */
int
audit_cause_was_redacted(void)
{
	struct audit_cause	*top;

	return ((top = audit_cause_top()) != NULL && top->redacted);
}

/* The client behind the current cause, if any. */
struct client *
audit_cause_client(void)
{
	struct audit_cause	*top;

	if ((top = audit_cause_top()) == NULL)
		return (NULL);
	return (top->c);
}

/* The kind of the current cause ("tmux" if there is none). */
const char *
audit_cause_kind(void)
{
	if (audit_ncauses == 0)
		return ("tmux");
	if (audit_ncauses > AUDIT_CAUSE_DEPTH)
		return (audit_causes[AUDIT_CAUSE_DEPTH - 1].kind);
	return (audit_causes[audit_ncauses - 1].kind);
}

/*
 * Keep the current cause for a record written later, when the client
 * behind it may be gone: a command line is recorded once the pane has
 * echoed it, not when its Enter was typed.
 */
void
audit_cause_save(struct audit_cause_saved *cs)
{
	struct audit_cause	*top;
	struct audit_client	*ac;

	memset(cs, 0, sizeof *cs);
	if (audit_ncauses == 0) {
		cs->kind = xstrdup("tmux");
		return;
	}
	if (audit_ncauses > AUDIT_CAUSE_DEPTH)
		top = &audit_causes[AUDIT_CAUSE_DEPTH - 1];
	else
		top = &audit_causes[audit_ncauses - 1];
	cs->kind = xstrdup(top->kind);
	if (top->command != NULL)
		cs->command = xstrdup(top->command);
	if (top->c == NULL)
		return;
	cs->has_client = 1;
	if (top->c->name != NULL)
		cs->client = xstrdup(top->c->name);
	if ((ac = top->c->audit) != NULL) {
		cs->has_id = 1;
		cs->client_id = ac->id;
		if (ac->creds) {
			cs->creds = 1;
			cs->uid = ac->uid;
			if (ac->user != NULL)
				cs->user = xstrdup(ac->user);
		}
	}
}

void
audit_cause_saved_free(struct audit_cause_saved *cs)
{
	free(cs->kind);
	free(cs->command);
	free(cs->client);
	free(cs->user);
	memset(cs, 0, sizeof *cs);
}

/* Add a saved cause to a record, as audit_add_cause would have then. */
void
audit_add_saved_cause(struct audit_buf *b, const struct audit_cause_saved *cs)
{
	audit_rec_str(b, AUDIT_F_CAUSE, cs->kind != NULL ? cs->kind : "tmux");
	if (cs->command != NULL)
		audit_rec_str(b, AUDIT_F_CAUSE_COMMAND, cs->command);
	if (!cs->has_client)
		return;
	audit_rec_str(b, AUDIT_F_CAUSE_CLIENT, cs->client);
	if (cs->has_id) {
		audit_rec_uint(b, AUDIT_F_CAUSE_CLIENT_ID, cs->client_id);
		if (cs->creds) {
			audit_rec_uint(b, AUDIT_F_CAUSE_UID, cs->uid);
			audit_rec_str(b, AUDIT_F_CAUSE_USER, cs->user);
		}
	}
}

/* Add the current cause to a record. */
void
audit_add_cause(struct audit_buf *b)
{
	struct audit_cause_saved	cs;

	audit_cause_save(&cs);
	audit_add_saved_cause(b, &cs);
	audit_cause_saved_free(&cs);
}
