/* SPDX-License-Identifier: MIT */
/*
 * env.c — the environment fingerprint embedded in every result file.
 *
 * A benchmark number means little without the conditions it was taken under: the same
 * code on the same CPU moves by tens of percent with THP, NUMA balancing, the governor,
 * SMT, a cgroup cpuset or a different compiler.  This file collects those conditions
 * into one JSON object, grouped as
 *
 *   {"cpu": {...}, "kernel": {...}, "memory": {...}, "hugepages": {...},
 *    "cgroup": {...}, "timer": {...}, "counters": {...}, "build": {...},
 *    "locus": {...}, "host": "...", "time": "YYYY-MM-DDTHH:MM:SSZ"}
 *
 * so that compare can tell when two results were taken under different conditions.
 * Every /proc and /sys read goes through sysfs.h, so --sysroot fingerprints a fixture
 * tree (or a copy of another machine).  What cannot be read is null, never a guess.
 * Under a sysroot the host's CPUID is not consulted for the CPU group (it would
 * describe this machine, not the tree); timer, counters and build always describe the
 * running locus.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <hwloc.h>

#include "counters.h"
#include "arch.h"
#include "arm-cores.h"
#include "env.h"
#include "hypervisor.h"
#include "sysfs.h"
#include "timer.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif
#ifndef LOCUS_GIT
#define LOCUS_GIT "unknown"
#endif
#ifndef LOCUS_CC
#define LOCUS_CC "unknown"
#endif
#ifndef LOCUS_CFLAGS
#define LOCUS_CFLAGS ""
#endif

const char *const env_critical_keys[] = {
	"cpu.vendor",
	"cpu.model",
	"cpu.microcode",
	"cpu.hypervisor_vendor",
	"cpu.pus",
	"cpu.smt_active",
	"cpu.governor",
	"cpu.boost",
	"cpu.no_turbo",
	"kernel.release",
	"memory.thp_enabled",
	"memory.thp_defrag",
	"memory.numa_balancing",
	"memory.zone_reclaim_mode",
	"cgroup.cpuset_cpus_effective",
	"cgroup.cpuset_mems_effective",
	"cgroup.cpu_max",
	"build.compiler_version",
	"build.cflags",
	NULL,
};

/* ------------------------------------------------------------------ small readers */

/* Object setters that swallow NULL values (jansson's set_new already does). */
static void put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v ? v : json_null());
}

static json_t *read_str_json(const char *rel)
{
	char buf[4096];

	if (sysfs_read_str(rel, buf, sizeof(buf)) < 0)
		return json_null();
	return json_string(buf);
}

static json_t *read_long_json(const char *rel)
{
	long v;

	if (sysfs_read_long(rel, &v) < 0)
		return json_null();
	return json_integer(v);
}

/* 0/1 files (smt/active, boost, no_turbo). */
static json_t *read_bool_json(const char *rel)
{
	long v;

	if (sysfs_read_long(rel, &v) < 0)
		return json_null();
	return json_boolean(v != 0);
}

/* "always [madvise] never" → "madvise"; a file with a single word gives the word. */
static json_t *read_bracket_json(const char *rel)
{
	char buf[256], *open, *close;

	if (sysfs_read_str(rel, buf, sizeof(buf)) < 0)
		return json_null();
	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (open && close) {
		*close = '\0';
		return json_string(open + 1);
	}
	if (*buf && !strchr(buf, ' '))
		return json_string(buf);
	return json_null();
}

/* Count the members of a kernel cpu/node list file ("0-3,8"); -1 if unreadable. */
static int list_weight(const char *rel)
{
	char buf[4096];
	hwloc_bitmap_t bm;
	int w = -1;

	if (sysfs_read_str(rel, buf, sizeof(buf)) < 0)
		return -1;
	bm = hwloc_bitmap_alloc();
	if (!bm)
		return -1;
	if (*buf == '\0')
		w = 0;
	else if (hwloc_bitmap_list_sscanf(bm, buf) == 0)
		w = hwloc_bitmap_weight(bm);
	hwloc_bitmap_free(bm);
	return w;
}

