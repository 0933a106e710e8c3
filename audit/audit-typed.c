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

#include <stdlib.h>
#include <string.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The keystroke view (show-audit -T): what each client typed into each
 * pane, one line per line typed, with printable text as it is and other
 * keys named as tmux names them, in angle brackets: "ls -l<Enter>",
 * "<C-c>", "<Up>". A literal < is shown as <lt>.
 */

/* Escape sequences terminals send for keys, and tmux's names for them. */
static const struct {
	const char	*seq;
	const char	*name;
} audit_typed_seqs[] = {
	{ "\033[A", "Up" },
	{ "\033[B", "Down" },
	{ "\033[C", "Right" },
	{ "\033[D", "Left" },
	{ "\033OA", "Up" },
	{ "\033OB", "Down" },
	{ "\033OC", "Right" },
	{ "\033OD", "Left" },
	{ "\033[H", "Home" },
	{ "\033[F", "End" },
	{ "\033OH", "Home" },
	{ "\033OF", "End" },
	{ "\033[1~", "Home" },
	{ "\033[2~", "IC" },
	{ "\033[3~", "DC" },
	{ "\033[4~", "End" },
	{ "\033[5~", "PPage" },
	{ "\033[6~", "NPage" },
	{ "\033[Z", "BTab" },
	{ "\033OP", "F1" },
	{ "\033OQ", "F2" },
	{ "\033OR", "F3" },
	{ "\033OS", "F4" },
	{ "\033[15~", "F5" },
	{ "\033[17~", "F6" },
	{ "\033[18~", "F7" },
	{ "\033[19~", "F8" },
	{ "\033[20~", "F9" },
	{ "\033[21~", "F10" },
	{ "\033[23~", "F11" },
	{ "\033[24~", "F12" },
	{ "\033[200~", "paste" },
	{ "\033[201~", "/paste" },
	{ "\033[I", "FocusIn" },
	{ "\033[O", "FocusOut" }
};

/* A line being typed by one client into one pane. */
struct audit_typed_pending {
	char			*client;
	char			*user;
	char			*command;	/* of a command, not keys */
	uint64_t		 pane;
	int			 popup;	/* pane is a popup's number */
	size_t			 red_off;	/* where "<redacted" starts */
	uint64_t		 red_n;		/* and its bytes */
	uint64_t		 time;
	struct audit_buf	 text;
};

/* The lines being typed, and where the finished ones go. */
struct audit_typed {
	struct audit_typed_pending	*lines;
	u_int				 nlines;
	void				(*cb)(void *,
					    const struct audit_typed_line *);
	void				*arg;
};

struct audit_typed *
audit_typed_create(void (*cb)(void *, const struct audit_typed_line *),
    void *arg)
{
	struct audit_typed	*at;

	at = xcalloc(1, sizeof *at);
	at->cb = cb;
	at->arg = arg;
	return (at);
}

/* Print a line as -T shows it: "TIME CLIENT USER %PANE: text". */
void
audit_typed_print(struct audit_out *out, const struct audit_typed_line *tl)
{
	struct audit_buf	b;

	audit_buf_init(&b);
	audit_print_time(&b, tl->time);
	audit_printf(&b, " %s %s", tl->client != NULL ? tl->client : "-",
	    tl->user != NULL ? tl->user : "-");
	if (tl->command != NULL)
		audit_printf(&b, " (%s)", tl->command);
	audit_printf(&b, " %s%llu: ", tl->popup ? "popup " : "%",
	    (unsigned long long)tl->pane);
	audit_buf_add(&b, tl->text, tl->len);
	audit_buf_add(&b, "", 1);
	out->print(out->data, b.data);
	audit_buf_free(&b);
}

/* Hand a finished line on and start the next. */
static void
audit_typed_done(struct audit_typed *at, struct audit_typed_pending *kl)
{
	struct audit_typed_line	tl;

	if (kl->text.len != 0) {
		tl.time = kl->time;
		tl.pane = kl->pane;
		tl.popup = kl->popup;
		tl.client = kl->client;
		tl.user = kl->user;
		tl.command = kl->command;
		tl.text = (const char *)kl->text.data;
		tl.len = kl->text.len;
		at->cb(at->arg, &tl);
	}
	kl->text.len = 0;
}

/* Hand on every line still being typed, and forget them. */
void
audit_typed_flush(struct audit_typed *at)
{
	struct audit_typed_pending	*kl;
	u_int				 i;

	for (i = 0; i < at->nlines; i++) {
		kl = &at->lines[i];
		audit_typed_done(at, kl);
		free(kl->client);
		free(kl->user);
		free(kl->command);
		audit_buf_free(&kl->text);
	}
	free(at->lines);
	at->lines = NULL;
	at->nlines = 0;
}

void
audit_typed_free(struct audit_typed *at)
{
	audit_typed_flush(at);
	free(at);
}

/* Does the line's text end with its last "<redacted N bytes>"? */
static int
audit_typed_red_end(struct audit_typed_pending *kl)
{
	char	tail[64];
	int	n;

	n = snprintf(tail, sizeof tail, "<redacted %llu bytes>",
	    (unsigned long long)kl->red_n);
	return (kl->text.len == kl->red_off + n &&
	    memcmp(kl->text.data + kl->red_off, tail, n) == 0);
}

/* Are two strings, either of which may be NULL, the same? */
static int
audit_typed_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/*
 * Find or make the line of a client and pane; the strings are the line's
 * if it is new, else freed.
 */
