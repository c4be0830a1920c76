/* routes.h: Firecracker's API paths and methods -> one handler per endpoint. */
#ifndef MOTE_VMM_API_ROUTES_H
#define MOTE_VMM_API_ROUTES_H

struct http_request;
struct http_response;

/*
 * Answers REQ as Firecracker does (same paths, methods, JSON, status codes and fault
 * messages, pre-/post-boot rules). CTX is the struct controller. Runs on the VMM thread
 * (server_handler_fn); RESP->body is a heap string or NULL.
 */
void routes_handle(void *ctx, const struct http_request *req, struct http_response *resp);

#endif /* MOTE_VMM_API_ROUTES_H */
