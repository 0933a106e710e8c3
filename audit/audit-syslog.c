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
#include <sys/socket.h>
#include <sys/un.h>

#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The external witness: a one-line RFC 5424 summary of each event that is
 * not bulk data (not input or output), and of every seal, sent to syslog
 * (facility authpriv) where the audited user cannot rewrite it. Seals sent
 * here let show-audit -V -w catch a removed or truncated segment without a
 * host key.
 *
 * audit-log-syslog-target is empty for the local syslog socket (/dev/log),
 * "unix:PATH" for another datagram socket, or "udp:HOST:PORT" or
 * "tcp:HOST:PORT" (TCP uses octet counting, RFC 6587). Sending never
 * blocks the server: a message that cannot be sent at once is counted as
 * lost, and the count goes with the next message that is sent.
 */

#define AUDIT_SYSLOG_FACILITY 10	/* authpriv */
#define AUDIT_SYSLOG_SDID "tmuxaudit@32473"

static int	 audit_syslog_fd = -1;
static int	 audit_syslog_tcp;
static char	*audit_syslog_target;
static uint64_t	 audit_syslog_lost;

/* Messages the socket would not take at once, sent later (at most). */
#define AUDIT_SYSLOG_QUEUE 1024
static char	*audit_syslog_queue[AUDIT_SYSLOG_QUEUE];
static u_int	 audit_syslog_nqueue;

/* Connect to the target; -1 if it cannot be reached now. */
static int
audit_syslog_connect(const char *target)
{
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *ai, *res;
	char			*copy, *host, *port;
	int			 fd = -1, tcp;

	audit_syslog_tcp = 0;
	if (*target == '\0' || strncmp(target, "unix:", 5) == 0) {
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		strlcpy(sun.sun_path, *target == '\0' ? "/dev/log" : target + 5,
		    sizeof sun.sun_path);
		fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0);
		if (fd == -1)
			return (-1);
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
			close(fd);
			return (-1);
		}
		setblocking(fd, 0);
		return (fd);
	}

	tcp = (strncmp(target, "tcp:", 4) == 0);
	if (!tcp && strncmp(target, "udp:", 4) != 0)
		return (-1);
	copy = xstrdup(target + 4);
	if ((port = strrchr(copy, ':')) == NULL) {
		free(copy);
		return (-1);
	}
	*port++ = '\0';
	host = copy;
	if (*host == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		host++;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		free(copy);
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype|SOCK_CLOEXEC, 0);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	free(copy);
	if (fd != -1) {
		setblocking(fd, 0);
		audit_syslog_tcp = tcp;
	}
	return (fd);
}

/* Send one message now; 0 if sent, 1 to try later, -1 if it cannot be. */
static int
audit_syslog_send1(const char *msg)
{
	const char	*target;
	char		*framed = NULL;
	const char	*out = msg;
	size_t		 len = strlen(msg);
	int		 try;

	target = options_get_string(global_options, "audit-log-syslog-target");
	if (audit_syslog_target == NULL ||
	    strcmp(audit_syslog_target, target) != 0) {
		if (audit_syslog_fd != -1)
			close(audit_syslog_fd);
		audit_syslog_fd = -1;
		free(audit_syslog_target);
		audit_syslog_target = xstrdup(target);
	}
	for (try = 0; try < 2; try++) {
		if (audit_syslog_fd == -1)
			audit_syslog_fd = audit_syslog_connect(target);
		if (audit_syslog_fd == -1)
			break;
		if (audit_syslog_tcp && framed == NULL) {
			len = xasprintf(&framed, "%zu %s", strlen(msg), msg);
			out = framed;
		}
		if (send(audit_syslog_fd, out, len, MSG_NOSIGNAL) ==
		    (ssize_t)len) {
			free(framed);
			return (0);
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			free(framed);
			return (1);
		}
		close(audit_syslog_fd);
		audit_syslog_fd = -1;
	}
	free(framed);
	return (-1);
}

/* Send what is queued, in order, as far as the socket takes it. */
void
audit_syslog_flush(void)
{
	u_int	i, done = 0;
	int	r;

	for (i = 0; i < audit_syslog_nqueue; i++) {
		r = audit_syslog_send1(audit_syslog_queue[i]);
		if (r == 1)
			break;
		if (r == -1)
			audit_syslog_lost++;
		free(audit_syslog_queue[i]);
		done++;
	}
	if (done != 0) {
		memmove(audit_syslog_queue, audit_syslog_queue + done,
		    (audit_syslog_nqueue - done) * sizeof *audit_syslog_queue);
		audit_syslog_nqueue -= done;
	}
}

/* At exit: give the queue a moment (at most 100 ms) to go out. */
void
audit_syslog_drain(void)
{
	int	i;

	for (i = 0; i < 50 && audit_syslog_nqueue != 0; i++) {
		audit_syslog_flush();
		if (audit_syslog_nqueue != 0)
			usleep(2000);
	}
}

