/*
 * aws_chunked — see aws_chunked.h for the format, the leniencies and the
 * limits.
 *
 * One state machine over the bytes. Framing lines (chunk headers, the final
 * empty line, the line after the trailer signature) are collected in
 * p->line; trailer lines are collected straight into p->trailer_buf where
 * they stay, so aws_chunked_trailer() can point into it. Data bytes are
 * never copied: they are hashed (signed mode) and handed back as a span of
 * the caller's buffer.
 */
#include "aws_chunked.h"

#include "sigv4.h"

#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

enum {
    ST_CHUNK_HEADER,      /* collecting "<hex>[;chunk-signature=<sig>]\r\n" */
    ST_CHUNK_DATA,        /* chunk_remaining data bytes to hand out */
    ST_DATA_CR,           /* the \r\n that closes a chunk's data */
    ST_DATA_LF,
    ST_END_LINE,          /* no trailer: the empty line after the final chunk */
    ST_TRAILER,           /* collecting trailer lines */
    ST_TRAILER_MAYBE_END, /* an empty line came before any trailer line */
    ST_AFTER_TRAILER_SIG, /* the empty line after x-amz-trailer-signature */
    ST_DONE,
    ST_FAILED,
};

static const char EMPTY_SHA256_HEX[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char TRAILER_SIG_NAME[] = "x-amz-trailer-signature";

static aws_chunked_status fail(aws_chunked *p, aws_chunked_status st)
{
    p->state = ST_FAILED;
    p->error = st;
    return st;
}

aws_chunked_status aws_chunked_init(aws_chunked *p, const aws_chunked_config *cfg)
{
    memset(p, 0, sizeof *p);
    p->cfg = *cfg;
    /* Callers fill fixed arrays; never trust that they NUL-terminated them. */
    p->cfg.amz_date[sizeof p->cfg.amz_date - 1] = '\0';
    p->cfg.scope[sizeof p->cfg.scope - 1] = '\0';
    p->cfg.seed_signature[sizeof p->cfg.seed_signature - 1] = '\0';
    memcpy(p->prev_signature, p->cfg.seed_signature, sizeof p->prev_signature);
    p->state = ST_CHUNK_HEADER;
    if (cfg->signed_chunks) {
        p->sha = EVP_MD_CTX_new();
        if (!p->sha)
            return fail(p, AWSCH_NOMEM);
    }
    return AWSCH_OK;
}

void aws_chunked_free(aws_chunked *p)
{
    if (p->sha) {
        EVP_MD_CTX_free(p->sha);
        p->sha = NULL;
    }
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* 64 hex digits -> lowercase copy in out; 0 if s[0..n) is not that. */
static int take_signature(const char *s, size_t n, char out[65])
{
    if (n != 64)
        return 0;
    for (size_t i = 0; i < 64; i++) {
        int v = hex_digit((unsigned char)s[i]);
        if (v < 0)
            return 0;
        out[i] = "0123456789abcdef"[v];
    }
    out[64] = '\0';
    return 1;
}

/* Checks the claimed signature of the chunk whose data hashed to
 * data_sha256_hex, and advances the chain. */
static aws_chunked_status verify_chunk(aws_chunked *p, const char *data_sha256_hex)
{
    char want[65];
    sigv4_chunk_signature(p->cfg.signing_key, p->cfg.amz_date, p->cfg.scope, p->prev_signature,
                          data_sha256_hex, want);
    if (!sigv4_hex_equal(want, p->chunk_signature))
        return AWSCH_BAD_SIGNATURE;
    memcpy(p->prev_signature, p->chunk_signature, sizeof p->prev_signature);
    return AWSCH_OK;
}

static aws_chunked_status finish_chunk_data(aws_chunked *p)
{
    if (!p->cfg.signed_chunks)
        return AWSCH_OK;
    unsigned char md[32];
    unsigned int got = 0;
    char hex[65];
    if (EVP_DigestFinal_ex(p->sha, md, &got) != 1 || got != 32)
        return AWSCH_BAD_SIGNATURE; /* cannot verify: refuse */
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    return verify_chunk(p, hex);
}

/* Parses the chunk header in p->line (CRLF stripped) and moves on. */
static aws_chunked_status on_chunk_header(aws_chunked *p, const char *s, size_t n)
{
    size_t i = 0;
    uint64_t size = 0;
    int v;
    while (i < n && (v = hex_digit((unsigned char)s[i])) >= 0) {
        size = size * 16 + (uint64_t)v;
        if (size > AWSCH_MAX_CHUNK)
            return AWSCH_TOO_LARGE; /* also stops the accumulator overflowing */
        i++;
    }
    if (i == 0)
        return AWSCH_MALFORMED;
    if (p->cfg.signed_chunks) {
        static const char ext[] = ";chunk-signature=";
        size_t ext_len = sizeof ext - 1;
        if (n - i != ext_len + 64 || memcmp(s + i, ext, ext_len) != 0 ||
            !take_signature(s + i + ext_len, 64, p->chunk_signature))
            return AWSCH_MALFORMED;
    } else if (i < n && s[i] != ';') {
        return AWSCH_MALFORMED; /* extensions after ';' are ignored, nothing else allowed */
    }

    if (size > 0) {
        p->chunk_remaining = (uint32_t)size;
        p->state = ST_CHUNK_DATA;
        if (p->cfg.signed_chunks && EVP_DigestInit_ex(p->sha, sigv4_sha256_md(), NULL) != 1)
            return AWSCH_BAD_SIGNATURE;
        return AWSCH_OK;
    }
    /* The final chunk: signed over empty data, verified right away. */
    if (p->cfg.signed_chunks) {
        aws_chunked_status st = verify_chunk(p, EMPTY_SHA256_HEX);
        if (st != AWSCH_OK)
            return st;
    }
    p->state = p->cfg.has_trailer ? ST_TRAILER : ST_END_LINE;
    p->line_len = 0;
    return AWSCH_OK;
}

static aws_chunked_status verify_trailer(aws_chunked *p)
{
    if (!p->cfg.signed_chunks)
        return AWSCH_DONE;
    if (!p->have_trailer_signature)
        return AWSCH_BAD_SIGNATURE; /* a signed stream with an unsigned trailer */
    /* The signed text is each trailer as "name:value\n", in the order sent. */
    unsigned char md[32];
    unsigned int got = 0;
    int ok = EVP_DigestInit_ex(p->sha, sigv4_sha256_md(), NULL) == 1;
    for (size_t i = 0; ok && i < p->n_trailers; i++) {
        const aws_chunked_trailer_entry *t = &p->trailers[i];
        ok = EVP_DigestUpdate(p->sha, p->trailer_buf + t->name_off, t->name_len) == 1 &&
             EVP_DigestUpdate(p->sha, ":", 1) == 1 &&
             EVP_DigestUpdate(p->sha, p->trailer_buf + t->value_off, t->value_len) == 1 &&
             EVP_DigestUpdate(p->sha, "\n", 1) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(p->sha, md, &got) == 1 && got == 32;
    if (!ok)
        return AWSCH_BAD_SIGNATURE;
    char hex[65], want[65];
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    sigv4_trailer_signature(p->cfg.signing_key, p->cfg.amz_date, p->cfg.scope, p->prev_signature,
                            hex, want);
    return sigv4_hex_equal(want, p->trailer_signature) ? AWSCH_DONE : AWSCH_BAD_SIGNATURE;
}

static int is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A complete trailer line is trailer_buf[start .. start+len) (CRLF
 * stripped). Returns OK to keep reading, DONE at the end, or an error. */
static aws_chunked_status on_trailer_line(aws_chunked *p, size_t start, size_t len)
{
    char *line = p->trailer_buf + start;
    if (len == 0) {
        if (p->n_trailers == 0 && !p->have_trailer_separator) {
            /* Either the end of an empty trailer or a separator before the
             * trailer lines: only the next byte (or the body's end) tells. */
            p->state = ST_TRAILER_MAYBE_END;
            p->have_trailer_separator = 1;
            p->trailer_used = start;
            return AWSCH_OK;
        }
        return verify_trailer(p);
    }
    size_t colon = 0;
    while (colon < len && line[colon] != ':')
        colon++;
    if (colon == 0 || colon == len)
        return AWSCH_MALFORMED;
    for (size_t i = 0; i < colon; i++) {
        if (!is_token_char((unsigned char)line[i]))
            return AWSCH_MALFORMED;
        if (line[i] >= 'A' && line[i] <= 'Z')
            line[i] = (char)(line[i] - 'A' + 'a');
    }
    size_t vs = colon + 1, ve = len;
    while (vs < ve && (line[vs] == ' ' || line[vs] == '\t'))
        vs++;
    while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t'))
        ve--;

    if (colon == sizeof TRAILER_SIG_NAME - 1 && memcmp(line, TRAILER_SIG_NAME, colon) == 0) {
        if (!p->cfg.signed_chunks || p->have_trailer_signature ||
            !take_signature(line + vs, ve - vs, p->trailer_signature))
            return AWSCH_MALFORMED;
        p->have_trailer_signature = 1;
        p->trailer_used = start; /* not an entry: give its bytes back */
        p->state = ST_AFTER_TRAILER_SIG;
        p->line_len = 0;
        return AWSCH_OK;
    }
    if (p->n_trailers == AWSCH_MAX_TRAILERS)
        return AWSCH_TOO_LARGE;
    line[ve] = '\0'; /* overwrites trailing blanks or the '\r' */
    aws_chunked_trailer_entry *t = &p->trailers[p->n_trailers++];
    t->name_off = (uint16_t)start;
    t->name_len = (uint16_t)colon;
    t->value_off = (uint16_t)(start + vs);
    t->value_len = (uint16_t)(ve - vs);
    p->state = ST_TRAILER;
    return AWSCH_OK;
}

/* Adds one byte to p->line; returns 1 when a CRLF-terminated line is
 * complete (p->line_len then excludes the CRLF), 0 for more, -1 on error. */
static int line_byte(aws_chunked *p, unsigned char c)
{
    if (c == '\n') {
        if (p->line_len == 0 || p->line[p->line_len - 1] != '\r')
            return -1;
        p->line_len--;
        p->line[p->line_len] = '\0';
        return 1;
    }
    if (p->line_len >= AWSCH_MAX_LINE)
        return -1;
    p->line[p->line_len++] = (char)c;
    return 0;
}

aws_chunked_status aws_chunked_feed(aws_chunked *p, const unsigned char *in, size_t n,
                                    size_t *consumed, const unsigned char **data,
                                    size_t *data_len)
{
    size_t i = 0;
    aws_chunked_status st = AWSCH_OK;
    *data = NULL;
    *data_len = 0;
    *consumed = 0;

    if (p->state == ST_FAILED)
        return p->error;
    if (p->state == ST_DONE)
        return n == 0 ? AWSCH_DONE : fail(p, AWSCH_MALFORMED);

    while (i < n) {
        unsigned char c = in[i];
        switch (p->state) {
        case ST_CHUNK_HEADER: {
            int r = line_byte(p, c);
            i++;
            if (r < 0)
                return fail(p, AWSCH_MALFORMED);
            if (r > 0) {
                size_t len = p->line_len;
                p->line_len = 0;
                if ((st = on_chunk_header(p, p->line, len)) != AWSCH_OK)
                    return fail(p, st);
            }
            break;
        }
        case ST_CHUNK_DATA: {
            size_t span = n - i;
            if (span > p->chunk_remaining)
                span = p->chunk_remaining;
            if (p->cfg.signed_chunks && EVP_DigestUpdate(p->sha, in + i, span) != 1)
                return fail(p, AWSCH_BAD_SIGNATURE);
            p->chunk_remaining -= (uint32_t)span;
            p->decoded += span;
            if (p->chunk_remaining == 0)
                p->state = ST_DATA_CR;
            *data = in + i;
            *data_len = span;
            *consumed = i + span;
            return AWSCH_OK;
        }
        case ST_DATA_CR:
            if (c != '\r')
                return fail(p, AWSCH_MALFORMED);
            i++;
            p->state = ST_DATA_LF;
            break;
        case ST_DATA_LF:
            if (c != '\n')
                return fail(p, AWSCH_MALFORMED);
            i++;
            if ((st = finish_chunk_data(p)) != AWSCH_OK)
                return fail(p, st);
            p->state = ST_CHUNK_HEADER;
            p->line_len = 0;
            break;
        case ST_END_LINE:
        case ST_AFTER_TRAILER_SIG: {
            int r = line_byte(p, c);
            i++;
            if (r < 0 || (r > 0 && p->line_len != 0))
                return fail(p, AWSCH_MALFORMED);
            if (r > 0) {
                st = p->state == ST_END_LINE ? AWSCH_DONE : verify_trailer(p);
                if (st != AWSCH_DONE)
                    return fail(p, st);
                p->state = ST_DONE;
                *consumed = i;
                return AWSCH_DONE;
            }
            break;
        }
        case ST_TRAILER_MAYBE_END:
        case ST_TRAILER: {
            /* More bytes after a lone empty line: it was a separator. */
            if (p->state == ST_TRAILER_MAYBE_END)
                p->state = ST_TRAILER;
            if (p->trailer_used >= AWSCH_TRAILER_BYTES)
                return fail(p, AWSCH_TOO_LARGE);
            size_t start = p->trailer_line_start;
            if (c == '\n') {
                if (p->trailer_used == start || p->trailer_buf[p->trailer_used - 1] != '\r')
                    return fail(p, AWSCH_MALFORMED);
                size_t len = p->trailer_used - 1 - start;
                p->trailer_buf[p->trailer_used++] = '\n';
                i++;
                st = on_trailer_line(p, start, len);
                p->trailer_line_start = p->trailer_used;
                if (st == AWSCH_DONE) {
                    p->state = ST_DONE;
                    *consumed = i;
                    return AWSCH_DONE;
                }
                if (st != AWSCH_OK)
                    return fail(p, st);
                break;
            }
            p->trailer_buf[p->trailer_used++] = (char)c;
            i++;
            break;
        }
        default:
            return fail(p, AWSCH_MALFORMED);
        }
    }
    *consumed = i;
    return AWSCH_OK;
}

aws_chunked_status aws_chunked_finish(aws_chunked *p)
{
    aws_chunked_status st;
    switch (p->state) {
    case ST_DONE:
        return AWSCH_DONE;
    case ST_FAILED:
        return p->error;
    case ST_END_LINE:
        /* The body stopped right after the final chunk's header line. */
        if (p->line_len != 0)
            return fail(p, AWSCH_MALFORMED);
        p->state = ST_DONE;
        return AWSCH_DONE;
    case ST_TRAILER:
    case ST_TRAILER_MAYBE_END:
        /* Stopped after complete trailer lines, without the empty line. */
        if (p->trailer_used != p->trailer_line_start)
            return fail(p, AWSCH_MALFORMED);
        st = verify_trailer(p);
        break;
    case ST_AFTER_TRAILER_SIG:
        if (p->line_len != 0)
            return fail(p, AWSCH_MALFORMED);
        st = verify_trailer(p);
        break;
    default:
        return fail(p, AWSCH_MALFORMED);
    }
    if (st != AWSCH_DONE)
        return fail(p, st);
    p->state = ST_DONE;
    return AWSCH_DONE;
}

const char *aws_chunked_trailer(const aws_chunked *p, const char *name)
{
    if (p->state != ST_DONE || !name)
        return NULL;
    size_t len = strlen(name);
    for (size_t i = 0; i < p->n_trailers; i++) {
        const aws_chunked_trailer_entry *t = &p->trailers[i];
        if (t->name_len == len && strncasecmp(p->trailer_buf + t->name_off, name, len) == 0)
            return p->trailer_buf + t->value_off;
    }
    return NULL;
}

size_t aws_chunked_trailer_count(const aws_chunked *p)
{
    return p->state == ST_DONE ? p->n_trailers : 0;
}

uint64_t aws_chunked_decoded_bytes(const aws_chunked *p)
{
    return p->decoded;
}
