/* SPDX-License-Identifier: MIT */
/*
 * journal.c — the record that makes every `locus tune` change revertible.
 *
 * A transaction's originals are read (only the keys it touches, read before write) and
 * persisted — temporary file, fsync, rename, fsync of the directory — before the first
 * write, with the state "applying".  Only when every write has been read back is the
 * state "applied".  A SIGKILL at any point therefore leaves either nothing written or
 * an "applying" transaction whose originals `tune recover` restores; a new apply
 * refuses to start until then.  The journal is JSON (jansson), one file per state
 * directory, rewritten whole on every change: it is small.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "sysfs.h"
#include "tune.h"

static const char *const state_names[] = {
	[TXN_APPLYING] = "applying",
	[TXN_APPLIED] = "applied",
	[TXN_REVERTED] = "reverted",
	[TXN_ROLLEDBACK] = "rolled-back",
	[TXN_RECOVERED] = "recovered",
	[TXN_REPLACED] = "replaced",
};

const char *tune_state_name(enum tune_txn_state s)
{
	return state_names[s];
}

const char *tune_state_dir(const char *dir, char *buf, size_t len)
{
	const char *env = getenv("LOCUS_STATE_DIR");

	if (dir && *dir)
		snprintf(buf, len, "%s", dir);
	else if (env && *env)
		snprintf(buf, len, "%s", env);
	else
		sysfs_path("run/locus", buf, len);
	return buf;
}

static int mkdir_p(const char *dir)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Who holds the lock, from the lock file ("pid N (locus tune apply latency)"), made
 * printable.  Returns whether the note names a live process: a holder writes its note
 * just after taking the lock, so an empty note or one of a finished process means the
 * note is not yet written. */
