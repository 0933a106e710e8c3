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
 * The command history (show-audit -H): one line for each command line run
 * in a pane or popup, from its command-line record joined with the
 * command-end record of the same command_id in the same server run. The
 * end may come long after the start, so the lines are printed once every
 * record has been read.
 */

struct audit_history_entry {
	u_char		*raw;		/* the command-line record */
	size_t		 size;
	u_int		 run;
	uint64_t	 id;

	int		 ended;
	uint64_t	 end;
	char		*end_source;
	int		 have_status;
	uint64_t	 status;
};

struct audit_history {
	struct audit_history_entry	*e;
	u_int				 n;
	u_int				 run;	/* server runs seen */
};

struct audit_history *
audit_history_create(void)
{
	return (xcalloc(1, sizeof (struct audit_history)));
}

/* The entry of command id in the current run, if any. */
static struct audit_history_entry *
audit_history_find(struct audit_history *ah, uint64_t id)
{
	u_int	i;

	for (i = ah->n; i > 0; i--) {
		if (ah->e[i - 1].run != ah->run)
			break;
		if (ah->e[i - 1].id == id)
			return (&ah->e[i - 1]);
	}
	return (NULL);
}

/*
 * Take one record: a command-line record if it is selected, and any
 * command-end record, to end the command it names.
 */
void
audit_history_record(struct audit_history *ah, const struct audit_record *r,
    int selected)
{
	struct audit_history_entry	*e;
	uint64_t			 id;

	switch (r->type) {
	case AUDIT_SEGMENT:
		if (audit_rec_find(r, AUDIT_F_FIRST) != NULL)
			ah->run++;
		break;
	case AUDIT_COMMAND_LINE:
		if (!selected ||
		    audit_rec_get_uint(r, AUDIT_F_COMMAND_ID, &id) != 0)
			break;
		ah->e = xreallocarray(ah->e, ah->n + 1, sizeof *ah->e);
		e = &ah->e[ah->n++];
		memset(e, 0, sizeof *e);
		e->raw = xmalloc(r->size);
		memcpy(e->raw, r->raw, r->size);
		e->size = r->size;
		e->run = ah->run;
		e->id = id;
		break;
	case AUDIT_COMMAND_END:
		if (audit_rec_get_uint(r, AUDIT_F_COMMAND_ID, &id) != 0 ||
		    (e = audit_history_find(ah, id)) == NULL || e->ended)
			break;
		e->ended = 1;
		e->end = r->time;
		e->end_source = audit_rec_get_str(r, AUDIT_F_SOURCE);
		if (audit_rec_get_uint(r, AUDIT_F_SHELL_STATUS,
		    &e->status) == 0)
			e->have_status = 1;
		break;
	}
}

/* What -H shows of a command line: the text, the directory, and whence. */
struct audit_history_view {
	const struct audit_field	*text;
	const char			*text_source;
	const struct audit_field	*dir;
	const char			*dir_source;
};

static void
audit_history_view(const struct audit_record *r, struct audit_history_view *v)
{
	memset(v, 0, sizeof *v);
	if ((v->text = audit_rec_find(r, AUDIT_F_SHELL_TEXT)) != NULL)
		v->text_source = "shell";
	else if ((v->text = audit_rec_find(r, AUDIT_F_SCREEN_TEXT)) != NULL)
		v->text_source = "screen";
	if ((v->dir = audit_rec_find(r, AUDIT_F_KERNEL_CWD)) != NULL)
		v->dir_source = "kernel";
	else if ((v->dir = audit_rec_find(r, AUDIT_F_SHELL_CWD)) != NULL)
		v->dir_source = "shell";
}

