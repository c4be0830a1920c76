/* cmdline.c: the kernel command line (see cmdline.h). */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/layout.h"
#include "boot/boot.h"
#include "boot/cmdline.h"
#include "kvm/memory.h"
#include "log.h"

int cmdline_write(const struct guest_mem *mem, const struct kernel_image *ki, const char *args,
		  struct boot_blobs *blobs)
{
	size_t len = strlen(args);

	if (len + 1 > ki->cmdline_max) {
		log_err("boot-source: boot_args is %zu bytes; kernel image %s accepts at most %u",
			len, ki->path, ki->cmdline_max - 1);
		return -EINVAL;
	}
	if (mem_write(mem, CMDLINE_ADDR, args, len + 1)) {
		log_err("guest memory too small for the command line");
		return -EINVAL;
	}
	blobs->cmdline_addr = CMDLINE_ADDR;
	blobs->cmdline_len = (uint32_t)len;
	return 0;
}
