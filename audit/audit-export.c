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
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * A pane's recording played out: exported as asciicast v2 (asciinema) or
 * as a util-linux scriptreplay timing and data pair, or replayed to the
 * terminal with its original timing.
 */

struct audit_export {
	enum audit_export_kind	 kind;
	uint64_t		 pane;		/* or popup number */
	int			 popup;
	char			*name;		/* "pane %N" or "popup N" */
	int			 input;		/* asciicast: "i" events too */
	double			 speed;
	double			 maxidle;
	uint64_t		 from_seq;
	uint64_t		 from_time;

	int			 started;
	uint64_t		 t0;		/* time of the first event */
	uint64_t		 tprev;
	double			 elapsed;	/* since t0, idle capped */
	u_int			 width;
	u_int			 height;
	int			 paused;
	int			 quit;

	FILE			*out;
	struct audit_out	*lines;		/* when out is NULL */
	FILE			*data;
	char			*path;
	char			*data_path;
	u_char			 carry[2][4];	/* output, input */
	size_t			 ncarry[2];

	int			 tty;
	struct termios		 saved;
};

/*
 * Make an export of one pane (or popup); path is the output (stdout if
 * NULL).
 */
struct audit_export *
audit_export_create(enum audit_export_kind kind, uint64_t pane, int popup,
    const char *path, struct audit_out *lines, char **cause)
{
	struct audit_export	*ex;

	ex = xcalloc(1, sizeof *ex);
	ex->kind = kind;
	ex->pane = pane;
	ex->popup = popup;
	xasprintf(&ex->name, "%s%llu", popup ? "popup " : "pane %",
	    (unsigned long long)pane);
	ex->speed = 1.0;
	ex->maxidle = -1;
	ex->width = 80;
	ex->height = 24;
	ex->tty = -1;

	if (kind == AUDIT_EXPORT_SCRIPTREPLAY) {
		if (path == NULL) {
			*cause = xstrdup("scriptreplay export needs -O PREFIX "
			    "(writes PREFIX.timing and PREFIX.data)");
			free(ex->name);
			free(ex);
			return (NULL);
		}
		xasprintf(&ex->path, "%s.timing", path);
		xasprintf(&ex->data_path, "%s.data", path);
	} else if (path != NULL)
		ex->path = xstrdup(path);

	if (ex->path != NULL && (ex->out = fopen(ex->path, "w")) == NULL) {
		xasprintf(cause, "%s: %s", ex->path, strerror(errno));
		goto fail;
	}
	if (ex->out == NULL && (lines == NULL || kind == AUDIT_EXPORT_REPLAY))
		ex->out = stdout;
	if (ex->out == NULL)
		ex->lines = lines;
	if (ex->data_path != NULL &&
	    (ex->data = fopen(ex->data_path, "w")) == NULL) {
		xasprintf(cause, "%s: %s", ex->data_path, strerror(errno));
		goto fail;
	}
	return (ex);

fail:
	if (ex->out != NULL && ex->out != stdout)
		fclose(ex->out);
	free(ex->path);
	free(ex->data_path);
	free(ex->name);
	free(ex);
	return (NULL);
}

void
audit_export_set(struct audit_export *ex, double speed, double maxidle,
    uint64_t from_seq, uint64_t from_time, int input)
{
	if (speed > 0)
		ex->speed = speed;
	ex->maxidle = maxidle;
	ex->from_seq = from_seq;
	ex->from_time = from_time;
	ex->input = input;
}

/*
 * Append data as a JSON string. Output may split a UTF-8 character across
 * records, so an incomplete character at the end waits for the next
 * chunk; bytes that are not UTF-8 become U+FFFD.
 */
