/* SPDX-License-Identifier: MIT */
/*
 * test-settings.c — setting labels (lib/result.h): labels that record a system setting
 * the bench ran under (overcommit's "mode", reclaim's "swappiness") are left out of
 * result_match_key(), and compare_results() pairs measurements whose keys differ only
 * in them, with the change in the pair ("mode 0 → 2") and among the environment
 * differences; exact keys still win, ambiguity and undeclared labels do not pair.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "compare-output.h"
#include "result.h"
#include "tap.h"

/* An overcommit-like measurement: labels {mode, kind}, "mode" a setting label when
 * `setting`; samples around `v`. */
static json_t *meas(const char *bench, const char *mode, const char *kind, double v,
		    bool setting)
{
	double s[6];
	json_t *m;

	for (int i = 0; i < 6; i++)
		s[i] = v * (1.0 + 0.001 * i);
	m = result_measurement(bench, "bytes", "bytes", true,
			       json_pack("{s:s, s:s}", "mode", mode, "kind", kind), s, 6);
	if (setting)
		json_object_set_new(m, "setting_labels", json_pack("[s]", "mode"));
	return m;
}

static json_t *file(json_t *m1, json_t *m2)
{
	json_t *r = result_new(NULL, NULL);

	if (m1)
		result_add(r, m1);
	if (m2)
		result_add(r, m2);
	return r;
}

static const struct compare_pair *find_pair(const struct compare_result *c, const char *key)
{
	for (size_t i = 0; i < c->n_pairs; i++)
		if (strcmp(c->pairs[i].key, key) == 0)
			return &c->pairs[i];
	return NULL;
}

