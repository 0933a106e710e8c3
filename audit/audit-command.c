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
#include <unistd.h>

#include "tmux.h"
#include "audit-int.h"

/*
 * Commands: who issued each (a client, a key binding, a hook, the
 * configuration, control mode), what it did and whether it failed; the
 * commands refused before they ran (read-only clients, parse errors, a
 * log that cannot be written); option changes and access list changes.
 * A command is the cause (audit-cause.c) of what it does while it runs.
 */

extern const struct cmd_entry cmd_attach_session_entry;
extern const struct cmd_entry cmd_bind_key_entry;
extern const struct cmd_entry cmd_new_session_entry;
extern const struct cmd_entry cmd_send_keys_entry;

/* The command being executed, to catch its error message. */
static struct cmdq_item	*audit_cmd_item;
static const char	*audit_cmd_file;
static char		*audit_cmd_error;

/* The option set-option is changing and its value before. */
static struct options	*audit_opt_oo;
static char		*audit_opt_name;
static char		*audit_opt_old;

/* The file the running command came from, if any. */
const char *
audit_command_file(void)
{
	return (audit_cmd_file);
}

/*
 * Add who issued a command: a hook, a key binding, a config file, a
 * control-mode client or a client. c is the item's own client, before tmux
 * fills in a guess for commands that have none.
 */
static void
audit_add_issuer(struct audit_buf *b, struct cmdq_item *item,
    struct client *c, struct cmd *cmd)
{
	struct key_event	*event = cmdq_get_event(item);
	const char		*file, *kind;
	u_int			 line;

	cmd_get_source(cmd, &file, &line);
	if (cmdq_get_flags(item) & CMDQ_STATE_NOHOOKS)
		kind = "hook";
	else if (event != NULL && event->key != KEYC_NONE)
		kind = "key";
	else if (file != NULL)
		kind = "config";
	else if (c != NULL && (c->flags & CLIENT_CONTROL))
		kind = "control";
	else if (c != NULL)
		kind = "client";
	else
		kind = "server";
	audit_rec_str(b, AUDIT_F_ISSUER, kind);
	if (c != NULL)
		audit_add_client(b, c);
	if (file != NULL) {
		audit_rec_str(b, AUDIT_F_FILE, file);
		audit_rec_uint(b, AUDIT_F_LINE, line);
	}
	if (event != NULL && event->key != KEYC_NONE)
		audit_rec_str(b, AUDIT_F_KEY, key_string_lookup_key(event->key,
		    0));
}

/*
 * The command as tmux prints it, or with its arguments (after the flags)
 * replaced by "<redacted>" when they carry input that was redacted: the
 * keys of send-keys are the bytes written into the pane.
 */
static char *
audit_command_text(struct cmd *cmd, int redact)
{
	struct args		*args = cmd_get_args(cmd);
	struct args_value	*value;
	struct audit_buf	 tail;
	char			*text, *e, *out;
	size_t			 len;
	u_int			 i, n = args_count(args);

	text = cmd_print(cmd);
	if (!redact || n == 0)
		return (text);

	/* cmd_print ends with " ARG" for each argument, each escaped. */
	audit_buf_init(&tail);
	for (i = 0; i < n; i++) {
		value = args_value(args, i);
		if (value->type != ARGS_STRING)
			break;
		e = args_escape(value->string);
		audit_buf_add(&tail, " ", 1);
		audit_buf_add(&tail, e, strlen(e));
		free(e);
	}
	len = strlen(text);
	if (i == n && tail.len <= len &&
	    memcmp(text + len - tail.len, tail.data, tail.len) == 0)
		text[len - tail.len] = '\0';
	else
		text[strcspn(text, " ")] = '\0';
	xasprintf(&out, "%s <redacted>", text);
	audit_buf_free(&tail);
	free(text);
	return (out);
}

/*
 * Will this command write its arguments into a pane whose terminal has echo
 * off? Known before it runs only for send-keys, whose arguments are keys.
 */
