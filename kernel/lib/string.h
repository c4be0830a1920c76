/* string.h: freestanding memory and string helpers (the C library names the compiler expects). */
#ifndef MOTE_LIB_STRING_H
#define MOTE_LIB_STRING_H

#include "lib/types.h"

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Parse an unsigned decimal (or 0x hex) number; returns 0 or -EINVAL if s is not all digits. */
int str_to_u64(const char *s, uint64_t *out);

#endif /* MOTE_LIB_STRING_H */
