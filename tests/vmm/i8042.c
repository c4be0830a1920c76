/* i8042.c: the guest resets through the i8042 (command 0xfe on port 0x64, as Linux's
 * reboot=k does) and motevm stops cleanly with status 0; the controller answers the probe
 * Linux makes (self-test, command byte, keyboard reset acknowledge). */
#ifdef GUEST
#include "guest/guest.h"

static uint8_t read_data(void)
{
	for (int i = 0; i < 1000 && !(inb(0x64) & 1); i++)
		;
	GUEST_ASSERT(inb(0x64) & 1, "no data from the controller");
	return inb(0x60);
}

int guest_main(int kind, uint64_t info)
{
	GUEST_ASSERT(!(inb(0x64) & 1), "output buffer full at start");
	outb(0x64, 0xaa); /* controller self-test */
	GUEST_ASSERT(read_data() == 0x55, "self-test failed");
	outb(0x64, 0x20); /* read the command byte */
	(void)read_data();
	outb(0x64, 0x60); /* write it */
	outb(0x60, 0x45);
	outb(0x64, 0x20);
	GUEST_ASSERT(read_data() == 0x45, "command byte not written");
	outb(0x60, 0xff); /* keyboard reset */
	GUEST_ASSERT(read_data() == 0xfa, "no ACK");
	GUEST_ASSERT(read_data() == 0xaa, "no self-test pass");
	gprintf("probe OK, resetting\n");
	while (inb(0x64) & 2) /* input buffer busy */
		;
	outb(0x64, 0xfe);
	gprintf("NOT RESET\n");
	return 99;
}
#else
#include <stdio.h>

#include "host/vmmtest.h"

int main(void)
{
	struct vm_result r;

	vmt_begin("i8042");
	vmt_require_kvm();
	vmt_run_config(&r, vmt_config("i8042.elf", "", 1, 64), 30);
	CHECK_STATUS(&r, MOTE_STATUS_GUEST_RESET);
	CHECK(vmt_contains(r.out, r.out_len, "probe OK, resetting"), "controller probe failed");
	CHECK(!vmt_contains(r.out, r.out_len, "NOT RESET"), "the guest ran on after the reset");
	CHECK(vmt_contains(r.err, r.err_len, "reset"), "no log line about the reset");
	vmt_result_free(&r);
	return vmt_end();
}
#endif
