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
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Turning records into text: one readable line each, or one JSON object
 * each (JSON Lines). Every byte that came from outside is escaped, so a
 * field can never break the line or the JSON it is printed in.
 */

void
audit_printf(struct audit_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	audit_buf_add(b, s, n);
	free(s);
}

/* Format a time in microseconds as RFC 3339 in UTC. */
void
audit_print_time(struct audit_buf *b, uint64_t us)
{
	time_t		 t = us / 1000000;
	struct tm	 tm;
	char		 tbuf[32];

	gmtime_r(&t, &tm);
	strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);
	audit_printf(b, "%s.%06uZ", tbuf, (u_int)(us % 1000000));
}

/* Is this strictly valid UTF-8 (no overlong forms, no surrogates)? */
static int
audit_valid_utf8(const u_char *p, size_t len)
{
	size_t		 i = 0, n, j;
	uint32_t	 cp;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return (0);
		if (len - i <= n)
			return (0);
		for (j = 1; j <= n; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return (0);
			cp = (cp << 6) | (p[i + j] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		i += n + 1;
	}
	return (1);
}

/* Append a JSON string; the data must be valid UTF-8. */
void
audit_json_string(struct audit_buf *b, const void *data, size_t len)
{
	const u_char	*p = data;
	size_t		 i;

	audit_buf_reserve(b, len + 2);
	audit_buf_add(b, "\"", 1);
	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '"':
			audit_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			audit_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			audit_buf_add(b, "\\n", 2);
			break;
		case '\r':
			audit_buf_add(b, "\\r", 2);
			break;
		case '\t':
			audit_buf_add(b, "\\t", 2);
			break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f)
				audit_printf(b, "\\u%04x", p[i]);
			else
				audit_buf_add(b, &p[i], 1);
			break;
		}
	}
	audit_buf_add(b, "\"", 1);
}

static void
audit_json_base64(struct audit_buf *b, const u_char *data, size_t len)
{
	size_t	 size;
	char	*out;

	size = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	out = xmalloc(size);
	sodium_bin2base64(out, size, data, len, sodium_base64_VARIANT_ORIGINAL);
	audit_printf(b, "\"%s\"", out);
	free(out);
}

/* Append text as a JSON string, or as {"base64": ...} if not UTF-8. */
void
audit_json_text(struct audit_buf *b, const void *data, size_t len)
{
	if (audit_valid_utf8(data, len))
		audit_json_string(b, data, len);
	else {
		audit_buf_add(b, "{\"base64\":", 10);
		audit_json_base64(b, data, len);
		audit_buf_add(b, "}", 1);
	}
}

static void
audit_hex(struct audit_buf *b, const u_char *data, size_t len)
{
	char	*out;

	out = xmalloc(len * 2 + 1);
	sodium_bin2hex(out, len * 2 + 1, data, len);
	audit_buf_add(b, out, len * 2);
	free(out);
}

/* The sigil tmux writes before an id: %pane, @window, $session. */
static char
audit_id_prefix(u_int tag)
{
	switch (tag) {
	case AUDIT_F_PANE:
		return ('%');
	case AUDIT_F_WINDOW:
		return ('@');
	case AUDIT_F_SESSION_ID:
		return ('$');
	}
	return ('\0');
}

/* Fields that go in the "cause" object, with their keys there. */
static const char *
audit_cause_key(u_int tag)
{
	switch (tag) {
	case AUDIT_F_CAUSE:
		return ("kind");
	case AUDIT_F_CAUSE_CLIENT:
		return ("client");
	case AUDIT_F_CAUSE_CLIENT_ID:
		return ("client_id");
	case AUDIT_F_CAUSE_UID:
		return ("uid");
	case AUDIT_F_CAUSE_USER:
		return ("user");
	case AUDIT_F_CAUSE_COMMAND:
		return ("command");
	}
	return (NULL);
}

/* The JSON key of a field; unknown tags get a name from their number. */
static const char *
audit_field_key(u_int tag, char *buf, size_t size)
{
	const char	*name;

	if ((name = audit_tag_name(tag)) != NULL)
		return (name);
	snprintf(buf, size, "field_%04x", tag);
	return (buf);
}

