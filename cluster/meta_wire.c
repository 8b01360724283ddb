#include "meta_wire.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../common/base64.h"

enum { MAX_EXPECTED = 10000, MAX_GARBAGE = 100000 };

static json_t *bin(const unsigned char *p, size_t n)
{
    size_t cap = B64_ENCODED_LEN(n) + 1;
    char *t = malloc(cap);
    if (!t) return NULL;
    b64_encode(p, n, t, cap);
    json_t *j = json_string(t);
    free(t);
    return j;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static void hex16(const unsigned char b[16], char out[33])
{
    data_id id;
    memcpy(id.b, b, 16);
    data_id_hex(&id, out);
}

static int unhex16(const char *s, unsigned char out[16])
{
    if (!s || strlen(s) != 32) return -1;
    for (int i = 0; i < 16; i++) {
        unsigned v;
        char pair[3] = { s[2 * i], s[2 * i + 1], 0 };
        char *end;
        v = (unsigned)strtoul(pair, &end, 16);
        if (*end) return -1;
        out[i] = (unsigned char)v;
    }
    return 0;
}

char *meta_wire_encode_op(const meta_op *op)
{
    json_t *j = json_object();
    if (!j) return NULL;
    json_object_set_new(j, "kind", json_integer(op->kind));
    json_object_set_new(j, "bucket", json_string(op->bucket));
    json_object_set_new(j, "key", str_or_null(op->key));
    json_object_set_new(j, "record", op->record ? bin(op->record, op->record_len) : json_null());
    json_object_set_new(j, "if_match", str_or_null(op->if_match));
    json_object_set_new(j, "if_none_match", str_or_null(op->if_none_match));
    json_object_set_new(j, "has_if_size", json_integer(op->has_if_size));
    json_object_set_new(j, "has_if_mtime", json_integer(op->has_if_mtime));
    json_object_set_new(j, "if_size", json_integer(op->if_size));
    json_object_set_new(j, "if_mtime_s", json_integer(op->if_mtime_s));
    json_object_set_new(j, "upload_id", str_or_null(op->upload_id));
    json_object_set_new(j, "part_number", json_integer(op->part_number));
    json_t *exp = json_array();
    for (size_t i = 0; i < op->n_expected; i++) {
        char hex[33];
        hex16(op->expected[i].data.b, hex);
        json_array_append_new(exp, json_pack("[I,s]", (json_int_t)op->expected[i].number, hex));
    }
    json_object_set_new(j, "expected", exp);
    json_object_set_new(j, "done_record", op->done_record ? bin(op->done_record, op->done_record_len) : json_null());
    json_object_set_new(j, "versioning", json_integer(op->versioning));
    json_object_set_new(j, "version_id", str_or_null(op->version_id));
    json_object_set_new(j, "new_version_id", str_or_null(op->new_version_id));
    json_object_set_new(j, "bypass_governance", json_integer(op->bypass_governance));
    json_object_set_new(j, "set_retention", json_integer(op->set_retention));
    json_object_set_new(j, "set_legal_hold", json_integer(op->set_legal_hold));
    json_object_set_new(j, "lock_mode", json_integer(op->lock_mode));
    json_object_set_new(j, "legal_hold", json_integer(op->legal_hold));
    json_object_set_new(j, "retain_until_ns", json_integer(op->retain_until_ns));
    json_object_set_new(j, "now_ns", json_integer(op->now_ns));
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return text;
}

/* A string field: absent/null -> NULL; a copy otherwise. */
static int get_str(json_t *j, const char *name, const char **out, int required)
{
    json_t *v = json_object_get(j, name);
    *out = NULL;
    if (!v || json_is_null(v)) return required ? -1 : 0;
    if (!json_is_string(v)) return -1;
    *out = strdup(json_string_value(v));
    return *out ? 0 : -1;
}

static int get_bin(json_t *j, const char *name, unsigned char **out, size_t *len)
{
    json_t *v = json_object_get(j, name);
    *out = NULL;
    *len = 0;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) return -1;
    size_t tl = json_string_length(v);
    unsigned char *b = malloc(tl / 4 * 3 + 1);
    if (!b) return -1;
    long n = b64_decode(json_string_value(v), tl, b, tl / 4 * 3 + 1);
    if (n < 0) {
        free(b);
        return -1;
    }
    *out = b;
    *len = (size_t)n;
    return 0;
}

static int64_t get_int(json_t *j, const char *name)
{
    return (int64_t)json_integer_value(json_object_get(j, name));
}

void meta_wire_op_free(meta_op *op)
{
    free((char *)op->bucket);
    free((char *)op->key);
    free((char *)op->if_match);
    free((char *)op->if_none_match);
    free((char *)op->upload_id);
    free((meta_expected_part *)op->expected);
    free((char *)op->version_id);
    free((char *)op->new_version_id);
    free(op->garbage);
    op->bucket = op->key = op->if_match = op->if_none_match = op->upload_id = NULL;
    op->version_id = op->new_version_id = NULL;
    op->expected = NULL;
    op->garbage = NULL;
}

