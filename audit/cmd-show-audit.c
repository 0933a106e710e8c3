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
 * directory copied from another machine can be read anywhere. -d may be
 * given more than once, and may name a tree of log directories (one per
 * host, as they are collected centrally).
 */

static enum cmd_retval	cmd_show_audit_exec(struct cmd *, struct cmdq_item *);

const struct cmd_entry cmd_show_audit_entry = {
	.name = "show-audit",
	.alias = NULL,

	.args = { "a:b:C:c:d:e:F:f:G:g:HIJk:Klm:o:O:P:RTt:U:Vvw:Wx:Y:", 0, 0,
		  NULL },
	.usage = "[-HIJKlRTVvW] [-a since] [-b until] [-C client] "
		 "[-c collector-key] [-d directory] "
		 "[-e asciicast|html|scriptreplay] [-F format] "
		 "[-f filter] [-G key-file] [-g text] [-k public-key] "
		 "[-m max-idle] [-O output] [-o start] [-P popup] [-t target] "
		 "[-U user] [-w witness-file] [-x speed] [-Y types]",

	.flags = 0,
	.exec = cmd_show_audit_exec
};

/* One run of show-audit. */
struct audit_show {
	struct audit_out	*out;
	struct cmdq_item	*item;		/* NULL outside the server */
	struct args		*args;

	struct audit_target	 t;
	struct audit_select	 sel;
	struct audit_index	*ix;
	struct audit_history	*hist;
	struct audit_export	*ex;
	struct audit_typed	*typed;
	struct audit_html	*html;

	struct audit_buf	 line;
};

/* Is this an HTML report (-e html)? */
static int
audit_show_is_html(struct args *args)
{
	const char	*e = args_get(args, 'e');

	return (e != NULL && strcmp(e, "html") == 0);
}

