/* cmd_build.h: `mote build`. */
#ifndef MOTE_TOOLS_CMD_BUILD_H
#define MOTE_TOOLS_CMD_BUILD_H

/* Runs `mote build` with argv[0] = "build"; returns mote's exit status. */
int cmd_build(int argc, char **argv);

/* The usage text of `mote help build`. */
void cmd_build_help(void);

#endif
