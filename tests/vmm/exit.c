/* exit.c: the exit device (port 0x6d70, 8- and 32-bit) and isa-debug-exit (port 0xf4) end
 * the VM with the right status; the guest's serial output arrives before motevm exits. */
#ifdef GUEST
#include "guest/guest.h"

int guest_main(int kind, uint64_t info)
{
	uint64_t status = guest_arg_num("status", 0);
	const char *how = guest_arg("how");

	gprintf("exit guest: how=%s status=%lu\n", how ? how : "?", status);
	if (how && strncmp(how, "byte", 4) == 0)
		outb(MOTE_EXIT_PORT, (uint8_t)status);
	else if (how && strncmp(how, "debug", 5) == 0)
		outl(MOTE_DEBUG_EXIT_PORT, (uint32_t)status);
	else if (how && strncmp(how, "long", 4) == 0)
		outl(MOTE_EXIT_PORT, (uint32_t)status);
	gprintf("still running after the exit write\n");
	return 98;
}
#else
#include <stdio.h>

#include "host/vmmtest.h"

static void run(const char *how, unsigned status, int want)
{
	char args[128];
	struct vm_result r;

	snprintf(args, sizeof(args), "how=%s status=%u", how, status);
	vmt_run_config(&r, vmt_config("exit.elf", args, 1, 128), 30);
	printf("how=%s status=%u -> exit %d in %.3f s\n", how, status, r.status, r.secs);
	CHECK_STATUS(&r, want);
	CHECK(vmt_contains(r.out, r.out_len, "exit guest: how="), "guest output missing");
	CHECK(!vmt_contains(r.out, r.out_len, "still running"), "guest ran on after exit");
	vmt_result_free(&r);
}

int main(void)
{
	vmt_begin("exit");
	vmt_require_kvm();
	run("long", 0, 0);
	run("long", 1, 1);
	run("long", 42, 42);
	run("long", 255, 255);
	run("long", 0x1234, 0x34); /* only the low byte is the status */
	run("byte", 7, 7);
	run("debug", 0, 1); /* isa-debug-exit: (v << 1) | 1 */
	run("debug", 21, 43);
	run("debug", 127, 255);
	return vmt_end();
}
#endif
