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

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The HTML report (show-audit -e html): what the logs of one or many hosts
 * hold, as one page an investigator opens in a browser. The records are
 * read once, in file order, into runs (one server each), their sessions,
 * clients and panes; each pane's recording is made as it goes by the same
 * asciicast export as -e asciicast; at the end every file is verified as
 * -V verifies it and the page is written (audit-html-page.c has its frame,
 * audit-html-script.c its script).
 *
 * What goes in: a record is selected if it is in the -t target, in the
 * selection (-a, -b, -U, -C, -Y, -g) and kept by -f. A session is in the
 * report if a selected record concerns it (its own records, an attach to
 * it, a command from a client attached to it, a record of one of its
 * panes); a pane is in if a selected record concerns it or its session is
 * in, and it is in the target. The rows listed (attaches, commands, typed
 * lines) are the selected ones; a pane's recording is the whole of it
 * between -a and -b, as output belongs to no user.
 */

/* A line of what verifying the files said. */
struct audit_html_vline {
	int		 bad;
	char		*text;
};

/* A file read, and the run it holds. */
struct audit_html_file {
	char		*path;
	int		 run;		/* index, or -1 if unknown */
};

/* A run: one server, from its segment records. */
struct audit_html_run {
	u_char			 id[16];
	char			 hex[33];
	char			*host;
	char			*user;
	uint64_t		 pid;
	uint64_t		 start;
	uint64_t		 first;		/* first and last record */
	uint64_t		 last;
	u_int			 source;
	u_int			 files;
	int			 in;
	int			 bad;
	struct audit_html_vline	*lines;
	u_int			 nlines;
};

/* A client attached to a session, from when to when. */
struct audit_html_attach {
	char		*user;
	char		*client;
	uint64_t	 start;
	uint64_t	 end;		/* 0 while attached */
	int		 selected;	/* but for the time */
};

struct audit_html_session {
	u_int				 run;
	uint64_t			 id;
	char				*name;
	uint64_t			 created;
	uint64_t			 closed;
	int				 in;
	u_int				 index;	/* in the page's list */

	struct audit_html_attach	*attach;
	u_int				 nattach;

	RB_ENTRY(audit_html_session)	 entry;
};
RB_HEAD(audit_html_sessions, audit_html_session);

struct audit_html_client {
	u_int				 run;
	uint64_t			 id;
	struct audit_html_session	*session;	/* attached to */
	u_int				 attach;	/* its index there */

	RB_ENTRY(audit_html_client)	 entry;
};
RB_HEAD(audit_html_clients, audit_html_client);

/*
 * A line of a pane's command history. Today these are the lines typed into
 * the pane (the -T view); records of the commands a pane's shell ran will
 * add rows with a source of their own (see audit_html_history).
 */
struct audit_html_cmd {
	uint64_t	 time;
	char		*user;
	char		*client;
	char		*via;		/* the command that sent it, if any */
	char		*text;
	const char	*source;	/* "typed", "shell" or "screen" */
	int		 status;	/* -1 if not known */
	char		*cwd;
	int		 has_id;
	uint64_t	 id;		/* command_id of a command line */
};

struct audit_html_pane {
	u_int				 run;
	uint64_t			 id;
	int				 popup;
	struct audit_html_session	*session;
	int				 has_window;
	uint64_t			 window;
	char				*what;
	uint64_t			 created;
	uint64_t			 exited;
	char				*status;
	u_int				 width;
	u_int				 height;
	uint64_t			 in_bytes;
	uint64_t			 out_bytes;
	int				 target;	/* in the -t target */
	int				 in;

	struct audit_export		*ex;		/* its asciicast */
	struct audit_out		 castout;
	struct audit_buf		 cast;

	struct audit_html_cmd		*hist;
	u_int				 nhist;

	RB_ENTRY(audit_html_pane)	 entry;
};
RB_HEAD(audit_html_panes, audit_html_pane);

/* A tmux command, from a command record. */
struct audit_html_command {
	u_int				 run;
	struct audit_html_session	*session;	/* of its client */
	uint64_t			 time;
	char				*user;
	char				*client;
	char				*issuer;
	char				*command;
	char				*result;
	char				*error;
};

struct audit_html {
	struct args			*args;
	struct audit_target		*t;
	struct audit_select		*sel;
	struct audit_select		 notime;	/* sel, but any time */
	struct audit_select		 notext;	/* sel, but any text */
	struct audit_out		*out;
	char				*command;
	int				 in_server;
	int				 input;

	char				**sources;
	u_int				 nsources;
	struct audit_html_file		*files;
	u_int				 nfiles;
	struct audit_html_run		*runs;
	u_int				 nruns;
	int				 cur;		/* run being read */
	struct audit_typed		*typed;
	int				 typed_run;	/* of its lines */

	struct audit_html_sessions	 sessions;
	struct audit_html_clients	 clients;
	struct audit_html_panes		 panes;
	struct audit_html_command	*cmds;
	u_int				 ncmds;

	struct audit_html_vline		*general;	/* in no run */
	u_int				 ngeneral;
	u_int				 problems;
};

static int
audit_html_session_cmp(struct audit_html_session *a,
    struct audit_html_session *b)
{
	if (a->run != b->run)
		return (a->run < b->run ? -1 : 1);
	if (a->id != b->id)
		return (a->id < b->id ? -1 : 1);
	return (0);
}
RB_GENERATE_STATIC(audit_html_sessions, audit_html_session, entry,
    audit_html_session_cmp);

static int
audit_html_client_cmp(struct audit_html_client *a,
    struct audit_html_client *b)
{
	if (a->run != b->run)
		return (a->run < b->run ? -1 : 1);
	if (a->id != b->id)
		return (a->id < b->id ? -1 : 1);
	return (0);
}
RB_GENERATE_STATIC(audit_html_clients, audit_html_client, entry,
    audit_html_client_cmp);

static int
audit_html_pane_cmp(struct audit_html_pane *a, struct audit_html_pane *b)
{
	if (a->run != b->run)
		return (a->run < b->run ? -1 : 1);
	if (a->popup != b->popup)
		return (a->popup < b->popup ? -1 : 1);
	if (a->id != b->id)
		return (a->id < b->id ? -1 : 1);
	return (0);
}
RB_GENERATE_STATIC(audit_html_panes, audit_html_pane, entry,
    audit_html_pane_cmp);

static void	audit_html_typed_cb(void *, const struct audit_typed_line *);

/* Set up a report from the arguments of show-audit. */
struct audit_html *
audit_html_create(struct args *args, struct cmdq_item *item,
    struct audit_target *t, struct audit_select *sel, struct audit_out *out)
{
	struct audit_html	*html;
	char			*printed;

