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
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <locale.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * A libFuzzer target for the collector (audit-collect.c): what any local
 * user's process can send to tmux-auditd, which runs with the right to
 * make files immutable. The collector is driven as auditd.c drives it,
 * over a real socket pair and libevent, storing in a real directory; only
 * the peer's credentials come from the input instead of the kernel.
 *
 * An input is:
 *
 *	u32	the peer's pid (big-endian), as SO_PEERCRED would give it;
 *		the uid and gid are ours
 *	u8	N, then N bytes: the collector's host name (up to a NUL)
 *	...	what the peer sends: messages of FORMAT.md section 17.1, a
 *		5-byte header (type, u32 length) and the payload. A header of
 *		type 0 is not sent: it opens another connection with the same
 *		credentials (the same server connecting again, the first
 *		still open), up to FUZZ_CONNS.
 *
 * Then every connection is shut for writing and the collector left to
 * finish with each. Between inputs the storage directory is emptied. Built
 * and run by ./build.sh fuzz (tmux-fuzz/collector-fuzz); the seeds are
 * the segment files the tests leave, each sent as a server would
 * (regress/fuzz/seeds.py).
 */

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_CONNS 4

/* What auditd.c has for the collector. */
char		*auditd_host;
char		*auditd_root;
int		 auditd_rootfd = -1;
gid_t		 auditd_gid = (gid_t)-1;
u_int		 auditd_timeout = 30;
u_char		*auditd_sk;
u_char		 auditd_pk[AUDIT_PK_LEN];

struct fuzz_conn {
	int		 fd;	/* our end, -1 once the collector let go */
	const uint8_t	*data;
	size_t		 size;
	size_t		 sent;
};

/*
 * The collector's log: formatted (a bad format is found), and printed if
 * FUZZ_COLLECTOR_LOG is set (to see what an input does).
 */
void
auditd_log(__unused int priority, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (getenv("FUZZ_COLLECTOR_LOG") != NULL)
		fprintf(stderr, "tmux-auditd: %s\n", msg);
	free(msg);
}

/* Remove everything under the storage directory, flags first. */
static void
fuzz_empty(int dfd, int depth)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd, flags = 0;

	if ((d = fdopendir(dup(dfd))) == NULL)
		fatal("fdopendir");
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		fd = openat(dfd, de->d_name, O_RDONLY|O_NOFOLLOW|O_CLOEXEC);
		if (fd != -1) {
			ioctl(fd, FS_IOC_SETFLAGS, &flags);
			if (de->d_type == DT_DIR && depth < 2)
				fuzz_empty(fd, depth + 1);
			close(fd);
		}
		if (unlinkat(dfd, de->d_name, de->d_type == DT_DIR ?
		    AT_REMOVEDIR : 0) != 0)
			fatal("unlink %s", de->d_name);
	}
	closedir(d);
}

static void
fuzz_cleanup(void)
{
	if (auditd_rootfd != -1)
		fuzz_empty(auditd_rootfd, 0);
	rmdir(auditd_root);
}

/*
 * The collector as auditd.c sets it up: its key, an empty storage
 * directory (in /dev/shm where there is one, as every seal is synced).
 */
int
LLVMFuzzerInitialize(__unused int *argc, __unused char ***argv)
{
	char	 tmpl[64];

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
	setenv("TZ", "UTC", 1);
	tzset();
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0)
		fatalx("sodium_init failed");
	if ((auditd_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		fatalx("sodium_malloc failed");
	crypto_sign_ed25519_keypair(auditd_pk, auditd_sk);

	strlcpy(tmpl, access("/dev/shm", W_OK) == 0 ?
	    "/dev/shm/collector-fuzz.XXXXXX" : "/tmp/collector-fuzz.XXXXXX",
	    sizeof tmpl);
	if (mkdtemp(tmpl) == NULL)
		fatal("mkdtemp");
	auditd_root = xstrdup(tmpl);
	auditd_rootfd = open(auditd_root, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
	if (auditd_rootfd == -1)
		fatal("open %s", auditd_root);
	atexit(fuzz_cleanup);
	event_init();
	return (0);
}

/* Send what the connection has left, as far as the socket takes it. */
static void
fuzz_send(struct fuzz_conn *fc)
{
	ssize_t	n;

	while (fc->fd != -1 && fc->sent < fc->size) {
		n = send(fc->fd, fc->data + fc->sent, fc->size - fc->sent,
		    MSG_DONTWAIT|MSG_NOSIGNAL);
		if (n > 0) {
			fc->sent += n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		/* The collector closed it (a refusal). */
		fc->sent = fc->size;
	}
}

/* Read and drop the collector's answers; close our end at its EOF. */
static void
fuzz_drain(struct fuzz_conn *fc)
{
	char	buf[4096];
	ssize_t	n;

	while (fc->fd != -1) {
		n = recv(fc->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		close(fc->fd);
		fc->fd = -1;
	}
}

/* A new connection from pid, its collector's end made as accept4 does. */
static void
fuzz_connect(struct fuzz_conn *fc, pid_t pid)
{
	int	sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, sv) != 0)
		fatal("socketpair");
	if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) != 0)
		fatal("fcntl");
	fc->fd = sv[1];
	auditd_accept_peer(sv[0], getuid(), getgid(), pid);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_conn	 fc[FUZZ_CONNS];
	const uint8_t		*end = data + size, *p;
	size_t			 n, len;
	u_int			 i, nconns = 0, open;
	pid_t			 pid;

	if (size < 5)
		return (0);
	pid = (pid_t)(audit_get32(data) & 0x3fffffff);
	n = data[4];
	if (n > size - 5)
		n = size - 5;
	free(auditd_host);
	auditd_host = xstrndup((const char *)data + 5, n);

	/* Split what is sent into connections at each header of type 0. */
	memset(fc, 0, sizeof fc);
	p = data + 5 + n;
	fc[0].data = p;
	nconns = 1;
	while (end - p >= AUDIT_LINK_HDR) {
		len = audit_get32(p + 1);
		if (p[0] == 0 && nconns < FUZZ_CONNS) {
			fc[nconns - 1].size = p - fc[nconns - 1].data;
			fc[nconns].data = p + AUDIT_LINK_HDR;
			nconns++;
			p += AUDIT_LINK_HDR;
			continue;
		}
		if (len > (size_t)(end - p) - AUDIT_LINK_HDR)
			break;
		p += AUDIT_LINK_HDR + len;
	}
	fc[nconns - 1].size = end - fc[nconns - 1].data;

	/*
	 * Each connection in turn sends all it has, while the collector runs;
	 * then all are shut for writing, and the collector lets go of each.
	 */
	for (i = 0; i < nconns; i++) {
		fuzz_connect(&fc[i], pid);
		while (fc[i].fd != -1 && fc[i].sent < fc[i].size) {
			fuzz_send(&fc[i]);
			event_loop(EVLOOP_NONBLOCK);
			fuzz_drain(&fc[i]);
		}
	}
	for (i = 0; i < nconns; i++) {
		if (fc[i].fd != -1)
			shutdown(fc[i].fd, SHUT_WR);
	}
	for (;;) {
		open = 0;
		for (i = 0; i < nconns; i++) {
			fuzz_drain(&fc[i]);
			if (fc[i].fd != -1)
				open++;
		}
		if (open == 0)
			break;
		event_loop(EVLOOP_ONCE);
	}
	fuzz_empty(auditd_rootfd, 0);
	return (0);
}
