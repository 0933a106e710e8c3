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
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The link to the collector (tmux-auditd, FORMAT.md section 17): with
 * audit-log-collector set, the segments go to it over a Unix socket
 * instead of into files of the server's own.
 *
 * Every byte sent is kept until the collector acknowledges it is stored,
 * per segment: the segment's header and segment record, its records (whole,
 * in sequence), and whether it has ended. When the connection is lost, the
 * collector is asked on reconnecting how far it got (WELCOME) and what it
 * lacks is sent again from what is kept, so a collector killed or restarted
 * in the middle of a segment loses nothing and stores nothing twice.
 *
 * Sending blocks, with a timeout: it is done by the writer thread (records,
 * audit_link_send, which touches only the socket) or by the loop while the
 * writer is idle. Everything else here is the loop's: what is kept, and
 * reading the collector's answers (acknowledgements, a refusal), which
 * arrive on the same socket and are read without blocking. A failure is
 * noted and left for the store to find (audit_link_failed): nothing here
 * calls back up.
 */

/* How long a send or an answer may take before the link counts as down. */
#define AUDIT_LINK_TIMEOUT 10

/* The longest wait, in seconds, between attempts to connect again. */
#define AUDIT_LINK_BACKOFF_MAX 8

struct audit_link_seg {
	uint64_t		 segment;
	struct audit_buf	 header;	/* file header, segment record */
	int			 created;	/* the collector has the file */
	struct audit_buf	 records;	/* whole records, unacknowledged */
	int			 ended;		/* END sent */
	TAILQ_ENTRY(audit_link_seg) entry;
};
static TAILQ_HEAD(audit_link_segs, audit_link_seg) audit_link_segs =
    TAILQ_HEAD_INITIALIZER(audit_link_segs);

static char		*audit_link_path;
static struct timespec	 audit_link_tried;	/* the last connect */
static u_int		 audit_link_backoff;	/* seconds before the next */
static int		 audit_link_sock = -1;
static char		*audit_link_where;	/* the collector's directory */
static char		*audit_link_why;	/* why the link is down */
static struct event	 audit_link_ev;
static struct audit_buf	 audit_link_in;

static void	audit_link_read_cb(int, short, void *);

/* The socket, or -1 if not connected. */
int
audit_link_fd(void)
{
	return (audit_link_sock);
}

/* The directory the collector keeps this user's runs in, or NULL. */
const char *
audit_link_dir(void)
{
	return (audit_link_where);
}

/* Is the link down? If so, why. */
const char *
audit_link_failed(void)
{
	return (audit_link_why);
}

/* The link has failed: remember why (the first reason only). */
static void printflike(1, 2)
audit_link_fail(const char *fmt, ...)
{
	va_list	 ap;
	char	*why;

	if (audit_link_why != NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&why, fmt, ap);
	va_end(ap);
	xasprintf(&audit_link_why, "collector %s: %s", audit_link_path, why);
	free(why);
	log_debug("%s: %s", __func__, audit_link_why);
}

/* Close the socket (the writer must be idle). */
static void
audit_link_disconnect(void)
{
	if (audit_link_sock == -1)
		return;
	if (event_initialized(&audit_link_ev))
		event_del(&audit_link_ev);
	close(audit_link_sock);
	audit_link_sock = -1;
	audit_link_in.len = 0;
}

/*
 * Write all of a buffer to the socket, blocking at most the timeout set on
 * it. Safe in the writer thread: it uses nothing but its arguments.
 */
static int
audit_link_write(int fd, const struct iovec *iov0, int n)
{
	struct iovec	 iov[2];
	ssize_t		 done;
	struct msghdr	 msg;

	memcpy(iov, iov0, n * sizeof *iov);
	while (n != 0) {
		memset(&msg, 0, sizeof msg);
		msg.msg_iov = iov;
		msg.msg_iovlen = n;
		done = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (done == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				errno = ETIMEDOUT;
			return (-1);
		}
		while (n != 0 && (size_t)done >= iov[0].iov_len) {
			done -= iov[0].iov_len;
			iov[0] = iov[1];
			n--;
		}
		if (n != 0) {
			iov[0].iov_base = (char *)iov[0].iov_base + done;
			iov[0].iov_len -= done;
		}
	}
	return (0);
}

