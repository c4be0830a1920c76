/* server.c: the API thread and its Unix socket (see server.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "abi/mote_abi.h"
#include "api/http.h"
#include "api/server.h"
#include "log.h"
#include "privdrop.h"
#include "seccomp/filter.h"

#define READ_CHUNK 4096
/* Input kept for a connection whose answers are not being read (pipelining): then stop reading. */
#define OUT_BACKLOG (64u << 10)
/* Requests answered per connection per pass: a client pipelining thousands of them takes turns
 * with the others instead of holding the API thread until it is done. */
#define SERVE_BATCH 16
/* Connections accepted per pass: a flood of connects takes turns with the clients' requests. */
#define ACCEPT_BATCH SERVER_MAX_CONNS

/* What a connection waits for; each wait has its deadline (server.h). */
enum conn_wait {
	WAIT_IDLE,    /* nothing in flight: SERVER_IDLE_TIMEOUT_MS */
	WAIT_REQUEST, /* a request begun and not whole: SERVER_REQUEST_TIMEOUT_MS */
	WAIT_READER,  /* an answer the client has not taken: SERVER_REQUEST_TIMEOUT_MS */
};

struct server_conn {
	int fd;
	struct http_conn http;
	bool eof;
	bool more; /* whole requests may be left in the input: served on the next pass */
	enum conn_wait wait;
	int64_t since; /* when WAIT began (CLOCK_MONOTONIC, ms) */
	uint64_t seq;  /* accept order */
};

/* Monotonic: deadlines do not move with the wall clock. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int socket_address(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* A socket file nobody accepts on is stale (its motevm died): remove it. */
static int remove_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0)
		return -EADDRINUSE; /* a live server */
	if (errno != ECONNREFUSED)
		return -errno;
	log_info("removing the stale API socket %s", path);
	return unlink(path) < 0 ? -errno : 0;
}

int server_bind(struct server *s, const char *path, size_t max_body)
{
	struct sockaddr_un sa;
	int r;

	memset(s, 0, sizeof(*s));
	s->listen_fd = s->epfd = s->shutdown_fd = s->call_ev.fd = -1;
	s->max_body = max_body;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if ((r = socket_address(path, &sa)) || (r = remove_stale(path, &sa)))
		goto err;
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto err;
	}
	s->path = strdup(path);
	if (!s->path) {
		r = -ENOMEM;
		unlink(path);
		goto err;
	}
	if (listen(s->listen_fd, 64) < 0) {
		r = -errno;
		goto err;
	}
	return 0;
err:
	log_err("Failed to open the API socket at: %s. Check that it is not already used. (%s)",
		path, strerror(-r));
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
	return r;
}

static void conn_close(struct server *s, struct server_conn *c)
{
	for (int i = 0; i < SERVER_MAX_CONNS; i++)
		if (s->conns[i] == c)
			s->conns[i] = NULL;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	http_conn_free(&c->http);
	free(c);
}

/* Hands REQ to the VMM thread and waits for its answer. */
static void call(struct server *s, const struct http_request *req, struct http_response *resp)
{
	uint64_t one = 1;

	pthread_mutex_lock(&s->lock);
	if (!s->closed) {
		s->req = req;
		s->resp = resp;
		s->done = false;
		if (write(s->call_ev.fd, &one, sizeof(one)) < 0)
			log_err("API: waking the VMM thread: %s", strerror(errno));
		while (!s->done && !s->closed)
			pthread_cond_wait(&s->cond, &s->lock);
		s->req = NULL;
	}
	if (!s->done) {
		resp->status = 400;
		resp->body = http_fault_json("The microVM is shutting down.");
	}
	pthread_mutex_unlock(&s->lock);
}

/* Sends what is queued; the events to wait for next. */
static void flush(struct server_conn *c)
{
	while (c->http.out_len) {
		ssize_t n = send(c->fd, c->http.out, c->http.out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN)
				c->eof = c->http.closing = true; /* the client is gone */
			return;
		}
		http_conn_sent(&c->http, (size_t)n);
	}
}

