/*
 * cmd-tune.c — `locus tune`: show, set, apply profiles, diff, revert, status, verify
 * and recover system tunables (sysctls, THP, huge-page pools).
 *
 * Every write goes through the journal of tune/journal.c, so what locus changes can be
 * listed, verified, reverted, and restored after a crash.  This file only parses the
 * command line and prints; the table, the journal and the profile parser are in tune/.
 * `tune ab` composes tune and bench (tune never measures): it runs `locus bench ...`
 * as a child process in interleaved rounds without and with a profile, reverting the
 * profile after every B round and on signals, and merges each side's rounds.
 * --sysroot (taken by the dispatcher) makes every read and write, and the default
 * journal location, relative to a directory.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "result.h"
#include "runs.h"
#include "sysfs.h"
#include "tune.h"

enum {
	O_JSON = 1 << 0, O_DRY = 1 << 1, O_PARTIAL = 1 << 2, O_ALL = 1 << 3,
	O_TO = 1 << 4, O_FORCE = 1 << 5, O_AB = 1 << 6,
};

struct opts {
	unsigned set;
	long to;
	const char *state_dir;
	const char *profile;   /* ab --profile */
	const char *outdir;    /* ab -o */
	long rounds;           /* ab --rounds */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: locus tune SUBCOMMAND [OPTIONS]\n"
		"\n"
		"Change system tunables with a journal: every change can be listed, verified,\n"
		"reverted, and restored after a crash.\n"
		"\n"
		"  show [NAME...] [--json]          current value, allowed values, description\n"
		"  set NAME=VALUE... [--dry-run]    validate all, then change all or nothing\n"
		"  apply PROFILE|FILE [--dry-run]   apply a profile (see 'tune profiles')\n"
		"  diff PROFILE|FILE                what applying the profile would change\n"
		"  profiles                         the shipped profiles\n"
		"  status [--json]                  what locus changed and has not reverted\n"
		"  verify                           do the values locus set still hold? (exit 5 if not)\n"
		"  revert [--all | --to ID] [--force] [--dry-run]\n"
		"                                   undo the last transaction (--all: every one;\n"
		"                                   --to ID: those after ID), newest first\n"
		"  recover [--dry-run]              restore the originals of an interrupted apply\n"
		"  ab --profile P [--rounds N] [-o DIR] -- bench ARGS...\n"
		"                                   A/B: run 'locus bench ARGS' in interleaved\n"
		"                                   rounds without (A) and with (B) profile P,\n"
		"                                   reverting after every B round and on exit,\n"
		"                                   error, SIGINT or SIGTERM; writes DIR/A.json\n"
		"                                   and DIR/B.json (all rounds' samples) for\n"
		"                                   'locus report --before DIR/A.json --after DIR/B.json'\n"
		"\n"
		"Options:\n"
		"      --json           JSON output (show, status)\n"
		"  -n, --dry-run        print what would change; write nothing\n"
		"      --allow-partial  keep a value the kernel clamped or partly satisfied\n"
		"                       (huge-page pools); otherwise the apply is rolled back\n"
		"      --force          revert values changed by someone else since locus set them\n"
		"      --profile P      ab: the profile of the B rounds\n"
		"      --rounds N       ab: A/B round pairs (default 3)\n"
		"  -o, --output DIR     ab: where A.json, B.json and the rounds go (default locus-ab)\n"
		"      --state-dir DIR  the journal's directory (default $LOCUS_STATE_DIR, else\n"
		"                       /run/locus, under --sysroot when given)\n"
		"\n"
		"Names: vm.swappiness, thp.enabled, hugepages.2M, hugepages.2M@node1, ...\n"
		"('locus tune show' lists them).  Profiles: docs/tune.md.\n"
		"\n" CMD_COMMON_HELP);
}

static const char *tstamp(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
	return buf;
}

/* Resolve NAME, or print the error with the closest names.  Returns 0 or exit 2. */
static int resolve_or_complain(const char *name, struct tune_key *k)
{
	char sugg[256];
	int r = tune_resolve(name, k);

	if (r == -EINVAL) {
		locus_error("tune: '%s': bad node suffix; use NAME@nodeN on a huge-page pool "
			    "(e.g. hugepages.2M@node1)", name);
		return LOCUS_EXIT_USAGE;
	}
	if (r < 0) {
		tune_suggest(name, sugg, sizeof(sugg));
		if (*sugg)
			locus_error("tune: '%s': unknown tunable; closest: %s", name, sugg);
		else
			locus_error("tune: '%s': unknown tunable; 'locus tune show' lists them", name);
		return LOCUS_EXIT_USAGE;
	}
	return 0;
}

