/* SPDX-License-Identifier: MIT */
/*
 * cmd-tune-info.c — `locus tune active` (the profile in effect) and `locus tune
 * recommend` (settings proposed for this machine with their reasons, and the closest
 * profile; tune/recommend.c holds the rules).  Both only read.
 */
#include "config.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "log.h"
#include "cmd-tune.h"

int tune_cli_active(const struct opts *o)
{
	struct tune_journal j;
	size_t first;
	char ts[64];
	int r = tune_cli_load_journal(&j, o);

	if (r)
		return r;
	first = journal_active(&j);
	if (o->set & O_JSON) {
		json_t *jo = json_object(), *later = json_array();
		json_object_set_new(jo, "profile", first < j.n ? json_string(j.txn[first].profile) : json_null());
		json_object_set_new(jo, "transaction", first < j.n ? json_integer(j.txn[first].id) : json_null());
		for (size_t i = first + 1; i < j.n; i++)
			if (j.txn[i].state == TXN_APPLIED)
				json_array_append_new(later, json_integer(j.txn[i].id));
		json_object_set_new(jo, "later_transactions", later);
		json_dumpf(jo, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(jo);
	} else if (first >= j.n) {
		printf("no profile active (journal %s)\n", j.path);
	} else {
		printf("%s (transaction %ld, %s)\n", j.txn[first].profile, j.txn[first].id,
		       tune_cli_tstamp(j.txn[first].time, ts, sizeof(ts)));
		for (size_t i = first + 1; i < j.n; i++)
			if (j.txn[i].state == TXN_APPLIED)
				printf("  and later transaction %ld (%s)\n", j.txn[i].id, j.txn[i].source);
	}
	journal_free(&j);
	return LOCUS_EXIT_OK;
}

/* The profile found that agrees with most of the advice (ties: the first by name). */
static void best_profile(const struct tune_advice *a, int n, char *name, size_t len, int *agree)
{
	struct tune_profile_entry *e = NULL;
	size_t ne = 0;

	*agree = 0;
	name[0] = '\0';
	if (tune_profile_list(&e, &ne) < 0)
		return;
	bool q = locus_quiet();
	locus_set_quiet(true);
	for (size_t i = 0; i < ne; i++) {
		struct tune_profile p;
		int hits = 0;

		if (tune_profile_load(e[i].path, &p) < 0)
			continue;
		for (int k = 0; k < n; k++)
			for (size_t r = 0; r < p.n; r++)
				if (strcmp(p.req[r].key.name, a[k].key.name) == 0 &&
				    tune_equal(&a[k].key, p.req[r].value, a[k].value))
					hits++;
		if (hits > *agree) {
			*agree = hits;
			snprintf(name, len, "%s", e[i].name);
		}
		tune_profile_free(&p);
	}
	locus_set_quiet(q);
	free(e);
}

/* Print text wrapped at 80 columns, each line indented. */
static void print_wrapped(const char *text, int indent)
{
	int col = indent;
	const char *p = text;

	printf("%*s", indent, "");
	while (*p) {
		size_t w = strcspn(p, " ");
		if (col > indent && col + 1 + (int)w > 79) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)w, p);
		col += (int)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

int tune_cli_recommend(const struct opts *o)
{
	struct tune_machine m;
	struct tune_advice a[16];
	char best[128], mem[32] = "memory unknown";
	int n, agree;

	tune_machine_read(&m);
	n = tune_recommend(&m, a, 16);
	best_profile(a, n, best, sizeof(best), &agree);
	if (m.mem_bytes > 0)
		snprintf(mem, sizeof(mem), "%.1f GiB", (double)m.mem_bytes / (1 << 30));
	if (o->set & O_JSON) {
		json_t *jo = json_object(), *jm = json_object(), *js = json_array();
		json_object_set_new(jm, "numa_nodes", json_integer(m.nodes));
		json_object_set_new(jm, "mem_bytes", m.mem_bytes >= 0 ? json_integer(m.mem_bytes) : json_null());
		json_object_set_new(jm, "swap_bytes", m.swap_bytes >= 0 ? json_integer(m.swap_bytes) : json_null());
		json_object_set_new(jo, "machine", jm);
		for (int i = 0; i < n; i++) {
			json_t *x = json_object();
			json_object_set_new(x, "name", json_string(a[i].key.name));
			json_object_set_new(x, "value", json_string(a[i].value));
			json_object_set_new(x, "current", json_string(a[i].current));
			json_object_set_new(x, "reason", json_string(a[i].reason));
			json_array_append_new(js, x);
		}
		json_object_set_new(jo, "settings", js);
		json_object_set_new(jo, "profile", *best ? json_string(best) : json_null());
		json_object_set_new(jo, "profile_agrees", json_integer(agree));
		json_dumpf(jo, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(jo);
		return LOCUS_EXIT_OK;
	}
	printf("this machine: %d NUMA node%s, %s, swap %s\n", m.nodes, m.nodes == 1 ? "" : "s", mem,
	       m.swap_bytes > 0 ? "yes" : m.swap_bytes == 0 ? "none" : "unknown");
	printf("recommended (nothing is applied):\n");
	for (int i = 0; i < n; i++) {
		printf("  %s = %s%s\n", a[i].key.name, a[i].value,
		       tune_equal(&a[i].key, a[i].current, a[i].value) ? "   (already)" : "");
		print_wrapped(a[i].reason, 6);
	}
	if (!n)
		printf("  nothing: no rule applies to this machine\n");
	if (*best)
		printf("closest profile: %s (%d of %d settings agree): locus tune diff %s\n", best,
		       agree, n, best);
	printf("or save the lines above under [tunables] in a profile of your own\n");
	return LOCUS_EXIT_OK;
}