/*
 * Answers the whole requests in C's input, one at a time, while the answers can be sent and
 * at most SERVE_BATCH of them (C->more then). Returns how many were answered.
 */
static int serve(struct server *s, struct server_conn *c)
{
	struct http_request req;
	int n = 0;

	c->more = false;
	while (c->http.out_len == 0) {
		struct http_response resp = { 0 };

		if (n == SERVE_BATCH) {
			c->more = true;
			break;
		}
		if (http_conn_next(&c->http, &req) != 1)
			break;
		call(s, &req, &resp);
		http_conn_respond(&c->http, &resp);
		free(resp.body);
		flush(c);
		n++;
	}
	flush(c);
	return n;
}

/* Reads what C's client sent; false when the connection is to be closed. */
static bool conn_read(struct server_conn *c)
{
	char buf[READ_CHUNK];

	/* Enough to work on: a client that never stops sending waits for its answers (and for
	 * its turn: a pass answers SERVE_BATCH requests). */
	while (c->http.in_len < OUT_BACKLOG) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0) {
			c->eof = true;
			return true;
		}
		if (http_conn_feed(&c->http, buf, (size_t)n))
			return false;
	}
	return true;
}

/*
 * What C waits for now. Its clock restarts when that changes or a request was answered, and
 * only then: bytes that do not finish a request (a slowloris client's, or empty lines while
 * idle) buy no time.
 */
static void conn_wait_update(struct server_conn *c, bool answered, int64_t now)
{
	enum conn_wait w = c->http.out_len		    ? WAIT_READER
			   : http_conn_in_request(&c->http) ? WAIT_REQUEST
							    : WAIT_IDLE;

	if (w != c->wait || answered) {
		c->wait = w;
		c->since = now;
	}
}

static int64_t conn_deadline(const struct server_conn *c)
{
	return c->since +
	       (c->wait == WAIT_IDLE ? SERVER_IDLE_TIMEOUT_MS : SERVER_REQUEST_TIMEOUT_MS);
}

/* Serves C, then closes it or waits for its next event. False when C was closed. */
static bool conn_serve(struct server *s, struct server_conn *c)
{
	struct epoll_event ev = { .data.ptr = c };
	int answered = serve(s, c);

	/* Done: we are closing and the answer is out (or cannot go out), or the client left and
	 * everything it sent is answered (a request it had not finished is dropped). */
	if ((c->http.closing && (c->http.out_len == 0 || c->eof)) ||
	    (c->eof && c->http.out_len == 0 && !c->more)) {
		conn_close(s, c);
		return false;
	}
	conn_wait_update(c, answered > 0, now_ms());
	/* Answers waiting to be sent: no more input until the client reads them. */
	ev.events = c->http.out_len ? EPOLLOUT : EPOLLIN;
	epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	return true;
}

/* EVENTS on C's socket. False when C was closed. */
static bool conn_event(struct server *s, struct server_conn *c, uint32_t events)
{
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->eof && !conn_read(c)) {
		conn_close(s, c);
		return false;
	}
	if (events & EPOLLOUT)
		flush(c);
	return conn_serve(s, c);
}

/* Ends C, telling a client caught mid-request why (STATUS, MSG) as far as its socket takes it
 * without waiting. */
static void conn_drop(struct server *s, struct server_conn *c, int status, const char *msg)
{
	if (c->wait == WAIT_REQUEST && !c->http.closing) {
		http_conn_respond_close(&c->http, status, msg);
		flush(c);
	}
	conn_close(s, c);
}

/*
 * C's deadline has passed (NOW). What it sent meanwhile is read and served first: the API
 * thread may have been busy with the VMM while C's bytes arrived. If that leaves it waiting
 * for the same thing since the same time, it is closed. False when C was closed.
 */