static bool lock_holder(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);
	long pid;

	if (n <= 0) {
		snprintf(buf, len, "another locus process");
		return false;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = '?';
	if (sscanf(buf, "pid %ld", &pid) != 1 || pid <= 0)
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int journal_open(struct tune_journal *j, const char *state_dir, const char *holder,
		 bool set_aside_corrupt)
{
	char lock[4200], who[256];
	int fd, r;

	r = mkdir_p(state_dir);
	if (r < 0) {
		locus_error("tune: %s: cannot create the state directory: %s%s", state_dir,
			    strerror(-r), r == -EACCES && geteuid() != 0 ?
			    " (writing needs root; nothing was changed)" : "");
		return r == -EACCES || r == -EROFS ? -EACCES : r;
	}
	snprintf(lock, sizeof(lock), "%s/lock", state_dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == EACCES)
		fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW); /* lock only, no holder note */
	if (fd < 0) {
		r = -errno;
		locus_error("tune: %s: cannot open the lock: %s%s", lock, strerror(-r),
			    r == -EACCES && geteuid() != 0 ?
			    " (writing needs root; nothing was changed)" : "");
		return r == -EACCES || r == -EROFS ? -EACCES : r;
	}
	/* Refuse rather than wait (a tune ab may hold it for minutes), but give a holder
	 * that has just taken the lock up to a second to write its note, and one that is
	 * just finishing the chance to let go. */
	for (int tries = 0; (r = flock(fd, LOCK_EX | LOCK_NB)) < 0 && errno == EWOULDBLOCK &&
			    tries < 20 && !lock_holder(fd, who, sizeof(who)); tries++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (r < 0) {
		r = -errno;
		if (r == -EWOULDBLOCK) {
			lock_holder(fd, who, sizeof(who));
			locus_error("tune: %s: held by %s; nothing was changed (try again when it "
				    "has finished)", lock, who);
			r = -EBUSY;
		} else {
			locus_error("tune: %s: cannot lock: %s", lock, strerror(-r));
		}
		close(fd);
		return r;
	}
	/* Note the holder for whoever finds the lock taken (best effort). */
	snprintf(who, sizeof(who), "pid %ld (%s)\n", (long)getpid(), holder ? holder : "locus tune");
	if (ftruncate(fd, 0) == 0 && pwrite(fd, who, strlen(who), 0) < 0) {
		/* read-only descriptor: the lock still holds */
	}
	r = journal_load(j, state_dir);
	if (r == -EINVAL && set_aside_corrupt) {
		r = journal_set_aside(j);
		if (r == 0)
			r = journal_load(j, state_dir);
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	j->lock_fd = fd;
	j->locked = true;
	return 0;
}

void journal_free(struct tune_journal *j)
{
	if (j->locked) {
		close(j->lock_fd); /* releases the flock */
		j->locked = false;
	}
	for (size_t i = 0; i < j->n; i++)
		free(j->txn[i].ch);
	free(j->txn);
	j->txn = NULL;
	j->n = 0;
}

static json_t *txn_json(const struct tune_txn *t)
{
	json_t *jt = json_object(), *chs = json_array();

	json_object_set_new(jt, "id", json_integer(t->id));
	json_object_set_new(jt, "time", json_integer(t->time));
	json_object_set_new(jt, "source", json_string(t->source));
	json_object_set_new(jt, "state", json_string(state_names[t->state]));
	if (*t->profile)
		json_object_set_new(jt, "profile", json_string(t->profile));
	for (size_t i = 0; i < t->n; i++) {
		const struct tune_change *c = &t->ch[i];
		json_t *jc = json_object();
		char abs[4096];

		json_object_set_new(jc, "name", json_string(c->key.name));
		json_object_set_new(jc, "path", json_string(tune_abspath(&c->key, abs, sizeof(abs))));
		json_object_set_new(jc, "original", json_string(c->original));
		json_object_set_new(jc, "requested", json_string(c->requested));
		json_object_set_new(jc, "set", json_string(c->set));
		if (c->companion)
			json_object_set_new(jc, "companion", json_true());
		if (c->left)
			json_object_set_new(jc, "left", json_true());
		json_array_append_new(chs, jc);
	}
	json_object_set_new(jt, "changes", chs);
	return jt;
}

int journal_save(struct tune_journal *j)
{
	char tmp[4200];
	json_t *root = json_object(), *arr = json_array();
	char *text;
	int fd, r;

	r = mkdir_p(j->dir);
	if (r < 0) {
		json_decref(root);
		json_decref(arr);
		return locus_fail(-r, "tune: %s: cannot create the state directory: %s", j->dir,
				      strerror(-r));
	}
	for (size_t i = 0; i < j->n; i++)
		json_array_append_new(arr, txn_json(&j->txn[i]));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "transactions", arr);
	text = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	if (!text)
		return -ENOMEM;
	snprintf(tmp, sizeof(tmp), "%s.tmp", j->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		free(text);
		return locus_fail(-r, "tune: %s: cannot write the journal: %s", tmp, strerror(-r));
	}
	size_t len = strlen(text), done = 0;
	r = 0;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0) {
			r = -errno;
			break;
		}
		done += (size_t)w;
	}
	free(text);
	if (!r && (write(fd, "\n", 1) != 1 || fsync(fd) < 0))
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, j->path) < 0)
		r = -errno;
	if (r) {
		unlink(tmp);
		return locus_fail(-r, "tune: %s: cannot write the journal: %s", j->path, strerror(-r));
	}
	/* The rename is durable only once the directory is synced. */
	fd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

struct tune_txn *journal_find(struct tune_journal *j, long id)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->txn[i].id == id)
			return &j->txn[i];
	return NULL;
}

bool journal_unrecovered(const struct tune_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->txn[i].state == TXN_APPLYING)
			return true;
	return false;
}

static struct tune_change *find_change(struct tune_txn *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->ch[i].key.name, name) == 0)
			return &t->ch[i];
	return NULL;
}

/*
 * Restoring one of the overcommit pair: the kernel zeroes the partner on every write,
 * so the one whose original was 0 is not written when the partner's original was not
 * (the partner's write makes it 0); otherwise writing "0" would zero the partner.
 */
static bool pair_skip(struct tune_txn *t, const struct tune_change *c)
{
	struct tune_change *p;

	if (c->key.t->hook != TUNE_HOOK_PAIR || strcmp(c->original, "0") != 0)
		return false;
	p = find_change(t, c->key.t->partner);
	return p && strcmp(p->original, "0") != 0;
}

static int restore(struct tune_txn *t, struct tune_change *c)
{
	int r;

	if (pair_skip(t, c))
		return 0;
	r = tune_write(&c->key, c->original);
	if (r < 0) {
		char abs[4096];
		locus_error("tune: %s: cannot restore %s: %s", tune_abspath(&c->key, abs, sizeof(abs)),
			    c->original, strerror(-r));
	}
	return r;
}