static void
audit_export_json(struct audit_export *ex, int stream, struct audit_buf *b,
    const u_char *data, size_t len)
{
	u_char			*carry = ex->carry[stream];
	size_t			*ncarry = &ex->ncarry[stream];
	struct audit_buf	 in, clean;
	const u_char		*p;
	size_t			 i, n, j;
	uint32_t		 cp;

	audit_buf_init(&in);
	audit_buf_init(&clean);
	audit_buf_add(&in, carry, *ncarry);
	audit_buf_add(&in, data, len);
	*ncarry = 0;
	p = in.data;
	for (i = 0; i < in.len; i += n) {
		if (p[i] < 0x80) {
			n = 1;
			audit_buf_add(&clean, &p[i], 1);
			continue;
		}
		n = (p[i] & 0xe0) == 0xc0 ? 2 : (p[i] & 0xf0) == 0xe0 ? 3 :
		    (p[i] & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0) {
			n = 1;
			audit_buf_add(&clean, "\xef\xbf\xbd", 3);
			continue;
		}
		if (i + n > in.len) {
			for (j = i + 1; j < in.len; j++) {
				if ((p[j] & 0xc0) != 0x80)
					break;
			}
			if (j == in.len) {
				*ncarry = in.len - i;
				memcpy(carry, p + i, *ncarry);
				break;
			}
			n = 1;
			audit_buf_add(&clean, "\xef\xbf\xbd", 3);
			continue;
		}
		cp = p[i] & (0x7f >> n);
		for (j = 1; j < n; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i + j] & 0x3f);
		}
		if (j != n || (n == 2 && cp < 0x80) ||
		    (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			n = 1;
			audit_buf_add(&clean, "\xef\xbf\xbd", 3);
			continue;
		}
		audit_buf_add(&clean, &p[i], n);
	}
	audit_json_string(b, clean.data, clean.len);
	audit_buf_free(&in);
	audit_buf_free(&clean);
}

/* Write one line of an export (with its newline). */
static void
audit_export_line(struct audit_export *ex, struct audit_buf *b)
{
	if (ex->out != NULL) {
		fwrite(b->data, 1, b->len, ex->out);
		return;
	}
	if (b->len != 0 && b->data[b->len - 1] == '\n')
		b->data[b->len - 1] = '\0';
	else
		audit_buf_add(b, "", 1);
	ex->lines->print(ex->lines->data, b->data);
}

/* Put the terminal in raw mode for the replay keys, if there is one. */
static void
audit_export_tty(struct audit_export *ex)
{
	struct termios	tio;

	if (ex->tty != -1 || !isatty(STDIN_FILENO))
		return;
	if (tcgetattr(STDIN_FILENO, &ex->saved) != 0)
		return;
	tio = ex->saved;
	tio.c_lflag &= ~(ICANON|ECHO);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
		ex->tty = STDIN_FILENO;
}

/*
 * Wait for a time (in microseconds) while reading the replay keys: space
 * pauses and resumes, . steps one chunk while paused, + and - change the
 * speed, q quits.
 */
static void
audit_export_wait(struct audit_export *ex, uint64_t us)
{
	struct pollfd	 pfd;
	uint64_t	 deadline = audit_now() + us, now;
	int		 timeout;
	char		 ch, keys[64];
	ssize_t		 n, i;
	int		 step;

	for (;;) {
		now = audit_now();
		if (!ex->paused && now >= deadline)
			return;
		if (ex->tty == -1) {
			if (ex->paused)
				return;
			usleep(deadline - now);
			return;
		}
		timeout = ex->paused ? -1 : (int)((deadline - now) / 1000);
		pfd.fd = ex->tty;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, timeout) <= 0)
			continue;
		n = read(ex->tty, keys, sizeof keys);
		if (n <= 0)
			continue;
		/*
		 * What starts with ESC is the terminal answering a query in
		 * the replayed output, not a key: ignore it all.
		 */
		if (keys[0] == '\033')
			continue;
		step = 0;
		for (i = 0; i < n; i++) {
			ch = keys[i];
			switch (ch) {
			case ' ':
				ex->paused = !ex->paused;
				break;
			case '.':
			case 'n':
				if (ex->paused)
					step = 1;
				break;
			case '+':
				ex->speed *= 2;
				break;
			case '-':
				ex->speed /= 2;
				break;
			case 'q':
				ex->quit = 1;
				return;
			}
		}
		if (step)
			return;
	}
}

/* Resize the window a replay runs in (inside tmux), to the pane's size. */
static void
audit_export_resize(struct audit_export *ex)
{
	char	*cmd;

	if (ex->kind != AUDIT_EXPORT_REPLAY || getenv("TMUX") == NULL)
		return;
	xasprintf(&cmd, "\"$(readlink /proc/%ld/exe)\" resize-window -x %u "
	    "-y %u >/dev/null 2>&1", (long)getpid(), ex->width, ex->height);
	if (system(cmd) != 0)
		log_debug("%s: resize failed", __func__);
	free(cmd);
}

