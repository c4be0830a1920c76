/* version.h: the version mote reports and stamps into images and cache keys. */
#ifndef MOTE_TOOLS_VERSION_H
#define MOTE_TOOLS_VERSION_H

#define MOTE_VERSION "0.1.0"

#endif /* MOTE_TOOLS_VERSION_H */
