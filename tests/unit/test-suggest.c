/* SPDX-License-Identifier: MIT */
/*
 * test-suggest.c — "did you mean": the distance and the choice of the closest name.
 * Expected distances are counted by hand (one insertion, one transposition, ...).
 */
#include "config.h"
#include <string.h>
#include "suggest.h"
#include "tap.h"

static const char *const benches[] = { "rowcol", "branch", "falseshare", "bandwidth", "c2c",
	"numa-matrix", "latency", "tlb", "pagefault", "fork", "malloc", "overcommit", "all",
	"list" };
#define NB (sizeof(benches) / sizeof(benches[0]))

static void sugg(const char *typed, const char *want)
{
	const char *got = suggest_closest(typed, benches, NB);

	if (want)
		is_str(got, want, typed);
	else if (!ok(got == NULL, "'%s': no suggestion", typed))
		diag("got '%s'", got);
}

int main(void)
{
	static const char *const opts[] = { "quick", "reps", "warmup", "target-ci", "max-time",
		"threshold", "output", "json" };
	char buf[16];

	is_int(suggest_distance("latncy", "latency"), 1, "insertion costs 1");
	is_int(suggest_distance("ltaency", "latency"), 1, "transposition costs 1");
	is_int(suggest_distance("LATENCY", "latency"), 0, "case-insensitive");
	is_int(suggest_distance("", "abc"), 3, "empty to abc is 3");
	is_int(suggest_distance("kitten", "sitting"), 3, "kitten/sitting is 3");
	char big[200];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(suggest_distance(big, "a") == (size_t)-1, "over-long words are infinitely far");

	sugg("latncy", "latency");
	sugg("al", "all");
	sugg("lsit", "list");
	sugg("pagefualt", "pagefault");
	sugg("numa-matirx", "numa-matrix");
	sugg("lat", "latency"); /* the only name starting with "lat" */
	sugg("x", NULL);
	sugg("zzzzzz", NULL);
	sugg("", NULL);
	sugg(big, NULL);
	sugg("tlb", "tlb");

	is_str(suggest_closest("quik", opts, 8), "quick", "--quik -> --quick");
	is_str(suggest_closest("treshold", opts, 8), "threshold", "--treshold -> --threshold");
	is_str(suggest_closest("max-tmie", opts, 8), "max-time", "--max-tmie -> --max-time");
	ok(suggest_closest("frobnicate", opts, 8) == NULL, "--frobnicate: nothing close");
	const char *with_null[] = { NULL, "apply", NULL };
	is_str(suggest_closest("aply", with_null, 3), "apply", "NULL entries are skipped");

	is_str(suggest_closest_csv("tph", "4K,THP,2M,1G", buf, sizeof(buf)), "THP",
	       "csv: tph -> THP");
	ok(suggest_closest_csv("huge", "4K,THP,2M,1G", buf, sizeof(buf)) == NULL,
	   "csv: nothing close to 'huge'");
	ok(suggest_closest_csv("x", "4K,THP", buf, 1) == NULL, "csv: too small a buffer");
	return done_testing();
}
