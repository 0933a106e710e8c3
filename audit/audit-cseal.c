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
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Counter-seals (audit/FORMAT.md section 17.5): the collector signs each
 * seal it has checked, with a key only it holds, and keeps the signatures
 * in a file beside the segment (its name with "-cseal" added). A verifier
 * that trusts the collector's public key then knows the collector saw
 * each seal, in that order, at that time: something the audited user,
 * who can read their own host key, cannot forge. A leaf: the collector
 * makes them, the verifier checks them.
 */

/* The hash of a seal record (its whole frame), as a counter-seal names it. */
static void
audit_cseal_hash(u_char *out, const struct audit_record *seal)
{
	crypto_generichash_state	st;

	crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
	crypto_generichash_update(&st, (const u_char *)AUDIT_D_CSEALREC,
	    strlen(AUDIT_D_CSEALREC) + 1);
	crypto_generichash_update(&st, seal->raw, seal->size);
	crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}

/* The message a counter-seal signs (after its domain string). */
static size_t
audit_cseal_message(u_char *msg, const u_char *run, uint64_t segment,
    const struct audit_cseal *cs)
{
	u_char	*p = msg;

	memcpy(p, run, 16);
	p += 16;
	audit_put64(p, segment);
	p += 8;
	audit_put64(p, cs->index);
	p += 8;
	audit_put64(p, cs->seq);
	p += 8;
	audit_put64(p, cs->time);
	p += 8;
	memcpy(p, cs->hash, AUDIT_HASH_LEN);
	p += AUDIT_HASH_LEN;
	return (p - msg);
}

/* Counter-seal a seal of run and segment, received at time. */
void
audit_cseal_make(struct audit_cseal *cs, const u_char *run, uint64_t segment,
    const struct audit_record *seal, uint64_t index, uint64_t time,
    const u_char *sk)
{
	u_char	msg[AUDIT_CSEAL_MSG];
	size_t	len;

	cs->index = index;
	cs->seq = seal->seq;
	cs->time = time;
	audit_cseal_hash(cs->hash, seal);
	len = audit_cseal_message(msg, run, segment, cs);
	audit_sign(cs->sig, AUDIT_D_CSEAL, msg, len, sk);
}

/* Is cs a good counter-seal, by key pk, of this seal? */
int
audit_cseal_check(const struct audit_cseal *cs, const u_char *run,
    uint64_t segment, const struct audit_record *seal, uint64_t index,
    const u_char *pk)
{
	u_char	msg[AUDIT_CSEAL_MSG], hash[AUDIT_HASH_LEN];
	size_t	len;

	if (cs->index != index || cs->seq != seal->seq)
		return (0);
	audit_cseal_hash(hash, seal);
	if (memcmp(hash, cs->hash, AUDIT_HASH_LEN) != 0)
		return (0);
	len = audit_cseal_message(msg, run, segment, cs);
	return (audit_sign_check(cs->sig, AUDIT_D_CSEAL, msg, len, pk));
}

/* The bytes of a counter-seal entry in a file. */
void
audit_cseal_encode(const struct audit_cseal *cs, u_char *out)
{
	audit_put64(out, cs->index);
	audit_put64(out + 8, cs->seq);
	audit_put64(out + 16, cs->time);
	memcpy(out + 24, cs->hash, AUDIT_HASH_LEN);
	memcpy(out + 24 + AUDIT_HASH_LEN, cs->sig, AUDIT_SIG_LEN);
}

/* The header of a counter-seal file: magic, version, the collector's key. */
void
audit_cseal_header(u_char *out, const u_char *pk)
{
	memcpy(out, AUDIT_CSEAL_MAGIC, AUDIT_MAGIC_LEN);
	out[AUDIT_MAGIC_LEN] = 1;
	memcpy(out + AUDIT_HEADER_LEN, pk, AUDIT_PK_LEN);
}

/*
 * Read a counter-seal file: the collector's key in *pk and the entries.
 * A torn last entry is left out. Returns -1 (with cause) if the file is
 * missing or not a counter-seal file.
 */
int
audit_cseal_read(const char *path, u_char *pk, struct audit_cseal **list,
    u_int *n, char **cause)
{
	u_char	 hdr[AUDIT_CSEAL_HDR], e[AUDIT_CSEAL_ENTRY];
	ssize_t	 got;
	int	 fd;

	*list = NULL;
	*n = 0;
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (read(fd, hdr, sizeof hdr) != (ssize_t)sizeof hdr ||
	    memcmp(hdr, AUDIT_CSEAL_MAGIC, AUDIT_MAGIC_LEN) != 0 ||
	    hdr[AUDIT_MAGIC_LEN] != 1) {
		xasprintf(cause, "%s: not a counter-seal file", path);
		close(fd);
		return (-1);
	}
	memcpy(pk, hdr + AUDIT_HEADER_LEN, AUDIT_PK_LEN);
	while ((got = read(fd, e, sizeof e)) == (ssize_t)sizeof e) {
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[*n].index = audit_get64(e);
		(*list)[*n].seq = audit_get64(e + 8);
		(*list)[*n].time = audit_get64(e + 16);
		memcpy((*list)[*n].hash, e + 24, AUDIT_HASH_LEN);
		memcpy((*list)[*n].sig, e + 24 + AUDIT_HASH_LEN,
		    AUDIT_SIG_LEN);
		(*n)++;
	}
	close(fd);
	return (0);
}
