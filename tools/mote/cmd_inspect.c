/* cmd_inspect.c: `mote inspect` — what an image holds: command line, files, sizes. */
#include "cmd_inspect.h"

#include "cpio.h"
#include "image.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void cmd_inspect_help(void)
{
	printf("usage: mote inspect IMG\n"
	       "\n"
	       "Prints the image's manifest (program, kernel command line, default machine)\n"
	       "and lists its files with their modes and sizes, then totals.\n");
}

struct totals {
	size_t files, dirs, links, pads;
	uint64_t file_bytes, pad_bytes;
};

static void mode_string(uint32_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	uint32_t t = mode & 0170000;

	out[0] = t == 0040000 ? 'd' : t == 0120000 ? 'l' : t == 0100000 ? '-' : '?';
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400 >> i)) ? rwx[i] : '-';
	out[10] = '\0';
}

static int list_entry(const struct cpio_entry *e, void *arg)
{
	struct totals *t = arg;
	uint32_t type = e->mode & 0170000;
	char mode[11];

	if (!strncmp(e->name, ".mote/", 6)) {
		if (!strncmp(e->name, IMAGE_PAD_DIR, strlen(IMAGE_PAD_DIR))) {
			t->pads++;
			t->pad_bytes += e->size;
		}
		return 0;
	}
	mode_string(e->mode, mode);
	printf("  %s %10llu  /%s", mode, (unsigned long long)e->size,
	       strcmp(e->name, ".") ? e->name : "");
	if (type == 0120000)
		printf(" -> %.*s", (int)e->size, (const char *)e->data);
	putchar('\n');
	if (type == 0040000) {
		t->dirs++;
	} else if (type == 0120000) {
		t->links++;
	} else {
		t->files++;
		t->file_bytes += e->size;
	}
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	struct image im;
	struct totals t = { 0 };
	char err[1024];
	int ret;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: mote inspect IMG\n");
		return 2;
	}
	ret = image_open(argv[1], &im, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "mote inspect: %s\n", err);
		return 1;
	}
	printf("image:    %s (%zu bytes)\n", argv[1], im.size);
	printf("format:   %s %d, created by %s\n", IMAGE_FORMAT, im.manifest.version,
	       im.manifest.created_by);
	printf("program:  %s\n", im.manifest.program);
	printf("cmdline:  %s\n", im.manifest.cmdline);
	printf("machine:  %u vCPU, %u MiB (defaults for `mote run --image`)\n",
	       im.manifest.vcpu_count, im.manifest.mem_size_mib);
	printf("files:\n");
	ret = cpio_walk(im.data, im.size, list_entry, &t);
	if (ret < 0)
		fprintf(stderr, "mote inspect: %s: malformed cpio entry after the ones listed\n",
			argv[1]);
	printf("totals:   %zu files (%.1f KiB), %zu directories, %zu symlinks; "
	       "%zu alignment pads (%.1f KiB)\n",
	       t.files, t.file_bytes / 1024.0, t.dirs, t.links, t.pads, t.pad_bytes / 1024.0);
	image_close(&im);
	return ret < 0 ? 1 : 0;
}
