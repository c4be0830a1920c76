/* progress.h: a progress line on a terminal for work that takes a while (an image's build):
 * shown on stderr once the work has run for half a second (at once with MOTE_PROGRESS=always;
 * never with MOTE_PROGRESS=never, or when stderr is not a terminal), redrawn at most ten
 * times a second, and closed with a summary line. */
#ifndef MOTE_TOOLS_PROGRESS_H
#define MOTE_TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress {
	const char *what; /* "building image" */
	size_t files, total_files;
	uint64_t bytes, total_bytes;
	double t0, drawn; /* seconds (CLOCK_MONOTONIC): the start, the last redraw */
	bool enabled, always, shown;
};

void progress_start(struct progress *p, const char *what, size_t total_files, uint64_t total_bytes);
/* One more file of `bytes` done. */
void progress_step(struct progress *p, uint64_t bytes);
/* The end: the summary line if the progress was shown ("done" false: failed). */
void progress_end(struct progress *p, bool done);

#endif /* MOTE_TOOLS_PROGRESS_H */
