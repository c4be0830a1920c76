/* metrics.h: Firecracker's metrics: one JSON object a line, counters as deltas since the last. */
#ifndef MOTE_VMM_METRICS_H
#define MOTE_VMM_METRICS_H

#include <stdbool.h>
#include <stdint.h>

struct vmm;
struct json_t;

/*
 * Counters (Firecracker's SharedIncMetric: each line reports what happened since the line
 * before): group, field. Names are Firecracker's; the ones marked motevm are additions.
 */
#define METRICS_COUNTERS(X)                                                                    \
	X(GET_INSTANCE_INFO, "get_api_requests", "instance_info_count")                        \
	X(GET_MACHINE_CFG, "get_api_requests", "machine_cfg_count")                            \
	X(GET_MMDS, "get_api_requests", "mmds_count")                                          \
	X(GET_VMM_VERSION, "get_api_requests", "vmm_version_count")                            \
	X(GET_HOTPLUG_MEMORY, "get_api_requests", "hotplug_memory_count")                      \
	X(GET_VM_CONFIG, "get_api_requests", "vm_config_count") /* motevm */                   \
	X(PUT_ACTIONS, "put_api_requests", "actions_count")                                    \
	X(PUT_ACTIONS_FAILS, "put_api_requests", "actions_fails")                              \
	X(PUT_BOOT_SOURCE, "put_api_requests", "boot_source_count")                            \
	X(PUT_BOOT_SOURCE_FAILS, "put_api_requests", "boot_source_fails")                      \
	X(PUT_DRIVE, "put_api_requests", "drive_count")                                        \
	X(PUT_DRIVE_FAILS, "put_api_requests", "drive_fails")                                  \
	X(PUT_LOGGER, "put_api_requests", "logger_count")                                      \
	X(PUT_LOGGER_FAILS, "put_api_requests", "logger_fails")                                \
	X(PUT_MACHINE_CFG, "put_api_requests", "machine_cfg_count")                            \
	X(PUT_MACHINE_CFG_FAILS, "put_api_requests", "machine_cfg_fails")                      \
	X(PUT_CPU_CFG, "put_api_requests", "cpu_cfg_count")                                    \
	X(PUT_CPU_CFG_FAILS, "put_api_requests", "cpu_cfg_fails")                              \
	X(PUT_METRICS, "put_api_requests", "metrics_count")                                    \
	X(PUT_METRICS_FAILS, "put_api_requests", "metrics_fails")                              \
	X(PUT_NETWORK, "put_api_requests", "network_count")                                    \
	X(PUT_NETWORK_FAILS, "put_api_requests", "network_fails")                              \
	X(PUT_MMDS, "put_api_requests", "mmds_count")                                          \
	X(PUT_MMDS_FAILS, "put_api_requests", "mmds_fails")                                    \
	X(PUT_VSOCK, "put_api_requests", "vsock_count")                                        \
	X(PUT_VSOCK_FAILS, "put_api_requests", "vsock_fails")                                  \
	X(PUT_PMEM, "put_api_requests", "pmem_count")                                          \
	X(PUT_PMEM_FAILS, "put_api_requests", "pmem_fails")                                    \
	X(PUT_SERIAL, "put_api_requests", "serial_count")                                      \
	X(PUT_SERIAL_FAILS, "put_api_requests", "serial_fails")                                \
	X(PUT_HOTPLUG_MEMORY, "put_api_requests", "hotplug_memory_count")                      \
	X(PUT_HOTPLUG_MEMORY_FAILS, "put_api_requests", "hotplug_memory_fails")                \
	X(PUT_ENTROPY, "put_api_requests", "entropy_count")	  /* motevm */                 \
	X(PUT_ENTROPY_FAILS, "put_api_requests", "entropy_fails") /* motevm */                 \
	X(PATCH_DRIVE, "patch_api_requests", "drive_count")                                    \
	X(PATCH_DRIVE_FAILS, "patch_api_requests", "drive_fails")                              \
	X(PATCH_NETWORK, "patch_api_requests", "network_count")                                \
	X(PATCH_NETWORK_FAILS, "patch_api_requests", "network_fails")                          \
	X(PATCH_MACHINE_CFG, "patch_api_requests", "machine_cfg_count")                        \
	X(PATCH_MACHINE_CFG_FAILS, "patch_api_requests", "machine_cfg_fails")                  \
	X(PATCH_MMDS, "patch_api_requests", "mmds_count")                                      \
	X(PATCH_MMDS_FAILS, "patch_api_requests", "mmds_fails")                                \
	X(PATCH_HOTPLUG_MEMORY, "patch_api_requests", "hotplug_memory_count")                  \
	X(PATCH_HOTPLUG_MEMORY_FAILS, "patch_api_requests", "hotplug_memory_fails")            \
	X(PATCH_PMEM, "patch_api_requests", "pmem_count")                                      \
	X(PATCH_PMEM_FAILS, "patch_api_requests", "pmem_fails")                                \
	X(PATCH_VM_STATE, "patch_api_requests", "vm_state_count")	/* motevm */           \
	X(PATCH_VM_STATE_FAILS, "patch_api_requests", "vm_state_fails") /* motevm */           \
	X(API_INVALID, "api_server", "invalid_requests")		/* motevm: unrouted */ \
	X(DEPRECATED_CALLS, "deprecated_api", "deprecated_http_api_calls")                     \
	X(MISSED_METRICS, "logger", "missed_metrics_count")                                    \
	X(METRICS_FAILS, "logger", "metrics_fails")                                            \
	X(MISSED_LOG, "logger", "missed_log_count")                                            \
	X(RATE_LIMITED_LOG, "logger", "rate_limited_log_count")

