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
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Segment files: opening, writing, sealing on a timer, rotation, syncing,
 * and what happens when the log cannot be written.
 *
 * Records are encoded into audit_pending as they happen and written out
 * from the server loop. When a write fails (disk full, I/O error) or the
 * segment file has been removed, the records stay in memory and writing is
 * retried every second. With audit-log-fail closed, panes are held while
 * that lasts: no pane is read and nothing is written into a pane, so
 * nothing reaches a screen or a program that is not on disk, and memory
 * stays bounded because nothing new is produced. With audit-log-fail open,
 * the server goes on; records past AUDIT_FAIL_OPEN_MAX are dropped and
 * counted, and a gap record says what was lost once writing works again.
 *
 * Hashing and writing are kept off the server loop while all is well: the
 * pending records are handed, whole, to a writer thread, which chains them
 * (audit_chain_add) and writes them while the loop goes on encoding the
 * next ones into a fresh buffer. Records are chained only here, in the
 * order they go into the file, either by that thread or, when the loop
 * needs the chain (to seal) or must know the records are on disk (sync,
 * rotation, failure, exit), by the loop itself after waiting for the
 * thread to be idle. The thread touches nothing but its job and the chain;
 * the loop touches the chain only while the thread is idle.
 */

/*
 * Records are written out when this much is pending, or at the latest
 * AUDIT_FLUSH_MS after the first of them (every loop pass with
 * audit-log-sync always): a few large writes instead of one per read.
 */
#define AUDIT_FLUSH_SIZE (64 * 1024)
#define AUDIT_FLUSH_MS 50

/* Records held in memory while failing open, at most. */
#define AUDIT_FAIL_OPEN_MAX (8 * 1024 * 1024)

/* Records held in memory while failing closed, at most: then exit. */
#define AUDIT_FAIL_CLOSED_MAX (64 * 1024 * 1024)

/* While the writer is busy, records pending beyond this make the loop wait. */
#define AUDIT_WRITER_MAX (4 * 1024 * 1024)

/* A batch of records for the writer thread, and what became of it. */
struct audit_job {
	struct audit_buf	 buf;		/* whole records */
	size_t			 hashed;	/* bytes already chained */
	size_t			 start;		/* bytes already written */
	int			 fd;

	size_t			 written;	/* from start */
	int			 error;		/* errno, or 0 */
};

/*
 * The hand-off, one wake a batch: the loop queues a job (an atomic store of
 * the state) and posts the writer's semaphore; the writer marks the job
 * done with an atomic store and posts back only if the loop is waiting for
 * it. Neither side takes a lock, so a busy loop and a busy writer never
 * contend. Both state and the waiting flag are sequentially consistent:
 * whichever of the two stores comes first, the other side sees it.
 */
static pthread_t	 audit_writer;
static int		 audit_writer_started;
static sem_t		 audit_job_sem;		/* a job is queued */
static sem_t		 audit_done_sem;	/* the loop may look again */
static struct audit_job	 audit_job;
static int		 audit_job_state;	/* atomic */
static int		 audit_loop_waiting;	/* atomic */
#define AUDIT_JOB_IDLE 0
#define AUDIT_JOB_QUEUED 1
#define AUDIT_JOB_DONE 2
static size_t		 audit_hashed;		/* of pending, already chained */
static size_t		 audit_inflight;	/* bytes with the writer */

/* Bytes lost per pane (or popup) while failing open. */
struct audit_gap_pane {
	int		 popup;		/* pane is a popup's number */
	u_int		 pane;
	uint64_t	 input;
	uint64_t	 output;
};

static int		 audit_fd = -1;
static int		 audit_dirfd = -1;	/* audit_dir, as checked */
static char		*audit_dir;
static char		*audit_path;
static char		**audit_paths;
static u_int		 audit_npaths;
static u_int		 audit_segment;
static uint64_t		 audit_seg_bytes;
static time_t		 audit_seg_opened;
static size_t		 audit_head_written;	/* of pending's first record */
static int		 audit_closing;		/* final seal not yet written */

static struct event	 audit_seal_ev;
static struct event	 audit_retry_ev;
static struct event	 audit_age_ev;
static struct event	 audit_flush_ev;

