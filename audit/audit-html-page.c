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
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The frame of the HTML report (show-audit -e html): one file that needs
 * nothing else when opened. Everything in the log is hostile, so text goes
 * into the page only escaped, data only as JSON that cannot end the script
 * element holding it, and a Content-Security-Policy lets nothing run but
 * the page's own inline scripts, named by their SHA-256 hashes: no other
 * script, no request of any kind (no fetch, image, font or frame).
 *
 * The player is asciinema-player, fetched and checked at build time
 * (./build.sh player) into a directory this file reads when a report is
 * made; without it the report is made all the same, and says so.
 */

/* Where the player's files are, if nothing says otherwise. */
#ifndef AUDIT_PLAYER_DIR
#define AUDIT_PLAYER_DIR "/usr/local/share/tmux-audit/player"
#endif

/* The most of each player file that is read. */
#define AUDIT_PLAYER_MAX (8 * 1024 * 1024)

struct audit_html_player {
	char	*dir;
	char	*js;
	size_t	 jslen;
	char	*css;
	size_t	 csslen;
	char	*license;
	size_t	 licenselen;
	char	*version;	/* the first line of its VERSION file */
	char	*why;		/* why there is none */
};

/* Read a whole file of the player's directory. */
static int
audit_html_read(const char *dir, const char *name, char **data, size_t *len,
    char **cause)
{
	struct stat	 sb;
	char		*path;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd;

	xasprintf(&path, "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > AUDIT_PLAYER_MAX) {
		xasprintf(cause, "%s: not a regular file of at most %d bytes",
		    path, AUDIT_PLAYER_MAX);
		goto fail;
	}
	*data = xmalloc(sb.st_size + 1);
	while (got < (size_t)sb.st_size) {
		n = read(fd, *data + got, sb.st_size - got);
		if (n <= 0) {
			xasprintf(cause, "%s: %s", path, n == 0 ?
			    "file changed while read" : strerror(errno));
			free(*data);
			goto fail;
		}
		got += n;
	}
	(*data)[got] = '\0';
	*len = got;
	close(fd);
	free(path);
	return (0);

fail:
	if (fd != -1)
		close(fd);
	free(path);
	*data = NULL;
	return (-1);
}

/*
 * The directory of the player's files: $TMUX_AUDIT_PLAYER if set (and then
 * only that), else the one tmux was built to install them in, else
 * audit/player beside the running tmux (a build tree, where ./build.sh
 * player puts them).
 */
static char *
audit_html_player_dir(void)
{
	char		 exe[PATH_MAX], *dir, *tree;
	const char	*s;
	ssize_t		 n;

	if ((s = getenv("TMUX_AUDIT_PLAYER")) != NULL)
		return (xstrdup(s));
	if (access(AUDIT_PLAYER_DIR "/VERSION", R_OK) == 0)
		return (xstrdup(AUDIT_PLAYER_DIR));
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) == -1)
		return (xstrdup(AUDIT_PLAYER_DIR));
	exe[n] = '\0';
	dir = dirname(exe);
	xasprintf(&tree, "%s/audit/player", dir);
	if (access(tree, R_OK) == 0)
		return (tree);
	free(tree);
	return (xstrdup(AUDIT_PLAYER_DIR));
}

/*
 * Could text sit inline in an element of this name (script, style)? Not
 * if it holds its end tag, or, for a script, "<!--" (which changes how the
 * rest is parsed).
 */
static int
audit_html_inline_ok(const char *text, size_t len, const char *name)
{
	const char	*p, *end = text + len;
	size_t		 n = strlen(name);

	for (p = text; (p = memchr(p, '<', end - p)) != NULL; p++) {
		if (end - p >= 4 && strncmp(p, "<!--", 4) == 0 &&
		    strcmp(name, "script") == 0)
			return (0);
		if ((size_t)(end - p) >= n + 2 && p[1] == '/' &&
		    strncasecmp(p + 2, name, n) == 0)
			return (0);
	}
	return (1);
}

