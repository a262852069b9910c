/* SPDX-License-Identifier: MIT */
/*
 * chase.c — dependent-load chains and staircase detection for the latency and tlb
 * benches (see chase.h for the contract).
 *
 * The chains are built in place inside the caller's buffer, without an index array the
 * size of the buffer: each element's second word holds, during construction, the index
 * of the element visited at that slot's position, so a multi-GiB chain needs no extra
 * memory beyond one word per locality group.  The chase loop is generated once per
 * chain count, fully unrolled, so the timed loop holds every chain's pointer in a
 * register and does nothing but dependent loads.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "chase.h"
#include "timer.h"
#include "stats.h"

/* ---- randomness ---------------------------------------------------------------- */

static inline uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* xoshiro256**: fast, and good enough that shuffles show no structure. */
struct rng {
	uint64_t s[4];
};

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = seed = mix64(seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n): Lemire's multiply-shift; the bias (n / 2^64) is far below any
 * effect a chain could show. */
static inline size_t rng_below(struct rng *r, size_t n)
{
	return (size_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* ---- layout -------------------------------------------------------------------- */

size_t chase_bytes(const struct chase_layout *l)
{
	return l->nelem * l->stride;
}

static inline char *elem_at(const struct chase *c, size_t k)
{
	size_t per = c->l.stride / c->l.line, off = 0;

	if (per > 1)
		off = (size_t)(mix64(k ^ c->l.seed) % per) * c->l.line;
	return c->base + k * c->l.stride + off;
}

void *chase_elem(const struct chase *c, size_t k)
{
	return elem_at(c, k);
}

#define NEXT(e) (*(void **)(e))
#define SCRATCH(e) (*(uint64_t *)((e) + sizeof(void *)))

int chase_build(struct chase *c, void *buf, const struct chase_layout *l)
{
	size_t n = l->nelem, G, ng, *gnext, pos = 0, chain_begin;
	unsigned k = 0;
	struct rng r;
	char *prev = NULL;

	memset(c, 0, sizeof(*c));
	if (!buf || l->line < 2 * sizeof(void *) || (l->line & (l->line - 1)) ||
	    l->stride < l->line || l->stride % l->line || l->chains < 1 ||
	    l->chains > CHASE_MAX_CHAINS || n < l->chains || (uintptr_t)buf % l->line ||
	    n > SIZE_MAX / l->stride)
		return -EINVAL;
	c->l = *l;
	c->base = buf;
	G = l->group == 0 || l->group > n ? n : l->group;
	ng = (n + G - 1) / G;
	c->ngroups = ng;
	gnext = malloc(ng * sizeof(*gnext));
	if (!gnext)
		return -ENOMEM;
	rng_seed(&r, l->seed ^ 0x6c6f637573ull);

	/* Every slot's scratch word starts as its own index... */
	for (size_t s = 0; s < n; s++)
		SCRATCH(elem_at(c, s)) = s;
	/* ...and is shuffled inside its group: slot s now names the element visited at
	 * position s of the group's walk. */
	for (size_t g = 0; g < ng; g++) {
		size_t lo = g * G, m = n - lo < G ? n - lo : G;
		for (size_t i = m - 1; i > 0; i--) {
			size_t j = rng_below(&r, i + 1);
			uint64_t *a = &SCRATCH(elem_at(c, lo + i)), *b = &SCRATCH(elem_at(c, lo + j));
			uint64_t t = *a;
			*a = *b;
			*b = t;
		}
	}
	/* Sattolo: gnext is one cycle through all groups, so starting at group 0 and
	 * following it visits every group exactly once. */
	for (size_t g = 0; g < ng; g++)
		gnext[g] = g;
	for (size_t i = ng - 1; i > 0; i--) {
		size_t j = rng_below(&r, i), t = gnext[i];
		gnext[i] = gnext[j];
		gnext[j] = t;
	}
	/* Link consecutive elements of the visiting order; cut it into `chains` equal
	 * parts, each closed into a cycle; note checkpoints along each part. */
	for (unsigned i = 0; i < l->chains; i++) {
		c->len[i] = n / l->chains + (i < n % l->chains);
		c->nckpt[i] = c->len[i] < CHASE_CKPTS ? (unsigned)c->len[i] : CHASE_CKPTS;
		for (unsigned j = 0; j < c->nckpt[i]; j++)
			c->ckpt_pos[i][j] = (size_t)((unsigned __int128)c->len[i] * j / c->nckpt[i]);
	}
	chain_begin = 0;
	for (size_t gi = 0, g = 0, ck = 0; gi < ng; gi++, g = gnext[g]) {
		size_t lo = g * G, m = n - lo < G ? n - lo : G;
		for (size_t s = lo; s < lo + m; s++) {
			char *e = elem_at(c, (size_t)SCRATCH(elem_at(c, s)));
			if (prev)
				NEXT(prev) = e;
			else
				c->start[k] = e;
			if (ck < c->nckpt[k] && pos - chain_begin == c->ckpt_pos[k][ck])
				c->ckpt[k][ck++] = e;
			prev = e;
			if (++pos == chain_begin + c->len[k]) {
				NEXT(prev) = c->start[k];
				prev = NULL;
				chain_begin = pos;
				ck = 0;
				k++;
			}
		}
	}
	free(gnext);
	for (unsigned i = 0; i < l->chains; i++)
		c->cur[i] = c->start[i];
	return 0;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return (x > y) - (x < y);
}

static bool is_ckpt(const uintptr_t *sorted, size_t n, uintptr_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sorted[mid] == a)
			return true;
		if (sorted[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

#define NSEG (CHASE_MAX_CHAINS * CHASE_CKPTS)

int chase_verify(struct chase *c, uint64_t *steps)
{
	uintptr_t lo = (uintptr_t)c->base, hi = lo + chase_bytes(&c->l), all[NSEG];
	char *cur[NSEG], *target[NSEG];
	size_t left[NSEG], nall = 0, nseg = 0, active;
	uint64_t total = 0;
	int ret = 0;

	if (steps)
		*steps = 0;
	for (unsigned k = 0; k < c->l.chains; k++) {
		unsigned m = c->nckpt[k];
		if (!m || c->ckpt[k][0] != c->start[k])
			return -EPROTO;
		for (unsigned j = 0; j < m; j++) {
			uintptr_t a = (uintptr_t)c->ckpt[k][j];
			size_t end = j + 1 < m ? c->ckpt_pos[k][j + 1] : c->len[k];
			if (a < lo || a >= hi || c->ckpt[k][j] != elem_at(c, (a - lo) / c->l.stride) ||
			    end <= c->ckpt_pos[k][j])
				return -EPROTO;
			all[nall++] = a;
			cur[nseg] = c->ckpt[k][j];
			target[nseg] = c->ckpt[k][(j + 1) % m];
			left[nseg++] = end - c->ckpt_pos[k][j];
		}
	}
	qsort(all, nall, sizeof(*all), cmp_ptr);
	for (size_t i = 1; i < nall; i++)
		if (all[i] == all[i - 1])
			return -EPROTO;

	/* Round-robin over the live segments: their loads are independent, so the core
	 * overlaps them.  Finished segments are swapped out of the live range. */
	active = nseg;
	while (active && ret == 0) {
		for (size_t s = 0; s < active;) {
			char *p = NEXT(cur[s]);
			uintptr_t a = (uintptr_t)p;
			total++;
			if (a < lo || a >= hi || p != elem_at(c, (a - lo) / c->l.stride)) {
				ret = -EPROTO;
				break;
			}
			if (--left[s] == 0) {
				if (p != target[s]) {
					ret = -EPROTO;
					break;
				}
				active--;
				cur[s] = cur[active];
				target[s] = target[active];
				left[s] = left[active];
				continue;
			}
			if (is_ckpt(all, nall, a)) {
				ret = -EPROTO;
				break;
			}
			cur[s++] = p;
		}
	}
	if (steps)
		*steps = total;
	for (unsigned k = 0; k < c->l.chains; k++)
		c->cur[k] = c->start[k];
	return ret;
}

/* ---- the timed loop ------------------------------------------------------------ */

/*
 * One function per chain count, written out by macros: chain j's pointer is a plain
 * local p<j>, so it lives in a register, and the loop body is CHASE_UNROLL rounds of
 * one load per chain, each depending only on the previous load of its own chain.
 * (Unroll pragmas are hints that gcc and clang each honour differently; the timed loop
 * must not depend on them.)
 */
#define CH_1(X) X(0)
#define CH_2(X) CH_1(X) X(1)
#define CH_3(X) CH_2(X) X(2)
#define CH_4(X) CH_3(X) X(3)
#define CH_5(X) CH_4(X) X(4)
#define CH_6(X) CH_5(X) X(5)
#define CH_7(X) CH_6(X) X(6)
#define CH_8(X) CH_7(X) X(7)
#define CH_9(X) CH_8(X) X(8)
#define CH_10(X) CH_9(X) X(9)
#define CH_11(X) CH_10(X) X(10)
#define CH_12(X) CH_11(X) X(11)
#define CH_LOAD(j) void *p##j = cur[j];
#define CH_STEP(j) p##j = *(void *const *)p##j;
#define CH_STORE(j) cur[j] = p##j;
#define R4(x) x x x x
#define R16(x) R4(R4(x))

#define CHASE_FN(K)								\
	static __attribute__((noinline)) void chase_##K(void **cur, uint64_t iters) \
	{									\
		CH_##K(CH_LOAD)							\
		while (iters--) {						\
			R16(CH_##K(CH_STEP))					\
		}								\
		CH_##K(CH_STORE)						\
	}
CHASE_FN(1) CHASE_FN(2) CHASE_FN(3) CHASE_FN(4) CHASE_FN(5) CHASE_FN(6) CHASE_FN(7)
CHASE_FN(8) CHASE_FN(9) CHASE_FN(10) CHASE_FN(11) CHASE_FN(12)

static void (*const chase_fns[CHASE_MAX_CHAINS + 1])(void **, uint64_t) = {
	NULL, chase_1, chase_2, chase_3, chase_4, chase_5, chase_6, chase_7, chase_8,
	chase_9, chase_10, chase_11, chase_12,
};

uint64_t chase_run(struct chase *c, uint64_t iters)
{
	chase_fns[c->l.chains](c->cur, iters);
	return iters * CHASE_UNROLL * c->l.chains;
}

/* Context switches of the calling thread so far (voluntary and involuntary). */
static long thread_switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) < 0)
		return -1;
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

int chase_sample(void *arg, double *sample)
{
	struct chase_sampler *s = arg;
	uint64_t t0, t1, loads;

	for (unsigned t = 0;; t++) {
		long sw = thread_switches();
		t0 = timer_now();
		loads = chase_run(s->ch, s->iters);
		t1 = timer_now();
		if (sw < 0 || thread_switches() == sw)
			break;
		if (t >= s->max_retries) {
			s->kept_switched++;
			break;
		}
		s->retried++;
	}
	*sample = timer_ticks_to_ns(t1 - t0) / (double)loads;
	return 0;
}

void chase_calibrate(struct chase_sampler *s, double sample_ns)
{
	uint64_t iters = 1;
	double ns = 0;

	/* Grow the trial until it lasts a millisecond (or a tenth of a sample), so the
	 * rate is not the timer's overhead. */
	for (int i = 0; i < 40; i++) {
		uint64_t t0 = timer_now();
		chase_run(s->ch, iters);
		ns = timer_ticks_to_ns(timer_now() - t0);
		if (ns >= 1e6 || ns >= sample_ns / 10)
			break;
		iters *= 4;
	}
	if (ns > 0)
		iters = (uint64_t)ceil(sample_ns / (ns / (double)iters));
	s->iters = iters ? iters : 1;
	s->loads = s->iters * CHASE_UNROLL * s->ch->l.chains;
}

/* ---- the core clock ------------------------------------------------------------ */

#if defined(__x86_64__)
/*
 * 16 dependent register-register adds per iteration: 16 core cycles on every x86 core
 * of the last two decades (integer add latency 1); the counter's dec/jnz run alongside.
 * Not "add $1, reg": recent Intel cores (Golden Cove and later) fold small immediate
 * adds in the renamer and run such a chain several times faster than one per cycle.
 */
static void add_chain(uint64_t iters)
{
	uint64_t x = 0, one = 1;

	__asm__ __volatile__(
		"1:\n\t"
		"addq %2, %0\n\taddq %2, %0\n\taddq %2, %0\n\taddq %2, %0\n\t"
		"addq %2, %0\n\taddq %2, %0\n\taddq %2, %0\n\taddq %2, %0\n\t"
		"addq %2, %0\n\taddq %2, %0\n\taddq %2, %0\n\taddq %2, %0\n\t"
		"addq %2, %0\n\taddq %2, %0\n\taddq %2, %0\n\taddq %2, %0\n\t"
		"decq %1\n\t"
		"jnz 1b\n\t"
		: "+r"(x), "+r"(iters) : "r"(one) : "cc");
}

double chase_core_clock_hz(void)
{
	const uint64_t iters = 1u << 18;   /* 4M cycles: ~1-2 ms */
	double best = 0;

	add_chain(iters);                  /* wake the core up */
	for (int i = 0; i < 9; i++) {
		uint64_t t0 = timer_now();
		add_chain(iters);
		double ns = timer_ticks_to_ns(timer_now() - t0);
		if (ns > 0 && (best == 0 || ns < best))
			best = ns;
	}
	return best > 0 ? 16.0 * (double)iters / best * 1e9 : 0;
}
#else
double chase_core_clock_hz(void)
{
	return 0;
}
#endif

/* ---- staircase ----------------------------------------------------------------- */

static double plateau_median(const double *y, size_t first, size_t last)
{
	size_t n = last - first + 1;

	if (n > 256) {   /* a plateau that long: the middle 256 points say enough */
		first += (n - 256) / 2;
		n = 256;
	}
	return stats_median(y + first, n);
}

int chase_staircase(const double *x, const double *y, size_t n, double steep, double min_rise,
		    struct chase_stairs *out)
{
	size_t ra[CHASE_MAX_KNEES * 4], rb[CHASE_MAX_KNEES * 4], nr = 0, nk = 0;
	size_t ka[CHASE_MAX_KNEES], kb[CHASE_MAX_KNEES];
	double lsteep = log(steep);

	memset(out, 0, sizeof(*out));
	if (n < 2 || !(steep > 1) || !(min_rise > 1))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0) || !(y[i] > 0) || !isfinite(y[i]) || (i && !(x[i] > x[i - 1])))
			return -EINVAL;

	/* Runs of steep intervals: [ra, rb] are the points at their foot and top. */
	for (size_t i = 0; i + 1 < n; i++) {
		double oct = log2(x[i + 1] / x[i]);
		bool st = log(y[i + 1] / y[i]) / oct > lsteep && y[i + 1] > 1.03 * y[i];
		if (!st)
			continue;
		if (nr && rb[nr - 1] == i) {
			rb[nr - 1] = i + 1;
		} else if (nr && rb[nr - 1] + 1 == i && y[i] > y[rb[nr - 1]]) {
			rb[nr - 1] = i + 1;    /* one gentler but still rising interval between */
		} else if (nr < sizeof(ra) / sizeof(ra[0])) {
			ra[nr] = i;
			rb[nr++] = i + 1;
		}
	}
	for (size_t r = 0; r < nr && nk < CHASE_MAX_KNEES; r++) {
		if (y[rb[r]] / y[ra[r]] < min_rise)
			continue;
		ka[nk] = ra[r];
		kb[nk++] = rb[r];
	}

	/* A step must hold: the plateau after it must sit min_rise above the plateau
	 * before it, medians against medians.  A spike (one disturbed point, a bump that
	 * comes back down) fails this; the weakest such step is dropped and its plateaus
	 * merged, until every remaining step holds. */
	for (;;) {
		size_t weakest = 0;
		double wr = 0;
		for (size_t p = 0; p <= nk; p++) {
			out->first[p] = p == 0 ? 0 : kb[p - 1];
			out->last[p] = p == nk ? n - 1 : ka[p];
			out->level[p] = plateau_median(y, out->first[p], out->last[p]);
		}
		for (size_t k = 0; k < nk; k++) {
			double r = out->level[k + 1] / out->level[k];
			if (k == 0 || r < wr) {
				wr = r;
				weakest = k;
			}
		}
		if (!nk || wr >= min_rise)
			break;
		memmove(ka + weakest, ka + weakest + 1, (nk - weakest - 1) * sizeof(*ka));
		memmove(kb + weakest, kb + weakest + 1, (nk - weakest - 1) * sizeof(*kb));
		nk--;
	}
	out->nknees = nk;
	out->nplateaus = nk + 1;
	for (size_t k = 0; k < nk; k++) {
		struct chase_knee *kn = &out->knee[k];
		double lo = out->level[k], hi = out->level[k + 1];
		double t = lo + 0.1 * (hi - lo);
		size_t i = kb[k];

		kn->below = lo;
		kn->above = hi;
		kn->last_below = x[ka[k]];
		kn->first_above = x[kb[k]];
		/* The earliest point of the final stretch at or above t, looking back no
		 * further than the plateau below. */
		while (i > out->first[k] && y[i - 1] >= t)
			i--;
		if (hi <= lo || i == out->first[k] || y[i] < t) {
			kn->size = x[ka[k]];
		} else {
			double f = (t - y[i - 1]) / (y[i] - y[i - 1]);
			double l0 = log2(x[i - 1]), l1 = log2(x[i]);
			kn->size = exp2(l0 + f * (l1 - l0));
		}
	}
	return 0;
}
