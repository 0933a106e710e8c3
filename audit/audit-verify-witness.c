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
 * show-audit -V -w: the seals a syslog file has seen (the server's own
 * seal messages, FORMAT.md section 16), ticked off as the verifier meets
 * them, and those the log does not have, or has differently, reported.
 */

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
void
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
void
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