/* Send one message. */
static int
audit_link_message(int fd, u_int type, const void *data, size_t len)
{
	u_char		hdr[AUDIT_LINK_HDR];
	struct iovec	iov[2];

	hdr[0] = type;
	audit_put32(hdr + 1, len);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof hdr;
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = len;
	return (audit_link_write(fd, iov, len == 0 ? 1 : 2));
}

/*
 * Send whole records as RECORDS messages of at most AUDIT_LINK_FRAME bytes
 * (or one record, if larger). Returns 0, or an errno. Called by the writer
 * thread and by the loop.
 */
int
audit_link_send(int fd, const u_char *data, size_t len)
{
	size_t	off = 0, n, rec;

	while (off < len) {
		n = 0;
		while (off + n + 4 <= len) {
			rec = (size_t)audit_get32(data + off + n) + 4;
			if (n != 0 && n + rec > AUDIT_LINK_FRAME)
				break;
			n += rec;
		}
		if (audit_link_message(fd, AUDIT_LINK_RECORDS, data + off,
		    n) != 0)
			return (errno);
		off += n;
	}
	return (0);
}

/* The segment kept last (being written), or NULL. */
static struct audit_link_seg *
audit_link_last(void)
{
	return (TAILQ_LAST(&audit_link_segs, audit_link_segs));
}

static void
audit_link_seg_free(struct audit_link_seg *ls)
{
	TAILQ_REMOVE(&audit_link_segs, ls, entry);
	audit_buf_free(&ls->header);
	audit_buf_free(&ls->records);
	free(ls);
}

/* Drop the records of a kept segment before sequence number next. */
static void
audit_link_trim(struct audit_link_seg *ls, uint64_t next)
{
	struct audit_buf	*b = &ls->records;
	size_t			 off = 0;

	while (off + 14 <= b->len && audit_get64(b->data + off + 6) < next)
		off += (size_t)audit_get32(b->data + off) + 4;
	audit_buf_consume(b, off);
}

/*
 * The collector has stored a segment up to (not including) next, all of it
 * if complete: forget what it has.
 */
static void
audit_link_acked(uint64_t segment, uint64_t next, int complete)
{
	struct audit_link_seg	*ls, *ls1;

	TAILQ_FOREACH_SAFE(ls, &audit_link_segs, entry, ls1) {
		if (ls->segment > segment)
			break;
		if (ls->segment < segment || (complete && ls->ended)) {
			audit_link_seg_free(ls);
			continue;
		}
		ls->created = 1;
		audit_link_trim(ls, next);
	}
}

/* Is everything kept acknowledged (only an open segment's file left)? */
static int
audit_link_all_acked(void)
{
	struct audit_link_seg	*ls;

	TAILQ_FOREACH(ls, &audit_link_segs, entry) {
		if (!ls->created || ls->records.len != 0 || ls->ended)
			return (0);
	}
	return (1);
}

/*
 * Handle the collector's messages read so far. Returns 1 for each WELCOME
 * (its payload left in *welcome), 0 otherwise, -1 if the link failed.
 */
static int
audit_link_parse(u_char **welcome, size_t *wlen)
{
	struct audit_buf	*in = &audit_link_in;
	u_char			*p;
	size_t			 len;
	u_int			 type;

	while (in->len >= AUDIT_LINK_HDR) {
		type = in->data[0];
		len = audit_get32(in->data + 1);
		if (len > 65536) {
			audit_link_fail("answer of %zu bytes", len);
			return (-1);
		}
		if (in->len < AUDIT_LINK_HDR + len)
			break;
		p = in->data + AUDIT_LINK_HDR;
		switch (type) {
		case AUDIT_LINK_ACK:
			if (len != 17) {
				audit_link_fail("bad acknowledgement");
				return (-1);
			}
			audit_link_acked(audit_get64(p), audit_get64(p + 8),
			    p[16] & AUDIT_LINK_COMPLETE);
			break;
		case AUDIT_LINK_ERROR:
			audit_link_fail("refused: %.*s", (int)len, p);
			return (-1);
		case AUDIT_LINK_WELCOME:
			if (welcome == NULL) {
				audit_link_fail("unexpected welcome");
				return (-1);
			}
			*welcome = xmalloc(len + 1);
			memcpy(*welcome, p, len);
			(*welcome)[len] = '\0';
			*wlen = len;
			audit_buf_consume(in, AUDIT_LINK_HDR + len);
			return (1);
		default:
			audit_link_fail("unknown answer type %u", type);
			return (-1);
		}
		audit_buf_consume(in, AUDIT_LINK_HDR + len);
	}
	return (0);
}

