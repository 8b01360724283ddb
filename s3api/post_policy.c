/*
 * post_policy — browser form uploads: POST /bucket with
 * multipart/form-data, a base64 policy document signed with SigV4 (or no
 * signature at all, where the bucket policy lets anyone PutObject), and
 * the file streamed into storage like a PUT.  SigV2 forms (AWSAccessKeyId,
 * signature) are refused like every SigV2 request.
 *
 * The form is parsed as it arrives.  Fields before the file are kept
 * (64 KiB at most); when the file part starts, the signature and every
 * policy condition but the length are checked, so an unauthorised upload
 * is refused before a byte of it is stored.  Fields after the file are
 * ignored, as on AWS.  The length range is checked when the file ends;
 * nothing is published unless everything holds.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

enum {
    MAX_FIELDS = 64,
    MAX_FIELDS_BYTES = 64 * 1024,
    MAX_PART_HEAD = 8 * 1024,
    MAX_BOUNDARY = 200,
};

typedef struct form_field { char *name; char *value; } form_field;

typedef enum { FP_PREAMBLE, FP_HEAD, FP_BODY, FP_DONE } form_state;

typedef struct post_op {
    s3_req *r;
    /* form parsing */
    char delim[MAX_BOUNDARY + 8];        /* "\r\n--" boundary */
    size_t delim_len;
    form_state state;
    char head[MAX_PART_HEAD + 1];
    size_t head_len;
    strbuf value;                        /* the field being read */
    char *part_name, *part_filename, *part_type;
    int in_file;
    char *carry;                         /* bytes that may start a delimiter */
    size_t carry_len;
    form_field fields[MAX_FIELDS];
    size_t n_fields, fields_bytes;
    /* the upload */
    store_put *sp;
    cksum_ctx *md5;
    object_info info;
    const char *key;
    int64_t len_min, len_max;            /* content-length-range, -1 none */
    uint64_t file_bytes;
    int file_seen, failed, finished;
} post_op;

static const char *field(post_op *p, const char *name)
{
    for (size_t i = 0; i < p->n_fields; i++)
        if (strcasecmp(p->fields[i].name, name) == 0) return p->fields[i].value;
    return NULL;
}

static void md5_observe(void *ctx, const void *data, size_t n) { cksum_update(ctx, data, n); }

static void md5_release(void *ctx)
{
    cksum_free(ctx);
    free(ctx);
}

static void post_fail(post_op *p, s3_error e, const char *msg)
{
    if (p->failed || p->finished) return;
    p->failed = 1;
    s3_req *r = p->r;
    r->abort_op = NULL;
    if (p->sp) store_put_abort(p->sp);
    p->sp = NULL;
    if (!http_is_aborted(r->ex)) s3_error_reply(r, e, msg);
    http_release(r->ex);
}

static void post_abort(s3_req *r) { post_fail(r->op, S3E_INCOMPLETE_BODY, NULL); }

/* ---- the policy ---- */

static int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* The value a condition names: "$key" -> the key, "$bucket", other fields. */
static const char *cond_value(post_op *p, const char *name)
{
    if (*name == '$') name++;
    if (strcasecmp(name, "key") == 0) return p->key;
    if (strcasecmp(name, "bucket") == 0) return p->r->bucket;
    return field(p, name);
}

