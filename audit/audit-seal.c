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
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Tamper evidence (audit/FORMAT.md, "Hash chain and seals"):
 *
 * Every record is chained with BLAKE2b-256 to the one before it. Seals are
 * records signed with Ed25519 that commit to the chain and list the first
 * eight bytes of the chain value after each record they cover, so a
 * verifier can name the first bad record. Each seal also commits to the
 * next public key; the secret key that signed it is then erased, so whoever
 * takes over the server later cannot sign anything that came before.
 *
 * The run's first public key is certified by the host audit key when
 * audit-log-key names one. Secret keys live in sodium_malloc memory, which
 * is locked and left out of core dumps.
 */

static u_char		*audit_sk;
static u_char		 audit_pk[AUDIT_PK_LEN];
static u_char		 audit_run_key[AUDIT_PK_LEN];
static uint64_t		 audit_run_start;
static int		 audit_have_keys;

static u_char		 audit_host_pk[AUDIT_PK_LEN];
static u_char		 audit_cert[AUDIT_SIG_LEN];
static int		 audit_have_cert;

static u_char		 audit_chain[AUDIT_HASH_LEN];
static struct audit_buf	 audit_digests;
static u_int		 audit_epoch_records;
static u_int		 audit_epoch_count;	/* as the loop counts */
static uint64_t		 audit_seal_index;
static u_char		 audit_last_chain[AUDIT_HASH_LEN];
static u_char		 audit_last_sig[AUDIT_SIG_LEN];
static int		 audit_have_last;

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

/* A public key's fingerprint, short enough to read aloud. */
char *
audit_key_fingerprint(const u_char *pk)
{
	u_char	 id[AUDIT_KEYID_LEN];
	char	*s;

	audit_key_id(id, pk);
	xasprintf(&s, "%02x%02x %02x%02x %02x%02x %02x%02x", id[0], id[1],
	    id[2], id[3], id[4], id[5], id[6], id[7]);
	return (s);
}

/*
 * The one-line text form of a public key: base64 of "Ed", the eight-byte
 * key id and the 32-byte key (as signify does).
 */
char *
audit_key_text(const u_char *pk)
{
	u_char	 raw[2 + AUDIT_KEYID_LEN + AUDIT_PK_LEN];
	char	*out;
	size_t	 size;

	raw[0] = 'E';
	raw[1] = 'd';
	audit_key_id(raw + 2, pk);
	memcpy(raw + 2 + AUDIT_KEYID_LEN, pk, AUDIT_PK_LEN);
	size = sodium_base64_encoded_len(sizeof raw,
	    sodium_base64_VARIANT_ORIGINAL);
	out = xmalloc(size);
	sodium_bin2base64(out, size, raw, sizeof raw,
	    sodium_base64_VARIANT_ORIGINAL);
	return (out);
}

/* Decode the base64 line of a key file (public or secret). */
static int
audit_key_decode(const char *line, u_char *out, size_t outlen, char **cause)
{
	size_t		 len;
	const char	*end;
	u_char		 id[AUDIT_KEYID_LEN];

	if (sodium_base642bin(out, outlen, line, strlen(line), "\r\n", &len,
	    &end, sodium_base64_VARIANT_ORIGINAL) != 0 || len != outlen ||
	    out[0] != 'E' || out[1] != 'd') {
		*cause = xstrdup("not a tmux-audit Ed25519 key");
		return (-1);
	}
	if (outlen == 2 + AUDIT_KEYID_LEN + AUDIT_PK_LEN) {
		audit_key_id(id, out + 2 + AUDIT_KEYID_LEN);
		if (memcmp(id, out + 2, sizeof id) != 0) {
			*cause = xstrdup("key id does not match the key");
			return (-1);
		}
	}
	return (0);
}

/* Read the key line of a key file: the first line not a comment. */
static char *
audit_key_file_line(const char *path, int secret, char **cause)
{
	struct stat	 sb;
	FILE		*f;
	char		 buf[512], *line = NULL;
	int		 fd;

	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOFOLLOW)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &sb) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (NULL);
	}
	if (secret && (sb.st_mode & (S_IRWXG|S_IRWXO))) {
		xasprintf(cause, "%s: readable by others (mode %04o, must be "
		    "0600)", path, (u_int)(sb.st_mode & 07777));
		close(fd);
		return (NULL);
	}
	if (secret && sb.st_uid != getuid() && sb.st_uid != 0) {
		xasprintf(cause, "%s: owned by uid %ld", path,
		    (long)sb.st_uid);
		close(fd);
		return (NULL);
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (NULL);
	}
	while (fgets(buf, sizeof buf, f) != NULL) {
		if (strncmp(buf, "untrusted comment:", 18) == 0)
			continue;
		buf[strcspn(buf, "\r\n")] = '\0';
		line = xstrdup(buf);
		break;
	}
	sodium_memzero(buf, sizeof buf);
	fclose(f);
	if (line == NULL)
		xasprintf(cause, "%s: no key in file", path);
	return (line);
}

