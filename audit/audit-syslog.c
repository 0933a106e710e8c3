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

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The syslog connection of the external witness (audit-witness.c makes
 * the messages).
 *
 * audit-log-syslog-target is empty for the local syslog socket (/dev/log),
 * "unix:PATH" for another datagram socket, or "udp:HOST:PORT" or
 * "tcp:HOST:PORT" (TCP uses octet counting, RFC 6587). Nothing here waits:
 * messages the socket does not take at once are queued and sent, in order,
 * when it can take them; only those that do not fit in the queue are lost,
 * and their count goes with the next message that is sent.
 */

/*
 * Messages waiting to be sent, oldest first. Each is kept as built but for
 * its syslog_lost parameter, which is added when it is sent (at "sd"), so
 * that a count goes out with the first message that really does.
 */
#define AUDIT_SYSLOG_QUEUE 1024
struct audit_syslog_msg {
	char	*text;
	size_t	 sd;		/* offset of the "]" closing the SD-ELEMENT */
};
static struct audit_syslog_msg	 audit_syslog_queue[AUDIT_SYSLOG_QUEUE];
static u_int			 audit_syslog_first;
static u_int			 audit_syslog_nqueue;
static uint64_t			 audit_syslog_lost;

/*
 * The connection. A stream (tcp:) is written as it takes it: a frame that
 * went out in part stays in "out" until the rest does, so framing holds.
 * Connecting and looking up a host name never wait: both are started and
 * looked at again when the socket is writable or a timer fires. After a
 * failure the next attempt waits, from 100 ms doubling up to 30 s.
 */
enum audit_syslog_state {
	AUDIT_SYSLOG_CLOSED,
	AUDIT_SYSLOG_RESOLVING,
	AUDIT_SYSLOG_CONNECTING,
	AUDIT_SYSLOG_OPEN
};
static enum audit_syslog_state	 audit_syslog_state;
static char			*audit_syslog_target;
static int			 audit_syslog_fd = -1;
static int			 audit_syslog_tcp;
static struct addrinfo		*audit_syslog_ai;	/* left to try */
static struct addrinfo		*audit_syslog_res;
static uint64_t			 audit_syslog_retry;	/* not before, us */
static uint64_t			 audit_syslog_backoff;	/* us */
static char			*audit_syslog_out;
static size_t			 audit_syslog_outlen;
static size_t			 audit_syslog_outoff;
static uint64_t			 audit_syslog_outlost;	/* count it has */
static struct event		 audit_syslog_ev;
static int			 audit_syslog_evset;
#ifdef __GLIBC__
struct audit_syslog_lookup {
	struct gaicb		 gai;
	struct addrinfo		 hints;
	char			*host;
	char			*port;
};
static struct audit_syslog_lookup *audit_syslog_lookup;
#endif

#define AUDIT_SYSLOG_BACKOFF_MIN 100000ULL
#define AUDIT_SYSLOG_BACKOFF_MAX 30000000ULL

static void	audit_syslog_cb(int, short, void *);

#ifdef __GLIBC__
/*
 * Forget a lookup. One still running cannot always be stopped; it is left
 * to finish on its own (this only happens when the target is changed in
 * the middle of a lookup, or when the server exits).
 */
static void
audit_syslog_lookup_free(void)
{
	struct audit_syslog_lookup	*l = audit_syslog_lookup;

	audit_syslog_lookup = NULL;
	if (gai_error(&l->gai) == EAI_INPROGRESS &&
	    gai_cancel(&l->gai) == EAI_NOTCANCELED)
		return;
	if (l->gai.ar_result != NULL)
		freeaddrinfo(l->gai.ar_result);
	free(l->host);
	free(l->port);
	free(l);
}
#endif

/* Close the connection; unless "now", do not try again for a while. */
static void
audit_syslog_close(int now)
{
	if (audit_syslog_evset)
		event_del(&audit_syslog_ev);
	if (audit_syslog_fd != -1)
		close(audit_syslog_fd);
	audit_syslog_fd = -1;
	if (audit_syslog_res != NULL)
		freeaddrinfo(audit_syslog_res);
	audit_syslog_res = audit_syslog_ai = NULL;
#ifdef __GLIBC__
	if (audit_syslog_lookup != NULL)
		audit_syslog_lookup_free();
#endif
	audit_syslog_state = AUDIT_SYSLOG_CLOSED;
	if (now) {
		audit_syslog_backoff = 0;
		audit_syslog_retry = 0;
		return;
	}
	if (audit_syslog_backoff == 0)
		audit_syslog_backoff = AUDIT_SYSLOG_BACKOFF_MIN;
	else if (audit_syslog_backoff < AUDIT_SYSLOG_BACKOFF_MAX / 2)
		audit_syslog_backoff *= 2;
	else
		audit_syslog_backoff = AUDIT_SYSLOG_BACKOFF_MAX;
	audit_syslog_retry = audit_now() + audit_syslog_backoff;
}

