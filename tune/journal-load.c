/* SPDX-License-Identifier: MIT */
/*
 * journal-load.c — reading the tune journal back, trusting nothing in it.
 *
 * The journal decides what `revert` and `recover` write into the kernel, so a damaged
 * or hand-edited one must never be acted on in part: every field is checked on load
 * (the version, transaction ids — positive, increasing, far from overflow —, states,
 * sources, and every change's name, original, requested and read-back value against the
 * tunable's type and range on this kernel).  The first problem found makes the whole
 * journal corrupt; the CLI then says which file, how to inspect it and how `--force`
 * sets it aside.  journal_parse() works on a buffer and prints nothing, so the fuzz
 * harness can drive it directly.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "tune.h"

#define JOURNAL_MAX_BYTES (16 << 20)   /* a journal is a few kB; refuse absurd files */

static int fail(char *why, size_t wlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t wlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A printable string of at most max-1 bytes (no control bytes: it is shown in status). */
static bool printable(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n >= max)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

/* The string member `key` of o, or NULL when absent; *bad when present but not a
 * string. */
static const char *member_str(json_t *o, const char *key, bool *bad)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

static bool allowed_key(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return true;
	return false;
}

/* One value of a change: "" where allowed, else valid for the tunable on this kernel. */
static int check_value(const struct tune_key *k, const char *what, json_t *jc, bool may_be_empty,
		       char *dst, size_t dlen, const char *where, char *why, size_t wlen)
{
	bool bad = false;
	const char *v = member_str(jc, what, &bad);
	char norm[TUNE_VAL_MAX], prob[512];

	if (bad || !v)
		return fail(why, wlen, "%s: \"%s\" is %s; expected a string", where, what,
			    bad ? "not a string" : "missing");
	if (!*v && may_be_empty) {
		dst[0] = '\0';
		return 0;
	}
	if (!printable(v, TUNE_VAL_MAX) || tune_check(k, v, norm, sizeof(norm), prob, sizeof(prob)) < 0) {
		if (!printable(v, TUNE_VAL_MAX))
			return fail(why, wlen, "%s: %s: not a value of %s (control bytes or too long)",
				    where, what, k->name);
		size_t nl = strlen(k->name);
		const char *pr = strncmp(prob, k->name, nl) == 0 && prob[nl] == ':' ? prob + nl + 2 : prob;
		return fail(why, wlen, "%s: %s: %s", where, what, pr);
	}
	snprintf(dst, dlen, "%s", norm);
	return 0;
}

static int parse_change(json_t *jc, struct tune_txn *t, size_t i, const char *tw, char *why,
			size_t wlen)
{
	static const char *const keys[] = { "name", "path", "original", "requested", "set",
					    "companion", "left", NULL };
	struct tune_change *c = &t->ch[i];
	char where[256];
	const char *key, *name;
	bool bad = false;
	json_t *v;
	int r;

	if (!json_is_object(jc))
		return fail(why, wlen, "%s, change %zu: not an object", tw, i + 1);
	json_object_foreach(jc, key, v)
		if (!allowed_key(key, keys))
			return fail(why, wlen, "%s, change %zu: unknown field \"%.40s\"", tw, i + 1, key);
	name = member_str(jc, "name", &bad);
	if (!name || bad || !printable(name, TUNE_NAME_MAX))
		return fail(why, wlen, "%s, change %zu: \"name\" is missing or not a tunable name",
			    tw, i + 1);
	r = tune_resolve(name, &c->key);
	if (r < 0)
		return fail(why, wlen, "%s, change %zu: unknown tunable '%s'", tw, i + 1, name);
	for (size_t p = 0; p < i; p++)
		if (strcmp(t->ch[p].key.name, c->key.name) == 0)
			return fail(why, wlen, "%s: %s recorded twice", tw, c->key.name);
	if (member_str(jc, "path", &bad), bad)
		return fail(why, wlen, "%s, %s: \"path\" is not a string", tw, c->key.name);
	snprintf(where, sizeof(where), "%s, %s", tw, c->key.name);
	for (const char *const *b = (const char *const[]){ "companion", "left", NULL }; *b; b++) {
		v = json_object_get(jc, *b);
		if (v && !json_is_boolean(v))
			return fail(why, wlen, "%s: \"%s\" is not true or false", where, *b);
	}
	c->companion = json_is_true(json_object_get(jc, "companion"));
	c->left = json_is_true(json_object_get(jc, "left"));
	if (c->companion && c->key.t->hook != TUNE_HOOK_PAIR)
		return fail(why, wlen, "%s: only the overcommit pair has companions", where);
	r = check_value(&c->key, "original", jc, false, c->original, sizeof(c->original), where,
			why, wlen);
	if (!r)
		r = check_value(&c->key, "requested", jc, true, c->requested, sizeof(c->requested),
				where, why, wlen);
	if (!r)
		r = check_value(&c->key, "set", jc, true, c->set, sizeof(c->set), where, why, wlen);
	if (r)
		return r;
	if (!c->companion && !*c->requested)
		return fail(why, wlen, "%s: \"requested\" is empty (only a companion has none)", where);
	return 0;
}

static int parse_txn(json_t *jt, struct tune_txn *t, size_t idx, long prev_id, char *why,
		     size_t wlen)
{
	static const char *const keys[] = { "id", "time", "source", "state", "profile", "changes",
					    NULL };
	json_t *chs, *jc, *v;
	const char *st, *s, *key;
	bool bad = false;
	char tw[64];
	size_t i;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(jt))
		return fail(why, wlen, "transaction %zu: not an object", idx + 1);
	json_object_foreach(jt, key, v)
		if (!allowed_key(key, keys))
			return fail(why, wlen, "transaction %zu: unknown field \"%.40s\"", idx + 1, key);
	v = json_object_get(jt, "id");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > TUNE_TXN_ID_MAX)
		return fail(why, wlen, "transaction %zu: \"id\" is not an integer in 1..%ld", idx + 1,
			    (long)TUNE_TXN_ID_MAX);
	t->id = (long)json_integer_value(v);
	snprintf(tw, sizeof(tw), "transaction %ld", t->id);
	if (t->id <= prev_id)
		return fail(why, wlen, "%s: ids must increase (it follows %ld)", tw, prev_id);
	v = json_object_get(jt, "time");
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return fail(why, wlen, "%s: \"time\" is not a non-negative integer", tw);
	t->time = (long long)json_integer_value(v);
	s = member_str(jt, "source", &bad);
	if (!s || bad || !printable(s, sizeof(t->source)))
		return fail(why, wlen, "%s: \"source\" is missing, too long or has control bytes", tw);
	snprintf(t->source, sizeof(t->source), "%s", s);
	s = member_str(jt, "profile", &bad);
	if (bad || (s && (!*s || !printable(s, sizeof(t->profile)))))
		return fail(why, wlen, "%s: \"profile\" is not a profile name", tw);
	snprintf(t->profile, sizeof(t->profile), "%s", s ? s : "");
	st = member_str(jt, "state", &bad);
	t->state = (enum tune_txn_state)-1;
	for (i = 0; st && i <= TXN_REPLACED; i++)
		if (strcmp(st, tune_state_name((enum tune_txn_state)i)) == 0)
			t->state = (enum tune_txn_state)i;
	if ((int)t->state < 0)
		return fail(why, wlen, "%s: \"state\" is not one of applying, applied, reverted, "
			    "rolled-back, recovered, replaced", tw);
	chs = json_object_get(jt, "changes");
	if (!json_is_array(chs) || json_array_size(chs) == 0 || json_array_size(chs) > 4096)
		return fail(why, wlen, "%s: \"changes\" is not a non-empty array", tw);
	t->n = json_array_size(chs);
	t->ch = calloc(t->n, sizeof(*t->ch));
	if (!t->ch)
		return -ENOMEM;
	json_array_foreach(chs, i, jc) {
		int r = parse_change(jc, t, i, tw, why, wlen);
		if (r)
			return r;
	}
	return 0;
}

