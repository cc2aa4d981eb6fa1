/*
 * seccomp_no_unshare PROGRAM [ARGS...]: runs PROGRAM with unshare(2) refused (EPERM) by a
 * seccomp filter, as some container profiles refuse it. Not linked with the runtime.
 * run.sh uses it to check that live inspection then stays off with one warning rather than
 * serving from a thread that shares the program's descriptor table.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#endif

/* Exit 77 (run.sh: skipped, and said) where the filter cannot be built or installed. */
int main(int argc, char **argv)
{
#ifndef THIS_ARCH
	fprintf(stderr, "seccomp_no_unshare: no filter for this architecture\n");
	return 77;
#else
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog program = { sizeof(filter) / sizeof(filter[0]), filter };
	if (argc < 2) {
		fprintf(stderr, "usage: seccomp_no_unshare PROGRAM [ARGS...]\n");
		return 64;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
		perror("seccomp_no_unshare: seccomp");
		return 77;
	}
	execvp(argv[1], argv + 1);
	perror("seccomp_no_unshare: exec");
	return 127;
#endif
}
