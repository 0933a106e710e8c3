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

#ifndef AUDIT_INT_H
#define AUDIT_INT_H

/*
 * Private declarations shared by the files in audit/. The numbers below are
 * the on-disk format (audit/FORMAT.md): never change or reuse one.
 */

/* File magic: seven bytes, then the format version byte. */
#define AUDIT_MAGIC "TMUXAUD"
#define AUDIT_MAGIC_LEN 7
#define AUDIT_HEADER_LEN 8

/* Record header: length (4), type (2), sequence (8), time (8). */
#define AUDIT_REC_HDR 22
#define AUDIT_REC_MAX (16 * 1024 * 1024)

/* Data larger than this is split over several records. */
#define AUDIT_DATA_CHUNK (1024 * 1024)
#define AUDIT_FIELD_HDR 6

/* Hashes, keys and seals (audit-seal.c). */
#define AUDIT_HASH_LEN 32
#define AUDIT_DIGEST_LEN 8
#define AUDIT_KEYID_LEN 8
#define AUDIT_PK_LEN 32
#define AUDIT_SIG_LEN 64
#define AUDIT_EPOCH_MAX 65536
#define AUDIT_D_START "tmux-audit start v1"
#define AUDIT_D_RECORD "tmux-audit record v1"
#define AUDIT_D_SEAL "tmux-audit seal v1"
#define AUDIT_D_RUNKEY "tmux-audit run key v1"
#define AUDIT_D_KEYID "tmux-audit key id v1"
#define AUDIT_D_CSEAL "tmux-audit counter-seal v1"
#define AUDIT_D_CSEALREC "tmux-audit counter-sealed seal v1"

/* Counter-seal files of the collector (audit-cseal.c). */
#define AUDIT_CSEAL_MAGIC "TMUXCSL"
#define AUDIT_CSEAL_SUFFIX "-cseal"
#define AUDIT_CSEAL_HDR (AUDIT_HEADER_LEN + AUDIT_PK_LEN)
#define AUDIT_CSEAL_ENTRY (24 + AUDIT_HASH_LEN + AUDIT_SIG_LEN)
#define AUDIT_CSEAL_MSG (48 + AUDIT_HASH_LEN)

/*
 * The collector protocol (FORMAT.md section 17): messages of a type byte,
 * a four-byte length and that many bytes.
 */
#define AUDIT_LINK_MAGIC "TMUXAUDC"
#define AUDIT_LINK_VERSION 1
#define AUDIT_LINK_HDR 5
#define AUDIT_LINK_MAX (AUDIT_REC_MAX + 65536)
#define AUDIT_LINK_FRAME (1024 * 1024)
enum audit_link_type {
	AUDIT_LINK_HELLO = 1,
	AUDIT_LINK_SEGMENT = 2,
	AUDIT_LINK_RECORDS = 3,
	AUDIT_LINK_END = 4,
	AUDIT_LINK_WELCOME = 16,
	AUDIT_LINK_ACK = 17,
	AUDIT_LINK_ERROR = 18
};
#define AUDIT_LINK_HELLO_LEN (8 + 1 + 16 + 8 + 8)
#define AUDIT_LINK_COMPLETE 0x1

/* The system policy file, fixed at build time. */
#ifndef AUDIT_POLICY_PATH
#define AUDIT_POLICY_PATH "/etc/tmux-audit.conf"
#endif

/*
 * Syslog messages (audit-syslog.c, and show-audit -V -w which reads them):
 * facility authpriv, the program name, the structured-data ID of the
 * record's fields and that of the keys a SIEM indexes events by.
 */
#define AUDIT_SYSLOG_FACILITY 10
#define AUDIT_SYSLOG_APP "tmux-audit"
#define AUDIT_SYSLOG_SDID "tmuxaudit@32473"
#define AUDIT_SYSLOG_INDEX_SDID "tmuxindex@32473"

/*
 * The exit status of show-audit -V when every file is consistent but
 * nothing anchors it: no -k (0 is anchored and intact, 1 a problem).
 */
#define AUDIT_EXIT_UNANCHORED 2

/* File name suffix of a segment. */
#define AUDIT_SUFFIX ".tmux-audit"

