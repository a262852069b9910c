#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test-compare-ref.py — independent reference values for tests/unit/test-compare.c.
#
# scipy is not installed on the build machine, so the values are computed here from
# first principles, in plain Python: exact Mann-Whitney p-values by enumerating every
# assignment of the pooled samples to the two groups (or by the counting recursion for
# 25 v 25), the normal approximation from the textbook formula (mid-ranks, tie
# correction of the variance, continuity correction), Hodges-Lehmann from the sorted
# list of all pairwise differences, and the bootstrap CI of the ratio of medians by a
# line-by-line re-implementation of lib/stattest.c's generator and resampling.
# Run:  python3 tests/unit/test-compare-ref.py
import itertools
import math
import struct
def mw_u_y(x, y):
    # U of y: pairs with y > x plus half ties
    return sum((1.0 if b > a else 0.5 if b == a else 0.0) for a in x for b in y)
def mw_exact_p(x, y):
    allv = x + y; n2 = len(y); N = len(allv)
    u = mw_u_y(x, y)
    le = ge = tot = 0
    for idx in itertools.combinations(range(N), n2):
        s = set(idx)
        yy = [allv[i] for i in idx]; xx = [allv[i] for i in range(N) if i not in s]
        uu = mw_u_y(xx, yy)
        tot += 1
        if uu <= u: le += 1
        if uu >= u: ge += 1
    return u, min(1.0, 2*min(le, ge)/tot)
def mw_normal_p(x, y):
    n1, n2 = len(x), len(y); N = n1+n2
    allv = sorted(x+y)
    # midranks
    rank = {}
    i = 0
    ties = 0.0
    while i < N:
        j = i
        while j < N and allv[j] == allv[i]: j += 1
        rank[allv[i]] = (i+1+j)/2.0
        t = j-i; ties += t**3 - t
        i = j
    r2 = sum(rank[v] for v in y)
    u = r2 - n2*(n2+1)/2
    mu = n1*n2/2
    var = n1*n2/12*((N+1) - ties/(N*(N-1)))
    z = (abs(u-mu) - 0.5)/math.sqrt(var)
    z = max(z, 0)
    return u, math.erfc(z/math.sqrt(2))
