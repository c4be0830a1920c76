/* cmd_build.c: `mote build` — write a program's image without running it. */
#include "cmd_build.h"

#include "image.h"
#include "image_ext4.h"
#include "options.h"
#include "recipe.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

void cmd_build_help(void)
{
	printf("usage: mote build [options] PROGRAM [ARGS...] -o IMG\n"
	       "\n"
	       "Packs PROGRAM (a path, or a name found in $PATH), its ELF interpreter and shared\n"
	       "libraries (found as ld.so finds them), its #! interpreter if it is a script, and\n"
	       "glibc's run-time files into the Mote image IMG, with the kernel command line that\n"
	       "runs it with ARGS. A language runtime (python3, perl, java, node, lua, ruby; for\n"
	       "a script, its interpreter's) brings the files it loads, as it names them when\n"
	       "asked (--no-runtime: not), and the host files ARGS name come at their own paths\n"
	       "(--no-auto-add: not). Every other ELF file added (--add) brings its libraries too;\n"
	       "one of those that cannot be found is a warning, not an error. Run the image with\n"
	       "`mote run --image IMG`. With --format ext4 the image is an ext4 file system (made\n"
	       "by mkfs.ext4) that boots as the VM's root drive, in mote run --image, motevm or\n"
	       "Firecracker (root=/dev/vda).\n"
	       "\n"
	       "options:\n%s",
	       opts_help(OPTS_BUILD));
}

int cmd_build(int argc, char **argv)
{
	struct mote_opts o;
	struct recipe r;
	struct image_manifest m;
	struct stat st;
	uint64_t hash[2];
	char err[1024];
	int ret;

	if (opts_parse(argc, argv, OPTS_BUILD, &o) < 0) {
		fprintf(stderr, "usage: mote build [options] PROGRAM [ARGS...] -o IMG "
				"(see `mote help build`)\n");
		opts_free(&o);
		return 2;
	}
	ret = recipe_make(&o, &r, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "mote build: %s\n", err);
		opts_free(&o);
		return 1;
	}
	recipe_print_warnings(&r);
	if (o.show_files)
		fprintf(stderr,
			"mote: resolved in %.1f ms: %zu libraries for the program, %zu for the other "
			"ELF files (%.1f ms)\n",
			r.resolve_ms, r.deps.n_libs, r.closure.n_libs, r.closure_ms);
	if (o.show_files)
		recipe_print_notes(&r);
	recipe_manifest(&r, &o, &m);
	ret = o.ext4 ? image_ext4_write(&r.fs, &m, o.output, err, sizeof(err))
		     : image_write(&r.fs, &m, o.output, true, hash, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "mote build: %s\n", err);
	} else {
		stat(o.output, &st);
		printf("%s: %s%zu entries, %.1f KiB, %s\n", o.output, o.ext4 ? "ext4, " : "",
		       r.fs.n, (double)st.st_size / 1024, r.deps.dynamic ? "dynamic" : "static");
	}
	recipe_free(&r);
	opts_free(&o);
	return ret < 0 ? 1 : 0;
}
