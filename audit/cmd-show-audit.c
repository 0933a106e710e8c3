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

	.args = { "d:Jv", 0, 0, NULL },
	.usage = "[-Jv] [-d directory]",

	.flags = 0,
	.exec = cmd_show_audit_exec
};

/* Print every record of one file; stop at the first bad one. */
static void
audit_show_file(struct audit_out *out, const char *path, int json)
{
	struct audit_reader	*r;
	struct audit_record	*rec;
	struct audit_buf	 line;
	char			*cause;
	int			 n;

	if ((r = audit_reader_open(path, &cause)) == NULL) {
		out->error(out->data, cause);
		out->errors++;
		free(cause);
		return;
	}
	rec = xmalloc(sizeof *rec);
	audit_buf_init(&line);
	while ((n = audit_reader_next(r, rec)) == 1) {
		line.len = 0;
		if (json)
			audit_print_json(rec, &line);
		else
			audit_print_text(rec, &line);
		audit_buf_add(&line, "", 1);
		out->print(out->data, line.data);
	}
	if (n == -1) {
		out->error(out->data, r->error);
		out->errors++;
	}
	audit_buf_free(&line);
	free(rec);
	audit_reader_close(r);
}

/* Run show-audit with parsed arguments; the files are already listed. */
static void
audit_show_files(struct audit_out *out, struct args *args, char **paths,
    u_int n)
{
	u_int	i;

	for (i = 0; i < n; i++)
		audit_show_file(out, paths[i], args_has(args, 'J'));
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

/* Read every segment in a directory. */
static void
audit_show_dir(struct audit_out *out, struct args *args, const char *dir)
{
	char	**paths, *cause;
	u_int	  n, i;

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
	audit_show_files(out, args, paths, n);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
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
	char			**paths;
	u_int			  n;

	if (!audit_client_may_read(c)) {
		cmdq_error(item, "audit log: only the server owner may read it");
		return (CMD_RETURN_ERROR);
	}
	if (args_has(args, 'v')) {
		audit_show_version(&out);
		return (CMD_RETURN_NORMAL);
	}
	audit_flush();

	if (args_has(args, 'd'))
		audit_show_dir(&out, args, args_get(args, 'd'));
	else {
		paths = audit_current_files(&n);
		if (n == 0) {
			cmdq_error(item, "audit log: not written by this server "
			    "(audit-log is off)");
			return (CMD_RETURN_ERROR);
		}
		audit_show_files(&out, args, paths, n);
	}
	if (out.errors != 0)
		return (CMD_RETURN_ERROR);
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
	char			*cause;
	int			 i;

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
	if (!args_has(args, 'd') && !args_has(args, 'v')) {
		args_free(args);
		return (-1);
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return (1);
	}

	if (args_has(args, 'v'))
		audit_show_version(&out);
	else
		audit_show_dir(&out, args, args_get(args, 'd'));
	args_free(args);
	fflush(stdout);
	return (out.errors != 0);
}
