#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# scripts/gate-calibration-injected.py — part 4 of scripts/gate-calibration (--injected M):
# per timing measurement, from real runs, what the gate's comparison calls.
#
#   gate-calibration-injected.py LOCUS OUT GROUP... [--keep K] [--trials N] [--seed S]
#                                [--runs R] [-- COMPARE-OPTIONS...]
#
# OUT holds, per GROUP (e.g. "on", "off"), plain-I.json and inj-I.json (I = 1..M): M runs
# of the suite as it is and M with a real slowdown injected into every timed region
# (LOCUS_INJECT_SLOWDOWN: the code got slower, the host did not), interleaved.  A trial
# is what the gate does with rounds of one run: K plain runs as the baseline set, one
# more run as the current run and one more as its confirmation, both from the plain runs
# (A/A) or both from the injected runs; a measurement is flagged when `locus compare`
# calls it regressed in both.  --runs R makes the current and the confirmation rounds R
# runs each (`locus gate --runs R`: compared with --current-run, the run level testing
# the median of their medians), so a trial needs K + 2R distinct runs.  Trials draw the runs at random (seeded: deterministic).
# Printed per group: suite A/A false-alarm rate, suite detection rate, and per timing
# measurement (those with a "sentinel": timed by the framework) the A/A rate, the share
# of injected trials that caught it, and its median detectable change; then how many
# timing measurements meet the bar (caught >= 95% with A/A <= 1%; detectable <= 10%).
import json, os, random, statistics as st, subprocess, sys

args = sys.argv[1:]
cmp_opts = []
if '--' in args:
    i = args.index('--')
    args, cmp_opts = args[:i], args[i + 1:]
keep, trials, seed, R = 5, 60, 1, 1
pos = []
while args:
    a = args.pop(0)
    if a == '--keep': keep = int(args.pop(0))
    elif a == '--trials': trials = int(args.pop(0))
    elif a == '--seed': seed = int(args.pop(0))
    elif a == '--runs': R = int(args.pop(0))
    else: pos.append(a)
locus, out, groups = pos[0], pos[1], pos[2:]

def key(m):
    return m['bench'] + '/' + m['metric'] + '{' + ','.join(
        '%s=%s' % (k, m['labels'][k]) for k in sorted(m['labels'])) + '}'

import tempfile
def compare(base, cur):
    """base: the baseline runs; cur: one run, or a list of runs (a round)."""
    cmd = [locus, '--quiet', 'compare', '--json', '--allow-option-mismatch'] + cmp_opts
    if isinstance(cur, list):
        # a round: the baseline set as a directory, the round's runs as --current-run
        d = tempfile.mkdtemp(prefix='calib-base-')
        for i, b in enumerate(base):
            os.symlink(os.path.abspath(b), os.path.join(d, 'run-%03d.json' % i))
        cmd.append(d)
        for c in cur:
            cmd += ['--current-run', c]
    else:
        for b in base:
            cmd += ['--baseline-run', b]
        cmd.append(cur)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if isinstance(cur, list):
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)
    if p.returncode not in (0, 6):
        sys.exit('compare failed (%d): %s' % (p.returncode, p.stderr.strip()[:300]))
    d = json.loads(p.stdout)
    return {c['key'] if 'key' in c else c['measurement']: c for c in d['comparisons']}

