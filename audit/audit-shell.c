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

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The command lines run in panes and popups (audit-log-commands), from
 * three sources, each named in the fields it gives:
 *
 * screen: when input that submits a line (a carriage return or a newline)
 * goes into a terminal whose echo is on, the logical line under the cursor
 * (wrapped rows joined) is read from the grid once the terminal has echoed
 * it: at the end of the first chunk of output after which the cursor has
 * left that line, or at the shell's C mark. The prompt is told apart by
 * where the cursor was when the line's first key arrived. Any program that
 * echoes a line gives this, and no mark can take it away.
 *
 * shell: the OSC 133 marks and OSC 7 the shell prints, claimed by whatever
 * runs in the terminal: B (the end of the prompt) cuts the command line
 * exactly, C says it starts, D;status that it has ended and how, OSC 7 the
 * working directory.
 *
 * kernel: the terminal's foreground process group (tcgetpgrp) and its
 * leader's argv, cwd and uid from /proc, sampled when a line is submitted
 * and, at most once every AUDIT_SHELL_WATCH milliseconds while the
 * terminal prints, to see the foreground change (a process record).
 *
 * Nothing here runs per byte: the output path costs a flag test per chunk
 * (and one per mark); a line is read once, when it is done.
 */

#define AUDIT_SHELL_TEXT_MAX 16384	/* bytes of a command line kept */
#define AUDIT_SHELL_ROWS_MAX 256	/* rows of one logical line */
#define AUDIT_SHELL_MARK_MAX 4096	/* the longest mark argument read */
#define AUDIT_SHELL_MARK_SHOWN 64	/* bytes of a refused mark recorded */
#define AUDIT_SHELL_REFUSED_MAX 8	/* refused marks recorded per command */
#define AUDIT_SHELL_ARGS_MAX 32		/* kernel_argv fields */
#define AUDIT_SHELL_WATCH 100		/* ms between foreground checks */
#define AUDIT_SHELL_OPEN 8		/* commands only the screen saw */

/* What the kernel says about a terminal's foreground process group. */
struct audit_shell_proc {
	pid_t		 pid;		/* 0 if none */
	int		 have_uid;
	uid_t		 uid;		/* effective */
	char		*argv;		/* arguments, each NUL-terminated */
	size_t		 argvlen;
	char		*cwd;
	int		 truncated;
};

/*
 * A command only the screen saw, running until the foreground comes back to
 * the process that read it (a shell running python3, python3 running a
 * line of its own).
 */
struct audit_shell_open {
	uint64_t	 id;
	pid_t		 reader;	/* the foreground at submit */
	int		 left;		/* the foreground changed since */
};

/* A line submitted and not read yet: the terminal has not echoed it. */
struct audit_shell_line {
	int			 active;
	struct audit_cause_saved cause;
	struct audit_shell_proc	 kernel;
	struct grid		*gd;
	u_int			 sx;
	u_int			 hsize;
	u_int			 y;		/* its first row */
	u_int			 x0;		/* cells of prompt before it */
	int			 x0_known;	/* typing began there */
	struct audit_buf	 prompt;	/* as it was at submit */
	struct audit_buf	 text;
};

/* A terminal (a pane or a popup) and what its command lines are doing. */
struct audit_shell {
	struct window_pane	*wp;		/* NULL for a popup */
	struct screen		*s;
	int			 fd;		/* a popup's terminal */
	void			(*ident)(struct audit_buf *, void *);
	void			*arg;

	/* Where the cursor was when the current line's first key came. */
	int			 typing;
	struct grid		*type_gd;
	u_int			 type_y;
	u_int			 type_x;

	struct audit_shell_line	 line;

	/* Lines read at a marked prompt, held for the C mark. */
	u_int			 held;		/* how many */
	int			 held_unmarked;	/* a line had no B mark */
	int			 held_truncated;
	struct audit_cause_saved held_cause;
	struct audit_shell_proc	 held_kernel;
	struct audit_buf	 held_screen;
	struct audit_buf	 held_prompt;
	struct audit_buf	 held_shell;
	struct audit_cause_saved last_cause;	/* of the last line submitted */

	/* The last B mark, until a line is read at it. */
	int			 b_set;
	struct grid		*b_gd;
	u_int			 b_sx;
	u_int			 b_hsize;
	u_int			 b_y;
	u_int			 b_x;
	char			*cwd;		/* OSC 7 */
	u_int			 refused;

	/* Commands running: one a C mark opened, those only the screen saw. */
	uint64_t		 shell_cmd;
	struct audit_shell_open	 open[AUDIT_SHELL_OPEN];
	u_int			 nopen;

	/* The foreground process group, checked while output comes. */
	pid_t			 pgrp;
	struct event		 watch;
	int			 watching;

	TAILQ_ENTRY(audit_shell) entry;
};
static TAILQ_HEAD(, audit_shell) audit_shells =
    TAILQ_HEAD_INITIALIZER(audit_shells);
