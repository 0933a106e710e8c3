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
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * One tmux server's connection to the collector (FORMAT.md section 17).
 *
 * Who the server is comes from the kernel (SO_PEERCRED), never from what
 * it says: a segment record that claims another uid, user, pid or host is
 * refused. Every record is checked as it arrives, with the verifier's own
 * code (audit_vseg_record): framing, sequence, the hash chain and every
 * seal, so a server cannot send what it could not have sealed, nor change
 * what it sent before. What passes is appended to the user's segment file,
 * which is append-only while open and immutable once its closing seal is
 * in; each seal is synced and counter-signed with the collector's key
 * before the server is told it is stored.
 */


/*
 * Connections one user may have open at once: a server needs one, so this
 * is many servers; it bounds what one user can make the collector hold in
 * memory (a partial message each) at the others' expense.
 */
#define AUDITD_MAX_PER_USER 64

struct auditd_conn {
	int			 fd;
	struct bufferevent	*bev;
	struct event		 partial;

	uid_t			 uid;
	gid_t			 gid;
	pid_t			 pid;
	char			*user;
	char			*name;		/* for the log: "pid P uid U" */

	int			 hello;
	u_char			 run[16];
	uint64_t		 start;
	char			*dir;		/* the user's directory */
	int			 dirfd;

	/* The segment being written, and what the last one ended with. */
	int			 segfd;		/* -1 if none is open */
	int			 csfd;
	char			*segpath;
	struct audit_vseg	 vs;
	uint64_t		 segment;	/* the last one begun */
	uint64_t		 next;		/* seq expected next */
	int			 complete;	/* the last one is closed */
	int			 have_prev;
	u_char			 prev_chain[AUDIT_HASH_LEN];
	u_char			 prev_sig[AUDIT_SIG_LEN];
	u_char			 prev_key[AUDIT_PK_LEN];
	u_char			 run_key[AUDIT_PK_LEN];
	int			 have_run_key;

	LIST_ENTRY(auditd_conn)	 entry;
};
static LIST_HEAD(, auditd_conn) auditd_conns = LIST_HEAD_INITIALIZER();

static void	auditd_conn_read(struct bufferevent *, void *);
static void	auditd_conn_event(struct bufferevent *, short, void *);

/* Set or clear an inode flag (append-only, immutable); 0 if it was done. */
static int
auditd_inode_flag(int fd, int flag, int on)
{
	int	flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0)
		return (-1);
	if (on)
		flags |= flag;
	else
		flags &= ~flag;
	return (ioctl(fd, FS_IOC_SETFLAGS, &flags));
}

/* Make an open file append-only, saying once if the storage cannot. */
static void
auditd_append_only(int fd, const char *path)
{
	static int	warned;

	if (auditd_inode_flag(fd, FS_APPEND_FL, 1) == 0 || warned)
		return;
	warned = 1;
	auditd_log(LOG_WARNING, "%s: cannot make files append-only (%s): "
	    "they are protected by their owner and mode only", path,
	    strerror(errno));
}

/* Make a finished file read-only: immutable where the storage allows. */
static void
auditd_read_only(int fd)
{
	auditd_inode_flag(fd, FS_APPEND_FL, 0);
	fchmod(fd, 0440);
	auditd_inode_flag(fd, FS_IMMUTABLE_FL, 1);
}

/*
 * Append to a stored file, all or nothing: what a short write (a full
 * disk) left is cut off again, so the file ends with a whole record.
 * Returns -1 with errno set on failure.
 */
static int
auditd_append(int fd, const void *data, size_t len)
{
	const u_char	*p = data;
	off_t		 start;
	ssize_t		 n;
	size_t		 done = 0;
	int		 saved;

	if ((start = lseek(fd, 0, SEEK_END)) == -1)
		return (-1);
	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			errno = ENOSPC;
		saved = errno;
		if (done != 0) {
			auditd_inode_flag(fd, FS_APPEND_FL, 0);
			if (ftruncate(fd, start) == 0)
				auditd_inode_flag(fd, FS_APPEND_FL, 1);
		}
		errno = saved;
		return (-1);
	}
	return (0);
}

/* Send a message to the server. */
static void
auditd_send(struct auditd_conn *ac, u_int type, const void *data,
    size_t len)
{
	u_char	hdr[AUDIT_LINK_HDR];

	hdr[0] = type;
	audit_put32(hdr + 1, len);
	bufferevent_write(ac->bev, hdr, sizeof hdr);
	if (len != 0)
		bufferevent_write(ac->bev, data, len);
}

/*
 * Tell the server its records up to (not including) next are stored, and
 * whether the segment is complete.
 */
static void
auditd_ack(struct auditd_conn *ac)
{
	u_char	msg[17];

	audit_put64(msg, ac->segment);
	audit_put64(msg + 8, ac->next);
	msg[16] = ac->complete ? AUDIT_LINK_COMPLETE : 0;
	auditd_send(ac, AUDIT_LINK_ACK, msg, sizeof msg);
}

