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
 * The keystroke view (show-audit -k): what each client typed into each
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
struct audit_typed_line {
	char			*who;
	uint64_t		 pane;
	int			 popup;	/* pane is a popup's number */
	size_t			 red_off;	/* where "<redacted" ends text */
	uint64_t		 red_n;		/* and its bytes */
	uint64_t		 time;
	struct audit_buf	 text;
};

static struct audit_typed_line	*audit_typed_lines;
static u_int			 audit_typed_nlines;

/* Print a line and forget it. */
static void
audit_typed_print(struct audit_out *out, struct audit_typed_line *kl)
{
	struct audit_buf	b;

	if (kl->text.len != 0) {
		audit_buf_init(&b);
		audit_print_time(&b, kl->time);
		audit_printf(&b, " %s %s%llu: ", kl->who,
		    kl->popup ? "popup " : "%", (unsigned long long)kl->pane);
		audit_buf_add(&b, kl->text.data, kl->text.len);
		audit_buf_add(&b, "", 1);
		out->print(out->data, b.data);
		audit_buf_free(&b);
	}
	kl->text.len = 0;
}

/* Print every line still being typed. */
void
audit_typed_flush(struct audit_out *out)
{
	u_int	i;

	for (i = 0; i < audit_typed_nlines; i++) {
		audit_typed_print(out, &audit_typed_lines[i]);
		free(audit_typed_lines[i].who);
		audit_buf_free(&audit_typed_lines[i].text);
	}
	free(audit_typed_lines);
	audit_typed_lines = NULL;
	audit_typed_nlines = 0;
}

/* Does the line's text end with its last "<redacted N bytes>"? */
static int
audit_typed_red_end(struct audit_typed_line *kl)
{
	char	tail[64];
	int	n;

	n = snprintf(tail, sizeof tail, "<redacted %llu bytes>",
	    (unsigned long long)kl->red_n);
	return (kl->text.len == kl->red_off + n &&
	    memcmp(kl->text.data + kl->red_off, tail, n) == 0);
}

/* Find or make the line for a client and pane. */
static struct audit_typed_line *
audit_typed_find(const char *who, uint64_t pane, int popup,
    uint64_t time)
{
	struct audit_typed_line	*kl;
	u_int			 i;

	for (i = 0; i < audit_typed_nlines; i++) {
		kl = &audit_typed_lines[i];
		if (kl->pane == pane && kl->popup == popup &&
		    strcmp(kl->who, who) == 0) {
			if (kl->text.len == 0)
				kl->time = time;
			return (kl);
		}
	}
	audit_typed_lines = xreallocarray(audit_typed_lines,
	    audit_typed_nlines + 1, sizeof *audit_typed_lines);
	kl = &audit_typed_lines[audit_typed_nlines++];
	kl->who = xstrdup(who);
	kl->pane = pane;
	kl->popup = popup;
	kl->red_n = 0;
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
audit_typed_record(struct audit_out *out, const struct audit_record *r)
{
	const struct audit_field	*data;
	struct audit_typed_line		*kl;
	struct audit_buf		 who;
	uint64_t			 pane, size;
	char				*kind, *client, *user, *command;
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
	client = audit_rec_get_str(r, AUDIT_F_CAUSE_CLIENT);
	user = audit_rec_get_str(r, AUDIT_F_CAUSE_USER);
	command = audit_rec_get_str(r, AUDIT_F_CAUSE_COMMAND);

	audit_buf_init(&who);
	audit_printf(&who, "%s %s", client != NULL ? client : "-",
	    user != NULL ? user : "-");
	if (strcmp(kind, "command") == 0)
		audit_printf(&who, " (%s)", command != NULL ? command : "-");
	audit_buf_add(&who, "", 1);
	kl = audit_typed_find(who.data, pane, popup, r->time);
	audit_buf_free(&who);
	free(kind);
	free(client);
	free(user);
	free(command);

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
			audit_typed_print(out, kl);
	}
}