static json_t *int_or_null(long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* ------------------------------------------------------------------ groups */

/* An Arm CPU's vendor and model names from its MIDR fields (lib/arm-cores.c); numbers
 * where the table does not know it. */
static void arm_names(json_t *cpu)
{
	json_t *impl = json_object_get(cpu, "implementer"), *part = json_object_get(cpu, "part");
	const char *v, *m;
	char buf[64];

	if (!json_is_integer(impl) || !json_is_integer(part))
		return;
	v = arm_vendor_name((unsigned)json_integer_value(impl));
	m = arm_core_name((unsigned)json_integer_value(impl), (unsigned)json_integer_value(part));
	if (json_is_null(json_object_get(cpu, "vendor"))) {
		snprintf(buf, sizeof(buf), "implementer 0x%02x", (unsigned)json_integer_value(impl));
		put(cpu, "vendor", json_string(v ? v : buf));
	}
	if (json_is_null(json_object_get(cpu, "model"))) {
		snprintf(buf, sizeof(buf), "%s%spart 0x%03x", v ? v : "", v ? " " : "",
			 (unsigned)json_integer_value(part));
		put(cpu, "model", json_string(m ? m : buf));
	}
}

/* The first processor block of proc/cpuinfo: x86 field names, and on Arm the MIDR fields
 * (CPU implementer, part, variant, revision), named through arm_names(); what is not
 * there stays null. */
static void cpu_identity(json_t *cpu)
{
	static const struct {
		const char *field, *key;
		bool number;
	} fields[] = {
		{ "vendor_id", "vendor", false },
		{ "model name", "model", false },
		{ "cpu family", "family", true },
		{ "model", "model_number", true },
		{ "stepping", "stepping", true },
		{ "microcode", "microcode", false },
		{ "CPU implementer", "implementer", true },
		{ "CPU part", "part", true },
		{ "CPU variant", "variant", true },
		{ "CPU revision", "revision", true },
	};
	char buf[16384], *line, *save = NULL;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		put(cpu, fields[i].key, json_null());
	if (sysfs_read_str("proc/cpuinfo", buf, sizeof(buf)) < 0)
		return;
	/* strtok_r would skip empty lines, and the blank line ends the first block. */
	for (line = buf; line && *line != '\n' && *line; line = save) {
		char *colon, *end, *val;
		size_t klen;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		colon = strchr(line, ':');
		if (!colon)
			continue;
		end = colon;
		while (end > line && isspace((unsigned char)end[-1]))
			end--;
		klen = (size_t)(end - line);
		val = colon + 1;
		while (isspace((unsigned char)*val))
			val++;
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			char *e;
			long n;

			if (strlen(fields[i].field) != klen || strncmp(line, fields[i].field, klen))
				continue;
			if (!fields[i].number) {
				put(cpu, fields[i].key, json_string(val));
				break;
			}
			errno = 0;
			n = strtol(val, &e, 0);
			if (e != val && errno == 0)
				put(cpu, fields[i].key, json_integer(n));
			break;
		}
	}
	arm_names(cpu);
}

/* Where /proc/cpuinfo is not this CPU's (qemu-user passes the host's through) or has no
 * identity, an aarch64 build asks the CPU: MIDR_EL1.  cpu.identity says which it was. */
static void cpu_identity_check(json_t *cpu)
{
	unsigned impl, part, variant, rev;
	bool arm_info = json_is_integer(json_object_get(cpu, "implementer"));

	put(cpu, "arch", json_string(arch_name()));
	if (sysfs_is_fake() || arm_info || arch_midr(&impl, &part, &variant, &rev) < 0) {
		put(cpu, "identity", json_string("/proc/cpuinfo"));
		return;
	}
	put(cpu, "vendor", json_null());
	put(cpu, "model", json_null());
	put(cpu, "family", json_null());
	put(cpu, "model_number", json_null());
	put(cpu, "stepping", json_null());
	put(cpu, "microcode", json_null());
	put(cpu, "implementer", json_integer(impl));
	put(cpu, "part", json_integer(part));
	put(cpu, "variant", json_integer(variant));
	put(cpu, "revision", json_integer(rev));
	arm_names(cpu);
	put(cpu, "identity", json_string("midr_el1 (/proc/cpuinfo is not this CPU's)"));
}