static bool conn_expire(struct server *s, struct server_conn *c, int64_t now)
{
	static const char *const why[] = { "idle", "request not whole", "answer not read" };
	char msg[128];

	if (!conn_event(s, c, EPOLLIN | EPOLLOUT))
		return false;
	if (c->more || conn_deadline(c) > now)
		return true;
	log_debug("API: closing a connection after %d ms: %s",
		  c->wait == WAIT_IDLE ? SERVER_IDLE_TIMEOUT_MS : SERVER_REQUEST_TIMEOUT_MS,
		  why[c->wait]);
	snprintf(msg, sizeof(msg),
		 "Request timeout: the request did not arrive whole within %d ms.",
		 SERVER_REQUEST_TIMEOUT_MS);
	conn_drop(s, c, 408, msg);
	return false;
}

/* Closes the connections past their deadline; the milliseconds until the next deadline
 * (-1: none, 0: some connection has requests left to serve). */
static int expire_all(struct server *s)
{
	int64_t now = now_ms(), next = -1;

	for (int i = 0; i < SERVER_MAX_CONNS; i++) {
		struct server_conn *c = s->conns[i];
		int64_t left;

		if (c && !c->more && conn_deadline(c) <= now && !conn_expire(s, c, now))
			continue;
		c = s->conns[i];
		if (!c)
			continue;
		left = c->more ? 0 : conn_deadline(c) - now;
		if (left < 0)
			left = 0;
		if (next < 0 || left < next)
			next = left;
	}
	return (int)next;
}

/* Serves the connections that had more whole requests than one pass answers. */
static void serve_more(struct server *s)
{
	for (int i = 0; i < SERVER_MAX_CONNS; i++)
		if (s->conns[i] && s->conns[i]->more)
			conn_serve(s, s->conns[i]);
}

/*
 * Every slot is taken: frees the one whose connection has waited the longest (idle, stalled
 * mid-request, or not reading its answers), oldest accepted first among equals. A request it
 * may have sent meanwhile is served first; that makes it young again, and the next oldest is
 * tried. Connections with whole requests left to serve are kept. 0, or -1 if none can go.
 */
static int make_room(struct server *s)
{
	for (int tries = 0; tries < SERVER_MAX_CONNS; tries++) {
		struct server_conn *v = NULL;
		enum conn_wait wait;
		int64_t since;

		for (int i = 0; i < SERVER_MAX_CONNS; i++) {
			struct server_conn *c = s->conns[i];

			if (!c)
				return 0;
			if (!c->more && (!v || c->since < v->since ||
					 (c->since == v->since && c->seq < v->seq)))
				v = c;
		}
		if (!v)
			return -1;
		since = v->since;
		wait = v->wait;
		if (!conn_event(s, v, EPOLLIN | EPOLLOUT))
			return 0;
		if (v->since == since && v->wait == wait && !v->more) {
			log_debug(
				"API: connection table full: closing the one waiting longest (%s)",
				v->wait == WAIT_IDLE ? "idle" : "stalled");
			conn_drop(s, v, 503, "Too many open connections.");
			return 0;
		}
	}
	return -1;
}

/* Refuses FD with Firecracker's 503 (micro_http answers it too). */
static void refuse(int fd)
{
	struct http_conn full;

	http_conn_init(&full, 0);
	http_conn_respond_close(&full, 503, "Too many open connections.");
	if (send(fd, full.out, full.out_len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("API: refusing a connection: %s", strerror(errno));
	http_conn_free(&full);
	close(fd);
}

static void accept_some(struct server *s)
{
	for (int k = 0; k < ACCEPT_BATCH; k++) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;
		struct server_conn *c;
		struct epoll_event ev;

		if (fd < 0)
			return; /* EAGAIN, or a client that left already */
		for (i = 0; i < SERVER_MAX_CONNS && s->conns[i]; i++)
			;
		if (i == SERVER_MAX_CONNS && make_room(s) == 0)
			for (i = 0; i < SERVER_MAX_CONNS && s->conns[i]; i++)
				;
		c = i < SERVER_MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			refuse(fd);
			continue;
		}
		c->fd = fd;
		c->wait = WAIT_IDLE;
		c->since = now_ms();
		c->seq = ++s->accepted;
		http_conn_init(&c->http, s->max_body);
		ev = (struct epoll_event){ .events = EPOLLIN, .data.ptr = c };
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			http_conn_free(&c->http);
			free(c);
			continue;
		}
		s->conns[i] = c;
	}
}

