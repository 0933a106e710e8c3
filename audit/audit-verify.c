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
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * show-audit -V, one segment file at a time, as section 11.10 of FORMAT.md
 * says: its segment record, then each record chained and each seal checked
 * against the digests of its epoch, front to back, keeping only the
 * records since the last seal (at most AUDIT_EPOCH_MAX), so memory does
 * not grow with the log. audit-verify-run.c then checks the segments of
 * each run against each other, and the keys.
 */

/* Set a segment's verdict, keeping the first bad one found. */
void printflike(3, 4)
audit_vset(struct audit_vseg *vs, enum audit_verdict v, const char *fmt, ...)
{
	va_list	ap;

	if (vs->why != NULL)
		return;
	vs->verdict = v;
	va_start(ap, fmt);
	xvasprintf(&vs->why, fmt, ap);
	va_end(ap);
}

static void
audit_epoch_add(struct audit_epoch *ep, const struct audit_record *r,
    const u_char *chain)
{
	if (ep->n == ep->size) {
		ep->size = (ep->size == 0) ? 64 : ep->size * 2;
		if (ep->size > AUDIT_EPOCH_MAX)
			ep->size = AUDIT_EPOCH_MAX;
		ep->seq = xreallocarray(ep->seq, ep->size, sizeof *ep->seq);
		ep->off = xreallocarray(ep->off, ep->size, sizeof *ep->off);
		ep->dig = xreallocarray(ep->dig, ep->size, AUDIT_DIGEST_LEN);
	}
	ep->seq[ep->n] = r->seq;
	ep->off[ep->n] = r->offset;
	memcpy(ep->dig + (size_t)ep->n * AUDIT_DIGEST_LEN, chain,
	    AUDIT_DIGEST_LEN);
	ep->n++;
}

/* Copy a fixed-size bytes field; 0 if present with exactly that size. */
static int
audit_vfield(const struct audit_record *r, u_int tag, u_char *out,
    size_t len)
{
	const struct audit_field	*f;

	if ((f = audit_rec_find(r, tag)) == NULL || f->len != len)
		return (-1);
	memcpy(out, f->value, len);
	return (0);
}

/*
 * Read the segment record that starts every file. All that the later
 * checks rely on must be there, each at its size, and the record must
 * agree with itself: segment 1, and only segment 1, is first and has no
 * link to a segment before it; a host key comes with its certificate.
 */
static int
audit_verify_header(struct audit_vseg *vs, const struct audit_record *r)
{
	uint64_t	v;
	int		has_first, has_link;

	if (r->type != AUDIT_SEGMENT ||
	    audit_vfield(r, AUDIT_F_RUN, vs->run, sizeof vs->run) != 0 ||
	    audit_rec_get_uint(r, AUDIT_F_SEGMENT, &vs->segment) != 0 ||
	    vs->segment == 0 ||
	    audit_rec_get_uint(r, AUDIT_F_PID, &vs->pid) != 0 ||
	    audit_rec_get_uint(r, AUDIT_F_START_TIME, &vs->start_time) != 0 ||
	    audit_vfield(r, AUDIT_F_RUN_KEY, vs->run_key, AUDIT_PK_LEN) != 0 ||
	    audit_vfield(r, AUDIT_F_SIGN_KEY, vs->sign_key, AUDIT_PK_LEN) != 0)
		return (-1);

	has_first = (audit_rec_find(r, AUDIT_F_FIRST) != NULL);
	if (has_first &&
	    (audit_rec_get_uint(r, AUDIT_F_FIRST, &v) != 0 || v != 1))
		return (-1);
	if (has_first != (vs->segment == 1))
		return (-1);

	has_link = (audit_rec_find(r, AUDIT_F_PREV_CHAIN) != NULL ||
	    audit_rec_find(r, AUDIT_F_PREV_SEAL) != NULL);
	if (has_link != (vs->segment != 1))
		return (-1);
	if (has_link && (audit_vfield(r, AUDIT_F_PREV_CHAIN, vs->prev_chain,
	    AUDIT_HASH_LEN) != 0 || audit_vfield(r, AUDIT_F_PREV_SEAL,
	    vs->prev_seal, AUDIT_SIG_LEN) != 0))
		return (-1);

	vs->have_cert = (audit_rec_find(r, AUDIT_F_HOST_KEY) != NULL ||
	    audit_rec_find(r, AUDIT_F_CERT) != NULL);
	if (vs->have_cert && (audit_vfield(r, AUDIT_F_HOST_KEY, vs->host_key,
	    AUDIT_PK_LEN) != 0 || audit_vfield(r, AUDIT_F_CERT, vs->cert,
	    AUDIT_SIG_LEN) != 0))
		return (-1);

	vs->have_header = 1;
	memcpy(vs->next_key, vs->sign_key, AUDIT_PK_LEN);
	return (0);
}

