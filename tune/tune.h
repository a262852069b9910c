/* SPDX-License-Identifier: MIT */
/*
 * tune.h — system tunables as data, the journal that makes every change revertible,
 * and the profile parser (`locus tune`).
 *
 * Tunables are a table (tune/tunables.c): name, path under the sysroot, type, range or
 * choices, and a one-line description.  Reads and writes go through lib/sysfs.h, so
 * --sysroot DIR works for every command.  Hooks exist only where the kernel is odd:
 * THP's "[madvise]" syntax, vm.overcommit_ratio/vm.overcommit_kbytes zeroing each
 * other, the swappiness range (0..200 since 5.8), per-node huge-page pools.
 *
 * The journal (tune/journal.c) records the original value of every key a transaction
 * touches, persisted (fsync + atomic rename) before the first write, so that a change
 * can be reverted, verified and recovered after a crash.  Profiles (tune/profile.c)
 * are INI-like files of NAME = VALUE lines (docs/tune.md).
 */
#ifndef LOCUS_TUNE_H
#define LOCUS_TUNE_H

#include <stdbool.h>
#include <stddef.h>

#define TUNE_VAL_MAX 64
#define TUNE_NAME_MAX 64

enum tune_type {
	TUNE_INT,     /* a decimal integer in [min, max] */
	TUNE_CHOICE,  /* one word of a list (THP's bracket syntax) */
};

enum tune_hook {
	TUNE_HOOK_NONE,
	TUNE_HOOK_THP,        /* file reads "always [madvise] never"; value is the bracketed word */
	TUNE_HOOK_SWAPPINESS, /* max is 200 since Linux 5.8, else 100 */
	TUNE_HOOK_PAIR,       /* writing one of a pair zeroes the other (overcommit) */
	TUNE_HOOK_HUGEPAGES,  /* a pool, global or per node ("@nodeN"); may be partly satisfied */
};

struct tunable {
	const char *name;
	const char *path;            /* relative to the sysroot; hugepages: the global file */
	enum tune_type type;
	long min, max;
	const char *const *choices;  /* TUNE_CHOICE: NULL-terminated */
	const char *desc;            /* what it does and when to change it */
	enum tune_hook hook;
	const char *partner;         /* TUNE_HOOK_PAIR: the other one's name */
	const char *hp_dir;          /* TUNE_HOOK_HUGEPAGES: "hugepages-2048kB" */
};

/* A resolved tunable: a table entry, plus the node for a per-node pool. */
struct tune_key {
	const struct tunable *t;
	int node;                    /* -1: global */
	char name[TUNE_NAME_MAX];    /* "vm.swappiness", "hugepages.2M@node1" */
	char path[256];              /* relative to the sysroot */
};

/* The table. */
size_t tune_count(void);
const struct tunable *tune_at(size_t i);

/* Resolve a name ("vm.swappiness", "hugepages.2M@node1" or "hugepages.2M@1").
 * Returns 0, -ENOENT for an unknown name, -EINVAL for a bad "@node" suffix.  Prints
 * nothing. */
int tune_resolve(const char *name, struct tune_key *k);

/* Up to 3 known names closest to `name`, comma-separated, into buf ("" if none is
 * close).  Returns buf. */
const char *tune_suggest(const char *name, char *buf, size_t len);

/* Every tunable of the table, and the per-node pools of the nodes present under the
 * sysroot.  *out is malloc'd (free it).  Returns 0 or -ENOMEM. */
int tune_keys_all(struct tune_key **out, size_t *n);

/* Whether the tunable's file exists under the sysroot. */
bool tune_present(const struct tune_key *k);

/* The current value, normalized (THP: the bracketed word).  Returns 0 or a negative
 * errno (-ENOENT when the file is absent). */
int tune_read(const struct tune_key *k, char *val, size_t len);

/* The allowed range of an integer tunable on this kernel (swappiness depends on the
 * release read from proc/sys/kernel/osrelease). */
void tune_range(const struct tune_key *k, long *min, long *max);

/* The allowed words of a choice tunable: from the file when it lists them, else the
 * table.  Fills up to max pointers into store (static or owned by store_buf); returns
 * the count. */
size_t tune_choices(const struct tune_key *k, const char **out, size_t max, char *buf, size_t len);

/* "0..200" or "always|madvise|never" into buf; returns buf. */
const char *tune_allowed(const struct tune_key *k, char *buf, size_t len);

/* Check a value and write its normalized form to norm.  On bad input prints
 * "locus: tune: NAME: 'VALUE' ...; allowed ..." and returns -EINVAL or -ERANGE. */
int tune_validate(const struct tune_key *k, const char *val, char *norm, size_t len);
/* The same without printing: the problem ("NAME: 'VALUE' ...; allowed ...") goes to why. */
int tune_check(const struct tune_key *k, const char *val, char *norm, size_t len,
	       char *why, size_t wlen);