static uint64_t	audit_shell_next_id;

static void	audit_shell_watch_cb(int, short, void *);

/* Is command capture on? */
static int
audit_shell_on(void)
{
	return (audit_active() && audit_log_commands);
}

/* The terminal's file descriptor, or -1 once it is gone. */
static int
audit_shell_fd(struct audit_shell *sh)
{
	if (sh->wp != NULL)
		return (sh->wp->fd);
	return (sh->fd);
}

/* Start watching a terminal: wp is the pane, or NULL and s is a popup's. */
struct audit_shell *
audit_shell_create(struct window_pane *wp, struct screen *s, int fd,
    void (*ident)(struct audit_buf *, void *), void *arg)
{
	struct audit_shell	*sh;

	sh = xcalloc(1, sizeof *sh);
	sh->wp = wp;
	sh->s = s;
	sh->fd = fd;
	sh->ident = ident;
	sh->arg = arg;
	audit_buf_init(&sh->line.prompt);
	audit_buf_init(&sh->line.text);
	audit_buf_init(&sh->held_screen);
	audit_buf_init(&sh->held_prompt);
	audit_buf_init(&sh->held_shell);
	evtimer_set(&sh->watch, audit_shell_watch_cb, sh);
	TAILQ_INSERT_TAIL(&audit_shells, sh, entry);
	return (sh);
}

/* Look at the foreground process group pid in /proc. */
static void
audit_shell_sample(struct audit_shell_proc *kp, pid_t pid)
{
	char		 path[64], link[PATH_MAX], *line = NULL;
	size_t		 size = 0;
	ssize_t		 n;
	u_long		 ruid, euid;
	FILE		*f;
	int		 fd;

	memset(kp, 0, sizeof *kp);
	kp->pid = pid;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) != -1) {
		kp->argv = xmalloc(AUDIT_SHELL_TEXT_MAX);
		while (kp->argvlen < AUDIT_SHELL_TEXT_MAX) {
			n = read(fd, kp->argv + kp->argvlen,
			    AUDIT_SHELL_TEXT_MAX - kp->argvlen);
			if (n <= 0)
				break;
			kp->argvlen += n;
		}
		if (kp->argvlen == AUDIT_SHELL_TEXT_MAX)
			kp->truncated = 1;
		close(fd);
	}

	snprintf(path, sizeof path, "/proc/%ld/cwd", (long)pid);
	n = readlink(path, link, sizeof link - 1);
	if (n > 0) {
		link[n] = '\0';
		kp->cwd = xstrdup(link);
	}

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "re")) != NULL) {
		while (getline(&line, &size, f) != -1) {
			if (sscanf(line, "Uid: %lu %lu", &ruid, &euid) == 2) {
				kp->have_uid = 1;
				kp->uid = euid;
				break;
			}
		}
		free(line);
		fclose(f);
	}
}

static void
audit_shell_proc_free(struct audit_shell_proc *kp)
{
	free(kp->argv);
	free(kp->cwd);
	memset(kp, 0, sizeof *kp);
}

/* Add what the kernel said: kernel_pid, kernel_uid, kernel_argv*, ... */
static int
audit_shell_add_proc(struct audit_buf *b, const struct audit_shell_proc *kp)
{
	size_t	off, len;
	u_int	n = 0;
	int	truncated = kp->truncated;

	if (kp->pid <= 0)
		return (0);
	audit_rec_uint(b, AUDIT_F_KERNEL_PID, kp->pid);
	if (kp->have_uid)
		audit_rec_uint(b, AUDIT_F_KERNEL_UID, kp->uid);
	for (off = 0; off < kp->argvlen; off += len + 1) {
		len = strnlen(kp->argv + off, kp->argvlen - off);
		if (n++ == AUDIT_SHELL_ARGS_MAX) {
			truncated = 1;
			break;
		}
		audit_rec_bytes(b, AUDIT_F_KERNEL_ARGV, kp->argv + off, len);
	}
	audit_rec_str(b, AUDIT_F_KERNEL_CWD, kp->cwd);
	return (truncated);
}

/*
 * Does row y go on in row y + 1? It does if the terminal wrapped it, and
 * also if its last column holds a character: zsh and fish move to the next
 * row themselves, and erasing that row (as zsh does) unwraps the row above.
 */
static int
audit_shell_joined(struct grid *gd, u_int y)
{
	struct grid_line	*gl = grid_get_line(gd, y);
	struct grid_cell	 gc;

	if (gl->flags & GRID_LINE_WRAPPED)
		return (1);
	if (gd->sx == 0 || gl->cellused < gd->sx)
		return (0);
	grid_get_cell(gd, gd->sx - 1, y, &gc);
	return ((~gc.flags & GRID_FLAG_CLEARED) &&
	    !(gc.data.size == 1 && gc.data.data[0] == ' '));
}

/*
 * The first row of the logical line that row y is part of: only rows the
 * terminal wrapped count here, or the end of the output above a prompt
 * could be taken for the start of a command.
 */