int journal_parse(struct tune_journal *j, const char *text, size_t len, char *why, size_t wlen)
{
	static const char *const keys[] = { "version", "transactions", NULL };
	json_error_t e;
	json_t *root, *arr, *jt, *v;
	const char *key;
	long prev = 0;
	size_t i;
	int r = 0;

	j->txn = NULL;
	j->n = 0;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!root)
		return fail(why, wlen, "not JSON: %s (line %d)", e.text, e.line);
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(why, wlen, "not a JSON object");
	}
	json_object_foreach(root, key, v)
		if (!allowed_key(key, keys)) {
			/* the message first: key lives in root */
			r = fail(why, wlen, "unknown field \"%.40s\"", key);
			json_decref(root);
			return r;
		}
	v = json_object_get(root, "version");
	arr = json_object_get(root, "transactions");
	if (!json_is_integer(v) || json_integer_value(v) != 1 || !json_is_array(arr)) {
		json_decref(root);
		return fail(why, wlen, "expected {\"version\": 1, \"transactions\": [...]}");
	}
	j->txn = calloc(json_array_size(arr) + 1, sizeof(*j->txn));
	if (!j->txn) {
		json_decref(root);
		return -ENOMEM;
	}
	json_array_foreach(arr, i, jt) {
		j->n = i + 1;
		r = parse_txn(jt, &j->txn[i], i, prev, why, wlen);
		if (r)
			break;
		prev = j->txn[i].id;
	}
	json_decref(root);
	if (r)
		journal_free(j);
	return r;
}

int journal_load(struct tune_journal *j, const char *state_dir)
{
	char why[768], *text = NULL;
	struct stat st;
	ssize_t got = 0;
	int fd, r;

	memset(j, 0, sizeof(*j));
	snprintf(j->dir, sizeof(j->dir), "%s", state_dir);
	snprintf(j->path, sizeof(j->path), "%s/journal", state_dir);
	fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		return locus_fail(-r, "tune: %s: cannot read the journal: %s", j->path, strerror(-r));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > JOURNAL_MAX_BYTES) {
		close(fd);
		snprintf(why, sizeof(why), "not a regular file of at most %d bytes", JOURNAL_MAX_BYTES);
		r = -EINVAL;
		goto corrupt;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (got < st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)(st.st_size - got));
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	r = journal_parse(j, text, (size_t)got, why, sizeof(why));
	free(text);
	if (r != -EINVAL)
		return r;
corrupt:
	for (char *p = why; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = '?';
	locus_error("tune: %s: corrupt journal: %s; nothing was changed (inspect it with "
		    "'python3 -m json.tool %s'; --force on set, apply, revert, recover or off moves "
		    "it aside to %s.corrupt and starts a new one)", j->path, why, j->path, j->path);
	return -EINVAL;
}

int journal_set_aside(struct tune_journal *j)
{
	char dst[4200];

	snprintf(dst, sizeof(dst), "%s.corrupt", j->path);
	if (rename(j->path, dst) < 0) {
		int r = -errno;
		return locus_fail(-r, "tune: %s: cannot move aside: %s", j->path, strerror(-r));
	}
	locus_warn("tune: %s: corrupt journal moved to %s (--force); its transactions are no "
		   "longer tracked: check the values with 'locus tune show'", j->path, dst);
	return 0;
}
