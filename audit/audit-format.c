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
#include <stdlib.h>
#include <string.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * show-audit -F and -f: a record as a tmux format tree, each field as
 * audit_NAME (escaped), with its seq, time, type, text line and the acting
 * user and client whichever field holds them.
 */

/* Add one field to a format tree as audit_NAME, escaped. */
static void
audit_format_field(struct format_tree *ft, const struct audit_field *f)
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
struct format_tree *
audit_format_record(struct cmdq_item *item, const struct audit_record *r,
    const char *line)
{
	struct format_tree	*ft;
	struct audit_buf	 b;
	const char		*name;
	char			*s;
	u_int			 i;

	ft = format_create(NULL, item, FORMAT_NONE, 0);
	for (i = 0; i < r->nfields; i++)
		audit_format_field(ft, &r->fields[i]);
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