static u_int
audit_shell_first_row(struct grid *gd, u_int y)
{
	u_int	n;

	for (n = 0; y > 0 && n < AUDIT_SHELL_ROWS_MAX; n++) {
		if (~grid_get_line(gd, y - 1)->flags & GRID_LINE_WRAPPED)
			break;
		y--;
	}
	return (y);
}

/* The last row of the logical line that starts at row y. */
static u_int
audit_shell_last_row(struct grid *gd, u_int y)
{
	u_int	n, last = gd->hsize + gd->sy - 1;

	for (n = 0; y < last && n < AUDIT_SHELL_ROWS_MAX; n++) {
		if (!audit_shell_joined(gd, y))
			break;
		y++;
	}
	return (y);
}

/*
 * Append the text of rows y to last, cells from cell offset from (counted
 * through the rows: row * width + column) up to offset to, as UTF-8.
 * Padding cells are skipped; blanks at the end are left out if trim is set.
 * Returns 1 if the text was cut at AUDIT_SHELL_TEXT_MAX.
 */
static int
audit_shell_cells(struct audit_buf *b, struct grid *gd, u_int y, u_int last,
    u_int from, u_int to, int trim)
{
	struct grid_cell	 gc;
	u_int			 yy, x, used, off;
	size_t			 blanks = 0, start = b->len;

	for (yy = y; yy <= last; yy++) {
		used = grid_get_line(gd, yy)->cellused;
		if (used > gd->sx)
			used = gd->sx;
		for (x = 0; x < used; x++) {
			off = (yy - y) * gd->sx + x;
			if (off < from)
				continue;
			if (off >= to)
				goto out;
			grid_get_cell(gd, x, yy, &gc);
			if (gc.flags & GRID_FLAG_PADDING)
				continue;
			if (gc.data.size == 1 && gc.data.data[0] == ' ') {
				blanks++;
				continue;
			}
			if (b->len - start + blanks + gc.data.size >
			    AUDIT_SHELL_TEXT_MAX)
				return (1);
			for (; blanks != 0; blanks--)
				audit_buf_add(b, " ", 1);
			audit_buf_add(b, gc.data.data, gc.data.size);
		}
	}
out:
	if (!trim && b->len - start + blanks <= AUDIT_SHELL_TEXT_MAX) {
		for (; blanks != 0; blanks--)
			audit_buf_add(b, " ", 1);
	}
	return (0);
}

/*
 * Do two prompts read from a row say the same? Blanks at the end do not
 * count: a cell the cursor moved over and one a space was written to look
 * the same.
 */
static int
audit_shell_same(const struct audit_buf *a, const struct audit_buf *b)
{
	size_t	alen = a->len, blen = b->len;

	while (alen != 0 && a->data[alen - 1] == ' ')
		alen--;
	while (blen != 0 && b->data[blen - 1] == ' ')
		blen--;
	return (alen == blen && (alen == 0 ||
	    memcmp(a->data, b->data, alen) == 0));
}

/* Is the last B mark still where it was put? */
static int
audit_shell_b_valid(struct audit_shell *sh)
{
	struct grid	*gd = sh->s->grid;

	return (sh->b_set && sh->b_gd == gd && gd->sx == sh->b_sx &&
	    gd->hsize >= sh->b_hsize && sh->b_y < gd->hsize + gd->sy);
}

/* Add an id of a command line to a record, with the terminal. */
static void
audit_shell_add_id(struct audit_shell *sh, struct audit_buf *b, uint64_t id)
{
	sh->ident(b, sh->arg);
	if (id != 0)
		audit_rec_uint(b, AUDIT_F_COMMAND_ID, id);
}

/*
 * Write a command-line record. started says what said it began: "mark"
 * (the shell's C mark), "echo" (no marks: the terminal echoed it) or
 * "unconfirmed" (read at a marked prompt, but no C mark came).
 */
static uint64_t
audit_shell_write(struct audit_shell *sh, const char *started,
    const struct audit_cause_saved *cause, const struct audit_shell_proc *kp,
    const struct audit_buf *screen, const struct audit_buf *prompt,
    const struct audit_buf *shell, int truncated)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;
	uint64_t		 id;

	id = ++audit_shell_next_id;
	start = audit_begin(AUDIT_COMMAND_LINE);
	audit_shell_add_id(sh, b, id);
	audit_rec_str(b, AUDIT_F_STARTED, started);
	if (cause != NULL && cause->kind != NULL)
		audit_add_saved_cause(b, cause);
	if (screen != NULL) {
		audit_rec_bytes(b, AUDIT_F_SCREEN_TEXT, screen->data,
		    screen->len);
		if (prompt != NULL && prompt->len != 0) {
			audit_rec_bytes(b, AUDIT_F_SCREEN_PROMPT, prompt->data,
			    prompt->len);
		}
	}
	if (shell != NULL)
		audit_rec_bytes(b, AUDIT_F_SHELL_TEXT, shell->data, shell->len);
	audit_rec_str(b, AUDIT_F_SHELL_CWD, sh->cwd);
	if (audit_shell_add_proc(b, kp))
		truncated = 1;
	if (truncated)
		audit_rec_uint(b, AUDIT_F_TRUNCATED, 1);
	audit_end(start);

	log_debug("%s: command %llu (%s)", __func__, (unsigned long long)id,
	    started);
	return (id);
}