/* Record types. */
enum audit_type {
	AUDIT_SEGMENT = 1,
	AUDIT_SERVER_START = 2,
	AUDIT_SERVER_STOP = 3,
	AUDIT_LOG_START = 4,
	AUDIT_LOG_STOP = 5,
	AUDIT_SERVER_SOCKET = 6,
	AUDIT_SEAL = 7,
	AUDIT_GAP = 8,
	AUDIT_UNCLEAN_END = 9,
	AUDIT_POLICY = 10,
	AUDIT_CLIENT_CONNECT = 16,
	AUDIT_CLIENT_ATTACHED = 17,
	AUDIT_CLIENT_SESSION_CHANGED = 18,
	AUDIT_CLIENT_DETACHED = 19,
	AUDIT_CLIENT_DISCONNECT = 20,
	AUDIT_ACCESS_DENIED = 21,
	AUDIT_SESSION_CREATED = 32,
	AUDIT_SESSION_CLOSED = 33,
	AUDIT_SESSION_RENAMED = 34,
	AUDIT_WINDOW_CREATED = 35,
	AUDIT_WINDOW_CLOSED = 36,
	AUDIT_PANE_CREATED = 37,
	AUDIT_PANE_EXITED = 38,
	AUDIT_PANE_RESIZED = 39,
	AUDIT_POPUP_OPENED = 40,
	AUDIT_POPUP_CLOSED = 41,
	AUDIT_INPUT = 48,
	AUDIT_OUTPUT = 49,
	AUDIT_COMMAND = 64,
	AUDIT_PASTE_BUFFER_CHANGED = 65,
	AUDIT_COPY = 66,
	AUDIT_PIPE_PANE = 67,
	AUDIT_OPTION_CHANGED = 68,
	AUDIT_ACCESS_CHANGED = 69,
	AUDIT_COMMAND_START = 70,
	AUDIT_COMMAND_LINE = 71,
	AUDIT_COMMAND_END = 72,
	AUDIT_PROCESS = 73,
	AUDIT_MARK_REFUSED = 74
};

/* Field kinds: the top four bits of a field tag. */
#define AUDIT_KIND(tag) (((tag) >> 12) & 0xf)
#define AUDIT_KIND_UINT 1
#define AUDIT_KIND_INT 2
#define AUDIT_KIND_TEXT 3
#define AUDIT_KIND_BYTES 4

/* Field tags. */
enum audit_tag {
	AUDIT_F_PID = 0x1001,
	AUDIT_F_UID = 0x1002,
	AUDIT_F_GID = 0x1003,
	AUDIT_F_LOGINUID = 0x1004,
	AUDIT_F_AUDITSESSION = 0x1005,
	AUDIT_F_SEGMENT = 0x1006,
	AUDIT_F_SESSION_ID = 0x1007,
	AUDIT_F_FORMAT = 0x1008,
	AUDIT_F_DROPPED = 0x1009,
	AUDIT_F_START_TIME = 0x100a,
	AUDIT_F_CLIENT_ID = 0x100b,
	AUDIT_F_PANE = 0x100c,
	AUDIT_F_WINDOW = 0x100d,
	AUDIT_F_WIDTH = 0x100e,
	AUDIT_F_HEIGHT = 0x100f,
	AUDIT_F_SIZE = 0x1010,
	AUDIT_F_STATUS = 0x1011,
	AUDIT_F_SIGNAL = 0x1012,
	AUDIT_F_LINE = 0x1013,
	AUDIT_F_CAUSE_UID = 0x1014,
	AUDIT_F_REDACTED = 0x1015,
	AUDIT_F_TARGET_UID = 0x1016,
	AUDIT_F_CAUSE_CLIENT_ID = 0x1017,
	AUDIT_F_RESPAWN = 0x1018,
	AUDIT_F_MODE = 0x1019,
	AUDIT_F_DIR_UID = 0x101a,
	AUDIT_F_DIR_MODE = 0x101b,
	AUDIT_F_SEAL_INDEX = 0x101c,
	AUDIT_F_FINAL = 0x101d,
	AUDIT_F_FIRST = 0x101e,
	AUDIT_F_RECORDS = 0x101f,
	AUDIT_F_END_TIME = 0x1020,
	AUDIT_F_POPUP = 0x1021,
	AUDIT_F_COMMAND_ID = 0x1022,
	AUDIT_F_KERNEL_PID = 0x1023,
	AUDIT_F_KERNEL_UID = 0x1024,
	AUDIT_F_SHELL_STATUS = 0x1025,
	AUDIT_F_TRUNCATED = 0x1026,
	AUDIT_F_USER = 0x3001,
	AUDIT_F_HOST = 0x3002,
	AUDIT_F_TMUX_VERSION = 0x3003,
	AUDIT_F_AUDIT_VERSION = 0x3004,
	AUDIT_F_SOCKET = 0x3005,
	AUDIT_F_CLIENT = 0x3006,
	AUDIT_F_TTY = 0x3007,
	AUDIT_F_TERM = 0x3008,
	AUDIT_F_CLAIMED = 0x3009,
	AUDIT_F_SESSION = 0x300a,
	AUDIT_F_REASON = 0x300b,
	AUDIT_F_OLD_SESSION = 0x300c,
	AUDIT_F_CWD = 0x300d,
	AUDIT_F_CLIENT_FLAGS = 0x300e,
	AUDIT_F_CAUSE = 0x300f,
	AUDIT_F_CAUSE_CLIENT = 0x3010,
	AUDIT_F_COMMAND = 0x3011,
	AUDIT_F_ISSUER = 0x3012,
	AUDIT_F_FILE = 0x3013,
	AUDIT_F_KEY = 0x3014,
	AUDIT_F_RESULT = 0x3015,
	AUDIT_F_ERROR = 0x3016,
	AUDIT_F_ARGV = 0x3017,
	AUDIT_F_NAME = 0x3018,
	AUDIT_F_SCOPE = 0x3019,
	AUDIT_F_OLD_VALUE = 0x301a,
	AUDIT_F_NEW_VALUE = 0x301b,
	AUDIT_F_DESTINATION = 0x301c,
	AUDIT_F_ACTION = 0x301d,
	AUDIT_F_WINDOW_NAME = 0x301e,
	AUDIT_F_CAUSE_USER = 0x301f,
	AUDIT_F_TARGET_USER = 0x3020,
	AUDIT_F_CAUSE_COMMAND = 0x3021,
	AUDIT_F_SHELL = 0x3022,
	AUDIT_F_LOST = 0x3023,
	AUDIT_F_PATH = 0x3024,
	AUDIT_F_STARTED = 0x3025,
	AUDIT_F_SCREEN_TEXT = 0x3026,
	AUDIT_F_SCREEN_PROMPT = 0x3027,
	AUDIT_F_SHELL_TEXT = 0x3028,
	AUDIT_F_SHELL_CWD = 0x3029,
	AUDIT_F_KERNEL_ARGV = 0x302a,
	AUDIT_F_KERNEL_CWD = 0x302b,
	AUDIT_F_SOURCE = 0x302c,
	AUDIT_F_MARK = 0x302d,
	AUDIT_F_RUN = 0x4001,
	AUDIT_F_DATA = 0x4002,
	AUDIT_F_CHAIN = 0x4003,
	AUDIT_F_DIGESTS = 0x4004,
	AUDIT_F_NEXT_KEY = 0x4005,
	AUDIT_F_SIGNATURE = 0x4006,
	AUDIT_F_SIGN_KEY = 0x4007,
	AUDIT_F_PREV_CHAIN = 0x4008,
	AUDIT_F_PREV_SEAL = 0x4009,
	AUDIT_F_HOST_KEY = 0x400a,
	AUDIT_F_CERT = 0x400b,
	AUDIT_F_RUN_KEY = 0x400c
};