/* Close a segment's files. */
static void
auditd_conn_close_segment(struct auditd_conn *ac)
{
	if (ac->segfd != -1)
		close(ac->segfd);
	if (ac->csfd != -1)
		close(ac->csfd);
	ac->segfd = ac->csfd = -1;
	free(ac->segpath);
	ac->segpath = NULL;
	free(ac->vs.path);
	ac->vs.path = NULL;
	free(ac->vs.why);
	ac->vs.why = NULL;
	free(ac->vs.unlinked);
	ac->vs.unlinked = NULL;
	audit_vseg_clear(&ac->vs);
}

static void
auditd_conn_free(struct auditd_conn *ac)
{
	LIST_REMOVE(ac, entry);
	auditd_conn_close_segment(ac);
	if (event_initialized(&ac->partial))
		evtimer_del(&ac->partial);
	bufferevent_free(ac->bev);
	close(ac->fd);
	if (ac->dirfd != -1)
		close(ac->dirfd);
	free(ac->dir);
	free(ac->user);
	free(ac->name);
	free(ac);
}

/*
 * Refuse the server: say why, in our log and to it (as far as its socket
 * takes it at once: a stalled peer does not hold the collector up), and
 * close the connection.
 */
static void printflike(2, 3)
auditd_refuse(struct auditd_conn *ac, const char *fmt, ...)
{
	va_list	 ap;
	char	*why;
	u_char	*msg;
	size_t	 len;

	va_start(ap, fmt);
	xvasprintf(&why, fmt, ap);
	va_end(ap);
	auditd_log(LOG_WARNING, "refused server %s: %s", ac->name, why);

	len = strlen(why);
	msg = xmalloc(AUDIT_LINK_HDR + len);
	msg[0] = AUDIT_LINK_ERROR;
	audit_put32(msg + 1, len);
	memcpy(msg + AUDIT_LINK_HDR, why, len);
	bufferevent_disable(ac->bev, EV_READ|EV_WRITE);
	if (evbuffer_get_length(EVBUFFER_OUTPUT(ac->bev)) == 0)
		send(ac->fd, msg, AUDIT_LINK_HDR + len, MSG_DONTWAIT|MSG_NOSIGNAL);
	free(msg);
	free(why);
	auditd_conn_free(ac);
}

/* A new connection: take the peer's credentials from the kernel. */
void
auditd_accept(int fd)
{
	struct ucred	uc;
	socklen_t	len = sizeof uc;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0) {
		auditd_log(LOG_WARNING, "no credentials for a connection: %s",
		    strerror(errno));
		close(fd);
		return;
	}
	auditd_accept_peer(fd, uc.uid, uc.gid, uc.pid);
}

/*
 * A new connection from the server with these credentials (the kernel's:
 * only the fuzz target gives others).
 */
void
auditd_accept_peer(int fd, uid_t uid, gid_t gid, pid_t pid)
{
	struct auditd_conn	*ac, *loop;
	const char		*user;
	u_int			 n = 0;

	ac = xcalloc(1, sizeof *ac);
	ac->fd = fd;
	ac->uid = uid;
	ac->gid = gid;
	ac->pid = pid;
	ac->segfd = ac->csfd = ac->dirfd = -1;
	xasprintf(&ac->name, "pid %ld uid %ld", (long)ac->pid, (long)ac->uid);
	if ((user = audit_user_name(ac->uid)) != NULL)
		ac->user = xstrdup(user);
	LIST_FOREACH(loop, &auditd_conns, entry) {
		if (loop->uid == ac->uid)
			n++;
	}
	LIST_INSERT_HEAD(&auditd_conns, ac, entry);

	ac->bev = bufferevent_new(fd, auditd_conn_read, NULL,
	    auditd_conn_event, ac);
	bufferevent_enable(ac->bev, EV_READ|EV_WRITE);
	if (ac->user == NULL)
		auditd_refuse(ac, "uid %ld has no user name", (long)ac->uid);
	else if (*ac->user == '\0' || *ac->user == '.' ||
	    strchr(ac->user, '/') != NULL)
		auditd_refuse(ac, "user name \"%s\" cannot name a directory",
		    ac->user);
	else if (n >= AUDITD_MAX_PER_USER)
		auditd_refuse(ac, "user %s has %u connections already",
		    ac->user, n);
}

/*
 * After a restart: make the counter-seal file of an open segment whole
 * again (a torn last entry cut off) and counter-seal the seals stored
 * before the collector stopped but not yet counter-sealed.
 */
