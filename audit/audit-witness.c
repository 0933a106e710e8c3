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
#include <time.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The external witness: a one-line RFC 5424 summary of each event that is
 * not bulk data (not input or output), and of every seal, sent to syslog
 * (facility authpriv) where the audited user cannot rewrite it. Seals sent
 * here let show-audit -V -w catch a removed or truncated segment without a
 * host key. The store hands each record over as it ends, as the view kept
 * while it was built: nothing here parses bytes that were just encoded.
 *
 * While the configuration loads, whether the messages will be sent is not
 * known yet: they are made and kept, then sent or dropped with the records
 * they describe.
 */

/* Messages made while the log is held, at most. */
#define AUDIT_WITNESS_HELD 1024

struct audit_witness_held {
	char	*text;
	size_t	 sd;
};
static struct audit_witness_held audit_witness_held[AUDIT_WITNESS_HELD];
static u_int			 audit_witness_nheld;
static uint64_t			 audit_witness_lost;

/* Append an SD-PARAM, escaping as RFC 5424 says. */
static void
audit_witness_param(struct audit_buf *b, const char *name, const u_char *v,
    size_t len)
{
	size_t	i;

	audit_printf(b, " %s=\"", name);
	for (i = 0; i < len; i++) {
		if (v[i] == '"' || v[i] == '\\' || v[i] == ']')
			audit_buf_add(b, "\\", 1);
		if (v[i] < 0x20 || v[i] == 0x7f)
			audit_buf_add(b, "?", 1);
		else
			audit_buf_add(b, &v[i], 1);
	}
	audit_buf_add(b, "\"", 1);
}

/*
 * What kind of event a record is, for a SIEM to file it under. A record
 * type not named here is "other" until it is.
 */
static const char *
audit_witness_event(u_int type)
{
	switch (type) {
	case AUDIT_SERVER_START:
	case AUDIT_SERVER_STOP:
	case AUDIT_SERVER_SOCKET:
	case AUDIT_LOG_START:
	case AUDIT_LOG_STOP:
	case AUDIT_POLICY:
		return ("server");
	case AUDIT_SEGMENT:
	case AUDIT_SEAL:
	case AUDIT_GAP:
	case AUDIT_UNCLEAN_END:
		return ("integrity");
	case AUDIT_CLIENT_CONNECT:
	case AUDIT_CLIENT_ATTACHED:
	case AUDIT_CLIENT_SESSION_CHANGED:
	case AUDIT_CLIENT_DETACHED:
	case AUDIT_CLIENT_DISCONNECT:
		return ("client");
	case AUDIT_ACCESS_DENIED:
	case AUDIT_ACCESS_CHANGED:
		return ("access");
	case AUDIT_SESSION_CREATED:
	case AUDIT_SESSION_CLOSED:
	case AUDIT_SESSION_RENAMED:
		return ("session");
	case AUDIT_WINDOW_CREATED:
	case AUDIT_WINDOW_CLOSED:
	case AUDIT_PANE_CREATED:
	case AUDIT_PANE_EXITED:
	case AUDIT_PANE_RESIZED:
	case AUDIT_POPUP_OPENED:
	case AUDIT_POPUP_CLOSED:
		return ("pane");
	case AUDIT_COMMAND:
	case AUDIT_COMMAND_START:
		return ("command");
	case AUDIT_PASTE_BUFFER_CHANGED:
	case AUDIT_COPY:
	case AUDIT_PIPE_PANE:
	case AUDIT_INPUT:
	case AUDIT_OUTPUT:
		return ("data");
	case AUDIT_OPTION_CHANGED:
		return ("option");
	case AUDIT_COMMAND_LINE:
	case AUDIT_COMMAND_END:
		return ("shell");
	case AUDIT_PROCESS:
		return ("process");
	}
	return ("other");
}

/* Add a key made of the run and a number field, if the record has it. */
static void
audit_witness_key(struct audit_buf *b, const char *name, const char *run,
    const struct audit_record *r, u_int tag)
{
	char		key[64];
	uint64_t	v;

	if (audit_rec_get_uint(r, tag, &v) != 0)
		return;
	snprintf(key, sizeof key, "%s:%llu", run, (unsigned long long)v);
	audit_witness_param(b, name, key, strlen(key));
}

/* Add a number field under another name, if the record has it. */
static void
audit_witness_number(struct audit_buf *b, const char *name,
    const struct audit_record *r, u_int tag)
{
	char		num[32];
	uint64_t	v;

	if (audit_rec_get_uint(r, tag, &v) != 0)
		return;
	snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	audit_witness_param(b, name, num, strlen(num));
}

/* Add a text field under another name, if the record has it. */
static void
audit_witness_text(struct audit_buf *b, const char *name,
    const struct audit_record *r, u_int tag)
{
	const struct audit_field	*f;

	if ((f = audit_rec_find(r, tag)) != NULL)
		audit_witness_param(b, name, f->value,
		    f->len > 1024 ? 1024 : f->len);
}

