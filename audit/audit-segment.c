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

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The segments of this server's log, in files of its own or sent to the
 * collector (audit-link.c, with audit-log-collector set). For files: the
 * directory, kept open as it was checked; making the next segment with its
 * header and segment record; closing one (read-only once complete); and
 * putting back one that was removed while open. For the collector: the
 * same segments, as messages, which it writes into files of its own. The
 * store (audit-store.c) decides when.
 */

static int	 audit_seg_fd = -1;
static int	 audit_seg_active;	/* a segment is being written */
static char	*audit_seg_link;	/* the collector's socket, or NULL */
static int	 audit_seg_dirfd = -1;	/* audit_seg_dir, as checked */
static char	*audit_seg_dir;
static char	*audit_seg_path;
static char	**audit_seg_paths;
static u_int	 audit_seg_npaths;
static u_int	 audit_seg_number;
static uint64_t	 audit_seg_bytes;
static time_t	 audit_seg_opened;

/* The directory the log is in (the collector's, with one), or NULL. */
const char *
audit_current_dir(void)
{
	if (audit_seg_link != NULL)
		return (audit_link_dir());
	return (audit_seg_dir);
}

/* Is the log set up to go somewhere (a directory, or a collector)? */
int
audit_segment_configured(void)
{
	return (audit_seg_dir != NULL || audit_seg_link != NULL);
}

/* Does the log go to the collector? */
int
audit_segment_is_link(void)
{
	return (audit_seg_link != NULL);
}

/* Is a segment being written? */
int
audit_segment_active(void)
{
	return (audit_seg_active);
}

/* The segments this server has written. */
char **
audit_current_files(u_int *n)
{
	*n = audit_seg_npaths;
	return (audit_seg_paths);
}

/* The number of the segment being written (or last written). */
u_int
audit_current_segment(void)
{
	return (audit_seg_number);
}

/* Where the open segment is written: its file or the collector, or -1. */
int
audit_segment_fd(void)
{
	if (audit_seg_link != NULL)
		return (audit_seg_active ? audit_link_fd() : -1);
	return (audit_seg_fd);
}

const char *
audit_segment_path(void)
{
	return (audit_seg_path);
}

/* Bytes in the open segment, and when it was opened. */
uint64_t
audit_segment_bytes(void)
{
	return (audit_seg_bytes);
}

void
audit_segment_wrote(size_t n)
{
	audit_seg_bytes += n;
}

time_t
audit_segment_opened(void)
{
	return (audit_seg_opened);
}

/* Send the segments to the collector at path. */
void
audit_segment_set_link(const char *path)
{
	audit_segment_forget_dir();
	audit_seg_link = xstrdup(path);
}

/* Remember the directory the next segment goes to, before one is made. */
void
audit_segment_set_dir(const char *dir)
{
	free(audit_seg_link);
	audit_seg_link = NULL;
	if (audit_seg_dir != NULL && strcmp(dir, audit_seg_dir) == 0)
		return;
	free(audit_seg_dir);
	audit_seg_dir = xstrdup(dir);
	if (audit_seg_dirfd != -1)
		close(audit_seg_dirfd);
	audit_seg_dirfd = -1;
}

/* Forget the directory or collector (the log is closed). */
void
audit_segment_forget_dir(void)
{
	if (audit_seg_link != NULL) {
		audit_link_close();
		free(audit_seg_link);
		audit_seg_link = NULL;
	}
	free(audit_seg_dir);
	audit_seg_dir = NULL;
	if (audit_seg_dirfd != -1)
		close(audit_seg_dirfd);
	audit_seg_dirfd = -1;
}

/*
 * Make sure audit_seg_dirfd is the log directory, checked: the one already
 * open if it is still at that path and safe, or the path opened (and made
 * if missing) again.
 */
static int
audit_segment_dir(char **cause)
{
	int	fd;

	if (audit_seg_dirfd != -1 &&
	    audit_dir_same(audit_seg_dirfd, audit_seg_dir))
		return (0);
	if ((fd = audit_dir_open(audit_seg_dir, 1, cause)) == -1)
		return (-1);
	if (audit_seg_dirfd != -1)
		close(audit_seg_dirfd);
	audit_seg_dirfd = fd;
	return (0);
}

