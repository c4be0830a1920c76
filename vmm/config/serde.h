/* serde.h: typed reads of JSON request bodies, failing with the texts Firecracker's serde gives. */
#ifndef MOTE_VMM_CONFIG_SERDE_H
#define MOTE_VMM_CONFIG_SERDE_H

#include <stdbool.h>
#include <stdint.h>

struct json_t;
struct config_error;

/* How a field may appear. */
enum {
	SERDE_REQUIRED = 1, /* absent: "missing field `x`" */
	SERDE_NULLABLE = 2, /* an Option: null is the same as absent */
};

/*
 * BODY must be an object (else "invalid type: ..., expected struct TYPE") whose keys are all in
 * FIELDS (NULL-terminated; else "unknown field `k`, expected one of ..."). 0 or -1 with ERR set
 * (kind CONFIG_ERR_BODY), as every function here.
 */
int serde_struct(struct json_t *body, const char *type, const char *const *fields,
		 struct config_error *err);
/* *OUT = a heap copy of string field KEY, or NULL when absent (or null if NULLABLE). */
int serde_string(struct json_t *body, const char *key, int flags, char **out,
		 struct config_error *err);
/* Unsigned integer field KEY of Rust type TYPE ("u8", "u16", "u64", "usize") whose largest
 * value is MAX; *OUT is left alone and *PRESENT false when absent. PRESENT may be NULL. */
int serde_uint(struct json_t *body, const char *key, int flags, const char *type, uint64_t max,
	       uint64_t *out, bool *present, struct config_error *err);
int serde_bool(struct json_t *body, const char *key, int flags, bool *out, bool *present,
	       struct config_error *err);
/* String field KEY that must be one of VARIANTS (NULL-terminated): *OUT = its index. */
int serde_enum(struct json_t *body, const char *key, int flags, const char *const *variants,
	       int *out, bool *present, struct config_error *err);
/* "invalid type: <what V is>, expected EXPECTED". -1. */
int serde_invalid_type(struct json_t *v, const char *expected, struct config_error *err);
/* The value at KEY, or NULL when absent or null: for nested objects. */
struct json_t *serde_get(struct json_t *body, const char *key);

/* Sets ERR (kind CONFIG_ERR_BODY or CONFIG_ERR_VALUE) to the printf text; returns -1. */
int serde_fail(struct config_error *err, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* MOTE_VMM_CONFIG_SERDE_H */
