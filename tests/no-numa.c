/* SPDX-License-Identifier: MIT */
/*
 * no-numa.c — run a program as on a kernel without NUMA system calls: mbind,
 * set_mempolicy, get_mempolicy, migrate_pages and move_pages fail with ENOSYS (a
 * seccomp filter installed before the exec), as they do under qemu-user and on kernels
 * built without CONFIG_NUMA.
 *
 *   tests/no-numa PROGRAM [ARGS...]
 *
 * For tests/cli/48-no-numa.sh: the benches' error paths after a failed mbind run in
 * every native `make check`, not only under emulation — where `bench all` once died
 * with SIGSEGV (a policy label left uninitialised on the stack, printed when mbind
 * failed).  Not a sandbox: other system calls, other ABIs (x32) pass.  Exit 3 when this
 * architecture or kernel cannot install the filter (the test then skips).
 */
#include "config.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define NO_NUMA_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NO_NUMA_ARCH AUDIT_ARCH_AARCH64
#endif

/* if (nr == NR) return -ENOSYS; */
#define NO_NUMA_DENY(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: no-numa PROGRAM [ARGS...]\n");
		return 2;
	}
#ifdef NO_NUMA_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NO_NUMA_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		NO_NUMA_DENY(__NR_mbind),
		NO_NUMA_DENY(__NR_set_mempolicy),
		NO_NUMA_DENY(__NR_get_mempolicy),
		NO_NUMA_DENY(__NR_migrate_pages),
		NO_NUMA_DENY(__NR_move_pages),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = (unsigned short)(sizeof(f) / sizeof(f[0])), .filter = f };

	/* NO_NEW_PRIVS: what lets an unprivileged process install a filter. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		fprintf(stderr, "no-numa: cannot install the seccomp filter: %s\n", strerror(errno));
		return 3;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no-numa: cannot run %s: %s\n", argv[1], strerror(errno));
	return 127;
#else
	fprintf(stderr, "no-numa: no seccomp filter for this architecture\n");
	return 3;
#endif
}
