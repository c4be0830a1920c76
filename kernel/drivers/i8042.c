/* i8042.c: Ctrl-Alt-Del from the PS/2 keyboard (i8042.h). The controller's output buffer is
 * read on IRQ 1; Ctrl and Alt are tracked through their make and break codes, and Delete's
 * make with both down calls the handler. */
#include "drivers/i8042.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/traps.h"
#include "lib/spinlock.h"

#define DATA 0x60
#define STATUS 0x64
#define STATUS_OBF 0x01 /* a byte waits in the output buffer */
#define KBD_IRQ 1
#define MAX_BYTES 16 /* one interrupt's worth: never spin on a stuck status bit */

static void (*handler)(void);
static struct spinlock lock = SPINLOCK_INIT;
static bool ctrl, alt, ext, brk; /* held keys; the 0xe0 and 0xf0 prefixes just seen */

/* One byte of either scan code set: the handler's turn when it completes Ctrl-Alt-Del. */
static bool feed(uint8_t c)
{
	bool up, del = false;

	if (c == 0xe0) {
		ext = true;
		return false;
	}
	if (c == 0xf0) { /* set 2: the next code is a break */
		brk = true;
		return false;
	}
	/* set 1 codes break with bit 7; set 2's 0x11/0x14/0x71 have it clear either way */
	up = brk || (c & 0x80);
	switch (brk ? c : c & 0x7f) {
	case 0x14: /* set 2 Ctrl (left; right with 0xe0) */
	case 0x1d: /* set 1 Ctrl */
		ctrl = !up;
		break;
	case 0x11: /* set 2 Alt */
	case 0x38: /* set 1 Alt */
		alt = !up;
		break;
	case 0x71: /* set 2 Delete (0xe0 0x71) */
	case 0x53: /* set 1 Delete (0xe0 0x53) */
		del = ext && !up && ctrl && alt;
		break;
	}
	ext = brk = false;
	return del;
}

static void irq(struct trapframe *tf)
{
	bool cad = false;
	uint64_t f = spin_lock(&lock);

	for (int i = 0; i < MAX_BYTES && (inb(STATUS) & STATUS_OBF); i++)
		cad |= feed(inb(DATA));
	spin_unlock(&lock, f);
	if (cad && handler)
		handler();
}

void i8042_start(void (*fn)(void))
{
	int vec = VEC_IRQ_BASE + KBD_IRQ;

	handler = fn;
	trap_set_handler(vec, irq);
	ioapic_route(KBD_IRQ, vec);
}
