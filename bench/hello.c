/* hello.c: the smallest real program for start-up benchmarks: one write, exit 0. */
#include <stdio.h>

int main(void)
{
	puts("hello");
	return 0;
}