/*
 * Read a public key given as a file or as its one-line text form pasted
 * on the command line.
 */
int
audit_host_key_read_public(const char *arg, u_char *pk, char **cause)
{
	u_char	 raw[2 + AUDIT_KEYID_LEN + AUDIT_PK_LEN];
	char	*line, *why;

	if (access(arg, F_OK) != 0)
		line = xstrdup(arg);
	else if ((line = audit_key_file_line(arg, 0, cause)) == NULL)
		return (-1);
	if (audit_key_decode(line, raw, sizeof raw, &why) != 0) {
		xasprintf(cause, "public key %s: %s", arg, why);
		free(why);
		free(line);
		return (-1);
	}
	memcpy(pk, raw + 2 + AUDIT_KEYID_LEN, AUDIT_PK_LEN);
	free(line);
	return (0);
}

/* Write a whole file with O_EXCL; mode as given. */
static int
audit_key_write(const char *path, mode_t mode, const char *text,
    char **cause)
{
	int	fd;
	size_t	len = strlen(text);

	fd = open(path, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC|O_NOFOLLOW, mode);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fchmod(fd, mode) != 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return (-1);
	}
	close(fd);
	return (0);
}

/*
 * Make a host audit key pair: FILE holds the secret key (mode 0600),
 * FILE.pub the public key, each as a comment line and a base64 line.
 */
