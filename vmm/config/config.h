/* config.h: the microVM configuration: Firecracker's JSON documents <-> C structs, validated. */
#ifndef MOTE_VMM_CONFIG_CONFIG_H
#define MOTE_VMM_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"

/*
 * One struct per Firecracker resource, each filled from the same JSON body whether it comes
 * from a section of --config-file or from the REST API's PUT/PATCH on that resource, and
 * checked by the same parser (config_put_* here, config_devices.h for the virtio devices).
 * Strings are heap copies owned by the struct.
 */

#define CONFIG_VCPU_MAX 32
#define CONFIG_MEM_MIB_MIN 2
#define CONFIG_MEM_MIB_MAX (1022u * 1024u) /* Firecracker's x86 cap: 1022 GiB */
#define CONFIG_DEFAULT_VCPUS 1
#define CONFIG_DEFAULT_MEM_MIB 128
#define CONFIG_DEVICES_MAX 32 /* drives, network interfaces: more is refused */
/* Firecracker's default kernel command line (vmm_config/boot_source.rs). */
#define CONFIG_DEFAULT_BOOT_ARGS                                                           \
	"reboot=k panic=1 nomodule 8250.nr_uarts=0 i8042.noaux i8042.nomux i8042.dumbkbd " \
	"swiotlb=noforce"

/*
 * A parse or validation failure. CONFIG_ERR_BODY: the body does not deserialize (wrong JSON
 * shape, type, unknown or missing field: serde's wording, which the API wraps in "An error
 * occurred when deserializing the json body of a request: ..."). CONFIG_ERR_REQUEST: the
 * request is inconsistent (an id in the path that differs from the body's); MSG is the whole
 * fault message. Firecracker finds both before looking at the VM's state. CONFIG_ERR_VALUE:
 * the body is well-formed but refused (a missing file, a vCPU count out of range); MSG is the
 * whole fault message, e.g. "Machine config error: ...".
 */
enum config_err_kind { CONFIG_ERR_BODY, CONFIG_ERR_REQUEST, CONFIG_ERR_VALUE };

struct config_error {
	enum config_err_kind kind;
	char msg[512];
};

/* PUT /boot-source, "boot-source". */
struct boot_source_config {
	char *kernel_image_path; /* required */
	char *initrd_path;	 /* NULL: no initrd */
	char *boot_args;	 /* NULL: CONFIG_DEFAULT_BOOT_ARGS */
};

enum huge_pages { HUGE_PAGES_NONE, HUGE_PAGES_2M, HUGE_PAGES_TRANSPARENT };

/* PUT/PATCH /machine-config, "machine-config". */
struct machine_config {
	unsigned vcpu_count;	/* 1..CONFIG_VCPU_MAX; with smt 1 or even */
	unsigned mem_size_mib;	/* CONFIG_MEM_MIB_MIN..CONFIG_MEM_MIB_MAX */
	bool smt;		/* two threads per core in the CPU topology */
	bool track_dirty_pages; /* accepted; no effect until snapshots exist */
	enum huge_pages huge_pages;
};

/* PUT /logger, "logger": fields left out keep their current setting (the level: Info). */
struct logger_config {
	bool present;
	char *log_path;
	enum log_level level;
	bool show_level, has_show_level;
	bool show_log_origin, has_show_log_origin;
	char *module;
};

/* PUT /metrics, "metrics". */
struct metrics_config {
	char *metrics_path; /* NULL: no metrics */
	bool emit_id;
	struct json_t *properties; /* NULL or an object of strings */
};

/* Firecracker's TokenBucket and RateLimiter (stored and shown; no limiting yet). */
struct token_bucket {
	bool present;
	uint64_t size, refill_time, one_time_burst;
	bool has_burst;
};

struct rate_limiter {
	bool present;
	struct token_bucket bandwidth, ops;
};

enum cache_type { CACHE_UNSAFE, CACHE_WRITEBACK };
enum io_engine { IO_ENGINE_SYNC, IO_ENGINE_ASYNC };

