/* rtc.c: reading the CMOS clock (ports 0x70/0x71): once, when the wall clock is first needed. */
#include "drivers/rtc.h"
#include "arch/x86_64/cpu.h"

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (v & 15) + (v >> 4) * 10 : v;
}

int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t rtc_read_epoch(void)
{
	uint8_t s, mi, h, d, mo, y, b;

	while (cmos(0x0a) & 0x80) /* update in progress */
		cpu_relax();
	s = cmos(0);
	mi = cmos(2);
	h = cmos(4);
	d = cmos(7);
	mo = cmos(8);
	y = cmos(9);
	b = cmos(0x0b);
	{
		bool isbcd = !(b & 4);
		unsigned hour = bcd(h & 0x7f, isbcd);

		if (!(b & 2) && (h & 0x80)) /* 12-hour clock, PM */
			hour = (hour % 12) + 12;
		return rtc_days_from_civil(2000 + bcd(y, isbcd), bcd(mo, isbcd), bcd(d, isbcd)) *
			       86400 +
		       hour * 3600 + bcd(mi, isbcd) * 60 + bcd(s, isbcd);
	}
}
