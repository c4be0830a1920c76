/* server.c: the API thread and its Unix socket (see server.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/http.h"
#include "api/server.h"
#include "log.h"

#define READ_CHUNK 4096
/* Input kept for a connection whose answers are not being read (pipelining): then stop reading. */
#define OUT_BACKLOG (64u << 10)

struct server_conn {
	int fd;
	struct http_conn http;
	bool eof;
};

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

/* Answers the complete requests in C's input, one at a time, while the answers can be sent. */
static void serve(struct server *s, struct server_conn *c)
{
	struct http_request req;

	while (c->http.out_len == 0 && http_conn_next(&c->http, &req) == 1) {
		struct http_response resp = { 0 };

		call(s, &req, &resp);
		http_conn_respond(&c->http, &resp);
		free(resp.body);
		flush(c);
	}
	flush(c);
}

/* Reads what C's client sent; false when the connection is to be closed. */
static bool conn_read(struct server_conn *c)
{
	char buf[READ_CHUNK];

	for (;;) {
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
		/* Enough to work on: a client that never stops sending waits for its answers. */
		if (c->http.in_len >= OUT_BACKLOG)
			return true;
	}
}

static void conn_event(struct server *s, struct server_conn *c, uint32_t events)
{
	struct epoll_event ev = { .data.ptr = c };

	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->eof && !conn_read(c)) {
		conn_close(s, c);
		return;
	}
	if (events & EPOLLOUT)
		flush(c);
	serve(s, c);
	/* Done: the client left (a request it had not finished is dropped), or we are closing. */
	if ((c->http.out_len == 0 && (c->eof || c->http.closing)) || (c->eof && c->http.closing)) {
		conn_close(s, c);
		return;
	}
	/* Answers waiting to be sent: no more input until the client reads them. */
	ev.events = c->http.out_len ? EPOLLOUT : EPOLLIN;
	epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void accept_all(struct server *s)
{
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;
		struct server_conn *c;
		struct epoll_event ev;

		if (fd < 0)
			return; /* EAGAIN, or a client that left already */
		for (i = 0; i < SERVER_MAX_CONNS && s->conns[i]; i++)
			;
		c = i < SERVER_MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			struct http_conn full;

			/* Firecracker's micro_http answers 503 too. */
			http_conn_init(&full, 0);
			http_conn_respond_close(&full, 503, "Too many open connections.");
			if (send(fd, full.out, full.out_len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				log_debug("API: refusing a connection: %s", strerror(errno));
			http_conn_free(&full);
			close(fd);
			continue;
		}
		c->fd = fd;
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

	log_set_thread("api");
	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(s->epfd, ev, 16, -1);

		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr == &s->listen_fd)
				accept_all(s);
			else if (ev[i].data.ptr == &s->shutdown_fd)
				return NULL;
			else
				conn_event(s, ev[i].data.ptr, ev[i].events);
		}
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
