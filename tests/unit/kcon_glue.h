/* kcon_glue.h: the kernel's virtio console driver (kernel/drivers/virtio/console.c) built for
 * the host, on a host version of the kernel's virtio-mmio transport (kcon_glue.c) that reaches
 * a motevm device through the test's register access (virtio_driver.h's vdrv_reg_*). Plain C
 * types only: the glue is compiled with the kernel's headers, the test with the host's. The
 * test is single-threaded: where the driver would sleep, the glue runs the test's event loop. */
#ifndef MOTE_TEST_KCON_GLUE_H
#define MOTE_TEST_KCON_GLUE_H

/* provided by the test */
unsigned char kcon_cfg8(unsigned long off); /* a byte of the configuration space */
/* Runs the device's event loop for up to MS ms; non-zero if it raised its interrupt. */
int kcon_run(int ms);
unsigned long long kcon_now_ns(void);

/* The driver, through its console.h. */
int kcon_probe(void);
long kcon_write(int to_stderr, const void *buf, unsigned long n);
long kcon_read(void *buf, unsigned long n, int nonblock);
int kcon_has_input(void);
int kcon_rx_pending(void);
/* A new window size since the last call: 1 and *rows, *cols, else 0. */
int kcon_winsize(unsigned short *rows, unsigned short *cols);
/* How often the driver woke stdin's pollers (tty_rx_notify). */
unsigned long kcon_poll_wakes(void);

#endif
