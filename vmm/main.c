/* main.c: motevm's command line and start-up: the API socket, --config-file, the event loop. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abi/mote_abi.h"
#include "config/config.h"
#include "api/controller.h"
#include "api/http.h"
#include "api/routes.h"
#include "api/server.h"
#include "arch/x86_64/cpuid.h"
#include "exit_stats.h"
#include "log.h"
#include "metrics.h"
#include "inherit.h"
#include "seccomp/filter.h"
#include "seccomp/json.h"
#include "seccomp/rules.h"
#include "vmm.h"

#define MOTEVM_VERSION "0.2.0"
#define DEFAULT_API_SOCK "/run/motevm.socket"

struct args {
	const char *config_file;
	const char *api_sock;
	bool no_api;
	const char *id;
	bool boot_timer;
	bool exit_stats;
	bool virtio_console;
	const char *level;
	enum log_level log_level; /* parsed --level */
	const char *log_path;
	bool show_level, show_log_origin;
	const char *module;
	const char *metrics_path;
	size_t max_payload;
	struct cpuid_edits *cpuid;	  /* --cpuid, --cpu-hide */
	unsigned long long start_time_us; /* --start-time-us: when the jailer started (0: none) */
	bool no_seccomp;
	const char *seccomp_filter; /* --seccomp-filter FILE: seccompiler JSON */
};

/* --cpu-hide's feature names, indented and wrapped for usage(). */
static void print_hide_names(FILE *f)
{
	const char *name;
	int col = 0;

	for (unsigned i = 0; (name = cpuid_hide_name(i)); i++) {
		int n = (int)strlen(name);

		if (i == 0) {
			col = fprintf(f, "%23s", "");
		} else if (col + 2 + n > 79) {
			fprintf(f, ",\n");
			col = fprintf(f, "%23s", "");
		} else {
			col += fprintf(f, ", ");
		}
		col += fprintf(f, "%s", name);
	}
	fprintf(f, "\n");
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: motevm [--api-sock PATH] [--config-file FILE [--no-api]] [options]\n"
		"\n"
		"Runs one microVM on /dev/kvm, configured through Firecracker's REST API on a Unix\n"
		"socket and/or a Firecracker-style JSON file.\n"
		"\n"
		"Options (Firecracker's spelling):\n"
		"  --api-sock PATH      the API socket (default " DEFAULT_API_SOCK "); a stale\n"
		"                       socket file is replaced, a live one refused\n"
		"  --config-file FILE   configure the VM from FILE and boot it at once; the API is\n"
		"                       still served unless --no-api\n"
		"  --no-api             no API socket (needs --config-file)\n"
		"  --start-time-us N, --start-time-cpu-us N, --parent-cpu-time-us N\n"
		"                       from a jailer (mote-jailer, Firecracker's): when it\n"
		"                       started, logged as the jail's cost at start-up\n"
		"  --http-api-max-payload-size N  request body cap in bytes (default 51200)\n"
		"  --id ID              instance id shown in log lines (default anonymous-instance)\n"
		"  --boot-timer         log \"Guest-boot-time = N us\" when the guest writes 123 to\n"
		"                       MMIO 0xc0000000\n"
		"  --exit-stats         at the VM's end, print KVM's exit counters on stderr:\n"
		"                       \"motevm stats: exits N (io N, mmio N, halt N, ...),\n"
		"                       pf_fixed N, ..., vcpus N, wall T ms\" (counters this\n"
		"                       host's KVM lacks are left out)\n"
		"  --virtio-console     also give the guest a virtio console (a motevm extension):\n"
		"                       port 0 stdin/stdout, port 1 stderr, end of input as port 0\n"
		"                       closing; stdin stays on COM1 when it is a terminal\n"
		"  --level LEVEL        log level: Error, Warning, Info (default), Debug, Trace, Off\n"
		"  --log-path PATH      log lines to PATH (a file or a named pipe) instead of stderr\n"
		"  --show-level         show the level in log lines (motevm's default)\n"
		"  --show-log-origin    show the source file and line in log lines\n"
		"  --module PREFIX      only log lines from source files under PREFIX (vmm/api)\n"
		"  --metrics-path PATH  metrics lines to PATH (at boot, every 60 s, on FlushMetrics\n"
		"                       and at exit)\n"
		"  --no-seccomp         no seccomp filters (by default each thread of motevm\n"
		"                       installs its own before the guest runs: a call outside\n"
		"                       its list is logged and motevm exits with status 148;\n"
		"                       capabilities are dropped all the same: the API thread's\n"
		"                       at its start, the others' at InstanceStart)\n"
		"  --seccomp-filter FILE  the filters from FILE, in Firecracker's seccompiler\n"
		"                       JSON format (\"vmm\", \"api\", \"vcpu\"), instead of\n"
		"                       motevm's own\n"
		"  --version            print the version and exit\n"
		"  --help               print this help and exit\n"
		"\n"
		"Test-only options (make the guest see another host's CPU; not for production):\n"
		"  --cpuid LEAF[.SUB]:REG=V[,REG=V...]  edit the guest's CPUID before it is set:\n"
		"                       REG eax, ebx, ecx or edx; =V sets, |=V sets bits, &=V\n"
		"                       keeps bits, &=~V clears bits (quote it: & is special to\n"
		"                       the shell); numbers 0x hex or decimal; SUB defaults to 0.\n"
		"                       A leaf KVM lacks is added if its range announces it.\n"
		"                       Repeatable, applied in order after motevm's own leaves\n"
		"  --cpu-hide F[,F...]  clear these CPUID feature bits; F is one of:\n");
	print_hide_names(f);
	fprintf(f,
		"\n"
		"Implemented: ELF kernels with the PVH note, ELF vmlinux and bzImage (Linux 64-bit\n"
		"boot protocol), initrd, 1-32 vCPUs (MP table), 8250 UART on COM1 (stdin/stdout),\n"
		"i8042 reset and Ctrl-Alt-Del, boot timer, exit device (port 0x6d70) and\n"
		"isa-debug-exit (port 0xf4), virtio block, net, rng and console; the REST API,\n"
		"pause and resume, logger, metrics, seccomp filters per thread, mote-jailer.\n"
		"Not yet: vsock, balloon, MMDS, snapshots, ACPI tables.\n"
		"\n"
		"Exit status: the guest's (exit devices), 0 after a guest reset, 1 motevm failed,\n"
		"148 a call outside a seccomp filter, 152 bad configuration or image,\n"
		"153 bad arguments or seccomp filter file, 160 guest triple fault,\n"
		"161 guest MMIO to nothing, 162 unhandled VM exit, 128+N stopped by signal N.\n");
}