/* Add "key": value for one field. */
static void
audit_json_field(struct audit_buf *b, const struct audit_field *f)
{
	char		 kbuf[32];
	const char	*key = audit_field_key(f->tag, kbuf, sizeof kbuf);

	if (audit_id_prefix(f->tag) != '\0') {
		audit_printf(b, ",\"%s\":\"%c%llu\"", key,
		    audit_id_prefix(f->tag),
		    (unsigned long long)audit_get64(f->value));
		return;
	}
	switch (AUDIT_KIND(f->tag)) {
	case AUDIT_KIND_UINT:
		audit_printf(b, ",\"%s\":%llu", key,
		    (unsigned long long)audit_get64(f->value));
		return;
	case AUDIT_KIND_INT:
		audit_printf(b, ",\"%s\":%lld", key,
		    (long long)audit_get64(f->value));
		return;
	}
	if (f->tag == AUDIT_F_RUN) {
		audit_printf(b, ",\"%s\":\"", key);
		audit_hex(b, f->value, f->len);
		audit_buf_add(b, "\"", 1);
		return;
	}
	if ((AUDIT_KIND(f->tag) == AUDIT_KIND_TEXT ||
	    f->tag == AUDIT_F_DATA) && audit_valid_utf8(f->value, f->len)) {
		audit_printf(b, ",\"%s\":", key);
		audit_json_string(b, f->value, f->len);
		return;
	}
	audit_printf(b, ",\"%s_base64\":", key);
	audit_json_base64(b, f->value, f->len);
}

/* Add the claimed environment as one object: "claimed":{"NAME":"value"}. */
static void
audit_json_claimed(struct audit_buf *b, const struct audit_record *r)
{
	const struct audit_field	*f;
	const u_char			*eq;
	u_int				 i;
	int				 first = 1;

	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if (f->tag != AUDIT_F_CLAIMED)
			continue;
		eq = memchr(f->value, '=', f->len);
		if (eq == NULL)
			eq = f->value + f->len;
		audit_buf_add(b, first ? ",\"claimed\":{" : ",", first ? 12 : 1);
		first = 0;
		if (audit_valid_utf8(f->value, eq - f->value))
			audit_json_string(b, f->value, eq - f->value);
		else {
			audit_buf_add(b, "\"", 1);
			audit_hex(b, f->value, eq - f->value);
			audit_buf_add(b, "\"", 1);
		}
		audit_buf_add(b, ":", 1);
		if (eq == f->value + f->len)
			audit_buf_add(b, "null", 4);
		else if (audit_valid_utf8(eq + 1, f->len - (eq - f->value) - 1))
			audit_json_string(b, eq + 1, f->len - (eq - f->value) - 1);
		else {
			audit_buf_add(b, "{\"base64\":", 10);
			audit_json_base64(b, eq + 1, f->len - (eq - f->value) - 1);
			audit_buf_add(b, "}", 1);
		}
	}
	if (!first)
		audit_buf_add(b, "}", 1);
}

/* Add the cause fields as one object: "cause":{"kind":...}. */
static void
audit_json_cause(struct audit_buf *b, const struct audit_record *r)
{
	const struct audit_field	*f;
	struct audit_buf		 inner;
	u_int				 i;

	audit_buf_init(&inner);
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if (audit_cause_key(f->tag) == NULL)
			continue;
		if (AUDIT_KIND(f->tag) == AUDIT_KIND_UINT) {
			audit_printf(&inner, ",\"%s\":%llu",
			    audit_cause_key(f->tag),
			    (unsigned long long)audit_get64(f->value));
		} else if (audit_valid_utf8(f->value, f->len)) {
			audit_printf(&inner, ",\"%s\":",
			    audit_cause_key(f->tag));
			audit_json_string(&inner, f->value, f->len);
		}
	}
	if (inner.len != 0) {
		audit_buf_add(b, ",\"cause\":{", 10);
		audit_buf_add(b, inner.data + 1, inner.len - 1);
		audit_buf_add(b, "}", 1);
	}
	audit_buf_free(&inner);
}

/*
 * A text field that repeats (policy names, gap losses) as one array, at
 * its first place; values not UTF-8 are {"base64": ...}.
 */
static void
audit_json_repeated(struct audit_buf *b, const struct audit_record *r,
    u_int tag)
{
	const struct audit_field	*f;
	char				 kbuf[32];
	u_int				 i;
	int				 first = 1;

	audit_printf(b, ",\"%s\":[", audit_field_key(tag, kbuf, sizeof kbuf));
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if (f->tag != tag)
			continue;
		if (!first)
			audit_buf_add(b, ",", 1);
		first = 0;
		audit_json_text(b, f->value, f->len);
	}
	audit_buf_add(b, "]", 1);
}