static char		*audit_error;
static uint64_t		 audit_error_start;
static int		 audit_blocked;

static uint64_t		 audit_gap_records;
static int		 audit_dropping;
static struct audit_gap_pane *audit_gap_panes;
static u_int		 audit_gap_npanes;

static void	audit_store_rotate(const char *);

/* The directory the log is in, or NULL. */
const char *
audit_current_dir(void)
{
	return (audit_dir);
}

/* The segments this server has written. */
char **
audit_current_files(u_int *n)
{
	*n = audit_npaths;
	return (audit_paths);
}

u_int
audit_current_segment(void)
{
	return (audit_segment);
}

/* Seal now, so a verification covers everything logged so far. */
void
audit_seal_now(void)
{
	if (audit_store_open_file())
		audit_seal(0);
}

/*
 * Seal now and put the seal on disk, and to the syslog witness, before
 * returning. Returns -1 if it could not be written.
 */
int
audit_store_seal_sync(void)
{
	if (!audit_store_open_file() || audit_error != NULL)
		return (-1);
	audit_seal(0);
	audit_flush();
	if (audit_error != NULL)
		return (-1);
	if (audit_log_sync != 0)
		fdatasync(audit_fd);
	audit_syslog_flush();
	return (0);
}

/* Are panes held because the log cannot be written (fail closed)? */
int
audit_store_blocked(void)
{
	return (audit_blocked);
}

/* Why the log cannot be written, or NULL. */
const char *
audit_store_error(void)
{
	return (audit_error);
}

/* How many of the first n bytes of b are whole records. */
static size_t
audit_store_whole(const struct audit_buf *b, size_t n)
{
	size_t	off = 0, len;

	while (off + 4 <= b->len) {
		len = (size_t)audit_get32(b->data + off) + 4;
		if (off + len > n)
			break;
		off += len;
	}
	return (off);
}

/* The writer thread: chain and write each job it is given. */
static void *
audit_writer_main(__unused void *arg)
{
	struct audit_job	*j = &audit_job;
	size_t			 off, len, left;
	ssize_t			 n;

	for (;;) {
		while (__atomic_load_n(&audit_job_state, __ATOMIC_SEQ_CST) !=
		    AUDIT_JOB_QUEUED)
			sem_wait(&audit_job_sem);

		for (off = j->hashed; off + 4 <= j->buf.len; off += len) {
			len = (size_t)audit_get32(j->buf.data + off) + 4;
			audit_chain_add(j->buf.data + off, len);
		}
		j->written = 0;
		j->error = 0;
		while ((left = j->buf.len - j->start - j->written) != 0) {
			n = write(j->fd, j->buf.data + j->start + j->written,
			    left);
			if (n == -1) {
				if (errno == EINTR)
					continue;
				j->error = errno;
				break;
			}
			j->written += n;
		}

		__atomic_store_n(&audit_job_state, AUDIT_JOB_DONE,
		    __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&audit_loop_waiting, __ATOMIC_SEQ_CST))
			sem_post(&audit_done_sem);
	}
	return (NULL);
}

/* Start the writer thread, with every signal blocked in it. */
static void
audit_writer_start(void)
{
	sigset_t	set, old;
	int		error;

	if (sem_init(&audit_job_sem, 0, 0) != 0 ||
	    sem_init(&audit_done_sem, 0, 0) != 0)
		fatal("sem_init");
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	error = pthread_create(&audit_writer, NULL, audit_writer_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error != 0)
		fatalx("pthread_create: %s", strerror(error));
	audit_writer_started = 1;
}

/*
 * Take back a job the writer has finished. If a write failed, what was not
 * written goes back to the front of pending (as whole records, with the
 * bytes of the first already in the file), as if the loop had written it.
 */