/* Send a message, or queue it behind those not yet sent. */
static void
audit_syslog_send(const char *msg)
{
	int	r = 1;

	audit_syslog_flush();
	if (audit_syslog_nqueue == 0 && (r = audit_syslog_send1(msg)) == 0)
		return;
	if (r == -1 || audit_syslog_nqueue == AUDIT_SYSLOG_QUEUE) {
		audit_syslog_lost++;
		return;
	}
	audit_syslog_queue[audit_syslog_nqueue++] = xstrdup(msg);
}

/* Append an SD-PARAM, escaping as RFC 5424 says. */
static void
audit_syslog_param(struct audit_buf *b, const char *name, const u_char *v,
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

/* Build and send the message for one record. */
static void
audit_syslog_format(const struct audit_record *r, int severity,
    const char *text)
{
	const struct audit_field	*f;
	struct audit_buf		 b;
	const char			*name, *key;
	char				 tbuf[64], num[32], *hex;
	time_t				 t = r->time / 1000000;
	struct tm			 tm;
	u_int				 i;

	name = audit_type_name(r->type);
	if (name == NULL)
		name = "unknown";
	gmtime_r(&t, &tm);
	strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);

	audit_buf_init(&b);
	audit_printf(&b, "<%d>1 %s.%06uZ %s tmux-audit %ld %s [%s",
	    AUDIT_SYSLOG_FACILITY * 8 + severity, tbuf,
	    (u_int)(r->time % 1000000), audit_host, (long)audit_pid, name,
	    AUDIT_SYSLOG_SDID);
	hex = xmalloc(sizeof audit_run * 2 + 1);
	sodium_bin2hex(hex, sizeof audit_run * 2 + 1, audit_run,
	    sizeof audit_run);
	audit_syslog_param(&b, "run", hex, strlen(hex));
	free(hex);
	snprintf(num, sizeof num, "%llu", (unsigned long long)r->seq);
	audit_syslog_param(&b, "seq", num, strlen(num));
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
			audit_syslog_param(&b, key, num, strlen(num));
			break;
		case AUDIT_KIND_TEXT:
			audit_syslog_param(&b, key, f->value,
			    f->len > 1024 ? 1024 : f->len);
			break;
		default:
			if (f->len > 64)
				break;
			hex = xmalloc(f->len * 2 + 1);
			sodium_bin2hex(hex, f->len * 2 + 1, f->value, f->len);
			audit_syslog_param(&b, key, hex, strlen(hex));
			free(hex);
			break;
		}
	}
	if (audit_syslog_lost != 0) {
		snprintf(num, sizeof num, "%llu",
		    (unsigned long long)audit_syslog_lost);
		audit_syslog_param(&b, "syslog_lost", num, strlen(num));
		audit_syslog_lost = 0;
	}
	audit_printf(&b, "] %.1024s", text);
	audit_buf_add(&b, "", 1);
	audit_syslog_send(b.data);
	audit_buf_free(&b);
}

/* A record has been logged: send its summary if it is not bulk data. */
void
audit_syslog_record(const u_char *rec, size_t len)
{
	struct audit_record	*r;
	const char		*cause;
	char			*text;
	struct audit_buf	 b;

	if (!audit_log_syslog)
		return;
	if (len >= 6) {
		switch (audit_get16(rec + 4)) {
		case AUDIT_INPUT:
		case AUDIT_OUTPUT:
		case AUDIT_PANE_RESIZED:
		case AUDIT_SEGMENT:
			return;
		}
	}
	r = xmalloc(sizeof *r);
	if (audit_rec_parse(rec, len, r, &cause) == 0) {
		audit_buf_init(&b);
		audit_print_text(r, &b);
		audit_buf_add(&b, "", 1);
		text = b.data;
		audit_syslog_format(r, r->type == AUDIT_GAP ? 4 : 6,
		    strchr(text, ' ') != NULL ? strchr(text, ' ') + 1 : text);
		audit_buf_free(&b);
	}
	free(r);
}

/* Send the records held while the configuration was loading. */
void
audit_syslog_pending(void)
{
	size_t	off = 0, len;

	while (audit_log_syslog && off + 4 <= audit_pending.len) {
		len = (size_t)audit_get32(audit_pending.data + off) + 4;
		audit_syslog_record(audit_pending.data + off, len);
		off += len;
	}
}

/* Writing the log failed or works again: say so, whatever the setting. */
void
audit_syslog_incident(const char *msg)
{
	struct audit_record	r;

	if (!options_get_number(global_options, "audit-log-syslog"))
		return;
	memset(&r, 0, sizeof r);
	r.type = AUDIT_GAP;
	r.seq = audit_seq;
	r.time = audit_now();
	audit_syslog_format(&r, 4, msg);
}