/* Load the player; if it is not there, say why instead. */
struct audit_html_player *
audit_html_player_load(void)
{
	struct audit_html_player	*hp;
	char				*version = NULL, *cause = NULL;
	size_t				 len;

	hp = xcalloc(1, sizeof *hp);
	hp->dir = audit_html_player_dir();
	if (audit_html_read(hp->dir, "VERSION", &version, &len, &cause) != 0 ||
	    audit_html_read(hp->dir, "asciinema-player.min.js", &hp->js,
	    &hp->jslen, &cause) != 0 ||
	    audit_html_read(hp->dir, "asciinema-player.css", &hp->css,
	    &hp->csslen, &cause) != 0 ||
	    audit_html_read(hp->dir, "LICENSE", &hp->license, &hp->licenselen,
	    &cause) != 0)
		goto fail;
	if (!audit_html_inline_ok(hp->js, hp->jslen, "script") ||
	    !audit_html_inline_ok(hp->css, hp->csslen, "style")) {
		xasprintf(&cause, "%s: the player's files could end the "
		    "element holding them", hp->dir);
		goto fail;
	}
	version[strcspn(version, "\n")] = '\0';
	hp->version = version;
	return (hp);

fail:
	log_debug("%s: %s", __func__, cause);
	free(version);
	free(hp->js);
	free(hp->css);
	hp->js = hp->css = NULL;
	hp->why = cause;
	return (hp);
}

void
audit_html_player_free(struct audit_html_player *hp)
{
	free(hp->dir);
	free(hp->js);
	free(hp->css);
	free(hp->license);
	free(hp->version);
	free(hp->why);
	free(hp);
}

/* What the player is ("asciinema-player 3.18.0 ..."), or NULL if none. */
const char *
audit_html_player_version(struct audit_html_player *hp)
{
	return (hp->js != NULL ? hp->version : NULL);
}

/* Why there is no player. */
const char *
audit_html_player_why(struct audit_html_player *hp)
{
	return (hp->why);
}

/*
 * The length of the UTF-8 character at p (left bytes), or 0 if it is not
 * one (malformed, overlong, a surrogate, past U+10FFFF, or cut short).
 */
static size_t
audit_html_utf8(const u_char *p, size_t left, uint32_t *cp)
{
	size_t	n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return (1);
	}
	n = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 :
	    (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0 || n > left)
		return (0);
	*cp = p[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && *cp < 0x80) || (n == 3 && *cp < 0x800) ||
	    (n == 4 && *cp < 0x10000) || *cp > 0x10ffff ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return (0);
	return (n);
}

/*
 * Append text for an HTML element or attribute: & < > " ' as references,
 * control characters and bytes that are not UTF-8 as U+FFFD.
 */
void
audit_html_text(struct audit_buf *b, const void *data, size_t len)
{
	const u_char	*p = data;
	size_t		 i, n;
	uint32_t	 cp;

	for (i = 0; i < len; i += n) {
		if ((n = audit_html_utf8(p + i, len - i, &cp)) == 0) {
			n = 1;
			audit_buf_add(b, "\xef\xbf\xbd", 3);
			continue;
		}
		switch (cp) {
		case '&':
			audit_buf_add(b, "&amp;", 5);
			break;
		case '<':
			audit_buf_add(b, "&lt;", 4);
			break;
		case '>':
			audit_buf_add(b, "&gt;", 4);
			break;
		case '"':
			audit_buf_add(b, "&quot;", 6);
			break;
		case '\'':
			audit_buf_add(b, "&#39;", 5);
			break;
		default:
			if ((cp < 0x20 && cp != '\t' && cp != '\n') ||
			    (cp >= 0x7f && cp < 0xa0))
				audit_buf_add(b, "\xef\xbf\xbd", 3);
			else
				audit_buf_add(b, p + i, n);
			break;
		}
	}
}

/*
 * Append a JSON string that may sit in a script element: < > & as \u
 * escapes, so no "</script" or "<!--" can appear, U+2028 and U+2029 too,
 * control characters escaped, and bytes that are not UTF-8 as U+FFFD.
 */
void
audit_html_json(struct audit_buf *b, const void *data, size_t len)
{
	const u_char	*p = data;
	size_t		 i, n;
	uint32_t	 cp;

	audit_buf_add(b, "\"", 1);
	for (i = 0; i < len; i += n) {
		if ((n = audit_html_utf8(p + i, len - i, &cp)) == 0) {
			n = 1;
			audit_buf_add(b, "\\ufffd", 6);
			continue;
		}
		switch (cp) {
		case '"':
			audit_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			audit_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			audit_buf_add(b, "\\n", 2);
			break;
		case '<':
		case '>':
		case '&':
		case 0x2028:
		case 0x2029:
			audit_printf(b, "\\u%04x", cp);
			break;
		default:
			if (cp < 0x20 || cp == 0x7f)
				audit_printf(b, "\\u%04x", cp);
			else
				audit_buf_add(b, p + i, n);
			break;
		}
	}
	audit_buf_add(b, "\"", 1);
}