static int do_show(int argc, char **argv, const struct opts *o)
{
	struct tune_key *keys = NULL;
	size_t n = 0;
	json_t *arr = (o->set & O_JSON) ? json_array() : NULL;
	int rc = 0;

	if (argc) {
		keys = calloc((size_t)argc, sizeof(*keys));
		if (!keys)
			return LOCUS_EXIT_FAIL;
		for (int i = 0; i < argc; i++) {
			rc = resolve_or_complain(argv[i], &keys[n++]);
			if (rc) {
				free(keys);
				json_decref(arr);
				return rc;
			}
		}
	} else if (tune_keys_all(&keys, &n) < 0) {
		json_decref(arr);
		return LOCUS_EXIT_FAIL;
	}
	if (!arr)
		printf("%-28s %-10s %s\n", "NAME", "VALUE", "ALLOWED");
	for (size_t i = 0; i < n; i++) {
		const struct tune_key *k = &keys[i];
		char val[TUNE_VAL_MAX], allowed[256], abs[4096];
		bool present = tune_read(k, val, sizeof(val)) == 0;

		tune_allowed(k, allowed, sizeof(allowed));
		if (arr) {
			json_t *jo = json_object();
			json_object_set_new(jo, "name", json_string(k->name));
			json_object_set_new(jo, "path", json_string(tune_abspath(k, abs, sizeof(abs))));
			json_object_set_new(jo, "present", json_boolean(present));
			json_object_set_new(jo, "value", present ? json_string(val) : json_null());
			json_object_set_new(jo, "type", json_string(k->t->type == TUNE_INT ? "int" : "choice"));
			if (k->t->type == TUNE_INT) {
				long min, max;
				tune_range(k, &min, &max);
				json_object_set_new(jo, "min", json_integer(min));
				json_object_set_new(jo, "max", json_integer(max));
			} else {
				const char *c[16];
				char tmp[512];
				size_t nc = tune_choices(k, c, 16, tmp, sizeof(tmp));
				json_t *jc = json_array();
				for (size_t m = 0; m < nc; m++)
					json_array_append_new(jc, json_string(c[m]));
				json_object_set_new(jo, "choices", jc);
			}
			if (k->node >= 0)
				json_object_set_new(jo, "node", json_integer(k->node));
			json_object_set_new(jo, "description", json_string(k->t->desc));
			json_array_append_new(arr, jo);
		} else {
			printf("%-28s %-10s %s\n", k->name, present ? val : "-", allowed);
			if (argc || k->node < 0)
				printf("    %s%s\n", present ? "" : "(not present here) ", k->t->desc);
		}
	}
	if (arr) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	}
	free(keys);
	return LOCUS_EXIT_OK;
}

/* Load the journal to read it.  Returns 0 or the exit code (2: corrupt). */
static int load_journal(struct tune_journal *j, const struct opts *o)
{
	char dir[4096];
	int r;

	tune_state_dir(o->state_dir, dir, sizeof(dir));
	r = journal_load(j, dir);
	if (r == -EINVAL)
		return LOCUS_EXIT_USAGE;
	return r < 0 ? LOCUS_EXIT_FAIL : 0;
}

/* The command line, for the lock file: who holds it ("tune apply latency"). */
static char holder[256];

static void set_holder(int argc, char **argv)
{
	size_t used;

	snprintf(holder, sizeof(holder), "locus tune");
	for (int i = 1; i < argc; i++) {
		used = strlen(holder);
		snprintf(holder + used, sizeof(holder) - used, " %s", argv[i]);
	}
}

/* For every command that writes settings or the journal: take the state directory's
 * lock, then load.  Returns 0, or the exit code (2 when another locus holds it). */
static int lock_journal(struct tune_journal *j, const struct opts *o)
{
	char dir[4096];
	int r;

	tune_state_dir(o->state_dir, dir, sizeof(dir));
	r = journal_open(j, dir, holder, o->set & O_FORCE);
	if (r == -EBUSY || r == -EINVAL)
		return LOCUS_EXIT_USAGE;
	return r < 0 ? LOCUS_EXIT_FAIL : 0;
}