/*
 * Read what the collector has sent, without blocking. Returns 1 if it has
 * closed the connection (its last words, a refusal, may be in what was
 * read: parse that first), -1 on error.
 */
static int
audit_link_read(void)
{
	u_char	buf[4096];
	ssize_t	n;

	for (;;) {
		n = recv(audit_link_sock, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0) {
			audit_buf_add(&audit_link_in, buf, n);
			continue;
		}
		if (n == 0)
			return (1);
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return (0);
		if (errno == ECONNRESET)
			return (1);
		audit_link_fail("%s", strerror(errno));
		return (-1);
	}
}

/* The collector has closed the connection: say why, if it did. */
static void
audit_link_closed(void)
{
	audit_link_parse(NULL, NULL);
	audit_link_fail("closed the connection");
}

/* Answers arrive while the loop runs: acknowledgements, or a refusal. */
static void
audit_link_read_cb(__unused int fd, __unused short events,
    __unused void *data)
{
	int	got;

	if ((got = audit_link_read()) == 1)
		audit_link_closed();
	if (got != 0 || audit_link_parse(NULL, NULL) != 0) {
		/* Stop listening; the store closes it when it sees why. */
		event_del(&audit_link_ev);
	}
}

/*
 * Wait (at most the timeout) until a WELCOME comes, or, if welcome is
 * NULL, until everything sent is acknowledged.
 */
static int
audit_link_wait(u_char **welcome, size_t *wlen)
{
	struct pollfd	pfd;
	struct timespec	now, end;
	int		ms, got;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += AUDIT_LINK_TIMEOUT;
	for (;;) {
		if (audit_link_why != NULL)
			return (-1);
		got = audit_link_parse(welcome, wlen);
		if (got == -1)
			return (-1);
		if (welcome != NULL ? got == 1 : audit_link_all_acked())
			return (0);
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0) {
			audit_link_fail("no answer in %d seconds",
			    AUDIT_LINK_TIMEOUT);
			return (-1);
		}
		pfd.fd = audit_link_sock;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms) == -1 && errno != EINTR) {
			audit_link_fail("poll: %s", strerror(errno));
			return (-1);
		}
		if ((got = audit_link_read()) == 1) {
			/* What it said before closing still counts. */
			if (welcome != NULL &&
			    audit_link_parse(welcome, wlen) == 1)
				return (0);
			if (welcome == NULL && audit_link_parse(NULL, NULL) ==
			    0 && audit_link_all_acked())
				return (0);
			audit_link_closed();
			return (-1);
		}
		if (got != 0)
			return (-1);
	}
}

/* Send again what the collector lacks, after its WELCOME. */
static int
audit_link_resend(uint64_t segment, uint64_t next, int complete)
{
	struct audit_link_seg	*ls, *ls1;
	struct audit_link_seg	*first = TAILQ_FIRST(&audit_link_segs);

	if (first != NULL && segment != 0 && segment + 1 < first->segment) {
		audit_link_fail("has segment %llu of this run, but segment "
		    "%llu is no longer kept here", (unsigned long long)segment,
		    (unsigned long long)segment + 1);
		return (-1);
	}
	if (segment > audit_current_segment()) {
		audit_link_fail("has segment %llu of this run, more than was "
		    "written", (unsigned long long)segment);
		return (-1);
	}
	log_debug("%s: collector has segment %llu%s, next seq %llu", __func__,
	    (unsigned long long)segment, complete ? " (complete)" : "",
	    (unsigned long long)next);
	TAILQ_FOREACH_SAFE(ls, &audit_link_segs, entry, ls1) {
		log_debug("%s: kept segment %llu: %zu bytes%s%s", __func__,
		    (unsigned long long)ls->segment, ls->records.len,
		    ls->created ? ", created" : "", ls->ended ? ", ended" : "");
		if (ls->segment < segment ||
		    (ls->segment == segment && complete)) {
			audit_link_seg_free(ls);
			continue;
		}
		if (ls->segment == segment)
			audit_link_trim(ls, next);
		else if (audit_link_message(audit_link_sock,
		    AUDIT_LINK_SEGMENT, ls->header.data, ls->header.len) != 0)
			goto fail;
		if (audit_link_send(audit_link_sock, ls->records.data,
		    ls->records.len) != 0)
			goto fail;
		if (ls->ended && audit_link_message(audit_link_sock,
		    AUDIT_LINK_END, NULL, 0) != 0)
			goto fail;
	}
	return (0);

fail:
	audit_link_fail("%s", strerror(errno));
	return (-1);
}

