/* server.h: the API thread: HTTP on a Unix socket, requests handed to the VMM thread. */
#ifndef MOTE_VMM_API_SERVER_H
#define MOTE_VMM_API_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct http_request;
struct http_response;

/* Runs on the VMM thread for each request; fills RESP (status, body). */
typedef void server_handler_fn(void *ctx, const struct http_request *req,
			       struct http_response *resp);

/*
 * The limits that keep one client from shutting the others out (docs/motevm.md, REST API,
 * Transport). At most SERVER_MAX_CONNS connections; when all are taken, a new client takes
 * the slot of the one that has waited the longest (idle, or stalled mid-request). A request
 * must arrive whole within SERVER_REQUEST_TIMEOUT_MS of its first byte (a slowloris client
 * cannot hold a slot), and an answer must be taken by the client within the same time; a
 * keep-alive connection with nothing in flight is closed after SERVER_IDLE_TIMEOUT_MS. Over a
 * Unix socket a whole request takes microseconds: 5 s is slack for a loaded host, not for a
 * person typing into socat.
 */
#define SERVER_MAX_CONNS 16
#define SERVER_REQUEST_TIMEOUT_MS 5000
#define SERVER_IDLE_TIMEOUT_MS 30000

struct server_conn;

struct server {
	char *path;
	int listen_fd;
	int epfd;	 /* the API thread's epoll */
	int shutdown_fd; /* eventfd: the API thread ends */
	size_t max_body;
	pthread_t thread;
	bool started;
	struct server_conn *conns[SERVER_MAX_CONNS];
	uint64_t accepted; /* connections accepted so far: their order, for eviction ties */

	/* The mailbox: one request at a time from the API thread to the VMM thread. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const struct http_request *req;
	struct http_response *resp;
	bool done, closed;
	struct event_handler call_ev; /* eventfd on the VMM loop: a request is waiting */
	server_handler_fn *handler;
	void *ctx;
};

/*
 * Binds and listens on PATH. A stale socket file (nobody accepts on it) is replaced; a live one
 * or another kind of file is refused. 0, or -errno after logging Firecracker's "Failed to open
 * the API socket at: PATH. Check that it is not already used.".
 */
int server_bind(struct server *s, const char *path, size_t max_body);
/*
 * Starts the API thread; HANDLER(CTX, ...) runs on LOOP's thread (the VMM thread) for each
 * request while the API thread waits. 0 or -errno.
 */
int server_start(struct server *s, struct event_loop *loop, server_handler_fn *handler, void *ctx);
/* Answers a waiting request with "shutting down", ends the API thread, closes everything and
 * removes the socket file. Safe on a server that never started. */
void server_stop(struct server *s, struct event_loop *loop);

#endif /* MOTE_VMM_API_SERVER_H */