/* Print what the requests would change; returns the number of changes. */
static size_t print_plan(const struct tune_request *req, size_t n, const char *verb)
{
	size_t changes = 0;

	for (size_t i = 0; i < n; i++) {
		char cur[TUNE_VAL_MAX];

		if (tune_read(&req[i].key, cur, sizeof(cur)) < 0) {
			printf("%-28s (cannot read) -> %s\n", req[i].key.name, req[i].value);
			changes++;
		} else if (tune_equal(&req[i].key, cur, req[i].value)) {
			printf("%-28s %s (unchanged)\n", req[i].key.name, cur);
		} else {
			printf("%-28s %s -> %s%s\n", req[i].key.name, cur, req[i].value, verb);
			changes++;
		}
	}
	return changes;
}

static int run_apply(const char *source, const struct tune_request *req, size_t n,
		     const struct opts *o)
{
	struct tune_journal j;
	long id;
	int r;

	if (o->set & O_DRY) {
		size_t c = print_plan(req, n, "");
		printf("dry run: %zu change%s, nothing written\n", c, c == 1 ? "" : "s");
		return LOCUS_EXIT_OK;
	}
	r = lock_journal(&j, o);
	if (r)
		return r;
	if (journal_unrecovered(&j)) {
		locus_error("tune: %s: an earlier apply was interrupted and not recovered; "
			    "run 'locus tune recover' first", j.path);
		journal_free(&j);
		return LOCUS_EXIT_FAIL;
	}
	print_plan(req, n, "");
	r = tune_apply(&j, source, req, n, (o->set & O_PARTIAL) ? TUNE_ALLOW_PARTIAL : 0, &id);
	journal_free(&j);
	if (r == -EINVAL)
		return LOCUS_EXIT_USAGE;
	if (r < 0) {
		if (r == -EIO)
			locus_error("tune: nothing changed: the writes done were rolled back");
		return LOCUS_EXIT_FAIL;
	}
	if (id)
		printf("transaction %ld applied (undo: locus tune revert)\n", id);
	else
		printf("nothing to change\n");
	return LOCUS_EXIT_OK;
}

static int do_set(int argc, char **argv, const struct opts *o)
{
	struct tune_request *req;
	char source[128] = "set";
	int rc = 0;

	if (argc < 1) {
		locus_error("tune set: give NAME=VALUE (e.g. vm.swappiness=10)");
		return LOCUS_EXIT_USAGE;
	}
	req = calloc((size_t)argc, sizeof(*req));
	if (!req)
		return LOCUS_EXIT_FAIL;
	/* Validate everything before anything is written. */
	for (int i = 0; i < argc && !rc; i++) {
		char name[TUNE_NAME_MAX + 64], *eq = strchr(argv[i], '=');

		if (!eq) {
			locus_error("tune set: '%s': expected NAME=VALUE", argv[i]);
			rc = LOCUS_EXIT_USAGE;
			break;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - argv[i]), argv[i]);
		rc = resolve_or_complain(name, &req[i].key);
		if (rc)
			break;
		if (!tune_present(&req[i].key)) {
			char abs[4096];
			locus_error("tune: %s: not present on this system (%s)", req[i].key.name,
				    tune_abspath(&req[i].key, abs, sizeof(abs)));
			rc = LOCUS_EXIT_SKIP;
			break;
		}
		if (tune_validate(&req[i].key, eq + 1, req[i].value, sizeof(req[i].value)) < 0)
			rc = LOCUS_EXIT_USAGE;
		size_t used = strlen(source);
		snprintf(source + used, sizeof(source) - used, " %.*s", (int)(sizeof(source) - used - 2),
			 argv[i]);
	}
	if (!rc)
		rc = run_apply(source, req, (size_t)argc, o);
	free(req);
	return rc;
}

static int load_profile(const char *arg, struct tune_profile *p)
{
	char path[4096];
	int r = tune_profile_find(arg, path, sizeof(path));

	if (r < 0)
		return LOCUS_EXIT_USAGE;
	r = tune_profile_load(path, p);
	if (r == -EINVAL)
		return LOCUS_EXIT_USAGE;
	if (r < 0)
		return LOCUS_EXIT_FAIL;
	for (size_t i = 0; i < p->n_missing; i++)
		locus_warn("tune: %s: %s is not present on this system; skipped", p->path, p->missing[i]);
	return 0;
}

