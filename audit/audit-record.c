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

#include <stdlib.h>
#include <string.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The record encoder and decoder. A record is a length-prefixed frame with
 * typed, length-prefixed fields (audit/FORMAT.md), so no byte of a field's
 * value can ever be taken for framing.
 */

/* The buffer whose records are viewed as they are built (see below). */
static const struct audit_buf	*audit_view_buf;
static struct audit_view	*audit_view;

static const char *audit_type_names[] = {
	[AUDIT_SEGMENT] = "segment",
	[AUDIT_SERVER_START] = "server-start",
	[AUDIT_SERVER_STOP] = "server-stop",
	[AUDIT_LOG_START] = "log-start",
	[AUDIT_LOG_STOP] = "log-stop",
	[AUDIT_SERVER_SOCKET] = "server-socket",
	[AUDIT_SEAL] = "seal",
	[AUDIT_GAP] = "gap",
	[AUDIT_UNCLEAN_END] = "unclean-end",
	[AUDIT_POLICY] = "policy",
	[AUDIT_CLIENT_CONNECT] = "client-connect",
	[AUDIT_CLIENT_ATTACHED] = "client-attached",
	[AUDIT_CLIENT_SESSION_CHANGED] = "client-session-changed",
	[AUDIT_CLIENT_DETACHED] = "client-detached",
	[AUDIT_CLIENT_DISCONNECT] = "client-disconnect",
	[AUDIT_ACCESS_DENIED] = "access-denied",
	[AUDIT_SESSION_CREATED] = "session-created",
	[AUDIT_SESSION_CLOSED] = "session-closed",
	[AUDIT_SESSION_RENAMED] = "session-renamed",
	[AUDIT_WINDOW_CREATED] = "window-created",
	[AUDIT_WINDOW_CLOSED] = "window-closed",
	[AUDIT_PANE_CREATED] = "pane-created",
	[AUDIT_PANE_EXITED] = "pane-exited",
	[AUDIT_PANE_RESIZED] = "pane-resized",
	[AUDIT_POPUP_OPENED] = "popup-opened",
	[AUDIT_POPUP_CLOSED] = "popup-closed",
	[AUDIT_INPUT] = "input",
	[AUDIT_OUTPUT] = "output",
	[AUDIT_COMMAND] = "command",
	[AUDIT_PASTE_BUFFER_CHANGED] = "paste-buffer-changed",
	[AUDIT_COPY] = "copy",
	[AUDIT_PIPE_PANE] = "pipe-pane",
	[AUDIT_OPTION_CHANGED] = "option-changed",
	[AUDIT_ACCESS_CHANGED] = "access-changed",
	[AUDIT_COMMAND_START] = "command-start",
	[AUDIT_COMMAND_LINE] = "command-line",
	[AUDIT_COMMAND_END] = "command-end",
	[AUDIT_PROCESS] = "process",
	[AUDIT_MARK_REFUSED] = "mark-refused"
};

