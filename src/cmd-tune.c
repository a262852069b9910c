/* SPDX-License-Identifier: MIT */
/*
 * cmd-tune.c — `locus tune`: show, set, apply profiles, diff, revert, status, verify
 * and recover system tunables (sysctls, THP, huge-page pools).
 *
 * Every write goes through the journal of tune/journal.c, so what locus changes can be
 * listed, verified, reverted, and restored after a crash.  This file only parses the
 * command line and prints; the table, the journal and the profile parser are in tune/.
 * `tune ab` (A/B rounds: src/cmd-tune-ab.c) and `tune active`/`recommend`
 * (src/cmd-tune-info.c) live in their own files.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "sysfs.h"
#include "suggest.h"
#include "tune.h"
#include "cmd-tune.h"

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
		"  apply PROFILE|FILE [--dry-run]   apply a profile (see 'tune profiles'); when\n"
		"                                   another is active, switch: its values the\n"
		"                                   new one does not set are restored, in the\n"
		"                                   same transaction\n"
		"  diff PROFILE|FILE                what applying the profile would change\n"
		"  profiles                         the profiles found ($LOCUS_PROFILES_DIR,\n"
		"                                   /etc/locus/profiles, the shipped ones)\n"
		"  active [--json]                  the profile in effect\n"
		"  off [--force] [--dry-run]        undo all locus changed (revert --all)\n"
		"  recommend [--json]               a profile for this machine, with the reason\n"
		"                                   for each setting (applies nothing)\n"
		"  status [--json]                  what locus changed and has not reverted\n"
		"  verify                           do the values locus set hold? (exit 5: no)\n"
		"  revert [--all | --to ID] [--force] [--dry-run]\n"
		"                                   undo the last transaction (--all: every one;\n"
		"                                   --to ID: those after ID), newest first;\n"
		"                                   --force also restores values left before\n"
		"  recover [--dry-run]              restore the originals of an interrupted apply\n"
		"  ab --profile P [--rounds N] [-o DIR] -- bench ARGS...\n"
		"                                   A/B: run 'locus bench ARGS' in interleaved\n"
		"                                   rounds without (A) and with (B) profile P,\n"
		"                                   reverting after every B round and on exit,\n"
		"                                   error, SIGINT or SIGTERM; writes DIR/A.json\n"
		"                                   and DIR/B.json (all rounds' samples) for\n"
		"                                   'locus report --before DIR/A.json\n"
		"                                   --after DIR/B.json'\n"
		"\n"
		"Options:\n"
		"      --json           JSON output (show, status, active, recommend)\n"
		"  -n, --dry-run        print what would change; write nothing\n"
		"      --allow-partial  keep a value the kernel clamped or partly satisfied\n"
		"                       (huge-page pools); otherwise the apply is rolled back\n"
		"      --force          revert, off: restore values changed by someone else since\n"
		"                       locus set them; set, apply, recover: move a corrupt\n"
		"                       journal aside to journal.corrupt and start a new one\n"
		"      --profile P      ab: the profile of the B rounds\n"
		"      --rounds N       ab: A/B round pairs (default 3)\n"
		"  -o, --output DIR     ab: A.json, B.json and the rounds (default locus-ab)\n"
		"      --state-dir DIR  the journal's directory (default $LOCUS_STATE_DIR, else\n"
		"                       /run/locus, under --sysroot when given)\n"
		"\n"
		"Names: vm.swappiness, thp.enabled, hugepages.2M, hugepages.2M@node1, ...\n"
		"('locus tune show' lists them).  Profiles: docs/tune.md.\n"
		"\n" CMD_COMMON_HELP);
}

const char *tune_cli_tstamp(long long t, char *buf, size_t len)
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
			    "(e.g. hugepages.2M@node1)", cmd_inert(name));
		return LOCUS_EXIT_USAGE;
	}
	if (r < 0) {
		tune_suggest(name, sugg, sizeof(sugg));
		if (*sugg)
			locus_error("tune: '%s': unknown tunable; closest: %s", cmd_inert(name), sugg);
		else
			locus_error("tune: '%s': unknown tunable; 'locus tune show' lists them",
				    cmd_inert(name));
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
		printf("%-25s %-13s %s\n", "NAME", "VALUE", "ALLOWED");
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
			printf("%-25s %-13s %s\n", k->name, present ? val : "-", allowed);
			if (argc || k->node < 0) {
				/* Wrapped to the terminal (80 columns when not one), as help is. */
				char d[1024];
				snprintf(d, sizeof(d), "%s%s", present ? "" : "(not present here) ",
					 k->t->desc);
				cmd_wrap(stdout, d, 4, cmd_help_width());
			}
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
int tune_cli_load_journal(struct tune_journal *j, const struct opts *o)
{
	char dir[4096];
	int r;

	tune_state_dir(o->state_dir, dir, sizeof(dir));
	r = journal_load(j, dir);
	return locus_exit_code(r);
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
int tune_cli_lock_journal(struct tune_journal *j, const struct opts *o)
{
	char dir[4096];
	int r;

	tune_state_dir(o->state_dir, dir, sizeof(dir));
	r = journal_open(j, dir, holder, o->set & O_FORCE);
	/* another locus holding the lock: try again later, like bad usage */
	if (r == -EBUSY)
		return LOCUS_EXIT_USAGE;
	return locus_exit_code(r);
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

/* A profile switch: say what is replaced and which of its values come back. */
static void print_switch(const struct tune_journal *j, const struct tune_request *req, size_t n)
{
	size_t first = journal_active(j);

	if (first >= j->n)
		return;
	printf("switching from profile %s (transaction %ld%s): its other values are restored\n",
	       j->txn[first].profile, j->txn[first].id,
	       first + 1 < j->n ? " and the later ones" : "");
	for (size_t i = first; i < j->n; i++) {
		if (j->txn[i].state != TXN_APPLIED)
			continue;
		for (size_t c = 0; c < j->txn[i].n; c++) {
			const struct tune_change *ch = &j->txn[i].ch[c];
			bool shown = false;
			char cur[TUNE_VAL_MAX];

			for (size_t q = 0; q < n && !shown; q++)
				shown = strcmp(req[q].key.name, ch->key.name) == 0;
			for (size_t p = first; p < i && !shown; p++)
				for (size_t q = 0; q < j->txn[p].n && !shown; q++)
					shown = j->txn[p].state == TXN_APPLIED &&
						strcmp(j->txn[p].ch[q].key.name, ch->key.name) == 0;
			if (shown || ch->companion)
				continue;
			if (tune_read(&ch->key, cur, sizeof(cur)) < 0)
				snprintf(cur, sizeof(cur), "?");
			printf("%-28s %s -> %s (restored)\n", ch->key.name, cur, ch->original);
		}
	}
}

static int run_apply(const char *source, const char *profile, const struct tune_request *req,
		     size_t n, const struct opts *o)
{
	struct tune_journal j;
	unsigned flags = (o->set & O_PARTIAL) ? TUNE_ALLOW_PARTIAL : 0;
	long id;
	int r;

	if (profile)
		flags |= TUNE_SWITCH;
	if (o->set & O_DRY) {
		if (profile) {
			r = tune_cli_load_journal(&j, o);
			if (r)
				return r;
			print_switch(&j, req, n);
			journal_free(&j);
		}
		size_t c = print_plan(req, n, "");
		printf("dry run: %zu change%s, nothing written\n", c, c == 1 ? "" : "s");
		return LOCUS_EXIT_OK;
	}
	r = tune_cli_lock_journal(&j, o);
	if (r)
		return r;
	if (journal_unrecovered(&j)) {
		locus_error("tune: %s: an earlier apply was interrupted and not recovered; "
			    "run 'locus tune recover' first", j.path);
		journal_free(&j);
		return LOCUS_EXIT_FAIL;
	}
	if (profile)
		print_switch(&j, req, n);
	print_plan(req, n, "");
	r = tune_apply(&j, source, profile, req, n, flags, &id);
	journal_free(&j);
	if (r < 0) {
		if (r == -EIO)
			locus_error("tune: nothing changed: the writes done were rolled back");
		return locus_exit_code(r);
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
			locus_error("tune set: '%s': expected NAME=VALUE", cmd_inert(argv[i]));
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
		rc = run_apply(source, NULL, req, (size_t)argc, o);
	free(req);
	return rc;
}

int tune_cli_load_profile(const char *arg, struct tune_profile *p)
{
	char path[4096];
	int r = tune_profile_find(arg, path, sizeof(path));

	if (r < 0)
		return LOCUS_EXIT_USAGE;
	r = tune_profile_load(path, p);
	if (r < 0)
		return locus_exit_code(r);
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
	rc = tune_cli_load_profile(argv[0], &p);
	if (rc)
		return rc;
	if (diff) {
		size_t c;
		printf("profile %s (%s)%s%s\n", p.name, p.path, *p.description ? ": " : "", p.description);
		c = print_plan(p.req, p.n, "");
		printf("%zu change%s\n", c, c == 1 ? "" : "s");
	} else {
		snprintf(source, sizeof(source), "profile %s", p.name);
		rc = run_apply(source, p.name, p.req, p.n, o);
	}
	tune_profile_free(&p);
	return rc;
}

static int do_profiles(void)
{
	struct tune_profile_entry *e = NULL;
	const char *dirs[4];
	size_t n = 0, nd = tune_profile_dirs(dirs, 4);

	if (tune_profile_list(&e, &n) < 0)
		return LOCUS_EXIT_FAIL;
	printf("profiles (searched in order:");
	for (size_t d = 0; d < nd; d++)
		printf(" %s%s", dirs[d], d + 1 < nd ? "," : ")\n");
	for (size_t i = 0; i < n; i++) {
		struct tune_profile p;

		/* A broken user profile is listed (its error is on stderr), not hidden. */
		if (tune_profile_load(e[i].path, &p) < 0) {
			printf("  %-14s (invalid: see the error above) %s\n", e[i].name, e[i].path);
			continue;
		}
		printf("  %-14s %s%s%s\n", e[i].name, p.description,
		       strcmp(e[i].dir, dirs[nd - 1]) ? "  in " : "",
		       strcmp(e[i].dir, dirs[nd - 1]) ? e[i].dir : "");
		tune_profile_free(&p);
	}
	if (!n)
		printf("  (none)\n");
	free(e);
	return LOCUS_EXIT_OK;
}

static int do_status(const struct opts *o)
{
	struct tune_journal j;
	json_t *arr = (o->set & O_JSON) ? json_array() : NULL;
	size_t shown = 0;

	int lr = tune_cli_load_journal(&j, o);
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
			json_object_set_new(jt, "time", json_string(tune_cli_tstamp(t->time, ts, sizeof(ts))));
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
		printf("transaction %ld  %s  %s%s\n", t->id, tune_cli_tstamp(t->time, ts, sizeof(ts)), t->source,
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

	int lr = tune_cli_load_journal(&j, o);
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
		if ((rc = tune_cli_load_journal(&j, o)) != 0)
			return rc;
	} else if ((rc = tune_cli_lock_journal(&j, o)) != 0) {
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
		bool left_only = false;

		/* --force also takes back what an earlier revert left (changed by someone
		 * else): those values are still marked "left" in a reverted transaction. */
		if (t->state != TXN_APPLIED) {
			for (size_t c = 0; c < t->n && (o->set & O_FORCE) && t->state == TXN_REVERTED; c++)
				left_only |= t->ch[c].left;
			if (!left_only)
				continue;
		}
		if ((o->set & O_TO) && t->id <= o->to)
			break;
		if (o->set & O_DRY) {
			printf("transaction %ld (%s): would restore%s\n", t->id, t->source,
			       left_only ? " what was left" : "");
			for (size_t c = t->n; c-- > 0;)
				if (!left_only || t->ch[c].left)
					printf("  %-28s -> %s\n", t->ch[c].key.name, t->ch[c].original);
		} else {
			int r = tune_revert_txn(&j, t, (o->set & O_FORCE) ? TUNE_FORCE : 0);
			if (r < 0) {
				locus_error("tune: transaction %ld (%s) not reverted", t->id, t->source);
				rc = LOCUS_EXIT_FAIL;
				break;
			}
			printf("transaction %ld (%s) reverted%s%s\n", t->id, t->source,
			       left_only ? ": the values left before are restored" : "",
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
		r = tune_cli_load_journal(&j, o);
	else
		r = tune_cli_lock_journal(&j, o);
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

struct sub {
	const char *name;
	unsigned allowed;
};

/* Remember how the user spelt each option just parsed ("--prof", "-o"). */
static void note_typed(struct opts *o, unsigned before, const char *arg)
{
	unsigned added = o->set & ~before;

	for (int b = 0; b < O_NOPTS; b++)
		if ((added & (1u << b)) && !o->typed[b])
			o->typed[b] = arg;
}

static const char *const opt_names[O_NOPTS] = {
	"--json", "--dry-run", "--allow-partial", "--all", "--to", "--force", "--profile",
	"--rounds", "--output",
};

/* "tune apply: --profile does not apply; allowed --dry-run, --allow-partial, --force". */
static int not_applicable(const struct opts *o, const struct sub *sub)
{
	char typed[64], allowed[200] = "";
	int b;

	for (b = 0; b < O_NOPTS; b++)
		if (o->set & ~sub->allowed & (1u << b))
			break;
	snprintf(typed, sizeof(typed), "%s", cmd_inert(o->typed[b] ? o->typed[b] : opt_names[b]));
	typed[strcspn(typed, "=")] = '\0';
	for (int k = 0; k < O_NOPTS; k++)
		if (sub->allowed & (1u << k)) {
			size_t used = strlen(allowed);
			snprintf(allowed + used, sizeof(allowed) - used, "%s%s", used ? ", " : "",
				 opt_names[k]);
		}
	if ((1u << b) == O_PROFILE && (!strcmp(sub->name, "apply") || !strcmp(sub->name, "diff")))
		locus_error("tune %s: %s does not apply: give the profile as the argument "
			    "('locus tune %s %s')", sub->name, typed, sub->name,
			    o->profile ? cmd_inert(o->profile) : "PROFILE");
	else
		locus_error("tune %s: %s does not apply%s%s", sub->name, typed,
			    *allowed ? "; allowed " : " (it takes no options)", allowed);
	return LOCUS_EXIT_USAGE;
}

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
	{ "active", O_JSON },
	{ "off", O_FORCE | O_DRY },
	{ "recommend", O_JSON },
	{ "ab", O_PROFILE | O_ROUNDS | O_OUTPUT },
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
		unsigned before = o.set;
		switch (c) {
		case 'j': o.set |= O_JSON; break;
		case 'n': o.set |= O_DRY; break;
		case 'p': o.set |= O_PARTIAL; break;
		case 'a': o.set |= O_ALL; break;
		case 'f': o.set |= O_FORCE; break;
		case 's': o.state_dir = optarg; break;
		case 'P': o.set |= O_PROFILE; o.profile = optarg; break;
		case 'o': o.set |= O_OUTPUT; o.outdir = optarg; break;
		case 'R': {
			char *end;
			o.set |= O_ROUNDS;
			o.rounds = strtol(optarg, &end, 10);
			if (!*optarg || *end || o.rounds < 1 || o.rounds > 1000) {
				locus_error("tune: --rounds: '%s' is not allowed; allowed 1..1000", cmd_inert(optarg));
				return LOCUS_EXIT_USAGE;
			}
			break;
		}
		case 't': {
			char *end;
			o.set |= O_TO;
			o.to = strtol(optarg, &end, 10);
			if (!*optarg || *end || o.to < 0) {
				locus_error("tune: --to: '%s' is not a transaction id (a number >= 0)", cmd_inert(optarg));
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
		/* "-o DIR", "--to 5": the option is the word before its value. */
		note_typed(&o, before, optarg && optind >= 2 && optarg == argv[optind - 1] ?
			   argv[optind - 2] : argv[optind - 1]);
	}
	if (optind >= argc) {
		usage(stderr);
		return LOCUS_EXIT_USAGE;
	}
	/* Bad places are bad input, refused before anything is read or written. */
	struct stat st;
	if (ctx->sysroot && (stat(ctx->sysroot, &st) < 0 || !S_ISDIR(st.st_mode))) {
		locus_error("tune: --sysroot '%s': %s; allowed: a directory holding proc/ and sys/",
			    cmd_inert(ctx->sysroot), errno == ENOENT ? "no such directory" :
			    "not a directory");
		return LOCUS_EXIT_USAGE;
	}
	if (o.state_dir && !*o.state_dir) {
		locus_error("tune: --state-dir '': empty; allowed: a directory for the journal");
		return LOCUS_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[optind], subs[i].name) == 0)
			sub = &subs[i];
	if (!sub) {
		const char *names[sizeof(subs) / sizeof(subs[0])];
		for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
			names[i] = subs[i].name;
		const char *best = suggest_closest(argv[optind], names, sizeof(subs) / sizeof(subs[0]));
		if (best)
			locus_error("tune: '%s': unknown subcommand; did you mean '%s'?",
				    cmd_inert(argv[optind]), best);
		else
			locus_error("tune: '%s': unknown subcommand; allowed show, set, apply, diff, "
				    "profiles, active, off, recommend, status, verify, revert, recover, ab",
				    cmd_inert(argv[optind]));
		return LOCUS_EXIT_USAGE;
	}
	if (o.set & ~sub->allowed)
		return not_applicable(&o, sub);
	if (after && strcmp(sub->name, "ab") != 0) {
		locus_error("tune %s: unexpected '--'", sub->name);
		return LOCUS_EXIT_USAGE;
	}
	if (strcmp(sub->name, "ab") == 0) {
		if (optind + 1 < argc) {
			locus_error("tune ab: unexpected argument '%s' (the benchmark goes after '--')",
				    cmd_inert(argv[optind + 1]));
			return LOCUS_EXIT_USAGE;
		}
		return tune_cli_ab(n_after, after, &o, ctx);
	}
	argc -= optind + 1;
	argv += optind + 1;
	if (argc && (strcmp(sub->name, "status") == 0 || strcmp(sub->name, "verify") == 0 ||
		     strcmp(sub->name, "revert") == 0 || strcmp(sub->name, "recover") == 0 ||
		     strcmp(sub->name, "profiles") == 0 || strcmp(sub->name, "active") == 0 ||
		     strcmp(sub->name, "off") == 0 || strcmp(sub->name, "recommend") == 0)) {
		locus_error("tune %s: unexpected argument '%s'", sub->name, cmd_inert(argv[0]));
		return LOCUS_EXIT_USAGE;
	}
	if (strcmp(sub->name, "set") == 0)
		return do_set(argc, argv, &o);
	if (strcmp(sub->name, "apply") == 0 || strcmp(sub->name, "diff") == 0)
		return do_apply(argc, argv, &o, sub->name[0] == 'd');
	if (strcmp(sub->name, "profiles") == 0)
		return do_profiles();
	if (strcmp(sub->name, "verify") == 0)
		return do_verify(&o);
	if (strcmp(sub->name, "revert") == 0)
		return do_revert(&o);
	if (strcmp(sub->name, "off") == 0) {
		o.set |= O_ALL;
		return do_revert(&o);
	}
	if (strcmp(sub->name, "recover") == 0)
		return do_recover(&o);
	if (strcmp(sub->name, "active") == 0)
		return tune_cli_active(&o);
	if (strcmp(sub->name, "status") == 0)
		return do_status(&o);
	if (strcmp(sub->name, "recommend") == 0)
		return tune_cli_recommend(&o);
	return do_show(argc, argv, &o);
}
