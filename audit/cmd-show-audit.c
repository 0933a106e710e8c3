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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Show the audit log. In the server it reads the server's own log (or -d
 * DIR); with -d or -v the tmux client runs it itself, with no server, so a
 * directory copied from another machine can be read anywhere.
 */

static enum cmd_retval	cmd_show_audit_exec(struct cmd *, struct cmdq_item *);

const struct cmd_entry cmd_show_audit_entry = {
	.name = "show-audit",
	.alias = NULL,

	.args = { "a:b:C:d:e:F:f:G:g:IJk:Klm:o:O:P:RTt:U:Vvw:Wx:Y:", 0, 0,
		  NULL },
	.usage = "[-IJKlRTVvW] [-a since] [-b until] [-C client] "
		 "[-d directory] [-e asciicast|scriptreplay] [-F format] "
		 "[-f filter] [-G key-file] [-g text] [-k public-key] "
		 "[-m max-idle] [-O output] [-o start] [-P popup] [-t target] "
		 "[-U user] [-w witness-file] [-x speed] [-Y types]",

	.flags = 0,
	.exec = cmd_show_audit_exec
};

/* What a target names. */
enum audit_target {
	AUDIT_TARGET_NONE,
	AUDIT_TARGET_SESSION,
	AUDIT_TARGET_WINDOW,
	AUDIT_TARGET_PANE,
	AUDIT_TARGET_POPUP
};

/* Where a pane was created, from its pane-created record. */
struct audit_show_pane {
	int		 known;
	u_int		 window;
	u_int		 session;
};

/* One run of show-audit. */
struct audit_show {
	struct audit_out	*out;
	struct cmdq_item	*item;		/* NULL outside the server */
	struct args		*args;

	enum audit_target	 ttype;
	u_int			 tid;
	char			*tname;		/* session by name */

	struct audit_show_pane	*panes;
	u_int			 npanes;
	struct audit_show_pane	*popups;	/* the same, for popups */
	u_int			 npopups;
	char			**snames;	/* session names by id */
	u_int			 nsnames;

	struct audit_select	 sel;
	struct audit_index	*ix;
	struct audit_export	*ex;

	struct audit_buf	 line;
};

static int	audit_show_export(struct audit_show *, char **);