/* Test hooks: LOCUS_TUNE_TEST_KILL_AFTER=N raises SIGKILL after the Nth write of an
 * apply (crash recovery); LOCUS_TUNE_TEST_FAIL_AT=N makes the Nth write fail with EIO
 * (rollback).  A kernel write error cannot be provoked on a fixture tree otherwise. */
static int test_env(const char *name)
{
	const char *s = getenv(name);
	return s && *s ? atoi(s) : -1;
}

/* Whether the file can be written: on the real system, a clear "needs root" before
 * anything is changed. */
static int check_writable(const struct tune_key *k)
{
	char abs[4096];

	tune_abspath(k, abs, sizeof(abs));
	if (access(abs, W_OK) == 0)
		return 0;
	if (errno == EACCES || errno == EPERM || errno == EROFS) {
		if (geteuid() != 0)
			locus_error("tune: %s: writing needs root (nothing was changed; "
				    "--dry-run shows what would change)", abs);
		else
			locus_error("tune: %s: not writable: %s (nothing was changed)", abs,
				    strerror(errno));
		return -EACCES;
	}
	locus_error("tune: %s: %s (nothing was changed)", abs, strerror(errno));
	return -errno;
}

/* The transactions a profile switch takes over: the newest applied one that applied a
 * profile, and every applied one after it.  Returns the index of the first, or j->n. */
size_t journal_active(const struct tune_journal *j)
{
	for (size_t i = j->n; i-- > 0;)
		if (j->txn[i].state == TXN_APPLIED && *j->txn[i].profile)
			return i;
	return j->n;
}

/* What the replaced transactions j->txn[first..] hold for `name`: the original from the
 * oldest that touched it, the value set (and whether left) from the newest. */
static const struct tune_change *base_find(const struct tune_journal *j, size_t first,
					   const char *name, const char **original)
{
	const struct tune_change *newest = NULL;

	*original = NULL;
	for (size_t i = first; i < j->n; i++) {
		if (j->txn[i].state != TXN_APPLIED)
			continue;
		for (size_t c = 0; c < j->txn[i].n; c++)
			if (strcmp(j->txn[i].ch[c].key.name, name) == 0) {
				if (!*original)
					*original = j->txn[i].ch[c].original;
				newest = &j->txn[i].ch[c];
			}
	}
	return newest;
}

/*
 * A profile switch as one transaction: the keys of the replaced transactions that the
 * new profile does not set are restored (written back to their originals, before the
 * new values), keys in both keep the original from before the old profile, and values
 * someone else changed since are recorded as left, not written.  t->ch is rebuilt:
 * restorations first, then t's own changes.  restoring[i] marks the restorations.
 */