/*
 * Write the header and segment record of a new segment file (or send them
 * to the collector, if fd is -1) and start its chain in ch; seq is the
 * sequence number of the record that comes next.
 */
static int
audit_segment_header(int fd, uint64_t seq, struct audit_chain *ch,
    char **cause)
{
	struct audit_buf	 b;
	u_char			 hdr[AUDIT_HEADER_LEN];
	size_t			 start;
	int			 retval = 0;

	memcpy(hdr, AUDIT_MAGIC, AUDIT_MAGIC_LEN);
	hdr[AUDIT_MAGIC_LEN] = AUDIT_FORMAT;

	audit_buf_init(&b);
	audit_buf_add(&b, hdr, sizeof hdr);
	start = audit_rec_begin(&b, AUDIT_SEGMENT, seq, audit_now());
	audit_rec_uint(&b, AUDIT_F_FORMAT, AUDIT_FORMAT);
	audit_rec_bytes(&b, AUDIT_F_RUN, audit_run, sizeof audit_run);
	audit_rec_uint(&b, AUDIT_F_SEGMENT, audit_seg_number);
	audit_add_server(&b);
	audit_seal_segment_fields(&b, audit_seg_number == 1);
	audit_rec_end(&b, start);
	if (fd == -1)
		audit_link_segment(audit_seg_number, b.data, b.len);
	else if (audit_file_write(fd, b.data, b.len, cause) != b.len)
		retval = -1;
	if (retval == 0) {
		audit_chain_begin(ch, b.data);
		audit_chain_add(ch, b.data + start, b.len - start);
		audit_seg_bytes = b.len;
	}
	audit_buf_free(&b);
	return (retval);
}

/* Keep a segment's path, as the one being written. */
static void
audit_segment_opened_path(char *path)
{
	audit_seg_paths = xreallocarray(audit_seg_paths, audit_seg_npaths + 1,
	    sizeof *audit_seg_paths);
	audit_seg_paths[audit_seg_npaths++] = path;
	audit_seg_path = path;
	audit_seg_active = 1;
	audit_seg_opened = time(NULL);
	log_debug("%s: writing %s", __func__, audit_seg_path);
}

/*
 * Begin the next segment at the collector, connecting first if need be.
 * Once begun it is kept, and sent again if the connection is lost.
 */
static int
audit_segment_create_link(uint64_t seq, struct audit_chain *ch,
    char **cause)
{
	char	*name, *path;

	if ((audit_link_fd() == -1 || audit_link_failed() != NULL) &&
	    audit_link_open(audit_seg_link, cause) != 0)
		return (-1);
	name = audit_file_name(audit_host, audit_user, audit_start,
	    (long)audit_pid, audit_seg_number + 1);
	xasprintf(&path, "%s/%s", audit_link_dir(), name);
	free(name);
	audit_seg_number++;
	audit_segment_header(-1, seq, ch, NULL);
	audit_segment_opened_path(path);
	return (0);
}

/*
 * Make the next segment file in the log directory (made if missing), with
 * its header; seq is the sequence number of the record that comes next.
 */
int
audit_segment_create(uint64_t seq, struct audit_chain *ch, char **cause)
{
	char	*name, *path, *why;
	int	 fd;

	if (audit_seg_link != NULL)
		return (audit_segment_create_link(seq, ch, cause));
	if (audit_segment_dir(cause) != 0)
		return (-1);
	name = audit_file_name(audit_host, audit_user, audit_start,
	    (long)audit_pid, audit_seg_number + 1);
	xasprintf(&path, "%s/%s", audit_seg_dir, name);
	if ((fd = audit_file_create(audit_seg_dirfd, name, path,
	    cause)) == -1) {
		free(name);
		free(path);
		return (-1);
	}
	audit_seg_number++;
	if (audit_segment_header(fd, seq, ch, &why) != 0) {
		audit_seg_number--;
		close(fd);
		unlinkat(audit_seg_dirfd, name, 0);
		xasprintf(cause, "%s: %s", path, why);
		free(why);
		free(name);
		free(path);
		return (-1);
	}
	free(name);
	audit_seg_fd = fd;
	audit_segment_opened_path(path);
	return (0);
}