static int
auditd_resume_cseals(struct auditd_conn *ac, const char *cpath,
    char **cause)
{
	struct audit_reader	*rd;
	struct audit_record	*r;
	struct audit_vseg	 vs;
	struct audit_cseal	*list, cs;
	u_char			 pk[AUDIT_PK_LEN], e[AUDIT_CSEAL_ENTRY];
	u_int			 n, k = 0, made = 0;
	off_t			 want;
	int			 retval = -1;

	if (audit_cseal_read(cpath, pk, &list, &n, cause) != 0)
		return (-1);
	free(list);
	if (memcmp(pk, auditd_pk, AUDIT_PK_LEN) != 0) {
		/* One key a file: the collector's key was replaced. */
		xasprintf(cause, "%s: counter-sealed with another collector "
		    "key", cpath);
		return (-1);
	}
	want = AUDIT_CSEAL_HDR + (off_t)n * AUDIT_CSEAL_ENTRY;
	if (lseek(ac->csfd, 0, SEEK_END) != want) {
		auditd_inode_flag(ac->csfd, FS_APPEND_FL, 0);
		if (ftruncate(ac->csfd, want) != 0) {
			xasprintf(cause, "%s: %s", cpath, strerror(errno));
			return (-1);
		}
		auditd_append_only(ac->csfd, cpath);
	}

	if ((rd = audit_reader_open(ac->segpath, cause)) == NULL)
		return (-1);
	audit_vseg_begin(&vs, ac->segpath, rd->version);
	r = xmalloc(sizeof *r);
	while (audit_reader_next(rd, r) == 1) {
		if (audit_vseg_record(&vs, r) != 0)
			break;
		if (r->type != AUDIT_SEAL || ++k <= n)
			continue;
		audit_cseal_make(&cs, ac->run, ac->segment, r, vs.last_index,
		    audit_now(), auditd_sk);
		audit_cseal_encode(&cs, e);
		if (auditd_append(ac->csfd, e, sizeof e) != 0) {
			xasprintf(cause, "%s: %s", cpath, strerror(errno));
			goto out;
		}
		made++;
	}
	if (made != 0) {
		fdatasync(ac->csfd);
		auditd_log(LOG_NOTICE, "%s: counter-sealed %u stored seals "
		    "that had none", ac->segpath, made);
	}
	retval = 0;
out:
	free(r);
	free(vs.path);
	free(vs.why);
	free(vs.unlinked);
	audit_vseg_clear(&vs);
	audit_reader_close(rd);
	return (retval);
}

/*
 * Open the counter-seal file of the segment at ac->segpath to append to
 * it, made again with its header if the collector stopped before it had
 * one (a counter-seal file with no entries vouches for nothing, so
 * nothing is lost). Its path in *path.
 */
static int
auditd_open_cseal(struct auditd_conn *ac, char **path, char **cause)
{
	struct stat	 sb;
	u_char		 hdr[AUDIT_CSEAL_HDR];
	char		*name;

	xasprintf(path, "%s%s", ac->segpath, AUDIT_CSEAL_SUFFIX);
	name = strrchr(*path, '/') + 1;
	ac->csfd = openat(ac->dirfd, name, O_WRONLY|O_APPEND|O_CREAT|
	    O_CLOEXEC|O_NOFOLLOW, 0640);
	if (ac->csfd == -1 || fstat(ac->csfd, &sb) != 0)
		goto fail;
	if (sb.st_size >= AUDIT_CSEAL_HDR)
		return (0);
	auditd_inode_flag(ac->csfd, FS_APPEND_FL, 0);
	audit_cseal_header(hdr, auditd_pk);
	if (ftruncate(ac->csfd, 0) != 0 ||
	    auditd_append(ac->csfd, hdr, sizeof hdr) != 0)
		goto fail;
	if (auditd_gid != (gid_t)-1)
		fchown(ac->csfd, (uid_t)-1, auditd_gid);
	auditd_append_only(ac->csfd, *path);
	auditd_log(LOG_NOTICE, "%s: made again, it had no header", *path);
	return (0);

fail:
	xasprintf(cause, "%s: %s", *path, strerror(errno));
	free(*path);
	*path = NULL;
	return (-1);
}

/* Make a finished file immutable if it is not (and the storage can). */
static void
auditd_finish_flags(struct auditd_conn *ac, const char *name)
{
	int	fd, flags;

	fd = openat(ac->dirfd, name, O_RDONLY|O_CLOEXEC|O_NOFOLLOW);
	if (fd == -1)
		return;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 &&
	    (~flags & FS_IMMUTABLE_FL))
		auditd_read_only(fd);
	close(fd);
}

/*
 * A segment with its closing seal, found on restart: if the collector
 * stopped before the server's END, it is still writable and its last
 * seals may not be counter-sealed. Finish it as END would have.
 */
