/* SPDX-License-Identifier: MIT */
/*
 * rng.h — the one pseudo-random generator of locus: xoshiro256** seeded by splitmix64
 * (Blackman & Vigna).  Fast, small state, and deterministic: the bootstrap of the
 * statistics and of the comparison seed it from the data, so the same samples always
 * give the same intervals.  Each user keeps its own state, so nothing else a command
 * does can change the sequence another part sees.
 */
#ifndef LOCUS_RNG_H
#define LOCUS_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* splitmix64: turns one 64-bit seed into well-mixed state words. */
static inline uint64_t rng_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t rng_rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl64(s[3], 45);
	return result;
}

/* Uniform index in [0, n) by Lemire's multiply-shift on all 64 bits (bias below
 * n / 2^64).  stats.c keeps its own 32-bit variant so that recorded CIs do not move. */
static inline size_t rng_index(struct rng *r, size_t n)
{
	return (size_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix64(&seed);
}

#endif
