/* SPDX-License-Identifier: MIT */
/*
 * test-tune.c — unit tests of tune/: the tunables table, name resolution and
 * suggestions, validation (the swappiness range by kernel release, THP choices from the
 * file), the profile parser, and the journal's apply / rollback / revert / recover on a
 * small sysroot tree built in a temporary directory (never the real /proc).
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "log.h"
#include "sysfs.h"
#include "tune.h"

static char root[256];

static void put(const char *rel, const char *text)
{
	char path[512], tmp[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(p - path), path);
		mkdir(tmp, 0755);
	}
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static const char *get(const char *name)
{
	static char v[TUNE_VAL_MAX];
	struct tune_key k;

	if (tune_resolve(name, &k) < 0 || tune_read(&k, v, sizeof(v)) < 0)
		return "(error)";
	return v;
}

static int req(struct tune_request *r, const char *name, const char *val)
{
	if (tune_resolve(name, &r->key) < 0)
		return -1;
	return tune_validate(&r->key, val, r->value, sizeof(r->value));
}

int main(void)
{
	struct tune_key k;
	char buf[512];
	long min, max;

	snprintf(root, sizeof(root), "%s/locus-test-tune.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root))
		tap_skip_all("cannot make a temporary directory");
	locus_set_quiet(true);
	put("proc/sys/kernel/osrelease", "6.1.0\n");
	put("proc/sys/vm/swappiness", "60\n");
	put("proc/sys/vm/overcommit_ratio", "50\n");
	put("proc/sys/vm/overcommit_kbytes", "0\n");
	put("proc/sys/vm/dirty_ratio", "20\n");
	put("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
	put("sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages", "0\n");
	sysfs_set_root(root);

	/* The table: every entry complete. */
	bool complete = tune_count() >= 15;
	for (size_t i = 0; i < tune_count(); i++) {
		const struct tunable *t = tune_at(i);
		complete &= t->name && t->path && t->desc && strlen(t->desc) > 20 &&
			    (t->type == TUNE_CHOICE ? t->choices != NULL : t->min <= t->max) &&
			    (t->hook != TUNE_HOOK_PAIR || t->partner);
	}
	ok(complete, "table: %zu tunables, each with path, description, range or choices", tune_count());

	/* Names. */
	is_int(tune_resolve("vm.swappiness", &k), 0, "resolve vm.swappiness");
	is_str(k.path, "proc/sys/vm/swappiness", "its path");
	is_int(tune_resolve("hugepages.2M@node1", &k), 0, "resolve hugepages.2M@node1");
	is_str(k.path, "sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages",
	       "per-node pool path");
	is_int(tune_resolve("hugepages.1G@3", &k), 0, "resolve hugepages.1G@3");
	is_str(k.name, "hugepages.1G@node3", "canonical per-node name");
	is_int(tune_resolve("vm.swappiness@node1", &k), -EINVAL, "@node on a non-pool: -EINVAL");
	is_int(tune_resolve("hugepages.2M@nodeX", &k), -EINVAL, "bad node: -EINVAL");
	is_int(tune_resolve("vm.nope", &k), -ENOENT, "unknown: -ENOENT");
	ok(strstr(tune_suggest("vm.swapiness", buf, sizeof(buf)), "vm.swappiness") == buf,
	   "suggest: vm.swapiness -> vm.swappiness first (%s)", buf);
	ok(strstr(tune_suggest("dirty_ratio", buf, sizeof(buf)), "vm.dirty_ratio") != NULL,
	   "suggest: last component matches (%s)", buf);
	is_str(tune_suggest("zzzzzzzzzzzzzzzz", buf, sizeof(buf)), "", "suggest: nothing close");

	/* Values. */
	is_str(get("thp.enabled"), "madvise", "THP: the bracketed word");
	is_str(get("vm.swappiness"), "60", "int read");
	tune_resolve("vm.swappiness", &k);
	tune_range(&k, &min, &max);
	is_int(max, 200, "swappiness max 200 on 6.1");
	put("proc/sys/kernel/osrelease", "5.7.0\n");
	tune_range(&k, &min, &max);
	is_int(max, 100, "swappiness max 100 on 5.7");
	put("proc/sys/kernel/osrelease", "5.8.0\n");
	tune_range(&k, &min, &max);
	is_int(max, 200, "swappiness max 200 on 5.8");
	is_int(tune_validate(&k, "201", buf, sizeof(buf)), -ERANGE, "201: -ERANGE");
	is_int(tune_validate(&k, "1x", buf, sizeof(buf)), -EINVAL, "1x: -EINVAL");
	is_int(tune_validate(&k, " 7", buf, sizeof(buf)), -EINVAL, "leading space refused (no lenient numbers)");
	is_int(tune_validate(&k, "+7", buf, sizeof(buf)), -EINVAL, "'+7' refused");
	is_int(tune_validate(&k, "0x10", buf, sizeof(buf)), -EINVAL, "'0x10' refused");
	is_int(tune_validate(&k, "007", buf, sizeof(buf)), 0, "007 accepted");
	is_str(buf, "7", "normalized");
	tune_resolve("thp.enabled", &k);
	is_int(tune_validate(&k, "defer", buf, sizeof(buf)), -EINVAL, "THP enabled=defer refused");
	is_str(tune_allowed(&k, buf, sizeof(buf)), "always|madvise|never", "THP choices from the file");

	/* Apply, read back, revert, with the pair. */
	struct tune_journal j;
	struct tune_request r[3];
	char state[400];
	long id;

	snprintf(state, sizeof(state), "%s/state", root);
	is_int(journal_load(&j, state), 0, "empty journal loads");
	ok(req(&r[0], "vm.swappiness", "10") == 0 && req(&r[1], "thp.enabled", "always") == 0 &&
	   req(&r[2], "vm.overcommit_kbytes", "4096") == 0, "requests valid");
	is_int(tune_apply(&j, "test", NULL, r, 3, 0, &id), 0, "apply 3");
	is_int(id, 1, "transaction 1");
	is_str(get("thp.enabled"), "always", "THP written");
	is_str(get("vm.overcommit_ratio"), "0", "ratio zeroed by kbytes");
	is_int(j.txn[0].n, 4, "4 changes recorded (the zeroed partner too)");
	journal_free(&j);
	is_int(journal_load(&j, state), 0, "journal reloads");
	is_int(j.n, 1, "one transaction");
	is_int(j.txn[0].state, TXN_APPLIED, "applied");
	is_int(tune_revert_txn(&j, &j.txn[0], 0), 0, "revert");
	is_str(get("vm.swappiness"), "60", "swappiness restored");
	is_str(get("vm.overcommit_ratio"), "50", "ratio restored");
	is_str(get("vm.overcommit_kbytes"), "0", "kbytes restored");
	is_str(get("thp.enabled"), "madvise", "THP restored");

	/* Rollback on a failed write. */
	setenv("LOCUS_TUNE_TEST_FAIL_AT", "2", 1);
	is_int(tune_apply(&j, "test", NULL, r, 3, 0, &id), -EIO, "failed 2nd write: -EIO");
	unsetenv("LOCUS_TUNE_TEST_FAIL_AT");
	is_str(get("vm.swappiness"), "60", "rolled back");
	is_int(j.txn[1].state, TXN_ROLLEDBACK, "state rolled-back");

	/* An interrupted transaction blocks apply until recover. */
	is_int(tune_apply(&j, "test", NULL, r, 1, 0, &id), 0, "apply swappiness");
	j.txn[j.n - 1].state = TXN_APPLYING;
	is_int(tune_apply(&j, "test", NULL, r + 1, 1, 0, &id), -EBUSY, "apply refused while unrecovered");
	is_int(tune_recover(&j), 1, "recover 1 transaction");
	is_str(get("vm.swappiness"), "60", "recovered original");
	ok(!journal_unrecovered(&j), "nothing left to recover");
	r[1] = r[0];
	is_int(tune_apply(&j, "test", NULL, r, 2, 0, &id), -EINVAL, "the same key twice: -EINVAL");
	journal_free(&j);

	/* Profiles. */
	struct tune_profile p;
	char path[400];

	snprintf(path, sizeof(path), "%s/p.conf", root);
	put("p.conf", "# x\n[profile]\ndescription = test\n\n[tunables]\nvm.swappiness = 5\n"
		      "hugepages.1G = 1\n");
	is_int(tune_profile_load(path, &p), 0, "profile loads");
	is_int(p.n, 1, "one request");
	is_int(p.n_missing, 1, "one tunable absent here (skipped)");
	is_str(p.description, "test", "description");
	tune_profile_free(&p);
	put("p.conf", "[tunables]\nvm.swappiness 5\n");
	is_int(tune_profile_load(path, &p), -EINVAL, "missing '=': -EINVAL");
	put("p.conf", "[tunables]\nthp.enabled = sometimes\n");
	is_int(tune_profile_load(path, &p), -EINVAL, "bad choice: -EINVAL");

	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	sysfs_set_root(NULL);
	/* journal_parse on bad input: refused with the problem named, nothing leaked (the
	 * unknown top-level field was a use-after-free found by libFuzzer). */
	static const struct { const char *text, *why; } bad[] = {
		{ "{\"version\": 1, \"transactions\": [], \"extra\": 1}", "unknown field \"extra\"" },
		{ "{\"version\": 1, \"transactions\": [{\"id\": 9223372036854775807}]}", "\"id\" is not an integer" },
		{ "{\"version\": 1, \"transactions\": [{\"id\": 1, \"time\": 1, \"source\": \"s\", "
		  "\"state\": \"applied\", \"changes\": [{\"name\": \"vm.swappiness\", \"original\": "
		  "\"999\", \"requested\": \"1\", \"set\": \"1\"}]}]}", "999 is out of range" },
		{ "[1", "not JSON" },
	};
	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		char why[768] = "";
		struct tune_journal bj = { 0 };
		is_int(journal_parse(&bj, bad[b].text, strlen(bad[b].text), why, sizeof(why)), -EINVAL,
		       "journal_parse refuses a bad journal");
		ok(strstr(why, bad[b].why) != NULL, "journal_parse names the problem");
		journal_free(&bj);
	}
	return done_testing();
}
