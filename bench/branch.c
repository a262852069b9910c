/* SPDX-License-Identifier: MIT */
/*
 * branch.c — the cost of a mispredicted branch: sorted vs random vs periodic data.
 *
 * The classic: sum the elements of an array of values in [0,256) that are at least a
 * threshold (128).  On sorted data the branch is taken in one long run and predicted
 * almost perfectly; on random data it is a coin toss and every other element pays a
 * pipeline flush.  Periodic data (a fixed random pattern of K taken/not-taken outcomes,
 * repeated) shows how long a pattern the predictor learns: recognising the position in
 * a random pattern takes about log2(K) bits of history but K predictor entries, so the
 * knee measures the predictor's capacity as much as its history length.  A branchless variant (mask
 * arithmetic, or cmov) does the same work without a data-dependent branch and should
 * cost the same on every data set.
 *
 * Compilers routinely turn the `if` into cmov or vectorize the loop, and the effect
 * disappears; so the branchy kernel's compare-and-jump is written in inline asm (asm
 * goto), which no optimizer can if-convert or vectorize, and tests/cli/32-branch.sh
 * disassembles the built binary to check that it contains a conditional jump and no
 * cmov.  Both variants keep their accumulator in a register through an empty asm, so
 * neither is vectorized and they differ only in the branch.
 */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "bench.h"
#include "log.h"
#include "timer.h"

/* Elements per timed sample: the array is walked several times per sample. */
#define BR_TARGET_ELEMS (1u << 22)

/* Kernels are out of line (and, under gcc, not cloned) so that the disassembly check in
 * the test finds them under their own names. */
#if defined(__clang__) || !defined(__GNUC__)
#define BR_KERNEL __attribute__((noinline))
#else
#define BR_KERNEL __attribute__((noinline, noclone))
#endif

#if !defined(__x86_64__) && !defined(__i386__) && !defined(__aarch64__) && \
	defined(__GNUC__) && !defined(__clang__)
/* No asm for this architecture: ask gcc not to if-convert or vectorize.  The
 * disassembly test says whether that was enough. */
#define BR_NO_IFCVT __attribute__((optimize("no-if-conversion", "no-if-conversion2", \
					    "no-tree-vectorize")))
#else
#define BR_NO_IFCVT
#endif

/* Sum of a[i] >= thr, with a real conditional jump on the comparison. */
static BR_KERNEL BR_NO_IFCVT uint64_t branch_sum_branchy(const uint32_t *a, size_t n, uint32_t thr)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t v = a[i];
#if defined(__x86_64__) || defined(__i386__)
		__asm__ goto("cmpl %1, %0\n\t"
			     "jb %l[below]"
			     : : "r"(v), "r"(thr) : "cc" : below);
#elif defined(__aarch64__)
		__asm__ goto("cmp %w0, %w1\n\t"
			     "b.lo %l[below]"
			     : : "r"(v), "r"(thr) : "cc" : below);
#else
		if (v < thr)
			goto below;
#endif
		s += v;
		/* As in the branchless kernel; in the plain-C fallback it also keeps the add
		 * out of reach of if-conversion into cmov. */
		__asm__("" : "+r"(s));
below:
		;
	}
	return s;
}

/* The same sum with a mask: no data-dependent branch whatever the data. */
static BR_KERNEL uint64_t branch_sum_branchless(const uint32_t *a, size_t n, uint32_t thr)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t v = a[i];
		s += v & -(uint64_t)(v >= thr);
		__asm__("" : "+r"(s));
	}
	return s;
}

enum br_variant { BR_BRANCHY, BR_BRANCHLESS, BR_NR_VARIANTS };
static const char *const br_variant_names[BR_NR_VARIANTS] = { "branchy", "branchless" };
typedef uint64_t (*br_kernel_fn)(const uint32_t *, size_t, uint32_t);
static const br_kernel_fn br_kernels[BR_NR_VARIANTS] = {
	branch_sum_branchy, branch_sum_branchless
};

static const char *const br_events[] = { "PAPI_BR_INS", "PAPI_BR_MSP", NULL };

/* splitmix64: a small, fast, seedable generator; the data must be reproducible. */
static uint64_t br_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound) (bound <= 256, so the modulo bias of a 64-bit draw is nil). */
static uint32_t br_below(uint64_t *state, uint32_t bound)
{
	return (uint32_t)(br_next(state) % bound);
}

/*
 * Fill a[] for a data kind: period 0 = random, -1 = sorted (the same random values,
 * ascending: counting sort, the values being bytes), K > 0 = a pattern of K outcomes,
 * half of them taken, shuffled once and repeated; each element is a random value on the
 * pattern's side of the threshold.
 */