/* What the server knows about each client for the log. */
struct audit_client {
	u_int		 id;
	int		 creds;		/* SO_PEERCRED worked */
	uid_t		 uid;
	gid_t		 gid;
	pid_t		 pid;
	int		 connected;	/* client-connect written */
	int		 denied;
	char		*user;		/* name of uid, looked up once */
	const char	*deny_reason;
	char		*bad_message;	/* why it was dropped, if it was */
	char		*session;	/* attached to, for the detach */
	u_int		 session_id;
};

/* A growable byte buffer. */
struct audit_buf {
	u_char		*data;
	size_t		 len;
	size_t		 size;
};

/* One field of a parsed record; value points into the record. */
struct audit_field {
	u_int		 tag;
	const u_char	*value;
	size_t		 len;
};

/* A parsed record. */
#define AUDIT_MAX_FIELDS 256
struct audit_record {
	u_int			 type;
	uint64_t		 seq;
	uint64_t		 time;		/* microseconds since the epoch */
	off_t			 offset;	/* in the file */
	size_t			 size;		/* whole record */
	const u_char		*raw;

	u_int			 nfields;
	struct audit_field	 fields[AUDIT_MAX_FIELDS];
};

/* A reader over one segment file. */
struct audit_reader {
	char		*path;
	int		 fd;
	u_int		 version;
	off_t		 offset;	/* of the next record */
	struct audit_buf buf;
	size_t		 start;		/* unread data in buf */
	int		 eof;
	char		*error;		/* why reading stopped */
};

/* Where show-audit writes its output. */
struct audit_out {
	void		(*print)(void *, const char *);
	void		(*error)(void *, const char *);
	void		*data;
	int		 errors;
};

/*
 * The files of audit/, from the bottom (leaves the others call) to the top.
 * A file calls only files above it in this list: the write path runs one
 * way, and the server, the reader and the collector share the leaves.
 */

