#include "usage.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"

struct usage_scanner {
    uv_loop_t *loop;
    store *st;
    uv_timer_t timer;
    uint64_t interval_ms;
    /* the published result */
    bucket_usage *pub;
    size_t n_pub;
    int64_t updated_unix;
    uint64_t pass_ms, passes;
    /* the pass under way */
    int running;
    uint64_t pass_start_ms;
    bucket_usage *work;
    size_t n_work, cur;
    char *marker;                  /* list after this key in work[cur] */
};

static void on_tick(uv_timer_t *t);

static void free_list(bucket_usage *b, size_t n)
{
    for (size_t i = 0; i < n; i++) free(b[i].name);
    free(b);
}

static void finish_pass(usage_scanner *u)
{
    free_list(u->pub, u->n_pub);
    u->pub = u->work;
    u->n_pub = u->n_work;
    u->work = NULL;
    u->n_work = 0;
    free(u->marker);
    u->marker = NULL;
    u->running = 0;
    u->updated_unix = (int64_t)time(NULL);
    u->pass_ms = uv_now(u->loop) - u->pass_start_ms;
    u->passes++;
    uint64_t next = u->pass_ms >= u->interval_ms ? 1 : u->interval_ms - u->pass_ms;
    uv_timer_start(&u->timer, on_tick, next, 0);
}

static int begin_pass(usage_scanner *u)
{
    arena a;
    arena_init(&a);
    bucket_info *b = NULL;
    size_t n = 0;
    if (store_bucket_list(u->st, &a, &b, &n) != ST_OK) {
        arena_reset(&a);
        return -1;
    }
    if (n > USAGE_MAX_BUCKETS) n = USAGE_MAX_BUCKETS;
    u->work = calloc(n ? n : 1, sizeof *u->work);
    if (!u->work) { arena_reset(&a); return -1; }
    for (size_t i = 0; i < n; i++) {
        u->work[i].name = strdup(b[i].name);
        if (!u->work[i].name) {
            free_list(u->work, i);
            u->work = NULL;
            arena_reset(&a);
            return -1;
        }
    }
    u->n_work = n;
    u->cur = 0;
    u->running = 1;
    u->pass_start_ms = uv_now(u->loop);
    arena_reset(&a);
    return 0;
}

/* One page of one bucket. */
static void step(usage_scanner *u)
{
    if (u->cur >= u->n_work) {
        finish_pass(u);
        return;
    }
    bucket_usage *bu = &u->work[u->cur];
    arena a;
    arena_init(&a);
    list_params p = { .prefix = "", .delimiter = NULL, .after = u->marker, .max_keys = USAGE_PAGE };
    list_result r;
    memset(&r, 0, sizeof r);
    store_status st = store_object_list(u->st, &a, bu->name, &p, &r);
    int next_bucket = 1;
    if (st == ST_OK) {
        for (size_t i = 0; i < r.n_objects; i++) {
            bu->objects++;
            bu->bytes += r.objects[i].size;
        }
        if (r.truncated && r.n_objects > 0) {
            const char *last = r.next_marker ? r.next_marker : r.objects[r.n_objects - 1].key;
            char *m = last ? strdup(last) : NULL;
            if (m) {
                free(u->marker);
                u->marker = m;
                next_bucket = 0;
            }
        }
    }
    /* a bucket deleted during the pass just ends with what was counted */
    arena_reset(&a);
    if (next_bucket) {
        free(u->marker);
        u->marker = NULL;
        u->cur++;
    }
    uv_timer_start(&u->timer, on_tick, 1, 0);
}

static void on_tick(uv_timer_t *t)
{
    usage_scanner *u = t->data;
    if (!u->running) {
        if (begin_pass(u) != 0) {
            log_warn("usage: cannot list buckets; next try in %llu ms", (unsigned long long)u->interval_ms);
            uv_timer_start(&u->timer, on_tick, u->interval_ms, 0);
            return;
        }
    }
    step(u);
}

usage_scanner *usage_new(uv_loop_t *loop, store *st, uint64_t first_delay_ms, uint64_t interval_ms)
{
    usage_scanner *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    u->loop = loop;
    u->st = st;
    u->interval_ms = interval_ms ? interval_ms : 1;
    uv_timer_init(loop, &u->timer);
    u->timer.data = u;
    uv_timer_start(&u->timer, on_tick, first_delay_ms, 0);
    return u;
}

usage_snapshot usage_get(const usage_scanner *u)
{
    usage_snapshot s = { .buckets = u->pub, .n = u->n_pub, .updated_unix = u->updated_unix,
                         .pass_ms = u->pass_ms, .passes = u->passes };
    return s;
}

static void on_closed(uv_handle_t *h)
{
    usage_scanner *u = h->data;
    free_list(u->pub, u->n_pub);
    free_list(u->work, u->n_work);
    free(u->marker);
    free(u);
}

void usage_free(usage_scanner *u)
{
    if (!u) return;
    uv_timer_stop(&u->timer);
    uv_close((uv_handle_t *)&u->timer, on_closed);
}
