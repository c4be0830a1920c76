/* mount_syscalls.c: mount(2) and umount2(2) in Mote (tests/e2e/mount_syscalls.sh), with the
 * disks /dev/vda (ext4, mounted at boot on /boot_disk), /dev/vdb (ext4, read-write) and
 * /dev/vdc (ext4 on a read-only drive). Prints "ok ..." or "FAIL ..." a check, "M<n> <line>"
 * for /proc/mounts at step n, "C <name>: <value>" for values the script compares, and
 * "END" when done. Modes: "all" (everything, the last mount of vdb left for the exit's sync)
 * and "umount" (mount vdb, write, unmount, then wait to be killed: the disk must be clean
 * from the unmount alone). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#define BAD ((void *)1)

static int fails;

static void ok(int cond, const char *what)
{
	printf("%s %s\n", cond ? "ok  " : "FAIL", what);
	fails += !cond;
}

/* A call that must fail with errno e. */
static void fails_with(int r, int e, const char *what)
{
	char buf[256];
	int got = errno;

	snprintf(buf, sizeof(buf), "%s: %s (got %d, %s)", what, strerror(e), r,
		 r < 0 ? strerror(got) : "success");
	ok(r < 0 && got == e, buf);
}

static void succeeds(int r, const char *what)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s (%s)", what, r < 0 ? strerror(errno) : "done");
	ok(r == 0, buf);
}

static void mounts(int step)
{
	char line[512];
	FILE *f = fopen("/proc/mounts", "r");

	if (!f) {
		ok(0, "open /proc/mounts");
		return;
	}
	while (fgets(line, sizeof(line), f))
		printf("M%d %s", step, line);
	fclose(f);
}

/* /proc/self/mountinfo, a line each prefixed "I ". */
static void info(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/mountinfo", "r");

	ok(f != NULL, "open /proc/self/mountinfo");
	while (f && fgets(line, sizeof(line), f))
		printf("I %s", line);
	if (f)
		fclose(f);
}

/* Write a file, with an fsync if sync (else its durability is the unmount's or the exit's). */
static void put_file(const char *path, const char *text, int sync)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
		   (!sync || !fsync(fd)) && !close(fd),
	   path);
}

/* 1 MiB of a pattern. */
static void put_big(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + i / 4096);
	ok(fd >= 0 && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) && !close(fd), path);
}

static void show_file(const char *name, const char *path)
{
	char buf[256] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("C %s: %s\n", name, n < 0 ? strerror(errno) : buf);
}

static unsigned long sum_file(const char *path)
{
	static char buf[1 << 20];
	unsigned long s = 0;
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; i < n; i++)
		s = s * 31 + (unsigned char)buf[i];
	return n == (ssize_t)sizeof(buf) ? s : 0;
}

static void busy_cases(void)
{
	int fd;
	void *p;

	fd = open("/mnt/hello.txt", O_RDONLY);
	fails_with(umount("/mnt"), EBUSY, "umount with a file open");
	close(fd);
	fd = open("/mnt/dir/gone", O_RDWR | O_CREAT, 0644);
	unlink("/mnt/dir/gone");
	fails_with(umount("/mnt"), EBUSY, "umount with an unlinked file open");
	close(fd);
	fd = open("/mnt", O_RDONLY | O_DIRECTORY);
	fails_with(umount("/mnt"), EBUSY, "umount with the root directory open");
	close(fd);
	succeeds(chdir("/mnt/dir"), "chdir /mnt/dir");
	fails_with(umount("/mnt"), EBUSY, "umount with the cwd inside");
	succeeds(chdir("/"), "chdir /");
	fd = open("/mnt/dir/big.bin", O_RDONLY);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	ok(p != MAP_FAILED, "mmap /mnt/dir/big.bin");
	fails_with(umount("/mnt"), EBUSY, "umount with a mapping (fd closed)");
	munmap(p, 4096);
	succeeds(mkdir("/mnt/sub", 0755), "mkdir /mnt/sub");
	succeeds(mount("none", "/mnt/sub", "tmpfs", 0, NULL), "mount tmpfs on /mnt/sub");
	fails_with(umount("/mnt"), EBUSY, "umount with a mount on top");
	fails_with(umount2("/mnt", MNT_DETACH), EINVAL, "lazy umount of a busy mount (not done)");
	succeeds(umount("/mnt/sub"), "umount /mnt/sub");
}

static volatile int racing, iters;

