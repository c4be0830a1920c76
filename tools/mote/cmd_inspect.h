/* cmd_inspect.h: `mote inspect`. */
#ifndef MOTE_TOOLS_CMD_INSPECT_H
#define MOTE_TOOLS_CMD_INSPECT_H

/* Runs `mote inspect` with argv[0] = "inspect"; returns mote's exit status. */
int cmd_inspect(int argc, char **argv);

/* The usage text of `mote help inspect`. */
void cmd_inspect_help(void);

#endif