/*
 * Connect to the collector at path, say which run this is, and send it
 * again whatever it lacks of what is kept.
 */
int
audit_link_open(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { .tv_sec = AUDIT_LINK_TIMEOUT };
	u_char			 hello[AUDIT_LINK_HELLO_LEN], *w = NULL;
	size_t			 wlen;
	int			 fd;

	if (audit_link_path == NULL || strcmp(audit_link_path, path) != 0) {
		free(audit_link_path);
		audit_link_path = xstrdup(path);
	}
	audit_link_disconnect();
	free(audit_link_why);
	audit_link_why = NULL;
	clock_gettime(CLOCK_MONOTONIC, &audit_link_tried);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof sun.sun_path) >=
	    sizeof sun.sun_path) {
		xasprintf(cause, "collector %s: path too long", path);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "collector %s: %s", path, strerror(errno));
		return (-1);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		xasprintf(cause, "collector %s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	audit_link_sock = fd;

	memcpy(hello, AUDIT_LINK_MAGIC, 8);
	hello[8] = AUDIT_LINK_VERSION;
	memcpy(hello + 9, audit_run, 16);
	audit_put64(hello + 25, audit_start);
	audit_put64(hello + 33, audit_pid);
	if (audit_link_message(fd, AUDIT_LINK_HELLO, hello, sizeof hello) != 0)
		audit_link_fail("%s", strerror(errno));
	else if (audit_link_wait(&w, &wlen) == 0) {
		if (wlen <= 18 + AUDIT_PK_LEN || w[0] != AUDIT_LINK_VERSION ||
		    w[18 + AUDIT_PK_LEN] != '/')
			audit_link_fail("bad welcome");
		else {
			free(audit_link_where);
			audit_link_where = xstrdup(w + 18 + AUDIT_PK_LEN);
			audit_link_resend(audit_get64(w + 1),
			    audit_get64(w + 9), w[17] & AUDIT_LINK_COMPLETE);
		}
	}
	free(w);
	if (audit_link_why != NULL) {
		*cause = xstrdup(audit_link_why);
		audit_link_disconnect();
		return (-1);
	}

	event_set(&audit_link_ev, fd, EV_READ|EV_PERSIST, audit_link_read_cb,
	    NULL);
	event_add(&audit_link_ev, NULL);
	log_debug("%s: connected to %s, storing in %s", __func__, path,
	    audit_link_where);
	return (0);
}

/*
 * Connect again after the link failed, send again what the collector
 * lacks, and wait until it has stored it: at most once a second, and less
 * often (up to once every 8 seconds) while it keeps failing, as the store
 * tries on every pass of the loop while it cannot write. Not longer: with
 * audit-log-fail closed the panes are held until then, and a collector
 * restarted by systemd is back within a second.
 */
int
audit_link_reopen(char **cause)
{
	struct timespec	now;

	*cause = NULL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (audit_link_backoff == 0)
		audit_link_backoff = 1;
	if (now.tv_sec - audit_link_tried.tv_sec < audit_link_backoff &&
	    audit_link_tried.tv_sec != 0) {
		if (audit_link_why != NULL)
			*cause = xstrdup(audit_link_why);
		else {
			xasprintf(cause, "collector %s: not connected",
			    audit_link_path);
		}
		return (-1);
	}
	if (audit_link_open(audit_link_path, cause) != 0 ||
	    audit_link_wait(NULL, NULL) != 0) {
		/* Failing again: wait longer each time, up to 8 seconds. */
		if (audit_link_backoff < AUDIT_LINK_BACKOFF_MAX)
			audit_link_backoff *= 2;
		if (audit_link_backoff > AUDIT_LINK_BACKOFF_MAX)
			audit_link_backoff = AUDIT_LINK_BACKOFF_MAX;
		if (*cause == NULL)
			*cause = xstrdup(audit_link_why);
		return (-1);
	}
	audit_link_backoff = 1;
	return (0);
}

