/* crc32c.c: CRC-32C a byte at a time through one 256-entry table (ext4 checksums a few
 * hundred bytes of metadata at a time: speed does not matter here). */
#include "lib/crc32c.h"

#define POLY 0x82f63b78u /* Castagnoli's polynomial, bit-reversed */

static uint32_t table[256];
static bool ready;

static void build(void)
{
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t c = b;

		for (int i = 0; i < 8; i++)
			c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
		table[b] = c;
	}
	ready = true;
}

uint32_t crc32c_raw(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;

	if (!ready)
		build();
	while (n--)
		crc = (crc >> 8) ^ table[(crc ^ *b++) & 0xff];
	return crc;
}