static const struct {
	u_int		 tag;
	const char	*name;
} audit_tag_names[] = {
	{ AUDIT_F_PID, "pid" },
	{ AUDIT_F_UID, "uid" },
	{ AUDIT_F_GID, "gid" },
	{ AUDIT_F_LOGINUID, "loginuid" },
	{ AUDIT_F_AUDITSESSION, "audit_session" },
	{ AUDIT_F_SEGMENT, "segment" },
	{ AUDIT_F_SESSION_ID, "session_id" },
	{ AUDIT_F_FORMAT, "format" },
	{ AUDIT_F_DROPPED, "dropped" },
	{ AUDIT_F_START_TIME, "start_time" },
	{ AUDIT_F_CLIENT_ID, "client_id" },
	{ AUDIT_F_PANE, "pane" },
	{ AUDIT_F_WINDOW, "window" },
	{ AUDIT_F_WIDTH, "width" },
	{ AUDIT_F_HEIGHT, "height" },
	{ AUDIT_F_SIZE, "size" },
	{ AUDIT_F_STATUS, "status" },
	{ AUDIT_F_SIGNAL, "signal" },
	{ AUDIT_F_LINE, "line" },
	{ AUDIT_F_CAUSE_UID, "cause_uid" },
	{ AUDIT_F_REDACTED, "redacted" },
	{ AUDIT_F_TARGET_UID, "target_uid" },
	{ AUDIT_F_CAUSE_CLIENT_ID, "cause_client_id" },
	{ AUDIT_F_RESPAWN, "respawn" },
	{ AUDIT_F_MODE, "mode" },
	{ AUDIT_F_DIR_UID, "dir_uid" },
	{ AUDIT_F_DIR_MODE, "dir_mode" },
	{ AUDIT_F_SEAL_INDEX, "seal_index" },
	{ AUDIT_F_FINAL, "final" },
	{ AUDIT_F_FIRST, "first" },
	{ AUDIT_F_RECORDS, "records" },
	{ AUDIT_F_END_TIME, "end_time" },
	{ AUDIT_F_POPUP, "popup" },
	{ AUDIT_F_COMMAND_ID, "command_id" },
	{ AUDIT_F_KERNEL_PID, "kernel_pid" },
	{ AUDIT_F_KERNEL_UID, "kernel_uid" },
	{ AUDIT_F_SHELL_STATUS, "shell_status" },
	{ AUDIT_F_TRUNCATED, "truncated" },
	{ AUDIT_F_USER, "user" },
	{ AUDIT_F_HOST, "host" },
	{ AUDIT_F_TMUX_VERSION, "tmux_version" },
	{ AUDIT_F_AUDIT_VERSION, "audit_version" },
	{ AUDIT_F_SOCKET, "socket" },
	{ AUDIT_F_CLIENT, "client" },
	{ AUDIT_F_TTY, "tty" },
	{ AUDIT_F_TERM, "term" },
	{ AUDIT_F_CLAIMED, "claimed" },
	{ AUDIT_F_SESSION, "session" },
	{ AUDIT_F_REASON, "reason" },
	{ AUDIT_F_OLD_SESSION, "old_session" },
	{ AUDIT_F_CWD, "cwd" },
	{ AUDIT_F_CLIENT_FLAGS, "client_flags" },
	{ AUDIT_F_CAUSE, "cause_kind" },
	{ AUDIT_F_CAUSE_CLIENT, "cause_client" },
	{ AUDIT_F_COMMAND, "command" },
	{ AUDIT_F_ISSUER, "issuer" },
	{ AUDIT_F_FILE, "file" },
	{ AUDIT_F_KEY, "key" },
	{ AUDIT_F_RESULT, "result" },
	{ AUDIT_F_ERROR, "error" },
	{ AUDIT_F_ARGV, "argv" },
	{ AUDIT_F_NAME, "name" },
	{ AUDIT_F_SCOPE, "scope" },
	{ AUDIT_F_OLD_VALUE, "old_value" },
	{ AUDIT_F_NEW_VALUE, "new_value" },
	{ AUDIT_F_DESTINATION, "destination" },
	{ AUDIT_F_ACTION, "action" },
	{ AUDIT_F_WINDOW_NAME, "window_name" },
	{ AUDIT_F_CAUSE_USER, "cause_user" },
	{ AUDIT_F_TARGET_USER, "target_user" },
	{ AUDIT_F_CAUSE_COMMAND, "cause_command" },
	{ AUDIT_F_SHELL, "shell" },
	{ AUDIT_F_LOST, "lost" },
	{ AUDIT_F_PATH, "path" },
	{ AUDIT_F_STARTED, "started" },
	{ AUDIT_F_SCREEN_TEXT, "screen_text" },
	{ AUDIT_F_SCREEN_PROMPT, "screen_prompt" },
	{ AUDIT_F_SHELL_TEXT, "shell_text" },
	{ AUDIT_F_SHELL_CWD, "shell_cwd" },
	{ AUDIT_F_KERNEL_ARGV, "kernel_argv" },
	{ AUDIT_F_KERNEL_CWD, "kernel_cwd" },
	{ AUDIT_F_SOURCE, "source" },
	{ AUDIT_F_MARK, "mark" },
	{ AUDIT_F_RUN, "run" },
	{ AUDIT_F_DATA, "data" },
	{ AUDIT_F_CHAIN, "chain" },
	{ AUDIT_F_DIGESTS, "digests" },
	{ AUDIT_F_NEXT_KEY, "next_key" },
	{ AUDIT_F_SIGNATURE, "signature" },
	{ AUDIT_F_SIGN_KEY, "sign_key" },
	{ AUDIT_F_PREV_CHAIN, "prev_chain" },
	{ AUDIT_F_PREV_SEAL, "prev_seal" },
	{ AUDIT_F_HOST_KEY, "host_key" },
	{ AUDIT_F_CERT, "cert" },
	{ AUDIT_F_RUN_KEY, "run_key" }
};