/* Check a seal against the records since the last one. */
static int
audit_verify_seal(struct audit_vseg *vs, const struct audit_record *r)
{
	struct audit_epoch		*ep = &vs->ep;
	const u_char			*chain = vs->chain;
	const struct audit_field	*last, *digests;
	u_char				 sealchain[AUDIT_HASH_LEN];
	u_char				 run[16];
	size_t				 slen;
	uint64_t			 index, segment, count;
	u_int				 i, n;

	last = (r->nfields == 0) ? NULL : &r->fields[r->nfields - 1];
	if (last == NULL || last->tag != AUDIT_F_SIGNATURE ||
	    last->len != AUDIT_SIG_LEN ||
	    last->value + last->len != r->raw + r->size) {
		audit_vset(vs, AUDIT_V_UNSIGNED, "stripped seal: the seal at "
		    "offset %lld has no signature", (long long)r->offset);
		return (-1);
	}

	/* The signature covers the record up to its signature field. */
	slen = r->size - AUDIT_FIELD_HDR - AUDIT_SIG_LEN;
	if (!audit_sign_check(last->value, AUDIT_D_SEAL, r->raw, slen,
	    vs->next_key)) {
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: bad signature on "
		    "the seal at offset %lld (seq %llu)", (long long)r->offset,
		    (unsigned long long)r->seq);
		return (-1);
	}

	if (audit_rec_get_uint(r, AUDIT_F_SEAL_INDEX, &index) != 0 ||
	    audit_rec_get_uint(r, AUDIT_F_SEGMENT, &segment) != 0 ||
	    audit_rec_get_uint(r, AUDIT_F_RECORDS, &count) != 0 ||
	    audit_vfield(r, AUDIT_F_RUN, run, sizeof run) != 0 ||
	    audit_vfield(r, AUDIT_F_CHAIN, sealchain, AUDIT_HASH_LEN) != 0 ||
	    audit_vfield(r, AUDIT_F_NEXT_KEY, vs->next_key, AUDIT_PK_LEN) != 0 ||
	    (digests = audit_rec_find(r, AUDIT_F_DIGESTS)) == NULL ||
	    digests->len % AUDIT_DIGEST_LEN != 0) {
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: the seal at offset "
		    "%lld is incomplete", (long long)r->offset);
		return (-1);
	}
	if (memcmp(run, vs->run, sizeof run) != 0 || segment != vs->segment) {
		audit_vset(vs, AUDIT_V_SERIES, "foreign segment: the seal at "
		    "offset %lld belongs to another segment",
		    (long long)r->offset);
		return (-1);
	}
	if (vs->have_seal && index != vs->last_index + 1) {
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: seal %llu at "
		    "offset %lld follows seal %llu", (unsigned long long)index,
		    (long long)r->offset, (unsigned long long)vs->last_index);
		return (-1);
	}
	if (!vs->have_seal && vs->segment == 1 && index != 0) {
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: the first seal at "
		    "offset %lld has index %llu, not 0", (long long)r->offset,
		    (unsigned long long)index);
		return (-1);
	}

	/* The first record whose chain value differs is the first bad. */
	n = digests->len / AUDIT_DIGEST_LEN;
	for (i = 0; i < n && i < ep->n; i++) {
		if (memcmp(digests->value + (size_t)i * AUDIT_DIGEST_LEN,
		    ep->dig + (size_t)i * AUDIT_DIGEST_LEN,
		    AUDIT_DIGEST_LEN) != 0)
			break;
	}
	if (i < ep->n && (i < n || n != ep->n)) {
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: first bad record "
		    "seq %llu at offset %lld", (unsigned long long)ep->seq[i],
		    (long long)ep->off[i]);
		return (-1);
	}
	if (n != ep->n || count != n ||
	    memcmp(sealchain, chain, AUDIT_HASH_LEN) != 0) {
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: records missing "
		    "before the seal at offset %lld", (long long)r->offset);
		return (-1);
	}

	/*
	 * The first seal of a run is signed by the run key. (Checked here,
	 * after the digests, so that a changed segment record is named as
	 * the first bad record.)
	 */
	if (!vs->have_seal && vs->segment == 1 &&
	    memcmp(vs->run_key, vs->sign_key, AUDIT_PK_LEN) != 0) {
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: first segment not "
		    "signed by the run key");
		return (-1);
	}

	audit_witness_seen(vs, r, index, sealchain);
	audit_vcseal_seen(vs, r, index);
	if (!vs->have_seal)
		vs->first_index = index;
	vs->last_index = index;
	vs->have_seal = 1;
	vs->seals++;
	vs->sealed_seq = r->seq;
	return (0);
}

/* The reader's message for a file, without the path it starts with. */
static const char *
audit_verify_cause(const char *cause, const char *path)
{
	size_t	len = strlen(path);

	if (strncmp(cause, path, len) == 0 && strncmp(cause + len, ": ", 2) == 0)
		return (cause + len + 2);
	return (cause);
}

/*
 * Start checking a segment, wherever its bytes come from (a file, or a
 * collector's connection): its header gave the format version.
 */
void
audit_vseg_begin(struct audit_vseg *vs, const char *path, u_int version)
{
	u_char	hdr[AUDIT_HEADER_LEN];

	memset(vs, 0, sizeof *vs);
	vs->path = xstrdup(path);
	memcpy(hdr, AUDIT_MAGIC, AUDIT_MAGIC_LEN);
	hdr[AUDIT_MAGIC_LEN] = version;
	audit_hash_start(vs->chain, hdr);
}

