#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# make-fleet.py — generates a fleet of locus results (one per "host") from one real
# result file, for the fleet-analysis tests (tests/cli/52-fleet.sh) and the Slurm and
# Ansible tests' expectations.
#
#   make-fleet.py SRC.json OUTDIR N [--slow HOST:BENCH:FACTOR]... [--env HOST:KEY=VALUE]...
#                 [--spread S] [--drop HOST:BENCH]
#
# Host i (1..N) is named node01..nodeNN (env.host).  Every measurement's samples and
# summary are scaled per host by a factor drawn from a normal distribution of 2% spread
# (random.Random with a fixed seed: deterministic, reviewable), which is what identical
# machines look like.  --slow scales one host's samples of every measurement of BENCH by
# FACTOR in the bad direction's sense as given (0.8 on a higher-is-better metric is 20%
# worse); --env sets a dotted env key on one host (string values; ints when numeric);
# --spread sets the per-host spread (default 0.02; 0 = identical hosts); --drop removes
# one host's measurements of BENCH.
import json, os, random, sys

def main():
    args = sys.argv[1:]
    if len(args) < 3:
        sys.exit(__doc__ or "usage: make-fleet.py SRC OUTDIR N [--slow H:B:F] [--env H:K=V]")
    src, outdir, n = args[0], args[1], int(args[2])
    slow, envs, drops, spread = [], [], [], 0.02
    rest = args[3:]
    while rest:
        opt, val = rest[0], rest[1]
        rest = rest[2:]
        if opt == "--slow":
            h, b, f = val.split(":")
            slow.append((int(h), b, float(f)))
        elif opt == "--env":
            h, kv = val.split(":", 1)
            k, v = kv.split("=", 1)
            envs.append((int(h), k, int(v) if v.lstrip("-").isdigit() else v))
        elif opt == "--spread":
            spread = float(val)
        elif opt == "--drop":
            h, b = val.split(":")
            drops.append((int(h), b))
        else:
            sys.exit("make-fleet.py: unknown option " + opt)
    base = json.load(open(src))
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(20261202)
    for h in range(1, n + 1):
        d = json.loads(json.dumps(base))
        d["env"]["host"] = "node%02d" % h
        for m in d["measurements"]:
            f = rng.gauss(1.0, spread) if spread > 0 else 1.0
            for hh, b, ff in slow:
                if hh == h and m["bench"] == b:
                    f *= ff
            m["samples"] = [s * f for s in m["samples"]]
            for k, v in list(m.get("summary", {}).items()):
                if k not in ("n",) and isinstance(v, (int, float)) and not isinstance(v, bool):
                    m["summary"][k] = v * f if k != "stddev" and k != "mad" else v * abs(f)
        d["measurements"] = [m for m in d["measurements"]
                             if (h, m["bench"]) not in drops]
        for hh, k, v in envs:
            if hh == h:
                cur = d["env"]
                parts = k.split(".")
                for p in parts[:-1]:
                    cur = cur.setdefault(p, {})
                cur[parts[-1]] = v
        with open(os.path.join(outdir, "node%02d.json" % h), "w") as o:
            json.dump(d, o, indent=1)

if __name__ == "__main__":
    main()