	html = xcalloc(1, sizeof *html);
	html->args = args;
	html->t = t;
	html->sel = sel;
	html->notime = *sel;
	html->notime.since = 0;
	html->notime.until = UINT64_MAX;
	html->notext = *sel;
	html->notext.text = NULL;
	html->out = out;
	html->in_server = (item != NULL);
	html->input = args_has(args, 'I');
	html->cur = -1;
	html->typed = audit_typed_create(audit_html_typed_cb, html);
	html->typed_run = -1;
	RB_INIT(&html->sessions);
	RB_INIT(&html->clients);
	RB_INIT(&html->panes);

	printed = args_print(args);
	xasprintf(&html->command, "tmux show-audit %s", printed);
	free(printed);
	return (html);
}

/* The log directory the next files come from. */
void
audit_html_source(struct audit_html *html, const char *dir)
{
	html->sources = xreallocarray(html->sources, html->nsources + 1,
	    sizeof *html->sources);
	html->sources[html->nsources++] = xstrdup(dir != NULL ? dir : "-");
}

/* A file is about to be read: its records are of no run until it says. */
void
audit_html_file(struct audit_html *html, const char *path)
{
	struct audit_html_file	*hf;

	html->files = xreallocarray(html->files, html->nfiles + 1,
	    sizeof *html->files);
	hf = &html->files[html->nfiles++];
	hf->path = xstrdup(path);
	hf->run = -1;
	html->cur = -1;
}

/* A segment record: the run its file belongs to. */
static void
audit_html_segment(struct audit_html *html, const struct audit_record *r)
{
	const struct audit_field	*f;
	struct audit_html_run		*run;
	uint64_t			 v;
	u_int				 i;

	if ((f = audit_rec_find(r, AUDIT_F_RUN)) == NULL || f->len != 16)
		return;
	for (i = 0; i < html->nruns; i++) {
		if (memcmp(html->runs[i].id, f->value, 16) == 0)
			break;
	}
	if (i == html->nruns) {
		html->runs = xreallocarray(html->runs, html->nruns + 1,
		    sizeof *html->runs);
		run = &html->runs[html->nruns++];
		memset(run, 0, sizeof *run);
		memcpy(run->id, f->value, 16);
		sodium_bin2hex(run->hex, sizeof run->hex, run->id, 16);
		run->host = audit_rec_get_str(r, AUDIT_F_HOST);
		run->user = audit_rec_get_str(r, AUDIT_F_USER);
		if (audit_rec_get_uint(r, AUDIT_F_PID, &v) == 0)
			run->pid = v;
		if (audit_rec_get_uint(r, AUDIT_F_START_TIME, &v) == 0)
			run->start = v;
		run->source = html->nsources != 0 ? html->nsources - 1 : 0;
	}
	run = &html->runs[i];
	run->files++;

	/*
	 * A line typed across a rotation goes on in the next file of its
	 * run; the lines of another run are done.
	 */
	if (html->typed_run != (int)i) {
		audit_typed_flush(html->typed);
		html->typed_run = i;
	}
	html->cur = i;
	if (html->nfiles != 0)
		html->files[html->nfiles - 1].run = i;
}

/* Find a session of the run being read, and make it if asked. */
static struct audit_html_session *
audit_html_session(struct audit_html *html, uint64_t id, int create)
{
	struct audit_html_session	 find, *s;

	find.run = html->cur;
	find.id = id;
	if ((s = RB_FIND(audit_html_sessions, &html->sessions, &find)) != NULL)
		return (s);
	if (!create)
		return (NULL);
	s = xcalloc(1, sizeof *s);
	s->run = html->cur;
	s->id = id;
	RB_INSERT(audit_html_sessions, &html->sessions, s);
	return (s);
}

/* The session a record names (session_id, and session for its name). */
static struct audit_html_session *
audit_html_record_session(struct audit_html *html,
    const struct audit_record *r)
{
	struct audit_html_session	*s;
	uint64_t			 id;

	if (audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &id) != 0)
		return (NULL);
	s = audit_html_session(html, id, 1);
	if (s->name == NULL)
		s->name = audit_rec_get_str(r, AUDIT_F_SESSION);
	return (s);
}

static struct audit_html_client *
audit_html_client(struct audit_html *html, uint64_t id)
{
	struct audit_html_client	 find, *c;

	find.run = html->cur;
	find.id = id;
	if ((c = RB_FIND(audit_html_clients, &html->clients, &find)) != NULL)
		return (c);
	c = xcalloc(1, sizeof *c);
	c->run = html->cur;
	c->id = id;
	RB_INSERT(audit_html_clients, &html->clients, c);
	return (c);
}

/* A line of a pane's export: keep it for the page. */
static void
audit_html_cast_line(void *data, const char *line)
{
	struct audit_html_pane	*p = data;

	audit_buf_add(&p->cast, line, strlen(line));
	audit_buf_add(&p->cast, "\n", 1);
}

static void
audit_html_cast_error(__unused void *data, __unused const char *line)
{
}

/*
 * Find the pane (or popup) of a record in the run being read; make it if
 * asked, with its recording if it is in the target.
 */
static struct audit_html_pane *
audit_html_pane(struct audit_html *html, const struct audit_record *r,
    int create, int in_target)
{
	struct audit_html_pane	 find, *p;
	uint64_t		 id;
	int			 popup;
	char			*cause;

	if (r->type == AUDIT_POPUP_OPENED) {
		if (audit_rec_get_uint(r, AUDIT_F_POPUP, &id) != 0)
			return (NULL);
		popup = 1;
	} else if (audit_rec_get_term(r, &id, &popup) != 0)
		return (NULL);
	find.run = html->cur;
	find.id = id;
	find.popup = popup;
	p = RB_FIND(audit_html_panes, &html->panes, &find);
	if (p == NULL) {
		if (!create)
			return (NULL);
		p = xcalloc(1, sizeof *p);
		p->run = html->cur;
		p->id = id;
		p->popup = popup;
		p->width = 80;
		p->height = 24;
		audit_buf_init(&p->cast);
		RB_INSERT(audit_html_panes, &html->panes, p);
	}
	if (in_target)
		p->target = 1;
	if (p->ex == NULL && in_target) {
		p->castout.print = audit_html_cast_line;
		p->castout.error = audit_html_cast_error;
		p->castout.data = p;
		p->ex = audit_export_create(AUDIT_EXPORT_ASCIICAST, id, popup,
		    NULL, &p->castout, &cause);
		if (p->ex == NULL)
			fatalx("%s: %s", __func__, cause);
		audit_export_set(p->ex, 1.0, -1, 0, html->sel->since,
		    html->input);
	}
	return (p);
}