/* Write a command-end record; source says who saw the end. */
static void
audit_shell_end(struct audit_shell *sh, uint64_t id, const char *source,
    int status)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;

	start = audit_begin(AUDIT_COMMAND_END);
	audit_shell_add_id(sh, b, id);
	audit_rec_str(b, AUDIT_F_SOURCE, source);
	if (status != -1)
		audit_rec_uint(b, AUDIT_F_SHELL_STATUS, status);
	audit_end(start);
}

/*
 * A command only the screen saw has been written: it runs until the
 * foreground comes back to the process that read it. An earlier command
 * that process read has ended by now, when is not known.
 */
static void
audit_shell_opened(struct audit_shell *sh, uint64_t id, pid_t reader)
{
	struct audit_shell_open	*op;
	u_int			 i;

	for (i = 0; i < sh->nopen; /* nothing */) {
		if (sh->open[i].reader == reader) {
			memmove(&sh->open[i], &sh->open[i + 1],
			    (sh->nopen - i - 1) * sizeof *sh->open);
			sh->nopen--;
		} else
			i++;
	}
	if (reader <= 0)
		return;
	if (sh->nopen == AUDIT_SHELL_OPEN) {
		memmove(&sh->open[0], &sh->open[1],
		    (sh->nopen - 1) * sizeof *sh->open);
		sh->nopen--;
	}
	op = &sh->open[sh->nopen++];
	op->id = id;
	op->reader = reader;
	op->left = 0;
}

/* The foreground is now pgrp: end what its return finishes. */
static void
audit_shell_foreground(struct audit_shell *sh, pid_t pgrp)
{
	u_int	i;

	for (i = 0; i < sh->nopen; /* nothing */) {
		if (sh->open[i].reader != pgrp) {
			sh->open[i++].left = 1;
			continue;
		}
		if (!sh->open[i].left) {
			i++;
			continue;
		}
		audit_shell_end(sh, sh->open[i].id, "kernel", -1);
		memmove(&sh->open[i], &sh->open[i + 1],
		    (sh->nopen - i - 1) * sizeof *sh->open);
		sh->nopen--;
	}
}

/* Forget the lines held for the C mark. */
static void
audit_shell_unhold(struct audit_shell *sh)
{
	sh->held = sh->held_unmarked = sh->held_truncated = 0;
	audit_cause_saved_free(&sh->held_cause);
	audit_shell_proc_free(&sh->held_kernel);
	sh->held_screen.len = 0;
	sh->held_prompt.len = 0;
	sh->held_shell.len = 0;
}

/*
 * Write the lines held for the C mark as one command line, with the shell's
 * cut if every line had a B mark.
 */
static uint64_t
audit_shell_write_held(struct audit_shell *sh, const char *started)
{
	uint64_t	id;

	id = audit_shell_write(sh, started, &sh->held_cause, &sh->held_kernel,
	    &sh->held_screen, &sh->held_prompt,
	    sh->held_unmarked ? NULL : &sh->held_shell, sh->held_truncated);
	audit_shell_unhold(sh);
	return (id);
}

/* Append a line to a held text, after a newline if it is not the first. */
static void
audit_shell_append(struct audit_buf *b, int first, const struct audit_buf *line)
{
	if (!first)
		audit_buf_add(b, "\n", 1);
	audit_buf_add(b, line->data, line->len);
}

/*
 * Read the line submitted, now that the terminal has echoed it: from the
 * grid if it still shows the same prompt on the same row, otherwise as it
 * was at submit. A line read at a B mark waits for the C mark with the rest
 * of its command; any other line is written at once.
 */
