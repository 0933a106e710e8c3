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

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The store: where every record ends up. A record ended here is kept in
 * the pending buffer (while the configuration loads, until the log is
 * known to be on), sent to syslog, sealed on a timer or when its epoch is
 * full, and written out to the segment files (audit-segment.c), or sent
 * to the collector (audit-link.c), rotated by size and age.
 *
 * When a write fails (disk full, I/O error), the segment file has been
 * removed or the collector cannot be reached, the records stay in memory
 * and writing is retried every second.
 * With audit-log-fail closed, panes are held while that lasts: no pane is
 * read and nothing is written into a pane, so nothing reaches a screen or
 * a program that is not on disk, and memory stays bounded because nothing
 * new is produced. With audit-log-fail open, the server goes on; records
 * past AUDIT_FAIL_OPEN_MAX are dropped and counted, and a gap record says
 * what was lost once writing works again.
 *
 * Hashing and writing are kept off the server loop while all is well: the
 * pending records are handed, whole, to the writer thread (audit-writer.c),
 * which chains them and writes them while the loop goes on encoding the
 * next ones into a fresh buffer. Records are chained only in the order
 * they go into the file, either by that thread or, when the loop needs the
 * chain (to seal) or must know the records are on disk (sync, rotation,
 * failure, exit), by the loop itself after waiting for the thread to be
 * idle. The chain is the store's and is touched by the loop only then.
 */

/*
 * Records are written out when this much is pending, or at the latest
 * AUDIT_FLUSH_MS after the first of them (every loop pass with
 * audit-log-sync always): a few large writes instead of one per read.
 */
#define AUDIT_FLUSH_SIZE (64 * 1024)
#define AUDIT_FLUSH_MS 50

/* Records kept while the configuration is loading, at most. */
#define AUDIT_HOLD_MAX (1024 * 1024)

/* Records held in memory while failing open, at most. */
#define AUDIT_FAIL_OPEN_MAX (8 * 1024 * 1024)

/* Records held in memory while failing closed, at most: then exit. */
#define AUDIT_FAIL_CLOSED_MAX (64 * 1024 * 1024)

/* While the writer is busy, records pending beyond this make the loop wait. */
#define AUDIT_WRITER_MAX (4 * 1024 * 1024)

static struct audit_chain audit_chain;
static u_int		 audit_epoch_count;	/* records made since a seal */
static size_t		 audit_hashed;		/* of pending, already chained */
static size_t		 audit_inflight;	/* bytes with the writer */
static size_t		 audit_head_written;	/* of pending's first record */
static int		 audit_closing;		/* final seal not yet written */

static struct event	 audit_seal_ev;
static struct event	 audit_retry_ev;
static struct event	 audit_age_ev;
static struct event	 audit_flush_ev;

static char		*audit_error;
static uint64_t		 audit_error_start;
static int		 audit_blocked;

static struct audit_gap	 audit_gap;
static int		 audit_dropping;

static void	audit_store_rotate(const char *);
static void	audit_store_fail(const char *);
static void	audit_store_hold(int);
static int	audit_store_drop(void);

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

/* May a seal be written now? Only into an open segment. */
int
audit_store_open_file(void)
{
	return (audit_segment_active() && !audit_closing);
}