static int do_apply(int argc, char **argv, const struct opts *o, bool diff)
{
	struct tune_profile p;
	char source[256];
	int rc;

	if (argc != 1) {
		locus_error("tune %s: give one PROFILE or FILE", diff ? "diff" : "apply");
		return LOCUS_EXIT_USAGE;
	}
	rc = load_profile(argv[0], &p);
	if (rc)
		return rc;
	if (diff) {
		size_t c;
		printf("profile %s (%s)%s%s\n", p.name, p.path, *p.description ? ": " : "", p.description);
		c = print_plan(p.req, p.n, "");
		printf("%zu change%s\n", c, c == 1 ? "" : "s");
	} else {
		snprintf(source, sizeof(source), "profile %s", p.name);
		rc = run_apply(source, p.req, p.n, o);
	}
	tune_profile_free(&p);
	return rc;
}

static int do_profiles(void)
{
	static const char *const names[] = { "defaults", "throughput", "latency", "hpc-numa",
					     "database" };

	printf("profiles in %s:\n", tune_profiles_dir());
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096];
		struct tune_profile p;

		snprintf(path, sizeof(path), "%s/%s.conf", tune_profiles_dir(), names[i]);
		if (tune_profile_load(path, &p) < 0)
			continue;
		printf("  %-12s %s\n", names[i], p.description);
		tune_profile_free(&p);
	}
	return LOCUS_EXIT_OK;
}

static int do_status(const struct opts *o)
{
	struct tune_journal j;
	json_t *arr = (o->set & O_JSON) ? json_array() : NULL;
	size_t shown = 0;

	int lr = load_journal(&j, o);
	if (lr) {
		json_decref(arr);
		return lr;
	}
	for (size_t i = 0; i < j.n; i++) {
		struct tune_txn *t = &j.txn[i];
		char ts[64];

		if (t->state != TXN_APPLIED && t->state != TXN_APPLYING)
			continue;
		shown++;
		if (arr) {
			json_t *jt = json_object(), *chs = json_array();
			json_object_set_new(jt, "id", json_integer(t->id));
			json_object_set_new(jt, "source", json_string(t->source));
			json_object_set_new(jt, "time", json_string(tstamp(t->time, ts, sizeof(ts))));
			json_object_set_new(jt, "state", json_string(tune_state_name(t->state)));
			for (size_t c = 0; c < t->n; c++) {
				json_t *jc = json_object();
				json_object_set_new(jc, "name", json_string(t->ch[c].key.name));
				json_object_set_new(jc, "original", json_string(t->ch[c].original));
				json_object_set_new(jc, "set", json_string(t->ch[c].set));
				json_object_set_new(jc, "companion", json_boolean(t->ch[c].companion));
				json_array_append_new(chs, jc);
			}
			json_object_set_new(jt, "changes", chs);
			json_array_append_new(arr, jt);
			continue;
		}
		printf("transaction %ld  %s  %s%s\n", t->id, tstamp(t->time, ts, sizeof(ts)), t->source,
		       t->state == TXN_APPLYING ? "  INTERRUPTED: run 'locus tune recover'" : "");
		for (size_t c = 0; c < t->n; c++)
			printf("  %-28s %s -> %s%s\n", t->ch[c].key.name, t->ch[c].original,
			       *t->ch[c].set ? t->ch[c].set : t->ch[c].requested,
			       t->ch[c].companion ? "  (zeroed by the kernel)" : "");
	}
	if (arr) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	} else if (!shown) {
		printf("no changes by locus in effect (journal %s)\n", j.path);
	}
	journal_free(&j);
	return LOCUS_EXIT_OK;
}