/* Begin a segment: keep its header and send it (if connected). */
void
audit_link_segment(uint64_t segment, const u_char *data, size_t len)
{
	struct audit_link_seg	*ls;

	ls = xcalloc(1, sizeof *ls);
	ls->segment = segment;
	audit_buf_init(&ls->header);
	audit_buf_init(&ls->records);
	audit_buf_add(&ls->header, data, len);
	TAILQ_INSERT_TAIL(&audit_link_segs, ls, entry);
	if (audit_link_sock != -1 && audit_link_why == NULL &&
	    audit_link_message(audit_link_sock, AUDIT_LINK_SEGMENT, data,
	    len) != 0)
		audit_link_fail("%s", strerror(errno));
}

/*
 * Keep whole records about to be sent (by the writer thread or the loop),
 * until the collector acknowledges them.
 */
void
audit_link_keep(const u_char *data, size_t len)
{
	struct audit_link_seg	*ls = audit_link_last();

	if (ls == NULL || ls->ended)
		fatalx("audit link: records outside a segment");
	audit_buf_add(&ls->records, data, len);
}

/* Keep and send whole records from the loop. */
void
audit_link_records(const u_char *data, size_t len)
{
	int	error;

	audit_link_keep(data, len);
	if (audit_link_sock == -1 || audit_link_why != NULL)
		return;
	if ((error = audit_link_send(audit_link_sock, data, len)) != 0)
		audit_link_fail("%s", strerror(error));
}

/* The segment is complete (its closing seal sent): say so. */
void
audit_link_end(void)
{
	struct audit_link_seg	*ls = audit_link_last();

	if (ls == NULL || ls->ended)
		return;
	ls->ended = 1;
	if (audit_link_sock != -1 && audit_link_why == NULL &&
	    audit_link_message(audit_link_sock, AUDIT_LINK_END, NULL, 0) != 0)
		audit_link_fail("%s", strerror(errno));
}

/*
 * Wait until the collector has stored (and, for seals, synced and
 * counter-sealed) everything sent. The writer must be idle.
 */
int
audit_link_sync(void)
{
	if (audit_link_sock == -1 || audit_link_why != NULL)
		return (-1);
	return (audit_link_wait(NULL, NULL));
}

/* The writer thread failed to send: note why. */
void
audit_link_send_failed(int error)
{
	audit_link_fail("%s", strerror(error));
}

/* Is everything sent acknowledged? */
int
audit_link_idle(void)
{
	return (audit_link_all_acked());
}

/*
 * The log is closed: wait for the last acknowledgements, then close the
 * connection and forget what is kept. What the collector has not
 * acknowledged by then is reported lost.
 */
void
audit_link_close(void)
{
	struct audit_link_seg	*ls;
	char			*msg, *cause;

	if (!audit_link_all_acked() &&
	    (audit_link_sock == -1 || audit_link_why != NULL)) {
		/* One last try: the collector may be back. */
		if (audit_link_open(audit_link_path, &cause) != 0) {
			if (audit_link_why == NULL)
				audit_link_why = cause;
			else
				free(cause);
		}
	}
	if (audit_link_sock != -1 && audit_link_why == NULL)
		audit_link_wait(NULL, NULL);
	if (audit_link_why != NULL && !audit_link_all_acked()) {
		xasprintf(&msg, "audit log: records not stored by the "
		    "collector at close: %s", audit_link_why);
		audit_warn(msg);
		audit_syslog_incident(msg);
		free(msg);
	}
	audit_link_disconnect();
	while ((ls = TAILQ_FIRST(&audit_link_segs)) != NULL)
		audit_link_seg_free(ls);
	free(audit_link_why);
	audit_link_why = NULL;
}

/* The store has seen the failure: close the socket (the writer is idle). */
void
audit_link_down(void)
{
	audit_link_disconnect();
}