/* Write a (validated, normalized) value.  Returns 0 or a negative errno (the
 * kernel's).  Under a fake sysroot, the kernel's side effects are emulated so the
 * fixture behaves like /proc (THP brackets, the overcommit pair zeroing). */
int tune_write(const struct tune_key *k, const char *val);

/* Whether two normalized values are the same setting. */
bool tune_equal(const struct tune_key *k, const char *a, const char *b);

/* Absolute path of the tunable's file (for messages). */
const char *tune_abspath(const struct tune_key *k, char *buf, size_t len);

/* ------------------------------------------------------------------ journal */

enum tune_txn_state {
	TXN_APPLYING,    /* originals persisted, writes may have happened: needs recover */
	TXN_APPLIED,
	TXN_REVERTED,
	TXN_ROLLEDBACK,  /* a write failed and the earlier ones were undone */
	TXN_RECOVERED,   /* restored by `tune recover` after a crash */
	TXN_REPLACED,    /* a profile switch took it over: its changes are in a newer one */
};

/* Transaction ids stay far below overflow (the next id is the largest + 1). */
#define TUNE_TXN_ID_MAX 2147483647L

struct tune_change {
	struct tune_key key;
	char original[TUNE_VAL_MAX];
	char requested[TUNE_VAL_MAX];  /* "" for a companion (the other of a pair) */
	char set[TUNE_VAL_MAX];        /* read back after the write; "" before */
	bool companion;                /* not written: recorded because the kernel changes it */
	bool left;                     /* revert left it: changed by someone else */
};

struct tune_txn {
	long id;
	char source[128];
	char profile[128];             /* the profile applied ("" for set) */
	long long time;
	enum tune_txn_state state;
	struct tune_change *ch;
	size_t n;
};

struct tune_journal {
	char dir[4096];
	char path[4096];
	struct tune_txn *txn;
	size_t n;
	int lock_fd;                   /* the writer lock's descriptor (journal_open) */
	bool locked;
};

struct tune_request {
	struct tune_key key;
	char value[TUNE_VAL_MAX];      /* normalized */
};

/* The state directory: dir if given, else $LOCUS_STATE_DIR, else run/locus under
 * the sysroot (so /run/locus on the real system). */
const char *tune_state_dir(const char *dir, char *buf, size_t len);

/* Load the journal (an absent file is an empty journal), validating every field
 * (journal_parse).  Returns 0, or a negative errno after printing why (a corrupt journal
 * is -EINVAL: the message names the file, how to inspect it and the --force way out). */
int journal_load(struct tune_journal *j, const char *state_dir);
/* Parse and validate a journal's text into j->txn/j->n (j->dir and j->path untouched).
 * Prints nothing: returns 0, -ENOMEM, or -EINVAL with the first problem in why. */
int journal_parse(struct tune_journal *j, const char *text, size_t len, char *why, size_t wlen);
/* Rename a corrupt journal to JOURNAL.corrupt (after --force); prints what it did.
 * Returns 0 or a negative errno. */
int journal_set_aside(struct tune_journal *j);
/*
 * For every command that writes settings or the journal: create the state directory,
 * take its writer lock (flock on STATE_DIR/lock, which records "pid N: HOLDER"), then
 * load the journal.  The lock is held until journal_free().  A second writer does not
 * wait: it gets -EBUSY after a message naming the holder's pid and command, so two
 * applies never interleave their reads, writes and journal saves.  -EACCES when the
 * directory or lock cannot be created (needs root).  Other errors as journal_load;
 * with set_aside_corrupt (--force), a corrupt journal is moved aside
 * (journal_set_aside) and an empty one is started instead.
 */
int journal_open(struct tune_journal *j, const char *state_dir, const char *holder,
		 bool set_aside_corrupt);
/* Persist: write a temporary file, fsync, rename over the journal, fsync the directory.
 * Returns 0 or a negative errno after printing why. */
int journal_save(struct tune_journal *j);
void journal_free(struct tune_journal *j);
const char *tune_state_name(enum tune_txn_state s);
/* The transaction with this id, or NULL. */
struct tune_txn *journal_find(struct tune_journal *j, long id);
/* Whether some transaction is still TXN_APPLYING (a crash happened during it). */
bool journal_unrecovered(const struct tune_journal *j);

enum tune_apply_flags {
	TUNE_ALLOW_PARTIAL = 1 << 0, /* accept a value the kernel clamped or partly satisfied */
	TUNE_FORCE = 1 << 1,         /* revert: restore even values changed by someone else */
	TUNE_SWITCH = 1 << 2,        /* apply: take over the active profile (journal_active) */
};

/* The index of the first transaction a profile switch takes over (the newest applied
 * one with a profile; every applied one after it goes with it), or j->n when no profile
 * is active. */
