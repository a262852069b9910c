#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""hostile.py — crafted result files for the interpreter-boundary tests (52-report-hostile.sh).

Usage: hostile.py SRC.json OUTDIR MARK

Writes OUTDIR/<field>.json: copies of the result SRC.json where one class of string
fields (bench, metric, unit, label keys, label values, everything else: env, skips,
warnings, topology) carries a payload that would run `touch MARK...` if it reached
gnuplot (or a shell) as code, and markup that would be live in HTML, Markdown or a
spreadsheet.  Prints one line per file: NAME.  Also writes OUTDIR/payloads.txt (one
payload per line, newlines shown as \\n) for the record.
"""
import copy
import json
import os
import sys

src, outdir, mark = sys.argv[1], sys.argv[2], sys.argv[3]


def payloads(tag):
    m = f"{mark}-{tag}"
    return [
        # ends gnuplot's inline datablock, then runs a command
        f"x\nEOD\nsystem 'touch {m}-eod'\nx",
        # the same with carriage returns
        f"x\rEOD\rsystem 'touch {m}-cr'\rx",
        # breaks out of a single-quoted gnuplot string
        f"x' . system('touch {m}-sq') . 'x",
        # breaks out of a double-quoted gnuplot string; backquotes run inside "..."
        f"x\" . system(\"touch {m}-dq\") . \"x`touch {m}-bq`",
        # a trailing backslash would escape the closing double quote
        "x\\",
        # a gnuplot macro and a DEL byte
        "@GPVAL_TERM x\x7f",
        # HTML, Markdown and spreadsheet formulas
        "<script>alert(1)</script>&amp;",
        "| a | [link](javascript:alert(1)) *b* _c_ ![i](x)",
        "=HYPERLINK(\"http://x\";\"y\")",
    ]


def add(s, tag, i):
    # Keep the original value first so views and categories still match by name.
    return s + payloads(tag)[i % len(payloads(tag))]


def bad_strings(obj, tag, counter):
    """Every string in obj gets a payload (keys of dicts too, except the schema)."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in ("schema",):
                out[k] = v
                continue
            counter[0] += 1
            out[k] = bad_strings(v, tag, counter)
        return out
    if isinstance(obj, list):
        return [bad_strings(v, tag, counter) for v in obj]
    if isinstance(obj, str):
        counter[0] += 1
        return add(obj, tag, counter[0])
    return obj


d = json.load(open(src))
os.makedirs(outdir, exist_ok=True)
written = []


def emit(name, res):
    path = os.path.join(outdir, name + ".json")
    with open(path, "w") as f:
        json.dump(res, f)
    written.append(name)


for field in ("bench", "metric", "unit"):
    e = copy.deepcopy(d)
    for i, m in enumerate(e["measurements"]):
        m[field] = add(m[field], field, i)
    for i, s in enumerate(e.get("skipped", [])):
        if field in s:
            s[field] = add(s[field], field, i)
    emit(field, e)

# Label keys and values (string values get a payload, numbers become hostile strings
# for the labels a figure uses as categories, heatmap rows and columns).
e = copy.deepcopy(d)
for i, m in enumerate(e["measurements"]):
    lab = {}
    for j, (k, v) in enumerate(m.get("labels", {}).items()):
        if isinstance(v, str):
            v = add(v, "labelval", i + j)
        elif k in ("cpu_node", "mem_node", "data", "layout"):
            v = add(str(v), "labelval", i + j)
        lab[k] = v
    lab[add("k", "labelkey", i)] = add("v", "labelval", i + 1)
    m["labels"] = lab
emit("labels", e)

# Everything but the measurements' identity: env, topology, skips, warnings, run.
e = copy.deepcopy(d)
for key in list(e.keys()):
    if key not in ("schema", "measurements"):
        e[key] = bad_strings(e[key], "other", [0])
emit("other", e)

with open(os.path.join(outdir, "payloads.txt"), "w") as f:
    for p in payloads("TAG"):
        f.write(p.replace("\n", "\\n").replace("\r", "\\r") + "\n")
for w in written:
    print(w)
