/* stats.c: the per-CPU event counts added up and printed (stats.h). */
#include "core/stats.h"
#include "lib/printf.h"
#include "lib/string.h"

void stats_sum(struct cpu_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < MAX_CPUS; i++) {
		const struct cpu_stats *s;

		if (!cpus[i])
			continue;
		s = &cpus[i]->stats;
		out->syscalls += s->syscalls;
		out->syscalls_fast += s->syscalls_fast;
		out->sites_rewritten += s->sites_rewritten;
		out->page_faults += s->page_faults;
		out->exceptions += s->exceptions;
		out->timer_irqs += s->timer_irqs;
		out->ipis_in += s->ipis_in;
		out->ipis_out += s->ipis_out;
		out->dev_irqs += s->dev_irqs;
		out->switches += s->switches;
		out->halts += s->halts;
		out->virtio_notifies += s->virtio_notifies;
		out->net_tx += s->net_tx;
		out->net_rx += s->net_rx;
	}
}

void stats_print(void)
{
	static char line[400]; /* the console port needs a kernel-image (contiguous) buffer */
	struct cpu_stats s;
	int n;

	stats_sum(&s);
	n = snprintf(line, sizeof(line),
		     "mote stats: syscalls %lu (%lu through rewritten sites, %lu sites "
		     "rewritten), page faults %lu, other exceptions %lu, "
		     "timer interrupts %lu, device interrupts %lu, IPIs sent %lu received %lu, "
		     "context switches %lu, idle halts %lu, virtio notifications %lu, "
		     "net frames out %lu in %lu\n",
		     s.syscalls, s.syscalls_fast, s.sites_rewritten, s.page_faults, s.exceptions,
		     s.timer_irqs, s.dev_irqs, s.ipis_out, s.ipis_in, s.switches, s.halts,
		     s.virtio_notifies, s.net_tx, s.net_rx);
	console_write_stream(CONSOLE_STDERR, line, (size_t)MIN(n, (int)sizeof(line) - 1));
}