/* audit-record.c: buffers, records and their fields, names. */
struct audit_view {
	size_t		 start;
	u_int		 type;
	uint64_t	 seq;
	uint64_t	 time;
	u_int		 nfields;	/* more than AUDIT_MAX_FIELDS: too many */
	struct {
		u_int	 tag;
		size_t	 off;		/* of the value, in the buffer */
		size_t	 len;
	}		 fields[AUDIT_MAX_FIELDS];
};
void		 audit_buf_init(struct audit_buf *);
void		 audit_buf_free(struct audit_buf *);
void		 audit_buf_reserve(struct audit_buf *, size_t);
void		 audit_buf_add(struct audit_buf *, const void *, size_t);
void		 audit_buf_consume(struct audit_buf *, size_t);
void		 audit_put16(u_char *, uint16_t);
void		 audit_put32(u_char *, uint32_t);
void		 audit_put64(u_char *, uint64_t);
uint16_t	 audit_get16(const u_char *);
uint32_t	 audit_get32(const u_char *);
uint64_t	 audit_get64(const u_char *);
uint64_t	 audit_now(void);
const char	*audit_type_name(u_int);
int		 audit_type_from_name(const char *);
const char	*audit_tag_name(u_int);
size_t		 audit_rec_begin(struct audit_buf *, u_int, uint64_t,
		     uint64_t);
void		 audit_rec_view(const struct audit_buf *, struct audit_view *);
u_char		*audit_rec_data(struct audit_buf *, u_int, size_t);
int		 audit_view_record(const struct audit_buf *,
		     const struct audit_view *, struct audit_record *);
void		 audit_rec_uint(struct audit_buf *, u_int, uint64_t);
void		 audit_rec_str(struct audit_buf *, u_int, const char *);
void		 audit_rec_bytes(struct audit_buf *, u_int, const void *,
		     size_t);
void		 audit_rec_end(struct audit_buf *, size_t);
int		 audit_rec_parse(const u_char *, size_t,
		     struct audit_record *, const char **);
const struct audit_field *audit_rec_find(const struct audit_record *,
		     u_int);
int		 audit_rec_get_uint(const struct audit_record *, u_int,
		     uint64_t *);
int		 audit_rec_get_term(const struct audit_record *, uint64_t *,
		     int *);
char		*audit_rec_get_str(const struct audit_record *, u_int);

/* audit-chain.c: hashing and the chain of a segment. */
struct audit_chain {
	u_char		 value[AUDIT_HASH_LEN];
	struct audit_buf digests;	/* AUDIT_DIGEST_LEN per record */
	u_int		 records;	/* chained since the last seal */
};
void		 audit_hash_start(u_char *, const u_char *);
void		 audit_hash_record(u_char *, const u_char *, size_t);
void		 audit_key_id(u_char *, const u_char *);
void		 audit_chain_begin(struct audit_chain *, const u_char *);
void		 audit_chain_add(struct audit_chain *, const u_char *, size_t);
void		 audit_chain_epoch(struct audit_chain *);

/* audit-key.c: key text forms, key files, signing. */
int		 audit_sign_check(const u_char *, const char *, const u_char *,
		     size_t, const u_char *);
int		 audit_key_generate(const char *, const char *, char **);
char		*audit_key_fingerprint(const u_char *);
char		*audit_key_text(const u_char *);
int		 audit_host_key_read_public(const char *, u_char *, char **);
int		 audit_host_key_generate(const char *, char **);
int		 audit_key_read_secret(const char *, const char *, u_char *,
		     char **);
void		 audit_sign(u_char *, const char *, const u_char *, size_t,
		     const u_char *);

/* audit-cseal.c: the collector's counter-seals. */
struct audit_cseal {
	uint64_t	 index;
	uint64_t	 seq;
	uint64_t	 time;
	u_char		 hash[AUDIT_HASH_LEN];
	u_char		 sig[AUDIT_SIG_LEN];
};
void		 audit_cseal_make(struct audit_cseal *, const u_char *,
		     uint64_t, const struct audit_record *, uint64_t, uint64_t,
		     const u_char *);
int		 audit_cseal_check(const struct audit_cseal *, const u_char *,
		     uint64_t, const struct audit_record *, uint64_t,
		     const u_char *);
void		 audit_cseal_encode(const struct audit_cseal *, u_char *);
void		 audit_cseal_header(u_char *, const u_char *);
int		 audit_cseal_read(const char *, u_char *, struct audit_cseal **,
		     u_int *, char **);

/* auditd.c and audit-collect.c: the collector, tmux-auditd. */
struct auditd_conn;
extern char	*auditd_host;
extern char	*auditd_root;
extern int	 auditd_rootfd;
extern gid_t	 auditd_gid;
extern u_int	 auditd_timeout;
extern u_char	*auditd_sk;
extern u_char	 auditd_pk[AUDIT_PK_LEN];
void		 auditd_log(int, const char *, ...) printflike(2, 3);
void		 auditd_accept(int);
void		 auditd_accept_peer(int, uid_t, gid_t, pid_t);
int		 auditd_conn_alive(struct auditd_conn *);
void		 auditd_close_all(void);

/* audit-file.c: log directories and segment files on disk. */
int		 audit_dir_open(const char *, int, char **);
int		 audit_dir_check(const char *, int, char **);
int		 audit_dir_same(int, const char *);
const char	*audit_user_name(uid_t);
char		*audit_file_word(const char *);
char		*audit_file_name(const char *, const char *, uint64_t,
		     long, uint64_t);