/*
 * The keys a SIEM indexes an event by, the same for every record type, as
 * a second SD-ELEMENT: what kind of event, the server's user, who acted
 * (the client's user and uid, else the cause's), which client, session,
 * pane or popup (as keys unique across servers: the run, a colon, the id),
 * the command and how it went. Each is there only if the record has what
 * it comes from.
 */
static void
audit_witness_index(struct audit_buf *b, const struct audit_record *r,
    const char *run)
{
	const char	*outcome;
	char		*result;
	uint64_t	 status;
	int		 client;

	audit_printf(b, "[%s", AUDIT_SYSLOG_INDEX_SDID);
	outcome = audit_witness_event(r->type);
	audit_witness_param(b, "event", outcome, strlen(outcome));
	audit_witness_param(b, "owner", audit_user, strlen(audit_user));

	client = (audit_rec_find(r, AUDIT_F_CLIENT_ID) != NULL);
	if (audit_rec_find(r, AUDIT_F_UID) != NULL &&
	    r->type != AUDIT_SERVER_SOCKET) {
		audit_witness_text(b, "user", r, AUDIT_F_USER);
		audit_witness_number(b, "uid", r, AUDIT_F_UID);
	} else {
		audit_witness_text(b, "user", r, AUDIT_F_CAUSE_USER);
		audit_witness_number(b, "uid", r, AUDIT_F_CAUSE_UID);
	}
	if (client) {
		audit_witness_text(b, "client", r, AUDIT_F_CLIENT);
		audit_witness_key(b, "client_key", run, r, AUDIT_F_CLIENT_ID);
	} else {
		audit_witness_text(b, "client", r, AUDIT_F_CAUSE_CLIENT);
		audit_witness_key(b, "client_key", run, r,
		    AUDIT_F_CAUSE_CLIENT_ID);
	}
	audit_witness_text(b, "session", r, AUDIT_F_SESSION);
	audit_witness_key(b, "session_key", run, r, AUDIT_F_SESSION_ID);
	audit_witness_key(b, "pane_key", run, r, AUDIT_F_PANE);
	audit_witness_key(b, "popup_key", run, r, AUDIT_F_POPUP);
	audit_witness_text(b, "command", r, AUDIT_F_COMMAND);
	if (audit_rec_find(r, AUDIT_F_SHELL_TEXT) != NULL)
		audit_witness_text(b, "command_line", r, AUDIT_F_SHELL_TEXT);
	else
		audit_witness_text(b, "command_line", r, AUDIT_F_SCREEN_TEXT);
	audit_witness_key(b, "command_key", run, r, AUDIT_F_COMMAND_ID);

	if (audit_rec_get_uint(r, AUDIT_F_SHELL_STATUS, &status) == 0) {
		outcome = (status == 0) ? "success" : "failure";
		audit_witness_param(b, "outcome", outcome, strlen(outcome));
	} else if ((result = audit_rec_get_str(r, AUDIT_F_RESULT)) != NULL) {
		if (strcmp(result, "error") == 0)
			outcome = "failure";
		else if (strcmp(result, "refused") == 0)
			outcome = "refused";
		else
			outcome = "success";
		audit_witness_param(b, "outcome", outcome, strlen(outcome));
		free(result);
	}
	audit_buf_add(b, "]", 1);
}

/*
 * Build the message for one record, its first structured-data element
 * closing at *sd: the record's fields as SD-PARAMs, then the index keys
 * (audit_witness_index), then text.
 */