/* Start the export at the first event: headers and the first size. */
static void
audit_export_begin(struct audit_export *ex, const struct audit_record *r)
{
	struct audit_buf	b;
	time_t			t;
	struct tm		tm;
	char			tbuf[64];

	ex->started = 1;
	ex->t0 = ex->tprev = r->time;
	ex->elapsed = 0;
	t = r->time / 1000000;
	switch (ex->kind) {
	case AUDIT_EXPORT_ASCIICAST:
		audit_buf_init(&b);
		audit_printf(&b, "{\"version\": 2, \"width\": %u, \"height\": "
		    "%u, \"timestamp\": %lld, \"title\": \"tmux %s\", "
		    "\"env\": {\"TERM\": \"tmux-256color\"}}\n", ex->width,
		    ex->height, (long long)t, ex->name);
		audit_export_line(ex, &b);
		audit_buf_free(&b);
		break;
	case AUDIT_EXPORT_SCRIPTREPLAY:
		gmtime_r(&t, &tm);
		strftime(tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S+00:00", &tm);
		fprintf(ex->data, "Script started on %s [COMMAND=\"tmux %s\" "
		    "COLUMNS=\"%u\" LINES=\"%u\"]\n", tbuf, ex->name, ex->width,
		    ex->height);
		fprintf(ex->out, "H 0.000000 START_TIME %s\n", tbuf);
		fprintf(ex->out, "H 0.000000 COLUMNS %u\n", ex->width);
		fprintf(ex->out, "H 0.000000 LINES %u\n", ex->height);
		break;
	case AUDIT_EXPORT_REPLAY:
		audit_export_tty(ex);
		audit_export_resize(ex);
		break;
	}
}

/*
 * The delay before an event, in seconds, idle gaps capped; the event's time
 * from the start goes in ex->elapsed.
 */
static double
audit_export_delay(struct audit_export *ex, uint64_t time)
{
	double	delay;

	delay = (time > ex->tprev ? time - ex->tprev : 0) / 1e6;
	if (ex->maxidle >= 0 && delay > ex->maxidle)
		delay = ex->maxidle;
	ex->tprev = time;
	ex->elapsed += delay;
	return (delay);
}

/* Take one record of the log. */
void
audit_export_record(struct audit_export *ex, const struct audit_record *r)
{
	const struct audit_field	*f;
	struct audit_buf		 b;
	uint64_t			 pane, v;
	double				 delay;
	int				 event;

	if (ex->quit || audit_rec_get_uint(r, ex->popup ? AUDIT_F_POPUP :
	    AUDIT_F_PANE, &pane) != 0 || pane != ex->pane)
		return;

	if (r->type == AUDIT_PANE_CREATED || r->type == AUDIT_POPUP_OPENED ||
	    r->type == AUDIT_PANE_RESIZED) {
		if (audit_rec_get_uint(r, AUDIT_F_WIDTH, &v) == 0)
			ex->width = v;
		if (audit_rec_get_uint(r, AUDIT_F_HEIGHT, &v) == 0)
			ex->height = v;
		if (!ex->started || r->type != AUDIT_PANE_RESIZED)
			return;
		delay = audit_export_delay(ex, r->time);
		if (ex->kind == AUDIT_EXPORT_ASCIICAST) {
			audit_buf_init(&b);
			audit_printf(&b, "[%.6f, \"r\", \"%ux%u\"]\n",
			    ex->elapsed, ex->width, ex->height);
			audit_export_line(ex, &b);
			audit_buf_free(&b);
		} else if (ex->kind == AUDIT_EXPORT_REPLAY) {
			audit_export_wait(ex, delay * 1e6 / ex->speed);
			audit_export_resize(ex);
		}
		return;
	}

	event = (r->type == AUDIT_OUTPUT ||
	    (r->type == AUDIT_INPUT && ex->input &&
	    ex->kind == AUDIT_EXPORT_ASCIICAST));
	if (!event || (f = audit_rec_find(r, AUDIT_F_DATA)) == NULL)
		return;
	if (r->seq < ex->from_seq || r->time < ex->from_time)
		return;
	if (!ex->started)
		audit_export_begin(ex, r);
	delay = audit_export_delay(ex, r->time);

	switch (ex->kind) {
	case AUDIT_EXPORT_ASCIICAST:
		audit_buf_init(&b);
		audit_printf(&b, "[%.6f, \"%s\", ", ex->elapsed,
		    r->type == AUDIT_OUTPUT ? "o" : "i");
		audit_export_json(ex, r->type == AUDIT_OUTPUT ? 0 : 1, &b,
		    f->value, f->len);
		audit_buf_add(&b, "]\n", 2);
		audit_export_line(ex, &b);
		audit_buf_free(&b);
		break;
	case AUDIT_EXPORT_SCRIPTREPLAY:
		fprintf(ex->out, "O %.6f %zu\n", delay, f->len);
		fwrite(f->value, 1, f->len, ex->data);
		break;
	case AUDIT_EXPORT_REPLAY:
		audit_export_wait(ex, delay * 1e6 / ex->speed);
		if (!ex->quit) {
			fwrite(f->value, 1, f->len, stdout);
			fflush(stdout);
		}
		break;
	}
}

/* When the export starts (its first event), or 0 if it has not. */
uint64_t
audit_export_start(struct audit_export *ex)
{
	return (ex->started ? ex->t0 : 0);
}

/* Finish: close files and give the terminal back. */
int
audit_export_finish(struct audit_export *ex, char **cause)
{
	int	retval = 0;

	if (ex->kind == AUDIT_EXPORT_SCRIPTREPLAY && ex->started)
		fprintf(ex->data, "\nScript done on tmux %s\n", ex->name);
	if (!ex->started) {
		xasprintf(cause, "no output recorded for %s", ex->name);
		retval = -1;
	}
	if (ex->out != NULL && ex->out != stdout && fclose(ex->out) != 0 &&
	    retval == 0) {
		xasprintf(cause, "%s: %s", ex->path, strerror(errno));
		retval = -1;
	} else if (ex->out == stdout)
		fflush(stdout);
	if (ex->data != NULL && fclose(ex->data) != 0 && retval == 0) {
		xasprintf(cause, "%s: %s", ex->data_path, strerror(errno));
		retval = -1;
	}
	if (ex->tty != -1) {
		/* Let late terminal answers arrive, then drop them. */
		usleep(20000);
		tcsetattr(ex->tty, TCSAFLUSH, &ex->saved);
	}
	free(ex->path);
	free(ex->data_path);
	free(ex->name);
	free(ex);
	return (retval);
}

/*
 * Set up -e (export) or -R (replay) of the -t pane or -P popup as the
 * arguments say. *by_time is set if -o gives a time, not a seq.
 */
struct audit_export *
audit_export_from_args(struct args *args, const struct audit_target *t,
    struct audit_out *out, int *by_time, char **cause)
{
	struct audit_export	*ex;
	enum audit_export_kind	 kind;
	const char		*s, *errstr;
	double			 speed = 1.0, maxidle = -1;
	uint64_t		 from_seq = 0, from_time = 0;
	char			*end;

	*by_time = 0;
	if (t->ttype != AUDIT_T_PANE && t->ttype != AUDIT_T_POPUP) {
		*cause = xstrdup("-e and -R need a pane or a popup: -t %N or "
		    "-P N");
		return (NULL);
	}
	if (args_has(args, 'R'))
		kind = AUDIT_EXPORT_REPLAY;
	else if (strcmp(args_get(args, 'e'), "asciicast") == 0)
		kind = AUDIT_EXPORT_ASCIICAST;
	else if (strcmp(args_get(args, 'e'), "scriptreplay") == 0)
		kind = AUDIT_EXPORT_SCRIPTREPLAY;
	else {
		xasprintf(cause, "unknown export: %s (asciicast or "
		    "scriptreplay)", args_get(args, 'e'));
		return (NULL);
	}
	if ((s = args_get(args, 'x')) != NULL) {
		speed = strtod(s, &end);
		if (*end != '\0' || speed <= 0) {
			xasprintf(cause, "bad speed: %s", s);
			return (NULL);
		}
	}
	if ((s = args_get(args, 'm')) != NULL) {
		maxidle = strtod(s, &end);
		if (*end != '\0' || maxidle < 0) {
			xasprintf(cause, "bad max idle: %s", s);
			return (NULL);
		}
	}
	if ((s = args_get(args, 'o')) != NULL) {
		from_seq = strtonum(s, 0, LLONG_MAX, &errstr);
		if (errstr != NULL) {
			*by_time = 1;
			if (audit_select_parse_time(s, &from_time) != 0) {
				xasprintf(cause, "bad start: %s (a sequence "
				    "number or a time)", s);
				return (NULL);
			}
			from_seq = 0;
		}
	}
	ex = audit_export_create(kind, t->tid, t->ttype == AUDIT_T_POPUP,
	    args_get(args, 'O'), out, cause);
	if (ex == NULL)
		return (NULL);
	audit_export_set(ex, speed, maxidle, from_seq, from_time,
	    args_has(args, 'I'));
	return (ex);
}

/* Quote a string for sh(1). */
static void
audit_export_quote(struct audit_buf *b, const char *s)
{
	audit_buf_add(b, " '", 2);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			audit_buf_add(b, "'\\''", 4);
		else
			audit_buf_add(b, s, 1);
	}
	audit_buf_add(b, "'", 1);
}

