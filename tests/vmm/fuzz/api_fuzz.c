/* api_fuzz.c: libFuzzer target for the API's request path: bytes from a client -> HTTP
 * framing (http-parser) -> routing -> JSON bodies -> the configuration model -> responses.
 * The microVM itself is stubbed (controller_stub.c): no KVM, no files written. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config/config.h"
#include "api/controller.h"
#include "api/http.h"
#include "api/routes.h"
#include "log.h"
#include "vmm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vm_config cfg;
static struct vmm vmm;
static struct controller ctl;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_OFF);
	config_init(&cfg);
	controller_init(&ctl, &cfg, &vmm, "0.0.0-fuzz");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_conn c;
	struct http_request req;
	int requests = 0, r = 0;
	/* The bytes arrive in pieces, as from a socket: every input is also cut at a different
	 * place, so that parser state (the header count, a request begun) spans feeds. */
	size_t piece = size % 2 ? size : 1 + size % 61, off = 0;

	/* Each input starts from a fresh, not started microVM. */
	config_free(&cfg);
	vmm.state = VMM_CONFIGURING;
	/* A small cap, so inputs reach it. */
	http_conn_init(&c, 1024);
	while (off < size && r >= 0 && requests < 64) {
		size_t n = size - off < piece ? size - off : piece;

		if (http_conn_feed(&c, data + off, n))
			break;
		off += n;
		while (requests < 64 && (r = http_conn_next(&c, &req)) == 1) {
			struct http_response resp = { 0 };

			requests++;
			routes_handle(&ctl, &req, &resp);
			if (resp.status < 200 || resp.status > 599)
				abort();
			http_conn_respond(&c, &resp);
			free(resp.body);
			http_conn_sent(&c, c.out_len);
		}
		/* The end of a connection (an error, or an answered Connection: close) is final. */
		if (r < 0 && !c.closing)
			abort();
		(void)http_conn_in_request(&c);
	}
	http_conn_free(&c);
	return 0;
}