static void
audit_shell_read(struct audit_shell *sh)
{
	struct audit_shell_line	*ln = &sh->line;
	struct screen		*s = sh->s;
	struct grid		*gd = s->grid;
	struct audit_buf	 prompt, text, cut, *use;
	u_int			 y = 0, last = 0, off = 0, from;
	int			 valid, marked = 0, truncated = 0;
	uint64_t		 id;

	ln->active = 0;
	audit_buf_init(&prompt);
	audit_buf_init(&text);
	audit_buf_init(&cut);

	/*
	 * A full-screen program may have taken the alternate screen already:
	 * then the rows shown before are in the copy tmux keeps of them.
	 */
	valid = (gd == ln->gd && gd->sx == ln->sx && gd->hsize >= ln->hsize);
	if (valid && s->saved_grid != NULL) {
		off = gd->hsize;
		gd = s->saved_grid;
		valid = (ln->y >= off && gd->sx == ln->sx);
	}
	if (valid) {
		y = ln->y - off;
		valid = (y < gd->hsize + gd->sy);
	}
	if (valid) {
		last = audit_shell_last_row(gd, y);
		audit_shell_cells(&prompt, gd, y, last, 0, ln->x0, 0);
		truncated = audit_shell_cells(&text, gd, y, last, ln->x0,
		    UINT_MAX, 1);
		if (!audit_shell_same(&prompt, &ln->prompt) || text.len == 0)
			valid = 0;
	}
	use = valid ? &text : &ln->text;
	if (!valid) {
		prompt.len = 0;
		audit_buf_add(&prompt, ln->prompt.data, ln->prompt.len);
	}

	/*
	 * The shell's cut: at a B mark on the line's rows, where typing began
	 * (if that is known); a B elsewhere was left by something else.
	 */
	if (valid && audit_shell_b_valid(sh) && sh->b_y <= last + off) {
		if (sh->b_y >= ln->y) {
			from = (sh->b_y - ln->y) * gd->sx + sh->b_x;
			if (!ln->x0_known || from == ln->x0) {
				if (audit_shell_cells(&cut, gd, y, last, from,
				    UINT_MAX, 1))
					truncated = 1;
				marked = 1;
			}
		}
		sh->b_set = 0;
	}

	if ((marked && (use->len != 0 || cut.len != 0)) || sh->held) {
		/* Part of a command the shell has not started yet. */
		if (sh->held == 0) {
			audit_buf_add(&sh->held_prompt, prompt.data,
			    prompt.len);
		}
		audit_shell_append(&sh->held_screen, sh->held == 0, use);
		if (marked)
			audit_shell_append(&sh->held_shell, sh->held == 0,
			    &cut);
		else
			sh->held_unmarked = 1;
		sh->held++;
		if (truncated || sh->held_screen.len > AUDIT_SHELL_TEXT_MAX ||
		    sh->held_shell.len > AUDIT_SHELL_TEXT_MAX)
			sh->held_truncated = 1;
		audit_cause_saved_free(&sh->held_cause);
		sh->held_cause = ln->cause;
		memset(&ln->cause, 0, sizeof ln->cause);
		audit_shell_proc_free(&sh->held_kernel);
		sh->held_kernel = ln->kernel;
		memset(&ln->kernel, 0, sizeof ln->kernel);
		if (sh->held_truncated)
			audit_shell_write_held(sh, "unconfirmed");
	} else if (use->len != 0) {
		id = audit_shell_write(sh, "echo", &ln->cause, &ln->kernel, use,
		    &prompt, NULL, truncated);
		audit_shell_opened(sh, id, ln->kernel.pid);
	}

	audit_cause_saved_free(&ln->cause);
	audit_shell_proc_free(&ln->kernel);
	ln->prompt.len = 0;
	ln->text.len = 0;
	audit_buf_free(&prompt);
	audit_buf_free(&text);
	audit_buf_free(&cut);
}

/* Check the foreground soon, unless a check is already due. */
static void
audit_shell_watch(struct audit_shell *sh)
{
	struct timeval	tv = { 0, AUDIT_SHELL_WATCH * 1000 };

	sh->watching = 1;
	evtimer_add(&sh->watch, &tv);
}

/*
 * The kernel says the foreground process group is pgrp (kp): if that is a
 * change, say what it is now. A command only the screen saw has ended when
 * the foreground comes back to the process that read it.
 */
static void
audit_shell_seen(struct audit_shell *sh, pid_t pgrp,
    const struct audit_shell_proc *kp)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;

	if (pgrp == sh->pgrp)
		return;
	sh->pgrp = pgrp;

	start = audit_begin(AUDIT_PROCESS);
	if (sh->shell_cmd != 0)
		audit_shell_add_id(sh, b, sh->shell_cmd);
	else if (sh->nopen != 0)
		audit_shell_add_id(sh, b, sh->open[sh->nopen - 1].id);
	else
		audit_shell_add_id(sh, b, 0);
	if (audit_shell_add_proc(b, kp))
		audit_rec_uint(b, AUDIT_F_TRUNCATED, 1);
	audit_end(start);

	audit_shell_foreground(sh, pgrp);
}

/* The foreground check is due. */
static void
audit_shell_watch_cb(__unused int fd, __unused short events, void *arg)
{
	struct audit_shell	*sh = arg;
	struct audit_shell_proc	 kp;
	pid_t			 pgrp;
	int			 tfd;

	sh->watching = 0;
	if (!audit_shell_on() || (tfd = audit_shell_fd(sh)) == -1)
		return;
	if ((pgrp = tcgetpgrp(tfd)) <= 0 || pgrp == sh->pgrp)
		return;
	audit_shell_sample(&kp, pgrp);
	audit_shell_seen(sh, pgrp, &kp);
	audit_shell_proc_free(&kp);
}

