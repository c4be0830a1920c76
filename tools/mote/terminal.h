/* terminal.h: mote's ends as terminals: what the kernel is told of them, and the host
 * terminal's settings while the VM is the terminal (docs/mote.md, "Terminals"). */
#ifndef MOTE_TOOLS_TERMINAL_H
#define MOTE_TOOLS_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the VM is the terminal: mote's stdin and stdout are both terminals. The kernel's
 * console then runs a line discipline, and the host terminal must pass every key (ISIG off)
 * and every byte of output untranslated (ONLCR off). */
bool terminal_interactive(void);
struct mote_opts;

/* When interactive, the program gets the host's $TERM and its terminfo entry, as a login on
 * the terminal would (readline, less, vi need them), unless --env TERM= was given: an --env
 * and an --add for its image. 0, or -1 (out of memory, said). */
int terminal_image_extras(struct mote_opts *o);
/* "--console-ttys=MASK[,ROWSxCOLS] ": which of stdin, stdout and stderr are terminals, and
 * the window of the first that is (QEMU cannot say it to the kernel; motevm's CPUID does). */
void terminal_ttys_arg(char *out, size_t n);
/* "--console-termios=IFLAG,OFLAG,LFLAG,CC " when interactive: the settings the console
 * starts with are the host terminal's own (as ssh passes them to its remote pty), "" else. */
void terminal_termios_arg(char *out, size_t n);
/* When interactive, turn ONLCR off on the host terminal until terminal_restore (QEMU keeps
 * OPOST on and clears ISIG itself with signal=off; motevm sets all it needs). */
void terminal_begin(void);
void terminal_restore(void);
/* When interactive, a channel for the window size (QEMU's virtio-serial sends no RESIZE): a
 * socket pair whose one end is returned for QEMU's port "mote.winsize" (inherited across
 * exec: close it after the fork), the other written "ROWS COLS\n" by a SIGWINCH handler
 * until terminal_winsize_stop. -1 when not interactive or on failure (no resizing then). */
int terminal_winsize_start(void);
void terminal_winsize_stop(void);

#endif /* MOTE_TOOLS_TERMINAL_H */