/*
 * Write whole records into the open segment; returns how many bytes were
 * written. Sent to the collector, they are kept until it has stored them,
 * so they count as written even if the link has failed (then *cause says
 * why).
 */
size_t
audit_segment_write(const void *data, size_t len, char **cause)
{
	if (audit_seg_link == NULL)
		return (audit_file_write(audit_seg_fd, data, len, cause));
	audit_link_records(data, len);
	if (audit_link_failed() != NULL)
		*cause = xstrdup(audit_link_failed());
	return (len);
}

/* Whole records are handed to the writer thread: keep them for the link. */
void
audit_segment_sending(const void *data, size_t len)
{
	if (audit_seg_link != NULL)
		audit_link_keep(data, len);
}

/*
 * Make what has been written durable: synced to disk (as audit-log-sync
 * says), or stored, synced and counter-sealed by the collector.
 */
int
audit_segment_sync(void)
{
	if (audit_seg_link != NULL)
		return (audit_link_sync());
	if (audit_seg_fd != -1 && audit_log_sync != 0)
		return (fdatasync(audit_seg_fd));
	return (0);
}

/*
 * Is the way to the open segment broken (the collector gone)? Connect again
 * and send it what it lacks; -1 with *cause if that cannot be done.
 */
int
audit_segment_relink(char **cause)
{
	if (audit_seg_link == NULL || (audit_link_fd() != -1 &&
	    audit_link_failed() == NULL))
		return (0);
	return (audit_link_reopen(cause));
}

/*
 * Close the segment file; if it is complete (all written, nothing
 * failing), sync it (as audit-log-sync says) and make it read-only.
 */
void
audit_segment_close(int complete)
{
	if (audit_seg_link != NULL) {
		if (audit_seg_active && complete)
			audit_link_end();
		audit_seg_active = 0;
		return;
	}
	audit_seg_active = 0;
	if (audit_seg_fd == -1)
		return;
	if (complete) {
		if (audit_log_sync != 0)
			fdatasync(audit_seg_fd);
		fchmod(audit_seg_fd, 0400);
	}
	close(audit_seg_fd);
	audit_seg_fd = -1;
}

/* Has the open segment file been removed? */
int
audit_segment_removed(void)
{
	struct stat	sb;

	return (audit_seg_fd != -1 && fstat(audit_seg_fd, &sb) == 0 &&
	    sb.st_nlink == 0);
}

/*
 * The open segment file has been removed. The server still holds it: put
 * it back, from the open file, so no record is lost and the chain goes on
 * in the same file.
 */
int
audit_segment_restore(char **cause)
{
	char		 proc[64], buf[65536];
	const char	*name;
	int		 rfd, nfd;
	ssize_t		 n;

	if (audit_segment_dir(cause) != 0)
		return (-1);
	name = strrchr(audit_seg_path, '/') + 1;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", audit_seg_fd);
	if ((rfd = open(proc, O_RDONLY|O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", proc, strerror(errno));
		return (-1);
	}
	if ((nfd = audit_file_create(audit_seg_dirfd, name, audit_seg_path,
	    cause)) == -1) {
		close(rfd);
		return (-1);
	}
	while ((n = read(rfd, buf, sizeof buf)) > 0) {
		if (audit_file_write(nfd, buf, n, cause) != (size_t)n)
			goto fail;
	}
	if (n == -1) {
		xasprintf(cause, "%s: %s", proc, strerror(errno));
		goto fail;
	}
	close(rfd);
	close(audit_seg_fd);
	audit_seg_fd = nfd;
	log_debug("%s: restored %s", __func__, audit_seg_path);
	return (0);

fail:
	close(rfd);
	close(nfd);
	unlinkat(audit_seg_dirfd, name, 0);
	return (-1);
}
