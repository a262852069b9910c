/* SPDX-License-Identifier: MIT */
/*
 * arm-cores.c — the MIDR name tables of arm-cores.h.  Sources: the Arm Technical
 * Reference Manuals' MIDR_EL1 values, and the Linux kernel's arch/arm64/include/asm/
 * cputype.h, which names the same parts.  Only parts that are on the table below are
 * named; anything else is printed as its numbers, never guessed.
 */
#include "config.h"
#include <stddef.h>
#include "arm-cores.h"

static const struct {
	unsigned id;
	const char *name;
} vendors[] = {
	/* 0 is "reserved for software use": QEMU's "max" CPU uses it (part 0x051). */
	{ 0x00, "software (emulator)" },
	{ 0x41, "Arm" },
	{ 0x42, "Broadcom" },
	{ 0x43, "Cavium" },
	{ 0x46, "Fujitsu" },
	{ 0x48, "HiSilicon" },
	{ 0x4e, "NVIDIA" },
	{ 0x50, "APM" },
	{ 0x51, "Qualcomm" },
	{ 0x61, "Apple" },
	{ 0x6d, "Microsoft" },
	{ 0xc0, "Ampere" },
};

static const struct {
	unsigned impl, part;
	const char *name;
} cores[] = {
	{ 0x00, 0x051, "QEMU max (emulated)" },
	{ 0x41, 0xd03, "Cortex-A53" },
	{ 0x41, 0xd04, "Cortex-A35" },
	{ 0x41, 0xd05, "Cortex-A55" },
	{ 0x41, 0xd07, "Cortex-A57" },
	{ 0x41, 0xd08, "Cortex-A72" },
	{ 0x41, 0xd09, "Cortex-A73" },
	{ 0x41, 0xd0a, "Cortex-A75" },
	{ 0x41, 0xd0b, "Cortex-A76" },
	{ 0x41, 0xd0c, "Neoverse N1 (Graviton2, Ampere Altra)" },
	{ 0x41, 0xd0d, "Cortex-A77" },
	{ 0x41, 0xd40, "Neoverse V1 (Graviton3)" },
	{ 0x41, 0xd41, "Cortex-A78" },
	{ 0x41, 0xd44, "Cortex-X1" },
	{ 0x41, 0xd46, "Cortex-A510" },
	{ 0x41, 0xd47, "Cortex-A710" },
	{ 0x41, 0xd48, "Cortex-X2" },
	{ 0x41, 0xd49, "Neoverse N2" },
	{ 0x41, 0xd4a, "Neoverse E1" },
	{ 0x41, 0xd4f, "Neoverse V2 (Grace, Graviton4)" },
	{ 0x41, 0xd84, "Neoverse V3" },
	{ 0x41, 0xd8e, "Neoverse N3" },
	{ 0x43, 0x0af, "ThunderX2" },
	{ 0x46, 0x001, "A64FX" },
	{ 0x48, 0xd01, "TaiShan v110 (Kunpeng 920)" },
	{ 0x4e, 0x004, "Carmel" },
	{ 0x50, 0x000, "X-Gene" },
	{ 0xc0, 0xac3, "AmpereOne" },
};

const char *arm_vendor_name(unsigned implementer)
{
	for (size_t i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++)
		if (vendors[i].id == implementer)
			return vendors[i].name;
	return NULL;
}

const char *arm_core_name(unsigned implementer, unsigned part)
{
	for (size_t i = 0; i < sizeof(cores) / sizeof(cores[0]); i++)
		if (cores[i].impl == implementer && cores[i].part == part)
			return cores[i].name;
	return NULL;
}
