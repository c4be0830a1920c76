/* cmd_volume.h: `mote volume` — ext4 images for `mote run -v`. */
#ifndef MOTE_TOOLS_CMD_VOLUME_H
#define MOTE_TOOLS_CMD_VOLUME_H

#include <stdint.h>

/* Runs `mote volume` with argv[0] = "volume"; returns mote's exit status. */
int cmd_volume(int argc, char **argv);

/* The usage text of `mote help volume`. */
void cmd_volume_help(void);

/* A size like "1G", "512M", "64m", "4096K", "1048576" (bytes; K/M/G/T are powers of 1024)
 * into *bytes. 0, or -1 when it is not a size or overflows. */
int volume_parse_size(const char *s, uint64_t *bytes);

#endif