/* Opens, reads, stats and lists /mnt in a loop while the main thread tries to unmount it. */
static void *user(void *arg)
{
	char buf[64];
	struct stat st;
	int *odd = arg;

	for (int i = 0; i < 3000 && racing; i++) {
		int fd = open("/mnt/hello.txt", O_RDONLY);

		/* the other thread runs while this one holds the file, and now and then while
		 * it holds nothing (the unmount may happen then) */
		if (fd >= 0) {
			sched_yield();
			if (read(fd, buf, sizeof(buf)) < 0)
				++*odd;
			close(fd);
		} else if (errno != ENOENT) {
			++*odd; /* ENOENT: unmounted meanwhile, /mnt is the empty directory below */
		}
		if (stat("/mnt/dir/big.bin", &st) && errno != ENOENT)
			++*odd;
		if (i % 97 == 96)
			sched_yield();
		iters++;
	}
	racing = 0;
	return NULL;
}

/* umount racing with a thread using the mount: each attempt EBUSY or done, never anything
 * else, no crash; the thread sees the files or (once unmounted) nothing. */
static void race(void)
{
	int odd = 0, busy = 0, other = 0, done = 0, at = 0;
	pthread_t t;

	racing = 1;
	pthread_create(&t, NULL, user, &odd);
	while (racing && iters < 300)
		sched_yield(); /* the thread well under way */
	while (racing && !done) {
		int r = umount("/mnt");

		if (!r)
			done = 1, at = iters;
		else if (errno == EBUSY)
			busy++;
		else
			other++;
		sched_yield();
	}
	racing = 0;
	pthread_join(t, NULL);
	if (!done)
		succeeds(umount("/mnt"), "umount after the race");
	printf("C race: %d EBUSY, then %s at the thread's iteration %d of 3000\n", busy,
	       done ? "unmounted" : "not unmounted", at);
	ok(!other && !odd, "race: umount gave EBUSY or 0 only, the thread saw no other error");
}

static void ext4_rw(void)
{
	struct stat st;

	succeeds(mount("/dev/vdb", "/mnt", "ext4", 0, NULL), "mount /dev/vdb /mnt (rw)");
	mounts(2);
	succeeds(mkdir("/mnt/dir", 0755), "mkdir /mnt/dir");
	put_file("/mnt/hello.txt", "hello from mount(2)\n", 0);
	put_big("/mnt/dir/big.bin");
	ok(stat("/mnt/hello.txt", &st) == 0 && st.st_size == 20, "stat /mnt/hello.txt");
	busy_cases();
	race();
	mounts(3);
	fails_with(stat("/mnt/hello.txt", &st), ENOENT, "the file is gone with the mount");
}

static void ext4_ro_remount(void)
{
	void *p;
	int fd;

	succeeds(mount("/dev/vdb", "/mnt", "ext4", MS_RDONLY, NULL), "mount /dev/vdb /mnt ro");
	mounts(4);
	fails_with(open("/mnt/new.txt", O_WRONLY | O_CREAT, 0644), EROFS, "create on ro");
	fails_with(open("/mnt/hello.txt", O_WRONLY), EROFS, "open for writing on ro");
	fails_with(mkdir("/mnt/d2", 0755), EROFS, "mkdir on ro");
	fails_with(unlink("/mnt/hello.txt"), EROFS, "unlink on ro");
	show_file("ro hello", "/mnt/hello.txt");
	printf("C ro big: %lx\n", sum_file("/mnt/dir/big.bin"));
	succeeds(mount(NULL, "/mnt", NULL, MS_REMOUNT, NULL), "remount rw");
	mounts(5);
	put_file("/mnt/remount.txt", "written after a remount rw\n", 1);
	fd = open("/mnt/remount.txt", O_WRONLY);
	fails_with(mount(NULL, "/mnt", NULL, MS_REMOUNT | MS_RDONLY, NULL), EBUSY,
		   "remount ro with a file open for writing");
	close(fd);
	fd = open("/mnt/mapped.txt", O_RDWR | O_CREAT, 0644);
	p = fd >= 0 && !ftruncate(fd, 4096)
		    ? mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
		    : MAP_FAILED;
	close(fd);
	ok(p != MAP_FAILED, "a shared writable mapping of /mnt/mapped.txt");
	if (p != MAP_FAILED)
		memcpy(p, "written through a mapping\n", 26);
	fails_with(mount(NULL, "/mnt", NULL, MS_REMOUNT | MS_RDONLY, NULL), EBUSY,
		   "remount ro with a shared writable mapping (fd closed)");
	if (p != MAP_FAILED)
		munmap(p, 4096);
	succeeds(mount(NULL, "/mnt", NULL, MS_REMOUNT | MS_RDONLY, NULL), "remount ro");
	mounts(6);
	fails_with(open("/mnt/x", O_WRONLY | O_CREAT, 0644), EROFS, "create after remount ro");
	show_file("ro remount", "/mnt/remount.txt");
	fails_with(mount(NULL, "/tmp", NULL, MS_REMOUNT, NULL), EINVAL, "remount of no mount");
	succeeds(umount("/mnt"), "umount /mnt (ro)");
}