/* Append a value escaped as by vis(3); white space too if white. */
static void
audit_history_vis(struct audit_buf *b, const struct audit_field *f, int white)
{
	char	*s;
	int	 flags = VIS_OCTAL|VIS_CSTYLE|VIS_TAB|VIS_NL;

	if (f == NULL) {
		audit_buf_add(b, "-", 1);
		return;
	}
	if (white)
		flags |= VIS_SP;
	utf8_stravisx(&s, f->value, f->len, flags);
	audit_printf(b, "%s", s);
	free(s);
}

/* The time a command ran, as seconds with milliseconds. */
static void
audit_history_duration(struct audit_buf *b, const struct audit_record *r,
    const struct audit_history_entry *e)
{
	uint64_t	us;

	us = (e->end > r->time) ? e->end - r->time : 0;
	audit_printf(b, "%llu.%03llu", (unsigned long long)us / 1000000,
	    (unsigned long long)(us % 1000000) / 1000);
}

/*
 * One line of the history: TIME DURATION CLIENT USER [(COMMAND)] PANE
 * STATUS DIRECTORY SOURCE: TEXT, with - for what is not known.
 */
static void
audit_history_line(struct audit_buf *b, const struct audit_record *r,
    const struct audit_history_entry *e)
{
	struct audit_history_view	 v;
	const struct audit_field	*f;
	char				*kind, *command;
	uint64_t			 term;
	int				 popup;

	audit_history_view(r, &v);
	audit_print_time(b, r->time);
	audit_buf_add(b, " ", 1);
	if (e->ended) {
		audit_history_duration(b, r, e);
		audit_buf_add(b, "s", 1);
	} else
		audit_buf_add(b, "-", 1);

	audit_buf_add(b, " ", 1);
	audit_history_vis(b, audit_rec_find(r, AUDIT_F_CAUSE_CLIENT), 1);
	audit_buf_add(b, " ", 1);
	audit_history_vis(b, audit_rec_find(r, AUDIT_F_CAUSE_USER), 1);
	kind = audit_rec_get_str(r, AUDIT_F_CAUSE);
	command = audit_rec_get_str(r, AUDIT_F_CAUSE_COMMAND);
	if (command != NULL)
		audit_printf(b, " (%s)", command);
	else if (kind != NULL && strcmp(kind, "key") != 0)
		audit_printf(b, " (%s)", kind);
	free(command);
	free(kind);

	if (audit_rec_get_term(r, &term, &popup) == 0) {
		audit_printf(b, " %s%llu", popup ? "popup " : "%",
		    (unsigned long long)term);
	} else
		audit_buf_add(b, " -", 2);
	if (e->have_status)
		audit_printf(b, " %llu", (unsigned long long)e->status);
	else
		audit_buf_add(b, " -", 2);
	audit_buf_add(b, " ", 1);
	audit_history_vis(b, v.dir, 1);

	audit_printf(b, " %s: ", v.text_source != NULL ? v.text_source : "-");
	if ((f = v.text) != NULL)
		audit_history_vis(b, f, 0);
}

/* A field as it is, for a format: vis(3)-escaped like the others. */
static void
audit_history_format_add(struct format_tree *ft, const char *key,
    const struct audit_field *f)
{
	char	*s;

	if (f == NULL)
		return;
	utf8_stravisx(&s, f->value, f->len,
	    VIS_OCTAL|VIS_CSTYLE|VIS_TAB|VIS_NL);
	format_add(ft, key, "%s", s);
	free(s);
}

