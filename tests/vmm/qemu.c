/* qemu.c: one guest, two platforms: the same PVH ELF runs under motevm and under QEMU's
 * microvm (TCG) and ends the same way through isa-debug-exit at port 0xf4, printing the
 * command line it was given. SKIPs if qemu-system-x86_64 is absent. */
#ifdef GUEST
#include "guest/guest.h"

int guest_main(int kind, uint64_t info)
{
	uint32_t a, b, c, d;

	cpuid(MOTE_CPUID_SIGNATURE, 0, &a, &b, &c, &d);
	gprintf("portable guest on %s, entered by %s, cmdline [%s]\n",
		b == MOTE_CPUID_SIG_EBX ? "motevm" : "another VMM",
		kind == BOOT_PVH ? "PVH" : "Linux boot", guest_cmdline);
	GUEST_ASSERT(kind == BOOT_PVH, "not a PVH boot");
	outl(MOTE_DEBUG_EXIT_PORT, 21); /* both platforms: exit status (21 << 1) | 1 = 43 */
	gprintf("isa-debug-exit did not stop the VM\n");
	return 1;
}
#else
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/vmmtest.h"

#define MARKER "token=one-guest-two-platforms"

static void check(const char *platform, int status, const char *out)
{
	printf("%s: exit %d\n", platform, status);
	CHECK(status == 43, "%s: exit status %d, expected 43", platform, status);
	CHECK(strstr(out, "cmdline [" MARKER "]") != NULL, "%s: guest output: %s", platform, out);
}

int main(void)
{
	const char *qemu = "qemu-system-x86_64";
	struct vm_result r;
	char cmd[1024];
	char *out;
	const char *outp;
	int ws;

	vmt_begin("qemu");
	vmt_require_kvm();
	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1") != 0) {
		printf("SKIP: qemu-system-x86_64 is not installed (tools/deps.sh installs it)\n");
		return KSKIP;
	}
	vmt_run_config(&r, vmt_config("qemu.elf", MARKER, 1, 128), 30);
	check("motevm", r.status, r.out);
	CHECK(strstr(r.out, "on motevm") != NULL, "motevm not detected by CPUID");
	vmt_result_free(&r);

	outp = vmt_write_file("qemu.out", "%s", "");
	snprintf(cmd, sizeof(cmd),
		 "timeout 120 %s -M microvm -accel tcg -m 128 -nographic -no-reboot "
		 "-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel %s -append '%s' "
		 "</dev/null >%s 2>&1",
		 qemu, vmt_file("qemu.elf"), MARKER, outp);
	ws = system(cmd);
	out = vmt_read_file(outp, NULL);
	check("qemu microvm (TCG)", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, out);
	CHECK(strstr(out, "on another VMM") != NULL, "QEMU mistaken for motevm");
	free(out);
	return vmt_end();
}
#endif