/* Packages, cores and PUs from sys/devices/system/cpu/cpuN/topology. */
static void cpu_topology(json_t *cpu)
{
	char buf[4096], rel[128];
	hwloc_bitmap_t online, pkgs = NULL;
	long *cores = NULL;
	int ncores = 0, pus, i, ok = 1;

	put(cpu, "packages", json_null());
	put(cpu, "cores", json_null());
	put(cpu, "pus", json_null());
	put(cpu, "threads_per_core", json_null());
	if (sysfs_read_str("sys/devices/system/cpu/online", buf, sizeof(buf)) < 0)
		return;
	online = hwloc_bitmap_alloc();
	if (!online || hwloc_bitmap_list_sscanf(online, buf) < 0 ||
	    (pus = hwloc_bitmap_weight(online)) <= 0) {
		hwloc_bitmap_free(online);
		return;
	}
	put(cpu, "pus", json_integer(pus));
	pkgs = hwloc_bitmap_alloc();
	cores = calloc((size_t)pus, sizeof(*cores));
	if (!pkgs || !cores)
		ok = 0;
	hwloc_bitmap_foreach_begin(i, online) {
		long pkg, core, die = 0;
		int j;

		if (!ok)
			break;
		snprintf(rel, sizeof(rel),
			 "sys/devices/system/cpu/cpu%d/topology/physical_package_id", i);
		if (sysfs_read_long(rel, &pkg) < 0) {
			ok = 0;
			break;
		}
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/topology/core_id", i);
		if (sysfs_read_long(rel, &core) < 0) {
			ok = 0;
			break;
		}
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/topology/die_id", i);
		if (sysfs_read_long(rel, &die) < 0)
			die = 0;
		if (pkg >= 0)
			hwloc_bitmap_set(pkgs, (unsigned)pkg);
		/* A core is (package, die, core_id): core ids repeat across packages. */
		core = ((pkg & 0xffff) << 40) | ((die & 0xffff) << 24) | (core & 0xffffff);
		for (j = 0; j < ncores; j++)
			if (cores[j] == core)
				break;
		if (j == ncores)
			cores[ncores++] = core;
	} hwloc_bitmap_foreach_end();
	if (ok) {
		put(cpu, "packages", json_integer(hwloc_bitmap_weight(pkgs)));
		put(cpu, "cores", json_integer(ncores));
	}
	i = hwloc_bitmap_first(online);
	snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", i);
	put(cpu, "threads_per_core", int_or_null(list_weight(rel)));
	free(cores);
	hwloc_bitmap_free(pkgs);
	hwloc_bitmap_free(online);
}