static int do_verify(const struct opts *o)
{
	struct tune_journal j;
	int bad = 0;
	size_t checked = 0;

	int lr = load_journal(&j, o);
	if (lr)
		return lr;
	/* A key's expected value is the one set by the newest applied transaction. */
	for (size_t i = j.n; i-- > 0;) {
		struct tune_txn *t = &j.txn[i];

		if (t->state != TXN_APPLIED)
			continue;
		for (size_t c = 0; c < t->n; c++) {
			struct tune_change *ch = &t->ch[c];
			bool newer = false;
			char cur[TUNE_VAL_MAX];

			for (size_t m = i + 1; m < j.n && !newer; m++)
				for (size_t q = 0; q < j.txn[m].n; q++)
					if (j.txn[m].state == TXN_APPLIED &&
					    strcmp(j.txn[m].ch[q].key.name, ch->key.name) == 0)
						newer = true;
			if (newer)
				continue;
			checked++;
			if (tune_read(&ch->key, cur, sizeof(cur)) < 0)
				snprintf(cur, sizeof(cur), "(unreadable)");
			if (tune_equal(&ch->key, cur, ch->set)) {
				printf("ok       %-28s %s\n", ch->key.name, cur);
			} else {
				printf("CHANGED  %-28s %s (locus set %s in transaction %ld)\n", ch->key.name,
				       cur, ch->set, t->id);
				bad++;
			}
		}
	}
	if (journal_unrecovered(&j)) {
		locus_error("tune: %s: an apply was interrupted; run 'locus tune recover'", j.path);
		bad++;
	}
	journal_free(&j);
	if (bad) {
		locus_error("tune: verify: %d value%s no longer as locus set", bad, bad == 1 ? "" : "s");
		return LOCUS_EXIT_VERIFY;
	}
	printf("%zu value%s as locus set\n", checked, checked == 1 ? "" : "s");
	return LOCUS_EXIT_OK;
}

static int do_revert(const struct opts *o)
{
	struct tune_journal j;
	int rc = LOCUS_EXIT_OK, count = 0;

	if ((o->set & O_ALL) && (o->set & O_TO)) {
		locus_error("tune revert: --all and --to are exclusive");
		return LOCUS_EXIT_USAGE;
	}
	if (o->set & O_DRY) {
		if ((rc = load_journal(&j, o)) != 0)
			return rc;
	} else if ((rc = lock_journal(&j, o)) != 0) {
		return rc;
	}
	if (journal_unrecovered(&j)) {
		locus_error("tune: %s: an apply was interrupted; run 'locus tune recover' first", j.path);
		journal_free(&j);
		return LOCUS_EXIT_FAIL;
	}
	if ((o->set & O_TO) && o->to && !journal_find(&j, o->to)) {
		locus_error("tune revert: --to %ld: no such transaction (see 'locus tune status')", o->to);
		journal_free(&j);
		return LOCUS_EXIT_USAGE;
	}
	for (size_t i = j.n; i-- > 0;) {
		struct tune_txn *t = &j.txn[i];

		if (t->state != TXN_APPLIED)
			continue;
		if ((o->set & O_TO) && t->id <= o->to)
			break;
		if (o->set & O_DRY) {
			printf("transaction %ld (%s): would restore\n", t->id, t->source);
			for (size_t c = t->n; c-- > 0;)
				printf("  %-28s -> %s\n", t->ch[c].key.name, t->ch[c].original);
		} else {
			int r = tune_revert_txn(&j, t, (o->set & O_FORCE) ? TUNE_FORCE : 0);
			if (r < 0) {
				locus_error("tune: transaction %ld (%s) not reverted", t->id, t->source);
				rc = LOCUS_EXIT_FAIL;
				break;
			}
			printf("transaction %ld (%s) reverted%s\n", t->id, t->source,
			       r == 1 ? " (some values left: changed by someone else)" : "");
		}
		count++;
		if (!(o->set & (O_ALL | O_TO)))
			break;
	}
	if (!count)
		printf("nothing to revert\n");
	journal_free(&j);
	return rc;
}

static int do_recover(const struct opts *o)
{
	struct tune_journal j;
	int r;

	if (o->set & O_DRY)
		r = load_journal(&j, o);
	else
		r = lock_journal(&j, o);
	if (r)
		return r;
	if (!journal_unrecovered(&j)) {
		printf("nothing to recover\n");
		journal_free(&j);
		return LOCUS_EXIT_OK;
	}
	if (o->set & O_DRY) {
		for (size_t i = j.n; i-- > 0;) {
			if (j.txn[i].state != TXN_APPLYING)
				continue;
			printf("transaction %ld (%s): would restore\n", j.txn[i].id, j.txn[i].source);
			for (size_t c = j.txn[i].n; c-- > 0;)
				printf("  %-28s -> %s\n", j.txn[i].ch[c].key.name, j.txn[i].ch[c].original);
		}
		journal_free(&j);
		return LOCUS_EXIT_OK;
	}
	r = tune_recover(&j);
	journal_free(&j);
	if (r < 0)
		return LOCUS_EXIT_FAIL;
	printf("recovered %d interrupted transaction%s: originals restored\n", r, r == 1 ? "" : "s");
	return LOCUS_EXIT_OK;
}

/* ------------------------------------------------------------------ A/B */

