/* SPDX-License-Identifier: MIT */
/*
 * test-result.c — the locus-result/1 format: build, write, load back, validation errors,
 * measurement keys, NaN handling.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "output.h"
#include "result.h"
#include "tap.h"

static char dir[] = "/tmp/locus-test-result.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void load_bad(const char *name, const char *text, const char *why)
{
	json_t *r = result_load(write_file(name, text));

	ok(r == NULL, "rejected: %s", why);
	json_decref(r);
}

int main(void)
{
	double samples[] = { 3, 1, 2, 5, 4 };
	char path[256], *key;
	json_t *r, *m, *back;

	if (!mkdtemp(dir))
		tap_skip_all("cannot create a temporary directory");

	r = result_new(json_pack("{s:s}", "host", "test"), NULL);
	m = result_measurement("tlb", "latency", "ns", false,
			       json_pack("{s:s, s:I}", "page_size", "2M", "footprint_bytes",
					 (json_int_t)1073741824), samples, 5);
	ok(m != NULL, "measurement built");
	is_near(json_real_value(json_object_get(json_object_get(m, "summary"), "median")), 3.0,
		1e-12, "summary median computed from samples");
	ok(result_add(r, m) == 0, "measurement added");
	ok(result_skip(r, "tlb", json_pack("{s:s}", "page_size", "1G"),
		       "1G pages not reserved") == 0, "skip added");
	ok(result_warn(r, "hardware counters unavailable: %s", "no PMU") == 0, "warning added");
	ok(result_warn_bench(r, "tlb", "THP asked, %s got", "4K") == 0, "bench warning added");
	{
		json_t *ws = json_object_get(r, "warnings");
		const char *wb = "x";
		is_str(result_warning(json_array_get(ws, 0), &wb), "hardware counters unavailable: no PMU",
		       "a general warning: {message}");
		ok(wb == NULL, "... with no bench");
		is_str(result_warning(json_array_get(ws, 1), &wb), "THP asked, 4K got",
		       "a bench's warning: {bench, message}");
		is_str(wb, "tlb", "... naming the bench");
	}
	ok(result_measurement("x", "y", "ns", false, NULL, samples, 0) == NULL,
	   "no samples: no measurement");
	{
		double bad[] = { 1, NAN };
		ok(result_measurement("x", "y", "ns", false, NULL, bad, 2) == NULL,
		   "NaN sample: no measurement");
	}
	ok(json_is_null(json_num(NAN)) && json_is_null(json_num(INFINITY)), "NaN/Inf become null");

	snprintf(path, sizeof(path), "%s/r.json", dir);
	ok(result_write(r, path) == 0, "result written");
	back = result_load(path);
	ok(back != NULL, "result loads back");
	is_str(json_string_value(json_object_get(back, "schema")), LOCUS_SCHEMA, "schema");
	ok(json_equal(json_object_get(back, "measurements"), json_object_get(r, "measurements")),
	   "measurements round-trip exactly");
	is_int(json_array_size(json_object_get(back, "skipped")), 1, "skipped round-trips");
	key = result_key(json_array_get(json_object_get(back, "measurements"), 0));
	is_str(key, "tlb/latency{footprint_bytes=1073741824,page_size=2M}",
	       "key sorts labels by name");
	free(key);
	json_decref(back);
	json_decref(r);

	ok(result_load("/nonexistent/x.json") == NULL, "missing file rejected");
	load_bad("a.json", "{ not json", "not JSON");
	load_bad("b.json", "[1,2]", "top level not an object");
	load_bad("c.json", "{\"measurements\": []}", "no schema");
	load_bad("d.json", "{\"schema\": \"locus-result/2\", \"measurements\": []}",
		 "other schema version");
	load_bad("e.json", "{\"schema\": \"locus-result/1\"}", "no measurements");
	load_bad("f.json", "{\"schema\": \"locus-result/1\", \"measurements\": [{\"bench\": \"x\"}]}",
		 "measurement lacks fields");
	load_bad("g.json", "{\"schema\": \"locus-result/1\", \"measurements\": [{\"bench\": \"x\","
		 "\"metric\": \"m\", \"unit\": \"ns\", \"higher_is_better\": false, \"labels\": {},"
		 "\"samples\": [1, \"2\"]}]}", "non-numeric sample");
	load_bad("h.json", "{\"schema\": \"locus-result/1\", \"measurements\": [{\"bench\": \"x\","
		 "\"metric\": \"m\", \"unit\": \"ns\", \"higher_is_better\": 0, \"labels\": {},"
		 "\"samples\": [1]}]}", "higher_is_better not boolean");
#define M1 "{\"schema\": \"locus-result/1\", \"measurements\": [{\"bench\": \"x\"," \
	"\"metric\": \"m\", \"unit\": \"ns\", \"higher_is_better\": false, \"labels\": {}," \
	"\"samples\": [1, 2, 3]"
	load_bad("s1.json", M1 ", \"sentinel\": [1, 0.9]}]}", "sentinel not parallel to samples");
	load_bad("s2.json", M1 ", \"sentinel\": [1, 0.9, 1.5]}]}", "sentinel above 1");
	load_bad("s3.json", M1 ", \"disturbed\": [3]}]}", "disturbed index past the samples");
	load_bad("s4.json", M1 ", \"disturbed\": [1, 1]}]}", "disturbed indices not increasing");
	load_bad("s5.json", M1 ", \"steal_ms\": [0, -1, 0]}]}", "negative steal");
	load_bad("s6.json", M1 ", \"summary\": {\"peak\": \"fast\"}}]}", "peak not a number");
	load_bad("s7.json", M1 ", \"summary\": {\"disturbed_fraction\": 2}}]}",
		 "disturbed_fraction above 1");
	{
		json_t *g = result_load(write_file("s8.json", M1 ", \"sentinel\": [1, 0.5, 0.97],"
			"\"steal_ms\": [0, 10, 0], \"disturbed\": [1],"
			"\"summary\": {\"peak\": 1, \"disturbed_fraction\": 0.333}}]}"));
		ok(g != NULL, "sentinel, steal_ms, disturbed, peak accepted");
		json_decref(g);
		g = result_load(write_file("s9.json", M1 "}]}"));
		ok(g != NULL, "a measurement without them (older files) still loads");
		json_decref(g);
	}
	{
		double hv[] = { 3, 9, 1 };
		json_t *lo = result_measurement("x", "latency", "ns", false, NULL, hv, 3);
		json_t *hi = result_measurement("x", "bandwidth", "GB/s", true, NULL, hv, 3);

		is_near(json_number_value(json_object_get(json_object_get(lo, "summary"), "peak")),
			1, 0, "peak of a lower-is-better metric is the smallest sample");
		is_near(json_number_value(json_object_get(json_object_get(hi, "summary"), "peak")),
			9, 0, "peak of a higher-is-better metric is the largest sample");
		json_decref(lo);
		json_decref(hi);
	}
	{
		json_t *g = result_load(write_file("ok.json",
			"{\"schema\": \"locus-result/1\", \"measurements\": []}"));
		ok(g != NULL, "minimal valid result accepted");
		json_decref(g);
	}
	{
		/* Files written before warnings had a bench field hold plain strings. */
		const char *wb = "x";
		json_t *g = result_load(write_file("oldwarn.json",
			"{\"schema\": \"locus-result/1\", \"measurements\": [],"
			" \"warnings\": [\"tlb: THP asked, 4K got\", {\"message\": \"m\"}]}"));
		ok(g != NULL, "plain-string warnings (older files) still load");
		is_str(result_warning(json_array_get(json_object_get(g, "warnings"), 0), &wb),
		       "tlb: THP asked, 4K got", "a plain-string warning reads as its message");
		ok(wb == NULL, "... with no bench");
		json_decref(g);
	}
	load_bad("w1.json", "{\"schema\": \"locus-result/1\", \"measurements\": [],"
		 " \"warnings\": [3]}", "a warning that is a number");
	load_bad("w2.json", "{\"schema\": \"locus-result/1\", \"measurements\": [],"
		 " \"warnings\": [{\"bench\": \"x\"}]}", "a warning without a message");
	load_bad("w3.json", "{\"schema\": \"locus-result/1\", \"measurements\": [],"
		 " \"warnings\": [{\"bench\": 1, \"message\": \"m\"}]}", "a warning whose bench is not a string");
	/* lib/output.c: "-" means stdout, a lost write is an error, not a silent 0. */
	ok(output_is_stdout(NULL) && output_is_stdout("-") && !output_is_stdout("-x") &&
	   !output_is_stdout("out.json"), "output_is_stdout: NULL and \"-\" only");
	ok(output_open("-") == stdout && output_open(NULL) == stdout, "output_open(\"-\") is stdout");
	{
		char opath[300];
		FILE *f;

		snprintf(opath, sizeof(opath), "%s/no-such-dir/x.json", dir);
		errno = 0;
		ok(!output_open(opath) && errno == ENOENT, "output_open in a missing directory: NULL, ENOENT");
		snprintf(opath, sizeof(opath), "%s/out.txt", dir);
		f = output_open(opath);
		ok(f && fputs("x\n", f) >= 0 && output_close(f, opath) == 0, "output_open/close a file: 0");
		if (access("/dev/full", W_OK) == 0) {
			json_t *res = json_pack("{s:s, s:[]}", "schema", "locus-result/1", "measurements");
			f = output_open("/dev/full");
			ok(f && fputs("x\n", f) >= 0 && output_close(f, "/dev/full") == -EIO,
			   "output_close after a lost write (/dev/full): -EIO");
			ok(result_write(res, "/dev/full") == -EIO, "result_write to /dev/full: -EIO");
			json_decref(res);
		} else {
			for (int i = 0; i < 2; i++)
				printf("ok %d # SKIP no writable /dev/full here\n", ++tap_n_);
		}
	}
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ok(system(cmd) == 0, "temporary files removed");
	}
	return done_testing();
}