enum {
	OPT_CONFIG = 256,
	OPT_API_SOCK,
	OPT_NO_API,
	OPT_ID,
	OPT_BOOT_TIMER,
	OPT_EXIT_STATS,
	OPT_VIRTIO_CONSOLE,
	OPT_LEVEL,
	OPT_LOG_PATH,
	OPT_SHOW_LEVEL,
	OPT_SHOW_ORIGIN,
	OPT_MODULE,
	OPT_METRICS_PATH,
	OPT_MAX_PAYLOAD,
	OPT_CPUID,
	OPT_CPU_HIDE,
	OPT_START_TIME_US,
	OPT_START_TIME_CPU_US,
	OPT_PARENT_CPU_US,
	OPT_NO_SECCOMP,
	OPT_SECCOMP_FILTER,
	OPT_VERSION,
	OPT_HELP,
};

static const struct option options[] = {
	{ "config-file", required_argument, NULL, OPT_CONFIG },
	{ "api-sock", required_argument, NULL, OPT_API_SOCK },
	{ "no-api", no_argument, NULL, OPT_NO_API },
	{ "id", required_argument, NULL, OPT_ID },
	{ "start-time-us", required_argument, NULL, OPT_START_TIME_US },
	{ "start-time-cpu-us", required_argument, NULL, OPT_START_TIME_CPU_US },
	{ "parent-cpu-time-us", required_argument, NULL, OPT_PARENT_CPU_US },
	{ "boot-timer", no_argument, NULL, OPT_BOOT_TIMER },
	{ "exit-stats", no_argument, NULL, OPT_EXIT_STATS },
	{ "virtio-console", no_argument, NULL, OPT_VIRTIO_CONSOLE },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "log-path", required_argument, NULL, OPT_LOG_PATH },
	{ "show-level", no_argument, NULL, OPT_SHOW_LEVEL },
	{ "show-log-origin", no_argument, NULL, OPT_SHOW_ORIGIN },
	{ "module", required_argument, NULL, OPT_MODULE },
	{ "metrics-path", required_argument, NULL, OPT_METRICS_PATH },
	{ "http-api-max-payload-size", required_argument, NULL, OPT_MAX_PAYLOAD },
	{ "cpuid", required_argument, NULL, OPT_CPUID },
	{ "cpu-hide", required_argument, NULL, OPT_CPU_HIDE },
	{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "seccomp-filter", required_argument, NULL, OPT_SECCOMP_FILTER },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static bool valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(id[i] == '-' || (id[i] >= '0' && id[i] <= '9') ||
		      (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z')))
			return false;
	return true;
}

static int bad_args(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_args(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "motevm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry `motevm --help`.\n");
	return MOTE_STATUS_BAD_ARGS;
}

static int parse_option(int c, struct args *a, bool *done)
{
	char msg[256];
	char *end;

	switch (c) {
	case OPT_CONFIG:
		a->config_file = optarg;
		break;
	case OPT_API_SOCK:
		a->api_sock = optarg;
		break;
	case OPT_NO_API:
		a->no_api = true;
		break;
	case OPT_ID:
		a->id = optarg;
		break;
	case OPT_START_TIME_US: /* the jailer's (Firecracker's): when and how much CPU it used */
	case OPT_START_TIME_CPU_US:
	case OPT_PARENT_CPU_US:
		errno = 0;
		(void)strtoull(optarg, &end, 10);
		if (errno || end == optarg || *end)
			return bad_args("%s: not a number of microseconds (--start-time-us, "
					"--start-time-cpu-us, --parent-cpu-time-us)",
					optarg);
		if (c == OPT_START_TIME_US)
			a->start_time_us = strtoull(optarg, NULL, 10);
		break;
	case OPT_BOOT_TIMER:
		a->boot_timer = true;
		break;
	case OPT_EXIT_STATS:
		a->exit_stats = true;
		break;
	case OPT_VIRTIO_CONSOLE:
		a->virtio_console = true;
		break;
	case OPT_LEVEL:
		a->level = optarg;
		break;
	case OPT_LOG_PATH:
		a->log_path = optarg;
		break;
	case OPT_SHOW_LEVEL:
		a->show_level = true;
		break;
	case OPT_SHOW_ORIGIN:
		a->show_log_origin = true;
		break;
	case OPT_MODULE:
		a->module = optarg;
		break;
	case OPT_METRICS_PATH:
		a->metrics_path = optarg;
		break;
	case OPT_MAX_PAYLOAD:
		errno = 0;
		a->max_payload = strtoul(optarg, &end, 10);
		if (errno || *end || !optarg[0] || a->max_payload == 0 ||
		    a->max_payload > (64u << 20))
			return bad_args("--http-api-max-payload-size %s: use 1 to 67108864 bytes",
					optarg);
		break;
	case OPT_CPUID:
		if (cpuid_edit_parse(a->cpuid, optarg, msg, sizeof(msg)))
			return bad_args("%s", msg);
		break;
	case OPT_CPU_HIDE:
		if (cpuid_hide_parse(a->cpuid, optarg, msg, sizeof(msg)))
			return bad_args("%s", msg);
		break;
	case OPT_NO_SECCOMP:
		a->no_seccomp = true;
		break;
	case OPT_SECCOMP_FILTER:
		a->seccomp_filter = optarg;
		break;
	case OPT_VERSION:
		printf("motevm v%s (Mote ABI %d)\n", MOTEVM_VERSION, MOTE_ABI_VERSION);
		*done = true;
		break;
	case OPT_HELP:
		usage(stdout);
		*done = true;
		break;
	default:
		return MOTE_STATUS_BAD_ARGS;
	}
	return 0;
}

/* 0 to go on, or the exit status (0 for --help/--version). */
static int parse_args(int argc, char **argv, struct args *a, bool *done)
{
	int c, r;

	opterr = 0;
	a->max_payload = HTTP_DEFAULT_MAX_BODY;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == '?' && !optopt)
			return bad_args("unknown option %s", argv[optind - 1]);
		if (c == '?' || c == ':')
			return bad_args("option --%s: missing or bad argument",
					optopt < OPT_CONFIG ? "?"
							    : options[optopt - OPT_CONFIG].name);
		r = parse_option(c, a, done);
		if (r || *done)
			return r;
	}
	if (optind < argc)
		return bad_args("unexpected argument %s", argv[optind]);
	if (a->no_api && !a->config_file)
		return bad_args("%s",
				"--no-api needs --config-file (nothing would configure the VM)");
	if (a->level && log_level_parse(a->level, &a->log_level) < 0)
		return bad_args("--level %s: use Error, Warning, Info, Debug, Trace or Off",
				a->level);
	if (a->no_seccomp && a->seccomp_filter)
		return bad_args("%s", "--no-seccomp and --seccomp-filter exclude each other");
	if (a->id && !valid_id(a->id))
		return bad_args("%s", "--id must be 1-64 letters, digits or hyphens");
	if (!a->api_sock)
		a->api_sock = DEFAULT_API_SOCK;
	return 0;
}

