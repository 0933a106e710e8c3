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

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The hash chain (audit/FORMAT.md, 11.1 to 11.3): every record is chained
 * with BLAKE2b-256 onto the one before it, from a value made from the
 * file's header, and the first bytes of the chain value after each record
 * are its digest, listed by the next seal. A leaf: the writer, the verifier
 * and the collector use it and it uses nothing of theirs.
 *
 * struct audit_chain is the chain of one segment as it is written: its
 * value, the digests of the records since the last seal, and how many
 * there are. Whoever writes the segment owns it.
 */

/* BLAKE2b-256 of a domain string (with its NUL) and two inputs. */
static void
audit_hash3(u_char *out, const char *domain, const u_char *a, size_t alen,
    const u_char *b, size_t blen)
{
	crypto_generichash_state	st;

	crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
	crypto_generichash_update(&st, (const u_char *)domain,
	    strlen(domain) + 1);
	if (alen != 0)
		crypto_generichash_update(&st, a, alen);
	if (blen != 0)
		crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}

/* The chain value a file starts from: its 8-byte header. */
void
audit_hash_start(u_char *chain, const u_char *header)
{
	audit_hash3(chain, AUDIT_D_START, header, AUDIT_HEADER_LEN, NULL, 0);
}

/* Chain one record (the whole frame) onto chain, in place. */
void
audit_hash_record(u_char *chain, const u_char *rec, size_t len)
{
	u_char	prev[AUDIT_HASH_LEN];

	memcpy(prev, chain, sizeof prev);
	audit_hash3(chain, AUDIT_D_RECORD, prev, sizeof prev, rec, len);
}

/* The id of a public key: eight bytes, shown as hex. */
void
audit_key_id(u_char *id, const u_char *pk)
{
	u_char	h[AUDIT_HASH_LEN];

	audit_hash3(h, AUDIT_D_KEYID, pk, AUDIT_PK_LEN, NULL, 0);
	memcpy(id, h, AUDIT_KEYID_LEN);
}

/* A new segment file begins: start its chain from the header. */
void
audit_chain_begin(struct audit_chain *ch, const u_char *header)
{
	audit_hash_start(ch->value, header);
	ch->digests.len = 0;
	ch->records = 0;
}

/* A record goes into the file: chain it and keep its digest. */
void
audit_chain_add(struct audit_chain *ch, const u_char *rec, size_t len)
{
	audit_hash_record(ch->value, rec, len);
	audit_buf_add(&ch->digests, ch->value, AUDIT_DIGEST_LEN);
	ch->records++;
}

/* A seal has listed the digests: the next epoch starts empty. */
void
audit_chain_epoch(struct audit_chain *ch)
{
	ch->digests.len = 0;
	ch->records = 0;
}