void
audit_buf_init(struct audit_buf *b)
{
	memset(b, 0, sizeof *b);
}

void
audit_buf_free(struct audit_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

void
audit_buf_reserve(struct audit_buf *b, size_t n)
{
	size_t	size;

	if (b->size - b->len >= n)
		return;
	size = b->size == 0 ? 4096 : b->size;
	while (size - b->len < n)
		size *= 2;
	b->data = xrealloc(b->data, size);
	b->size = size;
}

void
audit_buf_add(struct audit_buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	audit_buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

/* Remove n bytes from the front. */
void
audit_buf_consume(struct audit_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void
audit_put16(u_char *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

void
audit_put32(u_char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

void
audit_put64(u_char *p, uint64_t v)
{
	audit_put32(p, v >> 32);
	audit_put32(p + 4, v);
}

uint16_t
audit_get16(const u_char *p)
{
	return (((uint16_t)p[0] << 8) | p[1]);
}

uint32_t
audit_get32(const u_char *p)
{
	return (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3]);
}

uint64_t
audit_get64(const u_char *p)
{
	return (((uint64_t)audit_get32(p) << 32) | audit_get32(p + 4));
}

/* Microseconds since the epoch. */
uint64_t
audit_now(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return ((uint64_t)tv.tv_sec * 1000000 + tv.tv_usec);
}

const char *
audit_type_name(u_int type)
{
	if (type < nitems(audit_type_names) && audit_type_names[type] != NULL)
		return (audit_type_names[type]);
	return (NULL);
}

int
audit_type_from_name(const char *name)
{
	u_int	i;

	for (i = 0; i < nitems(audit_type_names); i++) {
		if (audit_type_names[i] != NULL &&
		    strcmp(audit_type_names[i], name) == 0)
			return (i);
	}
	return (-1);
}

const char *
audit_tag_name(u_int tag)
{
	u_int	i;

	for (i = 0; i < nitems(audit_tag_names); i++) {
		if (audit_tag_names[i].tag == tag)
			return (audit_tag_names[i].name);
	}
	return (NULL);
}

/*
 * Start a record at the end of b. The length is filled in by
 * audit_rec_end, so fields are appended in place with no copy.
 */
size_t
audit_rec_begin(struct audit_buf *b, u_int type, uint64_t seq, uint64_t time)
{
	size_t	 start = b->len;
	u_char	*p;

	audit_buf_reserve(b, AUDIT_REC_HDR);
	p = b->data + b->len;
	audit_put32(p, 0);
	audit_put16(p + 4, type);
	audit_put64(p + 6, seq);
	audit_put64(p + 14, time);
	b->len += AUDIT_REC_HDR;
	if (b == audit_view_buf) {
		audit_view->start = start;
		audit_view->type = type;
		audit_view->seq = seq;
		audit_view->time = time;
		audit_view->nfields = 0;
	}
	return (start);
}

/*
 * Keep a view of the records built in one buffer (the server's pending
 * records) as they are built: their header and where each field is, so a
 * record can be shown (to syslog) without parsing the bytes just encoded.
 */
void
audit_rec_view(const struct audit_buf *b, struct audit_view *v)
{
	audit_view_buf = b;
	audit_view = v;
}

/* Add a field's header to b and return where its value goes. */
u_char *
audit_rec_data(struct audit_buf *b, u_int tag, size_t len)
{
	struct audit_view	*v = audit_view;
	u_char			*p;

	audit_buf_reserve(b, AUDIT_FIELD_HDR + len);
	p = b->data + b->len;
	audit_put16(p, tag);
	audit_put32(p + 2, len);
	if (b == audit_view_buf) {
		if (v->nfields < AUDIT_MAX_FIELDS) {
			v->fields[v->nfields].tag = tag;
			v->fields[v->nfields].off = b->len + AUDIT_FIELD_HDR;
			v->fields[v->nfields].len = len;
		}
		v->nfields++;
	}
	b->len += AUDIT_FIELD_HDR + len;
	return (p + AUDIT_FIELD_HDR);
}

/*
 * The last record built in b, as a parsed record would be: fields point
 * into b, so it is good until b changes. Returns -1 if it had more fields
 * than a record may.
 */
int
audit_view_record(const struct audit_buf *b, const struct audit_view *v,
    struct audit_record *r)
{
	u_int	i;

	if (v->nfields > AUDIT_MAX_FIELDS)
		return (-1);
	r->type = v->type;
	r->seq = v->seq;
	r->time = v->time;
	r->offset = 0;
	r->raw = b->data + v->start;
	r->size = b->len - v->start;
	r->nfields = v->nfields;
	for (i = 0; i < v->nfields; i++) {
		r->fields[i].tag = v->fields[i].tag;
		r->fields[i].value = b->data + v->fields[i].off;
		r->fields[i].len = v->fields[i].len;
	}
	return (0);
}

void
audit_rec_uint(struct audit_buf *b, u_int tag, uint64_t v)
{
	audit_put64(audit_rec_data(b, tag, 8), v);
}

void
audit_rec_str(struct audit_buf *b, u_int tag, const char *s)
{
	size_t	len;

	if (s == NULL)
		return;
	len = strlen(s);
	memcpy(audit_rec_data(b, tag, len), s, len);
}

void
audit_rec_bytes(struct audit_buf *b, u_int tag, const void *data, size_t len)
{
	if (len != 0)
		memcpy(audit_rec_data(b, tag, len), data, len);
	else
		audit_rec_data(b, tag, 0);
}

/* Finish the record begun at start: it is the last thing in b. */
void
audit_rec_end(struct audit_buf *b, size_t start)
{
	audit_put32(b->data + start, b->len - start - 4);
}

/*
 * Parse one record of size bytes at data (the whole frame, length
 * included). On failure return -1 and set *cause.
 */
int
audit_rec_parse(const u_char *data, size_t size, struct audit_record *r,
    const char **cause)
{
	const u_char	*p, *end;
	u_int		 tag;
	uint32_t	 len;

	if (size < AUDIT_REC_HDR) {
		*cause = "record too short";
		return (-1);
	}
	if (audit_get32(data) != size - 4) {
		*cause = "bad record length";
		return (-1);
	}
	r->raw = data;
	r->size = size;
	r->type = audit_get16(data + 4);
	r->seq = audit_get64(data + 6);
	r->time = audit_get64(data + 14);
	r->nfields = 0;

	p = data + AUDIT_REC_HDR;
	end = data + size;
	while (p != end) {
		if (end - p < AUDIT_FIELD_HDR) {
			*cause = "truncated field header";
			return (-1);
		}
		tag = audit_get16(p);
		len = audit_get32(p + 2);
		p += AUDIT_FIELD_HDR;
		if ((size_t)(end - p) < len) {
			*cause = "field overruns record";
			return (-1);
		}
		switch (AUDIT_KIND(tag)) {
		case AUDIT_KIND_UINT:
		case AUDIT_KIND_INT:
			if (len != 8) {
				*cause = "bad integer field";
				return (-1);
			}
			break;
		}
		if (r->nfields == AUDIT_MAX_FIELDS) {
			*cause = "too many fields";
			return (-1);
		}
		r->fields[r->nfields].tag = tag;
		r->fields[r->nfields].value = p;
		r->fields[r->nfields].len = len;
		r->nfields++;
		p += len;
	}
	return (0);
}

const struct audit_field *
audit_rec_find(const struct audit_record *r, u_int tag)
{
	u_int	i;

	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i].tag == tag)
			return (&r->fields[i]);
	}
	return (NULL);
}

int
audit_rec_get_uint(const struct audit_record *r, u_int tag, uint64_t *v)
{
	const struct audit_field	*f;

	if ((f = audit_rec_find(r, tag)) == NULL || f->len != 8)
		return (-1);
	*v = audit_get64(f->value);
	return (0);
}

/*
 * The terminal a record is about: a pane (*popup 0) or, failing that, a
 * popup (*popup 1). 0 if it has either.
 */
int
audit_rec_get_term(const struct audit_record *r, uint64_t *id, int *popup)
{
	*popup = 0;
	if (audit_rec_get_uint(r, AUDIT_F_PANE, id) == 0)
		return (0);
	*popup = 1;
	return (audit_rec_get_uint(r, AUDIT_F_POPUP, id));
}

/* Return a field as a new NUL-terminated string, or NULL if absent. */
char *
audit_rec_get_str(const struct audit_record *r, u_int tag)
{
	const struct audit_field	*f;
	char				*s;

	if ((f = audit_rec_find(r, tag)) == NULL)
		return (NULL);
	s = xmalloc(f->len + 1);
	memcpy(s, f->value, f->len);
	s[f->len] = '\0';
	return (s);
}
