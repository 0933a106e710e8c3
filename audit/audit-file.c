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
#include <pwd.h>
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

/*
 * Check one existing directory is safe to keep audit logs in: a directory,
 * owned by us or root, and writable by nobody else.
 */
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
 * Check the directories above the log's (real path, so no symbolic link is
 * left in it), from its parent up, or from the directory itself if self is
 * set: each owned by root or us, and writable by nobody else unless it is
 * sticky, where others may add names but not rename or remove ours.
 * Otherwise someone else could move the log directory away and put their
 * own in its place.
 */
static int
audit_dir_parents(const char *real, int self, char **cause)
{
	struct stat	 sb;
	char		*copy, *p;
	int		 retval = -1;

	copy = xstrdup(real);
	for (;;) {
		if (!self) {
			if ((p = strrchr(copy, '/')) == NULL)
				break;
			if (p == copy)
				p[1] = '\0';
			else
				*p = '\0';
		}
		self = 0;
		if (lstat(copy, &sb) != 0) {
			xasprintf(cause, "audit log %s: %s", copy,
			    strerror(errno));
			goto out;
		}
		if (!S_ISDIR(sb.st_mode)) {
			xasprintf(cause, "audit log %s: not a directory", copy);
			goto out;
		}
		if (sb.st_uid != getuid() && sb.st_uid != 0) {
			xasprintf(cause, "audit log %s: parent %s is owned by "
			    "uid %ld", real, copy, (long)sb.st_uid);
			goto out;
		}
		if ((sb.st_mode & (S_IWGRP|S_IWOTH)) &&
		    (~sb.st_mode & S_ISVTX)) {
			xasprintf(cause, "audit log %s: parent %s is writable "
			    "by others (mode %04o)", real, copy,
			    (u_int)(sb.st_mode & 07777));
			goto out;
		}
		if (strcmp(copy, "/") == 0)
			break;
	}
	retval = 0;
out:
	free(copy);
	return (retval);
}

/*
 * Before making a missing log directory, check where it would go: the
 * deepest part of the path that exists, and everything above it.
 */
static int
audit_dir_before_make(const char *path, char **cause)
{
	struct stat	 sb;
	char		*copy, *p, *real, *why;
	int		 retval;

	copy = xstrdup(path);
	while ((p = strrchr(copy, '/')) != NULL) {
		if (p == copy)
			p[1] = '\0';
		else
			*p = '\0';
		if (lstat(copy, &sb) == 0 || p == copy)
			break;
	}
	if ((real = realpath(copy, NULL)) == NULL) {
		xasprintf(cause, "audit log %s: %s", copy, strerror(errno));
		free(copy);
		return (-1);
	}
	retval = audit_dir_parents(real, 1, &why);
	if (retval != 0) {
		/* Name the log directory, not the part that exists. */
		p = strstr(why, ": parent ");
		xasprintf(cause, "audit log %s%s", path, p != NULL ? p :
		    strchr(why, ':'));
		free(why);
	}
	free(real);
	free(copy);
	return (retval);
}

/* Make a missing directory and its missing parents, mode 0700. */
static int
audit_dir_make(const char *path, char **cause)
{
	char	*copy, *p;
	int	 last, retval = -1;

	copy = xstrdup(path);
	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] == '/') {
			if (*p == '\0')
				break;
			continue;
		}
		last = (*p == '\0');
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			xasprintf(cause, "audit log %s: %s", copy,
			    strerror(errno));
			goto out;
		}
		if (last)
			break;
		*p = '/';
	}
	retval = 0;
out:
	free(copy);
	return (retval);
}

/*
 * Prove a file can be made in the directory: a check of its owner and mode
 * passes for places such as /proc/self where nothing can be created.
 */
static int
audit_dir_probe(int dfd, const char *path, char **cause)
{
	char	name[64];
	int	fd;

	xsnprintf(name, sizeof name, ".tmux-audit-probe.%ld", (long)getpid());
	fd = openat(dfd, name, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC,
	    0600);
	if (fd == -1) {
		xasprintf(cause, "audit log %s: cannot create a file: %s",
		    path, strerror(errno));
		return (-1);
	}
	close(fd);
	unlinkat(dfd, name, 0);
	return (0);
}