/* Start connecting to the next address left; 0 if started or done. */
static int
audit_syslog_next(void)
{
	struct addrinfo	*ai;
	int		 fd;

	while ((ai = audit_syslog_ai) != NULL) {
		audit_syslog_ai = ai->ai_next;
		fd = socket(ai->ai_family, ai->ai_socktype|SOCK_CLOEXEC, 0);
		if (fd == -1)
			continue;
		setblocking(fd, 0);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			audit_syslog_fd = fd;
			audit_syslog_state = AUDIT_SYSLOG_OPEN;
			return (0);
		}
		if (errno == EINPROGRESS) {
			audit_syslog_fd = fd;
			audit_syslog_state = AUDIT_SYSLOG_CONNECTING;
			return (0);
		}
		close(fd);
	}
	return (-1);
}

/* Start opening target. */
static void
audit_syslog_open(const char *target)
{
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *res;
	char			*copy, *host, *port;
	int			 fd, error;
#ifdef __GLIBC__
	struct audit_syslog_lookup *l;
	struct gaicb		*gaip;
#endif

	audit_syslog_tcp = 0;
	if (*target == '\0' || strncmp(target, "unix:", 5) == 0) {
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		strlcpy(sun.sun_path, *target == '\0' ? "/dev/log" : target + 5,
		    sizeof sun.sun_path);
		fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0);
		if (fd == -1)
			goto fail;
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
			close(fd);
			goto fail;
		}
		setblocking(fd, 0);
		audit_syslog_fd = fd;
		audit_syslog_state = AUDIT_SYSLOG_OPEN;
		return;
	}

	audit_syslog_tcp = (strncmp(target, "tcp:", 4) == 0);
	if (!audit_syslog_tcp && strncmp(target, "udp:", 4) != 0)
		goto fail;
	copy = xstrdup(target + 4);
	if ((port = strrchr(copy, ':')) == NULL) {
		free(copy);
		goto fail;
	}
	*port++ = '\0';
	host = copy;
	if (*host == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		host++;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = audit_syslog_tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV|AI_NUMERICHOST;
	error = getaddrinfo(host, port, &hints, &res);
#ifndef __GLIBC__
	if (error != 0) {
		/* A name, and no getaddrinfo_a: this lookup waits. */
		hints.ai_flags = AI_NUMERICSERV;
		error = getaddrinfo(host, port, &hints, &res);
	}
#endif
	if (error == 0) {
		free(copy);
		audit_syslog_res = audit_syslog_ai = res;
		if (audit_syslog_next() != 0)
			goto fail;
		return;
	}
#ifdef __GLIBC__
	/* A name: look it up without waiting. */
	l = audit_syslog_lookup = xcalloc(1, sizeof *l);
	l->hints = hints;
	l->hints.ai_flags = AI_NUMERICSERV;
	l->host = xstrdup(host);
	l->port = xstrdup(port);
	free(copy);
	l->gai.ar_name = l->host;
	l->gai.ar_service = l->port;
	l->gai.ar_request = &l->hints;
	gaip = &l->gai;
	if (getaddrinfo_a(GAI_NOWAIT, &gaip, 1, NULL) != 0)
		goto fail;
	audit_syslog_state = AUDIT_SYSLOG_RESOLVING;
	return;
#else
	free(copy);
#endif

fail:
	audit_syslog_close(0);
}

/* Move the connection on as far as it goes without waiting. */
static void
audit_syslog_progress(void)
{
	struct pollfd	pfd;
	int		error;
	socklen_t	len;

	if (audit_syslog_state == AUDIT_SYSLOG_CLOSED &&
	    audit_now() >= audit_syslog_retry)
		audit_syslog_open(audit_syslog_target);
#ifdef __GLIBC__
	if (audit_syslog_state == AUDIT_SYSLOG_RESOLVING) {
		error = gai_error(&audit_syslog_lookup->gai);
		if (error == EAI_INPROGRESS)
			return;
		if (error != 0) {
			audit_syslog_close(0);
			return;
		}
		audit_syslog_res = audit_syslog_ai =
		    audit_syslog_lookup->gai.ar_result;
		audit_syslog_lookup->gai.ar_result = NULL;
		audit_syslog_lookup_free();
		if (audit_syslog_next() != 0) {
			audit_syslog_close(0);
			return;
		}
	}
#endif
	while (audit_syslog_state == AUDIT_SYSLOG_CONNECTING) {
		pfd.fd = audit_syslog_fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 0) != 1)
			return;
		len = sizeof error;
		if (getsockopt(audit_syslog_fd, SOL_SOCKET, SO_ERROR, &error,
		    &len) == 0 && error == 0) {
			audit_syslog_state = AUDIT_SYSLOG_OPEN;
			break;
		}
		close(audit_syslog_fd);
		audit_syslog_fd = -1;
		if (audit_syslog_next() != 0) {
			audit_syslog_close(0);
			return;
		}
	}
}

