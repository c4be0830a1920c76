/* crc32c.h: CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), the checksum of ext4's
 * metadata, iSCSI and SCTP. Pure: no kernel state but its table. */
#ifndef MOTE_LIB_CRC32C_H
#define MOTE_LIB_CRC32C_H

#include "lib/types.h"

/*
 * Extend crc over p[0, n) without the customary inversions, and return the new value: this is
 * the form ext4 chains (its seed is crc32c_raw(~0, uuid, 16) and every checksum continues from
 * there). The standard CRC-32C of a buffer is ~crc32c_raw(~0, p, n). The first call builds the
 * table, so it must not race another (ext4 first calls it at mount, from the boot thread).
 */
uint32_t crc32c_raw(uint32_t crc, const void *p, size_t n);

#endif /* MOTE_LIB_CRC32C_H */
