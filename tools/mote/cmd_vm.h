/* cmd_vm.h: the detached VMs' commands: `mote ps`, `mote logs`, `mote stop`, `mote rm`. */
#ifndef MOTE_TOOLS_CMD_VM_H
#define MOTE_TOOLS_CMD_VM_H

/* Each runs its command with argv[0] its name and returns mote's exit status. */
int cmd_ps(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_rm(int argc, char **argv);
void cmd_ps_help(void);
void cmd_logs_help(void);
void cmd_stop_help(void);
void cmd_rm_help(void);

#endif /* MOTE_TOOLS_CMD_VM_H */
