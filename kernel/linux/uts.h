/* uts.h: what uname reports (procfs's sys/kernel/{hostname,osrelease} read the same). */
#ifndef MOTE_LINUX_UTS_H
#define MOTE_LINUX_UTS_H

#define MOTE_UTS_RELEASE "6.1.0-mote"
#define MOTE_UTS_VERSION "#1 SMP Mote"

extern char uts_hostname[65];
extern char uts_domainname[65];

#endif /* MOTE_LINUX_UTS_H */
