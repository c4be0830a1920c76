/* rtc.h: the CMOS real-time clock (the wall clock where there is no kvmclock). */
#ifndef MOTE_DRIVERS_RTC_H
#define MOTE_DRIVERS_RTC_H

#include "lib/types.h"

/* Seconds since the epoch, read from the CMOS clock (UTC assumed). */
int64_t rtc_read_epoch(void);
/* Days since 1970-01-01 of a civil date (pure). */
int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif /* MOTE_DRIVERS_RTC_H */