/* The message at the head of the queue, with the count of those lost. */
static char *
audit_syslog_build(size_t *outlen)
{
	struct audit_syslog_msg	*m = &audit_syslog_queue[audit_syslog_first];
	char			*s, *framed;
	int			 n;

	if (audit_syslog_lost == 0)
		s = xstrdup(m->text);
	else {
		xasprintf(&s, "%.*s syslog_lost=\"%llu\"%s", (int)m->sd,
		    m->text, (unsigned long long)audit_syslog_lost,
		    m->text + m->sd);
	}
	if (!audit_syslog_tcp) {
		*outlen = strlen(s);
		return (s);
	}
	n = xasprintf(&framed, "%zu %s", strlen(s), s);
	free(s);
	*outlen = n;
	return (framed);
}

/* Take the message at the head off the queue. */
static void
audit_syslog_pop(void)
{
	free(audit_syslog_queue[audit_syslog_first].text);
	audit_syslog_first = (audit_syslog_first + 1) % AUDIT_SYSLOG_QUEUE;
	audit_syslog_nqueue--;
}

/* Send what is queued, in order, as far as it goes without waiting. */
void
audit_syslog_flush(void)
{
	const char	*target;
	struct timeval	 tv;
	char		*msg;
	size_t		 len;
	ssize_t		 n;
	uint64_t	 now;
	short		 what;

	if (audit_syslog_nqueue == 0 && audit_syslog_out == NULL)
		return;

	target = options_get_string(global_options, "audit-log-syslog-target");
	if (audit_syslog_target == NULL ||
	    strcmp(audit_syslog_target, target) != 0) {
		audit_syslog_close(1);
		free(audit_syslog_target);
		audit_syslog_target = xstrdup(target);
		if (audit_syslog_out != NULL) {
			/* A frame begun for the old target goes no further. */
			free(audit_syslog_out);
			audit_syslog_out = NULL;
			audit_syslog_lost += audit_syslog_outlost + 1;
		}
	}

	for (;;) {
		audit_syslog_progress();
		if (audit_syslog_state != AUDIT_SYSLOG_OPEN)
			break;
		if (audit_syslog_out != NULL) {
			n = send(audit_syslog_fd,
			    audit_syslog_out + audit_syslog_outoff,
			    audit_syslog_outlen - audit_syslog_outoff,
			    MSG_NOSIGNAL);
			if (n > 0) {
				audit_syslog_outoff += n;
				if (audit_syslog_outoff == audit_syslog_outlen) {
					free(audit_syslog_out);
					audit_syslog_out = NULL;
					audit_syslog_backoff = 0;
				}
				continue;
			}
			if (n == -1 && (errno == EAGAIN ||
			    errno == EWOULDBLOCK || errno == EINTR))
				break;
			/* The whole frame again, on a new connection. */
			audit_syslog_outoff = 0;
			audit_syslog_close(0);
			break;
		}
		if (audit_syslog_nqueue == 0)
			break;
		msg = audit_syslog_build(&len);
		if (audit_syslog_tcp) {
			audit_syslog_out = msg;
			audit_syslog_outlen = len;
			audit_syslog_outoff = 0;
			audit_syslog_outlost = audit_syslog_lost;
			audit_syslog_lost = 0;
			audit_syslog_pop();
			continue;
		}
		n = send(audit_syslog_fd, msg, len, MSG_NOSIGNAL);
		free(msg);
		if (n == (ssize_t)len) {
			audit_syslog_lost = 0;
			audit_syslog_backoff = 0;
			audit_syslog_pop();
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR || errno == ENOBUFS))
			break;
		if (n == -1 && errno == EMSGSIZE) {
			audit_syslog_lost++;
			audit_syslog_pop();
			continue;
		}
		/* Nobody listening (yet): keep it and try again later. */
		audit_syslog_close(0);
		break;
	}

	/* Come back when the socket can take more, or to try again. */
	if (audit_syslog_nqueue == 0 && audit_syslog_out == NULL) {
		if (audit_syslog_evset)
			event_del(&audit_syslog_ev);
		return;
	}
	memset(&tv, 0, sizeof tv);
	switch (audit_syslog_state) {
	case AUDIT_SYSLOG_OPEN:
	case AUDIT_SYSLOG_CONNECTING:
		what = EV_WRITE;
		break;
	case AUDIT_SYSLOG_RESOLVING:
		what = 0;
		tv.tv_usec = 10000;
		break;
	default:
		what = 0;
		now = audit_now();
		if (audit_syslog_retry > now) {
			tv.tv_sec = (audit_syslog_retry - now) / 1000000;
			tv.tv_usec = (audit_syslog_retry - now) % 1000000;
		}
		break;
	}
	if (audit_syslog_evset) {
		/* Already waiting for this socket: leave it be. */
		if (what != 0 && event_get_fd(&audit_syslog_ev) ==
		    audit_syslog_fd && event_pending(&audit_syslog_ev, EV_WRITE,
		    NULL))
			return;
		event_del(&audit_syslog_ev);
	}
	event_set(&audit_syslog_ev, what == 0 ? -1 : audit_syslog_fd, what,
	    audit_syslog_cb, NULL);
	audit_syslog_evset = 1;
	event_add(&audit_syslog_ev, what == 0 ? &tv : NULL);
}

