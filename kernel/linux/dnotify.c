/* dnotify.c: directory notification by signal, fcntl F_NOTIFY (dnotify.h). */
#include "linux/dnotify.h"
#include "core/mm/heap.h"
#include "fs/file.h"
#include "fs/notify.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "linux/fown.h"
#include "linux/task.h"

#define DN_EVENTS (DN_ACCESS | DN_MODIFY | DN_CREATE | DN_DELETE | DN_RENAME | DN_ATTRIB)

struct dnotify {
	struct notify_mark mark; /* on the directory's inode, tied to (file, descriptor table) */
	struct file *file;	 /* the watching file (not a reference: its close ends us) */
	int fd;
	bool multishot;
};

/* The notify events each DN_* bit stands for (Linux's): a name moving out of the directory
 * is a deletion there, one moving in a creation; DN_RENAME is a rename within it. */
static uint32_t events_of(uint32_t arg)
{
	uint32_t mask = 0;

	if (arg & DN_ACCESS)
		mask |= NOTIFY_ACCESS;
	if (arg & DN_MODIFY)
		mask |= NOTIFY_MODIFY;
	if (arg & DN_CREATE)
		mask |= NOTIFY_CREATE | NOTIFY_MOVED_TO;
	if (arg & DN_DELETE)
		mask |= NOTIFY_DELETE | NOTIFY_MOVED_FROM;
	if (arg & DN_RENAME)
		mask |= NOTIFY_RENAME;
	if (arg & DN_ATTRIB)
		mask |= NOTIFY_ATTRIB;
	return mask;
}

static bool event(struct notify_mark *m, uint32_t mask, const char *name)
{
	struct dnotify *dn = container_of(m, struct dnotify, mark);

	(void)mask;
	(void)name;
	fown_send(dn->file, dn->fd, POLL_MSG);
	return dn->multishot;
}

static void free_dnotify(struct notify_mark *m)
{
	kfree(container_of(m, struct dnotify, mark));
}

int dnotify_fcntl(struct file *f, int fd, uint32_t arg)
{
	struct fdtable *t = current_process()->fdt;
	struct notify_mark *m;
	struct dnotify *dn;
	struct file *now;

	if (!(arg & DN_EVENTS)) {
		notify_flush(f, t);
		return 0;
	}
	if (!S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	dn = kzalloc(sizeof(*dn));
	if (!dn)
		return -ENOMEM;
	fown_claim(f); /* the process that set the watch hears of it, if nobody else was named */
	notify_lock();
	m = notify_mark_find_locked(f->inode, f, t, free_dnotify);
	if (m) { /* more events for the watch there is, as Linux adds them */
		struct dnotify *old = container_of(m, struct dnotify, mark);

		m->mask |= events_of(arg);
		old->fd = fd;
		old->multishot |= (arg & DN_MULTISHOT) != 0;
		notify_unlock();
		kfree(dn);
		return 0;
	}
	dn->mark = (struct notify_mark){ .inode = f->inode,
					 .mask = events_of(arg),
					 .file = f,
					 .owner = t,
					 .event = event,
					 .free = free_dnotify };
	dn->file = f;
	dn->fd = fd;
	dn->multishot = (arg & DN_MULTISHOT) != 0;
	notify_mark_add_locked(&dn->mark);
	notify_unlock();
	/* A close of fd by another thread meanwhile flushed nothing yet there: the watch, which
	 * does not hold f, must not outlive the descriptor (Linux looks again the same way). */
	now = fd_get(fd);
	if (now != f)
		notify_flush(f, t);
	file_put(now);
	return 0;
}