/*
 * Open the log directory: absolute, owned by us or root, not writable by
 * group or others, with safe parents, and a file can be made in it. If
 * create is set, make it (and missing parents) with mode 0700 first.
 * Returns a descriptor for the directory, so segments are made in the
 * directory that was checked, whatever happens to the path later.
 */
int
audit_dir_open(const char *path, int create, char **cause)
{
	struct stat	 sb, fsb;
	char		*real = NULL;
	int		 fd = -1;

	if (*path != '/') {
		xasprintf(cause, "audit log %s: not an absolute path", path);
		return (-1);
	}
	if (lstat(path, &sb) != 0) {
		if (errno != ENOENT || !create) {
			xasprintf(cause, "audit log %s: %s", path,
			    strerror(errno));
			return (-1);
		}
		if (audit_dir_before_make(path, cause) != 0)
			return (-1);
		if (audit_dir_make(path, cause) != 0)
			return (-1);
	}
	if ((real = realpath(path, NULL)) == NULL) {
		xasprintf(cause, "audit log %s: %s", path, strerror(errno));
		return (-1);
	}
	if (audit_dir_parents(real, 0, cause) != 0)
		goto fail;
	fd = open(real, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
	if (fd == -1) {
		xasprintf(cause, "audit log %s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &fsb) != 0) {
		xasprintf(cause, "audit log %s: %s", path, strerror(errno));
		goto fail;
	}
	if (audit_dir_safe(path, &fsb, cause) != 0)
		goto fail;
	if (audit_dir_probe(fd, path, cause) != 0)
		goto fail;
	free(real);
	return (fd);

fail:
	if (fd != -1)
		close(fd);
	free(real);
	return (-1);
}

/* Check the log directory (see audit_dir_open), making it if create. */
int
audit_dir_check(const char *path, int create, char **cause)
{
	int	fd;

	if ((fd = audit_dir_open(path, create, cause)) == -1)
		return (-1);
	close(fd);
	return (0);
}

/*
 * Is the directory open on dfd still the one at path, still safe, and not
 * removed?
 */
int
audit_dir_same(int dfd, const char *path)
{
	struct stat	 sb, fsb;
	char		*cause;

	if (fstat(dfd, &fsb) != 0 || fsb.st_nlink == 0)
		return (0);
	if (stat(path, &sb) != 0 || sb.st_dev != fsb.st_dev ||
	    sb.st_ino != fsb.st_ino)
		return (0);
	if (audit_dir_safe(path, &fsb, &cause) != 0) {
		free(cause);
		return (0);
	}
	return (1);
}

/* The user name for a uid, or NULL. */
const char *
audit_user_name(uid_t uid)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) == NULL)
		return (NULL);
	return (pw->pw_name);
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
 * the server's start time in UTC as YYYYmmddTHHMMSSZ and SEGMENT (a u64) at
 * least six digits, so names sort by host, user, run and segment.
 */
char *
audit_file_name(const char *host, const char *user, uint64_t start, long pid,
    uint64_t segment)
{
	char		*name, *h, *u, tbuf[32];
	time_t		 t = start / 1000000;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(tbuf, sizeof tbuf, "%Y%m%dT%H%M%SZ", &tm);
	h = audit_file_word(host);
	u = audit_file_word(user);
	xasprintf(&name, "%s_%s_%s_%ld_%06llu%s", h, u, tbuf, pid,
	    (unsigned long long)segment, AUDIT_SUFFIX);
	free(h);
	free(u);
	return (name);
}

/*
 * Create a new segment file, name, in the directory open on dfd (path is
 * its full name, for errors); never open an existing one.
 */
int
audit_file_create(int dfd, const char *name, const char *path, char **cause)
{
	int	fd;

	fd = openat(dfd, name, O_WRONLY|O_CREAT|O_EXCL|O_APPEND|O_CLOEXEC|
	    O_NOFOLLOW, 0600);
	if (fd == -1) {
		xasprintf(cause, "audit log %s: %s", path, strerror(errno));
		return (-1);
	}
	if (fchmod(fd, 0600) != 0) {
		xasprintf(cause, "audit log %s: %s", path, strerror(errno));
		close(fd);
		unlinkat(dfd, name, 0);
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
