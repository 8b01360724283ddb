/*
 * xml — parsing the XML request bodies S3 defines, with expat, bounded:
 * no DTDs (so no entity expansion), element text at most 4 KiB, at most
 * max_objects entries.  Output structures live in the caller's arena.
 * Writing XML is strbuf_xml_escape's job (common/arena.h).
 */
#ifndef CAIRN_S3_XML_H
#define CAIRN_S3_XML_H

#include <stddef.h>

#include "../common/arena.h"

typedef struct delete_entry {
    const char *key;
    const char *version_id;     /* NULL when absent */
} delete_entry;

typedef struct delete_request {
    int quiet;
    delete_entry *entries;
    size_t n;
} delete_request;

/* Parses <Delete><Quiet/><Object><Key/><VersionId/></Object>...</Delete>,
 * with or without the S3 namespace.  Returns 0, or -1 for anything that
 * is not well-formed, not that shape, empty, or over max_objects. */
int xml_parse_delete(arena *a, const char *body, size_t n, size_t max_objects, delete_request *out);

#endif