/* Does -f keep a record? */
static int
audit_show_keep(struct audit_show *as, struct format_tree *ft)
{
	char	*expanded;
	int	 keep;

	expanded = format_expand(ft, args_get(as->args, 'f'));
	keep = format_true(expanded);
	free(expanded);
	return (keep);
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

	audit_target_track(&as->t, r);
	if (as->ix != NULL)
		audit_index_track(as->ix, r);
	if (as->ex != NULL) {
		audit_export_record(as->ex, r);
		return;
	}
	if (as->html != NULL) {
		keep = 1;
		if (args_has(args, 'f')) {
			as->line.len = 0;
			audit_print_text(r, &as->line);
			audit_buf_add(&as->line, "", 1);
			ft = audit_format_record(as->item, r, as->line.data);
			keep = audit_show_keep(as, ft);
			format_free(ft);
		}
		audit_html_record(as->html, r, keep);
		return;
	}
	if (as->hist != NULL) {
		audit_history_record(as->hist, r, audit_target_match(&as->t,
		    r) && audit_select_match(&as->sel, r));
		return;
	}
	if (!audit_target_match(&as->t, r) ||
	    !audit_select_match(&as->sel, r))
		return;
	if (as->ix != NULL) {
		audit_index_record(as->ix, r);
		return;
	}

	if (args_has(args, 'T') && !args_has(args, 'f')) {
		audit_typed_record(as->typed, r);
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
	ft = audit_format_record(as->item, r, as->line.data);
	if (args_has(args, 'f') && !audit_show_keep(as, ft)) {
		format_free(ft);
		return;
	}
	if (args_has(args, 'T')) {
		audit_typed_record(as->typed, r);
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

/* audit_show_record for audit_follow. */
static void
audit_show_record_cb(void *arg, const struct audit_record *r)
{
	audit_show_record(arg, r);
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

	if (as->html != NULL)
		audit_html_file(as->html, path);
	if ((r = audit_reader_open(path, &cause)) == NULL) {
		out->error(out->data, cause);
		out->errors++;
		free(cause);
		return;
	}
	rec = xmalloc(sizeof *rec);
	while ((n = audit_reader_next(r, rec)) == 1)
		audit_show_record(as, rec);
	if (as->typed != NULL)
		audit_typed_flush(as->typed);
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
 * Is this a verification anchored to nothing (-V, or the report of -e
 * html, without -k or -c)? If it finds nothing wrong, it exits with a status
 * of its own, not 0: a log rewritten and sealed again with fresh keys
 * verifies just the same, so it must not look like success. In the server,
 * the client that ran the command gets that status, as cmdq_error gives it
 * 1 for an error.
 */
static int
audit_show_unanchored(struct args *args)
{
	return ((args_has(args, 'V') || audit_show_is_html(args)) &&
	    !args_has(args, 'k') && !args_has(args, 'c') &&
	    !args_has(args, 'v') && !args_has(args, 'G'));
}

/* Act on a list of files as the flags say. */
static void
audit_show_paths(struct audit_show *as, char **paths, u_int n)
{
	if (as->html != NULL)
		audit_show_files(as, paths, n);
	else if (args_has(as->args, 'V')) {
		audit_verify_paths(as->out, paths, n,
		    args_get(as->args, 'w'), args_get(as->args, 'k'),
		    args_get(as->args, 'c'));
	} else if (args_has(as->args, 'K'))
		audit_run_keys(as->out, paths, n);
	else
		audit_show_files(as, paths, n);
}

/* Read every segment in a directory (one -d, or one of a tree). */
static void
audit_show_dir(struct audit_show *as, const char *dir)
{
	struct audit_out	*out = as->out;
	char			**paths, *cause;
	u_int			  n, i;

	if (as->html != NULL)
		audit_html_source(as->html, dir);
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
	audit_show_paths(as, paths, n);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/*
 * The log directories every -d names, in order: a -d is a log directory
 * or a tree of them.
 */
static char **
audit_show_dirs(struct audit_show *as, u_int *n)
{
	struct audit_out	*out = as->out;
	struct args_value	*av;
	char			**dirs = NULL, **found, *cause;
	u_int			  nfound, i;

	*n = 0;
	av = args_first_value(as->args, 'd');
	for (; av != NULL; av = args_next_value(av)) {
		if (audit_list_tree(av->string, &found, &nfound, &cause) != 0) {
			out->error(out->data, cause);
			out->errors++;
			free(cause);
			continue;
		}
		if (nfound == 0) {
			xasprintf(&cause, "%s: no audit log files", av->string);
			out->error(out->data, cause);
			out->errors++;
			free(cause);
		}
		dirs = xreallocarray(dirs, *n + nfound + 1, sizeof *dirs);
		for (i = 0; i < nfound; i++)
			dirs[(*n)++] = found[i];
		free(found);
	}
	return (dirs);
}

/*
 * Read what -d names. Verifying (-V) and listing keys (-K) take the files
 * of every directory together, so a run's segments are checked as a
 * series wherever they are; the rest reads each directory in turn.
 * Following (-W) takes one log directory.
 */
static void
audit_show_dirs_read(struct audit_show *as)
{
	struct audit_out	*out = as->out;
	struct args_value	*av;
	char			**dirs, **paths = NULL, **some, *cause;
	u_int			  ndirs, npaths = 0, nsome, i, j;

	if (args_has(as->args, 'W')) {
		av = args_first_value(as->args, 'd');
		if (av == NULL || args_next_value(av) != NULL) {
			out->error(out->data, "-W follows one directory");
			out->errors++;
			return;
		}
		audit_follow(as->out, args_get(as->args, 'd'),
		    audit_show_record_cb, as);
		if (as->typed != NULL)
			audit_typed_flush(as->typed);
		return;
	}

	dirs = audit_show_dirs(as, &ndirs);
	if (as->html != NULL ||
	    (!args_has(as->args, 'V') && !args_has(as->args, 'K'))) {
		for (i = 0; i < ndirs; i++)
			audit_show_dir(as, dirs[i]);
		goto out;
	}
	for (i = 0; i < ndirs; i++) {
		if (audit_list_dir(dirs[i], &some, &nsome, &cause) != 0) {
			out->error(out->data, cause);
			out->errors++;
			free(cause);
			continue;
		}
		if (nsome == 0) {
			xasprintf(&cause, "%s: no audit log files", dirs[i]);
			out->error(out->data, cause);
			out->errors++;
			free(cause);
		}
		paths = xreallocarray(paths, npaths + nsome + 1,
		    sizeof *paths);
		for (j = 0; j < nsome; j++)
			paths[npaths++] = some[j];
		free(some);
	}
	audit_show_paths(as, paths, npaths);
	for (i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);

out:
	for (i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
}

/* audit_typed_print for the -T view. */
static void
audit_show_typed_cb(void *arg, const struct audit_typed_line *tl)
{
	struct audit_show	*as = arg;

	audit_typed_print(as->out, tl);
}

/* Set up a show-audit run from its arguments. */
static int
audit_show_init(struct audit_show *as, struct audit_out *out,
    struct cmdq_item *item, struct args *args)
{
	const char	*errstr;
	char		*cause;
	int		 by_time;

	memset(as, 0, sizeof *as);
	as->out = out;
	as->item = item;
	as->args = args;
	audit_buf_init(&as->line);
	if (args_has(args, 't') && args_has(args, 'P')) {
		cause = xstrdup("-P and -t cannot be used together");
		goto fail;
	}
	if (args_has(args, 't') && audit_target_parse(&as->t, item,
	    args_get(args, 't'), &cause) != 0)
		goto fail;
	if (args_has(args, 'P')) {
		as->t.ttype = AUDIT_T_POPUP;
		as->t.tid = strtonum(args_get(args, 'P'), 1, UINT_MAX, &errstr);
		if (errstr != NULL) {
			xasprintf(&cause, "bad popup: %s (a number from 1)",
			    args_get(args, 'P'));
			goto fail;
		}
	}
	if (audit_select_parse(&as->sel, args, &cause) != 0)
		goto fail;
	if (audit_show_is_html(args)) {
		if (args_has(args, 'H') || args_has(args, 'K') ||
		    args_has(args, 'l') || args_has(args, 'R') ||
		    args_has(args, 'T') || args_has(args, 'V') ||
		    args_has(args, 'W')) {
			cause = xstrdup("-e html cannot be used with -H, -K, -l, "
			    "-R, -T, -V or -W");
			goto fail;
		}
		as->html = audit_html_create(args, item, &as->t, &as->sel,
		    out);
		return (0);
	}
	if (args_has(args, 'H') && (args_has(args, 'l') ||
	    args_has(args, 'T') || args_has(args, 'W') || args_has(args, 'e') ||
	    args_has(args, 'R'))) {
		cause = xstrdup("-H cannot be used with -e, -l, -R, -T or -W");
		goto fail;
	}
	if (args_has(args, 'H'))
		as->hist = audit_history_create();
	if (args_has(args, 'l'))
		as->ix = audit_index_create();
	if (args_has(args, 'T'))
		as->typed = audit_typed_create(audit_show_typed_cb, as);
	if (args_has(args, 'e') || args_has(args, 'R')) {
		as->ex = audit_export_from_args(args, &as->t, out, &by_time,
		    &cause);
		if (as->ex == NULL)
			goto fail;
		if (by_time)
			as->sel.since = 0;
	}
	return (0);

fail:
	out->error(out->data, cause);
	free(cause);
	return (-1);
}

/* Finish what the records built up: the index, an export, a report. */
static void
audit_show_finish(struct audit_show *as)
{
	char	*cause;

	if (as->ix != NULL) {
		audit_index_print(as->ix, as->out);
		as->ix = NULL;
	}
	if (as->hist != NULL) {
		audit_history_print(as->hist, as->out, as->item, as->args);
		as->hist = NULL;
	}
	if (as->ex != NULL) {
		if (audit_export_finish(as->ex, &cause) != 0) {
			as->out->error(as->out->data, cause);
			as->out->errors++;
			free(cause);
		}
		as->ex = NULL;
	}
	if (as->html != NULL) {
		audit_html_finish(as->html);
		as->html = NULL;
	}
}

static void
audit_show_free(struct audit_show *as)
{
	audit_show_finish(as);
	if (as->typed != NULL)
		audit_typed_free(as->typed);
	audit_select_free(&as->sel);
	audit_target_free(&as->t);
	audit_buf_free(&as->line);
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

static enum cmd_retval
cmd_show_audit_exec(struct cmd *self, struct cmdq_item *item)
{
	struct args		*args = cmd_get_args(self);
	struct client		*c = cmdq_get_client(item);
	struct audit_out	 out = {
		cmd_show_audit_print, cmd_show_audit_error, item, 0
	};
	struct audit_show	 as;
	enum cmd_retval		 retval;
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
	if (args_has(args, 'R') && audit_show_is_html(args)) {
		cmdq_error(item, "-e html cannot be used with -H, -K, -l, -R, "
		    "-T, -V or -W");
		return (CMD_RETURN_ERROR);
	}
	if (args_has(args, 'R') || args_has(args, 'W')) {
		memset(&as, 0, sizeof as);
		if (args_has(args, 't') &&
		    audit_show_init(&as, &out, item, args) != 0)
			return (CMD_RETURN_ERROR);
		retval = audit_export_window(item, args, &as.t);
		if (args_has(args, 't'))
			audit_show_free(&as);
		return (retval);
	}
	if (args_has(args, 'V') || audit_show_is_html(args))
		audit_seal_now();
	audit_flush();
	/* What is read from the collector's files must be stored there. */
	if (audit_segment_is_link())
		audit_segment_sync();

	if (audit_show_init(&as, &out, item, args) != 0)
		return (CMD_RETURN_ERROR);
	if (args_has(args, 'd'))
		audit_show_dirs_read(&as);
	else {
		paths = audit_current_files(&n);
		if (n == 0) {
			audit_show_free(&as);
			cmdq_error(item, "audit log: not written by this server "
			    "(audit-log is off)");
			return (CMD_RETURN_ERROR);
		}
		if (as.html != NULL)
			audit_html_source(as.html, audit_current_dir());
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
		audit_show_dirs_read(&as);
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
