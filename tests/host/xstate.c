/* xstate.c: this machine's XSAVE state for tests/host_info.sh: XCR0 (xgetbv) and the bytes its
 * components need, CPUID leaf 0xd here, and leaf 0xd as KVM would give it to a guest
 * (KVM_GET_SUPPORTED_CPUID), so that a mismatch like issue 10's shows. One "key value" line
 * each; a value that cannot be had is "n/a (why)". Always exits 0. */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#define KVM_CPUID_ENTRIES 256

static const char *const component[] = {
	[0] = "x87",	[1] = "sse",	   [2] = "avx",	       [3] = "bndregs",
	[4] = "bndcsr", [5] = "opmask",	   [6] = "zmm_hi256",  [7] = "hi16_zmm",
	[9] = "pkru",	[17] = "xtilecfg", [18] = "xtiledata", [19] = "apx",
};

/* Bytes a standard-format XSAVE of MASK's components needs (legacy area + header at least). */
static uint32_t bytes_for(uint64_t mask)
{
	uint32_t need = 576;

	for (unsigned i = 2; i < 63; i++) {
		unsigned a, b, c, d;

		if (!(mask & (1ull << i)) || !__get_cpuid_count(0xd, i, &a, &b, &c, &d))
			continue;
		if (a && b + a > need) /* size EAX at offset EBX */
			need = b + a;
	}
	return need;
}

static void print_mask(const char *key, uint64_t mask)
{
	const char *sep = " (";

	printf("%s %#llx", key, (unsigned long long)mask);
	for (unsigned i = 0; i < 64; i++) {
		if (!(mask & (1ull << i)))
			continue;
		if (i < sizeof(component) / sizeof(component[0]) && component[i])
			printf("%s%s", sep, component[i]);
		else
			printf("%sbit%u", sep, i);
		sep = " ";
	}
	printf("%s\n", mask ? ")" : "");
}

static void host(void)
{
	unsigned a, b, c, d, max = __get_cpuid_max(0, NULL);
	uint32_t lo, hi;
	uint64_t xcr0;

	if (max < 0xd || !__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) {
		printf("xcr0 n/a (%s)\n", max < 0xd ? "no CPUID leaf 0xd" : "OSXSAVE off");
		return;
	}
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	xcr0 = ((uint64_t)hi << 32) | lo;
	print_mask("xcr0", xcr0);
	printf("xcr0_bytes %u\n", bytes_for(xcr0));
	__get_cpuid_count(0xd, 0, &a, &b, &c, &d);
	print_mask("cpuid_mask", ((uint64_t)d << 32) | a);
	printf("cpuid_bytes_max %u\n", c);
}

/* Leaf 0xd.0 of KVM_GET_SUPPORTED_CPUID, and whether a VM can be created. */
static void kvm(void)
{
	struct kvm_cpuid2 *cp;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (fd < 0) {
		printf("kvm n/a (open: %s)\n", strerror(errno));
		return;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		printf("kvm n/a (KVM_CREATE_VM: %s)\n", strerror(errno));
	else
		printf("kvm usable\n");
	if (vm >= 0)
		close(vm);
	cp = calloc(1, sizeof(*cp) + KVM_CPUID_ENTRIES * sizeof(cp->entries[0]));
	if (cp) {
		cp->nent = KVM_CPUID_ENTRIES;
		if (ioctl(fd, KVM_GET_SUPPORTED_CPUID, cp) == 0) {
			for (unsigned i = 0; i < cp->nent; i++) {
				const struct kvm_cpuid_entry2 *e = &cp->entries[i];

				if (e->function != 0xd || e->index != 0)
					continue;
				print_mask("kvm_cpuid_mask", ((uint64_t)e->edx << 32) | e->eax);
				printf("kvm_cpuid_bytes_max %u\n", e->ecx);
			}
		} else {
			printf("kvm_cpuid_mask n/a (KVM_GET_SUPPORTED_CPUID: %s)\n",
			       strerror(errno));
		}
		free(cp);
	}
	close(fd);
}

int main(void)
{
	host();
	kvm();
	return 0;
}
