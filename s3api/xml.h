/*
 * xml — parsing the XML request bodies S3 defines, with expat, bounded:
 * no DTDs (so no entity expansion), element text at most 4 KiB, at most
 * max_objects entries.  Output structures live in the caller's arena.
 * Writing XML is strbuf_xml_escape's job (common/arena.h).
 */
#ifndef CAIRN_S3_XML_H
#define CAIRN_S3_XML_H

#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"

/* The one expat driver every parser here uses: no DTDs, element text at
 * most 4 KiB, nesting at most 8 deep.  start is called as an element
 * opens and end as it closes with its text; path is "/Root/Child/..."
 * without namespaces.  A callback returning nonzero rejects the document.
 * Returns 0 for a well-formed document both callbacks accepted. */
typedef int (*xml_start_fn)(void *ctx, const char *path);
typedef int (*xml_end_fn)(void *ctx, const char *path, const char *text, size_t len);
int xml_walk(const char *body, size_t n, xml_start_fn start, xml_end_fn end, void *ctx);

/* For documents of single-valued fields (VersioningConfiguration,
 * ObjectLockConfiguration, Retention, LegalHold): the root element must be
 * root; values[i] gets the text of the element at root/fields[i] (e.g.
 * "Rule/DefaultRetention/Mode"), or NULL when it is absent.  Other
 * elements are ignored.  Returns 0, or -1 when not well-formed or another
 * root. */
int xml_parse_fields(arena *a, const char *body, size_t n, const char *root, const char *const *fields,
                     const char **values, size_t count);

typedef struct delete_entry {
    const char *key;
    const char *version_id;     /* NULL when absent */
    /* conditions (S3's conditional deletes), NULL when absent */
    const char *etag, *last_modified, *size;
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

typedef struct complete_part {
    uint32_t number;
    const char *etag;           /* as sent, quotes included */
    int checksum_algo;          /* cksum_algo of a <ChecksumCRC32>-style element, 0 none */
    const char *checksum;
} complete_part;

typedef struct complete_request {
    complete_part *parts;
    size_t n;
} complete_request;

/* Parses <CompleteMultipartUpload><Part><PartNumber/><ETag/>
 * <ChecksumCRC32/>...</Part>...</CompleteMultipartUpload>.  Part order is
 * kept as sent (the caller checks it).  Returns 0 or -1 as above; a part
 * without a valid PartNumber is -1. */
int xml_parse_complete(arena *a, const char *body, size_t n, size_t max_parts, complete_request *out);

typedef struct tag_pair { const char *key, *value; } tag_pair;

/* Parses <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>.
 * Returns 0 (n may be 0: an empty set), or -1 when malformed or over max. */
int xml_parse_tagging(arena *a, const char *body, size_t n, size_t max, tag_pair **out, size_t *count);

typedef struct cors_rule {
    const char *methods[8];
    size_t n_methods;
    const char **origins, **headers, **expose;
    size_t n_origins, n_headers, n_expose;
    long max_age;                /* -1 when absent */
} cors_rule;

/* Parses <CORSConfiguration><CORSRule>...</CORSRule>...; returns 0, or -1
 * when malformed (unknown method, a rule without method or origin, an
 * origin with more than one '*', more than 100 rules). */
int xml_parse_cors(arena *a, const char *body, size_t n, cors_rule **out, size_t *count);

#endif
