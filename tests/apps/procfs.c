/* procfs.c: /proc and /sys files a program reads about itself and the machine, each checked
 * against what the system calls say: self/{exe,cwd,fd,maps,stat,status,cmdline,environ,auxv,
 * limits}, cpuinfo, meminfo, stat, uptime, version, mounts, sys/kernel, cpu/online. */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>

extern char **environ;
static char buf[1 << 17];

/* Reads the whole file into buf (NUL-terminated); returns its length or -1. */
static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	return r < 0 ? -1 : n;
}

/* The value after "key" at the start of a line of buf, or NULL. */
static const char *field(const char *key)
{
	size_t k = strlen(key);

	for (const char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, k) == 0)
			return l + k;
	return NULL;
}

static long num(const char *key)
{
	const char *v = field(key);

	return v ? strtol(v, NULL, 10) : -1;
}

/* Finds the maps line holding address a: its permissions and path ("" if none) and range. */
static int find_map(uintptr_t a, char *perms, char *path, uintptr_t *start, uintptr_t *end)
{
	for (char *l = buf; *l;) {
		char line[PATH_MAX + 128], *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		unsigned long s, e;
		int off = 0;

		snprintf(line, sizeof(line), "%.*s", (int)n, l);
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s%n", &s, &e, perms, &off) == 3 && a >= s &&
		    a < e) {
			snprintf(path, PATH_MAX, "%s", line + off + strspn(line + off, " "));
			*start = s;
			*end = e;
			return 1;
		}
		l += n + (nl != NULL);
	}
	return 0;
}

static void *sleeper(void *arg)
{
	while (!*(volatile int *)arg)
		usleep(1000);
	return NULL;
}

static void self_files(int argc, char **argv, const char *tmp)
{
	char exe[PATH_MAX] = "", real[PATH_MAX] = "", cwd[PATH_MAX], link[PATH_MAX] = "", name[64];
	char perms[8], path[PATH_MAX];
	uintptr_t s, e;
	long n, len = 0;
	int fd, stop = 0, ok;
	pthread_t t;
	char *m;

	CHECK(readlink("/proc/self/exe", exe, sizeof(exe) - 1) > 0 && realpath(argv[0], real) &&
		      strcmp(exe, real) == 0,
	      "/proc/self/exe names the program");
	snprintf(name, sizeof(name), "%d", getpid());
	CHECK(readlink("/proc/self", link, sizeof(link) - 1) > 0 && strcmp(link, name) == 0,
	      "/proc/self links to our pid");
	CHECK(chdir(tmp) == 0 && getcwd(cwd, sizeof(cwd)) &&
		      readlink("/proc/self/cwd", link, sizeof(link)) == (long)strlen(cwd) &&
		      memcmp(link, cwd, strlen(cwd)) == 0,
	      "/proc/self/cwd follows chdir");
	fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "via fd", 6);
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	memset(link, 0, sizeof(link));
	CHECK(readlink(name, link, sizeof(link) - 1) > 0 && strncmp(link, cwd, strlen(cwd)) == 0 &&
		      strcmp(link + strlen(cwd), "/f") == 0,
	      "/proc/self/fd/N names the open file");
	n = open(name, O_RDONLY);
	CHECK(n >= 0 && read(n, link, 6) == 6 && memcmp(link, "via fd", 6) == 0,
	      "opening /proc/self/fd/N opens the file");
	close(n);
	CHECK(slurp("/proc/self/cmdline") >= 0, "read /proc/self/cmdline");
	ok = 1;
	for (int i = 0; i < argc; len += strlen(argv[i]) + 1, i++)
		ok &= strcmp(buf + len, argv[i]) == 0;
	CHECK(ok, "/proc/self/cmdline holds our %d argument(s)", argc);
	n = slurp("/proc/self/environ");
	ok = n >= 0;
	len = 0;
	for (char **v = environ; *v && ok; len += strlen(*v) + 1, v++)
		ok &= len < n && strcmp(buf + len, *v) == 0;
	CHECK(ok && len == n, "/proc/self/environ holds our environment");

	m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(m + 4096, 4096, PROT_READ);
	CHECK(slurp("/proc/self/maps") > 0, "read /proc/self/maps");
	CHECK(find_map((uintptr_t)&self_files, perms, path, &s, &e) && strcmp(perms, "r-xp") == 0 &&
		      strcmp(path, exe) == 0,
	      "maps: our code is r-xp from the program file");
	CHECK(find_map((uintptr_t)&n, perms, path, &s, &e) && strcmp(path, "[stack]") == 0 &&
		      strcmp(perms, "rw-p") == 0,
	      "maps: our stack is [stack], rw-p");
	CHECK(find_map((uintptr_t)m + 4096, perms, path, &s, &e) && strcmp(perms, "r--p") == 0 &&
		      s == (uintptr_t)m + 4096 && e == s + 4096,
	      "maps: an mprotect'ed page is its own r--p mapping");
	CHECK(find_map(getauxval(AT_SYSINFO_EHDR), perms, path, &s, &e) &&
		      strcmp(path, "[vdso]") == 0 && s == getauxval(AT_SYSINFO_EHDR),
	      "maps: the vDSO is [vdso]");
	munmap(m, 3 * 4096);

	pthread_create(&t, NULL, sleeper, &stop);
	CHECK(slurp("/proc/self/status") > 0, "read /proc/self/status");
	CHECK(num("Pid:\t") == getpid() && num("PPid:\t") == getppid(), "status: Pid and PPid");
	CHECK(num("Uid:\t") == (long)getuid() && num("Gid:\t") == (long)getgid(),
	      "status: Uid and Gid");
	CHECK_EQ(num("Threads:\t"), 2, "status: Threads 2 while a thread runs");
	CHECK(slurp("/proc/self/stat") > 0, "read /proc/self/stat");
	stop = 1;
	pthread_join(t, NULL);
	{
		char *close_paren = strrchr(buf, ')'), state = 0;
		int pid = 0, ppid = -1, threads = 0;
		const char *base = strrchr(exe, '/') + 1;

		CHECK(sscanf(buf, "%d", &pid) == 1 && pid == getpid(), "stat: our pid first");
		CHECK(close_paren && strncmp(strchr(buf, '(') + 1, base,
					     15 < strlen(base) ? 15 : strlen(base)) == 0,
		      "stat: comm is the program's name");
		CHECK(close_paren &&
			      sscanf(close_paren + 2,
				     "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %d",
				     &state, &ppid, &threads) == 3 &&
			      state == 'R' && ppid == getppid() && threads == 2,
		      "stat: state R, our ppid, 2 threads");
	}
	close(fd);
}