static void
audit_store_collect(void)
{
	struct audit_job	*j = &audit_job;
	struct audit_buf	 rest;
	size_t			 done, off;
	char			*why;

	audit_seg_bytes += j->written;
	audit_inflight = 0;
	if (j->error == 0) {
		j->buf.len = 0;		/* kept for the next swap */
		return;
	}

	done = j->start + j->written;
	off = audit_store_whole(&j->buf, done);
	audit_buf_init(&rest);
	audit_buf_add(&rest, j->buf.data + off, j->buf.len - off);
	audit_buf_add(&rest, audit_pending.data, audit_pending.len);
	audit_hashed += j->buf.len - off;	/* the writer chained it all */
	audit_head_written = done - off;
	audit_buf_free(&audit_pending);
	audit_pending = rest;
	j->buf.len = 0;

	xasprintf(&why, "%s: %s", audit_path, strerror(j->error));
	audit_store_fail(why);
	free(why);
	if (audit_blocked && audit_pending.len > AUDIT_FAIL_CLOSED_MAX)
		fatalx("audit log: %zu bytes cannot be written",
		    audit_pending.len);
}

/* Has the writer no job? Take back a finished one. */
static int
audit_store_poll(int wait)
{
	int	state, done;

	if (!audit_writer_started)
		return (1);
	state = __atomic_load_n(&audit_job_state, __ATOMIC_SEQ_CST);
	if (state == AUDIT_JOB_QUEUED) {
		if (!wait)
			return (0);
		__atomic_store_n(&audit_loop_waiting, 1, __ATOMIC_SEQ_CST);
		while ((state = __atomic_load_n(&audit_job_state,
		    __ATOMIC_SEQ_CST)) == AUDIT_JOB_QUEUED) {
			while (sem_wait(&audit_done_sem) != 0 && errno == EINTR)
				/* nothing */;
		}
		__atomic_store_n(&audit_loop_waiting, 0, __ATOMIC_SEQ_CST);
	}
	done = (state == AUDIT_JOB_DONE);
	__atomic_store_n(&audit_job_state, AUDIT_JOB_IDLE, __ATOMIC_RELAXED);
	if (done)
		audit_store_collect();
	return (1);
}

/* Wait until the writer is idle: then the chain and the file are ours. */
static void
audit_store_wait(void)
{
	audit_store_poll(1);
}

/*
 * Chain the pending records not chained yet, after those the writer had:
 * before a seal, and before the loop writes them itself.
 */
void
audit_store_chain(void)
{
	size_t	len;

	audit_store_wait();
	while (audit_hashed + 4 <= audit_pending.len) {
		len = (size_t)audit_get32(audit_pending.data + audit_hashed) +
		    4;
		audit_chain_add(audit_pending.data + audit_hashed, len);
		audit_hashed += len;
	}
}

/*
 * Hand the pending records to the writer, if it is free, and go on; if it
 * is busy, leave them pending unless there are too many.
 */
static void
audit_store_kick(void)
{
	struct audit_buf	spare;
	struct stat		sb;

	if (audit_pending.len <= audit_head_written)
		return;
	if (!audit_store_poll(0)) {
		if (audit_pending.len < AUDIT_WRITER_MAX)
			return;
		audit_store_wait();
	}
	if (audit_error != NULL || audit_fd == -1 || audit_closing)
		return;
	if (fstat(audit_fd, &sb) == 0 && sb.st_nlink == 0) {
		audit_flush();	/* put the file back first */
		return;
	}
	if (!audit_writer_started)
		audit_writer_start();

	spare = audit_job.buf;
	audit_job.buf = audit_pending;
	audit_job.hashed = audit_hashed;
	audit_job.start = audit_head_written;
	audit_job.fd = audit_fd;
	audit_pending = spare;
	audit_hashed = 0;
	audit_head_written = 0;
	audit_inflight = audit_job.buf.len - audit_job.start;

	__atomic_store_n(&audit_job_state, AUDIT_JOB_QUEUED, __ATOMIC_SEQ_CST);
	sem_post(&audit_job_sem);
}

