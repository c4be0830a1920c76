/* http.h: one HTTP/1.1 connection's bytes -> requests and responses -> bytes (no sockets). */
#ifndef MOTE_VMM_API_HTTP_H
#define MOTE_VMM_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <http_parser.h>

#define HTTP_URL_MAX 4096
/* The request line and the headers together (and a chunk-size line, trailers): over it the
 * request gets 400 and the connection closes. */
#define HTTP_HEADER_MAX (16u << 10)
#define HTTP_DEFAULT_MAX_BODY 51200 /* Firecracker's HTTP_MAX_PAYLOAD_SIZE */

/* A parsed request; the strings belong to the connection until the next http_conn_next. */
struct http_request {
	const char *method; /* "GET", "PUT", ... */
	const char *path;   /* the URL's path ("/drives/rootfs"), without query */
	const char *body;   /* NULL when there is none (no or a zero Content-Length) */
	size_t body_len;
};

/* What to answer; BODY (owned by the caller) is JSON or NULL. */
struct http_response {
	int status; /* 200, 204, 400, ... */
	char *body;
	bool deprecation; /* Firecracker's "Deprecation: true" header */
};

struct http_conn {
	http_parser parser;
	size_t max_body;
	/* received and not yet parsed */
	char *in;
	size_t in_len, in_cap;
	/* the request being parsed */
	char url[HTTP_URL_MAX + 1];
	size_t url_len;
	char path[HTTP_URL_MAX + 1];
	char *body;
	size_t body_len, body_cap;
	bool in_expect, expect_continue; /* the header being read is "Expect"; 100-continue */
	bool too_large;
	unsigned long long too_large_size;
	bool url_too_long;
	bool in_message; /* a request has begun and is not whole yet */
	bool complete;	 /* a whole request is parsed (the parser is paused after it) */
	bool keep_alive;
	/* to send */
	char *out;
	size_t out_len, out_cap;
	bool closing; /* close once OUT is sent: an error broke the framing or the client asked */
};

void http_conn_init(struct http_conn *c, size_t max_body);
void http_conn_free(struct http_conn *c);
/* Appends received bytes to the connection's input. 0 or -ENOMEM. */
int http_conn_feed(struct http_conn *c, const void *data, size_t len);
/*
 * Parses the buffered input up to the next whole request. 1: *REQ is ready (answer it with
 * http_conn_respond before calling again); 0: more bytes are needed; -1: the input is not
 * HTTP this connection can go on with: a 400 with a fault message is queued and the
 * connection is closing.
 */
int http_conn_next(struct http_conn *c, struct http_request *req);
/* Queues the response to the last request (Connection: close if the client asked for it). */
void http_conn_respond(struct http_conn *c, const struct http_response *resp);
/* Queues a response that is not to a parsed request (too many connections, shutting down)
 * and marks the connection closing. */
void http_conn_respond_close(struct http_conn *c, int status, const char *fault_message);
/* Whether part of a request is here: bytes not parsed yet, or a request begun and not whole. */
bool http_conn_in_request(const struct http_conn *c);
/* Drops N sent bytes from the front of the output. */
void http_conn_sent(struct http_conn *c, size_t n);

/* {"fault_message": MSG} as a heap string (NULL on allocation failure). */
char *http_fault_json(const char *msg);

#endif /* MOTE_VMM_API_HTTP_H */
