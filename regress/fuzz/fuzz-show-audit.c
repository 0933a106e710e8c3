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

#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * A libFuzzer target for show-audit outside the server: every way it reads
 * a directory of log files, through audit_client_main as "tmux show-audit
 * ... -d DIR" runs it. An input is a witness file then segment files, back
 * to back: what comes before the first "TMUXAUD" is the witness (syslog
 * messages, for -V -w), and each "TMUXAUD" starts a file. Built and run by
 * ./build.sh fuzz (tmux-fuzz/audit-fuzz); the seeds are the logs the
 * tests leave.
 */

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_FILES 8

/* The host key in regress/vectors/host.pub, which certified the vector. */
#define FUZZ_KEY "RWT6XS0S9DzZwzz+pJpVIPgBW1pY/N8zY4amB7s7KSpkupzAmFH6E0oA"

static char	*fuzz_dir;
static char	*fuzz_witness;
static char	*fuzz_files[FUZZ_MAX_FILES];

/* The flags of each run, before -d DIR. */
static const char *fuzz_runs[][9] = {
	{ NULL },
	{ "-J", NULL },
	{ "-T", NULL },
	{ "-K", NULL },
	{ "-V", NULL },
	{ "-V", "-k", FUZZ_KEY, NULL },
	{ "-V", "-w", "WITNESS", NULL },
	{ "-e", "asciicast", "-t", "%0", "-I", NULL },
	{ "-e", "html", "-I", "-k", FUZZ_KEY, "-O", "/dev/null", NULL },
	{ "-Y", "command,input,output", "-U", "root", "-g", "ls", "-F",
	  "#{audit_time} #{audit_user} #{audit_command}", NULL },
	{ "-l", "-C", "client-1", "-a", "2000-01-01", "-b", "2100-01-01",
	  NULL }
};

static void
fuzz_cleanup(void)
{
	u_int	i;

	for (i = 0; i < FUZZ_MAX_FILES; i++)
		unlink(fuzz_files[i]);
	unlink(fuzz_witness);
	rmdir(fuzz_dir);
}

/* Set up as tmux's main does before it gets to show-audit. */
int
LLVMFuzzerInitialize(__unused int *argc, __unused char ***argv)
{
	const struct options_table_entry	*oe;
	char					 tmpl[] = "/tmp/audit-fuzz.XXXXXX";
	u_int					 i;

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
	setenv("TZ", "UTC", 1);
	tzset();
	/* The HTML report without the player: it is the reading that counts. */
	setenv("TMUX_AUDIT_PLAYER", "/nonexistent", 1);
	global_environ = environ_create();
	global_options = options_create(NULL);
	global_s_options = options_create(NULL);
	global_w_options = options_create(NULL);
	for (oe = options_table; oe->name != NULL; oe++) {
		if (oe->scope & OPTIONS_TABLE_SERVER)
			options_default(global_options, oe);
		if (oe->scope & OPTIONS_TABLE_SESSION)
			options_default(global_s_options, oe);
		if (oe->scope & OPTIONS_TABLE_WINDOW)
			options_default(global_w_options, oe);
	}

	if (mkdtemp(tmpl) == NULL)
		fatal("mkdtemp");
	fuzz_dir = xstrdup(tmpl);
	xasprintf(&fuzz_witness, "%s.witness", fuzz_dir);
	for (i = 0; i < FUZZ_MAX_FILES; i++) {
		xasprintf(&fuzz_files[i], "%s/fuzz_root_20260101T000000Z_1_"
		    "%06u.tmux-audit", fuzz_dir, i + 1);
	}
	atexit(fuzz_cleanup);
	return (0);
}

static void
fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_WRONLY|O_CREAT|O_TRUNC, 0600)) == -1)
		fatal("open %s", path);
	while (size > 0) {
		if ((n = write(fd, data, size)) <= 0)
			fatal("write %s", path);
		data += n;
		size -= n;
	}
	close(fd);
}

/* Run show-audit with the flags of one run and -d DIR. */
static void
fuzz_run(const char **flags)
{
	char	*argv[16];
	int	 argc = 0;

	argv[argc++] = (char *)"show-audit";
	for (; *flags != NULL; flags++) {
		if (strcmp(*flags, "WITNESS") == 0)
			argv[argc++] = fuzz_witness;
		else
			argv[argc++] = (char *)*flags;
	}
	argv[argc++] = (char *)"-d";
	argv[argc++] = fuzz_dir;
	argv[argc] = NULL;
	if (audit_client_main(argc, argv) == -1)
		fatalx("show-audit did not run");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p, *next, *end = data + size;
	u_int		 i, n = 0;

	for (i = 0; i < FUZZ_MAX_FILES; i++)
		unlink(fuzz_files[i]);

	/* The witness, then a file from each header on. */
	p = memmem(data, size, AUDIT_MAGIC, AUDIT_MAGIC_LEN);
	if (p == NULL) {
		fuzz_write(fuzz_witness, data, size);
		fuzz_write(fuzz_files[n++], data, size);
	} else {
		fuzz_write(fuzz_witness, data, p - data);
		while (p < end && n < FUZZ_MAX_FILES) {
			next = NULL;
			if (n != FUZZ_MAX_FILES - 1 && end - p > 1) {
				next = memmem(p + 1, end - p - 1, AUDIT_MAGIC,
				    AUDIT_MAGIC_LEN);
			}
			if (next == NULL)
				next = end;
			fuzz_write(fuzz_files[n++], p, next - p);
			p = next;
		}
	}

	for (i = 0; i < nitems(fuzz_runs); i++)
		fuzz_run(fuzz_runs[i]);
	return (0);
}