static int
audit_command_secret(struct cmdq_item *item, struct cmd *cmd)
{
	struct cmd_find_state	fs;

	if (cmd_get_entry(cmd) != &cmd_send_keys_entry)
		return (0);
	if (cmd_find_target(&fs, item, args_get(cmd_get_args(cmd), 't'),
	    CMD_FIND_PANE, CMD_FIND_QUIET) != 0 || fs.wp == NULL)
		return (0);
	return (audit_tty_secret(fs.wp->fd));
}

/*
 * Would this command attach a client? Refused while the log cannot be
 * written and audit-log-fail is closed.
 */
static int
audit_command_attaches(struct cmd *cmd)
{
	const struct cmd_entry	*entry = cmd_get_entry(cmd);

	if (entry == &cmd_attach_session_entry)
		return (1);
	if (entry == &cmd_new_session_entry &&
	    !args_has(cmd_get_args(cmd), 'd'))
		return (1);
	return (0);
}

/*
 * A command is about to run: it is the cause of what it does. A command
 * from a client that is not the owner is logged and sealed first. Returns
 * -1 (with the error given) if it may not run.
 */
int
audit_command_begin(struct cmdq_item *item, struct client *c, struct cmd *cmd)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;
	u_int			 line;
	int			 secret;
	char			*text;

	if (audit_store_blocked() && audit_command_attaches(cmd)) {
		audit_command_refused_item(item, c, cmd, "audit log cannot "
		    "be written: not attaching until it can");
		cmdq_error(item, "audit log cannot be written: not attaching "
		    "until it can (%s)", audit_store_error());
		return (-1);
	}
	if (!audit_client_is_owner(c) && audit_is_on()) {
		secret = audit_command_secret(item, cmd);
		start = audit_begin(AUDIT_COMMAND_START);
		audit_add_issuer(b, item, c, cmd);
		text = audit_command_text(cmd, secret);
		audit_rec_str(b, AUDIT_F_COMMAND, text);
		free(text);
		if (secret)
			audit_rec_uint(b, AUDIT_F_REDACTED, 1);
		audit_end(start);
		if (audit_guest_seal(c) != 0) {
			cmdq_error(item, "audit log cannot be written: not "
			    "running commands of other users until it can");
			return (-1);
		}
	}

	audit_cause_push("command", c, cmd_get_entry(cmd)->name);
	if (c != NULL && (c->flags & CLIENT_READONLY) &&
	    (~cmdq_get_flags(item) & CMDQ_STATE_NOHOOKS))
		audit_cause_set_readonly();
	audit_cmd_item = item;
	cmd_get_source(cmd, &audit_cmd_file, &line);
	free(audit_cmd_error);
	audit_cmd_error = NULL;
	return (0);
}

/* A command has run: log it with its issuer and result. */
void
audit_command_end(struct cmdq_item *item, struct client *c, struct cmd *cmd,
    enum cmd_retval retval)
{
	struct audit_buf	*b = &audit_pending;
	const char		*result, *file;
	size_t			 start;
	u_int			 line;
	int			 redacted;
	char			*text;

	redacted = audit_cause_was_redacted();
	audit_cause_pop();
	audit_cmd_item = NULL;
	audit_cmd_file = NULL;
	if (!audit_active())
		return;

	/*
	 * The default key bindings every server sets up at start are queued
	 * before the configuration; they are tmux's own, not anyone's action.
	 */
	cmd_get_source(cmd, &file, &line);
	if (c == NULL && !cfg_finished && audit_is_holding() &&
	    cmd_get_entry(cmd) == &cmd_bind_key_entry && file == NULL)
		return;

	switch (retval) {
	case CMD_RETURN_ERROR:
		result = "error";
		break;
	case CMD_RETURN_WAIT:
		result = "wait";
		break;
	case CMD_RETURN_STOP:
		result = "stop";
		break;
	default:
		result = "ok";
		break;
	}
	start = audit_begin(AUDIT_COMMAND);
	audit_add_issuer(b, item, c, cmd);
	text = audit_command_text(cmd, redacted);
	audit_rec_str(b, AUDIT_F_COMMAND, text);
	free(text);
	audit_rec_str(b, AUDIT_F_RESULT, result);
	audit_rec_str(b, AUDIT_F_ERROR, audit_cmd_error);
	if (redacted)
		audit_rec_uint(b, AUDIT_F_REDACTED, 1);
	audit_end(start);