/* Stop watching a terminal; what is still open ends with it. */
void
audit_shell_free(struct audit_shell *sh)
{
	u_int	i;

	if (sh == NULL)
		return;
	if (audit_shell_on()) {
		if (sh->line.active)
			audit_shell_read(sh);
		if (sh->held)
			audit_shell_write_held(sh, "unconfirmed");
		if (sh->shell_cmd != 0)
			audit_shell_end(sh, sh->shell_cmd, "closed", -1);
		for (i = 0; i < sh->nopen; i++)
			audit_shell_end(sh, sh->open[i].id, "closed", -1);
	}
	TAILQ_REMOVE(&audit_shells, sh, entry);
	evtimer_del(&sh->watch);
	audit_cause_saved_free(&sh->line.cause);
	audit_shell_proc_free(&sh->line.kernel);
	audit_buf_free(&sh->line.prompt);
	audit_buf_free(&sh->line.text);
	audit_shell_unhold(sh);
	audit_buf_free(&sh->held_screen);
	audit_buf_free(&sh->held_prompt);
	audit_buf_free(&sh->held_shell);
	audit_cause_saved_free(&sh->last_cause);
	free(sh->cwd);
	free(sh);
}

/* Remember where the cursor is as the first key of a line comes. */
static void
audit_shell_typing(struct audit_shell *sh)
{
	struct screen	*s = sh->s;
	struct grid	*gd = s->grid;
	u_int		 y = gd->hsize + s->cy, first;

	if (sh->typing && sh->type_gd == gd &&
	    sh->type_y < gd->hsize + gd->sy) {
		first = audit_shell_first_row(gd, sh->type_y);
		if (y >= first && y <= audit_shell_last_row(gd, first))
			return;
	}
	sh->typing = 1;
	sh->type_gd = gd;
	sh->type_y = y;
	sh->type_x = s->cx;
}

/*
 * A line has been submitted: remember what the screen shows of it, what
 * the kernel says and who submitted it, and read it once echoed.
 */
static void
audit_shell_submit(struct audit_shell *sh, int fd)
{
	struct audit_shell_line	*ln = &sh->line;
	struct screen		*s = sh->s;
	struct grid		*gd = s->grid;
	u_int			 y, first, last;
	pid_t			 pgrp;

	if (ln->active)
		audit_shell_read(sh);

	ln->active = 1;
	ln->gd = gd;
	ln->sx = gd->sx;
	ln->hsize = gd->hsize;
	y = audit_shell_first_row(gd, gd->hsize + s->cy);
	if (sh->typing && sh->type_gd == gd && sh->type_y < y &&
	    y - sh->type_y <= AUDIT_SHELL_ROWS_MAX) {
		/* Typing began on a row above: is it the same line? */
		first = audit_shell_first_row(gd, sh->type_y);
		if (audit_shell_last_row(gd, first) >= y)
			y = first;
	}
	ln->y = y;
	last = audit_shell_last_row(gd, y);
	ln->x0_known = 1;
	if (!sh->typing)
		ln->x0 = (gd->hsize + s->cy - y) * gd->sx + s->cx;
	else if (sh->type_gd == gd && sh->type_y >= y && sh->type_y <= last)
		ln->x0 = (sh->type_y - y) * gd->sx + sh->type_x;
	else {
		ln->x0 = 0;
		ln->x0_known = 0;
	}
	audit_shell_cells(&ln->prompt, gd, y, last, 0, ln->x0, 0);
	audit_shell_cells(&ln->text, gd, y, last, ln->x0, UINT_MAX, 1);

	audit_cause_save(&ln->cause);
	audit_cause_saved_free(&sh->last_cause);
	audit_cause_save(&sh->last_cause);
	sh->refused = 0;
	if ((pgrp = tcgetpgrp(fd)) > 0) {
		audit_shell_sample(&ln->kernel, pgrp);
		audit_shell_seen(sh, pgrp, &ln->kernel);
	} else
		memset(&ln->kernel, 0, sizeof ln->kernel);
	if (!sh->watching)
		audit_shell_watch(sh);
}

/*
 * Bytes have been written into the terminal. Input that ends a line submits
 * it, unless echo is off (a password is never a command) or a full-screen
 * program has the alternate screen; the first input of a line notes where
 * the prompt ends. Terminal replies and mouse events are neither.
 */
void
audit_shell_input(struct audit_shell *sh, struct evbuffer *evb,
    const struct evbuffer_cb_info *info)
{
	const char	*kind;
	size_t		 total;
	int		 fd, more;

	if (sh == NULL || info->n_added == 0 || !audit_shell_on())
		return;
	kind = audit_cause_kind();
	if (strcmp(kind, "reply") == 0 || strcmp(kind, "mouse") == 0)
		return;
	total = evbuffer_get_length(evb);
	if (info->n_added > total)
		return;

	if (!audit_input_submits(evb, total - info->n_added, info->n_added,
	    &more)) {
		audit_shell_typing(sh);
		return;
	}
	fd = audit_shell_fd(sh);
	if (fd == -1 || audit_tty_noecho(fd) || sh->s->saved_grid != NULL)
		sh->typing = 0;
	else {
		audit_shell_submit(sh, fd);
		sh->typing = more;
		sh->type_gd = NULL;
	}
}

