/* config_devices.h: the virtio device resources (drives, network interfaces, entropy). */
#ifndef MOTE_VMM_CONFIG_CONFIG_DEVICES_H
#define MOTE_VMM_CONFIG_CONFIG_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

struct json_t;
struct vm_config;
struct config_error;

/*
 * PUT /drives/{id} and the "drives" entries: validated as Firecracker does at PUT time (the
 * backing file opens, one root device) and stored, replacing a drive with the same id.
 * PATH_ID is the id from the request path (NULL in a config file): it must equal the body's.
 * Same contract as config_put_boot_source (config.h).
 */
int config_put_drive(struct vm_config *cfg, struct json_t *body, const char *path_id,
		     struct config_error *err);
/* PATCH /drives/{id}'s body: a new path_on_host (NULL: none), whether a rate limiter was
 * given. 0, or -1 with ERR set; free it with config_drive_update_free. */
struct drive_update {
	char *path_on_host;
	bool rate_limiter;
};
int config_parse_drive_update(struct json_t *body, const char *path_id, struct drive_update *u,
			      struct config_error *err);
void config_drive_update_free(struct drive_update *u);
/* PUT /network-interfaces/{id}: the same for an interface (name, MAC, MTU checked). */
int config_put_net(struct vm_config *cfg, struct json_t *body, const char *path_id,
		   struct config_error *err);
int config_check_net_update(struct json_t *body, const char *path_id, struct config_error *err);
/* PUT /entropy. */
int config_put_entropy(struct vm_config *cfg, struct json_t *body, struct config_error *err);

/* Frees the device entries of CFG. */
void config_devices_free(struct vm_config *cfg);
/* Add "drives", "network-interfaces", "entropy" to ROOT as GET /vm/config shows them. 0 or -1. */
int config_devices_drives_to_json(const struct vm_config *cfg, struct json_t *root);
int config_devices_nets_to_json(const struct vm_config *cfg, struct json_t *root);
int config_devices_entropy_to_json(const struct vm_config *cfg, struct json_t *root);

#endif /* MOTE_VMM_CONFIG_CONFIG_DEVICES_H */
