/* tty_hooks.c: the terminal's hooks into the process model, and the defaults for one process
 * until linux/ installs its own. */
#include "fs/tty_hooks.h"
#include "fs/fsctx.h"
#include "lib/errno.h"

static struct ldisc *one_ctty; /* the one process's controlling terminal */

static void one_signal_pgrp(int pgrp, int sig)
{
}

static void one_ids(int *pgrp, int *sid, bool *leader)
{
	*pgrp = *sid = fsctx_pid();
	*leader = true;
}

static int one_pgrp_session(int pgrp)
{
	return pgrp == fsctx_pid() ? pgrp : -ESRCH;
}

static struct ldisc *one_get_ctty(void)
{
	return __atomic_load_n(&one_ctty, __ATOMIC_ACQUIRE);
}

static void one_set_ctty(struct ldisc *ld)
{
	__atomic_store_n(&one_ctty, ld, __ATOMIC_RELEASE);
}

static void one_hangup(struct ldisc *ld, int sid)
{
	struct ldisc *expected = ld;

	__atomic_compare_exchange_n(&one_ctty, &expected, NULL, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
}

static int one_background(int sig)
{
	return 0;
}

static const struct tty_hooks one_process = {
	.signal_pgrp = one_signal_pgrp,
	.ids = one_ids,
	.pgrp_session = one_pgrp_session,
	.get_ctty = one_get_ctty,
	.set_ctty = one_set_ctty,
	.hangup = one_hangup,
	.background = one_background,
};

static const struct tty_hooks *hooks = &one_process;

void tty_hooks_install(const struct tty_hooks *h)
{
	__atomic_store_n(&hooks, h, __ATOMIC_RELEASE);
}

const struct tty_hooks *tty_hooks(void)
{
	return __atomic_load_n(&hooks, __ATOMIC_ACQUIRE);
}