/* The terminal printed something: check its foreground soon. */
void
audit_shell_output(struct audit_shell *sh)
{
	if (sh != NULL && !sh->watching && audit_shell_on())
		audit_shell_watch(sh);
}

/*
 * Has the line submitted been echoed? It has once the cursor has gone below
 * it (or the screen has changed under it). Until then what is on its rows
 * may be only the prompt drawn again (zsh does as its line editor starts),
 * or the line being drawn again from a row above (fish does with a command
 * of several rows).
 */
static int
audit_shell_echoed(struct audit_shell *sh)
{
	struct screen	*s = sh->s;
	struct grid	*gd = s->grid;
	u_int		 y;

	if (gd != sh->line.gd || gd->sx != sh->line.sx ||
	    gd->hsize < sh->line.hsize || s->saved_grid != NULL ||
	    sh->line.y >= gd->hsize + gd->sy)
		return (1);
	y = gd->hsize + s->cy;
	return (y > audit_shell_last_row(gd, sh->line.y));
}

/* A chunk of output has been parsed: read a line once it is echoed. */
void
audit_shell_parsed(struct audit_shell *sh)
{
	if (sh != NULL && sh->line.active && audit_shell_echoed(sh))
		audit_shell_read(sh);
}

/* Find the terminal a mark came from. */
static struct audit_shell *
audit_shell_find(struct window_pane *wp, struct screen *s)
{
	struct audit_shell	*sh;

	if (!audit_shell_on())
		return (NULL);
	if (wp != NULL)
		return (wp->audit);
	TAILQ_FOREACH(sh, &audit_shells, entry) {
		if (sh->wp == NULL && sh->s == s)
			return (sh);
	}
	return (NULL);
}

/*
 * Record a mark that is not taken: at most AUDIT_SHELL_REFUSED_MAX from one
 * line submitted to the next, so a program printing bad marks cannot flood
 * the log (its output is in the log anyway).
 */
static void
audit_shell_refuse(struct audit_shell *sh, u_int osc, const char *p,
    size_t len, const char *reason)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;
	char			*mark;

	if (sh->refused >= AUDIT_SHELL_REFUSED_MAX)
		return;
	sh->refused++;
	xasprintf(&mark, "%u;%.*s", osc, AUDIT_SHELL_MARK_SHOWN, p);
	start = audit_begin(AUDIT_MARK_REFUSED);
	audit_shell_add_id(sh, b, 0);
	audit_rec_str(b, AUDIT_F_MARK, mark);
	if (len <= AUDIT_SHELL_MARK_MAX)
		audit_rec_uint(b, AUDIT_F_SIZE, len);
	audit_rec_str(b, AUDIT_F_REASON, reason);
	audit_end(start);
	free(mark);
}

/* Does a mark's option list (";k=v;...") have option name=value? */
static int
audit_shell_option(const char *p, const char *name, const char *value)
{
	size_t	nlen = strlen(name), vlen = strlen(value);

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		if (strncmp(p, name, nlen) == 0 && p[nlen] == '=' &&
		    strncmp(p + nlen + 1, value, vlen) == 0 &&
		    (p[nlen + 1 + vlen] == ';' || p[nlen + 1 + vlen] == '\0'))
			return (1);
	}
	return (0);
}

/*
 * The exit status of D;status[;options]: 0 to 255, -1 if there is none (no
 * status, or options only), -2 if it is not a number from 0 to 255.
 */
static int
audit_shell_status(const char *p)
{
	const char	*end;
	size_t		 n;
	int		 status = 0;

	if (*p != ';')
		return (-1);
	p++;
	end = strchr(p, ';');
	n = (end == NULL) ? strlen(p) : (size_t)(end - p);
	if (n == 0 || memchr(p, '=', n) != NULL)
		return (-1);
	if (n > 3)
		return (-2);
	for (; n != 0; n--, p++) {
		if (*p < '0' || *p > '9')
			return (-2);
		status = status * 10 + (*p - '0');
	}
	return (status > 255 ? -2 : status);
}

/*
 * A prompt begins: the command before it has ended, and lines held at the
 * prompt before, that the shell never said it started, are written as they
 * are.
 */
static void
audit_shell_prompt(struct audit_shell *sh)
{
	if (sh->held)
		audit_shell_write_held(sh, "unconfirmed");
	if (sh->shell_cmd != 0) {
		audit_shell_end(sh, sh->shell_cmd, "shell", -1);
		sh->shell_cmd = 0;
	}
	sh->b_set = 0;
}

/*
 * A command starts (the C mark): write the lines held for it, or, if no
 * line was submitted since the prompt (the shell read one typed ahead or
 * pasted with another), the shell's text from its B mark.
 */
