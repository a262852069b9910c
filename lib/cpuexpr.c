/* SPDX-License-Identifier: MIT */
/*
 * cpuexpr.c — likwid-style CPU expressions (S0:0-3, M1, E:N:8:1:2) on hwloc's topology.
 *
 * Domains are hwloc objects: packages (S), NUMA nodes by OS index like numactl (M),
 * the last-level caches (C), dies (D; packages when hwloc reports none), and the
 * whole machine (N).  The two orders likwid uses are rebuilt from hwloc: "compact"
 * (PUs in hwloc's logical order, siblings of a core together) for E: expressions, and
 * "physical cores first" (rank of the PU within its core, then core order) for
 * DOMAIN:LIST.  See cpuexpr.h for the syntax.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cpuexpr.h"
#include "log.h"
#include "parse.h"

/* The PUs of `set`, in compact order (hwloc logical index), or physical-cores-first
 * order.  Returns how many (at most max). */
static int ordered_pus(const struct locus_topo *tp, hwloc_const_bitmap_t set, bool cores_first,
		       int *out, int max)
{
	int n = 0, nr = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_PU);

	for (unsigned rank = 0; rank < (cores_first ? 8u : 1u); rank++)
		for (int i = 0; i < nr && n < max; i++) {
			hwloc_obj_t pu = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_PU, (unsigned)i);
			hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(tp->t, HWLOC_OBJ_CORE, pu);
			unsigned r = 0;
			if (!hwloc_bitmap_isset(set, pu->os_index))
				continue;
			if (cores_first && core) /* this PU's rank among its core's PUs */
				for (hwloc_obj_t o = hwloc_get_next_obj_inside_cpuset_by_type(
					     tp->t, core->cpuset, HWLOC_OBJ_PU, NULL);
				     o && o != pu;
				     o = hwloc_get_next_obj_inside_cpuset_by_type(tp->t, core->cpuset,
										    HWLOC_OBJ_PU, o))
					r++;
			if (!cores_first || r == rank || (rank == 7 && r > 7))
				out[n++] = (int)pu->os_index;
		}
	return n;
}

/* The last-level cache's object type here (L3, else L2, else L1), or -1. */
static int llc_type(const struct locus_topo *tp)
{
	static const hwloc_obj_type_t types[] = { HWLOC_OBJ_L5CACHE, HWLOC_OBJ_L4CACHE,
		HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L1CACHE };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (hwloc_get_nbobjs_by_type(tp->t, types[i]) > 0)
			return (int)types[i];
	return -1;
}

/* The cpuset of domain `d` ("N", "S0", "M1", "C0", "D0"): a new bitmap, or NULL after
 * a message naming the domains there are. */
static hwloc_bitmap_t domain_set(const char *what, const char *expr, const char *d,
				 size_t len, const struct locus_topo *tp)
{
	char letter = (char)toupper((unsigned char)d[0]);
	hwloc_obj_type_t type;
	long idx = 0;
	int nr;
	char *end;

	if (len == 1 && letter == 'N')
		return hwloc_bitmap_dup(hwloc_topology_get_topology_cpuset(tp->t));
	if (len < 2 || !isdigit((unsigned char)d[1]))
		goto bad;
	idx = strtol(d + 1, &end, 10);
	if (end != d + len || idx < 0 || idx > 65535)
		goto bad;
	switch (letter) {
	case 'M': {
		hwloc_bitmap_t s = topo_node_cpus(tp, (unsigned)idx);
		if (!s || hwloc_bitmap_iszero(s)) {
			hwloc_bitmap_free(s);
			locus_error("%s: '%s': M%ld is not a NUMA node with CPUs here (nodes 0..%d)",
				    what, expr, idx, topo_max_node_index(tp));
			return NULL;
		}
		return s;
	}
	case 'S': type = HWLOC_OBJ_PACKAGE; break;
	case 'D':
		type = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_DIE) > 0 ? HWLOC_OBJ_DIE
									  : HWLOC_OBJ_PACKAGE;
		break;
	case 'C':
		if (llc_type(tp) < 0) {
			locus_error("%s: '%s': no caches known here", what, expr);
			return NULL;
		}
		type = (hwloc_obj_type_t)llc_type(tp);
		break;
	default:
		goto bad;
	}
	nr = hwloc_get_nbobjs_by_type(tp->t, type);
	if (idx >= nr) {
		locus_error("%s: '%s': no domain %c%ld here (%c0..%c%d)", what, expr, letter, idx,
			    letter, letter, nr - 1);
		return NULL;
	}
	return hwloc_bitmap_dup(hwloc_get_obj_by_type(tp->t, type, (unsigned)idx)->cpuset);
bad:
	locus_error("%s: '%s': '%.*s' is not a domain; allowed N, S<i>, M<i>, C<i>, D<i>", what,
		    expr, (int)len, d);
	return NULL;
}