for g in groups:
    plain = sorted(f for f in os.listdir(out) if f.startswith(g + '-plain-'))
    inj = sorted(f for f in os.listdir(out) if f.startswith(g + '-inj-'))
    plain = [os.path.join(out, f) for f in plain]
    inj = [os.path.join(out, f) for f in inj]
    if len(plain) < keep + 2 * R or len(inj) < 2 * R:
        print('group %s: %d plain and %d injected runs; need %d plain (--keep %d + 2 x --runs %d) and %d injected'
              % (g, len(plain), len(inj), keep + 2 * R, keep, R, 2 * R))
        continue
    first = json.load(open(plain[0]))
    timing = {key(m) for m in first['measurements'] if 'sentinel' in m
              and m['unit'] not in ('faults', 'faults/GiB', 'bytes')}
    if not timing:
        # --no-sentinel runs: the timing measurements are those another group's runs
        # (with the sentinel) mark as timed
        for other in sorted(os.listdir(out)):
            if other.endswith('.json') and '-plain-' in other and not other.startswith(g + '-'):
                o = json.load(open(os.path.join(out, other)))
                timing = {key(m) for m in o['measurements'] if 'sentinel' in m
                          and m['unit'] not in ('faults', 'faults/GiB', 'bytes')}
                if timing:
                    break
    rnd = random.Random(seed)
    per = {}   # key -> {'aa': [flags], 'inj': [flags], 'det': [detectables]}
    suite = {'aa': [], 'inj': []}
    for kind in ('aa', 'inj'):
        for t in range(trials):
            if kind == 'aa':
                pick = rnd.sample(plain, keep + 2 * R)
                base, cur, conf = pick[:keep], pick[keep:keep + R], pick[keep + R:]
            else:
                base = rnd.sample(plain, keep)
                pick = rnd.sample(inj, 2 * R)
                cur, conf = pick[:R], pick[R:]
            if R == 1:
                cur, conf = cur[0], conf[0]
            c1, c2 = compare(base, cur), compare(base, conf)
            any_flag = False
            for k, c in c1.items():
                flag = c['verdict'] == 'regressed' and c2.get(k, {}).get('verdict') == 'regressed'
                e = per.setdefault(k, {'aa': [], 'inj': [], 'det': []})
                e[kind].append(flag)
                if kind == 'aa' and c.get('detectable') is not None:
                    e['det'].append(c['detectable'])
                elif kind == 'aa':
                    e['det'].append(float('inf'))
                any_flag |= flag and (kind == 'aa' or k in timing)
            suite[kind].append(any_flag)
    def rate(v): return sum(v) / len(v) if v else float('nan')
    print('group %s: %d plain + %d injected runs, baseline %d runs, rounds of %d run%s + a confirmation round, %d trials each'
          % (g, len(plain), len(inj), keep, R, '' if R == 1 else 's', trials))
    print('  suite: A/A false alarms %.1f%% of trials; injected slowdown caught (a timing measurement confirmed) in %.1f%%'
          % (100 * rate(suite['aa']), 100 * rate(suite['inj'])))
    rows = []
    for k in sorted(per):
        if k not in timing:
            continue
        e = per[k]
        det = st.median(e['det']) if e['det'] else float('inf')
        rows.append((k, rate(e['aa']), rate(e['inj']), det))
    see = [r for r in rows if r[2] >= 0.95 and r[1] <= 0.01]
    det10 = [r for r in rows if r[3] <= 0.10 + 1e-9]
    print('  timing measurements: %d; caught >= 95%% with A/A <= 1%%: %d (%.0f%%); detectable <= 10%%: %d (%.0f%%)'
          % (len(rows), len(see), 100 * len(see) / max(len(rows), 1), len(det10), 100 * len(det10) / max(len(rows), 1)))
    print('  per-measurement A/A: median %.1f%%, worst %.1f%%; caught: median %.0f%%; detectable: median %s'
          % (100 * st.median(r[1] for r in rows), 100 * max(r[1] for r in rows),
             100 * st.median(r[2] for r in rows),
             ('%.0f%%' % (100 * st.median(r[3] for r in rows))) if rows else '-'))
    by = {}
    for r in rows:
        by.setdefault(r[0].split('/')[0], []).append(r)
    print('  %-15s %4s %8s %8s %11s %10s' % ('bench', 'n', 'A/A', 'caught', 'detectable', 'can see 10%'))
    for b in sorted(by):
        rs = by[b]
        print('  %-15s %4d %7.1f%% %7.0f%% %10s %6d/%-3d' % (
            b, len(rs), 100 * st.mean(r[1] for r in rs), 100 * st.median(r[2] for r in rs),
            ('%.0f%%' % (100 * st.median(r[3] for r in rs))) if st.median(r[3] for r in rs) != float('inf') else 'blind',
            sum(1 for r in rs if r[2] >= 0.95 and r[1] <= 0.01), len(rs)))
    with open(os.path.join(out, 'per-measurement-%s.json' % g), 'w') as f:
        json.dump([{'key': r[0], 'aa': r[1], 'caught': r[2], 'detectable': r[3] if r[3] != float('inf') else None}
                   for r in rows], f, indent=1)