/* PUT /drives/{id}, "drives" entries. */
struct drive_config {
	char *drive_id;
	char *path_on_host; /* a virtio-blk file, or NULL with socket */
	char *socket;	    /* vhost-user-blk */
	char *partuuid;
	bool is_root_device;
	bool is_read_only, has_read_only;
	enum cache_type cache_type;
	enum io_engine io_engine;
	bool has_io_engine;
	struct rate_limiter rate_limiter;
};

/* PUT /network-interfaces/{id}, "network-interfaces" entries. */
struct net_config {
	char *iface_id;
	char *host_dev_name; /* a TAP, or NULL with host_socket */
	char *host_socket;   /* motevm: user-mode networking through passt's socket at this path */
	char *guest_mac;     /* "06:00:AC:10:00:02" (validated), or NULL */
	unsigned mtu;	     /* 0: not given */
	struct rate_limiter rx_rate_limiter, tx_rate_limiter;
};

/* PUT /entropy, "entropy". */
struct entropy_config {
	bool present;
	struct rate_limiter rate_limiter;
};

/* The whole VM: what --config-file holds and what GET /vm/config returns. */
struct vm_config {
	struct boot_source_config boot_source;
	bool boot_source_set;
	struct machine_config machine;
	struct logger_config logger;
	struct metrics_config metrics;
	struct drive_config drives[CONFIG_DEVICES_MAX];
	unsigned nr_drives; /* the root device, if any, first (Firecracker's order) */
	struct net_config nets[CONFIG_DEVICES_MAX];
	unsigned nr_nets;
	struct entropy_config entropy;
};

/* Sets every field to its default (Firecracker's: 1 vCPU, 128 MiB, no SMT, no huge pages). */
void config_init(struct vm_config *cfg);
/* Frees what CFG owns and re-initialises it. */
void config_free(struct vm_config *cfg);

/*
 * Per-resource parsers: BODY is the JSON of one resource (an API request body or a section of
 * the config file). Unknown keys, wrong types and refused values fail. On success the
 * resource is replaced (PATCH: updated) and 0 returned; on failure CFG is unchanged, ERR says
 * why and -1 is returned.
 */
struct json_t;
int config_put_boot_source(struct vm_config *cfg, struct json_t *body, struct config_error *err);
int config_put_machine(struct vm_config *cfg, struct json_t *body, struct config_error *err);
/* PATCH /machine-config: only the fields given change; an empty body is an error. */
int config_patch_machine(struct vm_config *cfg, struct json_t *body, struct config_error *err);
int config_put_logger(struct vm_config *cfg, struct json_t *body, struct config_error *err);
int config_put_metrics(struct vm_config *cfg, struct json_t *body, struct config_error *err);
/* Sections motevm does not support (vsock, balloon...): a clear error naming RESOURCE. */
int config_put_unsupported(const char *resource, struct config_error *err);
/* Rust's io::Error text for ERRNO: "No such file or directory (os error 2)" (static buffer of
 * the calling thread). */
const char *config_os_error(int errno_value);

/* Parses a whole --config-file document into CFG. 0, or -1 with ERR set. */
int config_from_json(struct vm_config *cfg, struct json_t *root, struct config_error *err);
/* Reads and parses PATH (ERR names the file on failure). 0 or -1. */
int config_load_file(struct vm_config *cfg, const char *path, struct config_error *err);
/*
 * What a boot needs: a kernel (every device the configuration holds was checked when it was
 * put). 0, or -1 with ERR set to the reason (Firecracker's "Start microvm error: ..." wording).
 */
int config_validate_boot(const struct vm_config *cfg, struct config_error *err);
/* CFG as Firecracker's FullVmConfiguration JSON (new reference), or NULL on allocation failure. */
struct json_t *config_to_json(const struct vm_config *cfg);
/* The machine-config object alone (GET /machine-config). */
struct json_t *config_machine_to_json(const struct machine_config *mc);

#endif /* MOTE_VMM_CONFIG_CONFIG_H */
