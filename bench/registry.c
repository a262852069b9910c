/* SPDX-License-Identifier: MIT */
/*
 * registry.c — the table of benchmarks, generated from benches.def.
 *
 * benches.def is expanded twice: once to declare each bench's descriptor, once to
 * build the NULL-terminated table that `locus bench list/all` walks.
 */
#include "config.h"
#include <string.h>
#include "bench.h"

#define BENCH(name) extern const struct bench_info bench_##name##_info;
#include "benches.def"
#undef BENCH

const struct bench_info *const bench_registry[] = {
#define BENCH(name) &bench_##name##_info,
#include "benches.def"
#undef BENCH
	NULL
};

const struct bench_info *bench_find(const char *name)
{
	for (const struct bench_info *const *b = bench_registry; *b; b++)
		if (strcmp((*b)->name, name) == 0)
			return *b;
	return NULL;
}

static const char *const fig_kind_names[] = {
	[BFIG_LINES] = "lines", [BFIG_BARS] = "bars", [BFIG_MATRIX] = "matrix",
	[BFIG_CURVE] = "curve",
};

/* Set key to the string s when s is given. */
static void put_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

json_t *bench_describe(const struct bench_info *b)
{
	json_t *d = json_object(), *ms = json_array(), *fs = json_array();

	if (!d || !ms || !fs) {
		json_decref(d);
		json_decref(ms);
		json_decref(fs);
		return NULL;
	}
	put_str(d, "summary", b->summary);
	put_str(d, "description", b->description);
	put_str(d, "explain", b->explain);
	put_str(d, "headline", b->headline ? b->headline
					   : b->metrics && b->metrics[0].name ? b->metrics[0].name
									   : NULL);
	for (const struct bench_metric *m = b->metrics; m && m->name; m++)
		json_array_append_new(ms, json_pack("{s:s, s:s, s:b}", "name", m->name,
						    "unit", m->unit, "higher_is_better",
						    m->higher_is_better));
	json_object_set_new(d, "metrics", ms);
	for (const struct bench_figure *f = b->figures; f && f->kind != BFIG_END; f++) {
		json_t *o = json_object();

		if (!o)
			continue;
		put_str(o, "kind", fig_kind_names[f->kind]);
		put_str(o, "metric", f->metric);
		put_str(o, "x", f->x);
		put_str(o, "rows", f->rows);
		put_str(o, "series", f->series);
		put_str(o, "panel", f->panel);
		put_str(o, "filter", f->filter);
		if (f->logy)
			json_object_set_new(o, "logy", json_true());
		if (f->cache_markers)
			json_object_set_new(o, "cache_markers", json_true());
		put_str(o, "knee_metric", f->knee_metric);
		put_str(o, "knee_label", f->knee_label);
		put_str(o, "bar_note", f->bar_note);
		put_str(o, "title", f->title);
		put_str(o, "xlabel", f->xlabel);
		put_str(o, "ylabel", f->ylabel);
		put_str(o, "caption", f->caption);
		json_array_append_new(fs, o);
	}
	json_object_set_new(d, "figures", fs);
	return d;
}
