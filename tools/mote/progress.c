/* progress.c: the progress line of progress.h. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SHOW_AFTER 0.5 /* seconds of quiet work first: a quick build says nothing */
#define REDRAW 0.1

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

void progress_start(struct progress *p, const char *what, size_t total_files, uint64_t total_bytes)
{
	const char *mode = getenv("MOTE_PROGRESS");

	memset(p, 0, sizeof(*p));
	p->what = what;
	p->total_files = total_files;
	p->total_bytes = total_bytes;
	p->t0 = now_s();
	p->always = mode && !strcmp(mode, "always");
	p->enabled = p->always || (isatty(STDERR_FILENO) && !(mode && !strcmp(mode, "never")));
}

static void draw(struct progress *p, double t)
{
	fprintf(stderr, "\rmote: %s: %zu/%zu files, %.1f/%.1f MiB, %.1f s\033[K", p->what, p->files,
		p->total_files, p->bytes / 1048576.0, p->total_bytes / 1048576.0, t - p->t0);
	fflush(stderr);
	p->drawn = t;
	p->shown = true;
}

void progress_step(struct progress *p, uint64_t bytes)
{
	double t;

	p->files++;
	p->bytes += bytes;
	if (!p->enabled)
		return;
	t = now_s();
	if ((p->always || t - p->t0 >= SHOW_AFTER) && (!p->shown || t - p->drawn >= REDRAW))
		draw(p, t);
}

void progress_end(struct progress *p, bool done)
{
	double t = now_s();

	if (!p->shown)
		return;
	draw(p, t);
	fprintf(stderr, done ? " (done)\n" : " (failed)\n");
}
