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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Reading segment files. The reader streams: it holds one record at a time
 * (at most AUDIT_REC_MAX bytes) whatever the size of the file, and stops at
 * the first thing that is not a whole, well-formed record, saying where.
 */

#define AUDIT_READ_CHUNK (256 * 1024)

/* Open a segment and check its header. */
struct audit_reader *
audit_reader_open(const char *path, char **cause)
{
	struct audit_reader	*r;
	u_char			 hdr[AUDIT_HEADER_LEN];
	ssize_t			 n;
	int			 fd;

	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	n = read(fd, hdr, sizeof hdr);
	if (n == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (NULL);
	}
	if (n < AUDIT_MAGIC_LEN ||
	    memcmp(hdr, AUDIT_MAGIC, AUDIT_MAGIC_LEN) != 0) {
		xasprintf(cause, "%s: offset 0: not a tmux audit log", path);
		close(fd);
		return (NULL);
	}
	if (n < AUDIT_HEADER_LEN) {
		xasprintf(cause, "%s: offset 0: truncated header", path);
		close(fd);
		return (NULL);
	}
	if (hdr[AUDIT_MAGIC_LEN] != AUDIT_FORMAT) {
		xasprintf(cause, "%s: offset %u: unknown format version %u",
		    path, AUDIT_MAGIC_LEN, hdr[AUDIT_MAGIC_LEN]);
		close(fd);
		return (NULL);
	}

	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->fd = fd;
	r->version = hdr[AUDIT_MAGIC_LEN];
	r->offset = AUDIT_HEADER_LEN;
	audit_buf_init(&r->buf);
	return (r);
}

void
audit_reader_close(struct audit_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd != -1)
		close(r->fd);
	audit_buf_free(&r->buf);
	free(r->error);
	free(r->path);
	free(r);
}

/* Make sure there are want unread bytes in the buffer, if the file has. */
static int
audit_reader_fill(struct audit_reader *r, size_t want)
{
	ssize_t	n;

	if (r->start != 0 && r->buf.len - r->start < want) {
		audit_buf_consume(&r->buf, r->start);
		r->start = 0;
	}
	while (r->buf.len - r->start < want && !r->eof) {
		audit_buf_reserve(&r->buf, AUDIT_READ_CHUNK);
		n = read(r->fd, r->buf.data + r->buf.len, AUDIT_READ_CHUNK);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(&r->error, "%s: offset %lld: %s", r->path,
			    (long long)r->offset, strerror(errno));
			return (-1);
		}
		if (n == 0)
			r->eof = 1;
		r->buf.len += n;
	}
	return (0);
}

/*
 * Read the next record. Returns 1 with a record, 0 at a clean end of file,
 * -1 with r->error saying which file, which offset and what is wrong.
 */
int
audit_reader_next(struct audit_reader *r, struct audit_record *rec)
{
	size_t		 have, size;
	uint32_t	 len;
	const char	*cause;

	if (r->error != NULL)
		return (-1);
	if (audit_reader_fill(r, 4) != 0)
		return (-1);
	have = r->buf.len - r->start;
	if (have == 0)
		return (0);
	if (have < 4) {
		xasprintf(&r->error, "%s: offset %lld: truncated record "
		    "(%zu of 4 length bytes)", r->path, (long long)r->offset,
		    have);
		return (-1);
	}
	len = audit_get32(r->buf.data + r->start);
	if (len < AUDIT_REC_HDR - 4 || len > AUDIT_REC_MAX) {
		xasprintf(&r->error, "%s: offset %lld: bad record length %u",
		    r->path, (long long)r->offset, len);
		return (-1);
	}
	size = (size_t)len + 4;
	if (audit_reader_fill(r, size) != 0)
		return (-1);
	have = r->buf.len - r->start;
	if (have < size) {
		xasprintf(&r->error, "%s: offset %lld: truncated record "
		    "(%zu of %zu bytes)", r->path, (long long)r->offset, have,
		    size);
		return (-1);
	}
	if (audit_rec_parse(r->buf.data + r->start, size, rec, &cause) != 0) {
		xasprintf(&r->error, "%s: offset %lld: corrupt record: %s",
		    r->path, (long long)r->offset, cause);
		return (-1);
	}
	rec->offset = r->offset;
	r->offset += size;
	r->start += size;
	return (1);
}