/* Write the header and segment record of a new segment file. */
static int
audit_store_header(int fd, char **cause)
{
	struct audit_buf	 b;
	u_char			 hdr[AUDIT_HEADER_LEN];
	size_t			 start;
	uint64_t		 seq;
	int			 retval = 0;

	memcpy(hdr, AUDIT_MAGIC, AUDIT_MAGIC_LEN);
	hdr[AUDIT_MAGIC_LEN] = AUDIT_FORMAT;

	audit_buf_init(&b);
	audit_buf_add(&b, hdr, sizeof hdr);

	/* The segment record carries the sequence of the next record. */
	if (audit_pending.len != 0)
		seq = audit_get64(audit_pending.data + 6);
	else
		seq = audit_seq;
	start = audit_rec_begin(&b, AUDIT_SEGMENT, seq, audit_now());
	audit_rec_uint(&b, AUDIT_F_FORMAT, AUDIT_FORMAT);
	audit_rec_bytes(&b, AUDIT_F_RUN, audit_run, sizeof audit_run);
	audit_rec_uint(&b, AUDIT_F_SEGMENT, audit_segment);
	audit_add_server(&b);
	audit_seal_segment_fields(&b, audit_segment == 1);
	audit_rec_end(&b, start);
	if (audit_file_write(fd, b.data, b.len, cause) != b.len)
		retval = -1;
	else {
		audit_chain_begin(b.data);
		audit_chain_add(b.data + start, b.len - start);
		audit_hashed = 0;	/* pending goes into this chain now */
		audit_seg_bytes = b.len;
	}
	audit_buf_free(&b);
	return (retval);
}

/*
 * A quiet server does not loop: a timer makes sure a segment is rotated
 * when it reaches audit-log-max-age.
 */
static void
audit_store_age_cb(__unused int fd, __unused short events,
    __unused void *data)
{
	audit_store_loop();
}

static void
audit_store_age_timer(void)
{
	struct timeval	tv = { .tv_sec = 0 };

	if (!event_initialized(&audit_age_ev))
		evtimer_set(&audit_age_ev, audit_store_age_cb, NULL);
	evtimer_del(&audit_age_ev);
	tv.tv_sec = options_get_number(global_options, "audit-log-max-age");
	if (tv.tv_sec != 0)
		evtimer_add(&audit_age_ev, &tv);
}

/*
 * Make sure audit_dirfd is the log directory dir, checked: the one already
 * open if it is still at that path and safe, or dir opened (and made if
 * missing) again.
 */
static int
audit_store_dir(const char *dir, char **cause)
{
	int	fd;

	if (audit_dirfd != -1 && audit_dir != NULL &&
	    strcmp(dir, audit_dir) == 0 && audit_dir_same(audit_dirfd, dir))
		return (0);
	if ((fd = audit_dir_open(dir, 1, cause)) == -1)
		return (-1);
	if (audit_dirfd != -1)
		close(audit_dirfd);
	audit_dirfd = fd;
	if (audit_dir == NULL || strcmp(dir, audit_dir) != 0) {
		free(audit_dir);
		audit_dir = xstrdup(dir);
	}
	return (0);
}

/* Create the next segment file in dir (made if missing). */
static int
audit_store_segment(const char *dir, char **cause)
{
	char	*name, *path, *why;
	int	 fd;

	audit_store_wait();
	if (audit_store_dir(dir, cause) != 0)
		return (-1);
	name = audit_file_name(audit_host, audit_user, audit_start,
	    (long)audit_pid, audit_segment + 1);
	xasprintf(&path, "%s/%s", audit_dir, name);
	if ((fd = audit_file_create(audit_dirfd, name, path, cause)) == -1) {
		free(name);
		free(path);
		return (-1);
	}
	audit_segment++;
	if (audit_store_header(fd, &why) != 0) {
		audit_segment--;
		close(fd);
		unlinkat(audit_dirfd, name, 0);
		xasprintf(cause, "%s: %s", path, why);
		free(why);
		free(name);
		free(path);
		return (-1);
	}
	free(name);
	audit_paths = xreallocarray(audit_paths, audit_npaths + 1,
	    sizeof *audit_paths);
	audit_paths[audit_npaths++] = path;
	audit_path = path;
	audit_fd = fd;
	audit_seg_opened = time(NULL);
	audit_store_age_timer();
	log_debug("%s: writing %s", __func__, audit_path);
	return (0);
}

/* Seal on a timer, also when nothing happened, so quiet times are covered. */
static void
audit_store_seal_cb(__unused int fd, __unused short events,
    __unused void *data)
{
	struct timeval	tv;

	if (audit_store_open_file())
		audit_seal(0);
	audit_flush();
	if (audit_error == NULL && audit_fd != -1 &&
	    options_get_number(global_options, "audit-log-sync") != 0)
		fdatasync(audit_fd);
	tv.tv_sec = options_get_number(global_options,
	    "audit-log-seal-interval");
	tv.tv_usec = 0;
	evtimer_add(&audit_seal_ev, &tv);
}