/* Remember which window and session each pane was created in. */
static void
audit_show_track(struct audit_show *as, const struct audit_record *r)
{
	struct audit_show_pane	**list, *sp;
	uint64_t		  pane, window, session;
	u_int			 *n, tag;
	char			 *name;

	if ((r->type == AUDIT_SESSION_CREATED ||
	    r->type == AUDIT_SESSION_RENAMED) &&
	    audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &session) == 0 &&
	    session < 1000000 &&
	    (name = audit_rec_get_str(r, AUDIT_F_SESSION)) != NULL) {
		if (session >= as->nsnames) {
			as->snames = xrecallocarray(as->snames, as->nsnames,
			    session + 1, sizeof *as->snames);
			as->nsnames = session + 1;
		}
		free(as->snames[session]);
		as->snames[session] = name;
	}
	if (r->type == AUDIT_PANE_CREATED) {
		tag = AUDIT_F_PANE;
		list = &as->panes;
		n = &as->npanes;
	} else if (r->type == AUDIT_POPUP_OPENED) {
		tag = AUDIT_F_POPUP;
		list = &as->popups;
		n = &as->npopups;
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
static int
audit_show_match_target(struct audit_show *as, const struct audit_record *r)
{
	struct audit_show_pane	*sp = NULL;
	uint64_t		 v;
	char			*name;
	int			 match;

	if (as->ttype == AUDIT_TARGET_POPUP)
		return (audit_rec_get_uint(r, AUDIT_F_POPUP, &v) == 0 &&
		    v == as->tid);
	if (audit_rec_get_uint(r, AUDIT_F_POPUP, &v) == 0) {
		/*
		 * A popup is in no window: only its session matches, or the
		 * pane its command was moved to (popup-closed, to-pane).
		 */
		if (as->ttype == AUDIT_TARGET_PANE)
			return (audit_rec_get_uint(r, AUDIT_F_PANE, &v) == 0 &&
			    v == as->tid);
		if (as->ttype == AUDIT_TARGET_WINDOW)
			return (0);
		if (v < as->npopups && as->popups[v].known)
			sp = &as->popups[v];
	} else if (audit_rec_get_uint(r, AUDIT_F_PANE, &v) == 0) {
		if (as->ttype == AUDIT_TARGET_PANE)
			return (v == as->tid);
		if (v < as->npanes && as->panes[v].known)
			sp = &as->panes[v];
	}
	switch (as->ttype) {
	case AUDIT_TARGET_NONE:
		return (1);
	case AUDIT_TARGET_PANE:
	case AUDIT_TARGET_POPUP:
		return (0);
	case AUDIT_TARGET_WINDOW:
		if (audit_rec_get_uint(r, AUDIT_F_WINDOW, &v) == 0)
			return (v == as->tid);
		return (sp != NULL && sp->window == as->tid);
	case AUDIT_TARGET_SESSION:
		if (as->tname != NULL) {
			name = audit_rec_get_str(r, AUDIT_F_SESSION);
			if (name == NULL && sp != NULL &&
			    sp->session < as->nsnames &&
			    as->snames[sp->session] != NULL)
				name = xstrdup(as->snames[sp->session]);
			match = (name != NULL && strcmp(name, as->tname) == 0);
			free(name);
			return (match);
		}
		if (audit_rec_get_uint(r, AUDIT_F_SESSION_ID, &v) == 0)
			return (v == as->tid);
		return (sp != NULL && sp->session == as->tid);
	}
	return (0);
}

/* Add one field to a format tree as audit_NAME, escaped. */
static void
audit_show_format_field(struct format_tree *ft, const struct audit_field *f)
{
	const char	*name;
	char		*s, key[64];
	struct audit_buf b;

	if ((name = audit_tag_name(f->tag)) == NULL)
		return;
	snprintf(key, sizeof key, "audit_%s", name);
	audit_buf_init(&b);
	switch (AUDIT_KIND(f->tag)) {
	case AUDIT_KIND_UINT:
		switch (f->tag) {
		case AUDIT_F_PANE:
			audit_printf(&b, "%%");
			break;
		case AUDIT_F_WINDOW:
			audit_printf(&b, "@");
			break;
		case AUDIT_F_SESSION_ID:
			audit_printf(&b, "$");
			break;
		}
		audit_printf(&b, "%llu",
		    (unsigned long long)audit_get64(f->value));
		break;
	case AUDIT_KIND_INT:
		audit_printf(&b, "%lld", (long long)audit_get64(f->value));
		break;
	case AUDIT_KIND_BYTES:
		if (f->tag != AUDIT_F_DATA) {
			s = xmalloc(f->len * 2 + 1);
			sodium_bin2hex(s, f->len * 2 + 1, f->value, f->len);
			audit_printf(&b, "%s", s);
			free(s);
			break;
		}
		/* FALLTHROUGH */
	default:
		utf8_stravisx(&s, f->value, f->len,
		    VIS_OCTAL|VIS_CSTYLE|VIS_TAB|VIS_NL);
		audit_printf(&b, "%s", s);
		free(s);
		break;
	}
	audit_buf_add(&b, "", 1);
	format_add(ft, key, "%s", b.data);
	audit_buf_free(&b);
}

/* Build the format tree of a record: every field, and a few derived. */
static struct format_tree *
audit_show_format(struct audit_show *as, const struct audit_record *r,
    const char *line)
{
	struct format_tree	*ft;
	struct audit_buf	 b;
	const char		*name;
	char			*s;
	u_int			 i;

	ft = format_create(NULL, as->item, FORMAT_NONE, 0);
	for (i = 0; i < r->nfields; i++)
		audit_show_format_field(ft, &r->fields[i]);
	format_add(ft, "audit_seq", "%llu", (unsigned long long)r->seq);
	format_add(ft, "audit_offset", "%lld", (long long)r->offset);
	name = audit_type_name(r->type);
	if (name != NULL)
		format_add(ft, "audit_type", "%s", name);
	else
		format_add(ft, "audit_type", "unknown-%u", r->type);
	format_add(ft, "audit_line", "%s", line);

	audit_buf_init(&b);
	audit_print_time(&b, r->time);
	audit_buf_add(&b, "", 1);
	format_add(ft, "audit_time", "%s", b.data);
	audit_buf_free(&b);
	format_add(ft, "audit_time_us", "%llu", (unsigned long long)r->time);

	/* The acting user and client, whichever field holds them. */
	if ((s = audit_rec_get_str(r, AUDIT_F_USER)) == NULL)
		s = audit_rec_get_str(r, AUDIT_F_CAUSE_USER);
	if (s != NULL && r->type != AUDIT_SERVER_START &&
	    r->type != AUDIT_SEGMENT && r->type != AUDIT_LOG_START)
		format_add(ft, "audit_user", "%s", s);
	free(s);
	if (audit_rec_find(r, AUDIT_F_CLIENT) == NULL &&
	    (s = audit_rec_get_str(r, AUDIT_F_CAUSE_CLIENT)) != NULL) {
		format_add(ft, "audit_client", "%s", s);
		free(s);
	}
	return (ft);
}

/* Show one record, if it is selected. */
static void
audit_show_record(struct audit_show *as, const struct audit_record *r)
{
	struct args		*args = as->args;
	struct format_tree	*ft;
	const char		*template;
	char			*expanded;
	int			 keep;

	audit_show_track(as, r);
	if (as->ex != NULL) {
		audit_export_record(as->ex, r);
		return;
	}
	if (!audit_show_match_target(as, r) ||
	    !audit_select_match(&as->sel, r))
		return;
	if (as->ix != NULL) {
		audit_index_record(as->ix, r);
		return;
	}

	if (args_has(args, 'T') && !args_has(args, 'f')) {
		audit_typed_record(as->out, r);
		return;
	}
	as->line.len = 0;
	if (args_has(args, 'J'))
		audit_print_json(r, &as->line);
	else
		audit_print_text(r, &as->line);
	audit_buf_add(&as->line, "", 1);

	if (!args_has(args, 'F') && !args_has(args, 'f')) {
		as->out->print(as->out->data, as->line.data);
		return;
	}
	ft = audit_show_format(as, r, as->line.data);
	if (args_has(args, 'f')) {
		expanded = format_expand(ft, args_get(args, 'f'));
		keep = format_true(expanded);
		free(expanded);
		if (!keep) {
			format_free(ft);
			return;
		}
	}
	if (args_has(args, 'T')) {
		audit_typed_record(as->out, r);
		format_free(ft);
		return;
	}
	if ((template = args_get(args, 'F')) == NULL)
		template = "#{audit_line}";
	expanded = format_expand(ft, template);
	as->out->print(as->out->data, expanded);
	free(expanded);
	format_free(ft);
}

/* Print every record of one file; stop at the first bad one. */
static void
audit_show_file(struct audit_show *as, const char *path)
{
	struct audit_out	*out = as->out;
	struct audit_reader	*r;
	struct audit_record	*rec;
	char			*cause;
	int			 n;

	if ((r = audit_reader_open(path, &cause)) == NULL) {
		out->error(out->data, cause);
		out->errors++;
		free(cause);
		return;
	}
	rec = xmalloc(sizeof *rec);
	while ((n = audit_reader_next(r, rec)) == 1)
		audit_show_record(as, rec);
	if (args_has(as->args, 'T'))
		audit_typed_flush(as->out);
	if (n == -1 && r->error != NULL) {
		out->error(out->data, r->error);
		out->errors++;
	}
	free(rec);
	audit_reader_close(r);
}

/* Run show-audit over a list of files. */
static void
audit_show_files(struct audit_show *as, char **paths, u_int n)
{
	u_int	i;

	for (i = 0; i < n; i++)
		audit_show_file(as, paths[i]);
}

static void
audit_show_version(struct audit_out *out)
{
	char	*s;

	xasprintf(&s, "tmux-audit %s (tmux %s) format %u", AUDIT_VERSION,
	    getversion(), AUDIT_FORMAT);
	out->print(out->data, s);
	free(s);
}

/*
 * Is this a verification anchored to nothing (-V without -k)? If it finds
 * nothing wrong, it exits with a status of its own, not 0: a log rewritten
 * and sealed again with fresh keys verifies just the same, so it must not
 * look like success. In the server, the client that ran the command gets
 * that status, as cmdq_error gives it 1 for an error.
 */
static int
audit_show_unanchored(struct args *args)
{
	return (args_has(args, 'V') && !args_has(args, 'k') &&
	    !args_has(args, 'v') && !args_has(args, 'G'));
}

/* Verify a list of files, against the -k host key if given. */
static void
audit_show_verify(struct audit_show *as, char **paths, u_int n)
{
	struct audit_out	*out = as->out;
	u_char			 pk[AUDIT_PK_LEN];
	char			*cause;

	if (args_has(as->args, 'w') &&
	    audit_witness_read(args_get(as->args, 'w'), &cause) != 0) {
		out->error(out->data, cause);
		out->errors++;
		free(cause);
		return;
	}
	if (args_has(as->args, 'k')) {
		if (audit_host_key_read_public(args_get(as->args, 'k'), pk,
		    &cause) != 0) {
			out->error(out->data, cause);
			out->errors++;
			free(cause);
			return;
		}
		audit_verify(out, paths, n, pk);
	} else
		audit_verify(out, paths, n, NULL);
}

/* Print a run key, its fingerprint and whether the host key certified it. */
static void
audit_show_run_key(struct audit_out *out, const u_char *run,
    const u_char *key, const u_char *host)
{
	char	*text, *fp, *hfp = NULL, *line, runhex[33];

	sodium_bin2hex(runhex, sizeof runhex, run, 16);
	text = audit_key_text(key);
	fp = audit_key_fingerprint(key);
	if (host != NULL)
		hfp = audit_key_fingerprint(host);
	xasprintf(&line, "run %s key %s (%s), %s%s", runhex, text, fp,
	    host != NULL ? "certified by host key " : "not certified",
	    host != NULL ? hfp : "");
	out->print(out->data, line);
	free(line);
	free(text);
	free(fp);
	free(hfp);
}

/* -K: the first signing key of each run in a list of files. */
static void
audit_show_keys(struct audit_show *as, char **paths, u_int n)
{
	struct audit_reader		*r;
	struct audit_record		*rec;
	const struct audit_field	*run, *key, *host;
	char				*cause;
	u_int				 i;
	uint64_t			 first;

	rec = xmalloc(sizeof *rec);
	for (i = 0; i < n; i++) {
		if ((r = audit_reader_open(paths[i], &cause)) == NULL) {
			as->out->error(as->out->data, cause);
			as->out->errors++;
			free(cause);
			continue;
		}
		if (audit_reader_next(r, rec) == 1 &&
		    rec->type == AUDIT_SEGMENT &&
		    audit_rec_get_uint(rec, AUDIT_F_FIRST, &first) == 0 &&
		    (run = audit_rec_find(rec, AUDIT_F_RUN)) != NULL &&
		    run->len == 16 &&
		    (key = audit_rec_find(rec, AUDIT_F_RUN_KEY)) != NULL &&
		    key->len == AUDIT_PK_LEN) {
			host = audit_rec_find(rec, AUDIT_F_HOST_KEY);
			if (host != NULL && host->len != AUDIT_PK_LEN)
				host = NULL;
			audit_show_run_key(as->out, run->value, key->value,
			    host != NULL ? host->value : NULL);
		}
		audit_reader_close(r);
	}
	free(rec);
}

/* Act on a list of files as the flags say. */
static void
audit_show_paths(struct audit_show *as, char **paths, u_int n)
{
	if (args_has(as->args, 'V'))
		audit_show_verify(as, paths, n);
	else if (args_has(as->args, 'K'))
		audit_show_keys(as, paths, n);
	else
		audit_show_files(as, paths, n);
}

/* A segment file followed by -W. */
struct audit_follow {
	char			*path;
	struct audit_reader	*r;		/* NULL once it is complete */
};

/*
 * Follow a log directory (-W): print what is there, then what is added,
 * for ever. Every segment file is followed on its own until its final
 * seal, so the segments of several servers writing to one directory (a
 * user's servers on different sockets) are all followed. Each time round,
 * the files are read in name order, each as far as it has been written; a
 * record cut short at the end of a file is one being written.
 */
static void
audit_show_follow(struct audit_show *as, const char *dir)
{
	struct audit_out	*out = as->out;
	struct audit_follow	*fl = NULL, *f;
	struct audit_record	*rec;
	char			**paths, *cause;
	u_int			  n, nf = 0, i, j;
	uint64_t		  v;
	int			  k;

	rec = xmalloc(sizeof *rec);
	for (;;) {
		if (audit_list_dir(dir, &paths, &n, &cause) != 0) {
			out->error(out->data, cause);
			out->errors++;
			free(cause);
			break;
		}
		for (i = 0; i < n; i++) {
			for (j = 0; j < nf; j++) {
				if (strcmp(fl[j].path, paths[i]) == 0)
					break;
			}
			if (j == nf) {
				fl = xreallocarray(fl, nf + 1, sizeof *fl);
				f = &fl[nf++];
				f->path = paths[i];
				f->r = audit_reader_open(f->path, &cause);
				if (f->r == NULL) {
					out->error(out->data, cause);
					out->errors++;
					free(cause);
				}
			} else
				free(paths[i]);
		}
		free(paths);

		for (j = 0; j < nf; j++) {
			if ((f = &fl[j])->r == NULL)
				continue;
			while ((k = audit_reader_next(f->r, rec)) == 1) {
				audit_show_record(as, rec);
				if (rec->type == AUDIT_SEAL &&
				    audit_rec_get_uint(rec, AUDIT_F_FINAL,
				    &v) == 0 && v == 1) {
					k = 2;	/* the segment is complete */
					break;
				}
			}
			if (k == -1 && f->r->eof &&
			    strstr(f->r->error, "truncated") != NULL) {
				free(f->r->error);
				f->r->error = NULL;
				k = 0;
			} else if (k == -1) {
				out->error(out->data, f->r->error);
				out->errors++;
			}
			f->r->eof = 0;
			if (k != 0) {
				audit_reader_close(f->r);
				f->r = NULL;
			}
		}
		fflush(stdout);
		usleep(200000);
	}
	if (args_has(as->args, 'T'))
		audit_typed_flush(as->out);
	for (j = 0; j < nf; j++) {
		if (fl[j].r != NULL)
			audit_reader_close(fl[j].r);
		free(fl[j].path);
	}
	free(fl);
	free(rec);
}

/* Read every segment in a directory. */
static void	audit_show_dir(struct audit_show *, const char *);
static void
audit_show_dir(struct audit_show *as, const char *dir)
{
	struct audit_out	*out = as->out;
	char			**paths, *cause;
	u_int			  n, i;

	if (audit_list_dir(dir, &paths, &n, &cause) != 0) {
		out->error(out->data, cause);
		out->errors++;
		free(cause);
		return;
	}
	if (n == 0) {
		xasprintf(&cause, "%s: no audit log files", dir);
		out->error(out->data, cause);
		out->errors++;
		free(cause);
	}
	if (!args_has(as->args, 'W')) {
		audit_show_paths(as, paths, n);
		for (i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
		return;
	}

	/* Follow: read what is there, then wait for more, for ever. */
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	audit_show_follow(as, dir);
}

/*
 * Work out what -t names from its text: %N a pane, @N or anything with a
 * colon a window, $N or a name a session. In the server a live target is
 * resolved by tmux itself first.
 */
static int
audit_show_target(struct audit_show *as, const char *target, char **cause)
{
	struct cmd_find_state	 fs;
	const char		*errstr, *dot, *colon;
	enum cmd_find_type	 type;

	colon = strchr(target, ':');
	dot = strchr(colon != NULL ? colon : target, '.');
	if (*target == '%' || (colon != NULL && dot != NULL)) {
		as->ttype = AUDIT_TARGET_PANE;
		type = CMD_FIND_PANE;
	} else if (*target == '@' || colon != NULL) {
		as->ttype = AUDIT_TARGET_WINDOW;
		type = CMD_FIND_WINDOW;
	} else {
		as->ttype = AUDIT_TARGET_SESSION;
		type = CMD_FIND_SESSION;
	}

	if (as->item != NULL && cmd_find_target(&fs, as->item, target, type,
	    CMD_FIND_QUIET) == 0) {
		switch (as->ttype) {
		case AUDIT_TARGET_PANE:
			as->tid = fs.wp->id;
			break;
		case AUDIT_TARGET_WINDOW:
			as->tid = fs.w->id;
			break;
		default:
			as->tid = fs.s->id;
			break;
		}
		return (0);
	}

	if (*target == '%' || *target == '@' || *target == '$') {
		as->tid = strtonum(target + 1, 0, UINT_MAX, &errstr);
		if (errstr == NULL)
			return (0);
	} else if (as->ttype == AUDIT_TARGET_SESSION && *target != '\0') {
		as->tname = xstrdup(target);
		return (0);
	}
	xasprintf(cause, "can't find audit target: %s", target);
	return (-1);
}

/* Set up a show-audit run from its arguments. */
static int
audit_show_init(struct audit_show *as, struct audit_out *out,
    struct cmdq_item *item, struct args *args)
{
	const char	*errstr;
	char		*cause;

	memset(as, 0, sizeof *as);
	as->out = out;
	as->item = item;
	as->args = args;
	audit_buf_init(&as->line);
	if (args_has(args, 't') && args_has(args, 'P')) {
		cause = xstrdup("-P and -t cannot be used together");
		goto fail;
	}
	if (args_has(args, 't') &&
	    audit_show_target(as, args_get(args, 't'), &cause) != 0)
		goto fail;
	if (args_has(args, 'P')) {
		as->ttype = AUDIT_TARGET_POPUP;
		as->tid = strtonum(args_get(args, 'P'), 1, UINT_MAX, &errstr);
		if (errstr != NULL) {
			xasprintf(&cause, "bad popup: %s (a number from 1)",
			    args_get(args, 'P'));
			goto fail;
		}
	}
	if (audit_select_parse(&as->sel, args, &cause) != 0)
		goto fail;
	if (args_has(args, 'l'))
		as->ix = audit_index_create();
	if ((args_has(args, 'e') || args_has(args, 'R')) &&
	    audit_show_export(as, &cause) != 0)
		goto fail;
	return (0);

fail:
	out->error(out->data, cause);
	free(cause);
	return (-1);
}

/* Set up -e (export) or -R (replay) of the -t pane. */
static int
audit_show_export(struct audit_show *as, char **cause)
{
	struct args		*args = as->args;
	enum audit_export_kind	 kind;
	const char		*s, *errstr;
	double			 speed = 1.0, maxidle = -1;
	uint64_t		 from_seq = 0, from_time = 0;
	char			*end;

	if (as->ttype != AUDIT_TARGET_PANE &&
	    as->ttype != AUDIT_TARGET_POPUP) {
		*cause = xstrdup("-e and -R need a pane or a popup: -t %N or "
		    "-P N");
		return (-1);
	}
	if (args_has(args, 'R'))
		kind = AUDIT_EXPORT_REPLAY;
	else if (strcmp(args_get(args, 'e'), "asciicast") == 0)
		kind = AUDIT_EXPORT_ASCIICAST;
	else if (strcmp(args_get(args, 'e'), "scriptreplay") == 0)
		kind = AUDIT_EXPORT_SCRIPTREPLAY;
	else {
		xasprintf(cause, "unknown export: %s (asciicast or "
		    "scriptreplay)", args_get(args, 'e'));
		return (-1);
	}
	if ((s = args_get(args, 'x')) != NULL) {
		speed = strtod(s, &end);
		if (*end != '\0' || speed <= 0) {
			xasprintf(cause, "bad speed: %s", s);
			return (-1);
		}
	}
	if ((s = args_get(args, 'm')) != NULL) {
		maxidle = strtod(s, &end);
		if (*end != '\0' || maxidle < 0) {
			xasprintf(cause, "bad max idle: %s", s);
			return (-1);
		}
	}
	if ((s = args_get(args, 'o')) != NULL) {
		from_seq = strtonum(s, 0, LLONG_MAX, &errstr);
		if (errstr != NULL) {
			as->sel.since = 0;
			if (audit_select_parse_time(s, &from_time) != 0) {
				xasprintf(cause, "bad start: %s (a sequence "
				    "number or a time)", s);
				return (-1);
			}
			from_seq = 0;
		}
	}
	as->ex = audit_export_create(kind, as->tid,
	    as->ttype == AUDIT_TARGET_POPUP, args_get(args, 'O'), as->out,
	    cause);
	if (as->ex == NULL)
		return (-1);
	audit_export_set(as->ex, speed, maxidle, from_seq, from_time,
	    args_has(args, 'I'));
	return (0);
}

/* Finish what the records built up: the index, an export. */
static void
audit_show_finish(struct audit_show *as)
{
	char	*cause;

	if (as->ix != NULL) {
		audit_index_print(as->ix, as->out);
		as->ix = NULL;
	}
	if (as->ex != NULL) {
		if (audit_export_finish(as->ex, &cause) != 0) {
			as->out->error(as->out->data, cause);
			as->out->errors++;
			free(cause);
		}
		as->ex = NULL;
	}
}

static void
audit_show_free(struct audit_show *as)
{
	u_int	i;

	audit_show_finish(as);
	audit_select_free(&as->sel);
	for (i = 0; i < as->nsnames; i++)
		free(as->snames[i]);
	free(as->snames);
	audit_buf_free(&as->line);
	free(as->panes);
	free(as->popups);
	free(as->tname);
}

static void
cmd_show_audit_print(void *data, const char *line)
{
	cmdq_print(data, "%s", line);
}

static void
cmd_show_audit_error(void *data, const char *line)
{
	cmdq_error(data, "%s", line);
}

/* Quote a string for sh(1). */
static void
audit_show_quote(struct audit_buf *b, const char *s)
{
	audit_buf_add(b, " '", 2);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			audit_buf_add(b, "'\\''", 4);
		else
			audit_buf_add(b, s, 1);
	}
	audit_buf_add(b, "'", 1);
}

/*
 * -R (replay) and -W (follow) need a terminal of their own: open a new
 * window that runs show-audit outside the server on this server's log.
 */
static enum cmd_retval
cmd_show_audit_window(struct cmd *self, struct cmdq_item *item)
{
	struct args		*args = cmd_get_args(self);
	struct audit_show	 as;
	struct audit_out	 out = {
		cmd_show_audit_print, cmd_show_audit_error, item, 0
	};
	struct audit_buf	 b;
	struct cmd_parse_result	*pr;
	struct args_value	*values;
	char			 exe[PATH_MAX], *argv[5], *id;
	const char		*dir, *flags = "xmoabIJTFfUCYgP";
	char			 flag[3] = "-?";
	ssize_t			 n;
	u_int			 npaths, i;

	if (args_has(args, 'd'))
		dir = args_get(args, 'd');
	else {
		audit_current_files(&npaths);
		if (npaths == 0 || (dir = audit_current_dir()) == NULL) {
			cmdq_error(item, "audit log: not written by this server "
			    "(audit-log is off)");
			return (CMD_RETURN_ERROR);
		}
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) == -1) {
		cmdq_error(item, "audit log: cannot find the tmux binary");
		return (CMD_RETURN_ERROR);
	}
	exe[n] = '\0';

	audit_buf_init(&b);
	audit_show_quote(&b, exe);
	audit_buf_add(&b, " show-audit -d", 14);
	audit_show_quote(&b, dir);
	audit_buf_add(&b, args_has(args, 'R') ? " -R" : " -W", 3);
	if (args_has(args, 't')) {
		if (audit_show_init(&as, &out, item, args) != 0) {
			audit_buf_free(&b);
			return (CMD_RETURN_ERROR);
		}
		xasprintf(&id, "%c%u", as.ttype == AUDIT_TARGET_PANE ? '%' :
		    as.ttype == AUDIT_TARGET_WINDOW ? '@' : '$', as.tid);
		if (as.tname != NULL) {
			free(id);
			id = xstrdup(as.tname);
		}
		audit_buf_add(&b, " -t", 3);
		audit_show_quote(&b, id);
		free(id);
		audit_show_free(&as);
	}
	for (i = 0; flags[i] != '\0'; i++) {
		if (!args_has(args, flags[i]))
			continue;
		flag[1] = flags[i];
		audit_buf_add(&b, " ", 1);
		audit_buf_add(&b, flag, 2);
		if (strchr("IJT", flags[i]) == NULL)
			audit_show_quote(&b, args_get(args, flags[i]));
	}
	audit_buf_add(&b, "; echo '[press enter]'; read x", 30);
	audit_buf_add(&b, "", 1);

	argv[0] = (char *)"new-window";
	argv[1] = (char *)"-n";
	argv[2] = (char *)(args_has(args, 'R') ? "audit-replay" : "audit-follow");
	argv[3] = (char *)b.data;
	argv[4] = NULL;
	values = args_from_vector(4, argv);
	pr = cmd_parse_from_arguments(values, 4, NULL);
	args_free_values(values, 4);
	free(values);
	audit_buf_free(&b);
	if (pr->status != CMD_PARSE_SUCCESS) {
		cmdq_error(item, "%s", pr->error);
		free(pr->error);
		return (CMD_RETURN_ERROR);
	}
	cmdq_insert_after(item, cmdq_get_command(pr->cmdlist, NULL));
	cmd_list_free(pr->cmdlist);
	return (CMD_RETURN_NORMAL);
}

