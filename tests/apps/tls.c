/* tls.c: thread-local storage: initialised (.tdata) and zeroed (.tbss) __thread variables, a
 * large and an over-aligned one, in the main thread and in threads; per-thread errno; the TCB
 * self-pointer; pthread keys and their destructors. */
#include "check.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#define NT 8
#define ITERS 100000

static __thread int counter = 42;	   /* .tdata */
static __thread char name[16] = "initial"; /* .tdata */
static __thread long zeroed[4];		   /* .tbss */
static __thread char big[64 << 10];	   /* a large .tbss */
static _Thread_local long aligned_var __attribute__((aligned(64))) = 7;

struct report {
	int id, start_counter, start_name_ok, start_zero, aligned_ok, big_ok, errno_ok, self_ok;
	long final;
	uintptr_t counter_addr;
};

static pthread_key_t key;
static int destructed, destructed_sum;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void destructor(void *v)
{
	pthread_mutex_lock(&lock);
	destructed++;
	destructed_sum += (int)(uintptr_t)v;
	pthread_mutex_unlock(&lock);
}

static uintptr_t tcb_self(void)
{
	uintptr_t self;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	return self;
}

static void *worker(void *arg)
{
	struct report *r = arg;

	r->start_counter = counter;
	r->start_name_ok = strcmp(name, "initial") == 0;
	r->start_zero =
		zeroed[0] == 0 && zeroed[3] == 0 && big[0] == 0 && big[sizeof(big) - 1] == 0;
	r->aligned_ok = ((uintptr_t)&aligned_var % 64) == 0 && aligned_var == 7;
	r->self_ok = tcb_self() == (uintptr_t)pthread_self();
	r->counter_addr = (uintptr_t)&counter;
	snprintf(name, sizeof(name), "thread");
	memset(big, r->id, sizeof(big));
	counter = 0;
	for (int i = 0; i < ITERS; i++) {
		counter++;
		zeroed[i % 4]++;
	}
	r->big_ok = big[0] == big[sizeof(big) - 1];
	errno = 1000 + r->id;
	sched_yield();
	r->errno_ok = errno == 1000 + r->id;
	r->final = counter + zeroed[0] + zeroed[1] + zeroed[2] + zeroed[3];
	pthread_setspecific(key, (void *)(uintptr_t)3);
	return NULL;
}

int main(void)
{
	struct report r[NT];
	pthread_t t[NT];
	int start = 1, names = 1, zero = 1, aligned = 1, bigs = 1, errs = 1, selfs = 1, addrs = 1;
	long total = 0;

	check_start();
	CHECK_EQ(counter, 42, "main: an initialised __thread int starts at 42");
	CHECK_STR(name, "initial", "main: an initialised __thread string");
	CHECK(zeroed[0] == 0 && big[12345] == 0, "main: .tbss starts zeroed");
	CHECK(((uintptr_t)&aligned_var % 64) == 0 && aligned_var == 7,
	      "main: a 64-byte aligned _Thread_local with its value");
	CHECK(tcb_self() == (uintptr_t)pthread_self(), "main: %%fs:0 points at the TCB itself");
	counter = 1;
	strcpy(name, "main");
	memset(big, 0x77, sizeof(big));
	pthread_key_create(&key, destructor);
	memset(r, 0, sizeof(r));
	for (int i = 0; i < NT; i++) {
		r[i].id = i + 1;
		pthread_create(&t[i], NULL, worker, &r[i]);
	}
	errno = 0;
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NT; i++) {
		start &= r[i].start_counter == 42;
		names &= r[i].start_name_ok;
		zero &= r[i].start_zero;
		aligned &= r[i].aligned_ok;
		bigs &= r[i].big_ok;
		errs &= r[i].errno_ok;
		selfs &= r[i].self_ok;
		addrs &= r[i].counter_addr != (uintptr_t)&counter;
		for (int j = 0; j < i; j++)
			addrs &= r[i].counter_addr != r[j].counter_addr;
		total += r[i].final;
	}
	CHECK(start && names, "%d threads: each starts from the initial image, not main's values",
	      NT);
	CHECK(zero, "each starts with zeroed .tbss, 64 KiB of it");
	CHECK(aligned, "each has its aligned variable aligned");
	CHECK(addrs, "each has its own copy at its own address");
	CHECK(selfs, "each has %%fs:0 pointing at its own TCB");
	CHECK(bigs, "each fills its big array without disturbing others");
	CHECK(errs, "errno is per thread");
	CHECK_EQ(total, 2L * NT * ITERS, "each counted to %d twice in TLS: total %ld", ITERS,
		 2L * NT * ITERS);
	CHECK(counter == 1 && strcmp(name, "main") == 0 && big[0] == 0x77 &&
		      big[sizeof(big) - 1] == 0x77,
	      "main's own copies are untouched");
	CHECK(destructed == NT && destructed_sum == 3 * NT,
	      "pthread key destructors ran once per thread with its value");
	return check_done();
}