/* A pane's (or popup's) creation: where it is, what runs in it. */
static void
audit_html_pane_created(struct audit_html *html, struct audit_html_pane *p,
    const struct audit_record *r)
{
	const struct audit_field	*f;
	struct audit_buf		 b;
	uint64_t			 v;
	u_int				 i;

	p->created = r->time;
	if (p->session == NULL)
		p->session = audit_html_record_session(html, r);
	if (audit_rec_get_uint(r, AUDIT_F_WINDOW, &v) == 0) {
		p->has_window = 1;
		p->window = v;
	}
	if (audit_rec_get_uint(r, AUDIT_F_WIDTH, &v) == 0)
		p->width = v;
	if (audit_rec_get_uint(r, AUDIT_F_HEIGHT, &v) == 0)
		p->height = v;
	if (p->what != NULL)
		return;
	if ((p->what = audit_rec_get_str(r, AUDIT_F_SHELL)) != NULL ||
	    (p->what = audit_rec_get_str(r, AUDIT_F_COMMAND)) != NULL)
		return;
	audit_buf_init(&b);
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if (f->tag != AUDIT_F_ARGV)
			continue;
		if (b.len != 0)
			audit_buf_add(&b, " ", 1);
		audit_buf_add(&b, f->value, f->len);
	}
	if (b.len != 0) {
		audit_buf_add(&b, "", 1);
		p->what = xstrdup(b.data);
	}
	audit_buf_free(&b);
}

/* How a pane's or popup's command ended. */
static void
audit_html_pane_exited(struct audit_html_pane *p,
    const struct audit_record *r)
{
	uint64_t	 v;
	char		*name;

	if (p->exited == 0)
		p->exited = r->time;
	if (p->status != NULL)
		return;
	if (audit_rec_get_uint(r, AUDIT_F_STATUS, &v) == 0)
		xasprintf(&p->status, "%llu", (unsigned long long)v);
	else if ((name = audit_rec_get_str(r, AUDIT_F_NAME)) != NULL) {
		xasprintf(&p->status, "SIG%s", name);
		free(name);
	}
}

/* End a client's attach, if it has one. */
static void
audit_html_detach(struct audit_html_client *c, uint64_t time)
{
	if (c->session != NULL && c->attach < c->session->nattach &&
	    c->session->attach[c->attach].end == 0)
		c->session->attach[c->attach].end = time;
	c->session = NULL;
}

/* A client attached to a session, or moved to another. */
static void
audit_html_attach(struct audit_html *html, const struct audit_record *r,
    int keep)
{
	struct audit_html_client	*c;
	struct audit_html_session	*s;
	struct audit_html_attach	*a;
	uint64_t			 id;

	if (audit_rec_get_uint(r, AUDIT_F_CLIENT_ID, &id) != 0)
		return;
	c = audit_html_client(html, id);
	audit_html_detach(c, r->time);
	if (r->type != AUDIT_CLIENT_ATTACHED &&
	    r->type != AUDIT_CLIENT_SESSION_CHANGED)
		return;
	if ((s = audit_html_record_session(html, r)) == NULL)
		return;
	s->attach = xreallocarray(s->attach, s->nattach + 1,
	    sizeof *s->attach);
	a = &s->attach[s->nattach];
	memset(a, 0, sizeof *a);
	a->user = audit_rec_get_str(r, AUDIT_F_USER);
	a->client = audit_rec_get_str(r, AUDIT_F_CLIENT);
	a->start = r->time;
	a->selected = keep && audit_target_match(html->t, r) &&
	    audit_select_match(&html->notime, r);
	c->session = s;
	c->attach = s->nattach++;
}

/* A tmux command that ran (or was refused). */
static void
audit_html_command(struct audit_html *html, const struct audit_record *r)
{
	struct audit_html_command	*hc;
	struct audit_html_client	*c;
	uint64_t			 id;

	html->cmds = xreallocarray(html->cmds, html->ncmds + 1,
	    sizeof *html->cmds);
	hc = &html->cmds[html->ncmds++];
	memset(hc, 0, sizeof *hc);
	hc->run = html->cur;
	hc->time = r->time;
	hc->user = audit_rec_get_str(r, AUDIT_F_USER);
	hc->client = audit_rec_get_str(r, AUDIT_F_CLIENT);
	hc->issuer = audit_rec_get_str(r, AUDIT_F_ISSUER);
	hc->command = audit_rec_get_str(r, AUDIT_F_COMMAND);
	hc->result = audit_rec_get_str(r, AUDIT_F_RESULT);
	hc->error = audit_rec_get_str(r, AUDIT_F_ERROR);
	if (audit_rec_get_uint(r, AUDIT_F_CLIENT_ID, &id) == 0) {
		c = audit_html_client(html, id);
		hc->session = c->session;
		if (c->session != NULL)
			c->session->in = 1;
	}
}

/*
 * Add a row to a pane's command history; the row's strings become the
 * pane's. This is the one place rows are made: from the typed lines
 * (source "typed") and from the command-line records (source "shell" or
 * "screen", with an exit status and directory when known, which the page
 * shows in columns of their own once any row has them).
 */
static void
audit_html_history(struct audit_html_pane *p, const struct audit_html_cmd *hc)
{
	p->hist = xreallocarray(p->hist, p->nhist + 1, sizeof *p->hist);
	p->hist[p->nhist++] = *hc;
}

/* A line typed into a pane: a row of its history. */
static void
audit_html_typed_cb(void *arg, const struct audit_typed_line *tl)
{
	struct audit_html		*html = arg;
	struct audit_html_pane		 find, *p;
	struct audit_html_cmd		 hc;
	const char			*text = html->sel->text;

	if (html->typed_run == -1)
		return;
	if (text != NULL && memmem(tl->text, tl->len, text,
	    strlen(text)) == NULL)
		return;
	find.run = html->typed_run;
	find.id = tl->pane;
	find.popup = tl->popup;
	if ((p = RB_FIND(audit_html_panes, &html->panes, &find)) == NULL)
		return;
	memset(&hc, 0, sizeof hc);
	hc.time = tl->time;
	hc.user = tl->user != NULL ? xstrdup(tl->user) : NULL;
	hc.client = tl->client != NULL ? xstrdup(tl->client) : NULL;
	hc.via = tl->command != NULL ? xstrdup(tl->command) : NULL;
	hc.text = xmalloc(tl->len + 1);
	memcpy(hc.text, tl->text, tl->len);
	hc.text[tl->len] = '\0';
	hc.source = "typed";
	hc.status = -1;
	audit_html_history(p, &hc);
	p->in = 1;
}

