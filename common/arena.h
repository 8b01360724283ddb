/*
 * arena — the one allocation discipline of a request.
 *
 * Everything a request needs that lives as long as the request (parsed
 * headers, decoded keys, XML it builds, listing results) is carved out of
 * the request's arena and released in one call when the exchange ends, so a
 * handler cannot leak on an error path.  Blocks grow geometrically; nothing
 * is ever freed individually.  Blocks of 64 KiB to 1 MiB go back to a small
 * per-thread cache on reset, for the next request.  Long-lived or large
 * streaming buffers (object bodies) do not belong here: they are bounded
 * and owned by their stream.
 */
#ifndef CAIRN_ARENA_H
#define CAIRN_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;
    size_t total;       /* bytes handed out, for bounds and metrics */
} arena;

void arena_init(arena *a);
void arena_reset(arena *a);                 /* frees everything */
void *arena_alloc(arena *a, size_t n);       /* aborts only if malloc fails */
void *arena_calloc(arena *a, size_t n);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A growable string built inside an arena (XML bodies, canonical text). */
typedef struct strbuf {
    arena *owner;
    char *data;
    size_t len, cap;
} strbuf;

void strbuf_init(strbuf *b, arena *a, size_t initial);
void strbuf_append(strbuf *b, const char *s, size_t n);
void strbuf_puts(strbuf *b, const char *s);
void strbuf_printf(strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Decimal, without printf's cost (hot in listings). */
void strbuf_put_u64(strbuf *b, uint64_t v);
/* Appends s escaped for XML character data and attribute values. */
void strbuf_xml_escape(strbuf *b, const char *s, size_t n);

#endif
