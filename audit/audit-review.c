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
#include <sys/time.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Review: selecting records by time, user, client, type and command text;
 * the index of who was where and how many command lines ran in each pane
 * (show-audit -l).
 */

/* Parse RFC 3339 (UTC or with an offset) or a time ago like 2h, 30m. */
int
audit_select_parse_time(const char *s, uint64_t *out)
{
	struct tm	 tm;
	const char	*p;
	char		*end;
	long long	 n, mult, off = 0;
	uint64_t	 us = 0;
	time_t		 t;
	int		 digits;

	n = strtoll(s, &end, 10);
	if (end != s && n >= 0 && end[0] != '\0' && end[1] == '\0' &&
	    strchr("smhdw", end[0]) != NULL) {
		mult = end[0] == 's' ? 1 : end[0] == 'm' ? 60 :
		    end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 : 604800;
		*out = audit_now() - (uint64_t)n * mult * 1000000;
		return (0);
	}

	memset(&tm, 0, sizeof tm);
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		p = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (p == NULL) {
		memset(&tm, 0, sizeof tm);
		if ((p = strptime(s, "%Y-%m-%d", &tm)) == NULL || *p != '\0')
			return (-1);
	}
	if (*p == '.') {
		for (p++, digits = 0; isdigit((u_char)*p); p++, digits++) {
			if (digits < 6)
				us = us * 10 + (*p - '0');
		}
		for (; digits < 6; digits++)
			us *= 10;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		if (!isdigit((u_char)p[1]) || !isdigit((u_char)p[2]) ||
		    p[3] != ':' || !isdigit((u_char)p[4]) ||
		    !isdigit((u_char)p[5]))
			return (-1);
		off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
		    ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
		if (*p == '-')
			off = -off;
		p += 6;
	}
	if (*p != '\0')
		return (-1);
	t = timegm(&tm) - off;
	if (t < 0)
		return (-1);
	*out = (uint64_t)t * 1000000 + us;
	return (0);
}

/* Set up a selection from -a, -b, -U, -C, -Y and -g. */
int
audit_select_parse(struct audit_select *sel, struct args *args, char **cause)
{
	const char	*s;
	char		*copy, *next, *name;
	int		 type;

	memset(sel, 0, sizeof *sel);
	sel->until = UINT64_MAX;
	if ((s = args_get(args, 'a')) != NULL &&
	    audit_select_parse_time(s, &sel->since) != 0) {
		xasprintf(cause, "bad time: %s (use RFC 3339 or 2h, 30m, 1d)",
		    s);
		return (-1);
	}
	if ((s = args_get(args, 'b')) != NULL &&
	    audit_select_parse_time(s, &sel->until) != 0) {
		xasprintf(cause, "bad time: %s (use RFC 3339 or 2h, 30m, 1d)",
		    s);
		return (-1);
	}
	if ((s = args_get(args, 'U')) != NULL)
		sel->user = xstrdup(s);
	if ((s = args_get(args, 'C')) != NULL)
		sel->client = xstrdup(s);
	if ((s = args_get(args, 'g')) != NULL)
		sel->text = xstrdup(s);
	if ((s = args_get(args, 'Y')) != NULL) {
		copy = next = xstrdup(s);
		while ((name = strsep(&next, ",")) != NULL) {
			if (*name == '\0')
				continue;
			if ((type = audit_type_from_name(name)) == -1) {
				xasprintf(cause, "unknown event type: %s", name);
				free(copy);
				return (-1);
			}
			sel->types[type / 8] |= 1 << (type % 8);
			sel->ntypes++;
		}
		free(copy);
	}
	return (0);
}

void
audit_select_free(struct audit_select *sel)
{
	free(sel->user);
	free(sel->client);
	free(sel->text);
}

/* Does a text field (or its cause_ twin) equal s? */
static int
audit_select_field(const struct audit_record *r, u_int tag, u_int tag2,
    const char *s)
{
	const struct audit_field	*f;
	size_t				 len = strlen(s);

	f = audit_rec_find(r, tag);
	if (f == NULL)
		f = audit_rec_find(r, tag2);
	return (f != NULL && f->len == len && memcmp(f->value, s, len) == 0);
}

/* Does a text field contain s? */
static int
audit_select_text(const struct audit_record *r, u_int tag, const char *s)
{
	const struct audit_field	*f;

	return ((f = audit_rec_find(r, tag)) != NULL &&
	    memmem(f->value, f->len, s, strlen(s)) != NULL);
}

