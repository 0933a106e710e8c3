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
 * show-audit -V: verify segments and the series they form, as section
 * 11.10 of FORMAT.md says. Each segment is read once, front to back,
 * keeping only the records since the last seal (at most AUDIT_EPOCH_MAX),
 * so memory does not grow with the log. Then the segments of each run are
 * checked against each other, then the keys, and each file gets one
 * verdict: the first found, in the order the checks are made.
 */

enum audit_verdict {
	AUDIT_V_INTACT,
	AUDIT_V_TAIL,		/* torn last record, unsealed tail, empty */
	AUDIT_V_MODIFIED,
	AUDIT_V_UNSIGNED,
	AUDIT_V_VERSION,
	AUDIT_V_SERIES,		/* duplicate, out of order, foreign, ... */
	AUDIT_V_KEY
};

/* What verifying one segment found. */
struct audit_vseg {
	char			*path;
	enum audit_verdict	 verdict;
	char			*why;
	int			 name_ok;

	/* The segment record. */
	int			 have_header;
	u_char			 run[16];
	uint64_t		 segment;
	uint64_t		 start_time;
	uint64_t		 pid;
	u_char			 run_key[AUDIT_PK_LEN];
	u_char			 sign_key[AUDIT_PK_LEN];
	u_char			 prev_chain[AUDIT_HASH_LEN];
	u_char			 prev_seal[AUDIT_SIG_LEN];
	int			 have_cert;
	u_char			 host_key[AUDIT_PK_LEN];
	u_char			 cert[AUDIT_SIG_LEN];

	/* The seals. */
	u_char			 next_key[AUDIT_PK_LEN];
	int			 final;
	u_char			 final_chain[AUDIT_HASH_LEN];
	u_char			 final_sig[AUDIT_SIG_LEN];
	uint64_t		 first_index;
	uint64_t		 last_index;

	uint64_t		 records;
	uint64_t		 seals;
	int			 have_seal;
	uint64_t		 sealed_seq;

	/* Its place in the series of its run, and its keys. */
	struct audit_vseg	*dup_of;
	int			 truncated;
	int			 linked;
	char			*unlinked;
	int			 cert_ok;
	int			 anchor_ok;
};

/*
 * The records since the last seal: their sequence, offset and digest. The
 * arrays grow as needed, up to AUDIT_EPOCH_MAX entries.
 */
struct audit_epoch {
	uint64_t	*seq;
	off_t		*off;
	u_char		*dig;
	u_int		 n;
	u_int		 size;
};

/* A seal's syslog message (show-audit -V -w). */
struct audit_witness {
	u_char		 run[16];
	uint64_t	 pid;
	uint64_t	 index;
	uint64_t	 segment;
	uint64_t	 seq;
	u_char		 chain[AUDIT_HASH_LEN];
	int		 found;
	int		 differs;
};
static struct audit_witness	*audit_witnesses;
static u_int			 audit_nwitnesses;

/* Skip one space-separated word of a syslog header; NULL if none. */
static const char *
audit_witness_word(const char *p, const char *want, const char **word,
    size_t *len)
{
	size_t	n;

	n = strcspn(p, " ");
	if (n == 0 || p[n] != ' ')
		return (NULL);
	if (want != NULL && (n != strlen(want) || strncmp(p, want, n) != 0))
		return (NULL);
	if (word != NULL) {
		*word = p;
		*len = n;
	}
	return (p + n + 1);
}

/* A decimal number of a syslog parameter. */
static int
audit_witness_number(const char *s, uint64_t *v)
{
	const char	*errstr;

	if (*s < '0' || *s > '9')
		return (-1);
	*v = strtonum(s, 0, LLONG_MAX, &errstr);
	return (errstr == NULL ? 0 : -1);
}

/* Lowercase hex of exactly len bytes. */
static int
audit_witness_hex(const char *s, u_char *out, size_t len)
{
	size_t	n;

	if (strlen(s) != len * 2 || strspn(s, "0123456789abcdef") != len * 2)
		return (-1);
	if (sodium_hex2bin(out, len, s, len * 2, NULL, &n, NULL) != 0 ||
	    n != len)
		return (-1);
	return (0);
}

