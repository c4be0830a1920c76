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
 * at a handle's end when it has grown large (EXT4_TX_LARGE blocks, or a quarter of a small
 * journal). A commit flushes the device (the file data written so far first: ordered mode),
 * writes descriptor blocks and copies of the changed blocks to the journal, flushes, writes
 * a commit block, flushes, then writes the blocks to their homes (checkpoint), flushes, and
 * marks the journal empty. Without has_journal a commit writes the blocks home after a flush
 * of the data (ordered, but not atomic across a crash).
 *
 * A transaction's blocks stay pinned in the block cache until they are home, so a handle may
 * pin at most EXT4_TX_HANDLE_BLOCKS blocks (and ext4_alloc_commit as many more): tx_get and
 * tx_new say -ENOSPC past that, and the handle must be split.
 */
#ifndef MOTE_FS_EXT4_JOURNAL_H
#define MOTE_FS_EXT4_JOURNAL_H

#include "lib/types.h"

struct ext4_fs;
struct bbuf;

#define EXT4_TX_HANDLE_BLOCKS 64 /* the most blocks one handle may pin */
#define EXT4_TX_LARGE 64	 /* a transaction this large commits at a handle's end */

/* At mount, right after ext4_super_read: find the journal (s_journal_inum), check its
 * superblock, and if the file system needs recovery (needs_recovery set, a log in the
 * journal) replay it, clear needs_recovery and read the superblock and group descriptors
 * again (ext4_super_reload: the cache is new). One console line says how much was replayed.
 * With rw, set the journal's features (64bit, and csum_v3 with metadata_csum) and mark the
 * file system in use (needs_recovery set) for as long as it is mounted. A clean file system
 * mounted read-only does not look at its journal. 0, -EROFS (recovery needed on a read-only
 * device, or rw asked there), -EBADMSG (a journal superblock that fails its checksum),
 * -EOPNOTSUPP (an external or block-mapped journal, unknown journal features), -EINVAL (a
 * corrupt journal superblock), -EIO, -ENOMEM; one console line says why. */
int ext4_journal_mount(struct ext4_fs *fs, bool rw) __must_check;
/* Commit, write every block home, clear needs_recovery: the file system is clean on disk.
 * Frees the journal's state. */
int ext4_journal_unmount(struct ext4_fs *fs) __must_check;
/* Free the journal's state without writing anything (a mount that fails after
 * ext4_journal_mount; ext4_super_free calls it). */
void ext4_journal_free(struct ext4_fs *fs);

/* Open a handle (sleeps while another is open). */
void ext4_tx_begin(struct ext4_fs *fs);
/* Pin block blk for a change under the open handle (read unless cached). */
int ext4_tx_get(struct ext4_fs *fs, uint64_t blk, struct bbuf **out) __must_check;
/* Pin block blk, its bytes zeroed, for a block the handle writes whole. */
int ext4_tx_new(struct ext4_fs *fs, uint64_t blk, struct bbuf **out) __must_check;
/* Close the handle; the transaction may commit now if it has grown large. 0, or a commit's
 * error (the file system is read-only afterwards). */
int ext4_tx_end(struct ext4_fs *fs) __must_check;
/* Make every closed handle's changes, and the file data written so far, durable (no handle
 * open). A transaction with no blocks writes nothing: the device is only flushed. 0, -EIO
 * (and the file system is read-only afterwards: nothing more reaches the disk). */
int ext4_tx_commit(struct ext4_fs *fs) __must_check;

#endif /* MOTE_FS_EXT4_JOURNAL_H */