/* One expression (no '@') into out (or'ed).  Returns 0 or -EINVAL. */
static int one_expr(const char *what, const char *e, const struct locus_topo *tp,
		    hwloc_bitmap_t out)
{
	int nr = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_PU), n, rc = -EINVAL;
	int *pus = calloc((size_t)(nr > 0 ? nr : 1), sizeof(*pus));
	hwloc_bitmap_t dom = NULL, idx = NULL;
	const char *colon;
	char *copy = NULL;

	if (!pus)
		return -ENOMEM;
	if ((e[0] == 'E' || e[0] == 'e') && e[1] == ':') {
		/* E:DOMAIN:COUNT[:CHUNK:STRIDE] */
		long v[3] = { 0, 1, 1 };
		char *tok, *save = NULL, *dname;
		int k = 0;
		copy = strdup(e + 2);
		dname = tok = copy ? strtok_r(copy, ":", &save) : NULL;
		if (!tok || !(dom = domain_set(what, e, tok, strlen(tok), tp)))
			goto out;
		while ((tok = strtok_r(NULL, ":", &save)) && k < 3)
			if (parse_long(what, tok, 1, 65536, &v[k++]) < 0)
				goto out;
		if (tok || (k != 1 && k != 3)) {
			locus_error("%s: '%s': expected E:DOMAIN:COUNT or E:DOMAIN:COUNT:CHUNK:STRIDE",
				    what, e);
			goto out;
		}
		n = ordered_pus(tp, dom, false, pus, nr);
		for (long taken = 0, start = 0; taken < v[0]; start += v[2]) {
			for (long j = 0; j < v[1] && taken < v[0]; j++, taken++) {
				if (start + j >= n) {
					locus_error("%s: '%s': %s has %d CPUs; %ld asked with chunk %ld, "
						    "stride %ld", what, e, dname, n, v[0],
						    v[1], v[2]);
					goto out;
				}
				hwloc_bitmap_set(out, (unsigned)pus[start + j]);
			}
		}
		rc = 0;
		goto out;
	}
	colon = strchr(e, ':');
	if (!(dom = domain_set(what, e, e, colon ? (size_t)(colon - e) : strlen(e), tp)))
		goto out;
	if (!colon) {
		hwloc_bitmap_or(out, out, dom);
		rc = 0;
		goto out;
	}
	if (strcasecmp(colon + 1, "scatter") == 0) {
		locus_error("%s: '%s': a CPU set has no order, so scatter means nothing here; "
			    "give the domain (e.g. N) or E:DOMAIN:COUNT:CHUNK:STRIDE", what, e);
		goto out;
	}
	n = ordered_pus(tp, dom, true, pus, nr);
	idx = hwloc_bitmap_alloc();
	{
		char w2[160]; /* "--cpus: S0" names the domain the indices count in */
		snprintf(w2, sizeof(w2), "%s: %.*s", what, (int)(colon - e), e);
		if (!idx || parse_idlist(w2, colon + 1, n - 1, idx) < 0)
			goto out;
	}
	{
		unsigned i;
		hwloc_bitmap_foreach_begin(i, idx)
			hwloc_bitmap_set(out, (unsigned)pus[i]);
		hwloc_bitmap_foreach_end();
	}
	rc = 0;
out:
	hwloc_bitmap_free(dom);
	hwloc_bitmap_free(idx);
	free(pus);
	free(copy);
	return rc;
}

/* Whether s looks like a likwid expression rather than a numactl list. */
static bool is_likwid(const char *s)
{
	char c = (char)toupper((unsigned char)s[0]);

	if (strchr(s, ':') || strchr(s, '@'))
		return true;
	return strchr("NSMCDE", c) && c && (s[1] == '\0' || isdigit((unsigned char)s[1]));
}

int cpuexpr_parse(const char *what, const char *s, const struct locus_topo *tp,
		  hwloc_bitmap_t out)
{
	hwloc_bitmap_t acc;
	char *copy, *save = NULL;
	int rc = 0;

	if (!s || !is_likwid(s))
		return 1;
	if (!(acc = hwloc_bitmap_alloc()) || !(copy = strdup(s))) {
		hwloc_bitmap_free(acc);
		return -ENOMEM;
	}
	if (s[0] == '@' || s[strlen(s) - 1] == '@' || strstr(s, "@@")) {
		locus_error("%s: '%s': an empty expression around '@'", what, s);
		rc = -EINVAL;
	}
	for (char *e = strtok_r(copy, "@", &save); e && rc == 0; e = strtok_r(NULL, "@", &save))
		rc = one_expr(what, e, tp, acc);
	if (rc == 0)
		hwloc_bitmap_copy(out, acc);
	hwloc_bitmap_free(acc);
	free(copy);
	return rc;
}
