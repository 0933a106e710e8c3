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
#include <stdlib.h>
#include <string.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * The system policy ("no naked sessions"): a root-owned file at a path
 * fixed at build time, read by every server before any other
 * configuration, whatever -f, -L or -S say. The audit options it sets are
 * locked: set-option, set-option -u, source-file and customize mode cannot
 * change them afterwards. A policy file not owned by root, or writable by
 * anyone else, is ignored with a loud error.
 */

/* The options a policy may lock. */
static int
audit_policy_lockable(const char *name)
{
	return (strncmp(name, "audit-log", 9) == 0 ||
	    strcmp(name, "server-access-owner-only") == 0);
}

struct audit_lock {
	char	*name;
	char	*value;
};

static struct audit_lock	*audit_locks;
static u_int			 audit_nlocks;
static int			 audit_policy_loading;
static int			 audit_policy_restoring;

/* Is this the policy file? */
int
audit_policy_is_file(const char *file)
{
	return (file != NULL && strcmp(file, AUDIT_POLICY_PATH) == 0);
}

/* While the policy's own commands run, remember which options it sets. */
void
audit_policy_note(const char *name, const char *file)
{
	u_int	i;

	if (!audit_policy_loading || !audit_policy_is_file(file) ||
	    !audit_policy_lockable(name))
		return;
	for (i = 0; i < audit_nlocks; i++) {
		if (strcmp(audit_locks[i].name, name) == 0)
			return;
	}
	audit_locks = xreallocarray(audit_locks, audit_nlocks + 1,
	    sizeof *audit_locks);
	audit_locks[audit_nlocks].name = xstrdup(name);
	audit_locks[audit_nlocks].value = NULL;
	audit_nlocks++;
}

static struct audit_lock *
audit_policy_find(const char *name)
{
	u_int	i;

	for (i = 0; i < audit_nlocks; i++) {
		if (strcmp(audit_locks[i].name, name) == 0)
			return (&audit_locks[i]);
	}
	return (NULL);
}

/* Is this option locked? Not while the policy itself is being read. */
int
audit_policy_locked(const char *name)
{
	struct audit_lock	*al;

	if (audit_policy_loading || audit_policy_restoring)
		return (0);
	al = audit_policy_find(name);
	return (al != NULL && al->value != NULL);
}

/* The policy's commands have run: take the values they set. */
static enum cmd_retval
audit_policy_done(__unused struct cmdq_item *item, __unused void *data)
{
	struct options_entry	*o;
	struct audit_buf	*b = &audit_pending;
	size_t			 start;
	u_int			 i;

	audit_policy_loading = 0;
	for (i = 0; i < audit_nlocks; i++) {
		o = options_get_only(global_options, audit_locks[i].name);
		if (o != NULL)
			audit_locks[i].value = options_to_string(o, -1, 0);
		else
			audit_locks[i].value = xstrdup("");
	}
	if (audit_active()) {
		start = audit_begin(AUDIT_POLICY);
		audit_rec_str(b, AUDIT_F_PATH, AUDIT_POLICY_PATH);
		audit_rec_str(b, AUDIT_F_ACTION, "locked");
		for (i = 0; i < audit_nlocks; i++)
			audit_rec_str(b, AUDIT_F_NAME, audit_locks[i].name);
		audit_end(start);
	}
	return (CMD_RETURN_NORMAL);
}

/*
 * Load the policy file ahead of any configuration; called when the
 * configuration is about to be loaded.
 */
void
audit_policy_load(struct client *c, int flags)
{
	struct stat	 sb;
	struct audit_buf *b = &audit_pending;
	char		*why = NULL;
	size_t		 start;

	if (stat(AUDIT_POLICY_PATH, &sb) != 0) {
		if (errno == ENOENT)
			return;
		xasprintf(&why, "%s", strerror(errno));
	} else if (!S_ISREG(sb.st_mode))
		why = xstrdup("not a regular file");
	else if (sb.st_uid != 0)
		xasprintf(&why, "owned by uid %ld, not root", (long)sb.st_uid);
	else if (sb.st_mode & (S_IWGRP|S_IWOTH))
		xasprintf(&why, "writable by others (mode %04o)",
		    (u_int)(sb.st_mode & 07777));

	if (why != NULL) {
		cfg_add_cause("audit policy %s ignored: %s", AUDIT_POLICY_PATH,
		    why);
		log_debug("%s: %s ignored: %s", __func__, AUDIT_POLICY_PATH,
		    why);
		if (audit_active()) {
			start = audit_begin(AUDIT_POLICY);
			audit_rec_str(b, AUDIT_F_PATH, AUDIT_POLICY_PATH);
			audit_rec_str(b, AUDIT_F_ACTION, "ignored");
			audit_rec_str(b, AUDIT_F_REASON, why);
			audit_end(start);
		}
		free(why);
		return;
	}

	audit_policy_loading = 1;
	load_cfg(AUDIT_POLICY_PATH, c, NULL, NULL, flags & ~CMD_PARSE_QUIET,
	    NULL);
	cmdq_append(NULL, cmdq_get_callback(audit_policy_done, NULL));
}

/*
 * An option changed by a path that did not ask first (customize mode):
 * put a locked value back. Returns 1 if it was restored.
 */
int
audit_policy_restore(const char *name)
{
	struct audit_lock			*al;
	struct options_entry			*o;
	const struct options_table_entry	*oe;
	char					*now, *cause;
	int					 changed;

	if (!audit_policy_locked(name))
		return (0);
	al = audit_policy_find(name);
	if ((o = options_get_only(global_options, name)) == NULL)
		return (0);
	now = options_to_string(o, -1, 0);
	changed = (strcmp(now, al->value) != 0);
	free(now);
	if (!changed)
		return (0);
	oe = options_table_entry(o);
	audit_policy_restoring = 1;
	if (options_from_string(global_options, oe, name, al->value, 0,
	    &cause) != 0) {
		log_debug("%s: %s: %s", __func__, name, cause);
		free(cause);
	}
	audit_policy_restoring = 0;
	return (1);
}
