/* SPDX-License-Identifier: MIT */
/*
 * test-runs.c — merging runs into one result and splitting them apart (lib/runs.h):
 * samples kept in run order, run_sizes with a 0 for a run that lacks a measurement,
 * summaries over every sample, merged inputs contributing their own runs, an exact
 * round trip through runs_split(), per-run medians, and the consistency check that
 * result validation uses.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "result.h"
#include "runs.h"
#include "tap.h"

static json_t *meas(const char *metric, const double *v, size_t n)
{
	return result_measurement("tlb", metric, "ns", false,
				  json_pack("{s:s}", "page_size", "4K"), v, n);
}

static json_t *run_of(const double *a, size_t na, const double *b, size_t nb)
{
	json_t *r = result_new(json_object(), json_object());

	if (na)
		result_add(r, meas("latency", a, na));
	if (nb)
		result_add(r, meas("tlb_reach", b, nb));
	return r;
}

/* json_equal against a new reference, which it releases (no leak under valgrind). */
static int eq_owned(const json_t *a, json_t *b)
{
	int r = json_equal((json_t *)a, b);

	json_decref(b);
	return r;
}

static int sizes_are(const json_t *m, const int *want, size_t n)
{
	const json_t *rs = json_object_get(m, "run_sizes");

	if (json_array_size(rs) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (json_integer_value(json_array_get(rs, i)) != want[i])
			return 0;
	return 1;
}

int main(void)
{
	const double a1[] = { 10, 11, 12 }, a2[] = { 20, 21, 22 }, a3[] = { 30, 31, 32, 33 };
	const double b1[] = { 5, 6 }, b3[] = { 7, 8 };
	json_t *runs[3], *merged, *m, **parts;
	double meds[8];
	size_t n;

	runs[0] = run_of(a1, 3, b1, 2);
	runs[1] = run_of(a2, 3, NULL, 0);       /* run 2 lacks tlb_reach */
	runs[2] = run_of(a3, 4, b3, 2);

	merged = runs_merge(runs, 3);
	ok(merged != NULL, "three runs merge");
	is_int((long)runs_count(merged), 3, "merged_runs is 3");
	is_int((long)json_array_size(json_object_get(merged, "measurements")), 2,
	       "each key appears once");
	m = json_array_get(json_object_get(merged, "measurements"), 0);
	is_str(json_string_value(json_object_get(m, "metric")), "latency", "first-seen order");
	is_int((long)json_array_size(json_object_get(m, "samples")), 10, "all ten samples kept");
	is_near(json_number_value(json_array_get(json_object_get(m, "samples"), 3)), 20, 0,
		"in run order (run 2 starts at index 3)");
	ok(sizes_are(m, (const int[]){ 3, 3, 4 }, 3), "run_sizes 3,3,4");
	is_int((long)json_integer_value(json_object_get(json_object_get(m, "summary"), "n")), 10,
	       "the summary covers every sample");
	ok(result_check_run_sizes(m, 3) == NULL, "consistent with merged_runs");
	is_int((long)runs_medians(m, meds, 8), 3, "three run medians");
	is_near(meds[0], 11, 1e-12, "run 1 median");
	is_near(meds[1], 21, 1e-12, "run 2 median");
	is_near(meds[2], 31.5, 1e-12, "run 3 median (even count)");

	m = json_array_get(json_object_get(merged, "measurements"), 1);
	ok(sizes_are(m, (const int[]){ 2, 0, 2 }, 3), "a run without the measurement has a 0");
	is_int((long)runs_medians(m, meds, 8), 2, "runs without samples have no median");

	/* a merged input contributes its own runs */
	{
		json_t *two[2] = { merged, runs[0] }, *again = runs_merge(two, 2);
		const json_t *mm = json_array_get(json_object_get(again, "measurements"), 0);

		is_int((long)runs_count(again), 4, "merged + plain = 4 runs");
		ok(sizes_are(mm, (const int[]){ 3, 3, 4, 3 }, 4), "sizes carried over");
		json_decref(again);
	}

	/* round trip */
	ok(runs_split(merged, &parts, &n) == 0, "split");
	is_int((long)n, 3, "into three runs");
	ok(json_object_get(parts[0], "merged_runs") == NULL, "the parts are plain results");
	is_int((long)json_array_size(json_object_get(parts[1], "measurements")), 1,
	       "run 2 has only what it measured");
	m = json_array_get(json_object_get(parts[2], "measurements"), 0);
	ok(json_equal(json_object_get(m, "samples"),
		      json_object_get(json_array_get(json_object_get(runs[2], "measurements"), 0),
				      "samples")),
	   "run 3's samples come back exactly");
	ok(json_object_get(m, "run_sizes") == NULL, "without run_sizes");
	is_int((long)json_integer_value(json_object_get(json_object_get(m, "summary"), "n")), 4,
	       "with its own summary");
	for (size_t i = 0; i < n; i++)
		json_decref(parts[i]);
	free(parts);

	/* plain results */
	ok(runs_split(runs[0], &parts, &n) == 0 && n == 1, "a plain result splits into itself");
	json_decref(parts[0]);
	free(parts);
	m = json_array_get(json_object_get(runs[0], "measurements"), 0);
	is_int((long)runs_medians(m, meds, 8), 1, "a plain measurement is one run");
	is_near(meds[0], 11, 1e-12, "its median");
	ok(result_check_run_sizes(m, 0) == NULL, "no run_sizes, no merged_runs: fine");

	/* inconsistencies */
	m = json_array_get(json_object_get(merged, "measurements"), 0);
	json_array_set_new(json_object_get(m, "run_sizes"), 0, json_integer(2));
	ok(result_check_run_sizes(m, 3) != NULL, "sizes that do not add up are refused");
	ok(result_check_run_sizes(m, 0) != NULL, "run_sizes without merged_runs is refused");
	{
		json_t **p2;
		size_t n2;

		ok(runs_split(merged, &p2, &n2) == -22, "split refuses an inconsistent file");
	}

	json_decref(merged);
	for (int i = 0; i < 3; i++)
		json_decref(runs[i]);
	{
		/* the host record per sample travels with its samples through merge/split */
		const double x1[] = { 1, 2, 3 }, x2[] = { 4, 5 };
		json_t *r1 = run_of(x1, 3, NULL, 0), *r2 = run_of(x2, 2, NULL, 0), *rr[2];
		json_t *m1 = json_array_get(json_object_get(r1, "measurements"), 0);
		json_t *m2 = json_array_get(json_object_get(r2, "measurements"), 0);
		json_t *mm, **pp;
		size_t np;

		json_object_set_new(m1, "sentinel", json_pack("[f,f,f]", 1.0, 0.5, 0.9));
		json_object_set_new(m1, "disturbed", json_pack("[i]", 1));
		json_object_set_new(m2, "sentinel", json_pack("[f,f]", 0.3, 1.0));
		json_object_set_new(m2, "disturbed", json_pack("[i]", 0));
		rr[0] = r1;
		rr[1] = r2;
		merged = runs_merge(rr, 2);
		mm = json_array_get(json_object_get(merged, "measurements"), 0);
		ok(eq_owned(json_object_get(mm, "sentinel"),
			      json_pack("[f,f,f,f,f]", 1.0, 0.5, 0.9, 0.3, 1.0)),
		   "merge: sentinels concatenated in run order");
		ok(eq_owned(json_object_get(mm, "disturbed"), json_pack("[i,i]", 1, 3)),
		   "merge: disturbed indices shifted to the merged samples");
		is_near(json_number_value(json_object_get(json_object_get(mm, "summary"),
							  "disturbed_fraction")), 0.4, 1e-12,
			"merge: disturbed_fraction over all samples");
		ok(runs_split(merged, &pp, &np) == 0 && np == 2, "split back");
		m2 = json_array_get(json_object_get(pp[1], "measurements"), 0);
		ok(eq_owned(json_object_get(m2, "sentinel"), json_pack("[f,f]", 0.3, 1.0)) &&
		   eq_owned(json_object_get(m2, "disturbed"), json_pack("[i]", 0)),
		   "split: run 2 gets its own sentinel and disturbed back");
		json_decref(pp[0]);
		json_decref(pp[1]);
		free(pp);
		json_decref(merged);
		/* a run without a sentinel: the merged measurement has none (no partial record) */
		json_object_del(m1, "sentinel");
		json_object_del(m1, "disturbed");
		merged = runs_merge(rr, 2);
		mm = json_array_get(json_object_get(merged, "measurements"), 0);
		ok(!json_object_get(mm, "sentinel") && !json_object_get(mm, "disturbed") &&
		   !json_object_get(json_object_get(mm, "summary"), "disturbed_fraction"),
		   "merge: sentinel dropped when one run has none");
		json_decref(merged);
		json_decref(r1);
		json_decref(r2);
	}
	return done_testing();
}