/*
 * Order segment files by name, but the segments of one run by number: their
 * names differ only in the digits between the last '_' and the suffix,
 * zero-padded to six, and segment 1000000 has seven.
 */
static int
audit_list_cmp(const void *a0, const void *b0)
{
	const char	*a = *(char * const *)a0, *b = *(char * const *)b0;
	const char	*ua, *ub;
	size_t		 na, nb;

	ua = strrchr(a, '_');
	ub = strrchr(b, '_');
	if (ua == NULL || ub == NULL || ua - a != ub - b ||
	    strncmp(a, b, ua - a) != 0)
		return (strcmp(a, b));
	na = strspn(ua + 1, "0123456789");
	nb = strspn(ub + 1, "0123456789");
	if (na != nb && na != 0 && nb != 0 &&
	    strcmp(ua + 1 + na, AUDIT_SUFFIX) == 0 &&
	    strcmp(ub + 1 + nb, AUDIT_SUFFIX) == 0)
		return (na < nb ? -1 : 1);
	return (strcmp(a, b));
}

/* List the segment files in a directory, in name and segment order. */
int
audit_list_dir(const char *dir, char ***paths, u_int *n, char **cause)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 len, slen = strlen(AUDIT_SUFFIX);

	*paths = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= slen ||
		    strcmp(de->d_name + len - slen, AUDIT_SUFFIX) != 0)
			continue;
		*paths = xreallocarray(*paths, *n + 1, sizeof **paths);
		xasprintf(&(*paths)[*n], "%s/%s", dir, de->d_name);
		(*n)++;
	}
	closedir(d);
	if (*n != 0)
		qsort(*paths, *n, sizeof **paths, audit_list_cmp);
	return (0);
}

/*
 * Does a directory hold segment files? Adds each subdirectory (not a
 * symbolic link) to *subs if not.
 */
static int
audit_list_is_log(const char *dir, DIR *d, char ***subs, u_int *nsubs)
{
	struct dirent	*de;
	struct stat	 sb;
	size_t		 len, slen = strlen(AUDIT_SUFFIX);
	char		*path;

	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > slen &&
		    strcmp(de->d_name + len - slen, AUDIT_SUFFIX) == 0)
			return (1);
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			free(path);
			continue;
		}
		*subs = xreallocarray(*subs, *nsubs + 1, sizeof **subs);
		(*subs)[(*nsubs)++] = path;
	}
	return (0);
}

static int
audit_list_strcmp(const void *a, const void *b)
{
	return (strcmp(*(char * const *)a, *(char * const *)b));
}

/* Add the log directories at and below dir; depth is how far down it is. */
static void
audit_list_tree_at(const char *dir, u_int depth, char ***dirs, u_int *n)
{
	DIR	 *d;
	char	**subs = NULL;
	u_int	  nsubs = 0, i;
	int	  log;

	if ((d = opendir(dir)) == NULL) {
		/* Unreadable below the top: listed, to say why later. */
		if (depth != 0) {
			*dirs = xreallocarray(*dirs, *n + 1, sizeof **dirs);
			(*dirs)[(*n)++] = xstrdup(dir);
		}
		return;
	}
	log = audit_list_is_log(dir, d, &subs, &nsubs);
	closedir(d);
	if (log) {
		*dirs = xreallocarray(*dirs, *n + 1, sizeof **dirs);
		(*dirs)[(*n)++] = xstrdup(dir);
	} else if (depth < AUDIT_TREE_DEPTH) {
		if (nsubs != 0)
			qsort(subs, nsubs, sizeof *subs, audit_list_strcmp);
		for (i = 0; i < nsubs; i++)
			audit_list_tree_at(subs[i], depth + 1, dirs, n);
	}
	for (i = 0; i < nsubs; i++)
		free(subs[i]);
	free(subs);
}

/*
 * List the log directories a -d names: the directory itself if it holds
 * segment files, else every directory below it that does (and not what is
 * below those), in name order, as a tree collected from many hosts has
 * them (HOST/, or HOST/USER/...). Symbolic links inside the tree are not
 * followed, so a loop ends, and nothing deeper than AUDIT_TREE_DEPTH is
 * looked at. A subdirectory that cannot be read is listed, so reading it
 * says why.
 */
int
audit_list_tree(const char *dir, char ***dirs, u_int *n, char **cause)
{
	DIR	*d;

	*dirs = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	closedir(d);
	audit_list_tree_at(dir, 0, dirs, n);
	return (0);
}
