/* termios.h: the termios flag bits and c_cc slots (Linux x86-64 values), for the line
 * discipline (fs/ldisc.c, fs/ldisc_ioctl.c). */
#ifndef MOTE_FS_TERMIOS_H
#define MOTE_FS_TERMIOS_H

/* c_iflag */
#define ISTRIP 0000040
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IUCLC 0001000
#define IXON 0002000
#define IXANY 0004000
#define IUTF8 0040000
/* c_oflag */
#define OPOST 0000001
#define OLCUC 0000002
#define ONLCR 0000004
#define OCRNL 0000010
#define ONOCR 0000020
#define ONLRET 0000040
#define TABDLY 0014000
#define XTABS 0014000
/* c_cflag */
#define CBAUD 0010017
#define CSIZE 0000060
#define CS8 0000060
#define CREAD 0000200
#define PARENB 0000400
/* c_lflag */
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define ECHOCTL 0001000
#define ECHOKE 0004000
#define IEXTEN 0100000
/* c_cc */
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

#define DISABLED 0 /* _POSIX_VDISABLE: a c_cc slot of 0 matches nothing */

#define I(ld, f) ((ld)->termios.c_iflag & (f))
#define O(ld, f) ((ld)->termios.c_oflag & (f))
#define L(ld, f) ((ld)->termios.c_lflag & (f))
#define CC(ld, i) ((ld)->termios.c_cc[i])

/* The terminal ioctls' numbers (Linux's asm-generic/ioctls.h). */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCSBRK 0x5409
#define TCXONC 0x540a
#define TCFLSH 0x540b
#define TIOCSCTTY 0x540e
#define TIOCGPGRP 0x540f
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define TIOCNOTTY 0x5422
#define TIOCGETD 0x5424
#define TCSBRKP 0x5425
#define TIOCGSID 0x5429
#define TCGETS2 0x802c542a
#define TCSETS2 0x402c542b
#define TCSETSW2 0x402c542c
#define TCSETSF2 0x402c542d
#define TIOCGPTN 0x80045430
#define TIOCSPTLCK 0x40045431
#define TIOCSIG 0x40045436
#define TIOCGPTLCK 0x80045439
#define TIOCGPTPEER 0x5441

#endif /* MOTE_FS_TERMIOS_H */
