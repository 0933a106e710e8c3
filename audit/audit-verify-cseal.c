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

#include <stdlib.h>
#include <string.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * show-audit -V -c: each segment's seals against the counter-seals the
 * collector wrote beside it (FORMAT.md section 17.5). Every seal must have
 * one, in order, by the collector key given; a counter-seal for a seal the
 * file does not have means the file was cut short after the collector
 * stored it.
 */

/*
 * Is pk the key of the collector that counter-sealed any of these files?
 * Then show-audit -V -k with it means -c: the collector is the anchor.
 */
int
audit_vcseal_keyed(char **paths, u_int n, const u_char *pk)
{
	struct audit_cseal	*list;
	u_char			 fpk[AUDIT_PK_LEN];
	char			*path, *cause;
	u_int			 i, nc;
	int			 found = 0;

	for (i = 0; i < n && !found; i++) {
		xasprintf(&path, "%s%s", paths[i], AUDIT_CSEAL_SUFFIX);
		if (audit_cseal_read(path, fpk, &list, &nc, &cause) == 0) {
			found = (memcmp(fpk, pk, AUDIT_PK_LEN) == 0);
			free(list);
		} else
			free(cause);
		free(path);
	}
	return (found);
}

/* Read the counter-seals of the segment about to be verified. */
void
audit_vcseal_load(struct audit_vseg *vs, const u_char *pk)
{
	u_char	 fpk[AUDIT_PK_LEN];
	char	*path, *cause, *fp;

	vs->cseal_pk = pk;
	xasprintf(&path, "%s%s", vs->path, AUDIT_CSEAL_SUFFIX);
	if (audit_cseal_read(path, fpk, &vs->cseals, &vs->ncseals,
	    &cause) != 0) {
		xasprintf(&vs->cseal_why, "no counter-seals (%s)", cause);
		free(cause);
	} else if (memcmp(fpk, pk, AUDIT_PK_LEN) != 0) {
		fp = audit_key_fingerprint(fpk);
		xasprintf(&vs->cseal_why, "counter-sealed by another "
		    "collector, key %s", fp);
		free(fp);
	}
	free(path);
}

/* A seal has been verified: is it counter-sealed? */
void
audit_vcseal_seen(struct audit_vseg *vs, const struct audit_record *r,
    uint64_t index)
{
	struct audit_cseal	*cs;

	if (vs->cseal_pk == NULL || vs->cseal_why != NULL)
		return;
	if (vs->cseal_next >= vs->ncseals) {
		if (!vs->cseal_missing) {
			vs->cseal_missing = 1;
			vs->cseal_missing_seq = r->seq;
		}
		return;
	}
	cs = &vs->cseals[vs->cseal_next];
	if (!audit_cseal_check(cs, vs->run, vs->segment, r, index,
	    vs->cseal_pk)) {
		xasprintf(&vs->cseal_why, "bad counter-seal %u for the seal "
		    "at seq %llu", vs->cseal_next,
		    (unsigned long long)r->seq);
		return;
	}
	vs->cseal_next++;
}

/* The segment has been read: are all its seals, and only them, covered? */
void
audit_vcseal_end(struct audit_vseg *vs)
{
	if (vs->cseal_pk == NULL || vs->cseal_why != NULL)
		goto out;
	if (vs->cseal_next < vs->ncseals) {
		xasprintf(&vs->cseal_why, "truncated: the collector "
		    "counter-sealed %u seals, the file has %llu", vs->ncseals,
		    (unsigned long long)vs->seals);
	} else if (vs->cseal_missing) {
		xasprintf(&vs->cseal_why, "%u of %llu seals counter-sealed: "
		    "not the seal at seq %llu and after", vs->cseal_next,
		    (unsigned long long)vs->seals,
		    (unsigned long long)vs->cseal_missing_seq);
	}
out:
	free(vs->cseals);
	vs->cseals = NULL;
	vs->ncseals = 0;
}