/*
 * -R (replay) and -W (follow) need a terminal of their own: open a new
 * window that runs show-audit outside the server on this server's log.
 */
enum cmd_retval
audit_export_window(struct cmdq_item *item, struct args *args,
    const struct audit_target *t)
{
	struct audit_buf	 b;
	struct cmd_parse_result	*pr;
	struct args_value	*values, *av;
	char			 exe[PATH_MAX], *argv[5], *id;
	const char		*dir = NULL, *flags = "xmoabIJTFfUCYgP";
	char			 flag[3] = "-?";
	ssize_t			 n;
	u_int			 npaths, i;

	if (!args_has(args, 'd')) {
		audit_current_files(&npaths);
		if (npaths == 0 || (dir = audit_current_dir()) == NULL) {
			cmdq_error(item, "audit log: not written by this server "
			    "(audit-log is off)");
			return (CMD_RETURN_ERROR);
		}
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) == -1) {
		cmdq_error(item, "audit log: cannot find the tmux binary");
		return (CMD_RETURN_ERROR);
	}
	exe[n] = '\0';

	audit_buf_init(&b);
	audit_export_quote(&b, exe);
	audit_buf_add(&b, " show-audit", 11);
	if (!args_has(args, 'd')) {
		audit_buf_add(&b, " -d", 3);
		audit_export_quote(&b, dir);
	}
	av = args_first_value(args, 'd');
	for (; av != NULL; av = args_next_value(av)) {
		audit_buf_add(&b, " -d", 3);
		audit_export_quote(&b, av->string);
	}
	audit_buf_add(&b, args_has(args, 'R') ? " -R" : " -W", 3);
	if (args_has(args, 't')) {
		xasprintf(&id, "%c%u", t->ttype == AUDIT_T_PANE ? '%' :
		    t->ttype == AUDIT_T_WINDOW ? '@' : '$', t->tid);
		if (t->tname != NULL) {
			free(id);
			id = xstrdup(t->tname);
		}
		audit_buf_add(&b, " -t", 3);
		audit_export_quote(&b, id);
		free(id);
	}
	for (i = 0; flags[i] != '\0'; i++) {
		if (!args_has(args, flags[i]))
			continue;
		flag[1] = flags[i];
		audit_buf_add(&b, " ", 1);
		audit_buf_add(&b, flag, 2);
		if (strchr("IJT", flags[i]) == NULL)
			audit_export_quote(&b, args_get(args, flags[i]));
	}
	audit_buf_add(&b, "; echo '[press enter]'; read x", 30);
	audit_buf_add(&b, "", 1);

	argv[0] = (char *)"new-window";
	argv[1] = (char *)"-n";
	argv[2] = (char *)(args_has(args, 'R') ? "audit-replay" : "audit-follow");
	argv[3] = (char *)b.data;
	argv[4] = NULL;
	values = args_from_vector(4, argv);
	pr = cmd_parse_from_arguments(values, 4, NULL);
	args_free_values(values, 4);
	free(values);
	audit_buf_free(&b);
	if (pr->status != CMD_PARSE_SUCCESS) {
		cmdq_error(item, "%s", pr->error);
		free(pr->error);
		return (CMD_RETURN_ERROR);
	}
	cmdq_insert_after(item, cmdq_get_command(pr->cmdlist, NULL));
	cmd_list_free(pr->cmdlist);
	return (CMD_RETURN_NORMAL);
}