/* Two tmpfs on /mnt, one on the other; a socket bound in the top one holds it (its inode,
 * no dentry or file of the mount held). */
static void stacked(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "/mnt/sock" };
	struct stat st;
	int s;

	succeeds(mount("one", "/mnt", "tmpfs", 0, NULL), "mount tmpfs one");
	put_file("/mnt/a", "in one\n", 0);
	succeeds(mount("two", "/mnt", "tmpfs", 0, NULL), "mount tmpfs two on top of it");
	fails_with(stat("/mnt/a", &st), ENOENT, "one's file hidden under two");
	mounts(11);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	succeeds(bind(s, (struct sockaddr *)&a, sizeof(a)), "bind a socket at /mnt/sock");
	fails_with(umount("/mnt"), EBUSY, "umount with a socket bound in it");
	close(s);
	succeeds(umount("/mnt"), "umount two");
	ok(stat("/mnt/a", &st) == 0, "one's file seen again");
	succeeds(umount("/mnt"), "umount one");
}

static void other_types(void)
{
	struct statfs sf;
	struct stat st;

	succeeds(mount("tmpfs", "/mnt", "tmpfs", MS_NOSUID | MS_NODEV, NULL), "mount tmpfs");
	put_file("/mnt/t.txt", "in tmpfs\n", 0);
	mounts(7);
	show_file("tmpfs", "/mnt/t.txt");
	succeeds(mount(NULL, "/mnt", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL),
		 "remount tmpfs ro");
	mounts(10);
	fails_with(unlink("/mnt/t.txt"), EROFS, "unlink on ro tmpfs");
	fails_with(rename("/mnt/t.txt", "/mnt/u.txt"), EROFS, "rename on ro tmpfs");
	fails_with(link("/mnt/t.txt", "/mnt/u.txt"), EROFS, "link on ro tmpfs");
	fails_with(truncate("/mnt/t.txt", 0), EROFS, "truncate on ro tmpfs");
	fails_with(open("/mnt/t.txt", O_RDWR), EROFS, "open for writing on ro tmpfs");
	show_file("tmpfs ro", "/mnt/t.txt");
	succeeds(umount("/mnt"), "umount tmpfs");
	fails_with(stat("/mnt/t.txt", &st), ENOENT, "tmpfs's file gone");
	stacked();
	succeeds(mount("tmpfs", "/mnt", "tmpfs", MS_RDONLY, NULL), "mount tmpfs ro");
	fails_with(open("/mnt/x", O_WRONLY | O_CREAT, 0644), EROFS, "create on ro tmpfs");
	fails_with(mkdir("/mnt/d", 0755), EROFS, "mkdir on ro tmpfs");
	fails_with(rmdir("/mnt/none"), ENOENT, "rmdir of nothing on ro tmpfs");
	succeeds(umount("/mnt"), "umount ro tmpfs");
	succeeds(mount("proc", "/mnt", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
		 "mount a second proc");
	ok(stat("/mnt/self/mounts", &st) == 0, "the second proc has self/mounts");
	ok(statfs("/mnt", &sf) == 0 && sf.f_type == 0x9fa0, "statfs says proc");
	mounts(8);
	succeeds(umount("/mnt"), "umount the second proc");
	succeeds(mount("sysfs", "/mnt", "sysfs", 0, NULL), "mount a second sysfs");
	ok(stat("/mnt/devices/system/cpu/online", &st) == 0, "the second sysfs has cpu/online");
	succeeds(umount2("/mnt", MNT_DETACH), "lazy umount of an idle sysfs (done at once)");
	succeeds(mount("ramfs", "/mnt", "ramfs", 0, NULL), "mount ramfs");
	succeeds(umount2("/mnt", MNT_FORCE), "forced umount of ramfs");
}

static void errors(void)
{
	int fd = open("/tmp/file", O_WRONLY | O_CREAT, 0644);

	close(fd);
	fails_with(mount("x", "/mnt", "nosuchfs", 0, NULL), ENODEV, "unknown type");
	fails_with(mount("/dev/null", "/mnt", "ext4", 0, NULL), ENOTBLK, "a char device source");
	fails_with(mount("/tmp/file", "/mnt", "ext4", 0, NULL), ENOTBLK, "a regular file source");
	fails_with(mount("/dev/vdz", "/mnt", "ext4", 0, NULL), ENOENT, "a missing source");
	fails_with(mount(NULL, "/mnt", "ext4", 0, NULL), EINVAL, "ext4 without a source");
	fails_with(mount("/dev/vdb", "/tmp/file", "ext4", 0, NULL), ENOTDIR, "a file as target");
	fails_with(mount("/dev/vdb", "/nonexistent", "ext4", 0, NULL), ENOENT, "a missing target");
	fails_with(mount("/dev/vda", "/mnt", "ext4", 0, NULL), EBUSY, "a disk mounted at boot");
	succeeds(mount("/dev/vdb", "/mnt", "ext4", 0, NULL), "mount /dev/vdb");
	succeeds(mkdir("/mnt2", 0755), "mkdir /mnt2");
	fails_with(mount("/dev/vdb", "/mnt2", "ext4", 0, NULL), EBUSY, "a disk mounted already");
	succeeds(umount("/mnt"), "umount /mnt");
	fails_with(mount("/dev/vdc", "/mnt", "ext4", 0, NULL), EACCES, "a read-only disk rw");
	succeeds(mount("/dev/vdc", "/mnt", "ext4", MS_RDONLY, NULL), "a read-only disk ro");
	show_file("vdc", "/mnt/ro.txt");
	succeeds(umount("/mnt"), "umount the read-only disk");
	fails_with(mount("/dev/vdb", "/mnt", "ext4", MS_BIND, NULL), EINVAL, "MS_BIND");
	fails_with(mount("/mnt", "/mnt2", NULL, MS_MOVE, NULL), EINVAL, "MS_MOVE");
	succeeds(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "make / private (it is)");
	succeeds(mount(NULL, "/proc", NULL, MS_SLAVE, NULL), "make /proc a slave (of nothing)");
	fails_with(mount(NULL, "/", NULL, MS_SHARED, NULL), EINVAL, "make / shared");
	fails_with(mount(NULL, "/", NULL, MS_PRIVATE | MS_SLAVE, NULL), EINVAL, "two kinds");
	fails_with(mount(NULL, "/tmp", NULL, MS_PRIVATE, NULL), EINVAL, "private: no mount");
	fails_with(mount(BAD, "/mnt", "ext4", 0, NULL), EFAULT, "a bad source pointer");
	fails_with(mount("/dev/vdb", BAD, "ext4", 0, NULL), EFAULT, "a bad target pointer");
	fails_with(mount("/dev/vdb", "/mnt", BAD, 0, NULL), EFAULT, "a bad type pointer");
	fails_with(mount("/dev/vdb", "/mnt", "ext4", 0, BAD), EFAULT, "a bad data pointer");
	fails_with(umount("/tmp"), EINVAL, "umount of no mount");
	fails_with(umount("/nonexistent"), ENOENT, "umount of a missing path");
	fails_with(umount2("/mnt", 0x100), EINVAL, "umount2 with unknown flags");
	fails_with(umount(BAD), EFAULT, "umount of a bad pointer");
	fails_with(umount("/"), EBUSY, "umount of /");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	struct stat st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir("/mnt", 0755);
	if (!strcmp(mode, "umount")) {
		succeeds(mount("/dev/vdb", "/mnt", "ext4", 0, NULL), "mount /dev/vdb /mnt");
		put_file("/mnt/hello.txt", "hello from mount(2)\n", 0);
		succeeds(umount("/mnt"), "umount /mnt");
		printf("UMOUNTED\n");
		pause();
		return 1;
	}
	mounts(1);
	ok(stat("/dev/vdb", &st) == 0 && S_ISBLK(st.st_mode) && major(st.st_rdev) == 254 &&
		   minor(st.st_rdev) == 16,
	   "/dev/vdb is block device 254:16");
	ext4_rw();
	ext4_ro_remount();
	other_types();
	errors();
	/* left mounted: the exit's sync must leave it clean */
	succeeds(mount("/dev/vdb", "/mnt", "ext4", 0, NULL), "mount /dev/vdb for the exit");
	put_file("/mnt/atexit.txt", "left for the exit's sync\n", 0);
	mounts(9);
	info();
	printf("END %d failures\n", fails);
	return fails != 0;
}