/* How many whole records b holds. */
static u_int
audit_store_count(const struct audit_buf *b)
{
	size_t	off = 0;
	u_int	n = 0;

	while (off + 4 <= b->len) {
		off += (size_t)audit_get32(b->data + off) + 4;
		n++;
	}
	return (n);
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

/*
 * Take back a job the writer has finished. If a write failed, what was not
 * written goes back to the front of pending (as whole records, with the
 * bytes of the first already in the file), as if the loop had written it.
 */
static void
audit_store_collect(void)
{
	struct audit_job	*j = audit_writer_job();
	struct audit_buf	 rest;
	size_t			 done, off;
	char			*why;

	if (j->link) {
		/* Sent or not, the link keeps them until stored. */
		audit_segment_wrote(j->buf.len - j->start);
		audit_inflight = 0;
		j->buf.len = 0;
		if (j->error != 0) {
			audit_link_send_failed(j->error);
			audit_store_fail(audit_link_failed());
		}
		return;
	}
	audit_segment_wrote(j->written);
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

	xasprintf(&why, "%s: %s", audit_segment_path(), strerror(j->error));
	audit_store_fail(why);
	free(why);
	if (audit_blocked && audit_pending.len > AUDIT_FAIL_CLOSED_MAX)
		fatalx("audit log: %zu bytes cannot be written",
		    audit_pending.len);
}

/* Is the writer free (waiting for it if wait)? Take back a finished job. */
static int
audit_store_poll(int wait)
{
	int	finished;

	if (!audit_writer_poll(wait, &finished))
		return (0);
	if (finished)
		audit_store_collect();
	return (1);
}

/*
 * Chain the pending records not chained yet, after those the writer had:
 * before a seal, and before the loop writes them itself.
 */
static void
audit_store_chain(void)
{
	size_t	len;

	audit_store_poll(1);
	while (audit_hashed + 4 <= audit_pending.len) {
		len = (size_t)audit_get32(audit_pending.data + audit_hashed) +
		    4;
		audit_chain_add(&audit_chain, audit_pending.data +
		    audit_hashed, len);
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
	struct audit_job	*j = audit_writer_job();
	struct audit_buf	 spare;

	if (audit_pending.len <= audit_head_written)
		return;
	if (!audit_store_poll(0)) {
		if (audit_pending.len < AUDIT_WRITER_MAX)
			return;
		audit_store_poll(1);
	}
	if (audit_error != NULL || !audit_segment_active() || audit_closing)
		return;
	if (audit_segment_is_link() && audit_link_failed() != NULL)
		return;		/* audit_store_loop deals with it */
	if (audit_segment_removed()) {
		audit_flush();	/* put the file back first */
		return;
	}

	spare = j->buf;
	j->buf = audit_pending;
	j->hashed = audit_hashed;
	j->start = audit_head_written;
	j->fd = audit_segment_fd();
	j->link = audit_segment_is_link();
	j->chain = &audit_chain;
	audit_segment_sending(j->buf.data + j->start, j->buf.len - j->start);
	audit_pending = spare;
	audit_hashed = 0;
	audit_head_written = 0;
	audit_inflight = j->buf.len - j->start;
	audit_writer_queue();
}

/*
 * Seal: sign everything since the last seal. The store is the only place
 * seals are made: it chains what comes before, has the seal written, and
 * chains the seal, which starts the next epoch.
 */
static void
audit_store_seal(int final)
{
	if (!audit_seal_ready())
		return;
	audit_store_chain();
	audit_seal_write(&audit_chain, audit_current_segment(), final);
	audit_epoch_count = 1;
	audit_store_chain();
	audit_seal_chained(&audit_chain);
	audit_syslog_record(&audit_pending, &audit_pending_view);
}

/* Seal now, so a verification covers everything logged so far. */
void
audit_seal_now(void)
{
	if (audit_store_open_file())
		audit_store_seal(0);
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
	audit_store_seal(0);
	audit_flush();
	if (audit_error != NULL || audit_segment_sync() != 0)
		return (-1);
	audit_syslog_flush();
	return (0);
}

/*
 * Finish a record begun with audit_begin. While the log is on it goes to
 * syslog and may make a seal due; while holding, it is dropped if the hold
 * buffer is full.
 */
void
audit_end(size_t start)
{
	audit_rec_end(&audit_pending, start);
	if (audit_is_on()) {
		if (audit_store_drop()) {
			audit_pending.len = start;
			audit_seq--;
			return;
		}
		audit_epoch_count++;
		audit_syslog_record(&audit_pending, &audit_pending_view);
		if (audit_epoch_count >= AUDIT_EPOCH_MAX - 1 &&
		    audit_store_open_file())
			audit_store_seal(0);
		return;
	}
	if (audit_is_holding()) {
		if (audit_pending.len > AUDIT_HOLD_MAX) {
			audit_pending.len = start;
			audit_seq--;
			audit_dropped++;
			return;
		}
		audit_syslog_hold(&audit_pending, &audit_pending_view);
	}
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
 * Make the next segment. Records pending were chained for no file yet:
 * the new one's chain starts with its header and they go into it.
 */
static int
audit_store_segment(char **cause)
{
	uint64_t	seq;

	audit_store_poll(1);
	/* The segment record carries the sequence of the next record. */
	if (audit_pending.len != 0)
		seq = audit_get64(audit_pending.data + 6);
	else
		seq = audit_seq;
	if (audit_segment_create(seq, &audit_chain, cause) != 0)
		return (-1);
	audit_hashed = 0;
	audit_epoch_count = 1;		/* the segment record */
	audit_store_age_timer();
	return (0);
}

/* Seal on a timer, also when nothing happened, so quiet times are covered. */
static void
audit_store_seal_cb(__unused int fd, __unused short events,
    __unused void *data)
{
	struct timeval	tv;

	if (audit_store_open_file())
		audit_store_seal(0);
	audit_flush();
	/* The collector syncs each seal itself before it acknowledges it. */
	if (audit_error == NULL && !audit_segment_is_link())
		audit_segment_sync();
	tv.tv_sec = options_get_number(global_options,
	    "audit-log-seal-interval");
	tv.tv_usec = 0;
	evtimer_add(&audit_seal_ev, &tv);
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

/*
 * Open the log (its directory or collector already set, audit-segment.c):
 * its first segment, sealed at once.
 */
int
audit_store_open(char **cause)
{
	if (audit_store_segment(cause) != 0)
		return (-1);
	audit_store_seal(0);
	audit_store_seal_timer();
	return (0);
}

/*
 * The log cannot be opened, but audit-log-fail is closed: keep the records,
 * hold the panes and open the first segment when it can be done.
 */
void
audit_store_open_later(const char *why)
{
	audit_store_fail(why);
	audit_store_seal_timer();
}

/*
 * Close the current segment file: read-only once complete, that is with
 * everything (its closing seal last) written.
 */
static void
audit_store_close_file(void)
{
	audit_store_poll(1);
	audit_segment_close(audit_pending.len == 0);
	audit_head_written = 0;
	audit_hashed = 0;
}

/* Close the log: a final seal, then the file. */
void
audit_store_close(void)
{
	char	*msg;
	u_int	 n;

	if (audit_segment_active() && !audit_closing)
		audit_store_seal(1);
	audit_closing = 1;
	audit_flush();
	audit_closing = 0;
	audit_store_close_file();
	if (audit_error != NULL && audit_pending.len != 0) {
		/*
		 * They cannot go into the next log: they are chained and
		 * sealed (the closing seal among them) for this one. They are
		 * counted in the next log-start record's dropped.
		 */
		n = audit_store_count(&audit_pending);
		audit_dropped += n;
		xasprintf(&msg, "audit log closed with %u records not written "
		    "(lost): %s", n, audit_error);
		audit_warn(msg);
		audit_syslog_incident(msg);
		free(msg);
		audit_pending.len = 0;
	}
	audit_segment_forget_dir();
	if (event_initialized(&audit_seal_ev))
		evtimer_del(&audit_seal_ev);
	if (event_initialized(&audit_retry_ev))
		evtimer_del(&audit_retry_ev);
	if (event_initialized(&audit_age_ev))
		evtimer_del(&audit_age_ev);

	/* The log is closed: nothing is held for it any more. */
	if (audit_error != NULL) {
		free(audit_error);
		audit_error = NULL;
		if (audit_blocked)
			audit_store_hold(0);
		audit_dropping = 0;
		audit_gap_clear(&audit_gap);
	}
}

/* Open the next segment after the current one was closed. */
static void
audit_store_next(void)
{
	char	*cause = NULL;

	if (audit_store_segment(&cause) != 0) {
		audit_store_fail(cause);
		free(cause);
	} else
		audit_store_seal(0);
}

/*
 * Start the next segment: a closing seal for this one, then, once that is
 * on disk, the next (from audit_store_loop if writing has to wait).
 */
static void
audit_store_rotate(const char *why)
{
	log_debug("%s: %s", __func__, why);
	audit_store_seal(1);
	audit_closing = 1;
	audit_flush();
	if (audit_closing || audit_segment_active())
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
	if (!audit_segment_active() && audit_segment_configured()) {
		if (audit_store_segment(&cause) == 0)
			audit_store_seal(0);
		else {
			log_debug("%s: %s", __func__, cause);
			free(cause);
		}
	}
	audit_flush();
	if (audit_error != NULL)
		evtimer_add(&audit_retry_ev, &tv);
}

/* The log cannot be written: start an incident (once). */
static void
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

	audit_dropping = 0;
	start = audit_begin(AUDIT_GAP);
	audit_rec_str(b, AUDIT_F_REASON, audit_error);
	audit_rec_uint(b, AUDIT_F_START_TIME, audit_error_start);
	audit_rec_uint(b, AUDIT_F_END_TIME, audit_now());
	audit_gap_fields(&audit_gap, b);
	audit_end(start);
	audit_gap_clear(&audit_gap);
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
 * Should the record just ended be dropped? Only while failing open with
 * the memory cap reached; it is counted for the gap record instead.
 */
static int
audit_store_drop(void)
{
	struct audit_record	*r;

	if (audit_blocked && audit_pending.len > AUDIT_FAIL_CLOSED_MAX)
		fatalx("audit log: %zu bytes cannot be written",
		    audit_pending.len);
	if (audit_error == NULL || audit_blocked)
		return (0);
	/* Once dropping has started, drop everything until the gap record. */
	if (!audit_dropping && audit_pending.len < AUDIT_FAIL_OPEN_MAX)
		return (0);
	audit_dropping = 1;

	r = xmalloc(sizeof *r);
	if (audit_view_record(&audit_pending, &audit_pending_view, r) == 0)
		audit_gap_count(&audit_gap, r);
	else
		audit_gap.records++;
	free(r);
	return (1);
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
	char	*cause = NULL, *why;
	size_t	 done;

	if (!audit_segment_active() || getpid() != audit_pid)
		return;		/* a forked child never writes */
	audit_store_chain();	/* the writer idle, all pending chained */

	/* The collector gone: connect again, and it gets what it lacks. */
	if (audit_segment_relink(&cause) != 0) {
		audit_store_fail(cause);
		free(cause);
		return;
	}

	/* A removed segment file: put it back before writing more. */
	if (audit_segment_removed()) {
		if (audit_segment_restore(&cause) != 0) {
			xasprintf(&why, "%s was removed and cannot be put "
			    "back: %s", audit_segment_path(), cause);
			free(cause);
			audit_store_fail(why);
			free(why);
			return;
		}
		if (audit_error == NULL) {
			xasprintf(&why, "%s was removed", audit_segment_path());
			audit_store_fail(why);
			free(why);
		}
	}

	if (audit_pending.len > audit_head_written) {
		done = audit_segment_write(
		    audit_pending.data + audit_head_written,
		    audit_pending.len - audit_head_written, &cause);
		audit_segment_wrote(done);
		audit_store_written(done);
		if (cause != NULL) {
			if (audit_segment_is_link())
				why = xstrdup(cause);
			else
				xasprintf(&why, "%s: %s", audit_segment_path(),
				    cause);
			free(cause);
			audit_store_fail(why);
			free(why);
			if (audit_blocked &&
			    audit_pending.len > AUDIT_FAIL_CLOSED_MAX)
				fatalx("audit log: %zu bytes cannot be written",
				    audit_pending.len);
			return;
		}
		if (audit_log_sync == 2 && !audit_segment_is_link())
			audit_segment_sync();
	}
	if (audit_closing) {
		audit_closing = 0;
		audit_store_close_file();
	}
	/*
	 * Sent again to the collector is not yet stored: it may refuse it
	 * again (its disk still full). Recover only once it has said so.
	 */
	if (audit_error != NULL && audit_segment_is_link() &&
	    audit_segment_sync() != 0)
		return;
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

	if (!audit_segment_active()) {
		if (audit_segment_configured() && audit_error == NULL)
			audit_store_next();
		return;
	}
	audit_store_poll(0);
	if (audit_error == NULL && audit_segment_is_link() &&
	    audit_link_failed() != NULL) {
		audit_store_poll(1);
		audit_store_fail(audit_link_failed());
	}
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
	if (audit_error != NULL || !audit_segment_active())
		return;
	max_size = audit_log_max_size;
	max_age = audit_log_max_age;
	if (max_size != 0 && audit_segment_bytes() + audit_inflight +
	    audit_pending.len >= (uint64_t)max_size)
		audit_store_rotate("size");
	else if (max_age != 0 &&
	    time(NULL) - audit_segment_opened() >= max_age)
		audit_store_rotate("age");
}
