/* SPDX-License-Identifier: MIT */
/*
 * arm-cores.h — names for Arm CPUs by their MIDR fields (implementer, part number), so a
 * fingerprint says "Arm Neoverse V2" rather than "0x41/0xd4f".  Data only, and
 * architecture-free: an x86 build reading an aarch64 machine's /proc/cpuinfo under
 * --sysroot names it the same way.
 */
#ifndef LOCUS_ARM_CORES_H
#define LOCUS_ARM_CORES_H

/* The implementer's name ("Arm", "Ampere", "NVIDIA", ...) or NULL when unknown. */
const char *arm_vendor_name(unsigned implementer);
/* The core's name ("Neoverse N1", "Cortex-A72", ...), with the products that use it
 * where that helps ("Neoverse V2 (Grace, Graviton4)"), or NULL when unknown. */
const char *arm_core_name(unsigned implementer, unsigned part);

#endif