/*
 * The logger: the configuration's section (if any) with the command line's options on top,
 * as part 1 did. 0 or an exit status.
 */
static int setup_logging(const struct args *a, const struct logger_config *section, bool from_file)
{
	struct logger_config l = { .level = LOG_INFO };
	struct config_error err;

	if (section && section->present)
		l = *section;
	if (a->log_path)
		l.log_path = (char *)a->log_path;
	if (a->level)
		l.level = a->log_level;
	if (a->show_level)
		l.has_show_level = l.show_level = true;
	if (a->show_log_origin)
		l.has_show_log_origin = l.show_log_origin = true;
	if (a->module)
		l.module = (char *)a->module;
	if (controller_apply_logger(&l, &err)) {
		fprintf(stderr, "motevm: %s: %s\n", l.log_path ? l.log_path : "logger", err.msg);
		return from_file && !a->log_path ? MOTE_STATUS_BAD_CONFIG : MOTE_STATUS_BAD_ARGS;
	}
	return 0;
}

/*
 * The filters, compiled before any thread starts (each installs its own: api at its start,
 * vcpu before KVM_RUN, the main thread at InstanceStart). 0 or the exit status.
 */
static int setup_seccomp(const struct args *a)
{
	char err[512];

	if (a->no_seccomp)
		return 0;
	/*
	 * One malloc arena for every thread: glibc trims a thread's own arena after reading
	 * /proc/sys/vm/overcommit_memory (once, in whichever thread trims first), an open the
	 * api and vcpu filters do not allow. The main arena trims with brk.
	 */
	mallopt(M_ARENA_MAX, 1);
	if (a->seccomp_filter ? seccomp_json_compile(a->seccomp_filter, err, sizeof(err))
			      : seccomp_rules_compile(err, sizeof(err))) {
		if (a->seccomp_filter)
			return bad_args("--seccomp-filter %s", err);
		fprintf(stderr, "motevm: seccomp filters: %s\n", err);
		return MOTE_STATUS_ERROR;
	}
	return 0;
}