/* Stored values (Firecracker's SharedStoreMetric: the last value, reported on every line). */
#define METRICS_VALUES(X)                                                    \
	X(STARTUP_US, "api_server", "process_startup_time_us")               \
	X(STARTUP_CPU_US, "api_server", "process_startup_time_cpu_us")       \
	X(LAT_FULL_SNAPSHOT, "latencies_us", "full_create_snapshot")         \
	X(LAT_DIFF_SNAPSHOT, "latencies_us", "diff_create_snapshot")         \
	X(LAT_LOAD_SNAPSHOT, "latencies_us", "load_snapshot")                \
	X(LAT_PAUSE, "latencies_us", "pause_vm")                             \
	X(LAT_RESUME, "latencies_us", "resume_vm")                           \
	X(LAT_VMM_FULL_SNAPSHOT, "latencies_us", "vmm_full_create_snapshot") \
	X(LAT_VMM_DIFF_SNAPSHOT, "latencies_us", "vmm_diff_create_snapshot") \
	X(LAT_VMM_LOAD_SNAPSHOT, "latencies_us", "vmm_load_snapshot")        \
	X(LAT_VMM_PAUSE, "latencies_us", "vmm_pause_vm")                     \
	X(LAT_VMM_RESUME, "latencies_us", "vmm_resume_vm")

#define METRICS_ENUM(id, group, name) METRIC_##id,
enum metric { METRICS_COUNTERS(METRICS_ENUM) METRIC_NR };
enum metric_value { METRICS_VALUES(METRICS_ENUM) METRIC_VALUE_NR };
#undef METRICS_ENUM

/* Sets NAME in GROUP of a line being built (the devices' metrics callbacks). */
void metrics_put(struct json_t *root, const char *group, const char *name, uint64_t v);
/* Adds one to counter M (any thread). */
void metrics_inc(enum metric m);
/* Sets value M (any thread). */
void metrics_set(enum metric_value m, uint64_t v);
/* The counter's total since motevm started (for tests and the API's own checks). */
uint64_t metrics_total(enum metric m);

/*
 * Sets the metrics target: PATH (log_open_file's rules: file or named pipe), whether lines
 * carry the instance "id", and "properties" (a JSON object of strings, borrowed). Once only:
 * -EALREADY after the first success; else 0 or -errno.
 */
int metrics_init(const char *path, bool emit_id, struct json_t *properties);
bool metrics_initialized(void);

/*
 * Writes one line with every group (zeros where nothing happened): counters since the last
 * line, stored values, VMM's vCPU exits, KVM's statistics (a "kvm" group, when open), UART
 * and i8042 traffic and state (VMM may be NULL before the VM exists). Runs on the VMM thread. 0 (also when no target is set) or -errno;
 * a line a full pipe cannot take is lost and counted in logger.missed_metrics_count.
 */
int metrics_flush(const struct vmm *vmm);

#endif /* MOTE_VMM_METRICS_H */