static int merge_switch(const struct tune_journal *j, size_t first, struct tune_txn *t,
			const struct tune_request *req, size_t n, bool **restoring)
{
	size_t cap = t->n + 1, m = 0;
	struct tune_change *all;

	for (size_t i = first; i < j->n; i++)
		cap += j->txn[i].n;
	all = calloc(cap, sizeof(*all));
	*restoring = calloc(cap, sizeof(**restoring));
	if (!all || !*restoring) {
		free(all);
		free(*restoring);
		return -ENOMEM;
	}
	for (size_t i = first; i < j->n; i++) {
		if (j->txn[i].state != TXN_APPLIED)
			continue;
		for (size_t c = 0; c < j->txn[i].n; c++) {
			const struct tune_change *oc = &j->txn[i].ch[c], *nw;
			const char *orig;
			bool requested = false;
			char cur[TUNE_VAL_MAX];

			if (find_change(t, oc->key.name))
				continue;
			for (size_t q = 0; q < n; q++)
				if (strcmp(req[q].key.name, oc->key.name) == 0)
					requested = true;
			bool dup = false;
			for (size_t q = 0; q < m; q++)
				if (strcmp(all[q].key.name, oc->key.name) == 0)
					dup = true;
			if (dup)
				continue;
			nw = base_find(j, first, oc->key.name, &orig);
			struct tune_change *a = &all[m];
			a->key = oc->key;
			snprintf(a->original, sizeof(a->original), "%s", orig);
			snprintf(a->set, sizeof(a->set), "%s", nw->set);
			if (requested) {
				/* Set by the new profile to the value it already has. */
				snprintf(a->requested, sizeof(a->requested), "%s", nw->set);
				for (size_t q = 0; q < n; q++)
					if (strcmp(req[q].key.name, oc->key.name) == 0)
						snprintf(a->requested, sizeof(a->requested), "%s", req[q].value);
				/* A pair member set to 0 with its partner: the kernel zeroes it. */
				bool partner_req = false;
				for (size_t q = 0; q < n; q++)
					if (a->key.t->hook == TUNE_HOOK_PAIR &&
					    strcmp(req[q].key.name, a->key.t->partner) == 0 &&
					    strcmp(req[q].value, "0") != 0)
						partner_req = true;
				a->companion = partner_req && strcmp(a->requested, "0") == 0;
				if (a->companion)
					a->requested[0] = '\0';
				t->ch[t->n++] = *a; /* t has room: 2n + 1 */
				continue;
			}
			snprintf(a->requested, sizeof(a->requested), "%s", orig);
			if (nw->left || (*nw->set && tune_read(&a->key, cur, sizeof(cur)) == 0 &&
					 !tune_equal(&a->key, cur, nw->set))) {
				locus_warn("tune: %s: changed by someone else since locus set %s; left as "
					   "is (revert --force restores %s)", a->key.name, nw->set, orig);
				a->left = true;
			}
			(*restoring)[m++] = true;
		}
	}
	/* Keys in both: the original is the one from before the old profile. */
	for (size_t c = 0; c < t->n; c++) {
		const char *orig;
		if (base_find(j, first, t->ch[c].key.name, &orig))
			snprintf(t->ch[c].original, sizeof(t->ch[c].original), "%s", orig);
	}
	for (size_t c = 0; c < t->n; c++)
		all[m++] = t->ch[c];
	free(t->ch);
	t->ch = all;
	t->n = m;
	/* A restored pair member whose original is 0 is restored by its partner's write. */
	for (size_t c = 0; c < m; c++)
		if ((*restoring)[c] && pair_skip(t, &all[c]))
			all[c].companion = true;
	return 0;
}

