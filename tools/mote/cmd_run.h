/* cmd_run.h: `mote run`. */
#ifndef MOTE_TOOLS_CMD_RUN_H
#define MOTE_TOOLS_CMD_RUN_H

/* Runs `mote run` with argv[0] = "run"; returns mote's exit status. */
int cmd_run(int argc, char **argv);

/* The usage text of `mote help run`. */
void cmd_run_help(void);

#endif
