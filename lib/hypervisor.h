/* SPDX-License-Identifier: MIT */
/*
 * hypervisor.h — whether this process runs under a hypervisor (for the fingerprint
 * and for explaining a missing PMU).  Reads through lib/sysfs.h, so a sysroot
 * fixture can stand in for the machine.
 */
#ifndef LOCUS_HYPERVISOR_H
#define LOCUS_HYPERVISOR_H

#include <stddef.h>

/*
 * Whether this process runs under a hypervisor: CPUID leaf 1 ECX bit 31 (x86), a
 * sys/hypervisor/type file, or the "hypervisor" flag in proc/cpuinfo.  When vendor is
 * not NULL it receives the CPUID leaf 0x40000000 vendor string ("KVMKVMKVM",
 * "Microsoft Hv", ...) or the sys/hypervisor/type content, "" if unknown.
 * Returns 1 (virtual), 0 (not, as far as can be seen).
 */
int hypervisor_detect(char *vendor, size_t len);

/* The two sources on their own (the fingerprint records each): the "hypervisor" flag
 * of the first proc/cpuinfo block (1, 0, or -1 if unreadable), and CPUID (1 with the
 * vendor when the hypervisor bit is set, 0 when clear, -1 without CPUID). */
int hypervisor_cpuinfo_flag(void);
int hypervisor_cpuid(char *vendor, size_t len);

#endif