int tune_apply(struct tune_journal *j, const char *source, const char *profile,
	       const struct tune_request *req, size_t n, unsigned flags, long *txn_id)
{
	struct tune_txn t = { 0 };
	bool *restoring = NULL;
	size_t first = (flags & TUNE_SWITCH) ? journal_active(j) : j->n;
	long next_id = 1;
	int r = 0, kills = test_env("LOCUS_TUNE_TEST_KILL_AFTER");
	int fail_at = test_env("LOCUS_TUNE_TEST_FAIL_AT"), writes = 0;
	size_t k;

	*txn_id = 0;
	if (journal_unrecovered(j))
		return locus_fail(EBUSY, "tune: %s: an earlier apply was interrupted and not recovered; "
					 "run 'locus tune recover' first", j->path);
	/* The pair: both nonzero cannot be had (the second write zeroes the first). */
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++) {
			if (strcmp(req[a].key.name, req[b].key.name) == 0)
				return locus_fail(EINVAL, "tune: %s: given twice", req[a].key.name);
			if (req[a].key.t->hook == TUNE_HOOK_PAIR && req[b].key.t->hook == TUNE_HOOK_PAIR &&
			    strcmp(req[a].value, "0") && strcmp(req[b].value, "0"))
				return locus_fail(EINVAL, "tune: %s and %s: the kernel zeroes one when the "
							  "other is written; set only one", req[a].key.name,
							  req[b].key.name);
		}

	t.ch = calloc(2 * n + 1, sizeof(*t.ch));
	if (!t.ch)
		return -ENOMEM;
	for (size_t i = 0; i < j->n; i++)
		if (j->txn[i].id >= next_id)
			next_id = j->txn[i].id + 1;
	if (next_id > TUNE_TXN_ID_MAX) {
		free(t.ch);
		return locus_fail(EINVAL, "tune: %s: transaction ids exhausted (%ld); revert what is in "
					  "effect and remove the journal", j->path, next_id - 1);
	}
	t.id = next_id;
	t.time = (long long)time(NULL);
	t.state = TXN_APPLYING;
	snprintf(t.source, sizeof(t.source), "%s", source);
	snprintf(t.profile, sizeof(t.profile), "%s", profile ? profile : "");

	/* Read before write: the originals of the keys that will change, and of the
	 * partner of a pair member (the kernel will change it too). */
	for (size_t i = 0; i < n; i++) {
		char cur[TUNE_VAL_MAX];

		r = tune_read(&req[i].key, cur, sizeof(cur));
		if (r < 0) {
			char abs[4096];
			locus_error("tune: %s: cannot read: %s", tune_abspath(&req[i].key, abs, sizeof(abs)),
				    strerror(-r));
			goto out;
		}
		if (tune_equal(&req[i].key, cur, req[i].value))
			continue;
		/* A pair member's zero is a side effect of its partner being written. */
		if (req[i].key.t->hook == TUNE_HOOK_PAIR && strcmp(req[i].value, "0") == 0) {
			bool partner_set = false;
			for (size_t b = 0; b < n; b++)
				if (strcmp(req[b].key.name, req[i].key.t->partner) == 0)
					partner_set = true;
			if (partner_set)
				continue;
		}
		r = check_writable(&req[i].key);
		if (r < 0)
			goto out;
		if (req[i].key.t->hook == TUNE_HOOK_PAIR && !find_change(&t, req[i].key.t->partner)) {
			struct tune_change *c = &t.ch[t.n];

			if (tune_resolve(req[i].key.t->partner, &c->key) == 0 && tune_present(&c->key) &&
			    tune_read(&c->key, c->original, sizeof(c->original)) == 0) {
				c->companion = true;
				t.n++;
			}
		}
		struct tune_change *c = find_change(&t, req[i].key.name);
		if (!c)
			c = &t.ch[t.n++];
		c->key = req[i].key;
		c->companion = false;
		snprintf(c->original, sizeof(c->original), "%s", cur);
		snprintf(c->requested, sizeof(c->requested), "%s", req[i].value);
	}
	if (first < j->n) {
		r = merge_switch(j, first, &t, req, n, &restoring);
		if (r < 0)
			goto out;
		for (size_t i = 0; i < t.n; i++)
			if (!t.ch[i].companion && !t.ch[i].left && check_writable(&t.ch[i].key) < 0) {
				r = -EACCES;
				goto out;
			}
	}
	if (t.n == 0) {
		free(t.ch);
		return 0;
	}
	/* The replaced transactions end in the same save that records the new one. */
	for (size_t i = first; i < j->n; i++)
		if (j->txn[i].state == TXN_APPLIED)
			j->txn[i].state = TXN_REPLACED;

	/* Persist the originals before the first write. */
	struct tune_txn *nt = realloc(j->txn, (j->n + 1) * sizeof(*j->txn));
	if (!nt) {
		r = -ENOMEM;
		goto out;
	}
	j->txn = nt;
	j->txn[j->n++] = t;
	struct tune_txn *jt = &j->txn[j->n - 1];
	t.ch = NULL;
	r = journal_save(j);
	if (r < 0) {
		free(jt->ch);
		free(restoring);
		j->n--;
		for (size_t i = first; i < j->n; i++)
			if (j->txn[i].state == TXN_REPLACED)
				j->txn[i].state = TXN_APPLIED;
		return r;
	}

	for (k = 0; k < jt->n; k++) {
		struct tune_change *c = &jt->ch[k];
		char abs[4096];

		if (c->companion || c->left)
			continue;
		tune_abspath(&c->key, abs, sizeof(abs));
		r = writes + 1 == fail_at ? -EIO : tune_write(&c->key, c->requested);
		if (r == 0 && ++writes == kills)
			raise(SIGKILL);
		if (r < 0) {
			locus_error("tune: %s: cannot write %s: %s", abs, c->requested, strerror(-r));
			r = -EIO;
			break;
		}
		r = tune_read(&c->key, c->set, sizeof(c->set));
		if (r < 0) {
			locus_error("tune: %s: cannot read back: %s", abs, strerror(-r));
			r = -EIO;
			break;
		}
		if (!tune_equal(&c->key, c->set, c->requested)) {
			if (flags & TUNE_ALLOW_PARTIAL) {
				locus_warn("tune: %s: asked for %s, the kernel gave %s (--allow-partial: kept)",
					   c->key.name, c->requested, c->set);
			} else {
				locus_error("tune: %s: asked for %s, the kernel gave %s; rolling back "
					    "(--allow-partial accepts it)", c->key.name, c->requested, c->set);
				r = -EIO;
				break;
			}
		}
	}
	if (r < 0) {
		/* All or nothing: restore k..0 in reverse (k may be half-written).  A file
		 * that still holds its original (the failed write changed nothing) is not
		 * rewritten. */
		/* A switch: the keys not yet written still hold the old profile's values,
		 * so every change goes back to its original. */
		for (size_t i = restoring ? jt->n : k < jt->n ? k + 1 : k; i-- > 0;) {
			char cur[TUNE_VAL_MAX];

			if (jt->ch[i].left)
				continue;
			if (tune_read(&jt->ch[i].key, cur, sizeof(cur)) == 0 &&
			    tune_equal(&jt->ch[i].key, cur, jt->ch[i].original))
				continue;
			restore(jt, &jt->ch[i]);
		}
		jt->state = TXN_ROLLEDBACK;
		if (restoring)
			locus_error("tune: the switch failed: the values from before the replaced "
				    "transactions are back (neither profile is in effect)");
		free(restoring);
		journal_save(j);
		return r;
	}
	for (size_t i = 0; i < jt->n; i++)
		if (jt->ch[i].companion)
			tune_read(&jt->ch[i].key, jt->ch[i].set, sizeof(jt->ch[i].set));
	/* Restorations that took are no longer locus's business: only the left ones stay
	 * (revert --force restores them). */
	if (restoring) {
		size_t m = 0;
		for (size_t i = 0; i < jt->n; i++)
			if (!restoring[i] || jt->ch[i].left)
				jt->ch[m++] = jt->ch[i];
		jt->n = m;
		free(restoring);
	}
	jt->state = TXN_APPLIED;
	*txn_id = jt->id;
	return journal_save(j);
