/* cpuid.c: the guest sees Mote's CPUID leaves (signature, ABI version, the exit and, on
 * kvm_pvm hosts, the PVM feature bit, the vCPU count, no terminal on pipes), topology leaves for its vCPU count
 * and SMT setting, and the MSRs a firmware leaves set. */
#ifdef GUEST
#include "guest/guest.h"

int guest_main(int kind, uint64_t info)
{
	uint64_t cpus = guest_arg_num("cpus", 0), pvm = guest_arg_num("pvm", 2);
	uint64_t smt = guest_arg_num("smt", 0);
	uint32_t a, b, c, d, max;

	cpuid(MOTE_CPUID_SIGNATURE, 0, &a, &b, &c, &d);
	GUEST_ASSERT(b == MOTE_CPUID_SIG_EBX && c == MOTE_CPUID_SIG_ECX && d == MOTE_CPUID_SIG_EDX,
		     "signature %x %x %x", b, c, d);
	GUEST_ASSERT(a >= MOTE_CPUID_INFO, "highest Mote leaf %x", a);
	cpuid(MOTE_CPUID_INFO, 0, &a, &b, &c, &d);
	gprintf("Mote ABI %u, features %x, %u vCPUs\n", a, b, c);
	GUEST_ASSERT(a == MOTE_ABI_VERSION, "ABI version %u", a);
	GUEST_ASSERT(b & MOTE_FEAT_EXIT, "no exit device feature");
	GUEST_ASSERT(!!(b & MOTE_FEAT_PVM) == pvm, "PVM feature %u, host says %lu",
		     !!(b & MOTE_FEAT_PVM), pvm);
	GUEST_ASSERT(c == cpus && d == 0, "vCPU count %u, reserved %u", c, d);
	GUEST_ASSERT(b & MOTE_FEAT_CONSOLE_TTYS, "no console leaf feature");
	cpuid(MOTE_CPUID_SIGNATURE, 0, &a, &b, &c, &d);
	GUEST_ASSERT(a >= MOTE_CPUID_CONSOLE, "highest Mote leaf %x", a);
	cpuid(MOTE_CPUID_CONSOLE, 0, &a, &b, &c, &d);
	/* the host runs motevm with pipes and /dev/null: no terminal, no size */
	GUEST_ASSERT(a == 0 && b == 0 && c == 0 && d == 0, "console leaf %x %x %x %x", a, b, c, d);

	cpuid(0, 0, &max, &b, &c, &d);
	cpuid(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT((b >> 24) == 0, "BSP APIC ID %u", b >> 24);
	GUEST_ASSERT(c & (1u << 31), "hypervisor bit clear");
	GUEST_ASSERT(((b >> 16) & 0xff) >= cpus, "logical processor count %u", (b >> 16) & 0xff);
	if (max >= 0xb) {
		cpuid(0xb, 0, &a, &b, &c, &d);
		if (b) {
			GUEST_ASSERT((b & 0xffff) == (smt ? 2 : 1), "threads per core %u", b);
			GUEST_ASSERT(((c >> 8) & 0xff) == 1, "level 0 is not SMT");
			cpuid(0xb, 1, &a, &b, &c, &d);
			GUEST_ASSERT((b & 0xffff) == cpus, "logical CPUs at core level %u", b);
			GUEST_ASSERT(((c >> 8) & 0xff) == 2, "level 1 is not core");
			gprintf("leaf 0xb OK\n");
		}
	}
	cpuid(0x80000000, 0, &max, &b, &c, &d);
	if (max >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &c, &d);
		GUEST_ASSERT((c & 0xff) == cpus - 1, "leaf 0x80000008 NC %u", c & 0xff);
	}
	GUEST_ASSERT((rdmsr(0x2ff) & 0xcff) == 0x806, "MTRR default type %lx", rdmsr(0x2ff));
	GUEST_ASSERT(rdmsr(0x1a0) & 1, "IA32_MISC_ENABLE fast strings off");
	gprintf("cpuid OK\n");
	return 0;
}
#else
#include <stdio.h>

#include "host/vmmtest.h"

static void run(unsigned cpus, bool smt)
{
	char args[64];
	const char *cfg;
	struct vm_result r;

	snprintf(args, sizeof(args), "cpus=%u pvm=%d smt=%d", cpus, vmt_host_is_pvm(), smt);
	cfg = vmt_write_file("cpuid.json",
			     "{\"boot-source\": {\"kernel_image_path\": \"%s\", \"boot_args\": "
			     "\"%s\"}, \"machine-config\": {\"vcpu_count\": %u, \"mem_size_mib\": "
			     "64, \"smt\": %s}}",
			     vmt_file("cpuid.elf"), args, cpus, smt ? "true" : "false");
	vmt_run_config(&r, cfg, 30);
	printf("%u vCPUs%s: exit %d\n", cpus, smt ? " (SMT)" : "", r.status);
	CHECK_STATUS(&r, 0);
	CHECK(vmt_contains(r.out, r.out_len, "cpuid OK"), "guest checks did not finish");
	vmt_result_free(&r);
}

int main(void)
{
	vmt_begin("cpuid");
	vmt_require_kvm();
	printf("host KVM: %s\n", vmt_host_is_pvm() ? "kvm_pvm" : "other");
	run(1, false);
	run(2, false);
	run(2, true);
	run(3, false);
	return vmt_end();
}
#endif