static struct audit_typed_pending *
audit_typed_find(struct audit_typed *at, char *client, char *user,
    char *command, uint64_t pane, int popup, uint64_t time)
{
	struct audit_typed_pending	*kl;
	u_int				 i;

	for (i = 0; i < at->nlines; i++) {
		kl = &at->lines[i];
		if (kl->pane == pane && kl->popup == popup &&
		    audit_typed_same(kl->client, client) &&
		    audit_typed_same(kl->user, user) &&
		    audit_typed_same(kl->command, command)) {
			if (kl->text.len == 0)
				kl->time = time;
			free(client);
			free(user);
			free(command);
			return (kl);
		}
	}
	at->lines = xreallocarray(at->lines, at->nlines + 1,
	    sizeof *at->lines);
	kl = &at->lines[at->nlines++];
	kl->client = client;
	kl->user = user;
	kl->command = command;
	kl->pane = pane;
	kl->popup = popup;
	kl->red_n = 0;
	kl->red_off = 0;
	kl->time = time;
	audit_buf_init(&kl->text);
	return (kl);
}

/*
 * Decode one key from p (len bytes left) into b; returns the bytes used
 * and sets *eol if the key ends a line.
 */
static size_t
audit_typed_decode(struct audit_buf *b, const u_char *p, size_t len, int *eol)
{
	u_int	i;
	size_t	n;
	u_char	ch = p[0];

	*eol = 0;
	if (ch == '\033') {
		for (i = 0; i < nitems(audit_typed_seqs); i++) {
			n = strlen(audit_typed_seqs[i].seq);
			if (n <= len && memcmp(p, audit_typed_seqs[i].seq, n) == 0) {
				audit_printf(b, "<%s>", audit_typed_seqs[i].name);
				return (n);
			}
		}
		if (len >= 2 && p[1] >= 0x20 && p[1] < 0x7f && p[1] != '[' &&
		    p[1] != 'O') {
			audit_printf(b, "<M-%c>", p[1]);
			return (2);
		}
		audit_printf(b, "<Escape>");
		return (1);
	}
	switch (ch) {
	case '\r':
	case '\n':
		audit_printf(b, "<Enter>");
		*eol = 1;
		return (1);
	case '\t':
		audit_printf(b, "<Tab>");
		return (1);
	case 0x7f:
		audit_printf(b, "<BSpace>");
		return (1);
	case '<':
		audit_printf(b, "<lt>");
		return (1);
	case 0:
		audit_printf(b, "<C-Space>");
		return (1);
	}
	if (ch < 0x20) {
		if (ch <= 26)
			audit_printf(b, "<C-%c>", 'a' + ch - 1);
		else
			audit_printf(b, "<C-%c>", "[\\]^_"[ch - 27]);
		*eol = (ch == 3 || ch == 4);
		return (1);
	}
	if (ch < 0x80) {
		audit_buf_add(b, &ch, 1);
		return (1);
	}
	/* UTF-8: copy a whole valid character, else show the byte. */
	n = (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3 :
	    (ch & 0xf8) == 0xf0 ? 4 : 0;
	if (n != 0 && n <= len) {
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
		}
		if (i == n) {
			audit_buf_add(b, p, n);
			return (n);
		}
	}
	audit_printf(b, "<0x%02x>", ch);
	return (1);
}

/* Add an input record to the keystroke view. */
void
audit_typed_record(struct audit_typed *at, const struct audit_record *r)
{
	const struct audit_field	*data;
	struct audit_typed_pending	*kl;
	uint64_t			 pane, size;
	char				*kind, *command = NULL;
	size_t				 off;
	int				 eol, popup;

	if (r->type != AUDIT_INPUT || audit_rec_get_term(r, &pane, &popup) != 0)
		return;
	kind = audit_rec_get_str(r, AUDIT_F_CAUSE);
	if (kind == NULL || (strcmp(kind, "key") != 0 &&
	    strcmp(kind, "command") != 0)) {
		free(kind);
		return;
	}
	if (strcmp(kind, "command") == 0) {
		command = audit_rec_get_str(r, AUDIT_F_CAUSE_COMMAND);
		if (command == NULL)
			command = xstrdup("-");
	}
	free(kind);
	kl = audit_typed_find(at, audit_rec_get_str(r, AUDIT_F_CAUSE_CLIENT),
	    audit_rec_get_str(r, AUDIT_F_CAUSE_USER), command, pane, popup,
	    r->time);

	if ((data = audit_rec_find(r, AUDIT_F_DATA)) == NULL) {
		if (audit_rec_get_uint(r, AUDIT_F_SIZE, &size) != 0)
			return;
		/* Redacted keys in a row (one record each) are counted as one. */
		if (kl->red_n != 0 && kl->red_off <= kl->text.len &&
		    audit_typed_red_end(kl)) {
			kl->text.len = kl->red_off;
			kl->red_n += size;
		} else {
			kl->red_off = kl->text.len;
			kl->red_n = size;
		}
		audit_printf(&kl->text, "<redacted %llu bytes>",
		    (unsigned long long)kl->red_n);
		return;
	}
	for (off = 0; off < data->len; /* nothing */) {
		off += audit_typed_decode(&kl->text, data->value + off,
		    data->len - off, &eol);
		if (eol)
			audit_typed_done(at, kl);
	}
}