	free(audit_cmd_error);
	audit_cmd_error = NULL;
}

/* A command reported an error: keep it for its record. */
void
audit_command_error(struct cmdq_item *item, const char *msg)
{
	if (item != audit_cmd_item || audit_cmd_error != NULL)
		return;
	audit_cmd_error = xstrdup(msg);
}

/* Finish a refused command's record: its text and why, then seal. */
static void
audit_command_refused_end(size_t start, struct client *c, const char *text,
    const char *reason)
{
	struct audit_buf	*b = &audit_pending;

	audit_rec_str(b, AUDIT_F_COMMAND, text);
	audit_rec_str(b, AUDIT_F_RESULT, "refused");
	audit_rec_str(b, AUDIT_F_ERROR, reason);
	audit_end(start);
	audit_guest_seal(c);
}

/* Log a command that was refused before it could run. */
static void
audit_command_refused(struct client *c, const char *text, const char *reason)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_COMMAND);
	if (c != NULL && (c->flags & CLIENT_CONTROL))
		audit_rec_str(b, AUDIT_F_ISSUER, "control");
	else
		audit_rec_str(b, AUDIT_F_ISSUER, "client");
	if (c != NULL)
		audit_add_client(b, c);
	audit_command_refused_end(start, c, text, reason);
}

/* A queued command refused as it was about to run. */
void
audit_command_refused_item(struct cmdq_item *item, struct client *c,
    struct cmd *cmd, const char *reason)
{
	size_t	 start;
	char	*text;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_COMMAND);
	audit_add_issuer(&audit_pending, item, c, cmd);
	text = cmd_print(cmd);
	audit_command_refused_end(start, c, text, reason);
	free(text);
}

/* A key bound to commands the client may not run. */
void
audit_command_refused_key(struct client *c, struct cmd_list *cmdlist,
    key_code key, const char *reason)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;
	char			*text;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_COMMAND);
	audit_rec_str(b, AUDIT_F_ISSUER, "key");
	if (c != NULL)
		audit_add_client(b, c);
	audit_rec_str(b, AUDIT_F_KEY, key_string_lookup_key(key, 0));
	text = cmd_list_print(cmdlist, 0);
	audit_command_refused_end(start, c, text, reason);
	free(text);
}

/* Parsed commands refused (a read-only client). */
void
audit_command_refused_list(struct client *c, struct cmd_list *cmdlist,
    const char *reason)
{
	char	*text;

	if (!audit_active())
		return;
	text = cmd_list_print(cmdlist, 0);
	audit_command_refused(c, text, reason);
	free(text);
}

/* A command line from a client that did not parse. */
void
audit_command_refused_argv(struct client *c, int argc, char **argv,
    const char *reason)
{
	char	*text;

	if (!audit_active())
		return;
	text = cmd_stringify_argv(argc, argv);
	audit_command_refused(c, text, reason);
	free(text);
}

/* A control-mode command line that did not parse. */
void
audit_command_refused_line(struct client *c, const char *line,
    const char *reason)
{
	audit_command_refused(c, line, reason);
}

/* The scope of an options tree, for the log. */
static const char *
audit_options_scope(struct options *oo)
{
	if (oo == global_options)
		return ("server");
	if (oo == global_s_options)
		return ("global-session");
	if (oo == global_w_options)
		return ("global-window");
	return ("local");
}

/* Remember an option's value before set-option changes it. */
void
audit_option_before(struct options *oo, const char *name)
{
	struct options_entry	*o;

	free(audit_opt_name);
	free(audit_opt_old);
	audit_opt_oo = oo;
	audit_opt_name = xstrdup(name);
	if ((o = options_get(oo, name)) != NULL)
		audit_opt_old = options_to_string(o, -1, 0);
	else
		audit_opt_old = NULL;
}