int		 audit_file_create(int, const char *, const char *, char **);
size_t		 audit_file_write(int, const void *, size_t, char **);

/* audit-read.c: reading segment files. */
struct audit_reader *audit_reader_open(const char *, char **);
int		 audit_reader_next(struct audit_reader *,
		     struct audit_record *);
void		 audit_reader_close(struct audit_reader *);
int		 audit_list_dir(const char *, char ***, u_int *, char **);
#define AUDIT_TREE_DEPTH 8
int		 audit_list_tree(const char *, char ***, u_int *, char **);

/* audit-print.c: records as text and JSON. */
void		 audit_print_time(struct audit_buf *, uint64_t);
void		 audit_print_text(const struct audit_record *,
		     struct audit_buf *);
void		 audit_print_json(const struct audit_record *,
		     struct audit_buf *);
void		 audit_json_string(struct audit_buf *, const void *, size_t);
void		 audit_json_text(struct audit_buf *, const void *, size_t);
void		 audit_printf(struct audit_buf *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));

/* audit-html-script.c: the HTML report's own style sheet and script. */
extern const char audit_html_style[];
extern const char audit_html_script[];

/* audit-html-page.c: the frame of the HTML report, and its escaping. */
struct audit_html_player;
struct audit_html_player *audit_html_player_load(void);
void		 audit_html_player_free(struct audit_html_player *);
const char	*audit_html_player_version(struct audit_html_player *);
const char	*audit_html_player_why(struct audit_html_player *);
void		 audit_html_text(struct audit_buf *, const void *, size_t);
void		 audit_html_json(struct audit_buf *, const void *, size_t);
void		 audit_html_json_str(struct audit_buf *, const char *);
void		 audit_html_head(FILE *, struct audit_html_player *,
		     const char *);
void		 audit_html_block(FILE *, const char *, const char *,
		     const void *, size_t);
void		 audit_html_scripts(FILE *, struct audit_html_player *);
void		 audit_html_foot(FILE *, struct audit_html_player *);

/* audit.c: the state of the log in the server, and records begun. */
enum audit_state {
	AUDIT_OFF,
	AUDIT_HOLD,
	AUDIT_ON
};
extern struct audit_buf	 audit_pending;
extern struct audit_view audit_pending_view;
extern uint64_t	 audit_seq;
extern uint64_t	 audit_dropped;
extern pid_t	 audit_pid;
extern uint64_t	 audit_start;
extern u_char	 audit_run[16];
extern char	*audit_host;
extern char	*audit_user;
extern int	 audit_log_commands;
extern int	 audit_log_input;
extern int	 audit_log_output;
extern int	 audit_log_redact;
extern int	 audit_log_syslog;
extern int	 audit_log_sync;
extern long long audit_log_max_size;
extern long long audit_log_max_age;
int		 audit_active(void);
int		 audit_is_on(void);
int		 audit_is_holding(void);
void		 audit_set_state(enum audit_state);
void		 audit_identity(void);
void		 audit_read_options(void);
size_t		 audit_begin(u_int);
void		 audit_add_server(struct audit_buf *);
void		 audit_add_client(struct audit_buf *, struct client *);
void		 audit_warn(const char *);

/* audit-syslog.c: the syslog connection. */
void		 audit_syslog_send(char *, size_t);
void		 audit_syslog_lose(uint64_t);
void		 audit_syslog_flush(void);
void		 audit_syslog_drain(void);
int		 audit_syslog_check(const char *, char **);

/* audit-witness.c: the syslog messages. */
void		 audit_syslog_record(const struct audit_buf *,
		     const struct audit_view *);
void		 audit_syslog_hold(const struct audit_buf *,
		     const struct audit_view *);
void		 audit_syslog_release(void);
void		 audit_syslog_discard(void);
void		 audit_syslog_incident(const char *);

/* audit-seal.c: run keys, segment keys and links, seals. */
int		 audit_seal_run(uint64_t, const char *, char **);
int		 audit_seal_ready(void);
void		 audit_seal_segment_fields(struct audit_buf *, int);
size_t		 audit_seal_write(struct audit_chain *, u_int, int);
void		 audit_seal_chained(const struct audit_chain *);

/* audit-writer.c: the writer thread. */
struct audit_job {
	struct audit_buf	 buf;		/* whole records */
	size_t			 hashed;	/* bytes already chained */
	size_t			 start;		/* bytes already written */
	int			 fd;
	int			 link;		/* fd is the collector's */
	struct audit_chain	*chain;

	size_t			 written;	/* from start */
	int			 error;		/* errno, or 0 */
};
struct audit_job *audit_writer_job(void);
void		 audit_writer_queue(void);
int		 audit_writer_poll(int, int *);