static const char *check_policy(post_op *p, json_t *policy)
{
    const char *exp = json_string_value(json_object_get(policy, "expiration"));
    if (!exp) return "Invalid Policy: Invalid 'expiration' value.";
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int ms = 0;
    if (sscanf(exp, "%4d-%2d-%2dT%2d:%2d:%2d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &ms) < 6)
        return "Invalid Policy: Invalid 'expiration' value.";
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    if (timegm(&tm) < time(NULL)) return "Invalid according to Policy: Policy expired.";
    json_t *conds = json_object_get(policy, "conditions");
    if (!json_is_array(conds)) return "Invalid Policy: Missing 'conditions'.";
    /* every field (but a few) must be named by a condition */
    int covered[MAX_FIELDS] = { 0 };
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c) {
        if (json_is_object(c)) {
            const char *k;
            json_t *v;
            json_object_foreach(c, k, v) {
                const char *want = json_string_value(v), *have = cond_value(p, k);
                if (!want || !have || strcmp(want, have) != 0)
                    return arena_printf(p->r->a, "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$%s\", \"%s\"]",
                                        k, want ? want : "");
                for (size_t f = 0; f < p->n_fields; f++) if (strcasecmp(p->fields[f].name, k) == 0) covered[f] = 1;
            }
        } else if (json_is_array(c) && json_array_size(c) == 3) {
            const char *op = json_string_value(json_array_get(c, 0));
            if (op && strcmp(op, "content-length-range") == 0) {
                p->len_min = (int64_t)json_integer_value(json_array_get(c, 1));
                p->len_max = (int64_t)json_integer_value(json_array_get(c, 2));
                continue;
            }
            const char *name = json_string_value(json_array_get(c, 1));
            const char *arg = json_string_value(json_array_get(c, 2));
            if (!op || !name || !arg || *name != '$') return "Invalid Policy: Invalid condition.";
            const char *have = cond_value(p, name);
            int ok;
            if (strcasecmp(op, "eq") == 0) ok = have && strcmp(have, arg) == 0;
            else if (strcasecmp(op, "starts-with") == 0) ok = have ? starts_with(have, arg) : *arg == '\0';
            else return "Invalid Policy: Invalid condition.";
            if (!ok)
                return arena_printf(p->r->a, "Invalid according to Policy: Policy Condition failed: [\"%s\", \"%s\", \"%s\"]",
                                    op, name, arg);
            for (size_t f = 0; f < p->n_fields; f++) if (strcasecmp(p->fields[f].name, name + 1) == 0) covered[f] = 1;
        } else {
            return "Invalid Policy: Invalid condition.";
        }
    }
    for (size_t f = 0; f < p->n_fields; f++) {
        const char *n = p->fields[f].name;
        if (covered[f] || !strcasecmp(n, "policy") || !strcasecmp(n, "x-amz-signature") || !strcasecmp(n, "file") ||
            !strncasecmp(n, "x-ignore-", 9) || !strcasecmp(n, "bucket"))
            continue;
        return arena_printf(p->r->a, "Invalid according to Policy: Extra input fields: %s", n);
    }
    return NULL;
}

/* SigV4 for POST: the signature is over the base64 policy itself. */
static s3_error check_signature(post_op *p, const char **msg)
{
    const char *algo = field(p, "x-amz-algorithm"), *cred = field(p, "x-amz-credential"),
               *date = field(p, "x-amz-date"), *sig = field(p, "x-amz-signature"), *policy = field(p, "policy");
    if (field(p, "awsaccesskeyid") || field(p, "signature")) return S3E_INVALID_SIGV2;
    if (!policy && !sig && !cred && !date && !algo) {
        /* no signature at all: an anonymous upload, which only a bucket
         * policy granting s3:PutObject to everyone allows (start_file) */
        p->r->auth.anonymous = 1;
        p->r->auth.mode = PAYLOAD_UNSIGNED;
        return S3E_NONE;
    }
    if (!policy || !sig || !cred || !date || !algo) {
        *msg = "Bucket POST must contain a policy and its SigV4 signature (x-amz-algorithm, x-amz-credential, "
               "x-amz-date, x-amz-signature).";
        return S3E_ACCESS_DENIED;
    }
    if (strcmp(algo, "AWS4-HMAC-SHA256") != 0) return S3E_INVALID_SIGV2;
    char ak[129], d8[9], region[64], service[32], term[32];
    if (sscanf(cred, "%128[^/]/%8[^/]/%63[^/]/%31[^/]/%31s", ak, d8, region, service, term) != 5 ||
        strcmp(term, "aws4_request") != 0 || strcmp(service, "s3") != 0) {
        *msg = "Invalid x-amz-credential.";
        return S3E_AUTH_HEADER_MALFORMED;
    }
    s3_error e = s3_identify(p->r, ak, field(p, "x-amz-security-token"), msg);
    if (e) return e;
    unsigned char key[32];
    char want[65];
    sigv4_signing_key(p->r->auth.id.secret_key, d8, region, "s3", key);
    sigv4_signature_hex(key, policy, want);
    if (!sigv4_hex_equal(want, sig)) return S3E_SIGNATURE_DOES_NOT_MATCH;
    return S3E_NONE;
}

static void resume(void *arg);
static int open_upload(post_op *p);

/* The file part starts: authorise, then open the upload. */
static int start_file(post_op *p)
{
    s3_req *r = p->r;
    const char *msg = NULL;
    s3_error e = check_signature(p, &msg);
    if (e) { post_fail(p, e, msg); return -1; }
    const char *key = field(p, "key");
    if (!key) { post_fail(p, S3E_INVALID_ARGUMENT, "Bucket POST must contain a field named 'key'."); return -1; }
    /* ${filename} is the name the browser gave the file */
    const char *ph = strstr(key, "${filename}");
    if (ph) {
        const char *fn = p->part_filename ? p->part_filename : "";
        const char *slash = strrchr(fn, '/');
        if (slash) fn = slash + 1;
        key = arena_printf(r->a, "%.*s%s%s", (int)(ph - key), key, fn, ph + 11);
    }
    if (object_key_check(key, strlen(key)) != KEY_OK || !*key) { post_fail(p, S3E_INVALID_ARGUMENT, "Invalid key."); return -1; }
    p->key = key;
    r->key = key;
    e = s3_authorize(r, "s3:PutObject", r->bucket, key);
    if (e) { post_fail(p, e, NULL); return -1; }
    e = s3_object_acl_value_check(r, field(p, "acl"), &msg);
    if (e) { post_fail(p, e, msg); return -1; }
    if (field(p, "x-amz-server-side-encryption") || field(p, "x-amz-server-side-encryption-customer-algorithm")) {
        post_fail(p, S3E_NOT_IMPLEMENTED, "Server-side encryption is not implemented: cairn stores objects unencrypted.");
        return -1;
    }
    if (r->auth.anonymous) return open_upload(p);
    const char *b64 = field(p, "policy");
    size_t bl = strlen(b64);
    unsigned char *raw = arena_alloc(r->a, bl + 1);
    long n = b64_decode(b64, bl, raw, bl + 1);
    json_t *policy = n > 0 ? json_loadb((const char *)raw, (size_t)n, 0, NULL) : NULL;
    if (!policy) { post_fail(p, S3E_INVALID_POLICY_DOCUMENT, NULL); return -1; }
    const char *bad = check_policy(p, policy);
    json_decref(policy);
    if (bad) { post_fail(p, S3E_ACCESS_DENIED, bad); return -1; }
    return open_upload(p);
}

/* Authorised: the object's metadata from the form, and the upload. */
static int open_upload(post_op *p)
{
    s3_req *r = p->r;
    if (store_bucket_get(r->api->cfg.store, r->bucket, NULL) == ST_NO_SUCH_BUCKET) {
        post_fail(p, S3E_NO_SUCH_BUCKET, NULL);
        return -1;
    }
    /* metadata from the form: Content-Type and friends, x-amz-meta-* */
    obj_header *h = arena_alloc(r->a, (p->n_fields + 2) * sizeof *h);
    size_t nh = 0;
    static const char *const stored[] = { "content-type", "content-encoding", "content-disposition",
                                          "content-language", "cache-control", "expires", NULL };
    for (size_t i = 0; i < p->n_fields; i++) {
        char *lname = arena_strdup(r->a, p->fields[i].name);
        for (char *c = lname; *c; c++) if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
        int keep = strncmp(lname, "x-amz-meta-", 11) == 0;
        for (int k = 0; stored[k] && !keep; k++) keep = strcmp(lname, stored[k]) == 0;
        if (keep) { h[nh].name = lname; h[nh].value = p->fields[i].value; nh++; }
    }
    if (!field(p, "content-type") && p->part_type) { h[nh].name = "content-type"; h[nh].value = p->part_type; nh++; }
    p->info.headers = h;
    p->info.n_headers = nh;
    const char *tagging = field(p, "tagging"), *msg = NULL;
    if (tagging) {
        s3_error te = s3_tags_from_xml(r, tagging, &p->info.tags, &msg);
        if (te) { post_fail(p, te, msg); return -1; }
    }
    p->md5 = calloc(1, sizeof *p->md5);
    if (!p->md5 || cksum_init(p->md5, CKSUM_MD5) != 0) { free(p->md5); post_fail(p, S3E_INTERNAL, NULL); return -1; }
    p->sp = store_put_begin(r->api->cfg.store, -1, md5_observe, p->md5, md5_release);
    store_put_on_resume(p->sp, resume, p);
    p->file_seen = 1;
    return 0;
}

static void posted(void *arg, store_status st)
{
    post_op *p = arg;
    s3_req *r = p->r;
    p->sp = NULL;
    if (st) { post_fail(p, s3_error_from_store(st, 1), NULL); return; }
    p->finished = 1;
    r->abort_op = NULL;
    if (!http_is_aborted(r->ex)) {
        const char *redirect = field(p, "success_action_redirect");
        const char *status = field(p, "success_action_status");
        char *etag = arena_printf(r->a, "\"%s\"", p->info.etag);
        http_add_header(r->ex, "ETag", etag);
        const char *host = s3_header(r, "host");
        char *location = arena_printf(r->a, "http://%s/%s/%s", host ? host : "", r->bucket, url_encode(r->a, p->key, 1));
        if (redirect && *redirect) {
            http_add_header(r->ex, "Location",
                            arena_printf(r->a, "%s%sbucket=%s&key=%s&etag=%s", redirect, strchr(redirect, '?') ? "&" : "?",
                                         url_encode(r->a, r->bucket, 0), url_encode(r->a, p->key, 0),
                                         url_encode(r->a, etag, 0)));
            http_respond(r->ex, 303, NULL, NULL, 0);
        } else if (status && strcmp(status, "201") == 0) {
            http_add_header(r->ex, "Location", location);
            strbuf b;
            strbuf_init(&b, r->a, 256);
            strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>");
            strbuf_xml_escape(&b, location, strlen(location));
            strbuf_puts(&b, "</Location><Bucket>");
            strbuf_xml_escape(&b, r->bucket, strlen(r->bucket));
            strbuf_puts(&b, "</Bucket><Key>");
            strbuf_xml_escape(&b, p->key, strlen(p->key));
            strbuf_printf(&b, "</Key><ETag>&quot;%s&quot;</ETag></PostResponse>", p->info.etag);
            s3_xml_reply(r, 201, &b);
        } else {
            http_respond(r->ex, status && strcmp(status, "200") == 0 ? 200 : 204, NULL, NULL, 0);
        }
    }
    http_release(r->ex);
}

static void file_flushed(void *arg, store_status st)
{
    post_op *p = arg;
    if (p->failed) return;
    if (st) { post_fail(p, s3_error_from_store(st, 1), NULL); return; }
    if (p->len_min >= 0 && (int64_t)p->file_bytes < p->len_min) { post_fail(p, S3E_ENTITY_TOO_SMALL, NULL); return; }
    if (p->len_max >= 0 && (int64_t)p->file_bytes > p->len_max) { post_fail(p, S3E_ENTITY_TOO_LARGE, NULL); return; }
    unsigned char md5[16];
    cksum_final_raw(p->md5, md5, sizeof md5);
    hex_encode(md5, 16, p->info.etag);
    store_put_commit(p->sp, p->r->bucket, p->key, &p->info, NULL, posted, p);
}

/* ---- multipart/form-data ---- */

static int add_field(post_op *p)
{
    if (p->n_fields == MAX_FIELDS) return -1;
    p->fields_bytes += p->value.len + strlen(p->part_name);
    if (p->fields_bytes > MAX_FIELDS_BYTES) return -1;
    p->fields[p->n_fields].name = p->part_name;
    p->fields[p->n_fields].value = arena_strndup(p->r->a, p->value.data, p->value.len);
    p->n_fields++;
    return 0;
}

/* "form-data; name="x"; filename="y"" */
static char *disposition_param(arena *a, const char *h, const char *param)
{
    char pat[32];
    snprintf(pat, sizeof pat, "%s=\"", param);
    const char *s = h;
    while ((s = strstr(s, pat))) {
        if (s == h || s[-1] == ' ' || s[-1] == ';') {
            s += strlen(pat);
            const char *e = strchr(s, '"');
            return e ? arena_strndup(a, s, (size_t)(e - s)) : NULL;
        }
        s++;
    }
    return NULL;
}

static int parse_part_head(post_op *p)
{
    p->head[p->head_len] = '\0';
    p->part_name = p->part_filename = p->part_type = NULL;
    for (char *line = strtok(p->head, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        if (strncasecmp(line, "Content-Disposition:", 20) == 0) {
            p->part_name = disposition_param(p->r->a, line + 20, "name");
            p->part_filename = disposition_param(p->r->a, line + 20, "filename");
        } else if (strncasecmp(line, "Content-Type:", 13) == 0) {
            const char *v = line + 13;
            while (*v == ' ') v++;
            p->part_type = arena_strdup(p->r->a, v);
        }
    }
    if (!p->part_name) return -1;
    p->in_file = strcmp(p->part_name, "file") == 0;
    p->value.len = 0;
    return 0;
}

/* Body bytes of the current part (never part of a delimiter). */
static int part_data(post_op *p, const char *d, size_t n)
{
    if (!n) return 0;
    if (p->in_file) {
        if (p->file_seen == 2) return 0;            /* a second file: ignored */
        p->file_bytes += n;
        if (p->len_max >= 0 && (int64_t)p->file_bytes > p->len_max) {
            post_fail(p, S3E_ENTITY_TOO_LARGE, NULL);
            return 0;
        }
        return store_put_write(p->sp, d, n);
    }
    if (p->value.len + n > MAX_FIELDS_BYTES) { post_fail(p, S3E_MAX_MESSAGE_LENGTH_EXCEEDED, NULL); return 0; }
    strbuf_append(&p->value, d, n);
    return 0;
}

static int part_end(post_op *p)
{
    if (p->in_file) {
        if (p->file_seen == 1) p->file_seen = 2;
        return 0;
    }
    if (p->file_seen) return 0;                    /* fields after the file are ignored */
    if (add_field(p) != 0) { post_fail(p, S3E_MAX_MESSAGE_LENGTH_EXCEEDED, NULL); return -1; }
    return 0;
}

static int form_consume(s3_req *r, const unsigned char *in, size_t n)
{
    post_op *p = r->op;
    int pause = 0;
    /* join what was held back with the new bytes */
    size_t total = p->carry_len + n;
    char *buf = arena_alloc(r->a, total);
    if (p->carry_len) memcpy(buf, p->carry, p->carry_len);
    memcpy(buf + p->carry_len, in, n);
    p->carry_len = 0;
    size_t pos = 0;
    while (pos < total && !p->failed) {
        if (p->state == FP_PREAMBLE) {
            /* the first delimiter has no leading CRLF */
            const char *d = p->delim + 2;
            size_t dl = p->delim_len - 2;
            char *hit = memmem(buf + pos, total - pos, d, dl);
            if (!hit) { pos = total > dl ? total - dl : pos; break; }
            pos = (size_t)(hit - buf) + dl;
            p->state = FP_HEAD;
            p->head_len = 0;
            continue;
        }
        if (p->state == FP_HEAD) {
            /* after a delimiter: "--" ends the form, "\r\n" starts a part head */
            if (p->head_len == 0 && total - pos >= 2 && buf[pos] == '-' && buf[pos + 1] == '-') {
                p->state = FP_DONE;
                pos = total;
                break;
            }
            size_t take = total - pos;
            if (p->head_len + take > MAX_PART_HEAD) take = MAX_PART_HEAD - p->head_len;
            memcpy(p->head + p->head_len, buf + pos, take);
            p->head_len += take;
            p->head[p->head_len] = '\0';
            char *end = strstr(p->head + (p->head[0] == '\r' ? 2 : 0), "\r\n\r\n");
            if (!end) {
                if (p->head_len == MAX_PART_HEAD) { post_fail(p, S3E_MALFORMED_POST, NULL); break; }
                if (p->head_len == 1 && p->head[0] == '-') { p->head_len = 0; p->carry = arena_strndup(r->a, "-", 1); p->carry_len = 1; pos = total; break; }
                pos += take;
                continue;
            }
            size_t used = (size_t)(end - p->head) + 4;
            pos += used - (p->head_len - take);
            p->head_len = used - 4;
            if (parse_part_head(p) != 0) { post_fail(p, S3E_MALFORMED_POST, NULL); break; }
            if (p->in_file && !p->file_seen && start_file(p) != 0) break;
            p->state = FP_BODY;
            continue;
        }
        if (p->state == FP_BODY) {
            char *hit = memmem(buf + pos, total - pos, p->delim, p->delim_len);
            if (hit) {
                pause |= part_data(p, buf + pos, (size_t)(hit - buf) - pos);
                pos = (size_t)(hit - buf) + p->delim_len;
                if (part_end(p) != 0) break;
                p->state = FP_HEAD;
                p->head_len = 0;
                continue;
            }
            /* keep back what could be the start of a delimiter */
            size_t safe = total - pos > p->delim_len ? total - pos - (p->delim_len - 1) : 0;
            pause |= part_data(p, buf + pos, safe);
            pos += safe;
            p->carry = arena_strndup(r->a, buf + pos, total - pos);
            p->carry_len = total - pos;
            pos = total;
            break;
        }
        break;   /* FP_DONE: trailing bytes are ignored */
    }
    if (pause && p->sp) http_pause_body(r->ex);
    return pause;
}

static void form_complete(s3_req *r, s3_error e)
{
    post_op *p = r->op;
    if (p->failed) return;
    if (e) { post_fail(p, e, NULL); return; }
    if (p->state != FP_DONE || !p->file_seen) {
        post_fail(p, S3E_MALFORMED_POST, p->file_seen ? NULL : "The body of your POST request is not well-formed multipart/form-data, or has no file field.");
        return;
    }
    store_put_finish(p->sp, file_flushed, p);
}

static void resume(void *arg)
{
    post_op *p = arg;
    if (!p->failed) http_resume_body(p->r->ex);
}

void op_post_object(s3_req *r)
{
    const char *ct = s3_header(r, "content-type");
    const char *b = ct ? strcasestr(ct, "boundary=") : NULL;
    if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0 || !b) {
        s3_error_reply(r, S3E_MALFORMED_POST, "Bucket POST must be of the enclosure-type multipart/form-data.");
        return;
    }
    b += 9;
    size_t bl = strcspn(b, ";");
    if (bl && b[0] == '"') { b++; bl = strcspn(b, "\""); }
    if (!bl || bl > MAX_BOUNDARY) { s3_error_reply(r, S3E_MALFORMED_POST, NULL); return; }
    post_op *p = arena_calloc(r->a, sizeof *p);
    p->r = r;
    p->len_min = p->len_max = -1;
    p->info.parity = -1;
    memcpy(p->delim, "\r\n--", 4);
    memcpy(p->delim + 4, b, bl);
    p->delim_len = 4 + bl;
    strbuf_init(&p->value, r->a, 256);
    r->op = p;
    r->abort_op = post_abort;
    http_hold(r->ex);
    /* the form carries its own authentication: the payload is not signed */
    r->auth.mode = PAYLOAD_UNSIGNED;
    s3_body_start(r, form_consume, form_complete);
}