static json_t *cpu_group(void)
{
	json_t *cpu = json_object();
	char vendor[64];
	int flag, hv;

	if (!cpu)
		return NULL;
	cpu_identity(cpu);
	cpu_identity_check(cpu);

	flag = hypervisor_cpuinfo_flag();
	put(cpu, "hypervisor_flag", flag < 0 ? json_null() : json_boolean(flag));
	/* This machine's CPUID is not the sysroot's: under a sysroot only files count. */
	hv = sysfs_is_fake() ? -1 : hypervisor_cpuid(vendor, sizeof(vendor));
	if (hv != 1) {
		vendor[0] = '\0';
		if (sysfs_read_str("sys/hypervisor/type", vendor, sizeof(vendor)) > 0)
			hv = 1;
		else if (flag == 1)
			hv = 1;		/* virtual, vendor unknown */
		else if (flag == 0)
			hv = 0;
		/* else: CPUID says no (hv 0) or nothing could be read (hv -1) */
	}
	put(cpu, "virtualized", hv < 0 ? json_null() : json_boolean(hv));
	put(cpu, "hypervisor_vendor", hv == 1 ? (*vendor ? json_string(vendor) : json_null()) :
		    hv == 0 ? json_string("none") : json_null());

	cpu_topology(cpu);
	put(cpu, "smt_active", read_bool_json("sys/devices/system/cpu/smt/active"));
	put(cpu, "smt_control", read_str_json("sys/devices/system/cpu/smt/control"));
	put(cpu, "governor", read_str_json("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
	put(cpu, "scaling_driver", read_str_json("sys/devices/system/cpu/cpu0/cpufreq/scaling_driver"));
	put(cpu, "min_khz", read_long_json("sys/devices/system/cpu/cpu0/cpufreq/scaling_min_freq"));
	put(cpu, "max_khz", read_long_json("sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq"));
	put(cpu, "boost", read_bool_json("sys/devices/system/cpu/cpufreq/boost"));
	put(cpu, "no_turbo", read_bool_json("sys/devices/system/cpu/intel_pstate/no_turbo"));
	return cpu;
}

static json_t *kernel_group(void)
{
	json_t *k = json_object();
	struct utsname u;

	if (!k)
		return NULL;
	if (!sysfs_is_fake() && uname(&u) == 0)
		put(k, "release", json_string(u.release));
	else
		put(k, "release", read_str_json("proc/sys/kernel/osrelease"));
	put(k, "version", read_str_json("proc/sys/kernel/version"));
	put(k, "cmdline", read_str_json("proc/cmdline"));
	put(k, "perf_event_paranoid", read_long_json("proc/sys/kernel/perf_event_paranoid"));
	put(k, "nmi_watchdog", read_long_json("proc/sys/kernel/nmi_watchdog"));
	return k;
}

static json_t *memory_group(void)
{
	json_t *m = json_object();
	long long total;

	if (!m)
		return NULL;
	put(m, "thp_enabled", read_bracket_json("sys/kernel/mm/transparent_hugepage/enabled"));
	put(m, "thp_defrag", read_bracket_json("sys/kernel/mm/transparent_hugepage/defrag"));
	put(m, "thp_shmem_enabled",
	    read_bracket_json("sys/kernel/mm/transparent_hugepage/shmem_enabled"));
	put(m, "numa_balancing", read_long_json("proc/sys/kernel/numa_balancing"));
	put(m, "swappiness", read_long_json("proc/sys/vm/swappiness"));
	put(m, "overcommit_memory", read_long_json("proc/sys/vm/overcommit_memory"));
	put(m, "overcommit_ratio", read_long_json("proc/sys/vm/overcommit_ratio"));
	put(m, "overcommit_kbytes", read_long_json("proc/sys/vm/overcommit_kbytes"));
	put(m, "zone_reclaim_mode", read_long_json("proc/sys/vm/zone_reclaim_mode"));
	put(m, "min_free_kbytes", read_long_json("proc/sys/vm/min_free_kbytes"));
	put(m, "watermark_scale_factor", read_long_json("proc/sys/vm/watermark_scale_factor"));
	put(m, "total_bytes", sysfs_meminfo("proc/meminfo", "MemTotal", &total) == 0 ?
	    json_integer(total) : json_null());
	put(m, "numa_nodes", int_or_null(list_weight("sys/devices/system/node/online")));
	return m;
}

/* Directory entries "PREFIXnnnSUFFIX" sorted by nnn; returns the count or -errno. */
struct numbered {
	long n;
	char name[64];
};

static int cmp_numbered(const void *a, const void *b)
{
	const struct numbered *x = a, *y = b;

	return x->n < y->n ? -1 : x->n > y->n;
}

static int list_numbered(const char *rel, const char *prefix, struct numbered **out)
{
	char path[PATH_MAX];
	struct numbered *v = NULL;
	struct dirent *de;
	size_t plen = strlen(prefix);
	int n = 0, cap = 0;
	DIR *d;

	*out = NULL;
	d = opendir(sysfs_path(rel, path, sizeof(path)));
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long num;

		if (strncmp(de->d_name, prefix, plen) != 0 || !isdigit((unsigned char)de->d_name[plen]))
			continue;
		num = strtol(de->d_name + plen, &end, 10);
		if (strlen(de->d_name) >= sizeof(v->name))
			continue;
		if (n == cap) {
			struct numbered *nv;

			cap = cap ? 2 * cap : 8;
			nv = realloc(v, (size_t)cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n].n = num;
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, (size_t)n, sizeof(*v), cmp_numbered);
	*out = v;
	return n;
}

static json_t *pool_json(const char *dir, const char *const *files)
{
	json_t *o = json_object();
	char rel[PATH_MAX];

	for (; o && *files; files++) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, *files);
		put(o, *files, read_long_json(rel));
	}
	return o;
}