/* A command line run in a pane: a row of its history. */
static void
audit_html_command_line(struct audit_html *html,
    const struct audit_record *r, int in_target)
{
	struct audit_html_pane	*p;
	struct audit_html_cmd	 hc;

	if ((p = audit_html_pane(html, r, 1, in_target)) == NULL)
		return;
	memset(&hc, 0, sizeof hc);
	hc.time = r->time;
	hc.user = audit_rec_get_str(r, AUDIT_F_CAUSE_USER);
	hc.client = audit_rec_get_str(r, AUDIT_F_CAUSE_CLIENT);
	hc.via = audit_rec_get_str(r, AUDIT_F_CAUSE_COMMAND);
	if ((hc.text = audit_rec_get_str(r, AUDIT_F_SHELL_TEXT)) != NULL)
		hc.source = "shell";
	else {
		hc.text = audit_rec_get_str(r, AUDIT_F_SCREEN_TEXT);
		hc.source = "screen";
	}
	if (hc.text == NULL)
		hc.text = xstrdup("");
	if ((hc.cwd = audit_rec_get_str(r, AUDIT_F_SHELL_CWD)) == NULL)
		hc.cwd = audit_rec_get_str(r, AUDIT_F_KERNEL_CWD);
	hc.status = -1;
	if (audit_rec_get_uint(r, AUDIT_F_COMMAND_ID, &hc.id) == 0)
		hc.has_id = 1;
	audit_html_history(p, &hc);
	p->in = 1;
}

/* A command line ended: its row gets the exit status the shell gave. */
static void
audit_html_command_end(struct audit_html *html, const struct audit_record *r)
{
	struct audit_html_pane	*p;
	struct audit_html_cmd	*hc;
	uint64_t		 id, status;
	u_int			 i;

	if (audit_rec_get_uint(r, AUDIT_F_COMMAND_ID, &id) != 0 ||
	    audit_rec_get_uint(r, AUDIT_F_SHELL_STATUS, &status) != 0 ||
	    status > INT_MAX)
		return;
	if ((p = audit_html_pane(html, r, 0, 0)) == NULL)
		return;
	for (i = p->nhist; i > 0; i--) {
		hc = &p->hist[i - 1];
		if (hc->has_id && hc->id == id) {
			hc->status = status;
			return;
		}
	}
}

/*
 * Take one record. keep is what -f says of it (1 without -f); the target
 * and the selection are looked at here.
 */
void
audit_html_record(struct audit_html *html, const struct audit_record *r,
    int keep)
{
	struct audit_html_run		*run;
	struct audit_html_session	*s;
	struct audit_html_pane		*p;
	const struct audit_field	*f;
	uint64_t			 v;
	int				 in_target, selected, until;
	char				*action;

	if (r->type == AUDIT_SEGMENT) {
		audit_html_segment(html, r);
		return;
	}
	if (html->cur == -1)
		return;
	run = &html->runs[html->cur];
	if (run->first == 0 || r->time < run->first)
		run->first = r->time;
	if (r->time > run->last)
		run->last = r->time;

	in_target = audit_target_match(html->t, r);
	selected = keep && in_target && audit_select_match(html->sel, r);
	until = (r->time <= html->sel->until);

	switch (r->type) {
	case AUDIT_SESSION_CREATED:
	case AUDIT_SESSION_RENAMED:
	case AUDIT_SESSION_CLOSED:
		if ((s = audit_html_record_session(html, r)) == NULL)
			break;
		if (r->type == AUDIT_SESSION_CREATED)
			s->created = r->time;
		else if (r->type == AUDIT_SESSION_CLOSED)
			s->closed = r->time;
		else {
			free(s->name);
			s->name = audit_rec_get_str(r, AUDIT_F_SESSION);
		}
		if (selected)
			s->in = 1;
		break;
	case AUDIT_CLIENT_ATTACHED:
	case AUDIT_CLIENT_SESSION_CHANGED:
	case AUDIT_CLIENT_DETACHED:
	case AUDIT_CLIENT_DISCONNECT:
		audit_html_attach(html, r, keep);
		break;
	case AUDIT_COMMAND:
		if (selected)
			audit_html_command(html, r);
		break;
	case AUDIT_COMMAND_LINE:
		if (selected)
			audit_html_command_line(html, r, in_target);
		break;
	case AUDIT_COMMAND_END:
		audit_html_command_end(html, r);
		break;
	case AUDIT_PANE_CREATED:
	case AUDIT_POPUP_OPENED:
		if ((p = audit_html_pane(html, r, 1, in_target)) == NULL)
			break;
		audit_html_pane_created(html, p, r);
		if (p->ex != NULL)
			audit_export_record(p->ex, r);
		if (selected)
			p->in = 1;
		break;
	case AUDIT_PANE_RESIZED:
		if ((p = audit_html_pane(html, r, 1, in_target)) == NULL)
			break;
		if (p->ex != NULL && until)
			audit_export_record(p->ex, r);
		break;
	case AUDIT_PANE_EXITED:
		if ((p = audit_html_pane(html, r, 0, 0)) != NULL)
			audit_html_pane_exited(p, r);
		break;
	case AUDIT_POPUP_CLOSED:
		if (audit_rec_get_uint(r, AUDIT_F_POPUP, &v) != 0)
			break;
		action = audit_rec_get_str(r, AUDIT_F_ACTION);
		if (action != NULL && strcmp(action, "to-pane") != 0) {
			if ((p = audit_html_pane(html, r, 0, 0)) != NULL)
				audit_html_pane_exited(p, r);
		}
		free(action);
		break;
	case AUDIT_INPUT:
	case AUDIT_OUTPUT:
		if ((p = audit_html_pane(html, r, 1, in_target)) == NULL)
			break;
		if (p->session == NULL)
			p->session = audit_html_record_session(html, r);
		if (audit_rec_get_uint(r, AUDIT_F_SIZE, &v) != 0) {
			f = audit_rec_find(r, AUDIT_F_DATA);
			v = (f != NULL) ? f->len : 0;
		}
		if (r->type == AUDIT_INPUT)
			p->in_bytes += v;
		else
			p->out_bytes += v;
		if (p->ex != NULL && until)
			audit_export_record(p->ex, r);
		if (selected)
			p->in = 1;
		if (r->type == AUDIT_INPUT && keep && in_target &&
		    audit_select_match(&html->notext, r))
			audit_typed_record(html->typed, r);
		break;
	}
}

/* Keep a line of what verifying said. */
static void
audit_html_vline_add(struct audit_html_vline **lines, u_int *n, int bad,
    const char *text)
{
	*lines = xreallocarray(*lines, *n + 1, sizeof **lines);
	(*lines)[*n].bad = bad;
	(*lines)[*n].text = xstrdup(text);
	(*n)++;
}

