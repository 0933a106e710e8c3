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
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The writer thread: it chains and writes a batch of whole records (a
 * job) while the server loop goes on encoding the next ones. It touches
 * nothing but its job and the chain the job names; the loop touches them
 * only while no job is queued. What became of a job (how much was written,
 * an error) is for the store to act on.
 *
 * The hand-off, one wake a batch: the loop queues a job (an atomic store of
 * the state) and posts the writer's semaphore; the writer marks the job
 * done with an atomic store and posts back only if the loop is waiting for
 * it. Neither side takes a lock, so a busy loop and a busy writer never
 * contend. Both state and the waiting flag are sequentially consistent:
 * whichever of the two stores comes first, the other side sees it.
 */

#define AUDIT_JOB_IDLE 0
#define AUDIT_JOB_QUEUED 1
#define AUDIT_JOB_DONE 2

static pthread_t	 audit_writer;
static int		 audit_writer_started;
static sem_t		 audit_job_sem;		/* a job is queued */
static sem_t		 audit_done_sem;	/* the loop may look again */
static struct audit_job	 audit_job;
static int		 audit_job_state;	/* atomic */
static int		 audit_loop_waiting;	/* atomic */

/* The one job: filled by the store while no job is queued. */
struct audit_job *
audit_writer_job(void)
{
	return (&audit_job);
}

/* Chain and write each job queued. */
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
			audit_chain_add(j->chain, j->buf.data + off, len);
		}
		j->written = 0;
		j->error = 0;
		if (j->link) {
			/* Whole records, framed; kept by the store. */
			j->error = audit_link_send(j->fd, j->buf.data,
			    j->buf.len);
			if (j->error == 0)
				j->written = j->buf.len;
		}
		while (!j->link && (left = j->buf.len - j->start - j->written) != 0) {
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

/* Queue the job the store has filled, starting the thread if need be. */
void
audit_writer_queue(void)
{
	if (!audit_writer_started)
		audit_writer_start();
	__atomic_store_n(&audit_job_state, AUDIT_JOB_QUEUED, __ATOMIC_SEQ_CST);
	sem_post(&audit_job_sem);
}

/*
 * Is the writer free (no job queued), waiting for it if wait is set? If it
 * has finished a job since the last call, *finished is set: the job is the
 * store's again, to look at and empty.
 */
int
audit_writer_poll(int wait, int *finished)
{
	int	state;

	*finished = 0;
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
	*finished = (state == AUDIT_JOB_DONE);
	__atomic_store_n(&audit_job_state, AUDIT_JOB_IDLE, __ATOMIC_RELAXED);
	return (1);
}
