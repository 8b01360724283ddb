#include "arena.h"

#include <pthread.h>
#include <stdio.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
/* a kept block is poisoned, so a use after arena_reset still fails under ASan */
#define KEPT_POISON(b) ASAN_POISON_MEMORY_REGION((b)->data, (b)->cap)
#define KEPT_UNPOISON(b) ASAN_UNPOISON_MEMORY_REGION((b)->data, (b)->cap)
#else
#define KEPT_POISON(b) ((void)(b))
#define KEPT_UNPOISON(b) ((void)(b))
#endif
#include <stdlib.h>
#include <string.h>

struct arena_block {
    arena_block *next;
    size_t used, cap;
    _Alignas(16) char data[];
};

enum { ARENA_FIRST_BLOCK = 4096, ARENA_MAX_BLOCK = 1 << 20, ARENA_ALIGN = 16 };

/* Freed blocks of ARENA_KEEP_MIN bytes and more go back to a per-thread
 * cache for the next request rather than to malloc, which mmaps blocks
 * that size (or trims them off the heap top) and so had the next request
 * zero-fault them in again: page faults led the profile of a busy listing.
 * At most ARENA_KEEP_BYTES per thread; freed when the thread ends. */
enum { ARENA_KEEP_MIN = 64 * 1024, ARENA_KEEP_BYTES = 4 << 20 };

typedef struct block_cache {
    arena_block *head;
    size_t bytes;
} block_cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_ready;

static void cache_free(void *p)
{
    block_cache *c = p;
    while (c->head) {
        arena_block *next = c->head->next;
        free(c->head);
        c->head = next;
    }
    free(c);
}

static void cache_make_key(void) { cache_ready = pthread_key_create(&cache_key, cache_free) == 0; }

static block_cache *thread_cache(void)
{
    pthread_once(&cache_once, cache_make_key);
    if (!cache_ready) return NULL;
    block_cache *c = pthread_getspecific(cache_key);
    if (!c && (c = calloc(1, sizeof *c)) != NULL && pthread_setspecific(cache_key, c) != 0) {
        free(c);
        c = NULL;
    }
    return c;
}

static arena_block *cached_block(size_t cap)
{
    if (cap < ARENA_KEEP_MIN || cap > ARENA_MAX_BLOCK) return NULL;
    block_cache *c = thread_cache();
    if (!c) return NULL;
    for (arena_block **pp = &c->head; *pp; pp = &(*pp)->next) {
        arena_block *b = *pp;
        if (b->cap != cap) continue;
        *pp = b->next;
        c->bytes -= cap;
        KEPT_UNPOISON(b);
        return b;
    }
    return NULL;
}

static void release_block(arena_block *b)
{
    if (b->cap >= ARENA_KEEP_MIN && b->cap <= ARENA_MAX_BLOCK) {
        block_cache *c = thread_cache();
        if (c && c->bytes + b->cap <= ARENA_KEEP_BYTES) {
            b->next = c->head;
            c->head = b;
            c->bytes += b->cap;
            KEPT_POISON(b);
            return;
        }
    }
    free(b);
}

void arena_init(arena *a) { a->head = NULL; a->total = 0; }

void arena_reset(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        release_block(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void *arena_alloc(arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    arena_block *b = a->head;
    if (!b || b->cap - b->used < need) {
        size_t cap = b ? b->cap * 2 : ARENA_FIRST_BLOCK;
        if (cap > ARENA_MAX_BLOCK) cap = ARENA_MAX_BLOCK;
        if (cap < need) cap = need;
        arena_block *nb = cached_block(cap);
        if (!nb) nb = malloc(sizeof *nb + cap);
        if (!nb) {
            /* Out of memory is not recoverable per request in a way that
             * keeps the process honest; fail loudly rather than corrupt. */
            fputs("cairn: out of memory\n", stderr);
            abort();
        }
        nb->cap = cap;
        nb->used = 0;
        /* A block bigger than the current one's leftovers goes second so
         * small allocations keep filling the current block. */
        if (b && need >= b->cap / 2 && b->cap - b->used > 256) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->total += need;
    return p;
}

void *arena_calloc(arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void strbuf_init(strbuf *b, arena *a, size_t initial)
{
    b->owner = a;
    b->cap = initial ? initial : 256;
    b->data = arena_alloc(a, b->cap);
    b->len = 0;
    b->data[0] = '\0';
}

static void strbuf_reserve(strbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap * 2;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = arena_alloc(b->owner, cap);
    memcpy(p, b->data, b->len + 1);
    b->data = p;
    b->cap = cap;
}

void strbuf_append(strbuf *b, const char *s, size_t n)
{
    strbuf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_puts(strbuf *b, const char *s) { strbuf_append(b, s, strlen(s)); }

void strbuf_put_u64(strbuf *b, uint64_t v)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    strbuf_append(b, digits + sizeof digits - n, n);
}

void strbuf_printf(strbuf *b, const char *fmt, ...)
{
    /* one formatting pass when the text fits the space left (nearly
     * always): listings format thousands of fields per page */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) { b->data[b->len] = '\0'; return; }
    if (b->len + (size_t)n + 1 > b->cap) {
        strbuf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void strbuf_xml_escape(strbuf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        char num[8];
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default:
            /* XML 1.0 cannot carry most control characters even escaped;
             * S3 clients ask for encoding-type=url for such keys.  Emit a
             * numeric reference for tab/CR/LF and keep others verbatim-free. */
            if (c < 0x20) {
                snprintf(num, sizeof num, "&#x%X;", c);
                rep = num;
            }
        }
        if (rep) {
            strbuf_append(b, s + start, i - start);
            strbuf_puts(b, rep);
            start = i + 1;
        }
    }
    strbuf_append(b, s + start, n - start);
}