/* Is a record selected? */
int
audit_select_match(struct audit_select *sel, const struct audit_record *r)
{
	if (r->time < sel->since || r->time > sel->until)
		return (0);
	if (sel->ntypes != 0 && (r->type >= 8 * sizeof sel->types ||
	    (~sel->types[r->type / 8] & (1 << (r->type % 8)))))
		return (0);
	if (sel->user != NULL && !audit_select_field(r, AUDIT_F_USER,
	    AUDIT_F_CAUSE_USER, sel->user))
		return (0);
	if (sel->client != NULL && !audit_select_field(r, AUDIT_F_CLIENT,
	    AUDIT_F_CAUSE_CLIENT, sel->client))
		return (0);
	if (sel->text != NULL && !audit_select_text(r, AUDIT_F_COMMAND,
	    sel->text) && !audit_select_text(r, AUDIT_F_SHELL_TEXT, sel->text) &&
	    !audit_select_text(r, AUDIT_F_SCREEN_TEXT, sel->text))
		return (0);
	return (1);
}

/*
 * The index (show-audit -l): for each session, when it was created and
 * closed; for each pane, its command, size and bytes in and out; for each
 * client that attached, who, when and for how long.
 */

struct audit_index_pane {
	u_int		 run;
	uint64_t	 pane;		/* or popup number */
	int		 popup;
	uint64_t	 session;
	uint64_t	 created;
	uint64_t	 exited;
	char		*what;
	uint64_t	 in;
	uint64_t	 out;
	uint64_t	 commands;
	u_int		 width;
	u_int		 height;
};

struct audit_index_attach {
	u_int		 run;
	uint64_t	 client_id;
	uint64_t	 session;
	char		*who;
	uint64_t	 start;
	uint64_t	 end;
};

struct audit_index_session {
	u_int		 run;
	uint64_t	 id;
	char		*name;
	uint64_t	 created;
	uint64_t	 closed;
};

struct audit_index {
	struct audit_index_session	*s;
	u_int				 ns;
	struct audit_index_pane		*p;
	u_int				 np;
	struct audit_index_attach	*a;
	u_int				 na;
	uint64_t			 last;

	u_char				(*runs)[16];	/* ids seen */
	u_int				 nruns;
	u_int				 run;		/* being read */
};

struct audit_index *
audit_index_create(void)
{
	return (xcalloc(1, sizeof (struct audit_index)));
}

/*
 * Every record, selected or not: a segment record says which run its file
 * belongs to. Ids are a run's own, so the index tells sessions, panes and
 * clients apart by run as well.
 */
void
audit_index_track(struct audit_index *ix, const struct audit_record *r)
{
	const struct audit_field	*f;
	u_int				 i;

	if (r->type != AUDIT_SEGMENT ||
	    (f = audit_rec_find(r, AUDIT_F_RUN)) == NULL || f->len != 16)
		return;
	for (i = 0; i < ix->nruns; i++) {
		if (memcmp(ix->runs[i], f->value, 16) == 0)
			break;
	}
	if (i == ix->nruns) {
		ix->runs = xreallocarray(ix->runs, ix->nruns + 1,
		    sizeof *ix->runs);
		memcpy(ix->runs[ix->nruns++], f->value, 16);
	}
	ix->run = i;
}

static struct audit_index_session *
audit_index_session(struct audit_index *ix, uint64_t id)
{
	u_int	i;

	for (i = ix->ns; i > 0; i--) {
		if (ix->s[i - 1].id == id && ix->s[i - 1].run == ix->run)
			return (&ix->s[i - 1]);
	}
	return (NULL);
}

static struct audit_index_pane *
audit_index_pane(struct audit_index *ix, uint64_t pane, int popup)
{
	u_int	i;

	for (i = ix->np; i > 0; i--) {
		if (ix->p[i - 1].pane == pane && ix->p[i - 1].popup == popup &&
		    ix->p[i - 1].run == ix->run)
			return (&ix->p[i - 1]);
	}
	return (NULL);
}

