/* cmd_cache.c: `mote cache ls|prune` — what the image cache holds, and emptying it. */
#include "cmd_cache.h"

#include "cache.h"
#include "image.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cmd_cache_help(void)
{
	printf("usage: mote cache ls\n"
	       "       mote cache prune [--max-size SIZE | --all]\n"
	       "\n"
	       "mote run keeps each program's image in a cache ($MOTE_CACHE_DIR, else\n"
	       "$XDG_CACHE_HOME/mote, else ~/.cache/mote), so that a second run builds nothing.\n"
	       "After each build it removes the least recently used images while the cache is\n"
	       "over its limit: $MOTE_CACHE_MAX (bytes, or with K, M, G or T; 0: no limit),\n"
	       "else 4G. Images used in the last minute stay (a run may be about to boot one).\n"
	       "\n"
	       "  ls                   list the images, least recently used first: content hash,\n"
	       "                       size, last use, how many file sets name it, its program\n"
	       "  prune                remove least recently used images down to the limit\n"
	       "    --max-size SIZE    ... down to SIZE instead (e.g. 500M)\n"
	       "    --all              remove every image\n");
}

static void human(uint64_t bytes, char *out, size_t n)
{
	if (bytes >= 1ULL << 30)
		snprintf(out, n, "%.1f GiB", bytes / 1073741824.0);
	else
		snprintf(out, n, "%.1f MiB", bytes / 1048576.0);
}

/* The program an image runs, from its manifest ("?" when it cannot be read). */
static void program_of(const char *path, char *out, size_t n)
{
	struct image im;
	char err[256];

	if (image_open(path, &im, err, sizeof(err)) < 0) {
		snprintf(out, n, "?");
		return;
	}
	snprintf(out, n, "%s", im.manifest.program ? im.manifest.program : "?");
	image_close(&im);
}

static int list(void)
{
	struct cache_entry *v;
	char err[1024], dir[PATH_MAX], size[32], when[32], prog[PATH_MAX];
	uint64_t total = 0, limit = cache_limit();
	long n = cache_list(&v, err, sizeof(err));

	if (n < 0 || cache_dir(dir, sizeof(dir), err, sizeof(err)) < 0) {
		fprintf(stderr, "mote cache: %s\n", err);
		free(n < 0 ? NULL : v);
		return 1;
	}
	if (n)
		printf("%-12s  %10s  %-16s  %4s  %s\n", "IMAGE", "SIZE", "LAST USED", "KEYS",
		       "PROGRAM");
	for (long i = 0; i < n; i++) {
		time_t t = (time_t)v[i].used;

		total += v[i].bytes;
		human(v[i].bytes, size, sizeof(size));
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&t));
		program_of(v[i].path, prog, sizeof(prog));
		printf("%.12s  %10s  %-16s  %4d  %s\n", v[i].hash, size, when, v[i].keys, prog);
	}
	human(total, size, sizeof(size));
	if (limit == UINT64_MAX)
		snprintf(when, sizeof(when), "no limit");
	else
		human(limit, when, sizeof(when));
	printf("%ld image%s, %s in %s (limit: %s)\n", n, n == 1 ? "" : "s", size, dir, when);
	free(v);
	return 0;
}

static void say_removed(const struct cache_entry *e, void *arg)
{
	char size[32];

	(void)arg;
	human(e->bytes, size, sizeof(size));
	printf("removed %.12s  %10s\n", e->hash, size);
}

static int prune(int argc, char **argv)
{
	uint64_t max = cache_limit();
	long long grace = 60, freed;
	char err[1024], size[32];
	uint64_t left = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all")) {
			max = 0;
			grace = 0;
		} else if (!strcmp(argv[i], "--max-size") && i + 1 < argc) {
			if (cache_parse_size(argv[++i], &max) < 0) {
				fprintf(stderr,
					"mote cache prune: --max-size %s: not a size (e.g. 500M, 4G)\n",
					argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "mote cache prune: bad option %s (see `mote help cache`)\n",
				argv[i]);
			return 2;
		}
	}
	freed = cache_prune(max, grace, say_removed, NULL, &left, err, sizeof(err));
	if (freed < 0) {
		fprintf(stderr, "mote cache: %s\n", err);
		return 1;
	}
	human((uint64_t)freed, size, sizeof(size));
	printf("freed %s\n", size);
	if (left > max)
		printf("(still over: images used in the last minute are kept)\n");
	return 0;
}

int cmd_cache(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "ls") && argc == 2)
		return list();
	if (argc >= 2 && !strcmp(argv[1], "prune"))
		return prune(argc - 1, argv + 1);
	fprintf(stderr, "usage: mote cache ls | mote cache prune [--max-size SIZE | --all]\n");
	return 2;
}