static json_t *hugepages_group(void)
{
	static const char *const global_files[] = {
		"nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages", NULL
	};
	static const char *const node_files[] = {
		"nr_hugepages", "free_hugepages", "surplus_hugepages", NULL
	};
	struct numbered *sizes = NULL, *nodes = NULL;
	json_t *h = json_object(), *pools;
	long long hps;
	int nsizes, nnodes, i, j;

	if (!h)
		return NULL;
	put(h, "default_kb", sysfs_meminfo("proc/meminfo", "Hugepagesize", &hps) == 0 ?
	    json_integer(hps / 1024) : json_null());
	nsizes = list_numbered("sys/kernel/mm/hugepages", "hugepages-", &sizes);
	if (nsizes < 0) {
		put(h, "pools", json_null());
		return h;
	}
	nnodes = list_numbered("sys/devices/system/node", "node", &nodes);
	pools = json_object();
	for (i = 0; pools && i < nsizes; i++) {
		char dir[PATH_MAX], key[64];
		json_t *pool, *per_node = json_object();

		/* "hugepages-2048kB" → "2048kB" */
		snprintf(key, sizeof(key), "%s", sizes[i].name + strlen("hugepages-"));
		snprintf(dir, sizeof(dir), "sys/kernel/mm/hugepages/%s", sizes[i].name);
		pool = pool_json(dir, global_files);
		for (j = 0; per_node && j < nnodes; j++) {
			snprintf(dir, sizeof(dir), "sys/devices/system/node/%s/hugepages/%s",
				 nodes[j].name, sizes[i].name);
			if (sysfs_exists(dir))
				put(per_node, nodes[j].name, pool_json(dir, node_files));
		}
		if (pool)
			put(pool, "nodes", per_node);
		else
			json_decref(per_node);
		put(pools, key, pool);
	}
	put(h, "pools", pools);
	free(sizes);
	free(nodes);
	return h;
}

/*
 * cgroup limits of this process, from the sysroot's proc/self/cgroup.  cgroup v2 files
 * are used where the process sits in a v2 hierarchy; on v1 and hybrid machines (v1
 * controllers, v2 mounted at sys/fs/cgroup/unified) the v1 equivalents are read and
 * reported in the v2 syntax: cpu.max as "QUOTA PERIOD" or "max PERIOD", memory.max as
 * bytes or "max".  memory.high has no v1 equivalent.
 */
struct cgroup_paths {
	const char *mode;	/* "v2", "v1", "hybrid" or NULL */
	char *v2;		/* "0::PATH" */
	char *cpuset, *cpu, *memory;	/* v1 "N:CONTROLLERS:PATH" */
	char *cpuset_dir, *cpu_dir, *memory_dir;	/* mount directory names */
};

static bool has_controller(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* buf is modified in place; the paths point into it. */
static void cgroup_parse(char *buf, struct cgroup_paths *cg)
{
	char *line, *save = NULL;
	bool v1 = false;

	memset(cg, 0, sizeof(*cg));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrl = strchr(line, ':'), *path;

		if (!ctrl || !(path = strchr(ctrl + 1, ':')))
			continue;
		*ctrl++ = '\0';
		*path++ = '\0';
		if (strcmp(line, "0") == 0 && *ctrl == '\0') {
			cg->v2 = path;
			continue;
		}
		v1 = true;
		if (has_controller(ctrl, "cpuset")) {
			cg->cpuset = path;
			cg->cpuset_dir = ctrl;
		}
		if (has_controller(ctrl, "cpu")) {
			cg->cpu = path;
			cg->cpu_dir = ctrl;
		}
		if (has_controller(ctrl, "memory")) {
			cg->memory = path;
			cg->memory_dir = ctrl;
		}
	}
	cg->mode = v1 ? (cg->v2 ? "hybrid" : "v1") : cg->v2 ? "v2" : NULL;
}

/* Read BASE/PATH/FILE (v1: BASE is the controller's mount, tried as "cpu,cpuacct"
 * and then as "cpu"). */
static int cgroup_read(const char *base, const char *dir, const char *single,
		       const char *path, const char *file, char *val, size_t len)
{
	char rel[PATH_MAX];
	int ret = -ENOENT;

	const char *sep;

	if (!path)
		return -ENOENT;
	path += strspn(path, "/");
	sep = *path ? "/" : "";	/* the root cgroup: no "//" */
	if (dir && snprintf(rel, sizeof(rel), "%s/%s/%s%s%s", base, dir, path, sep, file) <
		   (int)sizeof(rel))
		ret = sysfs_read_str(rel, val, len);
	if (ret < 0 && single &&
	    snprintf(rel, sizeof(rel), "%s/%s/%s%s%s", base, single, path, sep, file) <
		    (int)sizeof(rel))
		ret = sysfs_read_str(rel, val, len);
	if (ret < 0 && !dir && !single &&
	    snprintf(rel, sizeof(rel), "%s/%s%s%s", base, path, sep, file) < (int)sizeof(rel))
		ret = sysfs_read_str(rel, val, len);
	return ret;
}