/* audit-link.c: the link to the collector. */
int		 audit_link_fd(void);
const char	*audit_link_dir(void);
const char	*audit_link_failed(void);
int		 audit_link_send(int, const u_char *, size_t);
int		 audit_link_open(const char *, char **);
int		 audit_link_reopen(char **);
void		 audit_link_segment(uint64_t, const u_char *, size_t);
void		 audit_link_keep(const u_char *, size_t);
void		 audit_link_records(const u_char *, size_t);
void		 audit_link_end(void);
int		 audit_link_sync(void);
void		 audit_link_send_failed(int);
int		 audit_link_idle(void);
void		 audit_link_close(void);
void		 audit_link_down(void);

/* audit-segment.c: the segment files being written. */
const char	*audit_current_dir(void);
char		**audit_current_files(u_int *);
u_int		 audit_current_segment(void);
int		 audit_segment_fd(void);
int		 audit_segment_configured(void);
int		 audit_segment_is_link(void);
int		 audit_segment_active(void);
void		 audit_segment_set_link(const char *);
size_t		 audit_segment_write(const void *, size_t, char **);
void		 audit_segment_sending(const void *, size_t);
int		 audit_segment_sync(void);
int		 audit_segment_relink(char **);
const char	*audit_segment_path(void);
uint64_t	 audit_segment_bytes(void);
void		 audit_segment_wrote(size_t);
time_t		 audit_segment_opened(void);
void		 audit_segment_set_dir(const char *);
void		 audit_segment_forget_dir(void);
int		 audit_segment_create(uint64_t, struct audit_chain *,
		     char **);
void		 audit_segment_close(int);
int		 audit_segment_removed(void);
int		 audit_segment_restore(char **);

/* audit-gap.c: what was lost while failing open. */
struct audit_gap_pane {
	int		 popup;		/* pane is a popup's number */
	u_int		 pane;
	uint64_t	 input;
	uint64_t	 output;
};
struct audit_gap {
	uint64_t		 records;
	struct audit_gap_pane	*panes;
	u_int			 npanes;
};
void		 audit_gap_count(struct audit_gap *,
		     const struct audit_record *);
void		 audit_gap_fields(struct audit_gap *, struct audit_buf *);
void		 audit_gap_clear(struct audit_gap *);

/* audit-store.c: where records end up. */
void		 audit_end(size_t);
int		 audit_store_open(char **);
void		 audit_store_open_later(const char *);
void		 audit_store_close(void);
void		 audit_store_loop(void);
void		 audit_flush(void);
int		 audit_store_open_file(void);
int		 audit_store_blocked(void);
const char	*audit_store_error(void);
void		 audit_seal_now(void);
int		 audit_store_seal_sync(void);

/* audit-cause.c: who or what caused what is happening now. */
struct audit_cause_saved {
	char		*kind;
	char		*command;
	int		 has_client;
	char		*client;
	int		 has_id;
	u_int		 client_id;
	int		 creds;
	uid_t		 uid;
	char		*user;
};
void		 audit_cause_set_readonly(void);
int		 audit_cause_readonly(void);
void		 audit_cause_redacted(void);
int		 audit_cause_was_redacted(void);
struct client	*audit_cause_client(void);
const char	*audit_cause_kind(void);
void		 audit_cause_save(struct audit_cause_saved *);
void		 audit_cause_saved_free(struct audit_cause_saved *);
void		 audit_add_saved_cause(struct audit_buf *,
		     const struct audit_cause_saved *);
void		 audit_add_cause(struct audit_buf *);

/* audit-access.c: who may do what. */
int		 audit_client_is_owner(struct client *);
int		 audit_client_may_read(struct client *);
const char	*audit_readonly_why(struct cmdq_item *, struct client *,
		     struct cmd *);
int		 audit_guest_seal(struct client *);

/* audit-input.c: what goes into and comes out of terminals. */
int		 audit_tty_noecho(int);
int		 audit_tty_secret(int);
int		 audit_input_submits(struct evbuffer *, size_t, size_t, int *);
void		 audit_input_added(struct evbuffer *,
		     const struct evbuffer_cb_info *, int,
		     void (*)(struct audit_buf *, void *), void *);
void		 audit_output_read(u_int, u_int, const u_char *, size_t);

/* audit-shell.c: the command lines run in panes and popups. */
struct audit_shell *audit_shell_create(struct window_pane *, struct screen *,
		     int, void (*)(struct audit_buf *, void *), void *);
void		 audit_shell_free(struct audit_shell *);
void		 audit_shell_input(struct audit_shell *, struct evbuffer *,
		     const struct evbuffer_cb_info *);
void		 audit_shell_output(struct audit_shell *);
void		 audit_shell_parsed(struct audit_shell *);

