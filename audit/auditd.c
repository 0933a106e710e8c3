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
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <locale.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * tmux-auditd: the collector. tmux servers whose audit-log-collector
 * option names its socket stream their log to it instead of writing files
 * of their own; it checks each record as it arrives and keeps the user's
 * runs under a directory the user cannot write (see audit-collect.c).
 *
 *	tmux-auditd [-fv] [-d directory] [-g group] [-k key-file] [-s socket]
 *	    [-t timeout]
 *
 * It runs as root, or as a user of its own with CAP_LINUX_IMMUTABLE (the
 * systemd unit), so the files are owned by it and the append-only and
 * immutable flags can be set. With -f it stays in the foreground and logs
 * to stderr as well as to syslog. Under systemd it takes its socket from
 * socket activation (LISTEN_FDS).
 */

#define AUDITD_SOCKET "/run/tmux-audit/collector.sock"
#define AUDITD_ROOT "/var/log/tmux-audit"
#define AUDITD_KEY "/var/lib/tmux-audit/collector.key"

char		*auditd_host;
char		*auditd_root;
int		 auditd_rootfd = -1;
gid_t		 auditd_gid = (gid_t)-1;
u_int		 auditd_timeout = 30;	/* to finish a message begun */
u_char		*auditd_sk;
u_char		 auditd_pk[AUDIT_PK_LEN];

static int	 auditd_foreground;
static int	 auditd_verbose;
static int	 auditd_listen_fd = -1;
static char	*auditd_made_socket;	/* removed on stopping */
static struct event auditd_accept_ev;
static struct event auditd_sigterm_ev;
static struct event auditd_sigint_ev;

/* Log to syslog, and to stderr in the foreground. */
void
auditd_log(int priority, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (priority == LOG_DEBUG && !auditd_verbose)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	syslog(priority, "%s", msg);
	if (auditd_foreground) {
		fprintf(stderr, "tmux-auditd: %s\n", msg);
		fflush(stderr);
	}
	free(msg);
}

static __dead void
auditd_usage(void)
{
	fprintf(stderr, "usage: tmux-auditd [-fv] [-d directory] [-g group] "
	    "[-k key-file] [-s socket] [-t timeout]\n");
	exit(1);
}

/*
 * The collector's own key: made on first start, its public half in
 * KEYFILE.pub for verifiers. The secret stays in locked memory.
 */
