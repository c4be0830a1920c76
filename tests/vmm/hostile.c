/* hostile.c: a hostile guest cannot crash or hang motevm: writes and reads of every I/O port
 * (string I/O included) are survived; MMIO to nothing, RAM beyond the configured size, a
 * triple fault and an instruction KVM cannot emulate each end the VM with their own status
 * and the registers in the log. */
#ifdef GUEST
#include "guest/guest.h"

static bool skip_port(uint32_t p)
{
	return (p >= MOTE_EXIT_PORT && p < MOTE_EXIT_PORT + 4) ||
	       (p >= MOTE_DEBUG_EXIT_PORT && p < MOTE_DEBUG_EXIT_PORT + 4) ||
	       p == 0x64 ||		  /* i8042 command: 0xfe would reset (tested elsewhere) */
	       (p >= 0x3f8 && p < 0x400); /* COM1: keep the report readable */
}

static void all_ports(void)
{
	uint32_t x = 12345, sum = 0;
	uint8_t buf[512];

	for (uint32_t p = 0; p < 0x10000; p++) {
		if (skip_port(p))
			continue;
		x = x * 1103515245 + 12345;
		outb((uint16_t)p, (uint8_t)(x >> 16));
		sum += inb((uint16_t)p);
	}
	/* String I/O to and from a port with nothing behind it: all ones come back. */
	void *dst = buf;
	uint64_t cnt = sizeof(buf);

	memset(buf, 0, sizeof(buf));
	__asm__ volatile("rep insb" : "+D"(dst), "+c"(cnt) : "d"(0x510) : "memory");
	for (unsigned i = 0; i < sizeof(buf); i++)
		GUEST_ASSERT(buf[i] == 0xff, "rep insb byte %u = %x", i, buf[i]);
	__asm__ volatile("rep outsb" : : "S"(buf), "c"(512), "d"(0x510) : "memory");
	gprintf("survived all ports (sum %x)\n", sum);
}

int guest_main(int kind, uint64_t info)
{
	const char *m = guest_arg("mode");

	GUEST_ASSERT(m, "no mode");
	gprintf("hostile: %s\n", m);
	if (strncmp(m, "ports", 5) == 0) {
		all_ports();
		return 7;
	}
	if (strncmp(m, "mmio-write", 10) == 0)
		mmio_write32(0xd0000000, 0xdeadbeef);
	else if (strncmp(m, "mmio-read", 9) == 0)
		gprintf("read %x\n", mmio_read32(0xfed00000));
	else if (strncmp(m, "beyond-ram", 10) == 0)
		mmio_write32(200ul << 20, 1); /* 128 MiB of RAM */
	else if (strncmp(m, "triple", 6) == 0) {
		struct {
			uint16_t limit;
			uint64_t base;
		} __attribute__((packed)) idtr = { 0, 0 };

		/* No IDT: the exception cannot be delivered, nor the #DF: a triple fault. */
		if (guest_arg("pf"))
			__asm__ volatile("lidt %0; movq (0x7000000000), %%rax"
					 :
					 : "m"(idtr)
					 : "rax");
		else
			__asm__ volatile("lidt %0; ud2" : : "m"(idtr));
	} else if (strncmp(m, "emulation", 9) == 0) {
		/* CR4.PKE, then WRPKRU: kvm_pvm cannot emulate it at CPL0 (internal error). */
		uint64_t cr4 = READ_CR(4) | (1ul << 22);

		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
		__asm__ volatile("wrpkru" : : "a"(0), "c"(0), "d"(0));
		gprintf("wrpkru ran\n");
		return 8;
	}
	gprintf("still running\n");
	return 9;
}
#else
#include <stdio.h>

#include "host/vmmtest.h"

static void run(const char *mode, int want, const char *log_text)
{
	char args[64];
	struct vm_result r;

	snprintf(args, sizeof(args), "mode=%s", mode);
	vmt_run_config(&r, vmt_config("hostile.elf", args, 1, 128), 60);
	printf("%s: exit %d in %.2f s\n", mode, r.status, r.secs);
	CHECK_STATUS(&r, want);
	CHECK(!vmt_contains(r.out, r.out_len, "still running"), "%s: guest went on", mode);
	if (log_text) {
		CHECK(vmt_contains(r.err, r.err_len, log_text), "%s: log lacks \"%s\"", mode,
		      log_text);
		CHECK(vmt_contains(r.err, r.err_len, "rip ") &&
			      vmt_contains(r.err, r.err_len, "cr3 "),
		      "%s: no register dump", mode);
	}
	vmt_result_free(&r);
}

int main(void)
{
	vmt_begin("hostile");
	vmt_require_kvm();
	run("ports", 7, NULL);
	run("mmio-write", MOTE_STATUS_GUEST_BAD_IO, "MMIO write of 4 bytes at 0xd0000000");
	run("mmio-read", MOTE_STATUS_GUEST_BAD_IO, "MMIO read of 4 bytes at 0xfed00000");
	run("beyond-ram", MOTE_STATUS_GUEST_BAD_IO, "at 0xc800000");
	run("triple", MOTE_STATUS_GUEST_CRASH, "triple fault");
	run("triple pf=1", MOTE_STATUS_GUEST_CRASH, "triple fault");
	if (vmt_host_is_pvm())
		run("emulation", MOTE_STATUS_GUEST_UNKNOWN, "internal error");
	else
		printf("emulation failure: only provoked on kvm_pvm hosts; not run here\n");
	return vmt_end();
}
#endif
