#include "internode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct internode_call {
    cluster *c;
    unsigned char *body;
    size_t len, cap;
} internode_call;

static void answer(void *arg, int status, int result, unsigned char *body, size_t len)
{
    http_exchange *ex = arg;
    if (!http_is_aborted(ex)) {
        char r[16];
        snprintf(r, sizeof r, "%d", result);
        http_add_header(ex, "X-Cairn-Result", r);
        http_respond(ex, status, "application/octet-stream", body, len);
    }
    free(body);
    http_release(ex);
}

static int on_data(http_exchange *ex, const char *p, size_t n)
{
    internode_call *call = http_get_user(ex);
    if (call->len + n > call->cap) return 0;   /* bounded by Content-Length, checked below */
    memcpy(call->body + call->len, p, n);
    call->len += n;
    return 0;
}

static void on_end(http_exchange *ex)
{
    internode_call *call = http_get_user(ex);
    const http_request *r = http_req(ex);
    const char *op = r->path + strlen(RPC_PREFIX);
    unsigned char *body = call->body;
    call->body = NULL;
    http_hold(ex);   /* released by answer */
    cluster_handle(call->c, op, r->query, http_header_get(ex, "x-cairn-date"), http_header_get(ex, "x-cairn-signature"),
                   body, call->len, answer, ex);
}

/* A peer gone mid-body: the body never reaches the cluster. */
static void on_abort(http_exchange *ex)
{
    internode_call *call = http_get_user(ex);
    free(call->body);
    call->body = NULL;
}

static void refuse(http_exchange *ex, int status, const char *why)
{
    http_add_header(ex, "X-Cairn-Result", "-1");
    http_respond(ex, status, "text/plain", why, strlen(why));
}

void internode_handle(cluster *c, http_exchange *ex)
{
    const http_request *r = http_req(ex);
    if (!c) { refuse(ex, 403, "not a distributed deployment\n"); return; }
    if (strcmp(r->method, "POST") != 0) { refuse(ex, 405, "POST only\n"); return; }
    if (r->chunked || r->content_length < 0) { refuse(ex, 411, "Content-Length required\n"); return; }
    if (r->content_length > RPC_MAX_BODY) {
        http_close_after(ex);
        refuse(ex, 413, "body too large\n");
        return;
    }
    internode_call *call = arena_alloc(http_arena(ex), sizeof *call);
    call->c = c;
    call->cap = (size_t)r->content_length;
    call->len = 0;
    call->body = malloc(call->cap ? call->cap : 1);
    if (!call->body) { refuse(ex, 503, "out of memory\n"); return; }
    http_set_user(ex, call);
    http_on_abort(ex, on_abort);
    if (!r->has_body) {
        on_end(ex);
        return;
    }
    static const http_body_sink sink = { on_data, on_end, NULL };
    http_accept_body(ex, &sink);
}
