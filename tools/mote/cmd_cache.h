/* cmd_cache.h: `mote cache`. */
#ifndef MOTE_TOOLS_CMD_CACHE_H
#define MOTE_TOOLS_CMD_CACHE_H

/* Runs `mote cache` with argv[0] = "cache"; returns mote's exit status. */
int cmd_cache(int argc, char **argv);

/* The usage text of `mote help cache`. */
void cmd_cache_help(void);

#endif