size_t journal_active(const struct tune_journal *j);

/*
 * Apply requests as one all-or-nothing transaction: refuse if the journal has an
 * unrecovered transaction (-EBUSY); read and persist the originals; write each value
 * and read it back; on a failed write or (without TUNE_ALLOW_PARTIAL) a shortfall,
 * restore the ones written, in reverse order.  Requests whose current value already
 * matches are left out.  *txn_id receives the transaction id (0 when nothing needed
 * changing).  Returns 0; -EBUSY, -EACCES (not writable: the file is named), -EIO
 * (rolled back), -EINVAL (conflicting requests); or an error from the journal.
 * profile names the profile applied ("" or NULL for a set); with TUNE_SWITCH the
 * active profile's transactions are replaced in the same transaction: their keys the
 * new profile does not set are restored, the others keep their first original, and
 * the replaced ones end as TXN_REPLACED (a failed switch restores the values from
 * before them).  Messages are printed.  Test hooks: LOCUS_TUNE_TEST_KILL_AFTER=N raises SIGKILL after
 * the Nth write, LOCUS_TUNE_TEST_FAIL_AT=N makes the Nth write fail with EIO.
 */
int tune_apply(struct tune_journal *j, const char *source, const char *profile,
	       const struct tune_request *req, size_t n, unsigned flags, long *txn_id);

/* Revert one applied transaction (restores in reverse order; a value changed by
 * someone else since is left, with a warning, unless TUNE_FORCE).  Returns 0, 1 when
 * some value was left, or a negative errno: -EACCES when a file is not writable
 * (nothing changed), -EIO when the kernel refused a restore (the transaction stays
 * applied).  The journal is saved. */
int tune_revert_txn(struct tune_journal *j, struct tune_txn *t, unsigned flags);

/* Restore every TXN_APPLYING transaction's originals (newest first); one whose restore
 * failed stays TXN_APPLYING.  Returns the number of transactions recovered, or a
 * negative errno (-EACCES: a file is not writable, nothing was changed). */
int tune_recover(struct tune_journal *j);

/* ------------------------------------------------------------------ profiles */

struct tune_profile {
	char path[4096];
	char name[128];
	char description[256];
	struct tune_request *req;
	size_t n;
	char **missing;      /* tunables whose file is absent here (skipped) */
	size_t n_missing;
};

/* The administrator's profiles. */
#define TUNE_ETC_PROFILES "/etc/locus/profiles"

/* The first directory searched: $LOCUS_PROFILES_DIR, else the shipped profiles
 * (LOCUS_DATADIR/profiles, or the source tree's tune/profiles when not installed). */
const char *tune_profiles_dir(void);

/* The directories searched for NAME.conf, in order: $LOCUS_PROFILES_DIR (when set),
 * /etc/locus/profiles, the shipped directory.  Fills up to max; returns the count. */
size_t tune_profile_dirs(const char **out, size_t max);

struct tune_profile_entry {
	char name[128];
	char path[4200];
	const char *dir;             /* one of tune_profile_dirs() */
};
/* Every profile found (NAME.conf; the first directory holding a name wins), sorted by
 * name.  *out is malloc'd.  Returns 0 or -ENOMEM. */
int tune_profile_list(struct tune_profile_entry **out, size_t *n);

/* Find a profile: a path (contains '/' or is an existing file), else NAME.conf in the
 * profile directories.  Writes the path into buf.  Returns 0 or -ENOENT after printing
 * why (with the closest profile name when one is close). */
int tune_profile_find(const char *arg, char *buf, size_t len);

/* Parse a profile file (and the profiles it includes).  Bad syntax, an unknown tunable,
 * a bad value, a NUL or control byte, an include cycle, or a file that is not a regular
 * file (a FIFO is not opened for blocking reads) prints "locus: tune: FILE[:LINE]:
 * problem" and returns -EINVAL; an unreadable file -errno. */
int tune_profile_load(const char *path, struct tune_profile *p);
void tune_profile_free(struct tune_profile *p);

/* ------------------------------------------------------------------ recommend */

struct tune_machine {
	int nodes;                   /* NUMA nodes present (0: unknown) */
	long long mem_bytes;         /* MemTotal, -1 when unknown */
	long long swap_bytes;        /* SwapTotal, -1 when unknown */
};

struct tune_advice {
	struct tune_key key;
	char value[TUNE_VAL_MAX];    /* proposed, valid on this kernel */
	char current[TUNE_VAL_MAX];
	char reason[700];
};

/* What the machine is, read under the sysroot. */
void tune_machine_read(struct tune_machine *m);
/* The settings proposed for m (only tunables present here, values this kernel
 * accepts), each with its reason.  Fills up to max; returns the count. */
int tune_recommend(const struct tune_machine *m, struct tune_advice *out, size_t max);

#endif
