/* cmd_volume.c: `mote volume create` makes an ext4 image with Debian's mkfs.ext4 (e2fsprogs),
 * `mote volume check` asks e2fsck whether one is clean. The image is a sparse file: it takes
 * the host's disk only as it fills. */
#include "cmd_volume.h"
#include "hosttool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIN_SIZE (1ull << 20) /* mkfs.ext4 wants room for its own metadata */

void cmd_volume_help(void)
{
	printf("usage: mote volume create FILE --size SIZE [--from DIR] [--label NAME]\n"
	       "       mote volume check FILE\n"
	       "\n"
	       "create  makes FILE (it must not exist) an ext4 file system of SIZE bytes\n"
	       "        (K, M, G, T suffixes: powers of 1024; at least 1M) with mkfs.ext4's\n"
	       "        defaults, the root directory owned by root; a sparse file that uses\n"
	       "        the host's disk only as it fills. --from DIR copies DIR's tree into it.\n"
	       "        Use it with `mote run -v FILE:/data PROGRAM`.\n"
	       "check   runs e2fsck -fn on FILE (nothing is changed): status 0 when clean,\n"
	       "        1 when e2fsck finds problems, 125 when it cannot run.\n"
	       "\n"
	       "Needs mkfs.ext4 and e2fsck (Debian package e2fsprogs).\n");
}

int volume_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long n;
	unsigned shift = 0;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 0:
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		return -1;
	}
	if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
		return -1;
	if (shift && n > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)n << shift;
	return 0;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int create(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "size", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "label", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *size_arg = NULL, *from = NULL, *label = NULL, *file;
	char mkfs[4096], sizebuf[32];
	char *args[16];
	uint64_t size;
	struct stat st;
	double t0 = now_ms();
	int c, fd, n = 0, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:f:L:", longs, NULL)) != -1) {
		switch (c) {
		case 's':
			size_arg = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 'L':
			label = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: mote volume create FILE --size SIZE [--from DIR]\n");
			return 125;
		}
	}
	if (optind != argc - 1 || !size_arg) {
		fprintf(stderr,
			"mote volume create: %s (usage: mote volume create FILE --size "
			"SIZE [--from DIR])\n",
			optind != argc - 1 ? "one FILE expected" : "--size is required");
		return 125;
	}
	file = argv[optind];
	if (volume_parse_size(size_arg, &size) < 0 || size < MIN_SIZE) {
		fprintf(stderr,
			"mote volume create: bad size '%s' (a number of bytes with K, M, G or T, "
			"at least 1M)\n",
			size_arg);
		return 125;
	}
	if (from && (stat(from, &st) < 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "mote volume create: --from %s: %s\n", from,
			errno && stat(from, &st) < 0 ? strerror(errno) : "not a directory");
		return 125;
	}
	if (!hosttool_find("mkfs.ext4", mkfs, sizeof(mkfs))) {
		fprintf(stderr, "mote volume create: mkfs.ext4 not found (Debian package "
				"e2fsprogs)\n");
		return 125;
	}
	/* O_EXCL: an existing file (someone's data) is never overwritten */
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "mote volume create: %s: %s%s\n", file, strerror(errno),
			errno == EEXIST ? " (nothing was changed; remove it first to replace it)"
					: "");
		return 125;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		fprintf(stderr, "mote volume create: %s: cannot size it: %s\n", file,
			strerror(errno));
		close(fd);
		unlink(file);
		return 125;
	}
	close(fd);
	snprintf(sizebuf, sizeof(sizebuf), "%lluk", (unsigned long long)(size >> 10));
	args[n++] = mkfs;
	args[n++] = "-q";
	args[n++] = "-b"; /* 4 KiB blocks at every size (mkfs.ext4 takes 1 KiB below 512 MiB) */
	args[n++] = "4096";
	args[n++] = "-F";
	args[n++] = "-E";
	args[n++] = "root_owner=0:0";
	if (from) {
		args[n++] = "-d";
		args[n++] = (char *)from;
	}
	if (label) {
		args[n++] = "-L";
		args[n++] = (char *)label;
	}
	args[n++] = (char *)file;
	args[n++] = sizebuf;
	args[n] = NULL;
	status = hosttool_run(args);
	if (status != 0) {
		fprintf(stderr, "mote volume create: mkfs.ext4 failed (%s %d); %s removed\n",
			status < 0 ? "killed or not run" : "status", status, file);
		unlink(file);
		return 125;
	}
	printf("%s: ext4, %llu MiB%s%s, made in %.0f ms; use: mote run -v %s:/data PROGRAM\n", file,
	       (unsigned long long)(size >> 20), from ? ", from " : "", from ? from : "",
	       now_ms() - t0, file);
	return 0;
}

static int check(int argc, char **argv)
{
	char e2fsck[4096];
	char *args[5];
	int status;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: mote volume check FILE\n");
		return 125;
	}
	if (access(argv[1], R_OK) < 0) {
		fprintf(stderr, "mote volume check: %s: %s\n", argv[1], strerror(errno));
		return 125;
	}
	if (!hosttool_find("e2fsck", e2fsck, sizeof(e2fsck))) {
		fprintf(stderr, "mote volume check: e2fsck not found (Debian package e2fsprogs)\n");
		return 125;
	}
	args[0] = e2fsck;
	args[1] = "-fn";
	args[2] = argv[1];
	args[3] = NULL;
	status = hosttool_run(args);
	if (status < 0 || status >= 8) {
		fprintf(stderr, "mote volume check: e2fsck could not check %s (status %d)\n",
			argv[1], status);
		return 125;
	}
	return status ? 1 : 0;
}

int cmd_volume(int argc, char **argv)
{
	if (argc < 2) {
		cmd_volume_help();
		return 125;
	}
	if (!strcmp(argv[1], "create"))
		return create(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		cmd_volume_help();
		return 0;
	}
	fprintf(stderr, "mote volume: no subcommand '%s' (create, check)\n", argv[1]);
	return 125;
}