/* A memory limit: bytes, or "max" for v2's "max" and v1's near-2^63 "unlimited". */
static json_t *memory_limit_json(const char *val)
{
	char *end;
	long long n;

	if (strcmp(val, "max") == 0)
		return json_string("max");
	errno = 0;
	n = strtoll(val, &end, 10);
	if (end == val || *end || errno)
		return json_string(val);
	return n >= (1LL << 62) ? json_string("max") : json_integer(n);
}

static json_t *cgroup_group(void)
{
	static const struct {
		const char *v2file, *key;
	} files[] = {
		{ "cpuset.cpus.effective", "cpuset_cpus_effective" },
		{ "cpuset.mems.effective", "cpuset_mems_effective" },
		{ "cpu.max", "cpu_max" },
		{ "memory.max", "memory_max" },
		{ "memory.high", "memory_high" },
	};
	char buf[8192], val[4096], val2[64];
	struct cgroup_paths cg;
	json_t *g = json_object();
	size_t i;

	if (!g)
		return NULL;
	if (sysfs_read_str("proc/self/cgroup", buf, sizeof(buf)) >= 0)
		cgroup_parse(buf, &cg);
	else
		memset(&cg, 0, sizeof(cg));
	put(g, "mode", cg.mode ? json_string(cg.mode) : json_null());
	put(g, "path", cg.v2 ? json_string(cg.v2) : json_null());
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *v2base = cg.mode && strcmp(cg.mode, "hybrid") == 0 ?
				     "sys/fs/cgroup/unified" : "sys/fs/cgroup";
		const char *key = files[i].key;
		json_t *v = NULL;
		int ret = -ENOENT;

		if (cg.v2)
			ret = cgroup_read(v2base, NULL, NULL, cg.v2, files[i].v2file,
					  val, sizeof(val));
		if (ret >= 0) {
			v = strncmp(key, "memory", 6) == 0 ? memory_limit_json(val) : json_string(val);
		} else if (strncmp(key, "cpuset_", 7) == 0) {
			bool cpus = strcmp(key, "cpuset_cpus_effective") == 0;

			ret = cgroup_read("sys/fs/cgroup", cg.cpuset_dir, "cpuset", cg.cpuset,
					  cpus ? "cpuset.effective_cpus" : "cpuset.effective_mems",
					  val, sizeof(val));
			if (ret >= 0)
				v = json_string(val);
		} else if (strcmp(key, "cpu_max") == 0) {
			ret = cgroup_read("sys/fs/cgroup", cg.cpu_dir, "cpu", cg.cpu,
					  "cpu.cfs_quota_us", val, sizeof(val));
			if (ret >= 0 && cgroup_read("sys/fs/cgroup", cg.cpu_dir, "cpu", cg.cpu,
						    "cpu.cfs_period_us", val2, sizeof(val2)) >= 0) {
				char both[160];

				snprintf(both, sizeof(both), "%.64s %.64s",
					 val[0] == '-' ? "max" : val, val2);
				v = json_string(both);
			}
		} else if (strcmp(key, "memory_max") == 0) {
			ret = cgroup_read("sys/fs/cgroup", cg.memory_dir, "memory", cg.memory,
					  "memory.limit_in_bytes", val, sizeof(val));
			if (ret >= 0)
				v = memory_limit_json(val);
		}
		put(g, key, v);
	}
	return g;
}

static json_t *counters_group(void)
{
	json_t *c = json_object();
	json_t *events = counters_probe_json();

	if (!c) {
		json_decref(events);
		return NULL;
	}
	put(c, "backend", json_string(counters_backend()));
	/* After the probe: the probe may have narrowed what PAPI sets can count. */
	put(c, "perf_event_component", json_string(counters_component_status()));
	put(c, "events", events);
	return c;
}

