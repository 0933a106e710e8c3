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
 * Who may do what: the server's owner, other users, and the read-only rule.
 * Only the rules: the commands (audit-command.c) log what they refuse.
 *
 * A read-only client (server-access -r, attach -r) may have no effect
 * beyond its own client, whichever way a command reaches the queue (a
 * client's command line, control mode, a key binding). It may run only the
 * commands marked read-only, and of those only the arguments judged below
 * to act on its own client alone; anything else, including an argument a
 * later tmux adds, is refused. Formats expanded for such a command never
 * run #() jobs. Hooks are exempt: whoever set them could write.
 *
 * These checks hold with audit-log off too; what the log adds is that each
 * refusal is recorded.
 *
 * What a client of another user does is sealed (and so witnessed) before
 * it takes effect: audit_guest_seal.
 */

extern const struct cmd_entry	cmd_attach_session_entry;
extern const struct cmd_entry	cmd_detach_client_entry;
extern const struct cmd_entry	cmd_list_clients_entry;
extern const struct cmd_entry	cmd_switch_client_entry;

/*
 * The read-only commands and, for each, the flags that act on the client
 * itself. Client targets (-t or -c) must name the client itself (or another
 * read-only client of the same user); a target
 * session may be named, but not a window or pane other than the one the
 * session already shows, as selecting it would change what everyone
 * attached to that session sees.
 *
 *   attach-session  -E (leave the session environment alone), -f (the
 *                   client's own flags, none taken away), -r, -t; not -c
 *                   (sets the session's directory), -d or -x (detach
 *                   others).
 *   detach-client   -t (itself); not -a or -s (others), -E (runs a
 *                   command in the detached client), -P (kills the client's
 *                   parent process).
 *   list-clients    -F, -f, -t (formats without jobs).
 *   switch-client   -c (itself), -E, -l, -n, -p, -t, -T (its own key
 *                   table), -Z; not -r (makes a client writable).
 */
static const struct audit_readonly_rule {
	const struct cmd_entry	*entry;
	const char		*allowed;
	int			 target;	/* -t may name a session */
} audit_readonly_rules[] = {
	{ &cmd_attach_session_entry, "Efrt", 1 },
	{ &cmd_detach_client_entry, "t", 0 },
	{ &cmd_list_clients_entry, "Fft", 0 },
	{ &cmd_switch_client_entry, "cElnptTZ", 1 }
};

/*
 * Is this client the server's owner or root? No client is the config file
 * or the server itself, which count as the owner.
 */
int
audit_client_is_owner(struct client *c)
{
	struct audit_client	*ac;

	if (c == NULL || (ac = c->audit) == NULL)
		return (1);
	if (!ac->creds)
		return (0);
	return (ac->uid == 0 || ac->uid == getuid());
}

/*
 * May this client read the log? Only the server's owner and root: the log
 * holds everything typed into every pane.
 */
int
audit_client_may_read(struct client *c)
{
	return (audit_client_is_owner(c));
}

/* Refuse server-access for another user when the server is owner-only. */
int
audit_access_forbidden(struct cmdq_item *item, uid_t uid)
{
	if (uid == 0 || uid == getuid())
		return (0);
	if (!options_get_number(global_options, "server-access-owner-only"))
		return (0);
	cmdq_error(item, "server-access-owner-only is on: no access for "
	    "other users");
	return (1);
}

/*
 * Is tc the read-only client c itself, or another read-only client of the
 * same user?
 */
static int
audit_readonly_same(struct client *c, struct client *tc)
{
	uid_t	uid;

	if (tc == c)
		return (1);
	if (~tc->flags & CLIENT_READONLY)
		return (0);
	uid = proc_get_peer_uid(c->peer);
	return (uid != (uid_t)-1 && uid == proc_get_peer_uid(tc->peer));
}

/* Does a target name a window or pane other than its session shows? */
static int
audit_readonly_moves(struct cmdq_item *item, const char *tflag)
{
	struct cmd_find_state	fs;
	enum cmd_find_type	type;

	if (tflag == NULL)
		return (0);
	if (tflag[strcspn(tflag, ":.%@")] != '\0')
		type = CMD_FIND_PANE;
	else
		type = CMD_FIND_SESSION;
	if (cmd_find_target(&fs, item, tflag, type, CMD_FIND_QUIET) != 0)
		return (0);	/* the command fails by itself */
	if (fs.s == NULL || fs.wl == NULL)
		return (0);
	if (fs.wl != fs.s->curw)
		return (1);
	return (fs.wp != NULL && fs.wp != fs.wl->window->active);
}

/*
 * Why may read-only client c not run this command as it stands? NULL if it
 * may. The reason is a fixed string, or one good until the next call.
 */
const char *
audit_readonly_why(struct cmdq_item *item, struct client *c, struct cmd *cmd)
{
	const struct cmd_entry			*entry = cmd_get_entry(cmd);
	const struct audit_readonly_rule	*rule = NULL;
	struct args				*args = cmd_get_args(cmd);
	struct args_entry			*ae;
	struct args_value			*av;
	struct client				*tc;
	static char				 why[64];
	u_int					 i;
	u_char					 flag;

	for (i = 0; i < nitems(audit_readonly_rules); i++) {
		if (audit_readonly_rules[i].entry == entry) {
			rule = &audit_readonly_rules[i];
			break;
		}
	}
	if (rule == NULL || (~entry->flags & CMD_READONLY))
		return ("client is read-only");

	for (flag = args_first(args, &ae); flag != 0; flag = args_next(&ae)) {
		if (strchr(rule->allowed, flag) == NULL) {
			xsnprintf(why, sizeof why, "client is read-only: -%c "
			    "is not allowed", flag);
			return (why);
		}
	}
	av = args_first_value(args, 'f');
	for (; av != NULL; av = args_next_value(av)) {
		if (av->type == ARGS_STRING && strchr(av->string, '!') != NULL)
			return ("client is read-only: client flags can only be "
			    "added");
	}

	if (entry->flags & (CMD_CLIENT_TFLAG|CMD_CLIENT_CFLAG)) {
		flag = (entry->flags & CMD_CLIENT_CFLAG) ? 'c' : 't';
		tc = cmd_find_client(item, args_get(args, flag), 1);
		if (tc != NULL && !audit_readonly_same(c, tc))
			return ("client is read-only: cannot act on another "
			    "client");
	}
	if (rule->target && !args_has(args, 'n') && !args_has(args, 'p') &&
	    !args_has(args, 'l') &&
	    audit_readonly_moves(item, args_get(args, 't')))
		return ("client is read-only: cannot change the current window");
	return (NULL);
}

/*
 * Write what a client that is not the owner did, or tried to do, through
 * to a seal on disk and to the syslog witness before it takes effect: if
 * the client then kills the server and cuts the file back, the seal that
 * names it is already signed and outside the file. Returns -1 if the seal
 * could not be written and audit-log-fail is closed.
 */
int
audit_guest_seal(struct client *c)
{
	if (audit_client_is_owner(c) || !audit_is_on())
		return (0);
	if (audit_store_seal_sync() == 0)
		return (0);
	if (!options_get_number(global_options, "audit-log-fail"))
		return (0);
	return (-1);
}
