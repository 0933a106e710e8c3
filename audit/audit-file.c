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
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Log files on disk: the directory checks, segment names, creating a
 * segment and writing to it.
 */

/* Check one existing directory is safe to keep audit logs in. */
static int
audit_dir_safe(const char *path, struct stat *sb, char **cause)
{
	if (!S_ISDIR(sb->st_mode)) {
		xasprintf(cause, "audit log %s: not a directory", path);
		return (-1);
	}
	if (sb->st_uid != getuid() && sb->st_uid != 0) {
		xasprintf(cause, "audit log %s: owned by uid %ld, not by uid %ld",
		    path, (long)sb->st_uid, (long)getuid());
		return (-1);
	}
	if (sb->st_mode & (S_IWGRP|S_IWOTH)) {
		xasprintf(cause, "audit log %s: writable by %s (mode %04o)",
		    path, (sb->st_mode & S_IWOTH) ? "others" : "its group",
		    (u_int)(sb->st_mode & 07777));
		return (-1);
	}
	return (0);
}

/*
 * Check the log directory: absolute, owned by us or root, not writable by
 * group or others. If create is set, make it (and missing parents) with mode
 * 0700 first.
 */
int
audit_dir_check(const char *path, int create, char **cause)
{
	struct stat	 sb;
	char		*copy, *p;

	if (*path != '/') {
		xasprintf(cause, "audit log %s: not an absolute path", path);
		return (-1);
	}
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT || !create) {
			xasprintf(cause, "audit log %s: %s", path,
			    strerror(errno));
			return (-1);
		}
		copy = xstrdup(path);
		for (p = copy + 1; ; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			if (p[-1] != '/') {
				int	last = (*p == '\0');

				*p = '\0';
				if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
					xasprintf(cause, "audit log %s: %s",
					    copy, strerror(errno));
					free(copy);
					return (-1);
				}
				if (last)
					break;
				*p = '/';
			} else if (*p == '\0')
				break;
		}
		free(copy);
		if (stat(path, &sb) != 0) {
			xasprintf(cause, "audit log %s: %s", path,
			    strerror(errno));
			return (-1);
		}
	}
	return (audit_dir_safe(path, &sb, cause));
}

/* Replace anything but [A-Za-z0-9._-] so names stay one word. */
char *
audit_file_word(const char *s)
{
	char	*out, *p;

	out = xstrdup(*s == '\0' ? "unknown" : s);
	for (p = out; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			*p = '_';
	}
	return (out);
}

/*
 * The name of a segment: HOST_USER_START_PID_SEGMENT.tmux-audit, with START
 * the server's start time in UTC as YYYYmmddTHHMMSSZ and SEGMENT six digits,
 * so names sort by host, user, run and segment.
 */
char *
audit_file_name(const char *host, const char *user, uint64_t start, long pid,
    u_int segment)
{
	char		*name, *h, *u, tbuf[32];
	time_t		 t = start / 1000000;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(tbuf, sizeof tbuf, "%Y%m%dT%H%M%SZ", &tm);
	h = audit_file_word(host);
	u = audit_file_word(user);
	xasprintf(&name, "%s_%s_%s_%ld_%06u%s", h, u, tbuf, pid, segment,
	    AUDIT_SUFFIX);
	free(h);
	free(u);
	return (name);
}

/* Create a new segment file; never open an existing one. */
int
audit_file_create(const char *path, char **cause)
{
	int	fd;

	fd = open(path, O_WRONLY|O_CREAT|O_EXCL|O_APPEND|O_CLOEXEC|O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		xasprintf(cause, "audit log %s: %s", path, strerror(errno));
		return (-1);
	}
	if (fchmod(fd, 0600) != 0) {
		xasprintf(cause, "audit log %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return (-1);
	}
	return (fd);
}

/* Write all of data or fail; returns the bytes written. */
size_t
audit_file_write(int fd, const void *data, size_t len, char **cause)
{
	const u_char	*p = data;
	ssize_t		 n;
	size_t		 done = 0;

	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			*cause = xstrdup(strerror(errno));
			return (done);
		}
		done += n;
	}
	return (done);
}