static void
auditd_key(const char *path)
{
	char	*cause;

	if (access(path, F_OK) != 0) {
		if (audit_key_generate(path, "collector", &cause) != 0) {
			fprintf(stderr, "tmux-auditd: %s\n", cause);
			exit(1);
		}
		auditd_log(LOG_NOTICE, "made the collector key %s", path);
	}
	if ((auditd_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		fatalx("sodium_malloc failed");
	if (audit_key_read_secret(path, "collector key ", auditd_sk,
	    &cause) != 0) {
		fprintf(stderr, "tmux-auditd: %s\n", cause);
		exit(1);
	}
	crypto_sign_ed25519_sk_to_pk(auditd_pk, auditd_sk);
}

/* The storage root: made if missing; ours and writable by nobody else. */
static void
auditd_storage(const char *path)
{
	struct stat	sb;

	if (mkdir(path, 0750) != 0 && errno != EEXIST) {
		fprintf(stderr, "tmux-auditd: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	auditd_rootfd = open(path, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
	if (auditd_rootfd == -1 || fstat(auditd_rootfd, &sb) != 0) {
		fprintf(stderr, "tmux-auditd: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP|S_IWOTH))) {
		fprintf(stderr, "tmux-auditd: %s: must be owned by the "
		    "collector and writable by nobody else (uid %ld, mode "
		    "%04o)\n", path, (long)sb.st_uid,
		    (u_int)(sb.st_mode & 07777));
		exit(1);
	}
	if (auditd_gid != (gid_t)-1 &&
	    fchown(auditd_rootfd, (uid_t)-1, auditd_gid) != 0) {
		fprintf(stderr, "tmux-auditd: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	/* Servers are told where their files are: an absolute path. */
	if ((auditd_root = realpath(path, NULL)) == NULL) {
		fprintf(stderr, "tmux-auditd: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* The listening socket: from systemd, or made (world-connectable). */
static void
auditd_socket(const char *path)
{
	struct sockaddr_un	 sun;
	const char		*fds, *pid;
	char			*copy, *slash, cwd[PATH_MAX];

	fds = getenv("LISTEN_FDS");
	pid = getenv("LISTEN_PID");
	if (fds != NULL && pid != NULL && atol(pid) == (long)getpid() &&
	    atoi(fds) >= 1) {
		auditd_listen_fd = 3;
		auditd_log(LOG_INFO, "listening on the socket systemd passed");
		return;
	}

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof sun.sun_path) >=
	    sizeof sun.sun_path) {
		fprintf(stderr, "tmux-auditd: %s: path too long\n", path);
		exit(1);
	}
	copy = xstrdup(path);
	if ((slash = strrchr(copy, '/')) != NULL && slash != copy) {
		/* Every user's server must reach the socket: not the umask's. */
		*slash = '\0';
		if (mkdir(copy, 0755) == 0)
			chmod(copy, 0755);
	}
	free(copy);
	unlink(path);
	auditd_listen_fd = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0);
	if (auditd_listen_fd == -1 ||
	    bind(auditd_listen_fd, (struct sockaddr *)&sun, sizeof sun) != 0 ||
	    chmod(path, 0666) != 0 || listen(auditd_listen_fd, 128) != 0) {
		fprintf(stderr, "tmux-auditd: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (*path == '/' || getcwd(cwd, sizeof cwd) == NULL)
		auditd_made_socket = xstrdup(path);
	else
		xasprintf(&auditd_made_socket, "%s/%s", cwd, path);
	auditd_log(LOG_INFO, "listening on %s", path);
}

static void
auditd_accept_cb(int fd, __unused short events, __unused void *arg)
{
	int	newfd;

	newfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC|SOCK_NONBLOCK);
	if (newfd == -1) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			auditd_log(LOG_WARNING, "accept: %s", strerror(errno));
		return;
	}
	auditd_accept(newfd);
}

static void
auditd_stop_cb(__unused int fd, __unused short events, __unused void *arg)
{
	auditd_log(LOG_INFO, "stopping");
	event_del(&auditd_accept_ev);
	if (auditd_made_socket != NULL)
		unlink(auditd_made_socket);
	auditd_close_all();
	event_loopexit(NULL);
}

int
main(int argc, char **argv)
{
	const char	*sock = AUDITD_SOCKET, *dir = AUDITD_ROOT;
	const char	*key = AUDITD_KEY;
	struct group	*gr;
	const char	*errstr;
	char		 host[256];
	int		 opt;

	setlocale(LC_CTYPE, "");
	while ((opt = getopt(argc, argv, "d:fg:k:s:t:v")) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'f':
			auditd_foreground = 1;
			break;
		case 'g':
			if ((gr = getgrnam(optarg)) == NULL) {
				fprintf(stderr, "tmux-auditd: no group %s\n",
				    optarg);
				exit(1);
			}
			auditd_gid = gr->gr_gid;
			break;
		case 'k':
			key = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 't':
			auditd_timeout = strtonum(optarg, 1, 3600, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "tmux-auditd: timeout %s: %s\n",
				    optarg, errstr);
				exit(1);
			}
			break;
		case 'v':
			auditd_verbose = 1;
			break;
		default:
			auditd_usage();
		}
	}
	if (optind != argc)
		auditd_usage();

	umask(027);
	openlog("tmux-auditd", LOG_PID, LOG_AUTHPRIV);
	if (sodium_init() < 0) {
		fprintf(stderr, "tmux-auditd: sodium_init failed\n");
		exit(1);
	}
	if (gethostname(host, sizeof host) != 0)
		strlcpy(host, "unknown", sizeof host);
	host[sizeof host - 1] = '\0';
	auditd_host = xstrdup(host);

	auditd_key(key);
	auditd_storage(dir);
	auditd_socket(sock);
	signal(SIGPIPE, SIG_IGN);
	if (!auditd_foreground && daemon(0, 0) != 0) {
		fprintf(stderr, "tmux-auditd: daemon: %s\n", strerror(errno));
		exit(1);
	}

	event_init();
	fcntl(auditd_listen_fd, F_SETFL,
	    fcntl(auditd_listen_fd, F_GETFL) | O_NONBLOCK);
	event_set(&auditd_accept_ev, auditd_listen_fd, EV_READ|EV_PERSIST,
	    auditd_accept_cb, NULL);
	event_add(&auditd_accept_ev, NULL);
	signal_set(&auditd_sigterm_ev, SIGTERM, auditd_stop_cb, NULL);
	signal_add(&auditd_sigterm_ev, NULL);
	signal_set(&auditd_sigint_ev, SIGINT, auditd_stop_cb, NULL);
	signal_add(&auditd_sigint_ev, NULL);
	auditd_log(LOG_INFO, "storing in %s, key %s", auditd_root, key);
	event_dispatch();
	return (0);
}