def hl(x, y):
    d = sorted(b - a for a in x for b in y)
    n = len(d)
    return d[n//2] if n % 2 else (d[n//2-1] + d[n//2])/2

# R ?wilcox.test example (Hollander & Wolfe 1973, p. 69)
x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
y = [1.15, 0.88, 0.90, 0.74, 1.21]
print("R example: U_y, p exact", mw_exact_p(x, y), "HL(y-x)", repr(hl(x, y)))
a = [1.1, 2.3, 3.5, 4.2, 5.0]; b = [2.0, 6.1, 7.3, 8.4]
print("small", mw_exact_p(a, b), repr(hl(a, b)))
a = [5.0, 6.0, 7.0]; b = [1.0, 2.0, 3.0]
print("3v3 separated", mw_exact_p(a, b))
a = [1,2,3,4,5,6,7]; b=[8,9,10,11,12,13,14,15]
print("7v8 separated", mw_exact_p(a, b))
# ties -> normal approx
a = [1,2,2,3,3,3,4,5,5,6]; b = [3,4,4,5,5,6,6,7,8,8,9]
print("ties", mw_normal_p(a, b), repr(hl(a, b)))
# large no ties (N > 50) -> normal
a = [((i*7919) % 1000)/7.0 + i*0.001 for i in range(30)]
b = [((j*104729) % 997)/7.0 + 3.0 for j in range(31)]
print("large30v31", mw_normal_p(a, b), repr(hl(a, b)))
# HL bisection path
a = [((i*7919) % 1000)/7.0 + i*0.001 for i in range(300)]
b = [((j*104729) % 997)/7.0 + 3.0 for j in range(201)]
print("HL 300x201", repr(hl(a, b)))
# exact vs normal boundary: 25 v 25 no ties
a = [float(i) for i in range(0, 50, 2)]; b = [float(i) + 0.5 for i in range(10, 60, 2)]
# exact p via DP (enumeration infeasible): counts of U via recursion
from functools import lru_cache
import sys
sys.setrecursionlimit(10000)
@lru_cache(None)
def cnt(m, n, u):
    # number of arrangements of m x's and n y's with U_y = u, where U_y counts y>x pairs
    if u < 0: return 0
    if m == 0 or n == 0: return 1 if u == 0 else 0
    # largest element is y (contributes m to U_y) or x (contributes 0)
    return cnt(m, n-1, u-m) + cnt(m-1, n, u)
def exact_dp(x, y):
    m, n = len(x), len(y); u = int(mw_u_y(x, y))
    tot = math.comb(m+n, m)
    le = sum(cnt(m, n, k) for k in range(0, u+1)); ge = sum(cnt(m, n, k) for k in range(u, m*n+1))
    return u, min(1.0, 2*min(le, ge)/tot)
print("25v25 dp", exact_dp(a, b), "check small via dp", exact_dp([0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46],[1.15, 0.88, 0.90, 0.74, 1.21]))
print("min p 5v5", 2/math.comb(10,5), "4v4", 2/math.comb(8,4), "3v20", 2/math.comb(23,3))

# ---- bootstrap CI of the ratio of medians
M = (1 << 64) - 1
def splitmix(state):
    state = (state + 0x9e3779b97f4a7c15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return state, z ^ (z >> 31)
def hash_doubles(h, v):
    h ^= len(v)
    for d in v:
        if d == 0.0: d = 0.0
        bits = struct.unpack('<Q', struct.pack('<d', d))[0]
        h ^= bits
        _, h = splitmix(h)
    return h
def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
class Rng:
    def __init__(self, seed):
        self.s = []
        for i in range(4):
            seed, z = splitmix(seed); self.s.append(z)
    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
        return result
    def index(self, n): return (self.next() * n) >> 64
def q7(v, p):
    n = len(v)
    if not p > 0: return v[0]
    if p >= 1: return v[-1]
    h = (n - 1) * p; lo = int(h)
    if lo >= n - 1: return v[-1]
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo])
def boot_median(s, rng):
    n = len(s); counts = [0] * n
    for _ in range(n): counts[rng.index(n)] += 1
    k1, k2 = (n - 1) // 2, n // 2
    cum = 0; i = 0
    while cum + counts[i] <= k1: cum += counts[i]; i += 1
    v1 = s[i]
    while cum + counts[i] <= k2: cum += counts[i]; i += 1
    v2 = s[i]
    return v1 + 0.5 * (v2 - v1)
def ratio(mb, mc, hib):
    if not (mb > 0 and mc > 0): return float('inf')
    return mb / mc if hib else mc / mb
def ci(base, cur, hib, level=0.95, reps=2000):
    sb, sc = sorted(base), sorted(cur)
    r0 = ratio(q7(sb, .5), q7(sc, .5), hib)
    rng = Rng(hash_doubles(hash_doubles(0x6c6f637573, sb), sc) ^ (1 if hib else 0))
    rs = []
    for _ in range(reps):
        mb = boot_median(sb, rng); mc = boot_median(sc, rng)
        rs.append(ratio(mb, mc, hib))
    rs.sort()
    tail = (1 - level) / 2
    lo, hi = q7(rs, tail), q7(rs, 1 - tail)
    return min(lo, r0), max(hi, r0), r0
base = [10.0, 10.4, 9.8, 10.1, 10.3, 9.9, 10.2]
cur = [11.0, 11.5, 10.9, 11.2, 11.1, 11.4]
print(repr(ci(base, cur, False)))
print(repr(ci(base, cur, True)))
print(repr(ci(base, cur, False, 0.9, 500)))
