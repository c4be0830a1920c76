/* replay.h: recovery of an ext4 file system from its jbd2 journal after a crash: the log's
 * committed transactions are written again to their homes, in order, except the blocks a
 * later (or the same) transaction revoked. */
#ifndef MOTE_FS_EXT4_REPLAY_H
#define MOTE_FS_EXT4_REPLAY_H

#include "lib/types.h"

struct jbd2;

struct replay_counts {
	unsigned transactions; /* committed ones found in the log */
	unsigned blocks;       /* blocks written home */
	unsigned revoked;      /* logged copies not written (revoked) */
	uint32_t end;	       /* the first sequence number not committed in the log */
};

/*
 * Walk j's log from its superblock's s_start and s_sequence (nothing if s_start is 0) to
 * find the last committed transaction: a block with the wrong magic or sequence, a
 * descriptor, revoke or commit block whose checksum fails, a copy whose tag's checksum fails,
 * or a tag naming a block past the file system, ends the log there and that transaction is
 * not replayed (a torn write). With apply, then collect the revoke records of the committed
 * transactions, write every logged copy not revoked home (un-escaped), and flush the device.
 * The journal superblock is not changed. 0, the device's error, -ENOMEM.
 */
int replay_run(struct jbd2 *j, bool apply, struct replay_counts *out) __must_check;

#endif /* MOTE_FS_EXT4_REPLAY_H */
