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
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Ed25519 keys (audit/FORMAT.md 11.9): their one-line text forms and
 * fingerprints, key files (a comment line, then the base64 line, as
 * signify has them), making a host key pair, and signing with a domain
 * string. A leaf beside the chain: the writer, the verifier and the
 * collector use it.
 */

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
 * Make a key pair: FILE holds the secret key (mode 0600), FILE.pub the
 * public key, each as a comment line naming what it is ("host" or
 * "collector") and a base64 line.
 */
int
audit_key_generate(const char *path, const char *what, char **cause)
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
	xasprintf(&text, "untrusted comment: tmux-audit %s secret key %s "
	    "(%s)\n%s\n", what, fp, host, b64);
	if (audit_key_write(path, 0600, text, cause) != 0)
		goto out;
	sodium_memzero(text, strlen(text));
	free(text);

	b64 = audit_key_text(pk);
	xasprintf(&text, "untrusted comment: tmux-audit %s public key %s "
	    "(%s)\n%s\n", what, fp, host, b64);
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

/* Make a host audit key pair (show-audit -G). */
int
audit_host_key_generate(const char *path, char **cause)
{
	return (audit_key_generate(path, "host", cause));
}

/*
 * Read a secret key file into sk (crypto_sign_SECRETKEYBYTES, memory the
 * caller got from sodium_malloc). The file must be private to its owner.
 * what names the file in an error about its contents ("audit-log-key ").
 */
int
audit_key_read_secret(const char *path, const char *what, u_char *sk,
    char **cause)
{
	size_t	 rawlen = 2 + AUDIT_KEYID_LEN + crypto_sign_SECRETKEYBYTES;
	u_char	*raw;
	char	*line, *why;
	int	 retval = -1;

	if ((line = audit_key_file_line(path, 1, cause)) == NULL)
		return (-1);
	if ((raw = sodium_malloc(rawlen)) == NULL)
		fatalx("sodium_malloc failed");
	if (audit_key_decode(line, raw, rawlen, &why) != 0) {
		xasprintf(cause, "%s%s: %s", what, path, why);
		free(why);
		goto out;
	}
	memcpy(sk, raw + 2 + AUDIT_KEYID_LEN, crypto_sign_SECRETKEYBYTES);
	retval = 0;
out:
	sodium_memzero(line, strlen(line));
	free(line);
	sodium_free(raw);
	return (retval);
}

/*
 * Sign domain (with its NUL) followed by data. Plain Ed25519 over the
 * concatenation.
 */
void
audit_sign(u_char *sig, const char *domain, const u_char *data,
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

/* Does sig sign domain (with its NUL) followed by data, by key pk? */
int
audit_sign_check(const u_char *sig, const char *domain, const u_char *data,
    size_t len, const u_char *pk)
{
	size_t	 dlen = strlen(domain) + 1;
	u_char	*msg;
	int	 ok;

	msg = xmalloc(dlen + len);
	memcpy(msg, domain, dlen);
	memcpy(msg + dlen, data, len);
	ok = (crypto_sign_verify_detached(sig, msg, dlen + len, pk) == 0);
	free(msg);
	return (ok);
}