/*
 * Log an option change with its old and new value and who made it. The
 * options tree is known when set-option checked the change first.
 */
void
audit_option_logged(const char *name)
{
	struct audit_buf	*b = &audit_pending;
	struct options		*oo = NULL;
	struct options_entry	*o;
	size_t			 start;
	char			*value = NULL;

	if (audit_opt_name != NULL && strcmp(audit_opt_name, name) == 0)
		oo = audit_opt_oo;
	if (audit_active()) {
		start = audit_begin(AUDIT_OPTION_CHANGED);
		audit_add_cause(b);
		audit_rec_str(b, AUDIT_F_NAME, name);
		if (oo != NULL) {
			audit_rec_str(b, AUDIT_F_SCOPE,
			    audit_options_scope(oo));
			if ((o = options_get(oo, name)) != NULL)
				value = options_to_string(o, -1, 0);
		}
		if (oo != NULL)
			audit_rec_str(b, AUDIT_F_OLD_VALUE, audit_opt_old);
		audit_rec_str(b, AUDIT_F_NEW_VALUE, value);
		audit_end(start);
		free(value);
	}
	free(audit_opt_name);
	audit_opt_name = NULL;
	free(audit_opt_old);
	audit_opt_old = NULL;
	audit_opt_oo = NULL;
}

/*
 * A change to an option was put back: log who tried, the value they set
 * and the value kept.
 */
void
audit_option_refused(const char *name, const char *tried, const char *kept,
    const char *why)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_OPTION_CHANGED);
	audit_add_cause(b);
	audit_rec_str(b, AUDIT_F_NAME, name);
	audit_rec_str(b, AUDIT_F_SCOPE, "server");
	audit_rec_str(b, AUDIT_F_OLD_VALUE, kept);
	audit_rec_str(b, AUDIT_F_NEW_VALUE, tried);
	audit_rec_str(b, AUDIT_F_RESULT, "refused");
	audit_rec_str(b, AUDIT_F_ERROR, why);
	audit_end(start);
	audit_guest_seal(audit_cause_client());
}

/* The server access list changed (server-access). */
void
audit_access_changed(uid_t uid, const char *action)
{
	struct audit_buf	*b = &audit_pending;
	size_t			 start;

	if (!audit_active())
		return;
	start = audit_begin(AUDIT_ACCESS_CHANGED);
	audit_add_cause(b);
	audit_rec_str(b, AUDIT_F_ACTION, action);
	audit_rec_uint(b, AUDIT_F_TARGET_UID, uid);
	audit_rec_str(b, AUDIT_F_TARGET_USER, audit_user_name(uid));
	audit_end(start);
}

/*
 * The one read-only check, where every command is about to fire, whoever
 * queued it. Returns 1 (with the error given and logged) if the command is
 * refused.
 */
int
audit_readonly_refused(struct cmdq_item *item, struct client *c,
    struct cmd *cmd)
{
	const char	*why;

	if (c == NULL || (~c->flags & CLIENT_READONLY))
		return (0);
	if (cmdq_get_flags(item) & CMDQ_STATE_NOHOOKS)
		return (0);
	if ((why = audit_readonly_why(item, c, cmd)) == NULL)
		return (0);
	audit_command_refused_item(item, c, cmd, why);
	cmdq_error(item, "%s", why);
	return (1);
}

/*
 * A key a read-only client pressed is bound to commands it may not run:
 * nothing runs, and the attempt is logged.
 */
void
audit_readonly_key(struct client *c, struct key_binding *bd,
    struct key_event *event)
{
	audit_command_refused_key(c, bd->cmdlist, event != NULL ?
	    event->key : bd->key, "client is read-only");
}

/*
 * May a format run #() jobs now? Not while a command issued by a read-only
 * client runs: the format may be the client's own text.
 */
int
audit_format_jobs_refused(void)
{
	return (audit_cause_readonly());
}
