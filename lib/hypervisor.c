/* SPDX-License-Identifier: MIT */
/*
 * hypervisor.c — is this process running in a virtual machine, and whose?  CPUID
 * first (x86), then sys/hypervisor/type, then the "hypervisor" flag of proc/cpuinfo.
 *
 * Its own file because two parts of lib/ need the answer for different reasons: the
 * fingerprint (env.c) records it, and the counters (counters.c) use it to explain why
 * there is no hardware PMU; keeping it in either made the two include each other.
 */
#include "config.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include "hypervisor.h"
#include "sysfs.h"

/* The "hypervisor" flag of the first cpuinfo block: 1, 0, or -1 if unreadable. */
int hypervisor_cpuinfo_flag(void)
{
	char buf[16384], *line, *save = NULL;
	int ret;

	/* The first processor block is all we need; a 256-CPU cpuinfo is 400 KB. */
	ret = sysfs_read_str("proc/cpuinfo", buf, sizeof(buf));
	if (ret < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p;

		if (strncmp(line, "flags", 5) != 0 || !(p = strchr(line, ':')))
			continue;
		for (p = strtok_r(p + 1, " \t", &save); p; p = strtok_r(NULL, " \t", &save))
			if (strcmp(p, "hypervisor") == 0)
				return 1;
		return 0;
	}
	return -1;
}

/* CPUID: 1 and the vendor when the hypervisor bit is set, 0 when clear, -1 if no CPUID. */
int hypervisor_cpuid(char *vendor, size_t len)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;
	char v[13];
	int i;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return -1;
	if (!(c & (1u << 31)))
		return 0;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(v, &b, 4);
	memcpy(v + 4, &c, 4);
	memcpy(v + 8, &d, 4);
	v[12] = '\0';
	/* Vendor strings are NUL- or space-padded ("KVMKVMKVM\0\0\0"). */
	for (i = 11; i >= 0 && (v[i] == '\0' || v[i] == ' '); i--)
		v[i] = '\0';
	for (i = 0; v[i]; i++)
		if (!isprint((unsigned char)v[i]))
			v[i] = '?';
	if (vendor && len)
		snprintf(vendor, len, "%s", v);
	return 1;
#else
	(void)vendor;
	(void)len;
	return -1;
#endif
}

int hypervisor_detect(char *vendor, size_t len)
{
	char type[64];

	if (vendor && len)
		vendor[0] = '\0';
	if (hypervisor_cpuid(vendor, len) == 1)
		return 1;
	if (sysfs_read_str("sys/hypervisor/type", type, sizeof(type)) > 0) {
		if (vendor && len)
			snprintf(vendor, len, "%s", type);
		return 1;
	}
	return hypervisor_cpuinfo_flag() == 1;
}
