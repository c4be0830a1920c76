/* http.c: HTTP/1.1 framing with nodejs' http-parser (see http.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api/http.h"

static struct http_conn *conn_of(http_parser *p)
{
	return p->data;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;
	char *b;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	b = realloc(*buf, n);
	if (!b)
		return -ENOMEM;
	*buf = b;
	*cap = n;
	return 0;
}

static int on_message_begin(http_parser *p)
{
	struct http_conn *c = conn_of(p);

	c->url_len = c->body_len = 0;
	c->in_message = true;
	c->in_expect = c->expect_continue = c->too_large = c->url_too_long = false;
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = conn_of(p);

	if (c->url_len + len > HTTP_URL_MAX) {
		c->url_too_long = true;
		return -1;
	}
	memcpy(c->url + c->url_len, at, len);
	c->url_len += len;
	return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	conn_of(p)->in_expect = len == 6 && strncasecmp(at, "expect", 6) == 0;
	return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = conn_of(p);

	if (c->in_expect && len == 12 && strncasecmp(at, "100-continue", 12) == 0)
		c->expect_continue = true;
	return 0;
}

static void queue(struct http_conn *c, const char *data, size_t len)
{
	if (grow(&c->out, &c->out_cap, c->out_len + len) == 0) {
		memcpy(c->out + c->out_len, data, len);
		c->out_len += len;
	} else {
		c->closing = true; /* cannot answer: drop the connection */
	}
}

static int on_headers_complete(http_parser *p)
{
	struct http_conn *c = conn_of(p);

	/* A declared body over the cap is refused before it is read. */
	if ((p->flags & F_CONTENTLENGTH) && p->content_length > c->max_body) {
		c->too_large = true;
		c->too_large_size = (unsigned long long)p->content_length;
		return -1;
	}
	if (c->expect_continue)
		queue(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = conn_of(p);

	/* A chunked body has no length up front: the cap applies as it arrives. */
	if (c->body_len + len > c->max_body) {
		c->too_large = true;
		c->too_large_size = (unsigned long long)(c->body_len + len);
		return -1;
	}
	if (grow(&c->body, &c->body_cap, c->body_len + len + 1))
		return -1;
	memcpy(c->body + c->body_len, at, len);
	c->body_len += len;
	return 0;
}

static int on_message_complete(http_parser *p)
{
	struct http_conn *c = conn_of(p);

	c->complete = true;
	c->in_message = false;
	c->keep_alive = http_should_keep_alive(p);
	/* One request at a time: pipelined bytes wait in the input until this one is answered. */
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

void http_conn_init(struct http_conn *c, size_t max_body)
{
	memset(c, 0, sizeof(*c));
	c->max_body = max_body;
	/*
	 * http-parser counts the request line, headers, chunk-size lines and trailers itself (its
	 * compiled-in cap is 80 KiB): lowering that cap enforces ours on every byte, whitespace
	 * and empty lines included. The setting is process-wide; every parser here wants it.
	 */
	http_parser_set_max_header_size(HTTP_HEADER_MAX);
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
}

void http_conn_free(struct http_conn *c)
{
	free(c->in);
	free(c->body);
	free(c->out);
	memset(c, 0, sizeof(*c));
}

int http_conn_feed(struct http_conn *c, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	if (grow(&c->in, &c->in_cap, c->in_len + len))
		return -ENOMEM;
	memcpy(c->in + c->in_len, data, len);
	c->in_len += len;
	return 0;
}

char *http_fault_json(const char *msg)
{
	json_t *j = json_pack("{ss}", "fault_message", msg);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 408:
		return "Request Timeout";
	case 413:
		return "Payload Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "";
	}
}

static void respond(struct http_conn *c, int status, const char *body, bool deprecation, bool close)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\nServer: motevm API\r\nConnection: %s\r\n%s", status,
		     reason(status), close ? "close" : "keep-alive",
		     deprecation ? "Deprecation: true\r\n" : "");
	if (body)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
			      "Content-Type: application/json\r\nContent-Length: %zu\r\n",
			      strlen(body));
	n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
	queue(c, head, (size_t)n);
	if (body)
		queue(c, body, strlen(body));
	if (close)
		c->closing = true;
}

void http_conn_respond(struct http_conn *c, const struct http_response *resp)
{
	respond(c, resp->status, resp->body, resp->deprecation, !c->keep_alive);
}

void http_conn_respond_close(struct http_conn *c, int status, const char *fault_message)
{
	char *body = http_fault_json(fault_message);

	respond(c, status, body, false, true);
	free(body);
}

bool http_conn_in_request(const struct http_conn *c)
{
	return c->in_len > 0 || c->in_message;
}

void http_conn_sent(struct http_conn *c, size_t n)
{
	if (n == 0)
		return;
	memmove(c->out, c->out + n, c->out_len - n);
	c->out_len -= n;
}

/* The request's path from its URL (origin form "/a?b" or absolute "http://h/a"). */
static int parse_path(struct http_conn *c)
{
	struct http_parser_url u;

	c->url[c->url_len] = 0;
	http_parser_url_init(&u);
	if (http_parser_parse_url(c->url, c->url_len, 0, &u))
		return -1;
	if (u.field_set & (1 << UF_PATH)) {
		memcpy(c->path, c->url + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
		c->path[u.field_data[UF_PATH].len] = 0;
	} else {
		strcpy(c->path, "/");
	}
	return 0;
}

/* The fault message for a parser error. */
static void parse_error(struct http_conn *c)
{
	enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
	char msg[256];

	if (c->too_large)
		snprintf(msg, sizeof(msg),
			 "Request payload with size %llu is larger than the limit of %zu allowed "
			 "by server.",
			 c->too_large_size, c->max_body);
	else if (e == HPE_HEADER_OVERFLOW)
		snprintf(msg, sizeof(msg),
			 "Request headers are larger than the limit of %u bytes allowed by server.",
			 HTTP_HEADER_MAX);
	else if (c->url_too_long)
		snprintf(msg, sizeof(msg), "Invalid URI: longer than %d bytes.", HTTP_URL_MAX);
	else
		snprintf(msg, sizeof(msg), "Invalid HTTP request: %s (%s).",
			 http_errno_description(e), http_errno_name(e));
	http_conn_respond_close(c, 400, msg);
}

int http_conn_next(struct http_conn *c, struct http_request *req)
{
	size_t n;

	if (c->closing)
		return -1;
	if (c->complete) {
		/* The last request was answered: go on with what follows it. */
		c->complete = false;
		http_parser_pause(&c->parser, 0);
	}
	/* A zero length would tell the parser the stream ended. */
	if (c->in_len == 0)
		return 0;
	n = http_parser_execute(&c->parser, &settings, c->in, c->in_len);
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	if (!c->complete) {
		if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK) {
			parse_error(c);
			return -1;
		}
		return 0;
	}
	if (parse_path(c)) {
		http_conn_respond_close(c, 400, "Invalid URI.");
		return -1;
	}
	req->method = http_method_str((enum http_method)c->parser.method);
	req->path = c->path;
	req->body = c->body_len ? c->body : NULL;
	req->body_len = c->body_len;
	if (c->body_len)
		c->body[c->body_len] = 0;
	return 1;
}