int main(void)
{
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct compare_result c;
	const struct compare_pair *p;
	json_t *a, *b, *b2, *m;
	char *k;

	o.boot_reps = 200;

	/* keys */
	m = meas("overcommit", "2", "single", 1e8, true);
	k = result_key(m);
	is_str(k, "overcommit/bytes{kind=single,mode=2}", "result_key keeps the setting label");
	free(k);
	k = result_match_key(m);
	is_str(k, "overcommit/bytes{kind=single}", "result_match_key leaves it out");
	free(k);
	ok(result_is_setting_label(m, "mode"), "mode is a setting label");
	ok(!result_is_setting_label(m, "kind"), "kind is not");
	json_decref(m);
	m = meas("overcommit", "2", "single", 1e8, false);
	k = result_match_key(m);
	is_str(k, "overcommit/bytes{kind=single,mode=2}", "without setting_labels: the full key");
	free(k);
	json_decref(m);

	/* mode 0 vs mode 2: paired, the change shown and warned about */
	a = file(meas("overcommit", "0", "single", 5e8, true), meas("overcommit", "0", "total", 7e10, true));
	b = file(meas("overcommit", "2", "single", 2e8, true), meas("overcommit", "2", "total", 2e8, true));
	ok(compare_results(a, b, &o, &c) == 0, "compare mode 0 with mode 2");
	is_int(c.n_pairs, 2, "both kinds paired");
	is_int(c.n_only_base + c.n_only_cur, 0, "nothing on one side only");
	p = find_pair(&c, "overcommit/bytes{kind=single,mode=2}");
	ok(p != NULL, "the pair's key is the current's");
	is_str(p ? p->settings : NULL, "mode 0 → 2", "the pair says mode 0 → 2");
	ok(p && p->median_base > 4.9e8 && p->median_cur < 2.1e8, "baseline and current medians");
	ok(p && p->verdict == VERDICT_REGRESSED, "less commit is a regression (higher is better)");
	is_int(c.n_env_diffs, 1, "one environment difference");
	is_str(c.n_env_diffs ? c.env_diffs[0].key : NULL, "overcommit.mode (label)",
	       "named after the bench and the label");
	is_str(c.n_env_diffs ? c.env_diffs[0].base : NULL, "\"0\"", "its baseline value");
	is_str(c.n_env_diffs ? c.env_diffs[0].cur : NULL, "\"2\"", "its current value");
	{
		json_t *j = compare_to_json(&c, &(struct compare_outputs){ .alpha = 0.01 });
		json_t *pairs = json_object_get(j, "comparisons"), *q;
		size_t i;
		bool seen = false;

		json_array_foreach(pairs, i, q)
			seen |= json_is_string(json_object_get(q, "settings")) &&
				strcmp(json_string_value(json_object_get(q, "settings")), "mode 0 → 2") == 0;
		ok(seen, "JSON output: \"settings\": \"mode 0 → 2\"");
		json_decref(j);
	}
	compare_result_free(&c);

	/* same settings: exact keys, no note, no environment difference */
	ok(compare_results(a, a, &o, &c) == 0, "compare a file with itself");
	ok(c.n_pairs == 2 && !c.pairs[0].settings && !c.pairs[1].settings && !c.n_env_diffs,
	   "same settings: no setting note, no environment difference");
	compare_result_free(&c);
	json_decref(b);

	/* an exact match wins over a setting pairing */
	b = file(meas("overcommit", "0", "single", 5e8, true), meas("overcommit", "2", "single", 2e8, true));
	ok(compare_results(a, b, &o, &c) == 0, "current has mode 0 and mode 2");
	p = find_pair(&c, "overcommit/bytes{kind=single,mode=0}");
	ok(p && !p->settings, "mode 0 pairs with mode 0 exactly");
	ok(c.n_pairs == 1 && find_pair(&c, "overcommit/bytes{kind=total,mode=0}") == NULL,
	   "one pair: total (baseline only) is not paired with a current single");
	is_int(c.n_only_cur, 1, "mode 2 single: only in current (its baseline was taken)");
	is_int(c.n_only_base, 1, "total: only in baseline");
	compare_result_free(&c);
	json_decref(b);

	/* ambiguous: two baseline candidates for one current measurement */
	b = file(meas("overcommit", "1", "single", 5e8, true), NULL);
	b2 = file(meas("overcommit", "0", "single", 5e8, true), meas("overcommit", "1", "single", 6e8, true));
	json_decref(a);
	a = file(meas("overcommit", "2", "single", 2e8, true), NULL);
	ok(compare_results(b2, a, &o, &c) == 0, "baseline with mode 0 and mode 1, current mode 2");
	ok(c.n_pairs == 0 && c.n_only_cur == 1 && c.n_only_base == 2, "ambiguous: not paired");
	compare_result_free(&c);

	/* a baseline set whose runs had different settings */
	{
		const json_t *set[] = { b2, b };

		json_decref(b2);
		b2 = file(meas("overcommit", "0", "single", 5e8, true), NULL);
		set[0] = b2;
		ok(compare_results_set(set, 2, a, &o, &c) == 0, "set of a mode-0 and a mode-1 run");
		ok(c.n_pairs == 1 && c.pairs[0].base_runs == 2, "paired against both runs");
		is_str(c.n_pairs ? c.pairs[0].settings : NULL, "mode 0,1 → 2",
		       "every baseline value is shown");
		compare_result_free(&c);
	}
	json_decref(b);
	json_decref(b2);

	/* undeclared: a label that is not a setting keeps the keys apart */
	b = file(meas("overcommit", "0", "single", 5e8, false), NULL);
	b2 = file(meas("overcommit", "2", "single", 2e8, false), NULL);
	ok(compare_results(b, b2, &o, &c) == 0, "no setting_labels on either side");
	ok(c.n_pairs == 0 && c.n_only_base == 1 && c.n_only_cur == 1 && !c.n_env_diffs,
	   "not paired: one side only each");
	compare_result_free(&c);
	json_decref(b);
	json_decref(b2);

	/* other benches are not paired with each other */
	b = file(meas("other", "0", "single", 5e8, true), NULL);
	ok(compare_results(b, a, &o, &c) == 0, "another bench with the same labels");
	is_int(c.n_pairs, 0, "different bench: not paired");
	compare_result_free(&c);
	json_decref(b);
	json_decref(a);
	return done_testing();
}