static volatile sig_atomic_t ab_signal;
static volatile pid_t ab_child;

/* Pass the signal on to the running benchmark (kill is async-signal-safe); the main
 * loop then reverts and exits. */
static void ab_on_signal(int sig)
{
	ab_signal = sig;
	if (ab_child > 0)
		kill(ab_child, SIGTERM);
}

/* Run `locus [--sysroot R] [-q] ARGS... -o OUT` and wait for it.  On SIGINT/SIGTERM/
 * SIGHUP the child is terminated too.  Returns the child's exit code (128+signal when
 * killed), or -1.  LOCUS_TUNE_TEST_AB_TERM (with test_term) sends us SIGTERM once the
 * child runs. */
static int ab_run_bench(int argc, char **argv, const struct cmd_ctx *ctx, const char *out,
			bool test_term)
{
	char **av = calloc((size_t)argc + 8, sizeof(*av));
	int n = 0, status;
	pid_t pid;

	/* Our own binary, resolved (execv of /proc/self/exe would run valgrind's loader
	 * under valgrind). */
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (!av)
		return -1;
	if (sl <= 0) {
		free(av);
		return locus_error("tune ab: /proc/self/exe: cannot find the locus binary: %s",
				   strerror(errno));
	}
	self[sl] = '\0';
	av[n++] = (char *)"locus";
	if (ctx->sysroot) {
		av[n++] = (char *)"--sysroot";
		av[n++] = (char *)ctx->sysroot;
	}
	if (locus_quiet())
		av[n++] = (char *)"--quiet";
	/* -o before a "--": what follows it is the program of `bench command`. */
	{
		int dd = 0;
		while (dd < argc && strcmp(argv[dd], "--"))
			dd++;
		for (int i = 0; i < dd; i++)
			av[n++] = argv[i];
		av[n++] = (char *)"-o";
		av[n++] = (char *)out;
		for (int i = dd; i < argc; i++)
			av[n++] = argv[i];
	}
	av[n] = NULL;
	/* Signals blocked across fork, so that the handler always knows the child. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	fflush(NULL);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		free(av);
		return locus_error("tune ab: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execv(self, av);
		fprintf(stderr, "locus: tune ab: cannot run locus: %s\n", strerror(errno));
		_exit(127);
	}
	ab_child = pid;
	if (ab_signal)
		kill(pid, SIGTERM);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(av);
	/* Test hook: a SIGTERM to ourselves while the B benchmark runs. */
	if (test_term && getenv("LOCUS_TUNE_TEST_AB_TERM"))
		raise(SIGTERM);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ab_child = 0;
			return -1;
		}
	}
	ab_child = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* One result from the rounds of a side, merged (lib/runs.h): round 1's result with
 * every round's samples per measurement (summaries recomputed) and run_sizes, so the
 * statistics and `locus report --before/--after` see every sample, and `locus compare
 * A.json B.json` sees the rounds as runs. */
static int ab_merge(const char *dir, char side, long rounds, const char *profile)
{
	char path[4200];
	json_t **res = calloc((size_t)rounds, sizeof(*res)), *merged = NULL, *ab;
	int rc = -1;
	long r;

	if (!res)
		return -1;
	for (r = 0; r < rounds; r++) {
		snprintf(path, sizeof(path), "%s/%c-%ld.json", dir, side, r + 1);
		res[r] = result_load(path);
		if (!res[r])
			goto out;
	}
	merged = runs_merge(res, (size_t)rounds);
	if (!merged)
		goto out;
	ab = json_object();
	json_object_set_new(ab, "side", json_string(side == 'A' ? "A (without the profile)" :
						  "B (with the profile)"));
	json_object_set_new(ab, "profile", json_string(profile));
	json_object_set_new(ab, "rounds", json_integer(rounds));
	json_object_set_new(merged, "ab", ab);
	snprintf(path, sizeof(path), "%s/%c.json", dir, side);
	rc = result_write(merged, path);
out:
	for (r = 0; r < rounds; r++)
		json_decref(res[r]);
	free(res);
	json_decref(merged);
	return rc;
}

