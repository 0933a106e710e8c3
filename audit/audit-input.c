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
#include <termios.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * What goes into and comes out of a terminal, for panes and popups alike.
 *
 * Input: every write to a pane's (or popup's) pty goes through the output
 * buffer of its bufferevent, so one callback on that buffer sees all of
 * it, whatever mode the pane is in, attributed to the current cause. Input
 * while the terminal reads a password is recorded as its size only, and
 * the commands that wrote it are told (audit_cause_redacted). Output: every
 * chunk read from the pty is recorded before it is parsed.
 */

/*
 * Is the terminal on fd reading a line it does not show? Echo off with
 * canonical mode on is what getpass(3), sudo, ssh, passwd and read -s set.
 */
int
audit_tty_noecho(int fd)
{
	struct termios	tio;

	if (fd == -1 || tcgetattr(fd, &tio) != 0)
		return (0);
	return ((~tio.c_lflag & ECHO) && (tio.c_lflag & ICANON));
}

/* Is the terminal on fd reading a password whose input is to be redacted? */
int
audit_tty_secret(int fd)
{
	return (audit_log_redact && audit_tty_noecho(fd));
}

/*
 * Copy n bytes from pos. The head of a bufferevent's output buffer is
 * frozen, so evbuffer_copyout_from refuses: peek at the chains instead.
 */
static void
audit_peek(struct evbuffer *evb, struct evbuffer_ptr *pos, u_char *out,
    size_t n)
{
	struct evbuffer_iovec	 iov[16], *v = iov;
	int			 nv, i;
	size_t			 len;

	nv = evbuffer_peek(evb, n, pos, NULL, 0);
	if (nv > (int)nitems(iov))
		v = xreallocarray(NULL, nv, sizeof *v);
	nv = evbuffer_peek(evb, n, pos, v, nv);
	for (i = 0; i < nv && n != 0; i++) {
		len = v[i].iov_len;
		if (len > n)
			len = n;
		memcpy(out, v[i].iov_base, len);
		out += len;
		n -= len;
	}
	if (v != iov)
		free(v);
	if (n != 0)
		fatalx("%s: %zu bytes missing", __func__, n);
}

/*
 * Do the n bytes at off in evb hold a carriage return or a newline (the
 * input submits a line)? If more is not NULL, it is set if bytes follow the
 * last of them.
 */
int
audit_input_submits(struct evbuffer *evb, size_t off, size_t n, int *more)
{
	struct evbuffer_ptr	 pos;
	struct evbuffer_iovec	*v;
	int			 nv, i, found = 0;
	size_t			 len;
	const u_char		*p, *cr, *nl;

	if (more != NULL)
		*more = 0;
	evbuffer_ptr_set(evb, &pos, off, EVBUFFER_PTR_SET);
	nv = evbuffer_peek(evb, n, &pos, NULL, 0);
	if (nv <= 0)
		return (0);
	v = xreallocarray(NULL, nv, sizeof *v);
	nv = evbuffer_peek(evb, n, &pos, v, nv);
	for (i = 0; i < nv && n != 0; i++) {
		len = v[i].iov_len;
		if (len > n)
			len = n;
		p = v[i].iov_base;
		cr = memrchr(p, '\r', len);
		nl = memrchr(p, '\n', len);
		if (cr == NULL || (nl != NULL && nl > cr))
			cr = nl;
		if (cr != NULL) {
			found = 1;
			if (more == NULL)
				break;
			*more = (cr != p + len - 1);
		} else if (found && len != 0)
			*more = 1;
		n -= len;
	}
	free(v);
	return (found);
}

/*
 * Bytes have been added to the output buffer of a pane's (or a popup's)
 * terminal: log them as input records, ident adding who they went to.
 */
void
audit_input_added(struct evbuffer *evb, const struct evbuffer_cb_info *info,
    int fd, void (*ident)(struct audit_buf *, void *), void *arg)
{
	struct audit_buf	*b = &audit_pending;
	struct evbuffer_ptr	 pos;
	struct client		*c;
	size_t			 start, total, off, n;
	int			 secret;

	if (info->n_added == 0 || !audit_active() || !audit_log_input)
		return;
	total = evbuffer_get_length(evb);
	if (info->n_added > total)
		return;		/* cannot happen without deferred callbacks */
	secret = audit_tty_secret(fd);

	for (off = 0; off < info->n_added; off += n) {
		n = info->n_added - off;
		if (n > AUDIT_DATA_CHUNK)
			n = AUDIT_DATA_CHUNK;
		start = audit_begin(AUDIT_INPUT);
		ident(b, arg);
		audit_add_cause(b);
		audit_rec_uint(b, AUDIT_F_SIZE, n);
		if (secret) {
			audit_rec_uint(b, AUDIT_F_REDACTED, 1);
			audit_cause_redacted();
		} else {
			evbuffer_ptr_set(evb, &pos, total - info->n_added + off,
			    EVBUFFER_PTR_SET);
			audit_peek(evb, &pos, audit_rec_data(b, AUDIT_F_DATA, n),
			    n);
		}
		audit_end(start);
	}

	/*
	 * A line submitted by a client that is not the owner: seal it before
	 * the bytes reach the pane, so what a guest runs there is signed and
	 * witnessed before it runs.
	 */
	c = audit_cause_client();
	if (!audit_client_is_owner(c) && audit_input_submits(evb,
	    total - info->n_added, info->n_added, NULL))
		audit_guest_seal(c);
}

/*
 * Bytes read from a pane's (tag AUDIT_F_PANE) or a popup's (AUDIT_F_POPUP)
 * terminal. While they are parsed, the hooks push "reply" as the cause of
 * what tmux answers.
 */
void
audit_output_read(u_int tag, u_int id, const u_char *buf, size_t len)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start, off, n;

	if (!audit_active() || !audit_log_output)
		return;
	for (off = 0; off < len; off += n) {
		n = len - off;
		if (n > AUDIT_DATA_CHUNK)
			n = AUDIT_DATA_CHUNK;
		start = audit_begin(AUDIT_OUTPUT);
		audit_rec_uint(b, tag, id);
		audit_rec_bytes(b, AUDIT_F_DATA, buf + off, n);
		audit_end(start);
	}
}