/* Take one record into the index. */
void
audit_index_record(struct audit_index *ix, const struct audit_record *r)
{
	struct audit_index_session	*is;
	struct audit_index_pane		*ip;
	struct audit_index_attach	*ia;
	const struct audit_field	*f;
	uint64_t			 id, v;
	char				*user, *client, *s;
	u_int				 i;
	int				 popup;

	ix->last = r->time;
	switch (r->type) {
	case AUDIT_SESSION_CREATED:
		if (audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &id) != 0)
			break;
		ix->s = xreallocarray(ix->s, ix->ns + 1, sizeof *ix->s);
		is = &ix->s[ix->ns++];
		memset(is, 0, sizeof *is);
		is->run = ix->run;
		is->id = id;
		is->name = audit_rec_get_str(r, AUDIT_F_SESSION);
		is->created = r->time;
		break;
	case AUDIT_SESSION_RENAMED:
		if (audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &id) == 0 &&
		    (is = audit_index_session(ix, id)) != NULL) {
			free(is->name);
			is->name = audit_rec_get_str(r, AUDIT_F_SESSION);
		}
		break;
	case AUDIT_SESSION_CLOSED:
		if (audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &id) == 0 &&
		    (is = audit_index_session(ix, id)) != NULL)
			is->closed = r->time;
		break;
	case AUDIT_PANE_CREATED:
	case AUDIT_POPUP_OPENED:
		if (audit_rec_get_uint(r, r->type == AUDIT_POPUP_OPENED ?
		    AUDIT_F_POPUP : AUDIT_F_PANE, &id) != 0)
			break;
		ix->p = xreallocarray(ix->p, ix->np + 1, sizeof *ix->p);
		ip = &ix->p[ix->np++];
		memset(ip, 0, sizeof *ip);
		ip->run = ix->run;
		ip->pane = id;
		ip->popup = (r->type == AUDIT_POPUP_OPENED);
		ip->created = r->time;
		if (audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &v) == 0)
			ip->session = v;
		if (audit_rec_get_uint(r, AUDIT_F_WIDTH, &v) == 0)
			ip->width = v;
		if (audit_rec_get_uint(r, AUDIT_F_HEIGHT, &v) == 0)
			ip->height = v;
		ip->what = audit_rec_get_str(r, AUDIT_F_SHELL);
		if (ip->what == NULL)
			ip->what = audit_rec_get_str(r, AUDIT_F_COMMAND);
		if (ip->what == NULL) {
			for (i = 0; i < r->nfields; i++) {
				f = &r->fields[i];
				if (f->tag != AUDIT_F_ARGV)
					continue;
				xasprintf(&s, "%s%s%.*s", ip->what != NULL ?
				    ip->what : "", ip->what != NULL ? " " : "",
				    (int)f->len, f->value);
				free(ip->what);
				ip->what = s;
			}
		}
		break;
	case AUDIT_PANE_EXITED:
		if (audit_rec_get_uint(r, AUDIT_F_PANE, &id) == 0 &&
		    (ip = audit_index_pane(ix, id, 0)) != NULL)
			ip->exited = r->time;
		break;
	case AUDIT_POPUP_CLOSED:
		if (audit_rec_get_uint(r, AUDIT_F_POPUP, &id) == 0 &&
		    (ip = audit_index_pane(ix, id, 1)) != NULL &&
		    ip->exited == 0)
			ip->exited = r->time;
		break;
	case AUDIT_COMMAND_LINE:
		if (audit_rec_get_term(r, &id, &popup) == 0 &&
		    (ip = audit_index_pane(ix, id, popup)) != NULL)
			ip->commands++;
		break;
	case AUDIT_INPUT:
	case AUDIT_OUTPUT:
		if (audit_rec_get_term(r, &id, &popup) != 0 ||
		    (ip = audit_index_pane(ix, id, popup)) == NULL)
			break;
		if (audit_rec_get_uint(r, AUDIT_F_SIZE, &v) != 0) {
			f = audit_rec_find(r, AUDIT_F_DATA);
			v = (f != NULL) ? f->len : 0;
		}
		if (r->type == AUDIT_INPUT)
			ip->in += v;
		else
			ip->out += v;
		break;
	case AUDIT_CLIENT_ATTACHED:
	case AUDIT_CLIENT_SESSION_CHANGED:
	case AUDIT_CLIENT_DETACHED:
	case AUDIT_CLIENT_DISCONNECT:
		if (audit_rec_get_uint(r, AUDIT_F_CLIENT_ID, &id) != 0)
			break;
		for (i = 0; i < ix->na; i++) {
			ia = &ix->a[i];
			if (ia->client_id == id && ia->run == ix->run &&
			    ia->end == 0)
				ia->end = r->time;
		}
		if (r->type != AUDIT_CLIENT_ATTACHED &&
		    r->type != AUDIT_CLIENT_SESSION_CHANGED)
			break;
		if (audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &v) != 0)
			break;
		ix->a = xreallocarray(ix->a, ix->na + 1, sizeof *ix->a);
		ia = &ix->a[ix->na++];
		memset(ia, 0, sizeof *ia);
		ia->run = ix->run;
		ia->client_id = id;
		ia->session = v;
		ia->start = r->time;
		user = audit_rec_get_str(r, AUDIT_F_USER);
		client = audit_rec_get_str(r, AUDIT_F_CLIENT);
		xasprintf(&ia->who, "%s (%s)", user != NULL ? user : "-",
		    client != NULL ? client : "-");
		free(user);
		free(client);
		break;
	}
}

