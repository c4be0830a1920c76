/* true.c: /bin/true, built static for bench/proc.sh: a program to spawn that needs no
 * libraries, the same binary natively and inside Mote. */
int main(void)
{
	return 0;
}