/*
 * Check the next record of a segment: chain it, and check it if it is a
 * seal. Returns -1 once something is wrong; vs->why then says what.
 */
int
audit_vseg_record(struct audit_vseg *vs, const struct audit_record *r)
{
	uint64_t	v;

	if (vs->why != NULL)
		return (-1);
	if (vs->final) {
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: record after the "
		    "closing seal at offset %lld", (long long)r->offset);
		return (-1);
	}
	if (!vs->have_header) {
		if (audit_verify_header(vs, r) != 0) {
			audit_vset(vs, AUDIT_V_MODIFIED, "modified: no valid "
			    "segment record at offset %lld",
			    (long long)r->offset);
			return (-1);
		}
	} else
		vs->records++;
	if (r->type == AUDIT_SEAL && r->offset != AUDIT_HEADER_LEN) {
		if (audit_verify_seal(vs, r) != 0)
			return (-1);
		vs->ep.n = 0;
		if (audit_rec_get_uint(r, AUDIT_F_FINAL, &v) == 0 && v == 1)
			vs->final = 1;
	}
	audit_hash_record(vs->chain, r->raw, r->size);
	if (vs->ep.n == AUDIT_EPOCH_MAX) {
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: more than %u "
		    "records without a seal at offset %lld", AUDIT_EPOCH_MAX,
		    (long long)r->offset);
		return (-1);
	}
	audit_epoch_add(&vs->ep, r, vs->chain);
	if (vs->final) {
		memcpy(vs->final_chain, vs->chain, AUDIT_HASH_LEN);
		memcpy(vs->final_sig, r->raw + r->size - AUDIT_SIG_LEN,
		    AUDIT_SIG_LEN);
	}
	return (0);
}

/*
 * The segment has ended where it is: say what is wrong with how it ends,
 * if nothing else was.
 */
void
audit_vseg_end(struct audit_vseg *vs)
{
	struct audit_epoch	*ep = &vs->ep;

	if (vs->why != NULL)
		return;
	if (!vs->have_header)
		audit_vset(vs, AUDIT_V_TAIL, "empty: no records");
	else if (!vs->have_seal)
		audit_vset(vs, AUDIT_V_UNSIGNED, "unsigned: no seals");
	else if (!vs->final && ep->n > 1) {
		audit_vset(vs, AUDIT_V_TAIL, "unsealed tail: %llu records "
		    "(seq %llu-%llu) after the last seal",
		    (unsigned long long)ep->n - 1,
		    (unsigned long long)ep->seq[1],
		    (unsigned long long)ep->seq[ep->n - 1]);
	}
}

/* Free what checking a segment kept along the way. */
void
audit_vseg_clear(struct audit_vseg *vs)
{
	free(vs->ep.seq);
	free(vs->ep.off);
	free(vs->ep.dig);
	memset(&vs->ep, 0, sizeof vs->ep);
}

/* Verify one segment file on its own. */
void
audit_verify_file(struct audit_vseg *vs, const char *path,
    const u_char *collector)
{
	struct audit_reader	*rd;
	struct audit_record	*r;
	char			*cause;
	int			 n;

	if ((rd = audit_reader_open(path, &cause)) == NULL) {
		memset(vs, 0, sizeof *vs);
		vs->path = xstrdup(path);
		if (strstr(cause, "unknown format version") != NULL)
			audit_vset(vs, AUDIT_V_VERSION, "%s",
			    audit_verify_cause(cause, path));
		else
			audit_vset(vs, AUDIT_V_MODIFIED, "%s",
			    audit_verify_cause(cause, path));
		free(cause);
		return;
	}
	audit_vseg_begin(vs, path, rd->version);
	if (collector != NULL)
		audit_vcseal_load(vs, collector);

	r = xmalloc(sizeof *r);
	while ((n = audit_reader_next(rd, r)) == 1) {
		if (audit_vseg_record(vs, r) != 0)
			break;
	}

	/*
	 * Reading stopped early. After the closing seal, whatever is there,
	 * a whole record or not, was not written by the server; before it, a
	 * record cut short by the end of the file is a torn last record.
	 */
	if (n == -1 && vs->why == NULL) {
		if (vs->final) {
			audit_vset(vs, AUDIT_V_MODIFIED, "modified: record "
			    "after the closing seal at offset %lld",
			    (long long)rd->offset);
		} else if (rd->eof && strstr(rd->error, "truncated") != NULL) {
			audit_vset(vs, AUDIT_V_TAIL, "torn last record at offset "
			    "%lld", (long long)rd->offset);
		} else {
			audit_vset(vs, AUDIT_V_MODIFIED, "modified: %s",
			    audit_verify_cause(rd->error, path));
		}
	}
	audit_vseg_end(vs);
	audit_vcseal_end(vs);

	free(r);
	audit_vseg_clear(vs);
	audit_reader_close(rd);
}
