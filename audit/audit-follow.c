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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/* A segment file followed by -W. */
struct audit_follow {
	char			*path;
	struct audit_reader	*r;		/* NULL once it is complete */
};

/*
 * Follow a log directory (-W): print what is there, then what is added,
 * for ever. Every segment file is followed on its own until its final
 * seal, so the segments of several servers writing to one directory (a
 * user's servers on different sockets) are all followed. Each time round,
 * the files are read in name order, each as far as it has been written; a
 * record cut short at the end of a file is one being written. Each record
 * goes to cb.
 */
void
audit_follow(struct audit_out *out, const char *dir,
    void (*cb)(void *, const struct audit_record *), void *arg)
{
	struct audit_follow	*fl = NULL, *f;
	struct audit_record	*rec;
	char			**paths, *cause;
	u_int			  n, nf = 0, i, j;
	uint64_t		  v;
	int			  k;

	rec = xmalloc(sizeof *rec);
	for (;;) {
		if (audit_list_dir(dir, &paths, &n, &cause) != 0) {
			out->error(out->data, cause);
			out->errors++;
			free(cause);
			break;
		}
		for (i = 0; i < n; i++) {
			for (j = 0; j < nf; j++) {
				if (strcmp(fl[j].path, paths[i]) == 0)
					break;
			}
			if (j == nf) {
				fl = xreallocarray(fl, nf + 1, sizeof *fl);
				f = &fl[nf++];
				f->path = paths[i];
				f->r = audit_reader_open(f->path, &cause);
				if (f->r == NULL) {
					out->error(out->data, cause);
					out->errors++;
					free(cause);
				}
			} else
				free(paths[i]);
		}
		free(paths);

		for (j = 0; j < nf; j++) {
			if ((f = &fl[j])->r == NULL)
				continue;
			while ((k = audit_reader_next(f->r, rec)) == 1) {
				cb(arg, rec);
				if (rec->type == AUDIT_SEAL &&
				    audit_rec_get_uint(rec, AUDIT_F_FINAL,
				    &v) == 0 && v == 1) {
					k = 2;	/* the segment is complete */
					break;
				}
			}
			if (k == -1 && f->r->eof &&
			    strstr(f->r->error, "truncated") != NULL) {
				free(f->r->error);
				f->r->error = NULL;
				k = 0;
			} else if (k == -1) {
				out->error(out->data, f->r->error);
				out->errors++;
			}
			f->r->eof = 0;
			if (k != 0) {
				audit_reader_close(f->r);
				f->r = NULL;
			}
		}
		fflush(stdout);
		usleep(200000);
	}
	for (j = 0; j < nf; j++) {
		if (fl[j].r != NULL)
			audit_reader_close(fl[j].r);
		free(fl[j].path);
	}
	free(fl);
	free(rec);
}
