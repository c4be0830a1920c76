/* arch/cc.h: lwIP's compiler and platform port for the Mote kernel: the kernel's own types
 * (no libc headers: the kernel is built -nostdinc), its printk and panic, its random numbers. */
#ifndef MOTE_NET_LWIP_ARCH_CC_H
#define MOTE_NET_LWIP_ARCH_CC_H

#include "lib/types.h"

#define LWIP_NO_STDDEF_H 1
#define LWIP_NO_STDINT_H 1
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_LIMITS_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1

typedef uint8_t u8_t;
typedef int8_t s8_t;
typedef uint16_t u16_t;
typedef int16_t s16_t;
typedef uint32_t u32_t;
typedef int32_t s32_t;
typedef uint64_t u64_t;
typedef int64_t s64_t;
typedef uintptr_t mem_ptr_t;
typedef long ptrdiff_t;

#define X8_F "02x"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"
#define INT_MAX 0x7fffffff
#define SSIZE_MAX INT64_MAX

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_RAND() ((u32_t)mote_lwip_rand())

/* lwIP's messages and assertions: the kernel's printk and panic (net/lwip_port.c). */
void mote_lwip_diag(const char *fmt, ...) __printf(1, 2);
void mote_lwip_assert(const char *msg, const char *file, int line) __noreturn;
uint32_t mote_lwip_rand(void);
#define LWIP_PLATFORM_DIAG(x) mote_lwip_diag x
#define LWIP_PLATFORM_ASSERT(x) mote_lwip_assert(x, __FILE__, __LINE__)

#endif /* MOTE_NET_LWIP_ARCH_CC_H */