/*
 * A line of the verifier's: to the run of the file it names (it starts
 * "PATH: "), or of the run it names ("witness: seal N of run HEX ..."),
 * else to the report as a whole.
 */
static void
audit_html_vline(struct audit_html *html, int bad, const char *line)
{
	struct audit_html_run	*run = NULL;
	const char		*p;
	size_t			 len;
	u_int			 i;

	if (bad)
		html->problems++;
	for (i = 0; i < html->nfiles && run == NULL; i++) {
		len = strlen(html->files[i].path);
		if (strncmp(line, html->files[i].path, len) == 0 &&
		    strncmp(line + len, ": ", 2) == 0 &&
		    html->files[i].run != -1)
			run = &html->runs[html->files[i].run];
	}
	if (run == NULL && (p = strstr(line, " of run ")) != NULL &&
	    strncmp(line, "witness: ", 9) == 0) {
		for (i = 0; i < html->nruns && run == NULL; i++) {
			if (strncmp(p + 8, html->runs[i].hex, 32) == 0)
				run = &html->runs[i];
		}
	}
	if (run == NULL) {
		audit_html_vline_add(&html->general, &html->ngeneral, bad,
		    line);
		return;
	}
	audit_html_vline_add(&run->lines, &run->nlines, bad, line);
	if (bad)
		run->bad = 1;
}

static void
audit_html_vprint(void *data, const char *line)
{
	audit_html_vline(data, 0, line);
}

static void
audit_html_verror(void *data, const char *line)
{
	audit_html_vline(data, 1, line);
}

/* Verify every file read, as -V does, keeping what it says. */
static void
audit_html_verify(struct audit_html *html)
{
	struct audit_out	 vout = {
		audit_html_vprint, audit_html_verror, html, 0
	};
	char			**paths;
	u_int			  i;

	paths = xcalloc(html->nfiles + 1, sizeof *paths);
	for (i = 0; i < html->nfiles; i++)
		paths[i] = html->files[i].path;
	audit_verify_paths(&vout, paths, html->nfiles,
	    args_get(html->args, 'w'), args_get(html->args, 'k'),
	    args_get(html->args, 'c'));
	free(paths);
	if (html->nfiles == 0) {
		audit_html_vline(html, 1, "no log files: nothing was "
		    "verified");
	}
}

/* Decide what is in the report, now every record has been read. */
static void
audit_html_decide(struct audit_html *html)
{
	struct audit_html_session	*s;
	struct audit_html_pane		*p;
	struct audit_html_attach	*a;
	u_int				 i;

	RB_FOREACH(p, audit_html_panes, &html->panes) {
		if (p->in && p->target && p->session != NULL)
			p->session->in = 1;
	}
	RB_FOREACH(s, audit_html_sessions, &html->sessions) {
		for (i = 0; i < s->nattach; i++) {
			a = &s->attach[i];
			if (a->selected &&
			    (a->end == 0 || a->end >= html->sel->since) &&
			    a->start <= html->sel->until)
				s->in = 1;
			else
				a->selected = 0;
		}
		if (s->in)
			html->runs[s->run].in = 1;
	}
	RB_FOREACH(p, audit_html_panes, &html->panes) {
		if (p->target && p->session != NULL && p->session->in)
			p->in = 1;
		if (!p->target)
			p->in = 0;
		if (p->in)
			html->runs[p->run].in = 1;
	}
	for (i = 0; i < html->ncmds; i++)
		html->runs[html->cmds[i].run].in = 1;
}

/* Add a string to a list of names, once. */
static void
audit_html_name(char ***names, u_int *n, const char *name)
{
	u_int	i;

	if (name == NULL)
		return;
	for (i = 0; i < *n; i++) {
		if (strcmp((*names)[i], name) == 0)
			return;
	}
	*names = xreallocarray(*names, *n + 1, sizeof **names);
	(*names)[(*n)++] = xstrdup(name);
}

/* Append names joined with ", ", escaped for HTML. */
static void
audit_html_names(struct audit_buf *b, char **names, u_int n)
{
	u_int	i;

	if (n == 0)
		audit_printf(b, "none");
	for (i = 0; i < n; i++) {
		if (i != 0)
			audit_printf(b, ", ");
		audit_html_text(b, names[i], strlen(names[i]));
		free(names[i]);
	}
	free(names);
}