static enum cmd_retval
cmd_show_audit_exec(struct cmd *self, struct cmdq_item *item)
{
	struct args		*args = cmd_get_args(self);
	struct client		*c = cmdq_get_client(item);
	struct audit_out	 out = {
		cmd_show_audit_print, cmd_show_audit_error, item, 0
	};
	struct audit_show	 as;
	char			**paths;
	u_int			  n;

	if (args_has(args, 'v')) {
		audit_show_version(&out);
		return (CMD_RETURN_NORMAL);
	}
	if (!audit_client_may_read(c)) {
		cmdq_error(item, "audit log: only the server owner may read it");
		return (CMD_RETURN_ERROR);
	}
	if (args_has(args, 'G')) {
		cmdq_error(item, "show-audit -G runs outside the server: "
		    "tmux show-audit -G file");
		return (CMD_RETURN_ERROR);
	}
	if (args_has(args, 'R') || args_has(args, 'W'))
		return (cmd_show_audit_window(self, item));
	if (args_has(args, 'V'))
		audit_seal_now();
	audit_flush();

	if (audit_show_init(&as, &out, item, args) != 0)
		return (CMD_RETURN_ERROR);
	if (args_has(args, 'd'))
		audit_show_dir(&as, args_get(args, 'd'));
	else {
		paths = audit_current_files(&n);
		if (n == 0) {
			audit_show_free(&as);
			cmdq_error(item, "audit log: not written by this server "
			    "(audit-log is off)");
			return (CMD_RETURN_ERROR);
		}
		audit_show_paths(&as, paths, n);
	}
	audit_show_free(&as);
	if (out.errors != 0)
		return (CMD_RETURN_ERROR);
	if (audit_show_unanchored(args) && c != NULL &&
	    (c->session == NULL || (c->flags & CLIENT_CONTROL)))
		c->retval = AUDIT_EXIT_UNANCHORED;
	return (CMD_RETURN_NORMAL);
}