static void limits_auxv(void)
{
	struct rlimit rl;
	const uint64_t *av;
	long n, seen = 0;
	char want[64];

	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK(slurp("/proc/self/limits") > 0 && strncmp(buf, "Limit", 5) == 0,
	      "read /proc/self/limits");
	snprintf(want, sizeof(want), "%-26s%-21lu", "Max open files", (unsigned long)rl.rlim_cur);
	CHECK(field(want) != NULL, "limits: Max open files shows our soft RLIMIT_NOFILE");
	n = slurp("/proc/self/auxv");
	CHECK(n > 0 && n % 16 == 0, "read /proc/self/auxv: whole pairs");
	av = (const uint64_t *)buf;
	for (long i = 0; i < n / 16 && av[2 * i] != AT_NULL; i++) {
		switch (av[2 * i]) {
		case AT_PAGESZ:
		case AT_PHDR:
		case AT_ENTRY:
		case AT_RANDOM:
		case AT_SYSINFO_EHDR:
			seen += av[2 * i + 1] == getauxval(av[2 * i]);
		}
	}
	CHECK_EQ(seen, 5, "auxv: PAGESZ, PHDR, ENTRY, RANDOM, SYSINFO_EHDR match getauxval");
}

static int count_cpus(const char *list)
{
	int n = 0, a, b, used;

	while (sscanf(list, "%d%n", &a, &used) == 1) {
		list += used;
		b = a;
		if (*list == '-' && sscanf(list + 1, "%d%n", &b, &used) == 1)
			list += used + 1;
		n += b - a + 1;
		if (*list != ',')
			break;
		list++;
	}
	return n;
}

static void machine(void)
{
	struct utsname u;
	int online, procs = 0;
	char *l;

	uname(&u);
	CHECK(slurp("/sys/devices/system/cpu/online") > 0, "read /sys/devices/system/cpu/online");
	online = count_cpus(buf);
	CHECK_EQ(online, sysconf(_SC_NPROCESSORS_ONLN), "it counts sysconf's online CPUs");
	CHECK(slurp("/proc/cpuinfo") > 0, "read /proc/cpuinfo");
	for (l = buf; (l = strstr(l, "processor\t:")); l++)
		procs++;
	CHECK_EQ(procs, online, "cpuinfo: one processor entry per online CPU");
	CHECK(field("flags\t\t:") && strstr(buf, " fpu ") && field("vendor_id\t:"),
	      "cpuinfo: vendor_id and flags with fpu");
	CHECK(slurp("/proc/meminfo") > 0 && num("MemTotal:") > 0 &&
		      num("MemFree:") <= num("MemTotal:") && strstr(buf, " kB\n"),
	      "meminfo: MemTotal > 0, MemFree <= MemTotal, in kB");
	CHECK(slurp("/proc/stat") > 0 && strncmp(buf, "cpu ", 4) == 0 && field("cpu0 "),
	      "/proc/stat: cpu and cpu0 lines");
	double up = -1, idle = -1;
	CHECK(slurp("/proc/uptime") > 0 && sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0 &&
		      idle >= 0,
	      "/proc/uptime: two numbers, uptime > 0");
	CHECK(slurp("/proc/version") > 0 && strncmp(buf, "Linux version ", 14) == 0 &&
		      strncmp(buf + 14, u.release, strlen(u.release)) == 0,
	      "/proc/version: Linux version <uname release>");
	CHECK(slurp("/proc/mounts") > 0 && strstr(buf, " / ") != NULL, "/proc/mounts lists /");
	CHECK(slurp("/proc/sys/kernel/hostname") > 0 &&
		      strncmp(buf, u.nodename, strlen(u.nodename)) == 0 &&
		      buf[strlen(u.nodename)] == '\n',
	      "/proc/sys/kernel/hostname is uname's nodename");
	CHECK(slurp("/proc/sys/kernel/osrelease") > 0 &&
		      strncmp(buf, u.release, strlen(u.release)) == 0,
	      "/proc/sys/kernel/osrelease is uname's release");
	CHECK_ERR(open("/proc/self/no-such-file", O_RDONLY), ENOENT,
		  "a missing /proc file: ENOENT");
}

int main(int argc, char **argv)
{
	const char *tmp;

	check_start();
	tmp = check_tmpdir();
	self_files(argc, argv, tmp);
	limits_auxv();
	machine();
	CHECK_EQ(chdir("/"), 0, "chdir /");
	CHECK_EQ(check_rmtree(tmp), 0, "remove the scratch directory");
	return check_done();
}