out:
	free(t.ch);
	free(restoring);
	return r;
}

/* Before restoring anything: can every file be written?  (Non-root stops here.) */
static int check_all_writable(struct tune_txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (!pair_skip(t, &t->ch[i]) && check_writable(&t->ch[i].key) < 0)
			return -EACCES;
	return 0;
}

int tune_revert_txn(struct tune_journal *j, struct tune_txn *t, unsigned flags)
{
	int left = 0, r = check_all_writable(t);

	if (r < 0)
		return r;
	for (size_t i = t->n; i-- > 0;) {
		struct tune_change *c = &t->ch[i];
		char cur[TUNE_VAL_MAX];

		/* A reverted transaction comes back (with --force) only for what was left. */
		if (t->state == TXN_REVERTED && !c->left)
			continue;
		if (c->left && !(flags & TUNE_FORCE)) {
			locus_warn("tune: %s: left as is (changed by someone else); --force restores %s",
				   c->key.name, c->original);
			left = 1;
			continue;
		}
		if (tune_read(&c->key, cur, sizeof(cur)) < 0) {
			locus_warn("tune: %s: cannot read; not restored", c->key.name);
			c->left = true;
			left = 1;
			continue;
		}
		if (*c->set && !tune_equal(&c->key, cur, c->set)) {
			if (!(flags & TUNE_FORCE)) {
				locus_warn("tune: %s: is %s, locus set %s: changed by someone else since; "
					   "left as is (--force restores %s)", c->key.name, cur, c->set,
					   c->original);
				c->left = true;
				left = 1;
				continue;
			}
		}
		if (restore(t, c) < 0)
			r = -EIO;
		c->left = false;
	}
	/* A restore the kernel refused: keep the transaction in effect, so that status
	 * still shows it and a later revert (--force) can retry. */
	if (r == 0)
		t->state = TXN_REVERTED;
	int s = journal_save(j);
	if (r < 0)
		return r;
	return s < 0 ? s : left;
}

int tune_recover(struct tune_journal *j)
{
	int count = 0, r = 0;

	for (size_t i = j->n; i-- > 0;) {
		struct tune_txn *t = &j->txn[i];

		if (t->state != TXN_APPLYING)
			continue;
		if (check_all_writable(t) < 0)
			return -EACCES;
		/* Which writes happened is unknown: restore every original, in reverse.
		 * A key not yet written gets its own value back. */
		int bad = 0;
		for (size_t c = t->n; c-- > 0;)
			if (restore(t, &t->ch[c]) < 0)
				bad = -EIO;
		if (bad) {
			r = bad;
			continue;
		}
		t->state = TXN_RECOVERED;
		count++;
	}
	if (count) {
		int s = journal_save(j);
		if (s < 0)
			return s;
	}
	return r < 0 ? r : count;
}