/* audit-policy.c: the system policy and the options only the owner sets. */
int		 audit_policy_is_file(const char *);
void		 audit_policy_note(const char *, const char *);
int		 audit_policy_locked(const char *);
int		 audit_policy_requires_log(void);
int		 audit_option_guarded(const char *);
void		 audit_option_save(const char *);
void		 audit_option_save_all(void);
char		*audit_option_guard(const char *, char **, const char **);

/* audit-command.c: commands, options and the access list. */
const char	*audit_command_file(void);
void		 audit_command_refused_item(struct cmdq_item *,
		     struct client *, struct cmd *, const char *);
void		 audit_command_refused_key(struct client *, struct cmd_list *,
		     key_code, const char *);
void		 audit_option_before(struct options *, const char *);
void		 audit_option_logged(const char *);
void		 audit_option_refused(const char *, const char *, const char *,
		     const char *);

/* audit-pane.c: sessions, windows and panes. */
void		 audit_add_status(struct audit_buf *, int);

/* audit-verify-witness.c: seals seen by syslog (show-audit -V -w). */
enum audit_verdict {
	AUDIT_V_INTACT,
	AUDIT_V_TAIL,		/* torn last record, unsealed tail, empty */
	AUDIT_V_MODIFIED,
	AUDIT_V_UNSIGNED,
	AUDIT_V_VERSION,
	AUDIT_V_SERIES,		/* duplicate, out of order, foreign, ... */
	AUDIT_V_KEY
};

/* What verifying one segment found. */
struct audit_epoch {
	uint64_t	*seq;
	off_t		*off;
	u_char		*dig;
	u_int		 n;
	u_int		 size;
};
struct audit_vseg {
	char			*path;
	enum audit_verdict	 verdict;
	char			*why;
	int			 name_ok;

	/* The segment record. */
	int			 have_header;
	u_char			 run[16];
	uint64_t		 segment;
	uint64_t		 start_time;
	uint64_t		 pid;
	u_char			 run_key[AUDIT_PK_LEN];
	u_char			 sign_key[AUDIT_PK_LEN];
	u_char			 prev_chain[AUDIT_HASH_LEN];
	u_char			 prev_seal[AUDIT_SIG_LEN];
	int			 have_cert;
	u_char			 host_key[AUDIT_PK_LEN];
	u_char			 cert[AUDIT_SIG_LEN];

	/* The seals. */
	u_char			 next_key[AUDIT_PK_LEN];
	int			 final;
	u_char			 final_chain[AUDIT_HASH_LEN];
	u_char			 final_sig[AUDIT_SIG_LEN];
	uint64_t		 first_index;
	uint64_t		 last_index;

	uint64_t		 records;
	uint64_t		 seals;
	int			 have_seal;
	uint64_t		 sealed_seq;

	/* Its place in the series of its run, and its keys. */
	struct audit_vseg	*dup_of;
	int			 truncated;
	int			 linked;
	char			*unlinked;
	int			 cert_ok;
	int			 anchor_ok;

	/* While it is read: the chain, and the records since the last seal. */
	u_char			 chain[AUDIT_HASH_LEN];
	struct audit_epoch	 ep;

	/* The collector's counter-seals (-c), matched as seals are read. */
	const u_char		*cseal_pk;
	struct audit_cseal	*cseals;
	u_int			 ncseals;
	u_int			 cseal_next;
	int			 cseal_missing;
	uint64_t		 cseal_missing_seq;
	char			*cseal_why;
};

int		 audit_witness_read(const char *, char **);
void		 audit_witness_seen(struct audit_vseg *,
		     const struct audit_record *, uint64_t, const u_char *);
void		 audit_witness_report(struct audit_out *, struct audit_vseg *,
		     u_int);

/* audit-verify-cseal.c: checking the collector's counter-seals. */
int		 audit_vcseal_keyed(char **, u_int, const u_char *);
void		 audit_vcseal_load(struct audit_vseg *, const u_char *);
void		 audit_vcseal_seen(struct audit_vseg *,
		     const struct audit_record *, uint64_t);
void		 audit_vcseal_end(struct audit_vseg *);

/* audit-verify.c: verifying one segment file. */
void		 audit_vset(struct audit_vseg *, enum audit_verdict,
		     const char *, ...) __attribute__((format(printf, 3, 4)));
void		 audit_vseg_begin(struct audit_vseg *, const char *, u_int);
int		 audit_vseg_record(struct audit_vseg *,
		     const struct audit_record *);
void		 audit_vseg_end(struct audit_vseg *);
void		 audit_vseg_clear(struct audit_vseg *);
void		 audit_verify_file(struct audit_vseg *, const char *,
		     const u_char *);

/* audit-verify-run.c: verifying runs of segments (show-audit -V, -K). */
int		 audit_verify(struct audit_out *, char **, u_int,
		     const u_char *, const u_char *);
void		 audit_verify_paths(struct audit_out *, char **, u_int,
		     const char *, const char *, const char *);