int
audit_host_key_generate(const char *path, char **cause)
{
	u_char	 pk[AUDIT_PK_LEN], *sk, *raw;
	char	*pubpath, *text, *b64, *fp, host[256];
	size_t	 rawlen = 2 + AUDIT_KEYID_LEN + crypto_sign_SECRETKEYBYTES;
	size_t	 size;
	int	 retval = -1;

	sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	raw = sodium_malloc(rawlen);
	size = sodium_base64_encoded_len(rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	b64 = sodium_malloc(size);
	if (sk == NULL || raw == NULL || b64 == NULL)
		fatalx("sodium_malloc failed");
	crypto_sign_keypair(pk, sk);
	if (gethostname(host, sizeof host) != 0)
		strlcpy(host, "unknown", sizeof host);
	host[sizeof host - 1] = '\0';
	fp = audit_key_fingerprint(pk);
	xasprintf(&pubpath, "%s.pub", path);

	raw[0] = 'E';
	raw[1] = 'd';
	audit_key_id(raw + 2, pk);
	memcpy(raw + 2 + AUDIT_KEYID_LEN, sk, crypto_sign_SECRETKEYBYTES);
	sodium_bin2base64(b64, size, raw, rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	xasprintf(&text, "untrusted comment: tmux-audit host secret key %s "
	    "(%s)\n%s\n", fp, host, b64);
	if (audit_key_write(path, 0600, text, cause) != 0)
		goto out;
	sodium_memzero(text, strlen(text));
	free(text);

	b64 = audit_key_text(pk);
	xasprintf(&text, "untrusted comment: tmux-audit host public key %s "
	    "(%s)\n%s\n", fp, host, b64);
	free(b64);
	b64 = NULL;
	if (audit_key_write(pubpath, 0644, text, cause) != 0) {
		unlink(path);
		goto out;
	}
	retval = 0;

out:
	free(text);
	free(fp);
	free(pubpath);
	sodium_free(sk);
	sodium_free(raw);
	return (retval);
}

/* Read the host secret key and certify the run key with it. */
static int
audit_seal_certify(const char *path, char **cause)
{
	size_t	 rawlen = 2 + AUDIT_KEYID_LEN + crypto_sign_SECRETKEYBYTES;
	u_char	*raw, msg[64], *p;
	char	*line, *why;

	if ((line = audit_key_file_line(path, 1, cause)) == NULL)
		return (-1);
	if ((raw = sodium_malloc(rawlen)) == NULL)
		fatalx("sodium_malloc failed");
	if (audit_key_decode(line, raw, rawlen, &why) != 0) {
		xasprintf(cause, "audit-log-key %s: %s", path, why);
		free(why);
		sodium_memzero(line, strlen(line));
		free(line);
		sodium_free(raw);
		return (-1);
	}
	sodium_memzero(line, strlen(line));
	free(line);

	/* The message: domain, run id, start time, run key. */
	p = msg;
	memcpy(p, audit_run, sizeof audit_run);
	p += sizeof audit_run;
	audit_put64(p, audit_run_start);
	p += 8;
	memcpy(p, audit_run_key, AUDIT_PK_LEN);
	p += AUDIT_PK_LEN;
	audit_seal_sign(audit_cert, AUDIT_D_RUNKEY, msg, p - msg,
	    raw + 2 + AUDIT_KEYID_LEN);
	crypto_sign_ed25519_sk_to_pk(audit_host_pk,
	    raw + 2 + AUDIT_KEYID_LEN);
	sodium_free(raw);
	audit_have_cert = 1;
	return (0);
}

/*
 * Sign domain (with its NUL) followed by data. Plain Ed25519 over the
 * concatenation.
 */
void
audit_seal_sign(u_char *sig, const char *domain, const u_char *data,
    size_t len, const u_char *sk)
{
	size_t	 dlen = strlen(domain) + 1;
	u_char	*msg;

	msg = xmalloc(dlen + len);
	memcpy(msg, domain, dlen);
	memcpy(msg + dlen, data, len);
	crypto_sign_detached(sig, NULL, msg, dlen + len, sk);
	free(msg);
}

/*
 * Start the keys of a run: a fresh signing key, which is also the run key,
 * certified by the host key if one is configured.
 */
int
audit_seal_run(uint64_t start, const u_char *run, const char *keyfile,
    char **cause)
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

const u_char *
audit_seal_run_key(void)
{
	return (audit_have_keys ? audit_run_key : NULL);
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

/* A new segment file begins: start its chain from the header. */
void
audit_chain_begin(const u_char *header)
{
	audit_hash_start(audit_chain, header);
	audit_digests.len = 0;
	audit_epoch_records = 0;
	audit_epoch_count = 1;		/* the segment record */
}

/* A record has been written: chain it and remember its digest. */
void
audit_chain_add(const u_char *rec, size_t len)
{
	audit_hash_record(audit_chain, rec, len);
	audit_buf_add(&audit_digests, audit_chain, AUDIT_DIGEST_LEN);
	audit_epoch_records++;
}

/*
 * A record has been made. It is chained later, when it is written (by the
 * writer thread, see audit-store.c), so the loop keeps its own count.
 */
void
audit_seal_count(void)
{
	audit_epoch_count++;
}

/* Must a seal be written now, because the epoch is full? */
int
audit_seal_due(void)
{
	return (audit_epoch_count >= AUDIT_EPOCH_MAX - 1);
}

/*
 * Write a seal into the pending buffer: sign everything since the last
 * seal, commit to the next key and erase the one that signed.
 */
void
audit_seal(int final)
{
	struct audit_buf	*b = &audit_pending;
	u_char			 next_pk[AUDIT_PK_LEN], *next_sk;
	u_char			 sig[AUDIT_SIG_LEN];
	size_t			 start, signed_len;

	if (!audit_have_keys)
		return;
	audit_store_chain();	/* everything before the seal */
	next_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (next_sk == NULL)
		fatalx("sodium_malloc failed");
	crypto_sign_keypair(next_pk, next_sk);

	start = audit_begin(AUDIT_SEAL);
	audit_rec_uint(b, AUDIT_F_SEAL_INDEX, audit_seal_index);
	audit_rec_bytes(b, AUDIT_F_RUN, audit_run, sizeof audit_run);
	audit_rec_uint(b, AUDIT_F_SEGMENT, audit_current_segment());
	audit_rec_uint(b, AUDIT_F_RECORDS, audit_epoch_records);
	if (final)
		audit_rec_uint(b, AUDIT_F_FINAL, 1);
	audit_rec_bytes(b, AUDIT_F_CHAIN, audit_chain, AUDIT_HASH_LEN);
	audit_rec_bytes(b, AUDIT_F_DIGESTS, audit_digests.data,
	    audit_digests.len);
	audit_rec_bytes(b, AUDIT_F_NEXT_KEY, next_pk, AUDIT_PK_LEN);
	signed_len = b->len - start;
	audit_rec_bytes(b, AUDIT_F_SIGNATURE, sig, AUDIT_SIG_LEN);
	audit_rec_end(b, start);

	audit_seal_sign(sig, AUDIT_D_SEAL, b->data + start, signed_len,
	    audit_sk);
	memcpy(b->data + b->len - AUDIT_SIG_LEN, sig, AUDIT_SIG_LEN);

	/* The old key is gone: nothing before this seal can be re-signed. */
	sodium_free(audit_sk);
	audit_sk = next_sk;
	memcpy(audit_pk, next_pk, AUDIT_PK_LEN);
	audit_seal_index++;

	audit_digests.len = 0;
	audit_epoch_records = 0;
	audit_epoch_count = 1;
	audit_store_chain();	/* the seal itself starts the next epoch */
	audit_syslog_record(b->data + start, b->len - start);
	memcpy(audit_last_chain, audit_chain, AUDIT_HASH_LEN);
	memcpy(audit_last_sig, sig, AUDIT_SIG_LEN);
	audit_have_last = 1;
}