/* Append a time as people read it: 2026-11-30 08:30:26. */
static void
audit_html_time(struct audit_buf *b, uint64_t us)
{
	time_t		 t = us / 1000000;
	struct tm	 tm;
	char		 tbuf[32];

	gmtime_r(&t, &tm);
	strftime(tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S", &tm);
	audit_printf(b, "%s", tbuf);
}

/* What the report's selection was, as its flags. */
static void
audit_html_selection(struct audit_html *html, struct audit_buf *b)
{
	const char	*flags = "abUCtPYgf", *v;
	int		 any = 0;
	u_int		 i;

	for (i = 0; flags[i] != '\0'; i++) {
		if ((v = args_get(html->args, flags[i])) == NULL)
			continue;
		audit_printf(b, "%s<code>-%c ", any ? " " : "", flags[i]);
		audit_html_text(b, v, strlen(v));
		audit_printf(b, "</code>");
		any = 1;
	}
	if (!any)
		audit_printf(b, "everything in the logs");
}

/* The verdict at the top: one line, red, amber or green. */
static void
audit_html_verdict(struct audit_html *html, struct audit_buf *b,
    const char *fp, const char *what)
{
	if (html->problems != 0) {
		audit_printf(b, "<div id=\"verdict\" class=\"verdict bad\" "
		    "role=\"alert\"><strong>The log does not verify</strong>: "
		    "%u problem%s found (below). It may have been modified, "
		    "cut or put together from other logs: what this report "
		    "shows is what the files say, not proven.</div>\n",
		    html->problems, html->problems == 1 ? "" : "s");
	} else if (fp == NULL) {
		audit_printf(b, "<div id=\"verdict\" class=\"verdict warn\">"
		    "<strong>Consistent, not anchored</strong>: every file's "
		    "chain and seals hold, but no host key (-k) or collector "
		    "key (-c) was given, so a log rewritten and sealed again "
		    "with new keys would look the same.</div>\n");
	} else {
		audit_printf(b, "<div id=\"verdict\" class=\"verdict good\">"
		    "<strong>Intact</strong>: every file verifies and is "
		    "anchored to %s %s.</div>\n", what, fp);
	}
}

/* The verifier's lines, as a list. */
static void
audit_html_vlines(struct audit_buf *b, struct audit_html_vline *lines,
    u_int n)
{
	u_int	i;

	audit_printf(b, "<ul class=\"vlines\">");
	for (i = 0; i < n; i++) {
		audit_printf(b, "<li class=\"%s\">", lines[i].bad ? "bad" :
		    "good");
		audit_html_text(b, lines[i].text, strlen(lines[i].text));
		audit_printf(b, "</li>");
	}
	audit_printf(b, "</ul>");
}

/*
 * The top of the report, written as HTML so it shows without the script:
 * the verdict, what the report covers and how it was made, and what
 * verifying each run found.
 */
static void
audit_html_header(struct audit_html *html, struct audit_buf *b,
    struct audit_html_player *hp)
{
	struct audit_html_run		*run;
	struct audit_html_session	*s;
	struct audit_html_pane		*p;
	char				**hosts = NULL, **users = NULL;
	char				*fp = NULL, *cause, host[256];
	const char			*key, *v, *what = "host key";
	u_char				 pk[AUDIT_PK_LEN];
	uint64_t			 first = 0, last = 0;
	u_int				 nhosts = 0, nusers = 0, i, j;
	u_int				 nsessions = 0, npanes = 0;

	if ((key = args_get(html->args, 'c')) != NULL)
		what = "collector key";
	else
		key = args_get(html->args, 'k');
	if (key != NULL && audit_host_key_read_public(key, pk, &cause) == 0)
		fp = audit_key_fingerprint(pk);
	else if (key != NULL)
		free(cause);

	for (i = 0; i < html->nruns; i++) {
		run = &html->runs[i];
		if (!run->in)
			continue;
		audit_html_name(&hosts, &nhosts, run->host);
		audit_html_name(&users, &nusers, run->user);
		if (first == 0 || run->first < first)
			first = run->first;
		if (run->last > last)
			last = run->last;
	}
	RB_FOREACH(s, audit_html_sessions, &html->sessions) {
		if (!s->in)
			continue;
		nsessions++;
		for (j = 0; j < s->nattach; j++) {
			if (s->attach[j].selected)
				audit_html_name(&users, &nusers,
				    s->attach[j].user);
		}
	}
	RB_FOREACH(p, audit_html_panes, &html->panes) {
		if (!p->in)
			continue;
		npanes++;
		for (j = 0; j < p->nhist; j++)
			audit_html_name(&users, &nusers, p->hist[j].user);
	}
	for (i = 0; i < html->ncmds; i++)
		audit_html_name(&users, &nusers, html->cmds[i].user);

	audit_printf(b, "<header>\n<h1>tmux-audit report</h1>\n");
	audit_html_verdict(html, b, fp, what);
	audit_printf(b, "<dl id=\"coverage\">\n");
	audit_printf(b, "<dt>Hosts</dt><dd id=\"hosts\">");
	audit_html_names(b, hosts, nhosts);
	audit_printf(b, "</dd>\n<dt>Users</dt><dd id=\"users\">");
	audit_html_names(b, users, nusers);
	audit_printf(b, "</dd>\n<dt>Time</dt><dd>");
	if (first != 0) {
		audit_html_time(b, first);
		audit_printf(b, " to ");
		audit_html_time(b, last);
		audit_printf(b, " UTC");
	} else
		audit_printf(b, "nothing selected");
	audit_printf(b, "</dd>\n<dt>Contents</dt><dd>%u session%s, %u "
	    "pane%s, %u command%s</dd>\n", nsessions, nsessions == 1 ? "" :
	    "s", npanes, npanes == 1 ? "" : "s", html->ncmds,
	    html->ncmds == 1 ? "" : "s");
	audit_printf(b, "<dt>Selection</dt><dd>");
	audit_html_selection(html, b);
	audit_printf(b, "</dd>\n<dt>Log directories</dt><dd>");
	for (i = 0; i < html->nsources; i++) {
		audit_printf(b, "%s<code>", i == 0 ? "" : " ");
		audit_html_text(b, html->sources[i], strlen(html->sources[i]));
		audit_printf(b, "</code>");
	}
	audit_printf(b, " (%u file%s)</dd>\n<dt>Trust anchor</dt><dd "
	    "id=\"anchor\">", html->nfiles, html->nfiles == 1 ? "" : "s");
	if (fp != NULL) {
		audit_printf(b, "host key %s, from <code>", fp);
		audit_html_text(b, key, strlen(key));
		audit_printf(b, "</code>");
	} else if (key != NULL) {
		audit_printf(b, "none: the key <code>");
		audit_html_text(b, key, strlen(key));
		audit_printf(b, "</code> could not be read");
	} else
		audit_printf(b, "none (no -k): verified for consistency only");
	audit_printf(b, "</dd>\n<dt>Syslog witness</dt><dd>");
	if ((v = args_get(html->args, 'w')) != NULL) {
		audit_printf(b, "<code>");
		audit_html_text(b, v, strlen(v));
		audit_printf(b, "</code>");
	} else
		audit_printf(b, "none (no -w)");
	audit_printf(b, "</dd>\n<dt>Player</dt><dd id=\"player\">");
	if ((v = audit_html_player_version(hp)) != NULL)
		audit_html_text(b, v, strlen(v));
	else {
		audit_printf(b, "<strong>not included</strong>: ");
		v = audit_html_player_why(hp);
		audit_html_text(b, v, strlen(v));
		audit_printf(b, ". Recordings are listed but cannot be "
		    "played here; export one with <code>show-audit -e "
		    "asciicast</code>, or make the report again where the "
		    "player is installed (<code>./build.sh player</code>).");
	}
	if (gethostname(host, sizeof host) != 0)
		strlcpy(host, "-", sizeof host);
	host[sizeof host - 1] = '\0';
	audit_printf(b, "</dd>\n<dt>Made by</dt><dd><code>");
	audit_html_text(b, html->command, strlen(html->command));
	audit_printf(b, "</code> on ");
	audit_html_text(b, host, strlen(host));
	audit_printf(b, ", ");
	audit_html_time(b, audit_now());
	audit_printf(b, " UTC</dd>\n</dl>\n");

	audit_printf(b, "<h2>Verification</h2>\n<table id=\"runs\"><thead>"
	    "<tr><th>Host</th><th>Server user</th><th>PID</th><th>Run</th>"
	    "<th>From</th><th>To</th><th>What verifying found</th></tr>"
	    "</thead><tbody>\n");
	for (i = 0; i < html->nruns; i++) {
		run = &html->runs[i];
		audit_printf(b, "<tr class=\"%s\"><td>", run->bad ? "bad" :
		    (fp == NULL ? "warn" : "good"));
		if (run->host != NULL)
			audit_html_text(b, run->host, strlen(run->host));
		audit_printf(b, "</td><td>");
		if (run->user != NULL)
			audit_html_text(b, run->user, strlen(run->user));
		audit_printf(b, "</td><td>%llu</td><td><code>%.8s</code></td>"
		    "<td>", (unsigned long long)run->pid, run->hex);
		audit_html_time(b, run->first);
		audit_printf(b, "</td><td>");
		audit_html_time(b, run->last);
		audit_printf(b, "</td><td>");
		audit_html_vlines(b, run->lines, run->nlines);
		audit_printf(b, "</td></tr>\n");
	}
	audit_printf(b, "</tbody></table>\n");
	if (html->ngeneral != 0) {
		audit_printf(b, "<div class=\"general\">");
		audit_html_vlines(b, html->general, html->ngeneral);
		audit_printf(b, "</div>\n");
	}
	audit_printf(b, "</header>\n");
	free(fp);
}

/* A JSON number, or null for 0 (a time not known). */
static void
audit_html_json_time(struct audit_buf *b, uint64_t t)
{
	if (t == 0)
		audit_printf(b, "null");
	else
		audit_printf(b, "%llu", (unsigned long long)t);
}

/* The data the page's script shows, as one JSON object. */
static void
audit_html_data(struct audit_html *html, struct audit_buf *b,
    struct audit_html_player *hp)
{
	struct audit_html_run		*run;
	struct audit_html_session	*s;
	struct audit_html_pane		*p;
	struct audit_html_attach	*a;
	struct audit_html_command	*hc;
	struct audit_html_cmd		*h;
	u_int				 i, j, n;

	audit_printf(b, "{\"format\":1,\"player\":%s,\"input\":%s,\"runs\":[",
	    audit_html_player_version(hp) != NULL ? "true" : "false",
	    html->input ? "true" : "false");
	for (i = 0; i < html->nruns; i++) {
		run = &html->runs[i];
		audit_printf(b, "%s{\"host\":", i == 0 ? "" : ",");
		audit_html_json_str(b, run->host);
		audit_printf(b, ",\"user\":");
		audit_html_json_str(b, run->user);
		audit_printf(b, ",\"pid\":%llu,\"run\":\"%s\",\"state\":\"%s\","
		    "\"source\":", (unsigned long long)run->pid, run->hex,
		    run->bad ? "bad" : (args_has(html->args, 'k') ||
		    args_has(html->args, 'c')) ? "intact" : "consistent");
		audit_html_json_str(b, html->sources[run->source]);
		audit_printf(b, "}");
	}

	audit_printf(b, "],\"sessions\":[");
	n = 0;
	RB_FOREACH(s, audit_html_sessions, &html->sessions) {
		if (!s->in)
			continue;
		s->index = n;
		audit_printf(b, "%s{\"run\":%u,\"id\":%llu,\"name\":",
		    n++ == 0 ? "" : ",", s->run, (unsigned long long)s->id);
		audit_html_json_str(b, s->name);
		audit_printf(b, ",\"created\":");
		audit_html_json_time(b, s->created);
		audit_printf(b, ",\"closed\":");
		audit_html_json_time(b, s->closed);
		audit_printf(b, ",\"attach\":[");
		for (i = 0, j = 0; i < s->nattach; i++) {
			a = &s->attach[i];
			if (!a->selected)
				continue;
			audit_printf(b, "%s[", j++ == 0 ? "" : ",");
			audit_html_json_str(b, a->user);
			audit_printf(b, ",");
			audit_html_json_str(b, a->client);
			audit_printf(b, ",%llu,", (unsigned long long)a->start);
			audit_html_json_time(b, a->end);
			audit_printf(b, "]");
		}
		audit_printf(b, "]}");
	}

	audit_printf(b, "],\"panes\":[");
	n = 0;
	RB_FOREACH(p, audit_html_panes, &html->panes) {
		if (!p->in)
			continue;
		audit_printf(b, "%s{\"run\":%u,\"session\":", n == 0 ? "" :
		    ",", p->run);
		if (p->session != NULL && p->session->in)
			audit_printf(b, "%u", p->session->index);
		else
			audit_printf(b, "null");
		audit_printf(b, ",\"id\":%llu,\"popup\":%s,\"window\":",
		    (unsigned long long)p->id, p->popup ? "true" : "false");
		if (p->has_window)
			audit_printf(b, "%llu", (unsigned long long)p->window);
		else
			audit_printf(b, "null");
		audit_printf(b, ",\"what\":");
		audit_html_json_str(b, p->what);
		audit_printf(b, ",\"created\":");
		audit_html_json_time(b, p->created);
		audit_printf(b, ",\"exited\":");
		audit_html_json_time(b, p->exited);
		audit_printf(b, ",\"status\":");
		audit_html_json_str(b, p->status);
		audit_printf(b, ",\"in\":%llu,\"out\":%llu,\"cast\":",
		    (unsigned long long)p->in_bytes,
		    (unsigned long long)p->out_bytes);
		if (p->ex != NULL && audit_export_start(p->ex) != 0) {
			audit_printf(b, "\"cast-%u\",\"t0\":%llu", n,
			    (unsigned long long)audit_export_start(p->ex));
		} else
			audit_printf(b, "null,\"t0\":null");
		audit_printf(b, ",\"history\":[");
		for (i = 0; i < p->nhist; i++) {
			h = &p->hist[i];
			audit_printf(b, "%s[%llu,", i == 0 ? "" : ",",
			    (unsigned long long)h->time);
			audit_html_json_str(b, h->user);
			audit_printf(b, ",");
			audit_html_json_str(b, h->client);
			audit_printf(b, ",");
			audit_html_json_str(b, h->via);
			audit_printf(b, ",");
			audit_html_json_str(b, h->text);
			audit_printf(b, ",\"%s\",", h->source);
			if (h->status >= 0)
				audit_printf(b, "%d,", h->status);
			else
				audit_printf(b, "null,");
			audit_html_json_str(b, h->cwd);
			audit_printf(b, "]");
		}
		audit_printf(b, "]}");
		n++;
	}

	audit_printf(b, "],\"commands\":[");
	for (i = 0; i < html->ncmds; i++) {
		hc = &html->cmds[i];
		audit_printf(b, "%s[%u,", i == 0 ? "" : ",", hc->run);
		if (hc->session != NULL && hc->session->in)
			audit_printf(b, "%u", hc->session->index);
		else
			audit_printf(b, "null");
		audit_printf(b, ",%llu,", (unsigned long long)hc->time);
		audit_html_json_str(b, hc->user);
		audit_printf(b, ",");
		audit_html_json_str(b, hc->client);
		audit_printf(b, ",");
		audit_html_json_str(b, hc->issuer);
		audit_printf(b, ",");
		audit_html_json_str(b, hc->command);
		audit_printf(b, ",");
		audit_html_json_str(b, hc->result);
		audit_printf(b, ",");
		audit_html_json_str(b, hc->error);
		audit_printf(b, "]");
	}
	audit_printf(b, "]}");
}

/* Write the page to f. */
static void
audit_html_write(struct audit_html *html, FILE *f)
{
	struct audit_html_player	*hp;
	struct audit_html_pane		*p;
	struct audit_buf		 b;
	char				 id[32];
	u_int				 n = 0;

	hp = audit_html_player_load();
	audit_html_head(f, hp, "tmux-audit report");

	audit_buf_init(&b);
	audit_html_header(html, &b, hp);
	audit_printf(&b, "<main id=\"app\"><noscript><p>The sessions, panes "
	    "and players of this report need JavaScript.</p></noscript>"
	    "</main>\n");
	fwrite(b.data, 1, b.len, f);

	b.len = 0;
	audit_html_data(html, &b, hp);
	audit_html_block(f, "application/json", "tmux-audit-data", b.data,
	    b.len);
	audit_buf_free(&b);

	/*
	 * The scripts come before the recordings, so the page is shown
	 * while the browser is still reading them; each is parsed only
	 * when its player is started.
	 */
	audit_html_scripts(f, hp);
	RB_FOREACH(p, audit_html_panes, &html->panes) {
		if (!p->in)
			continue;
		if (p->ex != NULL && audit_export_start(p->ex) != 0) {
			snprintf(id, sizeof id, "cast-%u", n);
			audit_html_block(f, "application/x-asciicast", id,
			    p->cast.data, p->cast.len);
		}
		n++;
	}
	audit_html_foot(f, hp);
	audit_html_player_free(hp);
}

/*
 * Open the report's file: private, as it holds what the log holds. Outside
 * the server, no -O is stdout; in the server the page goes to the client
 * line by line, through a memory stream.
 */
static FILE *
audit_html_open(struct audit_html *html, char **buf, size_t *len,
    char **cause)
{
	const char	*path = args_get(html->args, 'O');
	FILE		*f;
	int		 fd;

	*buf = NULL;
	if (path != NULL) {
		fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
		if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			if (fd != -1)
				close(fd);
			return (NULL);
		}
		return (f);
	}
	if (!html->in_server)
		return (stdout);
	if ((f = open_memstream(buf, len)) == NULL)
		xasprintf(cause, "open_memstream: %s", strerror(errno));
	return (f);
}