void		 audit_run_keys(struct audit_out *, char **, u_int);

/* audit-follow.c: following a log directory (show-audit -W). */
void		 audit_follow(struct audit_out *, const char *,
		     void (*)(void *, const struct audit_record *), void *);

/* audit-target.c: what show-audit -t and -P name. */
enum audit_target_type {
	AUDIT_T_NONE,
	AUDIT_T_SESSION,
	AUDIT_T_WINDOW,
	AUDIT_T_PANE,
	AUDIT_T_POPUP
};
struct audit_target_pane {
	int		 known;
	u_int		 window;
	u_int		 session;
};
struct audit_target {
	enum audit_target_type	 ttype;
	u_int			 tid;
	char			*tname;		/* session by name */

	struct audit_target_pane *panes;	/* where each was made */
	u_int			 npanes;
	struct audit_target_pane *popups;	/* the same, for popups */
	u_int			 npopups;
	char			**snames;	/* session names by id */
	u_int			 nsnames;
};
int		 audit_target_parse(struct audit_target *, struct cmdq_item *,
		     const char *, char **);
void		 audit_target_track(struct audit_target *,
		     const struct audit_record *);
int		 audit_target_match(struct audit_target *,
		     const struct audit_record *);
void		 audit_target_free(struct audit_target *);

/* audit-format.c: records as format trees (show-audit -F, -f). */
struct format_tree *audit_format_record(struct cmdq_item *,
		     const struct audit_record *, const char *);

/* audit-review.c: selecting records, and the index view. */
struct audit_select {
	uint64_t	 since;
	uint64_t	 until;
	char		*user;
	char		*client;
	char		*text;
	u_char		 types[32];	/* a bit for each type selected */
	u_int		 ntypes;
};
struct audit_index;
int		 audit_select_parse(struct audit_select *, struct args *,
		     char **);
int		 audit_select_parse_time(const char *, uint64_t *);
int		 audit_select_match(struct audit_select *,
		     const struct audit_record *);
void		 audit_select_free(struct audit_select *);
struct audit_index *audit_index_create(void);
void		 audit_index_track(struct audit_index *,
		     const struct audit_record *);
void		 audit_index_record(struct audit_index *,
		     const struct audit_record *);
void		 audit_index_print(struct audit_index *, struct audit_out *);

/* audit-export.c: replay and exports. */
enum audit_export_kind {
	AUDIT_EXPORT_ASCIICAST,
	AUDIT_EXPORT_SCRIPTREPLAY,
	AUDIT_EXPORT_REPLAY
};
struct audit_export;
struct audit_export *audit_export_create(enum audit_export_kind, uint64_t,
		     int, const char *, struct audit_out *, char **);
void		 audit_export_set(struct audit_export *, double, double,
		     uint64_t, uint64_t, int);
void		 audit_export_record(struct audit_export *,
		     const struct audit_record *);
uint64_t	 audit_export_start(struct audit_export *);
int		 audit_export_finish(struct audit_export *, char **);
struct audit_export *audit_export_from_args(struct args *,
		     const struct audit_target *, struct audit_out *, int *,
		     char **);
enum cmd_retval	 audit_export_window(struct cmdq_item *, struct args *,
		     const struct audit_target *);

/* audit-typed.c: the view of what was typed (-T). */
struct audit_typed_line {
	uint64_t	 time;		/* of its first key */
	uint64_t	 pane;
	int		 popup;		/* pane is a popup's number */
	const char	*client;	/* NULL if none or unknown */
	const char	*user;
	const char	*command;	/* sent by a command, not typed */
	const char	*text;		/* keys named, not terminated */
	size_t		 len;
};
struct audit_typed;
struct audit_typed *audit_typed_create(void (*)(void *,
		     const struct audit_typed_line *), void *);
void		 audit_typed_record(struct audit_typed *,
		     const struct audit_record *);
void		 audit_typed_flush(struct audit_typed *);
void		 audit_typed_free(struct audit_typed *);
void		 audit_typed_print(struct audit_out *,
		     const struct audit_typed_line *);

/* audit-html.c: the HTML report (show-audit -e html). */
struct audit_html;
struct audit_html *audit_html_create(struct args *, struct cmdq_item *,
		     struct audit_target *, struct audit_select *,
		     struct audit_out *);
void		 audit_html_source(struct audit_html *, const char *);
void		 audit_html_file(struct audit_html *, const char *);
void		 audit_html_record(struct audit_html *,
		     const struct audit_record *, int);
void		 audit_html_finish(struct audit_html *);

/* audit-history.c: the command history (-H). */
struct audit_history;
struct audit_history *audit_history_create(void);
void		 audit_history_record(struct audit_history *,
		     const struct audit_record *, int);
void		 audit_history_print(struct audit_history *, struct audit_out *,
		     struct cmdq_item *, struct args *);

#endif /* AUDIT_INT_H */