/* Opens /dev/null on any of fds 0-2 that is closed, so no KVM or log fd lands there. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			exit(MOTE_STATUS_ERROR);
	}
}

/* --config-file: load, set up the logger and metrics, boot. 0 or an exit status. */
static int boot_from_file(const struct args *a, struct controller *ctl)
{
	struct config_error err = { 0 };
	int status;

	if (config_load_file(ctl->cfg, a->config_file, &err)) {
		/* The logger may not be set up yet: say it on stderr too, as Firecracker does. */
		fprintf(stderr, "motevm: bad configuration: %s\n", err.msg);
		return MOTE_STATUS_BAD_CONFIG;
	}
	status = setup_logging(a, &ctl->cfg->logger, true);
	if (status)
		return status;
	if (ctl->cfg->metrics.metrics_path && !a->metrics_path &&
	    controller_apply_metrics(&ctl->cfg->metrics, &err)) {
		log_err("%s: %s", a->config_file, err.msg);
		return MOTE_STATUS_BAD_CONFIG;
	}
	if (controller_start(ctl, &err, &status)) {
		log_err("%s: %s", a->config_file, err.msg);
		return status;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct vmm_options opts = { .start_us = vmm_now_us(), .start_cpu_us = vmm_cpu_us() };
	static struct cpuid_edits cpuid;
	static struct vm_config cfg;
	static struct vmm vmm;
	static struct server srv;
	struct controller ctl;
	struct config_error err;
	struct args a = { .cpuid = &cpuid };
	bool done = false, api;
	int status;

	ensure_std_fds();
	/* which descriptors the caller passed, for "/dev/fd/N" paths (a jail has no /proc) */
	inherit_note();
	/* A closed stdout or log pipe is an I/O error to count, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	/* A crash must not write the guest's memory to a core file (RLIMIT_CORE 0, hard too) */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	status = parse_args(argc, argv, &a, &done);
	if (status || done)
		return status;
	status = setup_seccomp(&a);
	if (status)
		return status;
	if (a.id)
		log_set_id(a.id);
	api = !a.no_api;
	status = setup_logging(&a, NULL, false);
	if (status)
		return status;
	if (a.metrics_path) {
		struct metrics_config m = { .metrics_path = (char *)a.metrics_path };

		if (controller_apply_metrics(&m, &err)) {
			fprintf(stderr, "motevm: --metrics-path %s: %s\n", a.metrics_path, err.msg);
			return MOTE_STATUS_BAD_ARGS;
		}
	}
	opts.boot_timer = a.boot_timer;
	opts.exit_stats = a.exit_stats;
	opts.virtio_console = a.virtio_console;
	opts.cpuid_edits = cpuid.n ? &cpuid : NULL;
	/* Diagnostic knob (docs/motevm.md): tear the VM down before exiting, as bench/ shows. */
	opts.async_teardown = getenv("MOTEVM_SYNC_TEARDOWN") == NULL;
	config_init(&cfg);
	if (vmm_init(&vmm, &opts))
		return MOTE_STATUS_ERROR;
	controller_init(&ctl, &cfg, &vmm, MOTEVM_VERSION);
	/* The socket first, as Firecracker does: it accepts while a --config-file boots. */
	if (api && (server_bind(&srv, a.api_sock, a.max_payload) ||
		    server_start(&srv, &vmm.loop, routes_handle, &ctl))) {
		server_stop(&srv, &vmm.loop);
		vmm_destroy(&vmm);
		return MOTE_STATUS_ERROR;
	}
	if (api) {
		metrics_set(METRIC_STARTUP_US, vmm_now_us() - opts.start_us);
		metrics_set(METRIC_STARTUP_CPU_US, vmm_cpu_us());
		vmm_timeline(&vmm, "API socket listening");
		log_info("API server started on %s.", a.api_sock);
		if (a.start_time_us) { /* jailed: what the jail cost before us */
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now);
			log_info("%lld us since the jailer started.",
				 (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000 -
					 (long long)a.start_time_us);
		}
	}
	status = a.config_file ? boot_from_file(&a, &ctl) : 0;
	/* After a failed start, vCPU threads that did start end with the stop it requested. */
	if (status == 0 || atomic_load(&vmm.stopping)) {
		int run = vmm_run(&vmm);

		status = status ? status : run;
		/* The vCPU threads have stopped: KVM's counters are final. */
		exit_stats_report(&vmm);
	}
	if (api)
		server_stop(&srv, &vmm.loop);
	metrics_flush(&vmm);
	controller_exit(&ctl);
	vmm_destroy(&vmm);
	config_free(&cfg);
	log_debug("exiting with status %d", status);
	return status;
}
