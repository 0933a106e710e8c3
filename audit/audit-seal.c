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
 * Seals (audit/FORMAT.md 11.4 to 11.8): records signed with Ed25519 that
 * commit to the chain and list the digests of the records they cover, so
 * a verifier can name the first bad record. Each seal also commits to the
 * next public key; the secret key that signed it is then erased, so
 * whoever takes over the server later cannot sign anything that came
 * before.
 *
 * The run's first public key is certified by the host audit key when
 * audit-log-key names one. Secret keys live in sodium_malloc memory, which
 * is locked and left out of core dumps.
 *
 * The store (audit-store.c) is the only caller: it chains the records
 * before a seal and the seal itself, here it is only built and signed.
 */

static u_char		*audit_sk;
static u_char		 audit_pk[AUDIT_PK_LEN];
static u_char		 audit_run_key[AUDIT_PK_LEN];
static uint64_t		 audit_run_start;
static int		 audit_have_keys;

static u_char		 audit_host_pk[AUDIT_PK_LEN];
static u_char		 audit_cert[AUDIT_SIG_LEN];
static int		 audit_have_cert;

static uint64_t		 audit_seal_index;
static u_char		 audit_last_chain[AUDIT_HASH_LEN];
static u_char		 audit_last_sig[AUDIT_SIG_LEN];
static int		 audit_have_last;

/* Read the host secret key and certify the run key with it. */
static int
audit_seal_certify(const char *path, char **cause)
{
	u_char	*sk, msg[64], *p;

	if ((sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		fatalx("sodium_malloc failed");
	if (audit_key_read_secret(path, "audit-log-key ", sk, cause) != 0) {
		sodium_free(sk);
		return (-1);
	}

	/* The message: domain, run id, start time, run key. */
	p = msg;
	memcpy(p, audit_run, sizeof audit_run);
	p += sizeof audit_run;
	audit_put64(p, audit_run_start);
	p += 8;
	memcpy(p, audit_run_key, AUDIT_PK_LEN);
	p += AUDIT_PK_LEN;
	audit_sign(audit_cert, AUDIT_D_RUNKEY, msg, p - msg, sk);
	crypto_sign_ed25519_sk_to_pk(audit_host_pk, sk);
	sodium_free(sk);
	audit_have_cert = 1;
	return (0);
}

/*
 * Start the keys of a run: a fresh signing key, which is also the run key,
 * certified by the host key if one is configured.
 */
int
audit_seal_run(uint64_t start, const char *keyfile, char **cause)
{
	if (!audit_have_keys) {
		audit_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
		if (audit_sk == NULL)
			fatalx("sodium_malloc failed");
		crypto_sign_keypair(audit_pk, audit_sk);
		memcpy(audit_run_key, audit_pk, AUDIT_PK_LEN);
		audit_run_start = start;
		audit_have_keys = 1;
	}
	if (keyfile != NULL && *keyfile != '\0' && !audit_have_cert)
		return (audit_seal_certify(keyfile, cause));
	return (0);
}

/* Can seals be made (the run's keys exist)? */
int
audit_seal_ready(void)
{
	return (audit_have_keys);
}

/* Add the key and link fields of a segment record. */
void
audit_seal_segment_fields(struct audit_buf *b, int first)
{
	if (first)
		audit_rec_uint(b, AUDIT_F_FIRST, 1);
	audit_rec_bytes(b, AUDIT_F_RUN_KEY, audit_run_key, AUDIT_PK_LEN);
	audit_rec_bytes(b, AUDIT_F_SIGN_KEY, audit_pk, AUDIT_PK_LEN);
	if (!first && audit_have_last) {
		audit_rec_bytes(b, AUDIT_F_PREV_CHAIN, audit_last_chain,
		    AUDIT_HASH_LEN);
		audit_rec_bytes(b, AUDIT_F_PREV_SEAL, audit_last_sig,
		    AUDIT_SIG_LEN);
	}
	if (audit_have_cert) {
		audit_rec_bytes(b, AUDIT_F_HOST_KEY, audit_host_pk,
		    AUDIT_PK_LEN);
		audit_rec_bytes(b, AUDIT_F_CERT, audit_cert, AUDIT_SIG_LEN);
	}
}

/*
 * Write a seal into the pending buffer over the epoch in ch (whose records
 * are all chained): sign it, commit to the next key and erase the one that
 * signed. Returns where the seal starts; ch's epoch is emptied.
 */
size_t
audit_seal_write(struct audit_chain *ch, u_int segment, int final)
{
	struct audit_buf	*b = &audit_pending;
	u_char			 next_pk[AUDIT_PK_LEN], *next_sk;
	u_char			 sig[AUDIT_SIG_LEN];
	size_t			 start, signed_len;

	next_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (next_sk == NULL)
		fatalx("sodium_malloc failed");
	crypto_sign_keypair(next_pk, next_sk);

	start = audit_begin(AUDIT_SEAL);
	audit_rec_uint(b, AUDIT_F_SEAL_INDEX, audit_seal_index);
	audit_rec_bytes(b, AUDIT_F_RUN, audit_run, sizeof audit_run);
	audit_rec_uint(b, AUDIT_F_SEGMENT, segment);
	audit_rec_uint(b, AUDIT_F_RECORDS, ch->records);
	if (final)
		audit_rec_uint(b, AUDIT_F_FINAL, 1);
	audit_rec_bytes(b, AUDIT_F_CHAIN, ch->value, AUDIT_HASH_LEN);
	audit_rec_bytes(b, AUDIT_F_DIGESTS, ch->digests.data,
	    ch->digests.len);
	audit_rec_bytes(b, AUDIT_F_NEXT_KEY, next_pk, AUDIT_PK_LEN);
	signed_len = b->len - start;
	audit_rec_bytes(b, AUDIT_F_SIGNATURE, sig, AUDIT_SIG_LEN);
	audit_rec_end(b, start);

	audit_sign(sig, AUDIT_D_SEAL, b->data + start, signed_len, audit_sk);
	memcpy(b->data + b->len - AUDIT_SIG_LEN, sig, AUDIT_SIG_LEN);

	/* The old key is gone: nothing before this seal can be re-signed. */
	sodium_free(audit_sk);
	audit_sk = next_sk;
	memcpy(audit_pk, next_pk, AUDIT_PK_LEN);
	audit_seal_index++;
	memcpy(audit_last_sig, sig, AUDIT_SIG_LEN);

	audit_chain_epoch(ch);
	return (start);
}

/*
 * The seal just written is chained: keep the chain value after it, which
 * the next segment links to.
 */
void
audit_seal_chained(const struct audit_chain *ch)
{
	memcpy(audit_last_chain, ch->value, AUDIT_HASH_LEN);
	audit_have_last = 1;
}
