/* crc32.h: the CRC-32 of gzip, zip and Ethernet (reflected polynomial 0xedb88320). Pure: also
 * host-tested. */
#ifndef MOTE_LIB_CRC32_H
#define MOTE_LIB_CRC32_H

#include "lib/types.h"

/*
 * Extend crc (0 to start) over p[0, n) and return the new value: crc32_update(crc32_update(0,
 * a), b) is the CRC of a followed by b. The first call builds the lookup tables, so the first
 * caller must not race another (the kernel calls it from the boot CPU only).
 */
uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n);

#endif /* MOTE_LIB_CRC32_H */
