/* json.h: Firecracker's seccompiler JSON filters (--seccomp-filter FILE), compiled at start. */
#ifndef MOTE_VMM_SECCOMP_JSON_H
#define MOTE_VMM_SECCOMP_JSON_H

#include <stddef.h>

/*
 * Reads PATH (top-level "vmm", "api" and "vcpu", each {"default_action", "filter_action",
 * "filter": [{"syscall", "args": [{"index", "type", "op", "val", "comment"}], "comment"}]})
 * and compiles each category's filter (seccomp_compile). 0, or -1 with the reason, naming
 * the file and where in it, in ERR.
 */
int seccomp_json_compile(const char *path, char *err, size_t size);

#endif /* MOTE_VMM_SECCOMP_JSON_H */
