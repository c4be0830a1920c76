/* shm.c: POSIX shared memory and named semaphores, which glibc keeps as files in /dev/shm
 * (issue 17: Mote had no /dev/shm, so sem_open failed with ENOENT and Python's
 * multiprocessing locks with it): the directory as Linux mounts it, shm_open + mmap shared
 * with a child, sem_open/sem_post/sem_wait across fork, O_EXCL, unlink. */
#include "check.h"

#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#define SHM_NAME "/mote-apps-shm"
#define SEM_NAME "/mote-apps-sem"

static void directory(void)
{
	struct statvfs sv;
	struct stat st;

	CHECK(stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode), "/dev/shm is a directory");
	CHECK_EQ(st.st_mode & 07777, 01777, "... open to all, sticky (mode %o)",
		 st.st_mode & 07777);
	CHECK(statvfs("/dev/shm", &sv) == 0 && !(sv.f_flag & ST_RDONLY), "... writable");
}

static void shared_memory(void)
{
	int fd = shm_open(SHM_NAME, O_RDWR | O_CREAT | O_EXCL, 0600);
	char *m;
	pid_t pid;
	int status;

	CHECK(fd >= 0, "shm_open(O_CREAT|O_EXCL)");
	if (fd < 0)
		return;
	CHECK(shm_open(SHM_NAME, O_RDWR | O_CREAT | O_EXCL, 0600) < 0 && errno == EEXIST,
	      "shm_open(O_EXCL) again: EEXIST");
	CHECK(access("/dev/shm" SHM_NAME, F_OK) == 0, "it is the file /dev/shm" SHM_NAME);
	CHECK_EQ(ftruncate(fd, 8192), 0, "ftruncate to 8 KiB");
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap(MAP_SHARED)");
	if (m == MAP_FAILED)
		return;
	pid = fork();
	if (pid == 0) {
		int cfd = shm_open(SHM_NAME, O_RDWR, 0);
		char *c = cfd < 0 ? MAP_FAILED
				  : mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);

		if (c == MAP_FAILED)
			_exit(2);
		strcpy(c + 4096, "from the child");
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "a child opens it by name and writes");
	CHECK(strcmp(m + 4096, "from the child") == 0, "the parent's mapping sees the write");
	munmap(m, 8192);
	close(fd);
	CHECK_EQ(shm_unlink(SHM_NAME), 0, "shm_unlink");
	CHECK(shm_open(SHM_NAME, O_RDWR, 0) < 0 && errno == ENOENT, "then shm_open: ENOENT");
}

static void semaphores(void)
{
	sem_t *s = sem_open(SEM_NAME, O_CREAT | O_EXCL, 0600, 0);
	int v = -1, status;
	pid_t pid;

	CHECK(s != SEM_FAILED, "sem_open(O_CREAT|O_EXCL, 0)");
	if (s == SEM_FAILED)
		return;
	CHECK(sem_open(SEM_NAME, O_CREAT | O_EXCL, 0600, 0) == SEM_FAILED && errno == EEXIST,
	      "sem_open(O_EXCL) again: EEXIST");
	pid = fork();
	if (pid == 0) {
		sem_t *c = sem_open(SEM_NAME, 0);

		if (c == SEM_FAILED || sem_post(c) || sem_post(c))
			_exit(2);
		_exit(0);
	}
	CHECK_EQ(sem_wait(s), 0, "sem_wait returns after the child's sem_post");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "the child opened it by name and posted twice");
	CHECK(sem_getvalue(s, &v) == 0 && v == 1, "one post left (value %d)", v);
	CHECK(sem_trywait(s) == 0 && sem_trywait(s) < 0 && errno == EAGAIN,
	      "sem_trywait: one, then EAGAIN");
	CHECK_EQ(sem_close(s), 0, "sem_close");
	CHECK_EQ(sem_unlink(SEM_NAME), 0, "sem_unlink");
	CHECK(sem_open(SEM_NAME, 0) == SEM_FAILED && errno == ENOENT, "then sem_open: ENOENT");
}

int main(void)
{
	check_start();
	directory();
	shared_memory();
	semaphores();
	return check_done();
}