static int br_generate(uint32_t *a, size_t n, long period, uint32_t thr, uint64_t seed)
{
	uint64_t st = seed;

	if (period <= 0) {
		for (size_t i = 0; i < n; i++)
			a[i] = br_below(&st, 256);
		if (period < 0) {
			size_t hist[256] = { 0 }, k = 0;
			for (size_t i = 0; i < n; i++)
				hist[a[i]]++;
			for (uint32_t v = 0; v < 256; v++)
				for (size_t h = 0; h < hist[v]; h++)
					a[k++] = v;
		}
		return 0;
	}
	unsigned char *pat = malloc((size_t)period);
	if (!pat)
		return -ENOMEM;
	for (long i = 0; i < period; i++)
		pat[i] = i < period / 2;
	for (long i = period - 1; i > 0; i--) {
		long j = (long)(br_next(&st) % (uint64_t)(i + 1));
		unsigned char t = pat[i];
		pat[i] = pat[j];
		pat[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		a[i] = pat[i % (size_t)period] ? thr + br_below(&st, 256 - thr) : br_below(&st, thr);
	free(pat);
	return 0;
}

struct br_job {
	br_kernel_fn fn;
	const uint32_t *a;
	size_t n;
	uint32_t thr;
	unsigned passes;
	uint64_t expected;
	const char *what;
};

static int br_sample(void *arg, double *sample)
{
	struct br_job *j = arg;
	uint64_t t0, t1, s = 0;

	t0 = timer_now();
	for (unsigned p = 0; p < j->passes; p++) {
		/* Stops the compiler from treating the kernel as pure and calling it once. */
		__asm__ __volatile__("" ::: "memory");
		s = j->fn(j->a, j->n, j->thr);
		if (s != j->expected)
			break;
	}
	t1 = timer_now();
	if (s != j->expected)
		return locus_fail(EPROTO, "bench branch: %s: sum %llu, expected %llu", j->what,
					  (unsigned long long)s, (unsigned long long)j->expected);
	*sample = timer_ticks_to_ns(t1 - t0) / ((double)j->passes * (double)j->n);
	return 0;
}

/*
 * The mispredict rate derived from the two branch counters of the measurement just
 * added: counters.mispredict_rate = PAPI_BR_MSP / PAPI_BR_INS, or null with the reason
 * under counters_unavailable.
 */
static void br_add_rate(struct bench_ctx *c)
{
	json_t *ms = json_object_get(c->result, "measurements");
	json_t *m = json_array_get(ms, json_array_size(ms) - 1);
	json_t *ctr = json_object_get(m, "counters"), *un = json_object_get(m, "counters_unavailable");
	json_t *ins = json_object_get(ctr, "PAPI_BR_INS"), *msp = json_object_get(ctr, "PAPI_BR_MSP");

	if (!json_is_object(ctr))
		return;
	if (json_is_number(ins) && json_is_number(msp) && json_number_value(ins) > 0) {
		json_object_set_new(ctr, "mispredict_rate",
				    json_real(json_number_value(msp) / json_number_value(ins)));
		return;
	}
	json_object_set_new(ctr, "mispredict_rate", json_null());
	if (json_is_object(un)) {
		const char *r = json_string_value(json_object_get(un, "PAPI_BR_MSP"));
		if (!r)
			r = json_string_value(json_object_get(un, "PAPI_BR_INS"));
		char buf[256];
		snprintf(buf, sizeof(buf), "derived from PAPI_BR_MSP/PAPI_BR_INS: %s",
			 r ? r : "a counter is unavailable");
		json_object_set_new(un, "mispredict_rate", json_string(buf));
	}
}

/* Data kinds: "sorted", "random", "period-K". */
#define BR_DATA_CHOICES "sorted,random,period-2,period-4,period-8,period-16,period-32," \
	"period-64,period-128,period-256,period-512,period-1024,period-2048,period-4096," \
	"period-8192,period-16384,period-32768,period-65536"

static long br_parse_data(const char *s)
{
	if (strcasecmp(s, "sorted") == 0)
		return -1;
	if (strcasecmp(s, "random") == 0)
		return 0;
	return strtol(s + strlen("period-"), NULL, 10); /* validated against the choices */
}

struct br_setup {
	bool variants[BR_NR_VARIANTS];
	uint32_t thr;
	uint64_t seed;
	int cpu;
	size_t n;
};

static int br_one_data(struct bench_ctx *c, const struct br_setup *st, uint32_t *a, long period,
		       json_t *memj)
{
	char label[32];
	uint64_t ref = 0, count = 0, got[BR_NR_VARIANTS];
	size_t n = st->n;
	uint64_t per = (BR_TARGET_ELEMS + n - 1) / n;
	unsigned passes = per > 1 ? (unsigned)per : 1;
	int rc;

	if (period < 0)
		snprintf(label, sizeof(label), "sorted");
	else if (period == 0)
		snprintf(label, sizeof(label), "random");
	else
		snprintf(label, sizeof(label), "period-%ld", period);
	rc = br_generate(a, n, period, st->thr, st->seed);
	if (rc < 0)
		return rc;
	/* The reference, in plain C (whatever the compiler makes of it). */
	for (size_t i = 0; i < n; i++)
		if (a[i] >= st->thr) {
			ref += a[i];
			count++;
		}
	/* Both variants on the same data, whichever are measured: they must agree. */
	for (int v = 0; v < BR_NR_VARIANTS; v++) {
		__asm__ __volatile__("" ::: "memory");
		got[v] = br_kernels[v](a, n, st->thr);
		if (got[v] != ref)
			return locus_fail(EPROTO, "bench branch: %s data: %s variant sums to %llu, expected %llu",
						  label, br_variant_names[v], (unsigned long long)got[v],
						  (unsigned long long)ref);
	}

	for (int v = 0; v < BR_NR_VARIANTS && rc == 0; v++) {
		struct br_job j = {
			.fn = br_kernels[v], .a = a, .n = n, .thr = st->thr, .passes = passes,
			.expected = ref, .what = br_variant_names[v],
		};
		json_t *ver;
		int now;

		if (!st->variants[v])
			continue;
		ver = json_pack("{s:I, s:I, s:f, s:I, s:I, s:b, s:i, s:I, s:I, s:I}",
				"sum", (json_int_t)ref, "count", (json_int_t)count,
				"selected_fraction", (double)count / (double)n,
				"branchy_sum", (json_int_t)got[BR_BRANCHY],
				"branchless_sum", (json_int_t)got[BR_BRANCHLESS],
				"variants_agree", got[BR_BRANCHY] == got[BR_BRANCHLESS],
				"threshold", (int)st->thr, "seed", (json_int_t)st->seed,
				"passes_per_sample", (json_int_t)passes,
				"elements_per_sample", (json_int_t)((uint64_t)passes * n));
		if (period > 0)
			json_object_set_new(ver, "period", json_integer(period));
		if (memj)
			json_object_update(ver, memj);
		json_incref(ver);
		struct bench_measure bm = {
			.metric = "time_per_element",
			.labels = json_pack("{s:s, s:s, s:I}", "data", label,
					    "variant", br_variant_names[v], "n", (json_int_t)n),
			.verified = ver,
			.fn = br_sample,
			.arg = &j,
			.events = br_events,
			.ops_per_sample = (double)passes * (double)n,
			.counters_per = "element",
		};
		rc = bench_measure(c, &bm);
		now = sched_getcpu();
		json_object_set_new(ver, "sum_ok", json_boolean(rc == 0));
		json_object_set_new(ver, "cpu_asked", json_integer(st->cpu));
		json_object_set_new(ver, "cpu", json_integer(now));
		json_object_set_new(ver, "cpu_ok", json_boolean(now == st->cpu || c->topo->fake));
		json_decref(ver);
		if (rc == 0)
			br_add_rate(c);
	}
	return rc;
}

static int branch_run(struct bench_ctx *c)
{
	struct br_setup st = { .thr = 128, .seed = 1 };
	struct mem_region r;
	struct mem_verified mv;
	json_t *memj = NULL;
	char buf[32];
	int rc;

	for (size_t i = 0; i < bench_opt_count(c, "variant"); i++) {
		bench_opt_choice_at(c, "variant", i, buf, sizeof(buf));
		for (int v = 0; v < BR_NR_VARIANTS; v++)
			if (strcasecmp(buf, br_variant_names[v]) == 0)
				st.variants[v] = true;
	}
	st.thr = (uint32_t)bench_opt_int(c, "threshold");
	st.seed = (uint64_t)bench_opt_int(c, "seed");
	if (bench_opt_given(c, "n")) {
		st.n = (size_t)bench_opt_int(c, "n");
	} else {
		/* Half of L2: out of L1, so the data streams from a cache the prefetcher keeps
		 * up with, and far too many outcomes for a predictor to memorize a random
		 * sequence across passes (which it does for a few thousand). */
		uint64_t l2 = topo_cache_size(c->topo, 2);
		st.n = l2 ? l2 / 2 / sizeof(uint32_t) : 256 << 10;
		if (st.n < 64 << 10)
			st.n = 64 << 10;
	}
	for (size_t i = 0; i < bench_opt_count(c, "data"); i++) {
		long p = br_parse_data(bench_opt_choice_at(c, "data", i, buf, sizeof(buf)));
		if (p > 0 && (size_t)p > st.n)
			return locus_fail(EINVAL, "bench branch: --data: period-%ld is longer than the array (--n %zu); "
						  "use --n %ld or more", p, st.n, p);
	}
	rc = bench_check_memory(c, st.n * sizeof(uint32_t));
	if (rc < 0)
		return rc;

	st.cpu = bench_cpu_at(c, 0);
	rc = bench_pin(c, st.cpu);
	if (rc < 0)
		return locus_fail(-rc, "bench branch: cannot pin to CPU %d: %s", st.cpu, strerror(-rc));
	if (rc != st.cpu)
		bench_warn(c, "asked for CPU %d, running on %d", st.cpu, rc);

	rc = bench_alloc(c, &r, st.n * sizeof(uint32_t), MEM_PAGE_DEFAULT);
	if (rc < 0)
		return rc;
	mem_touch(&r);
	if (mem_verify(&r, 0, &mv) == 0)
		memj = mem_verified_json(&r, &mv);

	for (size_t i = 0; i < bench_opt_count(c, "data") && rc == 0; i++) {
		bench_opt_choice_at(c, "data", i, buf, sizeof(buf));
		rc = br_one_data(c, &st, r.p, br_parse_data(buf), memj);
	}
	json_decref(memj);
	mem_free(&r);
	return rc;
}

static const struct bench_opt branch_opts[] = {
	{ .name = "data", .type = BOPT_CHOICES,
	  .def = "sorted,random,period-2,period-8,period-32,period-128,period-512,period-2048,"
		 "period-8192",
	  .quick = "sorted,random,period-2,period-32",
	  .choices = BR_DATA_CHOICES,
	  .help = "data sets: sorted, random, or period-K: a random pattern of K outcomes "
		  "(half taken) repeated over the array" },
	{ .name = "variant", .type = BOPT_CHOICES, .def = "branchy,branchless",
	  .choices = "branchy,branchless", .help = "kernels to measure" },
	{ .name = "n", .type = BOPT_INT, .min = 1024, .max = 1 << 28,
	  .help = "array length in elements (uint32); default: half of L2" },
	{ .name = "threshold", .type = BOPT_INT, .def = "128", .min = 1, .max = 255,
	  .help = "sum the elements >= this value (values are in [0,256))" },
	{ .name = "seed", .type = BOPT_INT, .def = "1", .min = 0, .max = 0x7fffffff,
	  .help = "seed of the data generator" },
	{ .name = NULL },
};

static const struct bench_metric branch_metrics[] = {
	{ .name = "time_per_element", .unit = "ns", .higher_is_better = false },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure branch_figures[] = {
	{ .kind = BFIG_BARS, .metric = "time_per_element", .x = "data", .series = "variant",
	  .bar_note = "mispredict_rate",
	  .title = "Branch prediction: data pattern x code variant", .xlabel = "input data",
	  .ylabel = "time per element",
	  .caption = "Median time per element for branchy and branchless code on sorted, "
		"random and periodic data, with 95% CI (and the branch mispredict rate "
		"above each bar when counters were available). Only the branchy code on "
		"unpredictable (random) data should stand out." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_branch_info = {
	.name = "branch",
	.summary = "branch prediction: branchy vs branchless sum on sorted, random and periodic data",
	.description =
		"Sums the elements >= a threshold (128) of an array of values in [0,256),\n"
		"with a real conditional jump (branchy, written in asm so no compiler turns it\n"
		"into cmov) and with mask arithmetic (branchless), on sorted data, random data,\n"
		"and periodic taken/not-taken patterns of period K (how long a pattern the\n"
		"predictor learns).  Reports the time per element; both variants must give the\n"
		"same sum on the same data (a mismatch exits 5).  Counters: branch instructions,\n"
		"mispredictions, and the mispredict rate derived from them when available.",
	.opts = branch_opts,
	.metrics = branch_metrics,
	.headline = "time_per_element",
	.figures = branch_figures,
	.explain = "A loop sums the elements above a threshold, once with a real conditional "
		"branch and once without one. On random data the branch predictor guesses "
		"wrong half of the time and the branchy loop pays a pipeline flush for "
		"each miss, while the branchless loop does not care about the data.",
	.supported = NULL,
	.run = branch_run,
};