static json_t *build_group(void)
{
	json_t *b = json_object();

	if (!b)
		return NULL;
	put(b, "compiler", json_string(LOCUS_CC));
#ifdef __VERSION__
	put(b, "compiler_version", json_string(__VERSION__));
#else
	put(b, "compiler_version", json_null());
#endif
	put(b, "cflags", json_string(LOCUS_CFLAGS));
	return b;
}

static json_t *host_json(void)
{
	char buf[HOST_NAME_MAX + 1];

	if (sysfs_is_fake())
		return read_str_json("proc/sys/kernel/hostname");
	if (gethostname(buf, sizeof(buf)) < 0)
		return json_null();
	buf[sizeof(buf) - 1] = '\0';
	return json_string(buf);
}

static json_t *time_json(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(buf);
}

json_t *env_fingerprint(void)
{
	json_t *env = json_object();
	json_t *t, *l;

	if (!env)
		return NULL;
	put(env, "cpu", cpu_group());
	put(env, "kernel", kernel_group());
	put(env, "memory", memory_group());
	put(env, "hugepages", hugepages_group());
	put(env, "cgroup", cgroup_group());
	t = timer_init(false) == 0 ? timer_json() : NULL;
	put(env, "timer", t);
	put(env, "counters", counters_group());
	put(env, "build", build_group());
	l = json_pack("{s:s, s:s}", "version", PACKAGE_VERSION, "git", LOCUS_GIT);
	put(env, "locus", l);
	put(env, "host", host_json());
	put(env, "time", time_json());
	/* A group that could not even be allocated means we are out of memory. */
	if (json_object_size(env) != 11 || !json_is_object(json_object_get(env, "cpu")) ||
	    !json_is_object(json_object_get(env, "build"))) {
		json_decref(env);
		return NULL;
	}
	return env;
}

json_t *env_get(const json_t *env, const char *dotted)
{
	char key[128];
	json_t *cur = (json_t *)env;

	while (cur && dotted && *dotted) {
		const char *dot = strchr(dotted, '.');
		size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);

		if (n >= sizeof(key) || !json_is_object(cur))
			return NULL;
		memcpy(key, dotted, n);
		key[n] = '\0';
		cur = json_object_get(cur, key);
		dotted = dot ? dot + 1 : NULL;
	}
	return cur;
}

/* ------------------------------------------------------------------ text output */

static void print_scalar(FILE *f, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(*json_string_value(v) ? json_string_value(v) : "\"\"", f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%.6g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("yes", f);
		break;
	case JSON_FALSE:
		fputs("no", f);
		break;
	case JSON_NULL:
		fputs("(unknown)", f);
		break;
	default:
		break;
	}
}

static void print_item(FILE *f, int indent, const char *key, const json_t *v)
{
	const json_t *avail = json_is_object(v) ? json_object_get(v, "available") : NULL;

	fprintf(f, "%*s%s:", indent, "", key);
	if (json_is_boolean(avail)) {
		/* A counter probe: {"available": bool, "via"/"reason": "..."} */
		const json_t *via = json_object_get(v, "via"), *why = json_object_get(v, "reason");

		if (json_is_true(avail))
			fprintf(f, " yes%s%s%s\n", json_is_string(via) ? " (via " : "",
				json_is_string(via) ? json_string_value(via) : "",
				json_is_string(via) ? ")" : "");
		else
			fprintf(f, " no (%s)\n", json_is_string(why) ? json_string_value(why) : "?");
	} else if (json_is_object(v)) {
		const char *k;
		const json_t *sub;

		if (json_object_size(v) == 0) {
			fputs(" (none)\n", f);
			return;
		}
		fputc('\n', f);
		json_object_foreach((json_t *)v, k, sub)
			print_item(f, indent + 2, k, sub);
	} else if (json_is_array(v)) {
		size_t i;
		const json_t *e;

		json_array_foreach(v, i, e) {
			fputs(i ? ", " : " ", f);
			print_scalar(f, e);
		}
		fputc('\n', f);
	} else {
		fputc(' ', f);
		print_scalar(f, v);
		fputc('\n', f);
	}
}

void env_print(FILE *f, const json_t *env)
{
	const char *k;
	const json_t *v;

	if (!json_is_object(env))
		return;
	json_object_foreach((json_t *)env, k, v)
		print_item(f, 0, k, v);
}