static char *
audit_witness_message(const struct audit_record *r, int severity,
    const char *text, size_t *sd)
{
	const struct audit_field	*f;
	struct audit_buf		 b;
	const char			*name, *key;
	char				 tbuf[64], num[32], *hex;
	char				 run[sizeof audit_run * 2 + 1];
	time_t				 t = r->time / 1000000;
	struct tm			 tm;
	u_int				 i;
	char				*msg;

	name = audit_type_name(r->type);
	if (name == NULL)
		name = "unknown";
	gmtime_r(&t, &tm);
	strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);

	audit_buf_init(&b);
	audit_printf(&b, "<%d>1 %s.%06uZ %s %s %ld %s [%s",
	    AUDIT_SYSLOG_FACILITY * 8 + severity, tbuf,
	    (u_int)(r->time % 1000000), audit_host, AUDIT_SYSLOG_APP,
	    (long)audit_pid, name, AUDIT_SYSLOG_SDID);
	sodium_bin2hex(run, sizeof run, audit_run, sizeof audit_run);
	audit_witness_param(&b, "run", run, strlen(run));
	snprintf(num, sizeof num, "%llu", (unsigned long long)r->seq);
	audit_witness_param(&b, "seq", num, strlen(num));
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		key = audit_tag_name(f->tag);
		if (key == NULL || f->tag == AUDIT_F_DIGESTS ||
		    f->tag == AUDIT_F_SIGNATURE || f->tag == AUDIT_F_CLAIMED ||
		    f->tag == AUDIT_F_RUN || f->tag == AUDIT_F_CERT)
			continue;
		switch (AUDIT_KIND(f->tag)) {
		case AUDIT_KIND_UINT:
		case AUDIT_KIND_INT:
			snprintf(num, sizeof num, "%llu",
			    (unsigned long long)audit_get64(f->value));
			audit_witness_param(&b, key, num, strlen(num));
			break;
		case AUDIT_KIND_TEXT:
			audit_witness_param(&b, key, f->value,
			    f->len > 1024 ? 1024 : f->len);
			break;
		default:
			if (f->len > 64)
				break;
			hex = xmalloc(f->len * 2 + 1);
			sodium_bin2hex(hex, f->len * 2 + 1, f->value, f->len);
			audit_witness_param(&b, key, hex, strlen(hex));
			free(hex);
			break;
		}
	}
	*sd = b.len;
	audit_buf_add(&b, "]", 1);
	audit_witness_index(&b, r, run);
	audit_printf(&b, " %.1024s", text);
	audit_buf_add(&b, "", 1);
	msg = xstrdup((char *)b.data);
	audit_buf_free(&b);
	return (msg);
}

/*
 * Make the message for the record just built in b, unless it is bulk data
 * (input, output, sizes, segments). Returns NULL if there is none.
 */
static char *
audit_witness_make(const struct audit_buf *b, const struct audit_view *v,
    size_t *sd)
{
	struct audit_record	*r;
	struct audit_buf	 text;
	const char		*line;
	char			*msg = NULL;

	switch (v->type) {
	case AUDIT_INPUT:
	case AUDIT_OUTPUT:
	case AUDIT_PANE_RESIZED:
	case AUDIT_SEGMENT:
		return (NULL);
	}
	r = xmalloc(sizeof *r);
	if (audit_view_record(b, v, r) == 0) {
		audit_buf_init(&text);
		audit_print_text(r, &text);
		audit_buf_add(&text, "", 1);
		line = (const char *)text.data;
		if (strchr(line, ' ') != NULL)
			line = strchr(line, ' ') + 1;
		msg = audit_witness_message(r, r->type == AUDIT_GAP ? 4 : 6,
		    line, sd);
		audit_buf_free(&text);
	}
	free(r);
	return (msg);
}

/* A record has been logged: send its summary if it is not bulk data. */
void
audit_syslog_record(const struct audit_buf *b, const struct audit_view *v)
{
	char	*msg;
	size_t	 sd;

	if (!audit_log_syslog)
		return;
	if ((msg = audit_witness_make(b, v, &sd)) != NULL)
		audit_syslog_send(msg, sd);
}

/* A record has been held: keep its message until the log is known. */
void
audit_syslog_hold(const struct audit_buf *b, const struct audit_view *v)
{
	char	*msg;
	size_t	 sd;

	if ((msg = audit_witness_make(b, v, &sd)) == NULL)
		return;
	if (audit_witness_nheld == AUDIT_WITNESS_HELD) {
		free(msg);
		audit_witness_lost++;
		return;
	}
	audit_witness_held[audit_witness_nheld].text = msg;
	audit_witness_held[audit_witness_nheld].sd = sd;
	audit_witness_nheld++;
}

/* The log has started: send what was held, if syslog is on. */
void
audit_syslog_release(void)
{
	u_int	i;

	if (!audit_log_syslog) {
		audit_syslog_discard();
		return;
	}
	audit_syslog_lose(audit_witness_lost);
	for (i = 0; i < audit_witness_nheld; i++) {
		audit_syslog_send(audit_witness_held[i].text,
		    audit_witness_held[i].sd);
	}
	audit_witness_nheld = 0;
	audit_witness_lost = 0;
}

/* The held records are gone: so are their messages. */
void
audit_syslog_discard(void)
{
	u_int	i;

	for (i = 0; i < audit_witness_nheld; i++)
		free(audit_witness_held[i].text);
	audit_witness_nheld = 0;
	audit_witness_lost = 0;
}

/* Writing the log failed or works again: say so, whatever the setting. */
void
audit_syslog_incident(const char *msg)
{
	struct audit_record	r;
	char			*text;
	size_t			 sd;

	if (!options_get_number(global_options, "audit-log-syslog"))
		return;
	memset(&r, 0, sizeof r);
	r.type = AUDIT_GAP;
	r.seq = audit_seq;
	r.time = audit_now();
	text = audit_witness_message(&r, 4, msg, &sd);
	audit_syslog_send(text, sd);
}
