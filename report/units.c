/* SPDX-License-Identifier: MIT */
/*
 * units.c — numbers and labels as a person reads them.
 *
 * Every writer (terminal tables, HTML, Markdown, figures, the capacity summary) shows a
 * value through these few functions, so a number reads the same everywhere: scaled once
 * to a unit that fits (2528000000 bytes -> "2.35 GiB", 25470000 ns -> "25.47 ms",
 * 4.5e8 ops/s -> "450 M ops/s"), a prefix never stacked on a unit that has one ("kns"),
 * and labels in words ("footprint 256 MiB", not "footprint_bytes=268435456").
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

struct step {
	double div;
	const char *unit;
};

/* Units with their own larger forms; the first entry is the unit as recorded. */
static const struct step ns_steps[] = {
	{ 1, "ns" }, { 1e3, "µs" }, { 1e6, "ms" }, { 1e9, "s" }, { 0, NULL } };
static const struct step us_steps[] = {
	{ 1, "µs" }, { 1e3, "ms" }, { 1e6, "s" }, { 0, NULL } };
static const struct step ms_steps[] = { { 1, "ms" }, { 1e3, "s" }, { 0, NULL } };
static const struct step byte_steps[] = {
	{ 1, "B" }, { 1024.0, "KiB" }, { 1048576.0, "MiB" }, { 1073741824.0, "GiB" },
	{ 1099511627776.0, "TiB" }, { 1125899906842624.0, "PiB" }, { 0, NULL } };
static const struct step gbs_steps[] = { { 1e-3, "MB/s" }, { 1, "GB/s" }, { 0, NULL } };

static const struct step *steps_of(const char *unit)
{
	if (!strcmp(unit, "ns"))
		return ns_steps;
	if (!strcmp(unit, "us") || !strcmp(unit, "µs"))
		return us_steps;
	if (!strcmp(unit, "ms"))
		return ms_steps;
	if (!strcmp(unit, "bytes") || !strcmp(unit, "B"))
		return byte_steps;
	if (!strcmp(unit, "GB/s"))
		return gbs_steps;
	return NULL;
}

/* A unit that already carries a prefix or is a ratio takes none. */
static bool takes_prefix(const char *unit)
{
	static const char *const no[] = { "ratio", "%", "x", "", NULL };

	for (size_t i = 0; no[i]; i++)
		if (!strcmp(unit, no[i]))
			return false;
	return true;
}

const char *report_scale_unit(const char *unit, double max, double *div, char *buf,
			      size_t len)
{
	const struct step *s = steps_of(unit ? unit : "");

	*div = 1;
	max = fabs(max);
	if (!unit)
		unit = "";
	if (s) {
		size_t k = 0;

		/* GB/s below 1 reads better as MB/s; elsewhere start at the recorded unit. */
		if (s == gbs_steps)
			k = isfinite(max) && max > 0 && max < 1 ? 0 : 1;
		else
			while (s[k + 1].unit && isfinite(max) && max >= s[k + 1].div * 0.9995)
				k++;
		*div = s[k].div;
		snprintf(buf, len, "%s", s[k].unit);
		return buf;
	}
	if (takes_prefix(unit) && isfinite(max)) {
		static const struct step pfx[] = {
			{ 1e12, "T" }, { 1e9, "G" }, { 1e6, "M" }, { 1e4, "k" }, { 0, NULL } };

		for (size_t k = 0; pfx[k].unit; k++)
			if (max >= pfx[k].div) {
				*div = pfx[k].div == 1e4 ? 1e3 : pfx[k].div;
				snprintf(buf, len, "%s %s", pfx[k].unit, unit);
				return buf;
			}
	}
	snprintf(buf, len, "%s", unit);
	return buf;
}

char *report_fmt(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (a == 0)
		snprintf(buf, len, "0");
	else if (a >= 1e6)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 100)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.2f", v);
	else if (a >= 0.01)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "%.3g", v);
	/* "12.50" -> "12.5", "3.000" -> "3": trailing zeros say nothing. */
	if (strchr(buf, '.') && !strchr(buf, 'e')) {
		char *e = buf + strlen(buf) - 1;

		while (*e == '0')
			*e-- = '\0';
		if (*e == '.')
			*e = '\0';
	}
	return buf;
}

char *report_value(double v, const char *unit, char *buf, size_t len)
{
	char u[32], n[48];
	double div;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	report_scale_unit(unit, v, &div, u, sizeof(u));
	report_fmt(v / div, n, sizeof(n));
	snprintf(buf, len, "%s%s%s", n, *u ? " " : "", u);
	return buf;
}

char *report_bytes(double bytes, char *buf, size_t len)
{
	return report_value(bytes, "bytes", buf, len);
}

bool report_label_is_bytes(const char *key)
{
	size_t l = strlen(key);

	return (l > 6 && !strcmp(key + l - 6, "_bytes")) || !strcmp(key, "bytes") ||
	       !strcmp(key, "threshold") || !strcmp(key, "size");
}

char *report_label_value(const char *key, const json_t *v)
{
	char buf[64];

	if (json_is_number(v) && report_label_is_bytes(key))
		return strdup(report_bytes(json_number_value(v), buf, sizeof(buf)));
	if (json_is_string(v) && report_label_is_bytes(key)) {
		char *end;
		double d = strtod(json_string_value(v), &end);

		if (end != json_string_value(v) && *end == '\0')
			return strdup(report_bytes(d, buf, sizeof(buf)));
	}
	return report_json_text(v);
}

char *report_label_key(const char *key)
{
	size_t l = strlen(key);
	char *s;

	if (l > 6 && !strcmp(key + l - 6, "_bytes"))
		l -= 6;
	s = strndup(key, l);
	for (char *p = s; p && *p; p++)
		if (*p == '_')
			*p = ' ';
	return s;
}

char *report_label_words(const char *key, const json_t *v)
{
	char *k = report_label_key(key), *val = report_label_value(key, v), *out = NULL;

	if (k && val && asprintf(&out, "%s %s", k, val) < 0)
		out = NULL;
	free(k);
	free(val);
	return out;
}
