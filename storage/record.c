#include "record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
    REC_MAGIC0 = 'C', REC_MAGIC1 = 'R', REC_FORMAT = 1,
    T_SIZE = 1, T_MTIME = 2, T_ETAG = 3, T_VERSION = 4, T_FLAGS = 5, T_DATA_ID = 6,
    T_CKSUM = 7, T_HEADER = 8, T_INLINE = 9, T_KEY = 10, T_PART = 11, T_CKSUM_TYPE = 12, T_EC = 13, T_TAGS = 14, T_RETENTION = 15, T_LEGAL_HOLD = 16,
    T_BUCKET_CREATED = 32, T_BUCKET_FLAGS = 33,
};

typedef struct enc { unsigned char *p; size_t len, cap; int failed; } enc;

static void put_bytes(enc *e, const void *p, size_t n)
{
    if (e->failed) return;
    if (e->len + n > e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 256;
        while (cap < e->len + n) cap *= 2;
        unsigned char *np = realloc(e->p, cap);
        if (!np) { e->failed = 1; return; }
        e->p = np;
        e->cap = cap;
    }
    memcpy(e->p + e->len, p, n);
    e->len += n;
}

static void put_field(enc *e, uint8_t tag, const void *p, size_t n)
{
    unsigned char h[5] = { tag, (unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                           (unsigned char)(n >> 24) };
    put_bytes(e, h, 5);
    put_bytes(e, p, n);
}

static void put_u64(enc *e, uint8_t tag, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
    put_field(e, tag, b, 8);
}

static uint64_t get_u64(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int finish(enc *e, unsigned char **out, size_t *len)
{
    if (e->failed) { free(e->p); return -ENOMEM; }
    *out = e->p;
    *len = e->len;
    return 0;
}

int record_encode_object(const object_info *o, const char *store_key, unsigned char **out, size_t *len)
{
    enc e = {0};
    unsigned char head[2] = { REC_MAGIC0, REC_MAGIC1 };
    unsigned char fmt = REC_FORMAT;
    put_bytes(&e, head, 2);
    put_bytes(&e, &fmt, 1);
    put_u64(&e, T_SIZE, o->size);
    put_u64(&e, T_MTIME, (uint64_t)o->mtime_ns);
    put_field(&e, T_ETAG, o->etag, strlen(o->etag));
    if (o->version_id[0]) put_field(&e, T_VERSION, o->version_id, strlen(o->version_id));
    put_u64(&e, T_FLAGS, o->flags);
    if (!(o->flags & OBJ_INLINE)) put_field(&e, T_DATA_ID, o->data.b, 16);
    if (o->cksum_algo) {
        unsigned char buf[1 + sizeof o->cksum];
        size_t n = strlen(o->cksum);
        buf[0] = o->cksum_algo;
        memcpy(buf + 1, o->cksum, n);
        put_field(&e, T_CKSUM, buf, n + 1);
    }
    if (store_key) put_field(&e, T_KEY, store_key, strlen(store_key));
    for (size_t i = 0; i < o->n_headers; i++) {
        size_t nl = strlen(o->headers[i].name), vl = strlen(o->headers[i].value);
        unsigned char *tmp = malloc(nl + 1 + vl);
        if (!tmp) { e.failed = 1; break; }
        memcpy(tmp, o->headers[i].name, nl);
        tmp[nl] = '\0';
        memcpy(tmp + nl + 1, o->headers[i].value, vl);
        put_field(&e, T_HEADER, tmp, nl + 1 + vl);
        free(tmp);
    }
    if (o->cksum_type) put_u64(&e, T_CKSUM_TYPE, o->cksum_type);
    if (o->tags && *o->tags) put_field(&e, T_TAGS, o->tags, strlen(o->tags));
    if (o->lock_mode) {
        unsigned char b[9];
        b[0] = o->lock_mode;
        for (int i = 0; i < 8; i++) b[1 + i] = (unsigned char)((uint64_t)o->retain_until_ns >> (8 * i));
        put_field(&e, T_RETENTION, b, 9);
    }
    if (o->legal_hold) put_u64(&e, T_LEGAL_HOLD, 1);
    /* erasure layout: reduced flag and the parity the data was coded with */
    if (o->reduced || o->parity >= 0) put_u64(&e, T_EC, (uint64_t)(o->reduced ? 1 : 0) << 8 | (uint64_t)(uint8_t)(o->parity + 1));
    for (size_t i = 0; i < o->n_parts; i++) {
        /* number u32, size u64, data id 16, etag len u8 + etag, cksum len u8 + cksum */
        const obj_part *pt = &o->parts[i];
        unsigned char buf[4 + 8 + 16 + 1 + sizeof pt->etag + 1 + sizeof pt->cksum];
        size_t n = 0, el = strlen(pt->etag), cl = strlen(pt->cksum);
        for (int k = 0; k < 4; k++) buf[n++] = (unsigned char)(pt->number >> (8 * k));
        for (int k = 0; k < 8; k++) buf[n++] = (unsigned char)(pt->size >> (8 * k));
        memcpy(buf + n, pt->data.b, 16);
        n += 16;
        buf[n++] = (unsigned char)el;
        memcpy(buf + n, pt->etag, el);
        n += el;
        buf[n++] = (unsigned char)cl;
        memcpy(buf + n, pt->cksum, cl);
        n += cl;
        put_field(&e, T_PART, buf, n);
    }
    if (o->flags & OBJ_INLINE) put_field(&e, T_INLINE, o->inline_data, o->inline_len);
    return finish(&e, out, len);
}

typedef int (*field_fn)(uint8_t tag, const unsigned char *p, size_t n, void *ctx);

static int walk(const void *rec, size_t n, field_fn fn, void *ctx)
{
    const unsigned char *p = rec;
    if (n < 3 || p[0] != REC_MAGIC0 || p[1] != REC_MAGIC1) return -EINVAL;
    size_t off = 3;
    while (off < n) {
        if (n - off < 5) return -EINVAL;
        uint8_t tag = p[off];
        size_t len = (size_t)p[off + 1] | (size_t)p[off + 2] << 8 | (size_t)p[off + 3] << 16 |
                     (size_t)p[off + 4] << 24;
        off += 5;
        if (len > n - off) return -EINVAL;
        int r = fn(tag, p + off, len, ctx);
        if (r) return r;
        off += len;
    }
    return 0;
}

typedef struct decode_ctx {
    arena *a;
    object_info *o;
    int listing_only;
    size_t header_cap;
    size_t part_cap;
} decode_ctx;

static void copy_str(char *dst, size_t cap, const unsigned char *p, size_t n)
{
    if (n >= cap) n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

static int decode_field(uint8_t tag, const unsigned char *p, size_t n, void *vctx)
{
    decode_ctx *c = vctx;
    object_info *o = c->o;
    switch (tag) {
    case T_SIZE: o->size = get_u64(p, n); break;
    case T_MTIME: o->mtime_ns = (int64_t)get_u64(p, n); break;
    case T_ETAG: copy_str(o->etag, sizeof o->etag, p, n); break;
    case T_VERSION: copy_str(o->version_id, sizeof o->version_id, p, n); break;
    case T_FLAGS: o->flags = (uint32_t)get_u64(p, n); break;
    case T_DATA_ID: if (n == 16) memcpy(o->data.b, p, 16); break;
    case T_KEY: o->key = arena_strndup(c->a, (const char *)p, n); break;
    case T_CKSUM:
        if (c->listing_only || n < 1) break;
        o->cksum_algo = p[0];
        copy_str(o->cksum, sizeof o->cksum, p + 1, n - 1);
        break;
    case T_HEADER: {
        if (c->listing_only) break;
        const unsigned char *nul = memchr(p, '\0', n);
        if (!nul) break;
        if (o->n_headers == c->header_cap) {
            size_t cap = c->header_cap ? c->header_cap * 2 : 8;
            obj_header *h = arena_alloc(c->a, cap * sizeof *h);
            if (o->n_headers) memcpy(h, o->headers, o->n_headers * sizeof *h);
            o->headers = h;
            c->header_cap = cap;
        }
        size_t nl = (size_t)(nul - p);
        o->headers[o->n_headers].name = arena_strndup(c->a, (const char *)p, nl);
        o->headers[o->n_headers].value = arena_strndup(c->a, (const char *)nul + 1, n - nl - 1);
        o->n_headers++;
        break;
    }
    case T_INLINE:
        if (c->listing_only) break;
        if (n) {
            unsigned char *d = arena_alloc(c->a, n);
            memcpy(d, p, n);
            o->inline_data = d;
        } else {
            o->inline_data = (const unsigned char *)"";
        }
        o->inline_len = n;
        break;
    case T_CKSUM_TYPE: o->cksum_type = (uint8_t)get_u64(p, n); break;
    case T_TAGS: if (!c->listing_only) o->tags = arena_strndup(c->a, (const char *)p, n); break;
    case T_RETENTION:
        if (n == 9) {
            o->lock_mode = p[0];
            o->retain_until_ns = (int64_t)get_u64(p + 1, 8);
        }
        break;
    case T_LEGAL_HOLD: o->legal_hold = (uint8_t)get_u64(p, n); break;
    case T_EC: {
        uint64_t v = get_u64(p, n);
        o->reduced = (uint8_t)((v >> 8) & 1);
        o->parity = (int8_t)((int)(v & 0xff) - 1);
        break;
    }
    case T_PART: {
        if (c->listing_only || n < 4 + 8 + 16 + 2) break;
        if (o->n_parts == c->part_cap) {
            size_t cap = c->part_cap ? c->part_cap * 2 : 16;
            obj_part *np = arena_alloc(c->a, cap * sizeof *np);
            if (o->n_parts) memcpy(np, o->parts, o->n_parts * sizeof *np);
            o->parts = np;
            c->part_cap = cap;
        }
        obj_part *pt = &o->parts[o->n_parts];
        memset(pt, 0, sizeof *pt);
        pt->number = (uint32_t)get_u64(p, 4);
        pt->size = get_u64(p + 4, 8);
        memcpy(pt->data.b, p + 12, 16);
        size_t off = 28, el = p[off++];
        if (off + el + 1 > n) break;
        copy_str(pt->etag, sizeof pt->etag, p + off, el);
        off += el;
        size_t cl = p[off++];
        if (off + cl > n) break;
        copy_str(pt->cksum, sizeof pt->cksum, p + off, cl);
        o->n_parts++;
        break;
    }
    default: break; /* a newer writer's field: skip */
    }
    return 0;
}

static int decode(const void *p, size_t n, arena *a, object_info *o, int listing_only)
{
    memset(o, 0, sizeof *o);
    o->parity = -1;
    decode_ctx c = { .a = a, .o = o, .listing_only = listing_only };
    return walk(p, n, decode_field, &c);
}

int record_decode_object(const void *p, size_t n, arena *a, object_info *o) { return decode(p, n, a, o, 0); }
int record_decode_listing(const void *p, size_t n, arena *a, object_info *o) { return decode(p, n, a, o, 1); }

int record_encode_bucket(const bucket_info *b, unsigned char **out, size_t *len)
{
    enc e = {0};
    unsigned char head[3] = { REC_MAGIC0, REC_MAGIC1, REC_FORMAT };
    put_bytes(&e, head, 3);
    put_u64(&e, T_BUCKET_CREATED, (uint64_t)b->created_ns);
    put_u64(&e, T_BUCKET_FLAGS, b->flags);
    return finish(&e, out, len);
}

static int decode_bucket_field(uint8_t tag, const unsigned char *p, size_t n, void *ctx)
{
    bucket_info *b = ctx;
    if (tag == T_BUCKET_CREATED) b->created_ns = (int64_t)get_u64(p, n);
    else if (tag == T_BUCKET_FLAGS) b->flags = (uint32_t)get_u64(p, n);
    return 0;
}

int record_decode_bucket(const void *p, size_t n, bucket_info *b)
{
    b->created_ns = 0;
    b->flags = 0;
    return walk(p, n, decode_bucket_field, b);
}