static int
auditd_resume_finished(struct auditd_conn *ac, char **cause)
{
	struct stat	 sb;
	const char	*name = strrchr(ac->segpath, '/') + 1;
	char		*path;
	int		 retval;

	if (fstatat(ac->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
		xasprintf(cause, "%s: %s", ac->segpath, strerror(errno));
		return (-1);
	}
	if ((sb.st_mode & S_IWUSR) == 0) {
		/* Read-only: made immutable too if a stop came in between. */
		auditd_finish_flags(ac, name);
		xasprintf(&path, "%s%s", name, AUDIT_CSEAL_SUFFIX);
		auditd_finish_flags(ac, path);
		free(path);
		return (0);
	}
	ac->segfd = openat(ac->dirfd, name, O_WRONLY|O_APPEND|O_CLOEXEC|
	    O_NOFOLLOW);
	if (ac->segfd == -1) {
		xasprintf(cause, "%s: %s", ac->segpath, strerror(errno));
		return (-1);
	}
	if (auditd_open_cseal(ac, &path, cause) != 0)
		return (-1);
	retval = auditd_resume_cseals(ac, path, cause);
	free(path);
	if (retval != 0)
		return (-1);
	fdatasync(ac->segfd);
	auditd_read_only(ac->segfd);
	auditd_read_only(ac->csfd);
	auditd_log(LOG_NOTICE, "%s: complete, made read-only after a restart",
	    ac->segpath);
	return (0);
}

/*
 * Was the segment file at ac->segpath made but its header and segment
 * record never written whole (the collector stopped in between)? Then
 * nothing of it was acknowledged: remove it and its counter-seal file, so
 * the server sends the segment again.
 */
static int
auditd_torn_create(struct auditd_conn *ac)
{
	struct audit_reader	*rd;
	struct audit_record	*r;
	const char		*name = strrchr(ac->segpath, '/') + 1;
	struct stat		 sb;
	char			*cname, *cause = NULL;
	int			 torn, fd;

	if (fstatat(ac->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return (0);
	if (sb.st_size < AUDIT_HEADER_LEN)
		torn = 1;
	else if ((rd = audit_reader_open(ac->segpath, &cause)) == NULL)
		torn = 0;
	else {
		r = xmalloc(sizeof *r);
		torn = (audit_reader_next(rd, r) != 1);
		free(r);
		audit_reader_close(rd);
	}
	free(cause);
	if (!torn)
		return (0);

	xasprintf(&cname, "%s%s", name, AUDIT_CSEAL_SUFFIX);
	if ((fd = openat(ac->dirfd, name, O_RDONLY|O_CLOEXEC)) != -1) {
		auditd_inode_flag(fd, FS_APPEND_FL, 0);
		close(fd);
	}
	if ((fd = openat(ac->dirfd, cname, O_RDONLY|O_CLOEXEC)) != -1) {
		auditd_inode_flag(fd, FS_APPEND_FL, 0);
		close(fd);
	}
	unlinkat(ac->dirfd, cname, 0);
	if (unlinkat(ac->dirfd, name, 0) != 0) {
		free(cname);
		return (0);
	}
	auditd_log(LOG_NOTICE, "%s: removed, its segment record was never "
	    "stored whole", ac->segpath);
	free(cname);
	return (1);
}

/*
 * Rebuild what the collector knows of a run from its files after it was
 * restarted: the last segment is read and checked as if it were arriving,
 * so the chain goes on where it stopped. A record torn by a kill in the
 * middle of a write is cut off.
 */
static int
auditd_resume(struct auditd_conn *ac, char **cause)
{
	struct audit_reader	*rd;
	struct audit_record	*r;
	DIR			*d;
	struct dirent		*de;
	char			*prefix, *h, *u, *path, tbuf[32];
	uint64_t		 best = 0, n;
	time_t			 t = ac->start / 1000000;
	struct tm		 tm;
	off_t			 end;
	size_t			 digits;
	int			 fd, got;

again:
	best = 0;
	gmtime_r(&t, &tm);
	strftime(tbuf, sizeof tbuf, "%Y%m%dT%H%M%SZ", &tm);
	h = audit_file_word(auditd_host);
	u = audit_file_word(ac->user);
	xasprintf(&prefix, "%s_%s_%s_%ld_", h, u, tbuf, (long)ac->pid);
	free(h);
	free(u);
	if ((d = fdopendir(dup(ac->dirfd))) == NULL) {
		xasprintf(cause, "%s: %s", ac->dir, strerror(errno));
		free(prefix);
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		digits = strspn(de->d_name + strlen(prefix), "0123456789");
		if (digits == 0 || strcmp(de->d_name + strlen(prefix) + digits,
		    AUDIT_SUFFIX) != 0)
			continue;
		n = strtoull(de->d_name + strlen(prefix), NULL, 10);
		if (n > best)
			best = n;
	}
	closedir(d);
	free(prefix);
	if (best == 0)
		return (0);

	path = audit_file_name(auditd_host, ac->user, ac->start, ac->pid,
	    best);
	xasprintf(&ac->segpath, "%s/%s", ac->dir, path);
	free(path);
	if (auditd_torn_create(ac)) {
		auditd_conn_close_segment(ac);
		goto again;
	}
	if ((rd = audit_reader_open(ac->segpath, cause)) == NULL)
		return (-1);
	audit_vseg_begin(&ac->vs, ac->segpath, rd->version);
	r = xmalloc(sizeof *r);
	end = AUDIT_HEADER_LEN;
	while ((got = audit_reader_next(rd, r)) == 1) {
		if (audit_vseg_record(&ac->vs, r) != 0)
			break;
		end = r->offset + r->size;
		ac->next = (r->type == AUDIT_SEGMENT) ? r->seq : r->seq + 1;
	}
	free(r);
	audit_reader_close(rd);
	if (ac->vs.why != NULL) {
		xasprintf(cause, "%s: %s", ac->segpath, ac->vs.why);
		return (-1);
	}
	if (!ac->vs.have_header || memcmp(ac->vs.run, ac->run, 16) != 0) {
		xasprintf(cause, "%s: not this run's segment", ac->segpath);
		return (-1);
	}
	ac->segment = ac->vs.segment;
	memcpy(ac->run_key, ac->vs.run_key, AUDIT_PK_LEN);
	ac->have_run_key = 1;
	if (ac->vs.final) {
		ac->complete = 1;
		ac->have_prev = 1;
		memcpy(ac->prev_chain, ac->vs.final_chain, AUDIT_HASH_LEN);
		memcpy(ac->prev_sig, ac->vs.final_sig, AUDIT_SIG_LEN);
		memcpy(ac->prev_key, ac->vs.next_key, AUDIT_PK_LEN);
		got = auditd_resume_finished(ac, cause);
		auditd_conn_close_segment(ac);
		return (got);
	}

	/* Open to go on appending; cut off a torn record first. */
	fd = openat(ac->dirfd, strrchr(ac->segpath, '/') + 1,
	    O_WRONLY|O_APPEND|O_CLOEXEC|O_NOFOLLOW);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", ac->segpath, strerror(errno));
		return (-1);
	}
	if (lseek(fd, 0, SEEK_END) != end) {
		auditd_inode_flag(fd, FS_APPEND_FL, 0);
		if (ftruncate(fd, end) != 0) {
			xasprintf(cause, "%s: %s", ac->segpath,
			    strerror(errno));
			close(fd);
			return (-1);
		}
		auditd_log(LOG_NOTICE, "%s: cut a torn record at offset %lld",
		    ac->segpath, (long long)end);
		auditd_append_only(fd, ac->segpath);
	}
	ac->segfd = fd;
	if (auditd_open_cseal(ac, &path, cause) != 0)
		return (-1);
	got = auditd_resume_cseals(ac, path, cause);
	free(path);
	return (got);
}

/* The user's directory: made if missing, never one someone else owns. */
static int
auditd_user_dir(struct auditd_conn *ac, char **cause)
{
	struct stat	sb;

	xasprintf(&ac->dir, "%s/%s", auditd_root, ac->user);
	if (mkdirat(auditd_rootfd, ac->user, 0750) != 0 && errno != EEXIST) {
		xasprintf(cause, "%s: %s", ac->dir, strerror(errno));
		return (-1);
	}
	ac->dirfd = openat(auditd_rootfd, ac->user,
	    O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
	if (ac->dirfd == -1 || fstat(ac->dirfd, &sb) != 0) {
		xasprintf(cause, "%s: %s", ac->dir, strerror(errno));
		return (-1);
	}
	if (sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP|S_IWOTH))) {
		xasprintf(cause, "%s: not the collector's own directory",
		    ac->dir);
		return (-1);
	}
	if (auditd_gid != (gid_t)-1 && sb.st_gid != auditd_gid)
		fchown(ac->dirfd, (uid_t)-1, auditd_gid);
	return (0);
}

/* HELLO: which run this is; answer with what is stored of it. */
static void
auditd_hello(struct auditd_conn *ac, const u_char *p, size_t len)
{
	struct auditd_conn	*old, *old1;
	u_char	 msg[18 + AUDIT_PK_LEN], *w;
	uint64_t pid;
	char	*cause = NULL;
	size_t	 dlen;

	if (ac->hello || len != AUDIT_LINK_HELLO_LEN ||
	    memcmp(p, AUDIT_LINK_MAGIC, 8) != 0) {
		auditd_refuse(ac, "bad hello");
		return;
	}
	if (p[8] != AUDIT_LINK_VERSION) {
		auditd_refuse(ac, "protocol version %u not supported", p[8]);
		return;
	}
	memcpy(ac->run, p + 9, 16);
	ac->start = audit_get64(p + 25);
	pid = audit_get64(p + 33);
	if (pid != (uint64_t)ac->pid) {
		auditd_refuse(ac, "hello claims pid %llu",
		    (unsigned long long)pid);
		return;
	}

	/*
	 * The same server again (it found its connection broken): the old
	 * connection goes, and the new one goes on from what is on disk.
	 */
	LIST_FOREACH_SAFE(old, &auditd_conns, entry, old1) {
		if (old == ac || !old->hello || old->pid != ac->pid ||
		    old->uid != ac->uid || memcmp(old->run, ac->run, 16) != 0)
			continue;
		auditd_log(LOG_INFO, "server %s (%s) connected again",
		    ac->name, ac->user);
		auditd_conn_free(old);
	}
	if (auditd_user_dir(ac, &cause) != 0 ||
	    auditd_resume(ac, &cause) != 0) {
		auditd_refuse(ac, "%s", cause);
		free(cause);
		return;
	}
	ac->hello = 1;
	auditd_log(LOG_INFO, "server %s (%s) connected: segment %llu, next "
	    "seq %llu", ac->name, ac->user, (unsigned long long)ac->segment,
	    (unsigned long long)ac->next);

	dlen = strlen(ac->dir);
	w = xmalloc(sizeof msg + dlen);
	w[0] = AUDIT_LINK_VERSION;
	audit_put64(w + 1, ac->segment);
	audit_put64(w + 9, ac->next);
	w[17] = ac->complete ? AUDIT_LINK_COMPLETE : 0;
	memcpy(w + 18, auditd_pk, AUDIT_PK_LEN);
	memcpy(w + 18 + AUDIT_PK_LEN, ac->dir, dlen);
	auditd_send(ac, AUDIT_LINK_WELCOME, w, sizeof msg + dlen);
	free(w);
}

/* Is a text field of the segment record what the kernel says? */
static int
auditd_claim_ok(const struct audit_record *r, u_int tag, const char *want)
{
	char	*s;
	int	 ok;

	if ((s = audit_rec_get_str(r, tag)) == NULL)
		return (0);
	ok = (strcmp(s, want) == 0);
	free(s);
	return (ok);
}

/* SEGMENT: a new segment file, its header and segment record. */
static void
auditd_segment(struct auditd_conn *ac, const u_char *p, size_t len)
{
	struct audit_record	*r;
	struct audit_vseg	 new, *vs = &new;
	const char		*cause;
	char			*name = NULL, *cname = NULL, *path;
	u_char			 hdr[AUDIT_CSEAL_HDR];
	uint64_t		 v;
	int			 fd = -1, csfd = -1, saved, unfinished;

	memset(&new, 0, sizeof new);
	if (!ac->hello) {
		auditd_refuse(ac, "segment before hello");
		return;
	}
	if (len < AUDIT_HEADER_LEN ||
	    memcmp(p, AUDIT_MAGIC, AUDIT_MAGIC_LEN) != 0 ||
	    p[AUDIT_MAGIC_LEN] != AUDIT_FORMAT) {
		auditd_refuse(ac, "segment header is not format %u",
		    AUDIT_FORMAT);
		return;
	}
	if (len - AUDIT_HEADER_LEN > (size_t)AUDIT_REC_MAX + 4) {
		auditd_refuse(ac, "segment record of %zu bytes is too large",
		    len - AUDIT_HEADER_LEN);
		return;
	}
	r = xmalloc(sizeof *r);
	if (audit_rec_parse(p + AUDIT_HEADER_LEN, len - AUDIT_HEADER_LEN, r,
	    &cause) != 0) {
		auditd_refuse(ac, "segment record: %s", cause);
		goto out;
	}
	r->offset = AUDIT_HEADER_LEN;
	audit_vseg_begin(vs, ac->dir, p[AUDIT_MAGIC_LEN]);
	if (audit_vseg_record(vs, r) != 0) {
		auditd_refuse(ac, "%s", vs->why);
		goto out;
	}

	/* Who the server is, as the kernel says, and which run. */
	if (audit_rec_get_uint(r, AUDIT_F_UID, &v) != 0 || v != ac->uid ||
	    audit_rec_get_uint(r, AUDIT_F_PID, &v) != 0 || v != (uint64_t)ac->pid ||
	    !auditd_claim_ok(r, AUDIT_F_USER, ac->user)) {
		auditd_refuse(ac, "segment record claims another uid, pid or "
		    "user than the connection's");
		goto out;
	}
	if (!auditd_claim_ok(r, AUDIT_F_HOST, auditd_host)) {
		auditd_refuse(ac, "segment record claims another host");
		goto out;
	}
	if (memcmp(vs->run, ac->run, 16) != 0 || vs->start_time != ac->start) {
		auditd_refuse(ac, "segment record of another run");
		goto out;
	}

	/*
	 * Where it goes in the run: after the last one stored, or, if none
	 * is, anywhere (the log was sent here only from then on; the segments
	 * and records before it are missing from here, which a verification
	 * reports). The last one may be unfinished: the server closed it
	 * without its closing seal (it could not reach the collector when its
	 * log stopped). Then records may be missing between the two, but none
	 * may be sent again.
	 */
	unfinished = (ac->segment != 0 && !ac->complete);
	if (ac->segment != 0 && vs->segment != ac->segment + 1) {
		auditd_refuse(ac, "segment %llu does not follow segment %llu",
		    (unsigned long long)vs->segment,
		    (unsigned long long)ac->segment);
		goto out;
	}
	if (ac->segment != 0 && (unfinished ? r->seq < ac->next :
	    r->seq != ac->next)) {
		auditd_refuse(ac, "segment record seq %llu, not %s%llu",
		    (unsigned long long)r->seq, unfinished ? "at least " : "",
		    (unsigned long long)ac->next);
		goto out;
	}
	if (!unfinished && ac->have_prev && (memcmp(vs->prev_chain, ac->prev_chain,
	    AUDIT_HASH_LEN) != 0 || memcmp(vs->prev_seal, ac->prev_sig,
	    AUDIT_SIG_LEN) != 0 || memcmp(vs->sign_key, ac->prev_key,
	    AUDIT_PK_LEN) != 0)) {
		auditd_refuse(ac, "segment %llu does not link to segment %llu",
		    (unsigned long long)vs->segment,
		    (unsigned long long)ac->segment);
		goto out;
	}
	if (ac->have_run_key &&
	    memcmp(vs->run_key, ac->run_key, AUDIT_PK_LEN) != 0) {
		auditd_refuse(ac, "segment %llu has another run key",
		    (unsigned long long)vs->segment);
		goto out;
	}

	/* The file: its name from what was checked, never from the server. */
	name = audit_file_name(auditd_host, ac->user, ac->start, ac->pid,
	    vs->segment);
	xasprintf(&cname, "%s%s", name, AUDIT_CSEAL_SUFFIX);
	fd = openat(ac->dirfd, name, O_WRONLY|O_CREAT|O_EXCL|O_APPEND|
	    O_CLOEXEC|O_NOFOLLOW, 0640);
	if (fd != -1)
		csfd = openat(ac->dirfd, cname, O_WRONLY|O_CREAT|O_EXCL|
		    O_APPEND|O_CLOEXEC|O_NOFOLLOW, 0640);
	audit_cseal_header(hdr, auditd_pk);
	if (fd == -1 || csfd == -1 ||
	    auditd_append(fd, p, len) != 0 ||
	    auditd_append(csfd, hdr, sizeof hdr) != 0) {
		/* Nothing of it was acknowledged: it goes, to be sent again. */
		saved = errno;
		if (fd != -1)
			unlinkat(ac->dirfd, name, 0);
		if (csfd != -1)
			unlinkat(ac->dirfd, cname, 0);
		auditd_log(LOG_ERR, "%s/%s: %s", ac->dir, name,
		    strerror(saved));
		auditd_refuse(ac, "collector cannot store %s/%s: %s", ac->dir,
		    name, strerror(saved));
		goto out;
	}
	if (auditd_gid != (gid_t)-1) {
		fchown(fd, (uid_t)-1, auditd_gid);
		fchown(csfd, (uid_t)-1, auditd_gid);
	}
	if (unfinished) {
		auditd_log(LOG_NOTICE, "%s: left unfinished by server %s (%s), "
		    "made read-only; segment %llu begins at seq %llu",
		    ac->segpath, ac->name, ac->user,
		    (unsigned long long)vs->segment,
		    (unsigned long long)r->seq);
		if (ac->segfd != -1) {
			fdatasync(ac->segfd);
			auditd_read_only(ac->segfd);
			auditd_read_only(ac->csfd);
		}
	}
	auditd_conn_close_segment(ac);
	ac->vs = new;
	memset(&new, 0, sizeof new);
	vs = &ac->vs;
	xasprintf(&ac->segpath, "%s/%s", ac->dir, name);
	auditd_append_only(fd, ac->segpath);
	xasprintf(&path, "%s%s", ac->segpath, AUDIT_CSEAL_SUFFIX);
	auditd_append_only(csfd, path);
	free(path);
	ac->segfd = fd;
	ac->csfd = csfd;
	fd = csfd = -1;
	ac->segment = vs->segment;
	ac->next = r->seq;
	ac->complete = 0;
	if (!ac->have_run_key) {
		memcpy(ac->run_key, vs->run_key, AUDIT_PK_LEN);
		ac->have_run_key = 1;
	}
	auditd_ack(ac);

out:
	if (fd != -1)
		close(fd);
	if (csfd != -1)
		close(csfd);
	free(new.path);
	free(new.why);
	free(new.unlinked);
	audit_vseg_clear(&new);
	free(name);
	free(cname);
	free(r);
}

/* A seal has been checked and stored: sync it and counter-sign it. */
static int
auditd_counter_seal(struct auditd_conn *ac, const struct audit_record *r)
{
	struct audit_cseal	cs;
	u_char			e[AUDIT_CSEAL_ENTRY];

	if (fdatasync(ac->segfd) != 0)
		return (-1);
	audit_cseal_make(&cs, ac->run, ac->segment, r, ac->vs.last_index,
	    audit_now(), auditd_sk);
	audit_cseal_encode(&cs, e);
	if (auditd_append(ac->csfd, e, sizeof e) != 0)
		return (-1);
	return (fdatasync(ac->csfd));
}

/* RECORDS: check each record, store those that pass, acknowledge. */
static void
auditd_records(struct auditd_conn *ac, const u_char *p, size_t len)
{
	struct audit_record	*r;
	const char		*cause;
	size_t			 off = 0, n, done = 0;
	int			 bad = 0;

	if (ac->segfd == -1) {
		auditd_refuse(ac, "records before a segment");
		return;
	}
	r = xmalloc(sizeof *r);
	while (off < len) {
		if (len - off >= 4 &&
		    audit_get32(p + off) > AUDIT_REC_MAX) {
			auditd_refuse(ac, "record at seq %llu of %u bytes is "
			    "too large", (unsigned long long)ac->next,
			    audit_get32(p + off));
			bad = 1;
			break;
		}
		if (len - off < 4 ||
		    (n = (size_t)audit_get32(p + off) + 4) > len - off) {
			auditd_refuse(ac, "a record cut short in a message");
			bad = 1;
			break;
		}
		if (audit_rec_parse(p + off, n, r, &cause) != 0) {
			auditd_refuse(ac, "record at seq %llu: %s",
			    (unsigned long long)ac->next, cause);
			bad = 1;
			break;
		}
		r->offset = lseek(ac->segfd, 0, SEEK_END) + (off - done);
		if (r->seq != ac->next) {
			auditd_refuse(ac, "record seq %llu, not %llu",
			    (unsigned long long)r->seq,
			    (unsigned long long)ac->next);
			bad = 1;
			break;
		}
		if (audit_vseg_record(&ac->vs, r) != 0) {
			auditd_refuse(ac, "record seq %llu does not chain: %s",
			    (unsigned long long)r->seq, ac->vs.why);
			bad = 1;
			break;
		}
		off += n;
		ac->next = r->seq + 1;
		if (r->type != AUDIT_SEAL)
			continue;

		/* Store up to the seal, then counter-sign it. */
		if (auditd_append(ac->segfd, p + done, off - done) != 0 ||
		    auditd_counter_seal(ac, r) != 0) {
			auditd_log(LOG_ERR, "%s: %s", ac->segpath,
			    strerror(errno));
			auditd_refuse(ac, "collector cannot store %s: %s",
			    ac->segpath, strerror(errno));
			bad = 1;
			break;
		}
		done = off;
	}
	free(r);
	if (bad)
		return;
	if (off != done && auditd_append(ac->segfd, p + done,
	    off - done) != 0) {
		auditd_log(LOG_ERR, "%s: %s", ac->segpath, strerror(errno));
		auditd_refuse(ac, "collector cannot store %s: %s", ac->segpath,
		    strerror(errno));
		return;
	}
	auditd_ack(ac);
}

/* END: the segment is complete; make its files read-only. */
static void
auditd_end(struct auditd_conn *ac)
{
	if (ac->segfd == -1 || !ac->vs.final) {
		auditd_refuse(ac, "end of a segment without its closing seal");
		return;
	}
	if (fdatasync(ac->segfd) != 0) {
		auditd_log(LOG_ERR, "%s: %s", ac->segpath, strerror(errno));
		auditd_refuse(ac, "collector cannot store %s: %s", ac->segpath,
		    strerror(errno));
		return;
	}
	auditd_read_only(ac->segfd);
	auditd_read_only(ac->csfd);
	ac->complete = 1;
	ac->have_prev = 1;
	memcpy(ac->prev_chain, ac->vs.final_chain, AUDIT_HASH_LEN);
	memcpy(ac->prev_sig, ac->vs.final_sig, AUDIT_SIG_LEN);
	memcpy(ac->prev_key, ac->vs.next_key, AUDIT_PK_LEN);
	auditd_log(LOG_INFO, "server %s (%s): segment %llu complete",
	    ac->name, ac->user, (unsigned long long)ac->segment);
	auditd_conn_close_segment(ac);
	auditd_ack(ac);
}

/* A message begun long ago is still not whole: the server is stuck. */
static void
auditd_partial_cb(__unused int fd, __unused short events, void *arg)
{
	struct auditd_conn	*ac = arg;

	auditd_refuse(ac, "a message was not finished in %u seconds",
	    auditd_timeout);
}

/* Handle every whole message the server has sent. */
static void
auditd_conn_read(__unused struct bufferevent *bev, void *arg)
{
	struct auditd_conn	*ac = arg;
	struct evbuffer		*in = EVBUFFER_INPUT(ac->bev);
	struct timeval		 tv = { .tv_sec = auditd_timeout };
	u_char			 hdr[AUDIT_LINK_HDR], *p;
	size_t			 len;
	u_int			 type, handled = 0;

	for (;;) {
		if (evbuffer_get_length(in) < AUDIT_LINK_HDR)
			break;
		evbuffer_copyout(in, hdr, sizeof hdr);
		type = hdr[0];
		len = audit_get32(hdr + 1);
		if (len > AUDIT_LINK_MAX) {
			auditd_refuse(ac, "message of %zu bytes is too large",
			    len);
			return;
		}
		if (evbuffer_get_length(in) < AUDIT_LINK_HDR + len)
			break;
		evbuffer_drain(in, AUDIT_LINK_HDR);
		p = evbuffer_pullup(in, len);
		if (len != 0 && p == NULL) {
			auditd_refuse(ac, "out of memory");
			return;
		}
		auditd_log(LOG_DEBUG, "server %s: message %u of %zu bytes",
		    ac->name, type, len);
		switch (type) {
		case AUDIT_LINK_HELLO:
			auditd_hello(ac, p, len);
			break;
		case AUDIT_LINK_SEGMENT:
			auditd_segment(ac, p, len);
			break;
		case AUDIT_LINK_RECORDS:
			auditd_records(ac, p, len);
			break;
		case AUDIT_LINK_END:
			auditd_end(ac);
			break;
		default:
			auditd_refuse(ac, "unknown message type %u", type);
			return;
		}
		/* A refusal has freed the connection. */
		if (!auditd_conn_alive(ac))
			return;
		evbuffer_drain(in, len);
		handled++;
	}

	/*
	 * What is left is the start of a message: the server has the timeout
	 * from when it began it (now, if a message was just finished).
	 */
	if (!event_initialized(&ac->partial))
		evtimer_set(&ac->partial, auditd_partial_cb, ac);
	if (evbuffer_get_length(in) != 0) {
		if (handled != 0 || !evtimer_pending(&ac->partial, NULL)) {
			evtimer_del(&ac->partial);
			evtimer_add(&ac->partial, &tv);
		}
	} else
		evtimer_del(&ac->partial);
}

/* Is this connection still there (not freed by a refusal)? */
int
auditd_conn_alive(struct auditd_conn *ac)
{
	struct auditd_conn	*loop;

	LIST_FOREACH(loop, &auditd_conns, entry) {
		if (loop == ac)
			return (1);
	}
	return (0);
}

/* The server went away, or the connection failed. */
static void
auditd_conn_event(__unused struct bufferevent *bev, short what, void *arg)
{
	struct auditd_conn	*ac = arg;

	if (what & (EVBUFFER_EOF|EVBUFFER_ERROR)) {
		auditd_log(LOG_INFO, "server %s (%s) went away%s", ac->name,
		    ac->user != NULL ? ac->user : "?",
		    ac->segfd != -1 ? " with a segment open" : "");
		auditd_conn_free(ac);
	}
}

/* Close every connection (the collector is stopping). */
void
auditd_close_all(void)
{
	struct auditd_conn	*ac, *ac1;

	LIST_FOREACH_SAFE(ac, &auditd_conns, entry, ac1) {
		if (ac->segfd != -1)
			fdatasync(ac->segfd);
		auditd_conn_free(ac);
	}
}