/*
 * Parse one line of a witness file. Only a seal's message as the server
 * sends it counts (FORMAT.md section 16), whole, at the start of the line:
 *
 *	<86>1 TIME HOST tmux-audit PID seal [tmuxaudit@32473 run="..."
 *	    seq="..." seal_index="..." segment="..." ... chain="..." ...] TEXT
 *
 * that is facility authpriv and severity info, syslog version 1, the
 * server's program name, a PID, message ID "seal", and the server's
 * structured data first, its parameters read as RFC 5424 writes them
 * (each of run, seq, seal_index, segment and chain exactly once). A line
 * that merely contains these words is not a seal.
 */
static int
audit_witness_parse(const char *line, struct audit_witness *w)
{
	const char	*p, *word;
	char		*name = NULL, *value = NULL, prefix[16];
	size_t		 len, n;
	u_int		 seen = 0, bit;
	int		 ok = 0;

	/* The header: authpriv.info, version 1, ours, a seal. */
	snprintf(prefix, sizeof prefix, "<%d>1 ",
	    AUDIT_SYSLOG_FACILITY * 8 + 6);
	if (strncmp(line, prefix, strlen(prefix)) != 0)
		return (-1);
	p = line + strlen(prefix);
	if ((p = audit_witness_word(p, NULL, NULL, NULL)) == NULL ||
	    (p = audit_witness_word(p, NULL, NULL, NULL)) == NULL ||
	    (p = audit_witness_word(p, AUDIT_SYSLOG_APP, NULL, NULL)) == NULL ||
	    (p = audit_witness_word(p, NULL, &word, &len)) == NULL ||
	    (p = audit_witness_word(p, "seal", NULL, NULL)) == NULL)
		return (-1);
	value = xstrndup(word, len);
	if (audit_witness_number(value, &w->pid) != 0)
		goto out;

	/* Our structured data, first; its parameters as RFC 5424 has them. */
	n = strlen("[" AUDIT_SYSLOG_SDID);
	if (strncmp(p, "[" AUDIT_SYSLOG_SDID, n) != 0)
		goto out;
	p += n;
	while (*p == ' ') {
		p++;
		n = strcspn(p, "= \"]");
		if (n == 0 || p[n] != '=' || p[n + 1] != '"')
			goto out;
		free(name);
		name = xstrndup(p, n);
		p += n + 2;
		free(value);
		value = xmalloc(strlen(p) + 1);
		for (len = 0; *p != '"'; p++) {
			if (*p == '\0')
				goto out;
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\' ||
			    p[1] == ']'))
				p++;
			value[len++] = *p;
		}
		value[len] = '\0';
		p++;

		if (strcmp(name, "run") == 0) {
			bit = 1;
			if (audit_witness_hex(value, w->run, sizeof w->run) != 0)
				goto out;
		} else if (strcmp(name, "chain") == 0) {
			bit = 2;
			if (audit_witness_hex(value, w->chain,
			    sizeof w->chain) != 0)
				goto out;
		} else if (strcmp(name, "seq") == 0) {
			bit = 4;
			if (audit_witness_number(value, &w->seq) != 0)
				goto out;
		} else if (strcmp(name, "seal_index") == 0) {
			bit = 8;
			if (audit_witness_number(value, &w->index) != 0)
				goto out;
		} else if (strcmp(name, "segment") == 0) {
			bit = 16;
			if (audit_witness_number(value, &w->segment) != 0)
				goto out;
		} else
			continue;
		if (seen & bit)
			goto out;
		seen |= bit;
	}
	ok = (*p == ']' && seen == 31);

out:
	free(name);
	free(value);
	return (ok ? 0 : -1);
}