int meta_wire_decode_op(const char *text, size_t len, meta_op *op)
{
    memset(op, 0, sizeof *op);
    json_error_t e;
    json_t *j = json_loadb(text, len, 0, &e);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return -1;
    }
    int64_t kind = get_int(j, "kind");
    int bad = kind < META_BUCKET_CREATE || kind > META_BUCKET_CONFIG;
    op->kind = (meta_op_kind)kind;
    bad = bad || get_str(j, "bucket", &op->bucket, 1) || get_str(j, "key", &op->key, 0) ||
          get_str(j, "if_match", &op->if_match, 0) || get_str(j, "if_none_match", &op->if_none_match, 0) ||
          get_str(j, "upload_id", &op->upload_id, 0) || get_str(j, "version_id", &op->version_id, 0) ||
          get_str(j, "new_version_id", &op->new_version_id, 0) ||
          get_bin(j, "record", &op->record, &op->record_len) ||
          get_bin(j, "done_record", &op->done_record, &op->done_record_len);
    op->has_if_size = (int)get_int(j, "has_if_size");
    op->has_if_mtime = (int)get_int(j, "has_if_mtime");
    op->if_size = get_int(j, "if_size");
    op->if_mtime_s = get_int(j, "if_mtime_s");
    op->part_number = (uint32_t)get_int(j, "part_number");
    op->versioning = (int)get_int(j, "versioning");
    op->bypass_governance = (int)get_int(j, "bypass_governance");
    op->set_retention = (int)get_int(j, "set_retention");
    op->set_legal_hold = (int)get_int(j, "set_legal_hold");
    op->lock_mode = (uint8_t)get_int(j, "lock_mode");
    op->legal_hold = (uint8_t)get_int(j, "legal_hold");
    op->retain_until_ns = get_int(j, "retain_until_ns");
    op->now_ns = get_int(j, "now_ns");
    json_t *exp = json_object_get(j, "expected");
    size_t n = json_array_size(exp);
    if (!bad && n > MAX_EXPECTED) bad = 1;
    if (!bad && n) {
        meta_expected_part *parts = calloc(n, sizeof *parts);
        bad = !parts;
        for (size_t i = 0; !bad && i < n; i++) {
            json_t *e2 = json_array_get(exp, i);
            parts[i].number = (uint32_t)json_integer_value(json_array_get(e2, 0));
            bad = unhex16(json_string_value(json_array_get(e2, 1)), parts[i].data.b) != 0;
        }
        op->expected = parts;
        op->n_expected = n;
    }
    json_decref(j);
    if (bad) {
        free(op->record);
        free(op->done_record);
        op->record = op->done_record = NULL;
        meta_wire_op_free(op);
        return -1;
    }
    return 0;
}

static json_t *result_json(const meta_op *op)
{
    json_t *g = json_array();
    for (size_t i = 0; i < op->n_garbage; i++) {
        char hex[33];
        data_id_hex(&op->garbage[i], hex);
        json_array_append_new(g, json_string(hex));
    }
    return json_pack("{s:i, s:i, s:s, s:i, s:o}", "status", (int)op->status, "replaced", op->replaced,
                     "result_version", op->result_version, "result_marker", op->result_marker, "garbage", g);
}

char *meta_wire_encode_results(meta_op *const *ops, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(a, result_json(ops[i]));
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

static int result_from_json(json_t *j, meta_op *op)
{
    if (!json_is_object(j)) return -1;
    int64_t st = get_int(j, "status");
    const char *ver = json_string_value(json_object_get(j, "result_version"));
    json_t *g = json_object_get(j, "garbage");
    size_t n = json_array_size(g);
    if (st < ST_OK || st > ST_LOCKED || !ver || strlen(ver) >= sizeof op->result_version || n > MAX_GARBAGE) return -1;
    op->status = (store_status)st;
    op->replaced = (int)get_int(j, "replaced");
    op->result_marker = (int)get_int(j, "result_marker");
    snprintf(op->result_version, sizeof op->result_version, "%s", ver);
    op->garbage = n ? calloc(n, sizeof *op->garbage) : NULL;
    int bad = n && !op->garbage;
    for (size_t i = 0; !bad && i < n; i++) bad = unhex16(json_string_value(json_array_get(g, i)), op->garbage[i].b) != 0;
    op->n_garbage = bad ? 0 : n;
    if (bad) {
        free(op->garbage);
        op->garbage = NULL;
    }
    return bad ? -1 : 0;
}

int meta_wire_decode_results(const char *text, size_t len, meta_op *const *ops, int n)
{
    json_error_t e;
    json_t *a = json_loadb(text, len, 0, &e);
    int bad = !json_is_array(a) || json_array_size(a) != (size_t)n;
    for (int i = 0; !bad && i < n; i++) bad = result_from_json(json_array_get(a, (size_t)i), ops[i]) != 0;
    json_decref(a);
    return bad ? -1 : 0;
}