/* Format a span of time: 1h02m03s. */
static void
audit_index_span(struct audit_buf *b, uint64_t start, uint64_t end)
{
	uint64_t	s = (end - start) / 1000000;

	if (s >= 3600)
		audit_printf(b, "%lluh%02llum%02llus",
		    (unsigned long long)s / 3600,
		    (unsigned long long)(s / 60) % 60,
		    (unsigned long long)s % 60);
	else if (s >= 60)
		audit_printf(b, "%llum%02llus", (unsigned long long)s / 60,
		    (unsigned long long)s % 60);
	else
		audit_printf(b, "%llus", (unsigned long long)s);
}

/* Print the index and free it. */
void
audit_index_print(struct audit_index *ix, struct audit_out *out)
{
	struct audit_index_session	*is;
	struct audit_index_pane		*ip;
	struct audit_index_attach	*ia;
	struct audit_buf		 b;
	u_int				 i, j;

	audit_buf_init(&b);
	for (i = 0; i < ix->ns; i++) {
		is = &ix->s[i];
		b.len = 0;
		audit_printf(&b, "session $%llu %s: ",
		    (unsigned long long)is->id,
		    is->name != NULL ? is->name : "-");
		audit_print_time(&b, is->created);
		audit_printf(&b, " to ");
		if (is->closed != 0)
			audit_print_time(&b, is->closed);
		else
			audit_printf(&b, "(open)");
		audit_printf(&b, ", ");
		audit_index_span(&b, is->created,
		    is->closed != 0 ? is->closed : ix->last);
		audit_buf_add(&b, "", 1);
		out->print(out->data, b.data);

		for (j = 0; j < ix->np; j++) {
			ip = &ix->p[j];
			if (ip->session != is->id || ip->run != is->run)
				continue;
			b.len = 0;
			audit_printf(&b, "  %s%llu %ux%u %s: in %llu "
			    "bytes, out %llu bytes, %llu commands, ",
			    ip->popup ? "popup " : "pane %",
			    (unsigned long long)ip->pane, ip->width,
			    ip->height, ip->what != NULL ? ip->what : "-",
			    (unsigned long long)ip->in,
			    (unsigned long long)ip->out,
			    (unsigned long long)ip->commands);
			audit_print_time(&b, ip->created);
			audit_printf(&b, " to ");
			if (ip->exited != 0)
				audit_print_time(&b, ip->exited);
			else
				audit_printf(&b, "(no exit)");
			audit_buf_add(&b, "", 1);
			out->print(out->data, b.data);
		}
		for (j = 0; j < ix->na; j++) {
			ia = &ix->a[j];
			if (ia->session != is->id || ia->run != is->run)
				continue;
			b.len = 0;
			audit_printf(&b, "  attached %s: ", ia->who);
			audit_print_time(&b, ia->start);
			audit_printf(&b, " for ");
			audit_index_span(&b, ia->start,
			    ia->end != 0 ? ia->end : ix->last);
			if (ia->end == 0)
				audit_printf(&b, " (still attached)");
			audit_buf_add(&b, "", 1);
			out->print(out->data, b.data);
		}
	}
	audit_buf_free(&b);

	for (i = 0; i < ix->ns; i++)
		free(ix->s[i].name);
	for (i = 0; i < ix->np; i++)
		free(ix->p[i].what);
	for (i = 0; i < ix->na; i++)
		free(ix->a[i].who);
	free(ix->s);
	free(ix->p);
	free(ix->a);
	free(ix->runs);
	free(ix);
}
