/* test_virtio.c: the virtio-rng driver against a real device (QEMU's virtio-rng-device, or
 * motevm's): two reads of 64 bytes, neither all zeros nor equal. Not a default test: the VM
 * must have the device (tests/e2e/virtio_rng.sh). */
#include "core/selftest.h"
#include "drivers/virtio/rng.h"
#include "lib/errno.h"
#include "lib/string.h"

int test_virtio_rng(struct st *st)
{
	uint8_t a[64], b[64], zero[64] = { 0 };
	long n = virtio_rng_read(a, sizeof(a)), m;

	if (n == -ENODEV)
		return st_fail(st,
			       "no virtio-rng device (virtio_mmio.device= on the command line)");
	m = virtio_rng_read(b, sizeof(b));
	if (n != (long)sizeof(a) || m != (long)sizeof(b))
		return st_fail(st, "reads returned %ld and %ld, not %zu", n, m, sizeof(a));
	if (!memcmp(a, zero, sizeof(a)) || !memcmp(a, b, sizeof(a)))
		return st_fail(st, "the device's bytes are zeros or repeat");
	return st_ok(st, "2 reads of %zu bytes, all different", sizeof(a));
}