/* Free everything the report read. */
static void
audit_html_free(struct audit_html *html)
{
	struct audit_html_session	*s, *s1;
	struct audit_html_client	*c, *c1;
	struct audit_html_pane		*p, *p1;
	struct audit_html_command	*hc;
	u_int				 i;
	char				*cause;

	RB_FOREACH_SAFE(s, audit_html_sessions, &html->sessions, s1) {
		RB_REMOVE(audit_html_sessions, &html->sessions, s);
		for (i = 0; i < s->nattach; i++) {
			free(s->attach[i].user);
			free(s->attach[i].client);
		}
		free(s->attach);
		free(s->name);
		free(s);
	}
	RB_FOREACH_SAFE(c, audit_html_clients, &html->clients, c1) {
		RB_REMOVE(audit_html_clients, &html->clients, c);
		free(c);
	}
	RB_FOREACH_SAFE(p, audit_html_panes, &html->panes, p1) {
		RB_REMOVE(audit_html_panes, &html->panes, p);
		if (p->ex != NULL && audit_export_finish(p->ex, &cause) != 0)
			free(cause);
		audit_buf_free(&p->cast);
		for (i = 0; i < p->nhist; i++) {
			free(p->hist[i].user);
			free(p->hist[i].client);
			free(p->hist[i].via);
			free(p->hist[i].text);
			free(p->hist[i].cwd);
		}
		free(p->hist);
		free(p->what);
		free(p->status);
		free(p);
	}
	for (i = 0; i < html->ncmds; i++) {
		hc = &html->cmds[i];
		free(hc->user);
		free(hc->client);
		free(hc->issuer);
		free(hc->command);
		free(hc->result);
		free(hc->error);
	}
	free(html->cmds);
	for (i = 0; i < html->nruns; i++) {
		free(html->runs[i].host);
		free(html->runs[i].user);
		while (html->runs[i].nlines != 0)
			free(html->runs[i].lines[--html->runs[i].nlines].text);
		free(html->runs[i].lines);
	}
	free(html->runs);
	while (html->ngeneral != 0)
		free(html->general[--html->ngeneral].text);
	free(html->general);
	for (i = 0; i < html->nfiles; i++)
		free(html->files[i].path);
	free(html->files);
	for (i = 0; i < html->nsources; i++)
		free(html->sources[i]);
	free(html->sources);
	free(html->command);
	free(html);
}