/* How many times does a tag appear, and is i its first place? */
static u_int
audit_json_count(const struct audit_record *r, u_int i, int *firstp)
{
	u_int	j, n = 0;

	*firstp = 1;
	for (j = 0; j < r->nfields; j++) {
		if (r->fields[j].tag != r->fields[i].tag)
			continue;
		if (j < i)
			*firstp = 0;
		n++;
	}
	return (n);
}

/* One record as a JSON object on one line (no newline). */
void
audit_print_json(const struct audit_record *r, struct audit_buf *b)
{
	const char	*name;
	u_int		 i;
	int		 first;

	audit_printf(b, "{\"seq\":%llu,\"time\":\"",
	    (unsigned long long)r->seq);
	audit_print_time(b, r->time);
	if ((name = audit_type_name(r->type)) != NULL)
		audit_printf(b, "\",\"type\":\"%s\"", name);
	else
		audit_printf(b, "\",\"type\":\"unknown-%u\"", r->type);
	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i].tag == AUDIT_F_ARGV ||
		    r->fields[i].tag == AUDIT_F_KERNEL_ARGV ||
		    r->fields[i].tag == AUDIT_F_LOST) {
			/* Always arrays, however many there are. */
			audit_json_count(r, i, &first);
			if (first)
				audit_json_repeated(b, r, r->fields[i].tag);
		} else if (r->fields[i].tag != AUDIT_F_CLAIMED &&
		    audit_cause_key(r->fields[i].tag) == NULL) {
			if (AUDIT_KIND(r->fields[i].tag) == AUDIT_KIND_TEXT &&
			    audit_json_count(r, i, &first) > 1) {
				if (first)
					audit_json_repeated(b, r,
					    r->fields[i].tag);
			} else
				audit_json_field(b, &r->fields[i]);
		}
	}
	audit_json_claimed(b, r);
	audit_json_cause(b, r);
	audit_buf_add(b, "}", 1);
}

/* Append a value escaped for the text view, quoted if it has spaces. */
static void
audit_text_value(struct audit_buf *b, const u_char *data, size_t len)
{
	char	*s;
	int	 flags = VIS_OCTAL|VIS_CSTYLE|VIS_TAB|VIS_NL;

	if (len == 0 || memchr(data, ' ', len) != NULL ||
	    memchr(data, '"', len) != NULL)
		flags |= VIS_DQ;
	utf8_stravisx(&s, data, len, flags);
	if (flags & VIS_DQ)
		audit_printf(b, "\"%s\"", s);
	else
		audit_printf(b, "%s", s);
	free(s);
}

/* One record as a readable line: time, sequence, type, then key=value. */
void
audit_print_text(const struct audit_record *r, struct audit_buf *b)
{
	const struct audit_field	*f;
	const char			*name;
	char				 kbuf[32];
	u_int				 i;

	audit_print_time(b, r->time);
	if ((name = audit_type_name(r->type)) != NULL)
		audit_printf(b, " %llu %s", (unsigned long long)r->seq, name);
	else
		audit_printf(b, " %llu unknown-%u", (unsigned long long)r->seq,
		    r->type);
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		audit_printf(b, " %s=", audit_field_key(f->tag, kbuf,
		    sizeof kbuf));
		if (audit_id_prefix(f->tag) != '\0') {
			audit_printf(b, "%c%llu", audit_id_prefix(f->tag),
			    (unsigned long long)audit_get64(f->value));
			continue;
		}
		if (f->tag == AUDIT_F_DATA) {
			audit_text_value(b, f->value, f->len);
			continue;
		}
		switch (AUDIT_KIND(f->tag)) {
		case AUDIT_KIND_UINT:
			audit_printf(b, "%llu",
			    (unsigned long long)audit_get64(f->value));
			break;
		case AUDIT_KIND_INT:
			audit_printf(b, "%lld",
			    (long long)audit_get64(f->value));
			break;
		case AUDIT_KIND_TEXT:
			audit_text_value(b, f->value, f->len);
			break;
		default:
			if (f->tag == AUDIT_F_DIGESTS) {
				audit_printf(b, "(%zu)",
				    f->len / AUDIT_DIGEST_LEN);
			} else
				audit_hex(b, f->value, f->len);
			break;
		}
	}
}
