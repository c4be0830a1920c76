/* mote_cache_test.c: the image cache builds once, finds the image again, and notices changes. */
#include "../../tools/mote/cache.h"
#include "../../tools/mote/image.h"
#include "../../tools/mote/options.h"
#include "../../tools/mote/recipe.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond, ...)                            \
	do {                                         \
		if (cond) {                          \
			printf("ok   " __VA_ARGS__); \
		} else {                             \
			printf("FAIL " __VA_ARGS__); \
			failures++;                  \
		}                                    \
		printf("\n");                        \
	} while (0)

/* Resolves `program` and gets its image from the cache; returns built (1), cached (0), -1. */
static int get(const char *program, char *image, size_t len)
{
	char *argv[] = { (char *)program, NULL };
	struct mote_opts o = { .argv = argv, .argc = 1 };
	struct recipe r;
	char err[1024];
	int built;

	if (recipe_make(&o, &r, err, sizeof(err)) < 0) {
		printf("recipe: %s\n", err);
		return -1;
	}
	if (cache_get(&r, &o, image, len, &built, err, sizeof(err)) < 0) {
		printf("cache: %s\n", err);
		built = -1;
	}
	recipe_free(&r);
	return built;
}

/* Counts files in dir whose name contains `part`. */
static int count(const char *dir, const char *part)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) != NULL)
		n += strstr(de->d_name, part) != NULL;
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	char tmp[] = "/tmp/mote-cache-test.XXXXXX", prog[PATH_MAX], images[PATH_MAX];
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], cmd[PATH_MAX * 2], err[256];
	struct image im;

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	setenv("MOTE_CACHE_DIR", tmp, 1);
	snprintf(prog, sizeof(prog), "%s/prog", tmp);
	snprintf(images, sizeof(images), "%s/images", tmp);
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s", prog);
	if (system(cmd) != 0)
		return 1;

	EXPECT(get(prog, a, sizeof(a)) == 1, "first run builds the image");
	EXPECT(get(prog, b, sizeof(b)) == 0, "second run finds it in the cache");
	EXPECT(!strcmp(a, b), "... the same image file (%s)", b);
	EXPECT(image_open(b, &im, err, sizeof(err)) == 0 && !strcmp(im.manifest.program, prog),
	       "the cached image opens and names the program");
	image_close(&im);

	snprintf(cmd, sizeof(cmd), "printf x >> %s", prog);
	if (system(cmd) != 0)
		return 1;
	EXPECT(get(prog, c, sizeof(c)) == 1, "a changed program is rebuilt");
	EXPECT(strcmp(a, c) != 0, "... into a new image (named by its content hash)");
	EXPECT(count(images, "build-") == 0 && count(images, ".tmp-") == 0,
	       "no temporary files are left in the cache");
	EXPECT(count(images, ".img") == 2, "two images in the cache");

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		return 1;
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