/*
 * Verify, write the report and free it. A log that does not verify is an
 * error, as for -V, though the report is written all the same.
 */
void
audit_html_finish(struct audit_html *html)
{
	struct audit_out	*out = html->out;
	const char		*path = args_get(html->args, 'O');
	FILE			*f;
	char			*buf, *line, *next, *cause;
	size_t			 len;
	int			 failed;

	audit_typed_free(html->typed);
	html->typed = NULL;
	audit_html_verify(html);
	audit_html_decide(html);

	if ((f = audit_html_open(html, &buf, &len, &cause)) == NULL) {
		out->error(out->data, cause);
		out->errors++;
		free(cause);
		goto out;
	}
	audit_html_write(html, f);
	failed = ferror(f);
	if (f == stdout)
		failed = (fflush(f) != 0 || failed);
	else
		failed = (fclose(f) != 0 || failed);
	if (failed) {
		xasprintf(&cause, "%s: %s", path != NULL ? path : "report",
		    strerror(errno));
		out->error(out->data, cause);
		out->errors++;
		free(cause);
	} else if (buf != NULL) {
		for (line = buf; line < buf + len; line = next + 1) {
			if ((next = memchr(line, '\n', buf + len - line)) ==
			    NULL)
				next = buf + len;
			*next = '\0';
			out->print(out->data, line);
		}
	}
	free(buf);
	if (html->problems != 0) {
		xasprintf(&cause, "%s: the log does not verify: %u problem%s "
		    "(listed in the report)", path != NULL ? path : "report",
		    html->problems, html->problems == 1 ? "" : "s");
		out->error(out->data, cause);
		out->errors++;
		free(cause);
	}

out:
	audit_html_free(html);
}