static int do_ab(int argc, char **argv, const struct opts *o, const struct cmd_ctx *ctx)
{
	const char *dir = o->outdir ? o->outdir : "locus-ab";
	long rounds = o->rounds ? o->rounds : 3;
	struct sigaction sa = { .sa_handler = ab_on_signal }, old_int, old_term, old_hup;
	struct tune_profile p;
	struct tune_journal j;
	char source[256], out[4200];
	int rc = LOCUS_EXIT_OK, brc;
	long id = 0;

	if (!o->profile) {
		locus_error("tune ab: --profile P is required");
		return LOCUS_EXIT_USAGE;
	}
	if (argc < 1 || strcmp(argv[0], "bench") != 0) {
		locus_error("tune ab: give the benchmark after '--': -- bench NAME [OPTIONS]");
		return LOCUS_EXIT_USAGE;
	}
	for (int i = 0; i < argc && strcmp(argv[i], "--"); i++) /* not the program's own */
		if (strcmp(argv[i], "-o") == 0 || strncmp(argv[i], "--output", 8) == 0 ||
		    strcmp(argv[i], "--json") == 0) {
			locus_error("tune ab: '%s': the rounds' outputs are chosen by tune ab (-o DIR)",
				    argv[i]);
			return LOCUS_EXIT_USAGE;
		}
	rc = load_profile(o->profile, &p);
	if (rc)
		return rc;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		locus_error("tune ab: %s: cannot create: %s", dir, strerror(errno));
		tune_profile_free(&p);
		return LOCUS_EXIT_FAIL;
	}
	rc = lock_journal(&j, o);
	if (rc) {
		tune_profile_free(&p);
		return rc;
	}
	if (journal_unrecovered(&j)) {
		locus_error("tune: %s: an earlier apply was interrupted and not recovered; "
			    "run 'locus tune recover' first", j.path);
		journal_free(&j);
		tune_profile_free(&p);
		return LOCUS_EXIT_FAIL;
	}
	snprintf(source, sizeof(source), "ab profile %s", p.name);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	for (long r = 1; r <= rounds && rc == LOCUS_EXIT_OK && !ab_signal; r++) {
		/* A: without the profile. */
		locus_info("tune ab: round %ld/%ld: A (without %s)", r, rounds, p.name);
		snprintf(out, sizeof(out), "%s/A-%ld.json", dir, r);
		brc = ab_run_bench(argc, argv, ctx, out, false);
		if (brc != 0 || ab_signal) {
			if (!ab_signal)
				locus_error("tune ab: round %ld A: the benchmark exited %d", r, brc);
			rc = LOCUS_EXIT_FAIL;
			break;
		}
		/* B: with it, reverted right after. */
		locus_info("tune ab: round %ld/%ld: B (with %s)", r, rounds, p.name);
		if (tune_apply(&j, source, p.req, p.n, 0, &id) < 0) {
			rc = LOCUS_EXIT_FAIL;
			break;
		}
		if (!id && r == 1)
			locus_warn("tune ab: %s: the profile changes nothing here: A and B are the same "
				   "setting", p.name);
		snprintf(out, sizeof(out), "%s/B-%ld.json", dir, r);
		brc = ab_run_bench(argc, argv, ctx, out, true);
		if (id) {
			struct tune_txn *t = journal_find(&j, id);
			if (t && tune_revert_txn(&j, t, 0) != 0)
				rc = LOCUS_EXIT_FAIL;
			id = 0;
		}
		if ((brc != 0 || ab_signal) && rc == LOCUS_EXIT_OK) {
			if (!ab_signal)
				locus_error("tune ab: round %ld B: the benchmark exited %d", r, brc);
			rc = LOCUS_EXIT_FAIL;
		}
	}
	journal_free(&j);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (ab_signal) {
		locus_error("tune ab: interrupted by signal %d; the profile was reverted", (int)ab_signal);
		tune_profile_free(&p);
		return 128 + ab_signal;
	}
	if (rc == LOCUS_EXIT_OK) {
		if (ab_merge(dir, 'A', rounds, p.name) < 0 || ab_merge(dir, 'B', rounds, p.name) < 0)
			rc = LOCUS_EXIT_FAIL;
		else
			printf("A/B: %ld rounds; results %s/A.json (without %s) and %s/B.json (with it)\n"
			       "compare: locus report --before %s/A.json --after %s/B.json -o DIR\n",
			       rounds, dir, p.name, dir, dir, dir);
	}
	tune_profile_free(&p);
	return rc;
}

struct sub {
	const char *name;
	unsigned allowed;
};