static void
audit_syslog_cb(__unused int fd, __unused short events, __unused void *arg)
{
	audit_syslog_flush();
}

/* At exit: give the queue a moment (at most 100 ms) to go out. */
void
audit_syslog_drain(void)
{
	int	i;

	for (i = 0; i < 50; i++) {
		audit_syslog_flush();
		if (audit_syslog_nqueue == 0 && audit_syslog_out == NULL)
			break;
		usleep(2000);
	}
	if (audit_syslog_evset)
		event_del(&audit_syslog_ev);
}

/* Queue a message (with its structured data closing at sd) and send. */
void
audit_syslog_send(char *msg, size_t sd)
{
	struct audit_syslog_msg	*m;

	if (audit_syslog_nqueue == AUDIT_SYSLOG_QUEUE) {
		free(msg);
		audit_syslog_lost++;
	} else {
		m = &audit_syslog_queue[(audit_syslog_first +
		    audit_syslog_nqueue) % AUDIT_SYSLOG_QUEUE];
		m->text = msg;
		m->sd = sd;
		audit_syslog_nqueue++;
	}
	audit_syslog_flush();
}

/* Count messages that could not be kept, to say so in the next one sent. */
void
audit_syslog_lose(uint64_t n)
{
	audit_syslog_lost += n;
}

/* Check a value for audit-log-syslog-target; 0 if good, or set cause. */
int
audit_syslog_check(const char *value, char **cause)
{
	struct sockaddr_un	 sun;
	const char		*port, *host, *end;
	char			*ep;
	long			 n;

	if (*value == '\0')
		return (0);
	if (strncmp(value, "unix:", 5) == 0) {
		if (value[5] != '/') {
			xasprintf(cause, "audit-log-syslog-target %s: not an "
			    "absolute path", value);
			return (-1);
		}
		if (strlen(value + 5) >= sizeof sun.sun_path) {
			xasprintf(cause, "audit-log-syslog-target %s: path "
			    "too long", value);
			return (-1);
		}
		return (0);
	}
	if (strncmp(value, "udp:", 4) != 0 && strncmp(value, "tcp:", 4) != 0) {
		xasprintf(cause, "audit-log-syslog-target %s: not empty, "
		    "unix:PATH, udp:HOST:PORT or tcp:HOST:PORT", value);
		return (-1);
	}
	host = value + 4;
	if ((port = strrchr(host, ':')) == NULL || port == host) {
		xasprintf(cause, "audit-log-syslog-target %s: no host and "
		    "port", value);
		return (-1);
	}
	end = port++;
	if (*host == '[' && (end[-1] != ']' || end - host < 3)) {
		xasprintf(cause, "audit-log-syslog-target %s: bad address "
		    "in brackets", value);
		return (-1);
	}
	if (*host != '[' && memchr(host, ':', end - host) != NULL) {
		xasprintf(cause, "audit-log-syslog-target %s: an IPv6 "
		    "address must be in brackets", value);
		return (-1);
	}
	errno = 0;
	n = strtol(port, &ep, 10);
	if (*port < '0' || *port > '9' || *ep != '\0' || errno != 0 ||
	    n < 1 || n > 65535) {
		xasprintf(cause, "audit-log-syslog-target %s: bad port", value);
		return (-1);
	}
	return (0);
}