/* Is a process alive (not gone, and not a zombie)? */
static int
audit_store_alive(pid_t pid)
{
	char	 path[64], buf[256], *p;
	FILE	*f;
	int	 alive = 1;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return (0);
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (1);
	if (fgets(buf, sizeof buf, f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'Z')
		alive = 0;
	fclose(f);
	return (alive);
}

/*
 * Note segments another run on this host left open: it ended without
 * closing its log (killed, crashed, power lost). Closed segments are made
 * read-only, so an open one is still writable; its server is gone if its
 * pid is.
 */
static void
audit_store_unclean(const char *dir)
{
	struct stat	 sb;
	char		**paths, *cause, *base, *end, *prefix;
	const char	*errstr;
	u_int		 n, i;
	long long	 pid;
	size_t		 start, plen;

	if (audit_list_dir(dir, &paths, &n, &cause) != 0) {
		free(cause);
		return;
	}
	base = audit_file_word(audit_host);
	xasprintf(&prefix, "%s_", base);
	free(base);
	plen = strlen(prefix);
	for (i = 0; i < n; i++) {
		base = strrchr(paths[i], '/') + 1;
		if (strncmp(base, prefix, plen) != 0 ||
		    stat(paths[i], &sb) != 0 || (~sb.st_mode & S_IWUSR) ||
		    sb.st_uid != getuid())
			continue;
		end = strrchr(base, '_');
		if (end == NULL)
			continue;
		*end = '\0';
		pid = strtonum(strrchr(base, '_') != NULL ?
		    strrchr(base, '_') + 1 : "", 1, INT_MAX, &errstr);
		*end = '_';
		if (errstr != NULL || pid == audit_pid ||
		    audit_store_alive((pid_t)pid))
			continue;
		start = audit_begin(AUDIT_UNCLEAN_END);
		audit_rec_str(&audit_pending, AUDIT_F_PATH, paths[i]);
		audit_rec_uint(&audit_pending, AUDIT_F_PID, pid);
		audit_end(start);

		/* Noted once: make it read-only like a closed segment. */
		chmod(paths[i], 0400);
	}
	free(prefix);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* (Re)start the seal timer. */
static void
audit_store_seal_timer(void)
{
	struct timeval	tv;

	if (!event_initialized(&audit_seal_ev))
		evtimer_set(&audit_seal_ev, audit_store_seal_cb, NULL);
	tv.tv_sec = options_get_number(global_options,
	    "audit-log-seal-interval");
	tv.tv_usec = 0;
	evtimer_del(&audit_seal_ev);
	evtimer_add(&audit_seal_ev, &tv);
}

/* Open the log in dir: its first segment, sealed at once. */
int
audit_store_open(const char *dir, char **cause)
{
	audit_store_unclean(dir);
	if (audit_store_segment(dir, cause) != 0)
		return (-1);
	audit_store_chain();
	audit_seal(0);
	audit_store_seal_timer();
	return (0);
}

/*
 * The log cannot be opened, but audit-log-fail is closed: keep the records,
 * hold the panes and open the first segment when it can be done.
 */
void
audit_store_open_later(const char *dir, const char *why)
{
	free(audit_dir);
	audit_dir = xstrdup(dir);
	audit_store_fail(why);
	audit_store_seal_timer();
}

/* Close the current segment file: read-only once complete. */
static void
audit_store_close_file(void)
{
	audit_store_wait();
	if (audit_fd == -1)
		return;
	if (audit_pending.len == 0 && audit_error == NULL) {
		if (options_get_number(global_options, "audit-log-sync") != 0)
			fdatasync(audit_fd);
		fchmod(audit_fd, 0400);
	}
	close(audit_fd);
	audit_fd = -1;
	audit_head_written = 0;
	audit_hashed = 0;
}

/* Close the log: a final seal, then the file. */
void
audit_store_close(void)
{
	if (audit_fd != -1 && !audit_closing)
		audit_seal(1);
	audit_closing = 1;
	audit_flush();
	audit_closing = 0;
	audit_store_close_file();
	free(audit_dir);
	audit_dir = NULL;
	if (audit_dirfd != -1)
		close(audit_dirfd);
	audit_dirfd = -1;
	if (event_initialized(&audit_seal_ev))
		evtimer_del(&audit_seal_ev);
	if (event_initialized(&audit_retry_ev))
		evtimer_del(&audit_retry_ev);
	if (event_initialized(&audit_age_ev))
		evtimer_del(&audit_age_ev);
}

/*
 * Open the next segment after the current one was closed. Records pending
 * were chained for no file yet: chain them into the new one.
 */
static void
audit_store_next(void)
{
	char	*cause = NULL, *dir;

	dir = xstrdup(audit_dir);
	if (audit_store_segment(dir, &cause) != 0) {
		audit_store_fail(cause);
		free(cause);
	} else {
		audit_store_chain();
		audit_seal(0);
	}
	free(dir);
}

/*
 * Start the next segment: a closing seal for this one, then, once that is
 * on disk, the next (from audit_store_loop if writing has to wait).
 */
static void
audit_store_rotate(const char *why)
{
	log_debug("%s: %s", __func__, why);
	audit_seal(1);
	audit_closing = 1;
	audit_flush();
	if (audit_closing || audit_fd != -1)
		return;
	audit_store_next();
}

/* Hold or release every pane (fail closed). */
static void
audit_store_hold(int hold)
{
	struct window_pane	*wp;

	audit_blocked = hold;
	RB_FOREACH(wp, window_pane_tree, &all_window_panes) {
		if (wp->event == NULL || wp->fd == -1)
			continue;
		if (hold)
			bufferevent_disable(wp->event, EV_READ|EV_WRITE);
		else
			bufferevent_enable(wp->event, EV_READ|EV_WRITE);
	}
}

/* Called for each pane every loop: is it held? */
int
audit_pane_hold(struct window_pane *wp)
{
	if (!audit_blocked)
		return (0);
	bufferevent_disable(wp->event, EV_WRITE);
	return (1);
}

static void
audit_store_retry_cb(__unused int fd, __unused short events,
    __unused void *data)
{
	struct timeval	 tv = { .tv_sec = 1 };
	char		*cause;

	if (audit_error == NULL)
		return;
	if (audit_fd == -1 && audit_dir != NULL) {
		if (audit_store_segment(audit_dir, &cause) == 0) {
			audit_store_chain();
			audit_seal(0);
		} else {
			log_debug("%s: %s", __func__, cause);
			free(cause);
		}
	}
	audit_flush();
	if (audit_error != NULL)
		evtimer_add(&audit_retry_ev, &tv);
}

/* The log cannot be written: start an incident (once). */
void
audit_store_fail(const char *why)
{
	struct timeval	 tv = { .tv_sec = 1 };
	int		 closed;
	char		*msg;

	if (audit_error != NULL)
		return;
	closed = options_get_number(global_options, "audit-log-fail");
	xasprintf(&audit_error, "%s", why);
	audit_error_start = audit_now();
	xasprintf(&msg, "audit log cannot be written: %s (%s)", why,
	    closed ? "sessions are held until it can" :
	    "sessions go on unaudited");
	audit_warn(msg);
	audit_syslog_incident(msg);
	free(msg);
	if (closed)
		audit_store_hold(1);

	if (!event_initialized(&audit_retry_ev))
		evtimer_set(&audit_retry_ev, audit_store_retry_cb, NULL);
	evtimer_del(&audit_retry_ev);
	evtimer_add(&audit_retry_ev, &tv);
}

/* Write a gap record for what was dropped while failing open. */
static void
audit_store_gap(void)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;
	u_int			 i;
	char			*s;

	audit_dropping = 0;
	start = audit_begin(AUDIT_GAP);
	audit_rec_str(b, AUDIT_F_REASON, audit_error);
	audit_rec_uint(b, AUDIT_F_START_TIME, audit_error_start);
	audit_rec_uint(b, AUDIT_F_END_TIME, audit_now());
	audit_rec_uint(b, AUDIT_F_RECORDS, audit_gap_records);
	for (i = 0; i < audit_gap_npanes; i++) {
		xasprintf(&s, "%s%u input=%llu output=%llu",
		    audit_gap_panes[i].popup ? "popup " : "%",
		    audit_gap_panes[i].pane,
		    (unsigned long long)audit_gap_panes[i].input,
		    (unsigned long long)audit_gap_panes[i].output);
		audit_rec_str(b, AUDIT_F_LOST, s);
		free(s);
	}
	audit_end(start);

	audit_gap_records = 0;
	free(audit_gap_panes);
	audit_gap_panes = NULL;
	audit_gap_npanes = 0;
}

/* Writing works again: end the incident. */
static void
audit_store_recover(void)
{
	char	*msg;

	audit_store_gap();
	xasprintf(&msg, "audit log: writing again after %llu seconds",
	    (unsigned long long)(audit_now() - audit_error_start) / 1000000);
	free(audit_error);
	audit_error = NULL;
	if (audit_blocked)
		audit_store_hold(0);
	audit_warn(msg);
	audit_syslog_incident(msg);
	free(msg);
	if (event_initialized(&audit_retry_ev))
		evtimer_del(&audit_retry_ev);
}

/*
 * Should a record just ended be dropped? Only while failing open with the
 * memory cap reached; it is counted for the gap record instead.
 */
int
audit_store_drop(const u_char *rec, size_t len)
{
	struct audit_record	*r;
	const struct audit_field *f;
	const char		*cause;
	uint64_t		 pane;
	u_int			 i;
	int			 popup;

	if (audit_blocked && audit_pending.len > AUDIT_FAIL_CLOSED_MAX)
		fatalx("audit log: %zu bytes cannot be written", audit_pending.len);
	if (audit_error == NULL || audit_blocked)
		return (0);
	/* Once dropping has started, drop everything until the gap record. */
	if (!audit_dropping && audit_pending.len < AUDIT_FAIL_OPEN_MAX)
		return (0);
	audit_dropping = 1;

	r = xmalloc(sizeof *r);
	if (audit_rec_parse(rec, len, r, &cause) == 0 &&
	    (r->type == AUDIT_INPUT || r->type == AUDIT_OUTPUT) &&
	    audit_rec_get_term(r, &pane, &popup) == 0) {
		for (i = 0; i < audit_gap_npanes; i++) {
			if (audit_gap_panes[i].popup == popup &&
			    audit_gap_panes[i].pane == pane)
				break;
		}
		if (i == audit_gap_npanes) {
			audit_gap_panes = xreallocarray(audit_gap_panes, i + 1,
			    sizeof *audit_gap_panes);
			memset(&audit_gap_panes[i], 0, sizeof *audit_gap_panes);
			audit_gap_panes[i].popup = popup;
			audit_gap_panes[i].pane = pane;
			audit_gap_npanes++;
		}
		f = audit_rec_find(r, AUDIT_F_DATA);
		if (r->type == AUDIT_INPUT)
			audit_gap_panes[i].input += f != NULL ? f->len : 0;
		else
			audit_gap_panes[i].output += f != NULL ? f->len : 0;
	}
	audit_gap_records++;
	free(r);
	return (1);
}

/*
 * A segment file has been removed while open. The server still holds it:
 * put it back, from the open file, so no record is lost and the chain goes
 * on in the same file.
 */
static int
audit_store_restore(char **cause)
{
	char		 proc[64], buf[65536];
	const char	*name;
	int		 rfd, nfd;
	ssize_t		 n;

	if (audit_store_dir(audit_dir, cause) != 0)
		return (-1);
	name = strrchr(audit_path, '/') + 1;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", audit_fd);
	if ((rfd = open(proc, O_RDONLY|O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", proc, strerror(errno));
		return (-1);
	}
	if ((nfd = audit_file_create(audit_dirfd, name, audit_path,
	    cause)) == -1) {
		close(rfd);
		return (-1);
	}
	while ((n = read(rfd, buf, sizeof buf)) > 0) {
		if (audit_file_write(nfd, buf, n, cause) != (size_t)n) {
			close(rfd);
			close(nfd);
			unlinkat(audit_dirfd, name, 0);
			return (-1);
		}
	}
	close(rfd);
	if (n == -1) {
		xasprintf(cause, "%s: %s", proc, strerror(errno));
		close(nfd);
		unlinkat(audit_dirfd, name, 0);
		return (-1);
	}
	close(audit_fd);
	audit_fd = nfd;
	log_debug("%s: restored %s", __func__, audit_path);
	return (0);
}

/* Drop what has been written from the front of pending: whole records. */
static void
audit_store_written(size_t n)
{
	size_t	off;

	n += audit_head_written;
	off = audit_store_whole(&audit_pending, n);
	audit_buf_consume(&audit_pending, off);
	audit_head_written = n - off;
	audit_hashed = (audit_hashed > off) ? audit_hashed - off : 0;
}

/* Write pending records. On failure keep them and try again later. */
void
audit_flush(void)
{
	struct stat	 sb;
	char		*cause = NULL, *why;
	size_t		 done;

	if (audit_fd == -1 || getpid() != audit_pid)
		return;		/* a forked child never writes */
	audit_store_chain();	/* the writer idle, all pending chained */

	/* A removed segment file: put it back before writing more. */
	if (fstat(audit_fd, &sb) == 0 && sb.st_nlink == 0) {
		if (audit_store_restore(&cause) != 0) {
			xasprintf(&why, "%s was removed and cannot be put "
			    "back: %s", audit_path, cause);
			free(cause);
			audit_store_fail(why);
			free(why);
			return;
		}
		if (audit_error == NULL) {
			xasprintf(&why, "%s was removed", audit_path);
			audit_store_fail(why);
			free(why);
		}
	}

	if (audit_pending.len > audit_head_written) {
		done = audit_file_write(audit_fd,
		    audit_pending.data + audit_head_written,
		    audit_pending.len - audit_head_written, &cause);
		audit_seg_bytes += done;
		audit_store_written(done);
		if (cause != NULL) {
			xasprintf(&why, "%s: %s", audit_path, cause);
			free(cause);
			audit_store_fail(why);
			free(why);
			if (audit_blocked &&
			    audit_pending.len > AUDIT_FAIL_CLOSED_MAX)
				fatalx("audit log: %zu bytes cannot be written",
				    audit_pending.len);
			return;
		}
		if (audit_log_sync == 2)
			fdatasync(audit_fd);
	}
	if (audit_closing) {
		audit_closing = 0;
		audit_store_close_file();
	}
	if (audit_error != NULL)
		audit_store_recover();
}

static void
audit_store_flush_cb(__unused int fd, __unused short events,
    __unused void *data)
{
	audit_store_kick();
	audit_store_loop();
}

/* Called every pass of the server loop: write, and rotate when due. */
void
audit_store_loop(void)
{
	struct timeval	tv = { .tv_usec = AUDIT_FLUSH_MS * 1000 };
	long long	max_size, max_age;

	if (audit_fd == -1) {
		if (audit_dir != NULL && audit_error == NULL)
			audit_store_next();
		return;
	}
	audit_store_poll(0);
	if (audit_error != NULL || audit_log_sync == 2)
		audit_flush();
	else if (audit_pending.len >= AUDIT_FLUSH_SIZE)
		audit_store_kick();
	if (audit_pending.len != 0 && audit_error == NULL) {
		if (!event_initialized(&audit_flush_ev))
			evtimer_set(&audit_flush_ev, audit_store_flush_cb, NULL);
		if (!evtimer_pending(&audit_flush_ev, NULL))
			evtimer_add(&audit_flush_ev, &tv);
	}
	if (audit_error != NULL || audit_fd == -1)
		return;
	max_size = audit_log_max_size;
	max_age = audit_log_max_age;
	if (max_size != 0 && audit_seg_bytes + audit_inflight +
	    audit_pending.len >= (uint64_t)max_size)
		audit_store_rotate("size");
	else if (max_age != 0 && time(NULL) - audit_seg_opened >= max_age)
		audit_store_rotate("age");
}

/* May a seal be written now? Only into an open segment. */
int
audit_store_open_file(void)
{
	return (audit_fd != -1 && !audit_closing);
}