static void *server_thread(void *arg)
{
	struct server *s = arg;
	int r;

	log_set_thread("api");
	/* It only reads and writes its sockets: no capability (they belong to each thread). */
	r = privdrop_thread();
	if (r) {
		log_err("API: dropping its capabilities: %s", strerror(-r));
		_exit(MOTE_STATUS_ERROR);
	}
	/* Before any client's byte is read; the thread serves before and after the boot. */
	r = seccomp_apply(SECCOMP_API);
	if (r) {
		log_err("API: installing its seccomp filter: %s", strerror(-r));
		_exit(MOTE_STATUS_ERROR);
	}
	for (;;) {
		/* Every socket's event fits: the listener, the shutdown eventfd, the connections. */
		struct epoll_event ev[SERVER_MAX_CONNS + 2];
		bool accepting = false;
		int n;

		serve_more(s);
		n = epoll_wait(s->epfd, ev, SERVER_MAX_CONNS + 2, expire_all(s));
		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr == &s->shutdown_fd)
				return NULL;
			if (ev[i].data.ptr == &s->listen_fd)
				accepting = true;
			else
				conn_event(s, ev[i].data.ptr, ev[i].events);
		}
		/* After the connections' events: making room closes connections, whose events
		 * must not be looked at afterwards. */
		if (accepting)
			accept_some(s);
		if (n < 0 && errno != EINTR) {
			log_err("API: epoll_wait: %s", strerror(errno));
			return NULL;
		}
	}
}

/* VMM thread: a request is waiting in the mailbox. */
static void on_call(struct event_handler *h, uint32_t events)
{
	struct server *s = h->opaque;
	const struct http_request *req;
	uint64_t v;

	if (read(h->fd, &v, sizeof(v)) < 0)
		return;
	pthread_mutex_lock(&s->lock);
	req = s->done ? NULL : s->req;
	pthread_mutex_unlock(&s->lock);
	if (!req)
		return;
	/* The API thread waits meanwhile: REQ and RESP are ours. */
	s->handler(s->ctx, req, s->resp);
	pthread_mutex_lock(&s->lock);
	s->done = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

int server_start(struct server *s, struct event_loop *loop, server_handler_fn *handler, void *ctx)
{
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = &s->listen_fd };
	struct epoll_event sev = { .events = EPOLLIN, .data.ptr = &s->shutdown_fd };
	int r;

	s->handler = handler;
	s->ctx = ctx;
	s->call_ev = (struct event_handler){ .fn = on_call, .opaque = s };
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->shutdown_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->call_ev.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->epfd < 0 || s->shutdown_fd < 0 || s->call_ev.fd < 0 ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listen_fd, &lev) < 0 ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->shutdown_fd, &sev) < 0)
		return -errno;
	r = event_add(loop, &s->call_ev, EPOLLIN);
	if (r)
		return r;
	r = -pthread_create(&s->thread, NULL, server_thread, s);
	if (r)
		return r;
	s->started = true;
	return 0;
}

void server_stop(struct server *s, struct event_loop *loop)
{
	uint64_t one = 1;

	pthread_mutex_lock(&s->lock);
	s->closed = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->started) {
		if (write(s->shutdown_fd, &one, sizeof(one)) < 0)
			log_err("API: stopping its thread: %s", strerror(errno));
		pthread_join(s->thread, NULL);
		s->started = false;
	}
	for (int i = 0; i < SERVER_MAX_CONNS; i++)
		if (s->conns[i])
			conn_close(s, s->conns[i]);
	if (s->call_ev.fd >= 0) {
		event_del(loop, &s->call_ev);
		close(s->call_ev.fd);
	}
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->shutdown_fd >= 0)
		close(s->shutdown_fd);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		if (s->path)
			unlink(s->path);
	}
	free(s->path);
	s->path = NULL;
	s->listen_fd = s->epfd = s->shutdown_fd = s->call_ev.fd = -1;
}