/* A JSON string of a C string, or null. */
void
audit_html_json_str(struct audit_buf *b, const char *s)
{
	if (s == NULL)
		audit_buf_add(b, "null", 4);
	else
		audit_html_json(b, s, strlen(s));
}

/* Add 'sha256-...' of an inline element's text to a policy. */
static void
audit_html_hash(struct audit_buf *b, const char *text, size_t len)
{
	u_char	hash[crypto_hash_sha256_BYTES];
	char	b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
		    sodium_base64_VARIANT_ORIGINAL)];

	crypto_hash_sha256(hash, text, len);
	sodium_bin2base64(b64, sizeof b64, hash, sizeof hash,
	    sodium_base64_VARIANT_ORIGINAL);
	audit_printf(b, " 'sha256-%s'", b64);
}

/*
 * The start of the page, to the opening of the body: the policy first,
 * then the style sheets. The player compiles its terminal from
 * WebAssembly, which the policy must allow ('wasm-unsafe-eval': it allows
 * no eval of script text).
 */
void
audit_html_head(FILE *f, struct audit_html_player *hp, const char *title)
{
	struct audit_buf	b;

	audit_buf_init(&b);
	audit_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; script-src");
	audit_html_hash(&b, audit_html_script, strlen(audit_html_script));
	if (hp->js != NULL) {
		audit_html_hash(&b, hp->js, hp->jslen);
		audit_printf(&b, " 'wasm-unsafe-eval'");
	}
	audit_printf(&b, "; style-src");
	audit_html_hash(&b, audit_html_style, strlen(audit_html_style));
	if (hp->css != NULL)
		audit_html_hash(&b, hp->css, hp->csslen);
	audit_printf(&b, "; base-uri 'none'; form-action 'none'\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<meta name=\"generator\" content=\"tmux-audit %s\">\n<title>",
	    AUDIT_VERSION);
	audit_html_text(&b, title, strlen(title));
	audit_printf(&b, "</title>\n");
	fwrite(b.data, 1, b.len, f);
	if (hp->css != NULL) {
		fputs("<style>", f);
		fwrite(hp->css, 1, hp->csslen, f);
		fputs("</style>\n", f);
	}
	fprintf(f, "<style>%s</style>\n</head>\n<body>\n", audit_html_style);
	audit_buf_free(&b);
}

/*
 * A data block: a script element of a type no browser runs, holding JSON
 * text (or JSON lines). In such text a < can only be inside a string, so
 * writing each as \u003c keeps the value and means nothing in it can end
 * the element.
 */
void
audit_html_block(FILE *f, const char *type, const char *id, const void *data,
    size_t len)
{
	const char	*p = data, *end = p + len, *lt;

	fprintf(f, "<script type=\"%s\" id=\"%s\">", type, id);
	while (p < end) {
		if ((lt = memchr(p, '<', end - p)) == NULL) {
			fwrite(p, 1, end - p, f);
			break;
		}
		fwrite(p, 1, lt - p, f);
		fputs("\\u003c", f);
		p = lt + 1;
	}
	fputs("</script>\n", f);
}

/* The scripts: the player's, then the page's own. */
void
audit_html_scripts(FILE *f, struct audit_html_player *hp)
{
	if (hp->js != NULL) {
		fputs("<script>", f);
		fwrite(hp->js, 1, hp->jslen, f);
		fputs("</script>\n", f);
	}
	fprintf(f, "<script>%s</script>\n", audit_html_script);
}

/* The end of the page: the player's licence, as it asks to be passed on. */
void
audit_html_foot(FILE *f, struct audit_html_player *hp)
{
	struct audit_buf	b;

	audit_buf_init(&b);
	audit_printf(&b, "<footer>\n<p>Made by tmux-audit %s (tmux %s).",
	    AUDIT_VERSION, getversion());
	if (hp->js != NULL) {
		audit_printf(&b, " The player is ");
		audit_html_text(&b, hp->version, strlen(hp->version));
		audit_printf(&b, ", under the Apache License 2.0:</p>\n"
		    "<details><summary>asciinema-player licence</summary>"
		    "<pre>");
		audit_html_text(&b, hp->license, hp->licenselen);
		audit_printf(&b, "</pre></details>\n");
	} else
		audit_printf(&b, "</p>\n");
	audit_printf(&b, "</footer>\n</body>\n</html>\n");
	fwrite(b.data, 1, b.len, f);
	audit_buf_free(&b);
}