static const struct sub subs[] = {
	{ "show", O_JSON },
	{ "set", O_DRY | O_PARTIAL | O_FORCE },
	{ "apply", O_DRY | O_PARTIAL | O_FORCE },
	{ "diff", 0 },
	{ "profiles", 0 },
	{ "status", O_JSON },
	{ "verify", 0 },
	{ "revert", O_ALL | O_TO | O_FORCE | O_DRY },
	{ "recover", O_DRY | O_FORCE },
	{ "ab", O_AB },
};

int cmd_tune(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "allow-partial", no_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "to", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "profile", required_argument, NULL, 'P' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	const struct sub *sub = NULL;
	int c;

	set_holder(argc, argv);

	/* Everything after "--" belongs to the benchmark (tune ab): getopt sees only
	 * what comes before. */
	int dashdash = argc, n_after = 0;
	char **after = NULL;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			after = argv + i + 1;
			n_after = argc - i - 1;
			break;
		}
	argc = dashdash;
	{ /* for `locus --complete-words` (src/complete.c) */
		static const char *names[sizeof(subs) / sizeof(subs[0])];
		for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
			names[i] = subs[i].name;
		cmd_complete_subcommands(names, sizeof(subs) / sizeof(subs[0]));
	}
	while ((c = cmd_getopt(argc, argv, "nho:", lopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.set |= O_JSON; break;
		case 'n': o.set |= O_DRY; break;
		case 'p': o.set |= O_PARTIAL; break;
		case 'a': o.set |= O_ALL; break;
		case 'f': o.set |= O_FORCE; break;
		case 's': o.state_dir = optarg; break;
		case 'P': o.set |= O_AB; o.profile = optarg; break;
		case 'o': o.set |= O_AB; o.outdir = optarg; break;
		case 'R': {
			char *end;
			o.set |= O_AB;
			o.rounds = strtol(optarg, &end, 10);
			if (!*optarg || *end || o.rounds < 1 || o.rounds > 1000) {
				locus_error("tune: --rounds: '%s' is not allowed; allowed 1..1000", optarg);
				return LOCUS_EXIT_USAGE;
			}
			break;
		}
		case 't': {
			char *end;
			o.set |= O_TO;
			o.to = strtol(optarg, &end, 10);
			if (!*optarg || *end || o.to < 0) {
				locus_error("tune: --to: '%s' is not a transaction id (a number >= 0)", optarg);
				return LOCUS_EXIT_USAGE;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return LOCUS_EXIT_OK;
		default:
			return cmd_usage_error("tune");
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return LOCUS_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[optind], subs[i].name) == 0)
			sub = &subs[i];
	if (!sub) {
		locus_error("tune: '%s': unknown subcommand; allowed show, set, apply, diff, profiles, "
			    "status, verify, revert, recover, ab", argv[optind]);
		return LOCUS_EXIT_USAGE;
	}
	if (o.set & ~sub->allowed) {
		locus_error("tune %s: an option given does not apply to it", sub->name);
		return cmd_usage_error("tune");
	}
	if (after && strcmp(sub->name, "ab") != 0) {
		locus_error("tune %s: unexpected '--'", sub->name);
		return LOCUS_EXIT_USAGE;
	}
	if (strcmp(sub->name, "ab") == 0) {
		if (optind + 1 < argc) {
			locus_error("tune ab: unexpected argument '%s' (the benchmark goes after '--')",
				    argv[optind + 1]);
			return LOCUS_EXIT_USAGE;
		}
		return do_ab(n_after, after, &o, ctx);
	}
	argc -= optind + 1;
	argv += optind + 1;
	if (argc && (strcmp(sub->name, "status") == 0 || strcmp(sub->name, "verify") == 0 ||
		     strcmp(sub->name, "revert") == 0 || strcmp(sub->name, "recover") == 0 ||
		     strcmp(sub->name, "profiles") == 0)) {
		locus_error("tune %s: unexpected argument '%s'", sub->name, argv[0]);
		return LOCUS_EXIT_USAGE;
	}
	switch (sub->name[0] == 's' && sub->name[1] == 'e' ? 'S' : sub->name[0]) {
	case 'S': return do_set(argc, argv, &o);
	case 'a': return do_apply(argc, argv, &o, false);
	case 'd': return do_apply(argc, argv, &o, true);
	case 'p': return do_profiles();
	case 'v': return do_verify(&o);
	case 'r': return strcmp(sub->name, "revert") == 0 ? do_revert(&o) : do_recover(&o);
	default:
		return strcmp(sub->name, "show") == 0 ? do_show(argc, argv, &o) : do_status(&o);
	}
}