/* Read the seals in a syslog file (show-audit -V -w). */
int
audit_witness_read(const char *path, char **cause)
{
	FILE			*f;
	char			*line = NULL;
	size_t			 size = 0;
	ssize_t			 n;
	struct audit_witness	 w;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	while ((n = getline(&line, &size, f)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if ((size_t)n != strlen(line))
			continue;	/* a NUL in the line */
		memset(&w, 0, sizeof w);
		if (audit_witness_parse(line, &w) != 0)
			continue;
		audit_witnesses = xreallocarray(audit_witnesses,
		    audit_nwitnesses + 1, sizeof *audit_witnesses);
		audit_witnesses[audit_nwitnesses++] = w;
	}
	free(line);
	fclose(f);
	if (audit_nwitnesses == 0) {
		xasprintf(cause, "%s: no tmux-audit seals in this file", path);
		return (-1);
	}
	return (0);
}

/*
 * A seal has been verified: tick off the witness copies of it, those from
 * the run's own server. A copy that does not say what the seal says
 * differs.
 */
static void
audit_witness_seen(struct audit_vseg *vs, const struct audit_record *r,
    uint64_t index, const u_char *chain)
{
	struct audit_witness	*w;
	u_int			 i;

	for (i = 0; i < audit_nwitnesses; i++) {
		w = &audit_witnesses[i];
		if (w->index != index || w->pid != vs->pid ||
		    memcmp(w->run, vs->run, sizeof w->run) != 0)
			continue;
		w->found = 1;
		if (memcmp(w->chain, chain, AUDIT_HASH_LEN) != 0 ||
		    w->segment != vs->segment || w->seq != r->seq)
			w->differs = 1;
	}
}

/*
 * Report witnessed seals the log does not have, or has differently. Only
 * runs that have segments here count, and only messages from their own
 * server (its pid): a syslog file holds other runs and other programs too.
 */
static void
audit_witness_report(struct audit_out *out, struct audit_vseg *v, u_int n)
{
	struct audit_witness	*w;
	char			 run[33], *line;
	u_int			 i, j;

	for (i = 0; i < audit_nwitnesses; i++) {
		w = &audit_witnesses[i];
		if (w->found && !w->differs)
			continue;
		for (j = 0; j < n; j++) {
			if (v[j].have_header && v[j].pid == w->pid &&
			    memcmp(v[j].run, w->run, sizeof w->run) == 0)
				break;
		}
		if (j == n)
			continue;
		sodium_bin2hex(run, sizeof run, w->run, sizeof w->run);
		xasprintf(&line, "witness: seal %llu of run %s (segment %llu, "
		    "seq %llu) %s", (unsigned long long)w->index, run,
		    (unsigned long long)w->segment, (unsigned long long)w->seq,
		    w->found ? "differs from the log's" :
		    "is not in the log: a segment was removed or truncated");
		out->error(out->data, line);
		out->errors++;
		free(line);
	}
	free(audit_witnesses);
	audit_witnesses = NULL;
	audit_nwitnesses = 0;
}

/* Set a segment's verdict, keeping the first bad one found. */
static void printflike(3, 4)
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
audit_verify_seal(struct audit_vseg *vs, const struct audit_record *r,
    struct audit_epoch *ep, const u_char *chain)
{
	const struct audit_field	*last, *digests;
	u_char				 sealchain[AUDIT_HASH_LEN];
	u_char				 run[16];
	size_t				 dlen, slen;
	u_char				*msg;
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
	dlen = strlen(AUDIT_D_SEAL) + 1;
	slen = r->size - AUDIT_FIELD_HDR - AUDIT_SIG_LEN;
	msg = xmalloc(dlen + slen);
	memcpy(msg, AUDIT_D_SEAL, dlen);
	memcpy(msg + dlen, r->raw, slen);
	if (crypto_sign_verify_detached(last->value, msg, dlen + slen,
	    vs->next_key) != 0) {
		free(msg);
		audit_vset(vs, AUDIT_V_MODIFIED, "modified: bad signature on "
		    "the seal at offset %lld (seq %llu)", (long long)r->offset,
		    (unsigned long long)r->seq);
		return (-1);
	}
	free(msg);

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

/* Verify one segment file on its own. */
static void
audit_verify_file(struct audit_vseg *vs, const char *path)
{
	struct audit_reader	*rd;
	struct audit_record	*r;
	struct audit_epoch	 ep;
	u_char			 hdr[AUDIT_HEADER_LEN], chain[AUDIT_HASH_LEN];
	uint64_t		 v;
	char			*cause;
	int			 n;

	memset(vs, 0, sizeof *vs);
	vs->path = xstrdup(path);
	if ((rd = audit_reader_open(path, &cause)) == NULL) {
		if (strstr(cause, "unknown format version") != NULL)
			audit_vset(vs, AUDIT_V_VERSION, "%s",
			    audit_verify_cause(cause, path));
		else
			audit_vset(vs, AUDIT_V_MODIFIED, "%s",
			    audit_verify_cause(cause, path));
		free(cause);
		return;
	}
	memcpy(hdr, AUDIT_MAGIC, AUDIT_MAGIC_LEN);
	hdr[AUDIT_MAGIC_LEN] = rd->version;
	audit_hash_start(chain, hdr);

	memset(&ep, 0, sizeof ep);
	r = xmalloc(sizeof *r);

	while ((n = audit_reader_next(rd, r)) == 1) {
		if (vs->final) {
			audit_vset(vs, AUDIT_V_MODIFIED, "modified: record "
			    "after the closing seal at offset %lld",
			    (long long)r->offset);
			break;
		}
		if (!vs->have_header) {
			if (audit_verify_header(vs, r) != 0) {
				audit_vset(vs, AUDIT_V_MODIFIED, "modified: no "
				    "valid segment record at offset %lld",
				    (long long)r->offset);
				break;
			}
		} else
			vs->records++;
		if (r->type == AUDIT_SEAL && r->offset != AUDIT_HEADER_LEN) {
			if (audit_verify_seal(vs, r, &ep, chain) != 0)
				break;
			ep.n = 0;
			if (audit_rec_get_uint(r, AUDIT_F_FINAL, &v) == 0 &&
			    v == 1)
				vs->final = 1;
		}
		audit_hash_record(chain, r->raw, r->size);
		if (ep.n == AUDIT_EPOCH_MAX) {
			audit_vset(vs, AUDIT_V_MODIFIED, "modified: more than "
			    "%u records without a seal at offset %lld",
			    AUDIT_EPOCH_MAX, (long long)r->offset);
			break;
		}
		audit_epoch_add(&ep, r, chain);
		if (vs->final) {
			memcpy(vs->final_chain, chain, AUDIT_HASH_LEN);
			memcpy(vs->final_sig, r->raw + r->size - AUDIT_SIG_LEN,
			    AUDIT_SIG_LEN);
		}
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
	if (vs->why == NULL) {
		if (!vs->have_header)
			audit_vset(vs, AUDIT_V_TAIL, "empty: no records");
		else if (!vs->have_seal)
			audit_vset(vs, AUDIT_V_UNSIGNED, "unsigned: no seals");
		else if (!vs->final && ep.n > 1) {
			audit_vset(vs, AUDIT_V_TAIL, "unsealed tail: %llu "
			    "records (seq %llu-%llu) after the last seal",
			    (unsigned long long)ep.n - 1,
			    (unsigned long long)ep.seq[1],
			    (unsigned long long)ep.seq[ep.n - 1]);
		}
	}

	free(r);
	free(ep.seq);
	free(ep.off);
	free(ep.dig);
	audit_reader_close(rd);
}

/*
 * Does the file name agree with what the segment says it is? The number
 * is zero-padded to six digits, and has more past 999999.
 */
static int
audit_vname_ok(struct audit_vseg *vs)
{
	const char	*base, *p;
	char		*want;
	int		 ok;

	base = strrchr(vs->path, '/');
	base = (base == NULL) ? vs->path : base + 1;
	xasprintf(&want, "_%llu_%06llu%s", (unsigned long long)vs->pid,
	    (unsigned long long)vs->segment, AUDIT_SUFFIX);
	p = base + strlen(base) - strlen(want);
	ok = (strlen(base) >= strlen(want) && strcmp(p, want) == 0);
	free(want);
	return (ok);
}

/*
 * Order files by run, then by segment; of files with the same segment the
 * one whose name fits comes first, then by path.
 */
static int
audit_vseg_cmp(const void *a0, const void *b0)
{
	const struct audit_vseg	*a = *(struct audit_vseg * const *)a0;
	const struct audit_vseg	*b = *(struct audit_vseg * const *)b0;
	int			 c;

	if ((c = memcmp(a->run, b->run, sizeof a->run)) != 0)
		return (c);
	if (a->segment != b->segment)
		return (a->segment < b->segment ? -1 : 1);
	if (a->name_ok != b->name_ok)
		return (a->name_ok ? -1 : 1);
	return (strcmp(a->path, b->path));
}

/* Check the certificate of a run's first key. */
static int
audit_vcert(struct audit_vseg *vs, const u_char *pk)
{
	u_char	msg[16 + 8 + AUDIT_PK_LEN], *full;
	size_t	dlen = strlen(AUDIT_D_RUNKEY) + 1;
	int	ok;

	if (!vs->have_cert)
		return (0);
	memcpy(msg, vs->run, 16);
	audit_put64(msg + 16, vs->start_time);
	memcpy(msg + 24, vs->run_key, AUDIT_PK_LEN);
	full = xmalloc(dlen + sizeof msg);
	memcpy(full, AUDIT_D_RUNKEY, dlen);
	memcpy(full + dlen, msg, sizeof msg);
	ok = (crypto_sign_verify_detached(vs->cert, full, dlen + sizeof msg,
	    pk) == 0);
	free(full);
	return (ok);
}

/* Does segment vs carry on from prev, closed with a verified seal? */
static int
audit_vlink_ok(struct audit_vseg *prev, struct audit_vseg *vs)
{
	if (memcmp(vs->prev_chain, prev->final_chain, AUDIT_HASH_LEN) != 0 ||
	    memcmp(vs->prev_seal, prev->final_sig, AUDIT_SIG_LEN) != 0 ||
	    memcmp(vs->sign_key, prev->next_key, AUDIT_PK_LEN) != 0)
		return (0);
	return (!vs->have_seal || vs->first_index == prev->last_index + 1);
}

/* Print a series error that stands on its own line. */
static void printflike(2, 3)
audit_verror(struct audit_out *out, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	va_start(ap, fmt);
	xvasprintf(&line, fmt, ap);
	va_end(ap);
	out->error(out->data, line);
	out->errors++;
	free(line);
}

/*
 * Check the segments of one run, in segment order, against each other.
 * Each check is made over every file before the next, so a file gets the
 * first of these it fails: its name, duplicate, foreign, does not follow,
 * truncated, unlinked.
 */
static void
audit_verify_run(struct audit_out *out, struct audit_vseg **v, u_int n)
{
	struct audit_vseg	*vs, *prev, *ref = NULL;
	u_int			 i;

	/* The run key to compare with: the first segment found intact. */
	for (i = 0; i < n && ref == NULL; i++) {
		if (v[i]->why == NULL || v[i]->verdict == AUDIT_V_TAIL)
			ref = v[i];
	}

	for (i = 0; i < n; i++) {
		vs = v[i];
		if (!vs->name_ok) {
			audit_vset(vs, AUDIT_V_SERIES, "out of order or foreign "
			    "segment: the file holds segment %llu of pid %llu",
			    (unsigned long long)vs->segment,
			    (unsigned long long)vs->pid);
		}
	}

	/* Of two files with the same number, the first is the segment. */
	for (i = 1; i < n; i++) {
		if (v[i]->segment != v[i - 1]->segment)
			continue;
		vs = v[i];
		vs->dup_of = v[i - 1]->dup_of != NULL ? v[i - 1]->dup_of :
		    v[i - 1];
		audit_vset(vs, AUDIT_V_SERIES, "duplicate segment %llu (also "
		    "%s)", (unsigned long long)vs->segment, vs->dup_of->path);
	}

	for (i = 0; i < n; i++) {
		vs = v[i];
		if (ref == NULL || vs == ref || vs->dup_of != NULL)
			continue;
		if (memcmp(vs->run_key, ref->run_key, AUDIT_PK_LEN) != 0) {
			audit_vset(vs, AUDIT_V_SERIES, "foreign segment: run "
			    "key differs from %s", ref->path);
		} else if (vs->start_time != ref->start_time) {
			audit_vset(vs, AUDIT_V_SERIES, "foreign segment: start "
			    "time differs from %s", ref->path);
		}
	}

	/*
	 * Links. A segment is linked to the run key if it is segment 1
	 * (signed by the run key) or carries on from a linked segment closed
	 * by a verified seal; only then does what was checked of its keys
	 * and seals reach the run key, and the host key that certified it.
	 */
	prev = NULL;
	for (i = 0; i < n; i++) {
		vs = v[i];
		if (vs->dup_of != NULL)
			continue;
		if (prev == NULL && vs->segment != 1) {
			audit_verror(out, "%s: missing segment: segments 1-%llu "
			    "of this run are not here", vs->path,
			    (unsigned long long)vs->segment - 1);
			xasprintf(&vs->unlinked, "segment %llu is not here",
			    (unsigned long long)vs->segment - 1);
		} else if (prev == NULL) {
			vs->linked = (memcmp(vs->run_key, vs->sign_key,
			    AUDIT_PK_LEN) == 0);
		} else if (vs->segment != prev->segment + 1) {
			audit_verror(out, "%s: missing segment: between segment "
			    "%llu (%s) and segment %llu", vs->path,
			    (unsigned long long)prev->segment, prev->path,
			    (unsigned long long)vs->segment);
			xasprintf(&vs->unlinked, "segment %llu is not here",
			    (unsigned long long)vs->segment - 1);
		} else if (!prev->final) {
			prev->truncated = 1;
			xasprintf(&vs->unlinked, "segment %llu (%s) has no "
			    "verified closing seal",
			    (unsigned long long)prev->segment, prev->path);
		} else if (!audit_vlink_ok(prev, vs)) {
			audit_vset(vs, AUDIT_V_SERIES, "out of order or foreign "
			    "segment: does not follow %s", prev->path);
		} else if (!prev->linked) {
			xasprintf(&vs->unlinked, "segment %llu (%s) is not "
			    "linked to the run key",
			    (unsigned long long)prev->segment, prev->path);
		} else
			vs->linked = 1;
		prev = vs;
	}
	for (i = 0; i < n; i++) {
		vs = v[i];
		if (vs->truncated) {
			audit_vset(vs, AUDIT_V_SERIES, "truncated: no closing "
			    "seal, but segment %llu follows",
			    (unsigned long long)vs->segment + 1);
		}
	}
	for (i = 0; i < n; i++) {
		vs = v[i];
		if (vs->unlinked != NULL)
			audit_vset(vs, AUDIT_V_SERIES, "unlinked: %s",
			    vs->unlinked);
	}
}

/*
 * The keys of every file. Without an anchor, a certificate that is there
 * must still verify; with one, the run must be certified by it.
 */
static void
audit_verify_keys(struct audit_vseg *vs, const u_char *anchor, const char *fp)
{
	vs->cert_ok = audit_vcert(vs, vs->host_key);
	if (anchor == NULL) {
		if (vs->have_cert && !vs->cert_ok)
			audit_vset(vs, AUDIT_V_KEY, "bad certificate: the run "
			    "key is not certified by the host key it names");
		return;
	}
	vs->anchor_ok = (vs->cert_ok &&
	    memcmp(vs->host_key, anchor, AUDIT_PK_LEN) == 0);
	if (!vs->anchor_ok)
		audit_vset(vs, AUDIT_V_KEY, "wrong key: the run is not "
		    "certified by host key %s", fp);
}

/*
 * What the key checks found, said only as far as they went: "anchored"
 * only for a file whose run key is certified by the -k key and which is
 * linked to that run key.
 */
static char *
audit_vanchor(struct audit_vseg *vs, const u_char *anchor, const char *fp)
{
	char	*s, *hfp;

	if (anchor != NULL) {
		if (!vs->anchor_ok)
			xasprintf(&s, "not anchored (not certified by host key "
			    "%s)", fp);
		else if (!vs->linked)
			s = xstrdup("not anchored (not linked to the run key)");
		else
			xasprintf(&s, "anchored (host key %s)", fp);
		return (s);
	}
	if (!vs->have_cert)
		return (xstrdup("unanchored (no host key)"));
	if (!vs->cert_ok)
		return (xstrdup("unanchored (bad certificate)"));
	hfp = audit_key_fingerprint(vs->host_key);
	xasprintf(&s, "unanchored (certified by host key %s, not checked: "
	    "use -k)", hfp);
	free(hfp);
	return (s);
}

/* Print one segment's verdict. */
static void
audit_vprint(struct audit_out *out, struct audit_vseg *vs,
    const u_char *anchor, const char *fp)
{
	char	*line, *anchored, sealed[64];

	if (vs->why != NULL && vs->verdict != AUDIT_V_TAIL) {
		xasprintf(&line, "%s: %s", vs->path, vs->why);
		out->error(out->data, line);
		out->errors++;
		free(line);
		return;
	}

	/* "sealed through seq S": S is the seq of the last good seal. */
	if (vs->have_seal) {
		snprintf(sealed, sizeof sealed, ", sealed through seq %llu",
		    (unsigned long long)vs->sealed_seq);
	} else
		*sealed = '\0';
	anchored = audit_vanchor(vs, anchor, fp);
	if (vs->why != NULL) {
		xasprintf(&line, "%s: %s; %llu records, %llu seals%s, %s",
		    vs->path, vs->why, (unsigned long long)vs->records,
		    (unsigned long long)vs->seals, sealed, anchored);
		out->error(out->data, line);
		out->errors++;
	} else {
		xasprintf(&line, "%s: %s: %llu records, %llu seals%s%s, %s",
		    vs->path, anchor != NULL ? "intact" : "consistent",
		    (unsigned long long)vs->records,
		    (unsigned long long)vs->seals, sealed,
		    vs->final ? ", closed" : "", anchored);
		out->print(out->data, line);
	}
	free(line);
	free(anchored);
}

/*
 * Verify files (already sorted by name) and the series they form. Returns
 * the number of problems. With no anchor, a file with none is reported as
 * consistent: nothing ties its keys to anyone.
 */
int
audit_verify(struct audit_out *out, char **paths, u_int n,
    const u_char *anchor)
{
	struct audit_vseg	*v, **sorted;
	char			*fp = NULL;
	u_int			 i, j;

	v = xcalloc(n == 0 ? 1 : n, sizeof *v);
	sorted = xcalloc(n == 0 ? 1 : n, sizeof *sorted);
	for (i = 0; i < n; i++) {
		audit_verify_file(&v[i], paths[i]);
		if (v[i].have_header)
			v[i].name_ok = audit_vname_ok(&v[i]);
		sorted[i] = &v[i];
	}

	/*
	 * Group by run, in segment order, and check each run's series. A
	 * file whose segment record could not be read is in no run.
	 */
	qsort(sorted, n, sizeof *sorted, audit_vseg_cmp);
	for (i = 0; i < n; i = j) {
		if (!sorted[i]->have_header) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < n; j++) {
			if (!sorted[j]->have_header || memcmp(sorted[j]->run,
			    sorted[i]->run, sizeof sorted[i]->run) != 0)
				break;
		}
		audit_verify_run(out, sorted + i, j - i);
	}

	if (anchor != NULL)
		fp = audit_key_fingerprint(anchor);
	for (i = 0; i < n; i++)
		audit_verify_keys(&v[i], anchor, fp);
	audit_witness_report(out, v, n);
	for (i = 0; i < n; i++) {
		audit_vprint(out, &v[i], anchor, fp);
		free(v[i].path);
		free(v[i].why);
		free(v[i].unlinked);
	}
	free(fp);
	free(sorted);
	free(v);
	return (out->errors);
}