static void
audit_shell_start(struct audit_shell *sh)
{
	struct grid		*gd = sh->s->grid;
	struct audit_shell_proc	 kp;
	struct audit_buf	 cut;
	pid_t			 pgrp;
	int			 fd, truncated;

	if (sh->held) {
		sh->shell_cmd = audit_shell_write_held(sh, "mark");
		return;
	}
	if (!audit_shell_b_valid(sh))
		return;
	sh->b_set = 0;
	audit_buf_init(&cut);
	truncated = audit_shell_cells(&cut, gd, sh->b_y,
	    audit_shell_last_row(gd, sh->b_y), sh->b_x, UINT_MAX, 1);
	if (cut.len != 0) {
		memset(&kp, 0, sizeof kp);
		if ((fd = audit_shell_fd(sh)) != -1 &&
		    (pgrp = tcgetpgrp(fd)) > 0)
			audit_shell_sample(&kp, pgrp);
		sh->shell_cmd = audit_shell_write(sh, "mark", &sh->last_cause,
		    &kp, NULL, NULL, &cut, truncated);
		audit_shell_proc_free(&kp);
	}
	audit_buf_free(&cut);
}

/*
 * An OSC 133 mark, p after "133;": A prompt start (N too; with k=s a
 * continuation prompt, as P with k=s), B prompt end (I too), C command
 * start, D[;status] command end, read as upstream tmux master reads them.
 * A mark that is too long or not one of these is refused and recorded, and
 * changes nothing.
 */
void
audit_osc_133(struct window_pane *wp, struct screen *s, const char *p)
{
	struct audit_shell	*sh;
	struct grid		*gd = s->grid;
	size_t			 len;
	int			 status;

	if ((sh = audit_shell_find(wp, s)) == NULL)
		return;
	len = strnlen(p, AUDIT_SHELL_MARK_MAX + 1);
	if (len > AUDIT_SHELL_MARK_MAX) {
		audit_shell_refuse(sh, 133, p, len, "too long");
		return;
	}
	if (len == 0 || (p[1] != '\0' && p[1] != ';') ||
	    strchr("ABCDINP", p[0]) == NULL) {
		audit_shell_refuse(sh, 133, p, len, "unknown mark");
		return;
	}
	status = -1;
	if (p[0] == 'D' && (status = audit_shell_status(p + 1)) == -2) {
		audit_shell_refuse(sh, 133, p, len, "bad exit status");
		return;
	}

	/*
	 * A line submitted has been echoed by the time its command starts; a
	 * prompt drawn again over it before it is echoed changes nothing.
	 */
	if (sh->line.active && (p[0] == 'C' || audit_shell_echoed(sh)))
		audit_shell_read(sh);

	switch (p[0]) {
	case 'A':
	case 'N':
	case 'P':
		if (!audit_shell_option(p + 1, "k", "s") && p[0] != 'P')
			audit_shell_prompt(sh);
		break;
	case 'B':
	case 'I':
		sh->b_set = 1;
		sh->b_gd = gd;
		sh->b_sx = gd->sx;
		sh->b_hsize = gd->hsize;
		sh->b_y = gd->hsize + s->cy;
		sh->b_x = s->cx;
		break;
	case 'C':
		audit_shell_start(sh);
		break;
	case 'D':
		if (sh->shell_cmd != 0) {
			audit_shell_end(sh, sh->shell_cmd, "shell", status);
			sh->shell_cmd = 0;
		}
		break;
	}
}

/*
 * OSC 7, the working directory as a file URL, file://HOST/PATH with the
 * path percent-encoded: kept as the shell's claim for the command lines
 * that follow. Anything else is refused and recorded.
 */
void
audit_osc_7(struct window_pane *wp, struct screen *s, const char *p)
{
	struct audit_shell	*sh;
	const char		*cp;
	char			*path, *out;
	size_t			 len;
	u_int			 c;

	if ((sh = audit_shell_find(wp, s)) == NULL)
		return;
	len = strnlen(p, AUDIT_SHELL_MARK_MAX + 1);
	if (len > AUDIT_SHELL_MARK_MAX) {
		audit_shell_refuse(sh, 7, p, len, "too long");
		return;
	}
	if (strncmp(p, "file://", 7) != 0 ||
	    (cp = strchr(p + 7, '/')) == NULL) {
		audit_shell_refuse(sh, 7, p, len, "not a file URL");
		return;
	}

	out = path = xmalloc(len + 1);
	for (; *cp != '\0'; cp++) {
		if (*cp != '%') {
			*out++ = *cp;
			continue;
		}
		if (!isxdigit((u_char)cp[1]) || !isxdigit((u_char)cp[2]) ||
		    sscanf(cp + 1, "%2x", &c) != 1 || c == 0) {
			free(path);
			audit_shell_refuse(sh, 7, p, len, "bad escape");
			return;
		}
		*out++ = c;
		cp += 2;
	}
	*out = '\0';
	free(sh->cwd);
	sh->cwd = path;
}