/* The format tree of a command line: its fields and what -H works out. */
static struct format_tree *
audit_history_format(struct cmdq_item *item, const struct audit_record *r,
    const struct audit_history_entry *e, const char *line)
{
	struct format_tree		*ft;
	struct audit_history_view	 v;
	struct audit_buf		 b;

	ft = audit_format_record(item, r, line);
	audit_history_view(r, &v);
	audit_history_format_add(ft, "audit_text", v.text);
	if (v.text_source != NULL)
		format_add(ft, "audit_text_source", "%s", v.text_source);
	audit_history_format_add(ft, "audit_dir", v.dir);
	if (v.dir_source != NULL)
		format_add(ft, "audit_dir_source", "%s", v.dir_source);
	if (e->have_status) {
		format_add(ft, "audit_shell_status", "%llu",
		    (unsigned long long)e->status);
	}
	if (e->ended) {
		audit_buf_init(&b);
		audit_history_duration(&b, r, e);
		audit_buf_add(&b, "", 1);
		format_add(ft, "audit_duration", "%s", b.data);
		b.len = 0;
		audit_print_time(&b, e->end);
		audit_buf_add(&b, "", 1);
		format_add(ft, "audit_end", "%s", b.data);
		audit_buf_free(&b);
		if (e->end_source != NULL)
			format_add(ft, "audit_end_source", "%s", e->end_source);
	}
	return (ft);
}

/* A command line as JSON: its record, and what -H works out. */
static void
audit_history_json(struct audit_buf *b, const struct audit_record *r,
    const struct audit_history_entry *e)
{
	struct audit_history_view	 v;
	const struct audit_field	*f;

	audit_print_json(r, b);
	b->len--;	/* the closing brace */
	audit_history_view(r, &v);
	if ((f = v.text) != NULL) {
		audit_buf_add(b, ",\"text\":", 8);
		audit_json_text(b, f->value, f->len);
		audit_printf(b, ",\"text_source\":\"%s\"", v.text_source);
	}
	if ((f = v.dir) != NULL) {
		audit_buf_add(b, ",\"dir\":", 7);
		audit_json_text(b, f->value, f->len);
		audit_printf(b, ",\"dir_source\":\"%s\"", v.dir_source);
	}
	if (e->ended) {
		audit_buf_add(b, ",\"end_time\":\"", 13);
		audit_print_time(b, e->end);
		audit_buf_add(b, "\",\"duration\":", 13);
		audit_history_duration(b, r, e);
		if (e->end_source != NULL) {
			audit_buf_add(b, ",\"end_source\":", 14);
			audit_json_text(b, e->end_source,
			    strlen(e->end_source));
		}
	}
	if (e->have_status) {
		audit_printf(b, ",\"shell_status\":%llu",
		    (unsigned long long)e->status);
	}
	audit_buf_add(b, "}", 1);
}

/* Print the history, each line as -J, -F and -f say, and free it. */
void
audit_history_print(struct audit_history *ah, struct audit_out *out,
    struct cmdq_item *item, struct args *args)
{
	struct audit_history_entry	*e;
	struct audit_record		*r;
	struct audit_buf		 b;
	struct format_tree		*ft;
	const char			*template, *cause;
	char				*expanded;
	u_int				 i;
	int				 keep;

	r = xmalloc(sizeof *r);
	audit_buf_init(&b);
	for (i = 0; i < ah->n; i++) {
		e = &ah->e[i];
		if (audit_rec_parse(e->raw, e->size, r, &cause) != 0)
			continue;
		b.len = 0;
		if (args_has(args, 'J'))
			audit_history_json(&b, r, e);
		else
			audit_history_line(&b, r, e);
		audit_buf_add(&b, "", 1);
		if (!args_has(args, 'F') && !args_has(args, 'f')) {
			out->print(out->data, b.data);
			continue;
		}
		ft = audit_history_format(item, r, e, b.data);
		keep = 1;
		if (args_has(args, 'f')) {
			expanded = format_expand(ft, args_get(args, 'f'));
			keep = format_true(expanded);
			free(expanded);
		}
		if (keep) {
			if ((template = args_get(args, 'F')) == NULL)
				template = "#{audit_line}";
			expanded = format_expand(ft, template);
			out->print(out->data, expanded);
			free(expanded);
		}
		format_free(ft);
	}
	audit_buf_free(&b);
	free(r);

	for (i = 0; i < ah->n; i++) {
		free(ah->e[i].raw);
		free(ah->e[i].end_source);
	}
	free(ah->e);
	free(ah);
}