static void
audit_main_print(__unused void *data, const char *line)
{
	printf("%s\n", line);
}

static void
audit_main_error(__unused void *data, const char *line)
{
	fflush(stdout);
	fprintf(stderr, "%s\n", line);
}

/*
 * Called by the tmux client before it connects to a server: show-audit with
 * -d or -v needs no server, so run it here. Returns the exit status, or -1
 * if the command line is not for us.
 */
int
audit_client_main(int argc, char **argv)
{
	struct audit_out	 out = {
		audit_main_print, audit_main_error, NULL, 0
	};
	struct args_value	*values;
	struct args		*args;
	struct audit_show	 as;
	char			*cause;
	int			 i, unanchored;

	if (argc < 1 || strcmp(argv[0], cmd_show_audit_entry.name) != 0)
		return (-1);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], ";") == 0)
			return (-1);
	}

	values = args_from_vector(argc, argv);
	args = args_parse(&cmd_show_audit_entry.args, values, argc, &cause);
	args_free_values(values, argc);
	free(values);
	if (args == NULL) {
		fprintf(stderr, "%s\nusage: %s %s\n", cause,
		    cmd_show_audit_entry.name, cmd_show_audit_entry.usage);
		free(cause);
		return (1);
	}
	if (!args_has(args, 'd') && !args_has(args, 'v') &&
	    !args_has(args, 'G')) {
		args_free(args);
		return (-1);
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return (1);
	}

	if (args_has(args, 'v'))
		audit_show_version(&out);
	else if (args_has(args, 'G')) {
		if (audit_host_key_generate(args_get(args, 'G'), &cause) != 0) {
			audit_main_error(NULL, cause);
			free(cause);
			out.errors++;
		}
	} else if (audit_show_init(&as, &out, NULL, args) == 0) {
		audit_show_dir(&as, args_get(args, 'd'));
		audit_show_free(&as);
	} else
		out.errors++;
	unanchored = audit_show_unanchored(args);
	args_free(args);
	fflush(stdout);
	if (out.errors != 0)
		return (1);
	return (unanchored ? AUDIT_EXIT_UNANCHORED : 0);
}
