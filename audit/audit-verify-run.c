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
 * show-audit -V over many files: the segments of each run are checked
 * against each other (names, duplicates, foreign segments, links), then
 * the keys, and each file gets one verdict: the first found, in the order
 * the checks are made.
 */

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
	u_char	msg[16 + 8 + AUDIT_PK_LEN];

	if (!vs->have_cert)
		return (0);
	memcpy(msg, vs->run, 16);
	audit_put64(msg + 16, vs->start_time);
	memcpy(msg + 24, vs->run_key, AUDIT_PK_LEN);
	return (audit_sign_check(vs->cert, AUDIT_D_RUNKEY, msg, sizeof msg,
	    pk));
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

/*
 * What the counter-seal checks found (-c): the collector that vouches for
 * every seal, or why it does not. Empty without -c.
 */
static char *
audit_vcollected(struct audit_vseg *vs, const u_char *collector)
{
	char	*s, *cfp;

	if (collector == NULL)
		return (xstrdup(""));
	cfp = audit_key_fingerprint(collector);
	if (vs->cseal_why != NULL)
		xasprintf(&s, ", not collected (%s)", vs->cseal_why);
	else
		xasprintf(&s, ", collected (collector key %s)", cfp);
	free(cfp);
	return (s);
}

/* Print one segment's verdict. */
static void
audit_vprint(struct audit_out *out, struct audit_vseg *vs,
    const u_char *anchor, const char *fp, const u_char *collector)
{
	char	*line, *anchored, *collected, sealed[64];
	int	 bad;

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
	collected = audit_vcollected(vs, collector);
	bad = (vs->why != NULL || vs->cseal_why != NULL);
	if (vs->why != NULL) {
		xasprintf(&line, "%s: %s; %llu records, %llu seals%s, %s%s",
		    vs->path, vs->why, (unsigned long long)vs->records,
		    (unsigned long long)vs->seals, sealed, anchored,
		    collected);
	} else {
		xasprintf(&line, "%s: %s: %llu records, %llu seals%s%s, %s%s",
		    vs->path, bad ? "problem" : ((anchor != NULL ||
		    collector != NULL) ? "intact" : "consistent"),
		    (unsigned long long)vs->records,
		    (unsigned long long)vs->seals, sealed,
		    vs->final ? ", closed" : "", anchored, collected);
	}
	if (bad) {
		out->error(out->data, line);
		out->errors++;
	} else
		out->print(out->data, line);
	free(line);
	free(anchored);
	free(collected);
}

/*
 * Verify files (already sorted by name) and the series they form. Returns
 * the number of problems. With no anchor, a file with none is reported as
 * consistent: nothing ties its keys to anyone.
 */
int
audit_verify(struct audit_out *out, char **paths, u_int n,
    const u_char *anchor, const u_char *collector)
{
	struct audit_vseg	*v, **sorted;
	char			*fp = NULL;
	u_int			 i, j;

	v = xcalloc(n == 0 ? 1 : n, sizeof *v);
	sorted = xcalloc(n == 0 ? 1 : n, sizeof *sorted);
	for (i = 0; i < n; i++) {
		audit_verify_file(&v[i], paths[i], collector);
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
		audit_vprint(out, &v[i], anchor, fp, collector);
		free(v[i].path);
		free(v[i].why);
		free(v[i].cseal_why);
		free(v[i].unlinked);
	}
	free(fp);
	free(sorted);
	free(v);
	return (out->errors);
}

/*
 * show-audit -V: verify a list of files, with the seals of a syslog file
 * (-w) if given, against a host key (-k, a file or its text) and the
 * collector's key (-c) if given. A -k key that is the collector's of the
 * files (their counter-seal files name it) is taken as -c.
 */
void
audit_verify_paths(struct audit_out *out, char **paths, u_int n,
    const char *witness, const char *key, const char *ckey)
{
	u_char			 pk[AUDIT_PK_LEN], cpk[AUDIT_PK_LEN];
	char			*cause;

	if (witness != NULL && audit_witness_read(witness, &cause) != 0)
		goto fail;
	if (key != NULL && audit_host_key_read_public(key, pk, &cause) != 0)
		goto fail;
	if (ckey != NULL &&
	    audit_host_key_read_public(ckey, cpk, &cause) != 0)
		goto fail;
	if (key != NULL && ckey == NULL && audit_vcseal_keyed(paths, n, pk)) {
		/* -k names the collector that counter-sealed the files. */
		audit_verify(out, paths, n, NULL, pk);
		return;
	}
	audit_verify(out, paths, n, key != NULL ? pk : NULL,
	    ckey != NULL ? cpk : NULL);
	return;

fail:
	out->error(out->data, cause);
	out->errors++;
	free(cause);
}

/* Print a run key, its fingerprint and whether the host key certified it. */
static void
audit_run_key_print(struct audit_out *out, const u_char *run,
    const u_char *key, const u_char *host)
{
	char	*text, *fp, *hfp = NULL, *line, runhex[33];

	sodium_bin2hex(runhex, sizeof runhex, run, 16);
	text = audit_key_text(key);
	fp = audit_key_fingerprint(key);
	if (host != NULL)
		hfp = audit_key_fingerprint(host);
	xasprintf(&line, "run %s key %s (%s), %s%s", runhex, text, fp,
	    host != NULL ? "certified by host key " : "not certified",
	    host != NULL ? hfp : "");
	out->print(out->data, line);
	free(line);
	free(text);
	free(fp);
	free(hfp);
}

/* show-audit -K: the first signing key of each run in a list of files. */
void
audit_run_keys(struct audit_out *out, char **paths, u_int n)
{
	struct audit_reader		*r;
	struct audit_record		*rec;
	const struct audit_field	*run, *key, *host;
	char				*cause;
	u_int				 i;
	uint64_t			 first;

	rec = xmalloc(sizeof *rec);
	for (i = 0; i < n; i++) {
		if ((r = audit_reader_open(paths[i], &cause)) == NULL) {
			out->error(out->data, cause);
			out->errors++;
			free(cause);
			continue;
		}
		if (audit_reader_next(r, rec) == 1 &&
		    rec->type == AUDIT_SEGMENT &&
		    audit_rec_get_uint(rec, AUDIT_F_FIRST, &first) == 0 &&
		    (run = audit_rec_find(rec, AUDIT_F_RUN)) != NULL &&
		    run->len == 16 &&
		    (key = audit_rec_find(rec, AUDIT_F_RUN_KEY)) != NULL &&
		    key->len == AUDIT_PK_LEN) {
			host = audit_rec_find(rec, AUDIT_F_HOST_KEY);
			if (host != NULL && host->len != AUDIT_PK_LEN)
				host = NULL;
			audit_run_key_print(out, run->value, key->value,
			    host != NULL ? host->value : NULL);
		}
		audit_reader_close(r);
	}
	free(rec);
}
