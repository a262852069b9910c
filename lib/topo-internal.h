/* SPDX-License-Identifier: MIT */
/*
 * topo-internal.h — what the files of the topology (lib/topo*.c) share among
 * themselves and nobody else uses: the NUMA nodes with the CPUs whose nearest memory
 * each is.  Not part of the lib/ interface (that is topo.h).
 */
#ifndef LOCUS_TOPO_INTERNAL_H
#define LOCUS_TOPO_INTERNAL_H

#include <hwloc.h>
#include "topo.h"

struct node_info {
	hwloc_obj_t obj;
	hwloc_bitmap_t cpus;       /* CPUs whose nearest node this is */
};

/* The nodes sorted by OS index, each with its own CPUs.  Returns the count (0 when
 * there are none or on allocation failure, *out NULL); free with topo_free_node_infos. */
int topo_node_infos(const struct locus_topo *tp, struct node_info **out);
void topo_free_node_infos(struct node_info *ni, int n);

#endif
