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

	if (audit_policy_loading)
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
 * The last value of each guarded option that someone allowed to set it
 * set, to put back a change no one allowed could have made.
 */
static struct audit_lock	*audit_saved;
static u_int			 audit_nsaved;

/* Is this one of the options only the owner may change? */
int
audit_option_guarded(const char *name)
{
	return (audit_policy_lockable(name));
}

/* The current value of a server option as text. */
static char *
audit_option_value(const char *name)
{
	struct options_entry	*o;

	if ((o = options_get_only(global_options, name)) == NULL)
		return (xstrdup(""));
	return (options_to_string(o, -1, 0));
}

/* Keep a guarded option's current value as the one to put back. */
void
audit_option_save(const char *name)
{
	u_int	i;

	if (!audit_option_guarded(name))
		return;
	for (i = 0; i < audit_nsaved; i++) {
		if (strcmp(audit_saved[i].name, name) == 0)
			break;
	}
	if (i == audit_nsaved) {
		audit_saved = xreallocarray(audit_saved, audit_nsaved + 1,
		    sizeof *audit_saved);
		audit_saved[i].name = xstrdup(name);
		audit_saved[i].value = NULL;
		audit_nsaved++;
	}
	free(audit_saved[i].value);
	audit_saved[i].value = audit_option_value(name);
}

/* Keep the values of every guarded option (at server start). */
void
audit_option_save_all(void)
{
	const struct options_table_entry	*oe;

	for (oe = options_table; oe->name != NULL; oe++) {
		if (oe->scope & OPTIONS_TABLE_SERVER)
			audit_option_save(oe->name);
	}
}

static const char *
audit_option_saved(const char *name)
{
	u_int	i;

	for (i = 0; i < audit_nsaved; i++) {
		if (strcmp(audit_saved[i].name, name) == 0)
			return (audit_saved[i].value);
	}
	return (NULL);
}

/*
 * A guarded option has changed, by whatever path: set-option asks first
 * (audit_option_check), but customize mode, for one, does not. If the
 * policy locks it, or whoever caused the change is not the owner, put the
 * value back and return why (the value tried is in *tried, the one kept in
 * *kept) for the caller to report; otherwise NULL.
 */
char *
audit_option_guard(const char *name, char **tried, const char **kept)
{
	const struct options_table_entry	*oe;
	struct options_entry			*o;
	struct audit_lock			*al;
	const char				*keep;
	char					*now, *cause, *why;

	if (!audit_option_guarded(name))
		return (NULL);
	if (audit_policy_locked(name)) {
		al = audit_policy_find(name);
		keep = al->value;
		xasprintf(&why, "%s is locked by the audit policy %s", name,
		    AUDIT_POLICY_PATH);
	} else if (!audit_client_is_owner(audit_cause_client())) {
		keep = audit_option_saved(name);
		xasprintf(&why, "%s: only the server owner can change it",
		    name);
	} else {
		audit_option_save(name);
		return (NULL);
	}

	now = audit_option_value(name);
	if (keep == NULL || strcmp(now, keep) == 0) {
		free(now);
		free(why);
		audit_option_save(name);
		return (NULL);
	}
	o = options_get_only(global_options, name);
	oe = options_table_entry(o);
	if (options_from_string(global_options, oe, name, keep, 0,
	    &cause) != 0) {
		log_debug("%s: %s: %s", __func__, name, cause);
		free(cause);
	}
	*tried = now;
	*kept = keep;
	return (why);
}

/* Does the policy require the log (lock audit-log on)? */
int
audit_policy_requires_log(void)
{
	struct audit_lock	*al;

	if ((al = audit_policy_find("audit-log")) == NULL || al->value == NULL)
		return (0);
	return (strcmp(al->value, "on") == 0);
}
