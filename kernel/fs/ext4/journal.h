/* journal.h: every change to a mounted ext4 file system goes through a transaction, and with
 * has_journal reaches the disk through the jbd2 journal (the kernel's
 * Documentation/filesystems/ext4/journal.rst), so that a crash at any moment leaves the file
 * system as it was after some commit: never half a change.
 *
 * A change is made between ext4_tx_begin and ext4_tx_end (a handle; one at a time: the file
 * system's write lock). Each metadata block it changes is first pinned with ext4_tx_get (or
 * ext4_tx_new for a block allocated now and written whole), then changed in place in the
 * buffer; the handle owns nothing afterwards: the running transaction holds the buffer until
 * it commits. File data is not journalled (ordered mode): it is written to its blocks before
 * the transaction that points at them commits. A block freed under a handle is given back
 * (ext4_alloc_commit) only as the transaction commits, so that no data is written into a
 * block a crash could give back to its old owner.
 *
 * The running transaction commits on ext4_tx_commit (fsync, sync, unmount), and on its own
 * when it has grown large or old. A commit writes the blocks to the journal, a commit block,
 * then the blocks to their homes (checkpoint), each step made durable by a device flush.
 */
#ifndef MOTE_FS_EXT4_JOURNAL_H
#define MOTE_FS_EXT4_JOURNAL_H

#include "lib/types.h"

struct ext4_fs;
struct bbuf;

/* At mount, before anything else reads the file system's blocks through the cache: find the
 * journal (s_journal_inum), check its superblock, and replay it if the file system needs
 * recovery (then clear that). With rw, mark the file system in use (needs_recovery set) for
 * as long as it is mounted. 0, -EROFS (needs recovery on a read-only device), -EBADMSG (a
 * journal superblock that fails its checksum), -EOPNOTSUPP (an external journal, unknown
 * journal features), -EIO; one console line says why. */
int ext4_journal_mount(struct ext4_fs *fs, bool rw) __must_check;
/* Commit, write every block home, clear needs_recovery: the file system is clean on disk. */
int ext4_journal_unmount(struct ext4_fs *fs) __must_check;

/* Open a handle (sleeps while another is open). */
void ext4_tx_begin(struct ext4_fs *fs);
/* Pin block blk for a change under the open handle (read unless cached). */
int ext4_tx_get(struct ext4_fs *fs, uint64_t blk, struct bbuf **out) __must_check;
/* Pin block blk, its bytes zeroed, for a block the handle writes whole. */
int ext4_tx_new(struct ext4_fs *fs, uint64_t blk, struct bbuf **out) __must_check;
/* Close the handle; the transaction may commit now if it has grown large. 0, or a commit's
 * error (the file system is read-only afterwards). */
int ext4_tx_end(struct ext4_fs *fs) __must_check;
/* Make every closed handle's changes durable (no handle open). 0, -EIO (and the file system
 * is read-only afterwards: nothing more reaches the disk). */
int ext4_tx_commit(struct ext4_fs *fs) __must_check;

#endif /* MOTE_FS_EXT4_JOURNAL_H */
