/* The internal calls' signatures (cluster/rpc.c) and metadata operations
 * on the wire (cluster/meta_wire.c): what one node signs another accepts,
 * any change to what is signed is refused, and an operation survives the
 * trip intact while malformed bodies are refused. */
#include <stdlib.h>
#include <string.h>

#include "../../cluster/meta_wire.h"
#include "../../cluster/rpc.h"
#include "check.h"

static void signatures(void)
{
    rpc_key k, other, by_secret;
    rpc_key_derive(&k, NULL, "root", "root-secret-123");
    rpc_key_derive(&other, NULL, "root", "root-secret-124");
    rpc_key_derive(&by_secret, "cluster-secret", "root", "root-secret-123");
    CHECK(memcmp(k.k, other.k, sizeof k.k) != 0);
    CHECK(memcmp(k.k, by_secret.k, sizeof k.k) != 0);
    rpc_key again;
    rpc_key_derive(&again, "", "root", "root-secret-123");   /* an empty secret is no secret */
    CHECK(memcmp(k.k, again.k, sizeof k.k) == 0);

    const char body[] = "shard bytes";
    int64_t now = 1795690000;
    char sig[65], date[32];
    snprintf(date, sizeof date, "%lld", (long long)now);
    rpc_sign(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", now, body, sizeof body - 1, sig);
    CHECK(strlen(sig) == 64);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, sig, body, sizeof body - 1, now) == 0);
    /* within the validity either side of the receiver's clock, not beyond */
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, sig, body, sizeof body - 1,
                     now + RPC_VALIDITY_S) == 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, sig, body, sizeof body - 1,
                     now + RPC_VALIDITY_S + 1) != 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, sig, body, sizeof body - 1,
                     now - RPC_VALIDITY_S - 1) != 0);
    /* every signed part matters */
    CHECK(rpc_verify(&other, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, sig, body, sizeof body - 1, now) != 0);
    CHECK(rpc_verify(&k, "10.0.0.3:9000", "dwrite", "drive=3&id=00&off=0", date, sig, body, sizeof body - 1, now) != 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dremove", "drive=3&id=00&off=0", date, sig, body, sizeof body - 1, now) != 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=4&id=00&off=0", date, sig, body, sizeof body - 1, now) != 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, sig, "shard bytez", sizeof body - 1,
                     now) != 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, sig, body, sizeof body - 2, now) != 0);
    char later[32];
    snprintf(later, sizeof later, "%lld", (long long)now + 1);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", later, sig, body, sizeof body - 1, now) != 0);
    /* malformed headers */
    char bad[65];
    memcpy(bad, sig, sizeof bad);
    bad[10] = bad[10] == 'a' ? 'b' : 'a';
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, bad, body, sizeof body - 1, now) != 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, "", body, sizeof body - 1, now) != 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", NULL, sig, body, sizeof body - 1, now) != 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", "17956x", sig, body, sizeof body - 1, now) != 0);
    CHECK(rpc_verify(&k, "10.0.0.2:9000", "dwrite", "drive=3&id=00&off=0", date, NULL, body, sizeof body - 1, now) != 0);
}

static void operations(void)
{
    meta_expected_part parts[2] = { { .number = 1 }, { .number = 7 } };
    memset(parts[0].data.b, 0xab, 16);
    memset(parts[1].data.b, 0x01, 16);
    unsigned char record[300];
    for (size_t i = 0; i < sizeof record; i++) record[i] = (unsigned char)(i * 7);
    unsigned char done_record[5] = { 0, 1, 2, 255, 0 };
    meta_op op = {
        .kind = META_UPLOAD_COMPLETE, .bucket = "bucket", .key = "a/ké\"y", .record = record,
        .record_len = sizeof record, .if_match = "etag", .upload_id = "0123456789abcdef0123456789abcdef",
        .expected = parts, .n_expected = 2, .done_record = done_record, .done_record_len = sizeof done_record,
        .versioning = 1, .new_version_id = "v-new", .has_if_size = 1, .if_size = 12345, .now_ns = 1795690000123456789LL,
        .bypass_governance = 1, .retain_until_ns = 42,
    };
    char *text = meta_wire_encode_op(&op);
    CHECK(text != NULL);
    meta_op back;
    CHECK(text && meta_wire_decode_op(text, strlen(text), &back) == 0);
    if (text && back.bucket) {
        CHECK(back.kind == META_UPLOAD_COMPLETE);
        CHECK_STR(back.bucket, "bucket");
        CHECK_STR(back.key, "a/ké\"y");
        CHECK_STR(back.if_match, "etag");
        CHECK(back.if_none_match == NULL && back.version_id == NULL);
        CHECK_STR(back.upload_id, op.upload_id);
        CHECK_STR(back.new_version_id, "v-new");
        CHECK(back.record_len == sizeof record && memcmp(back.record, record, sizeof record) == 0);
        CHECK(back.done_record_len == sizeof done_record && memcmp(back.done_record, done_record, 5) == 0);
        CHECK(back.n_expected == 2 && back.expected[1].number == 7 &&
              memcmp(back.expected[0].data.b, parts[0].data.b, 16) == 0);
        CHECK(back.versioning == 1 && back.has_if_size == 1 && back.if_size == 12345);
        CHECK(back.now_ns == op.now_ns && back.bypass_governance == 1 && back.retain_until_ns == 42);
        free(back.record);
        free(back.done_record);
        meta_wire_op_free(&back);
    }
    /* malformed bodies are refused, never half-applied: every truncation */
    size_t n = text ? strlen(text) : 0;
    int refused = 0;
    for (size_t cut = 0; cut < n; cut++) refused += meta_wire_decode_op(text, cut, &back) != 0;
    CHECK(refused == (int)n);
    static const char *bad[] = {
        "{}", "[]", "{\"kind\":99,\"bucket\":\"b\"}", "{\"kind\":2}", "{\"kind\":2,\"bucket\":7}",
        "{\"kind\":2,\"bucket\":\"b\",\"record\":\"not base64!\"}",
        "{\"kind\":6,\"bucket\":\"b\",\"expected\":[[1,\"zz\"]]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(meta_wire_decode_op(bad[i], strlen(bad[i]), &back) != 0);
    free(text);

    /* results: one per drive, in order */
    meta_op r1 = { .status = ST_OK, .replaced = 1, .result_marker = 0 }, r2 = { .status = ST_PRECONDITION_FAILED };
    snprintf(r1.result_version, sizeof r1.result_version, "v1");
    data_id garbage[2];
    memset(garbage[0].b, 0x11, 16);
    memset(garbage[1].b, 0xfe, 16);
    r1.garbage = garbage;
    r1.n_garbage = 2;
    meta_op *in[2] = { &r1, &r2 };
    char *rt = meta_wire_encode_results(in, 2);
    meta_op o1 = { 0 }, o2 = { 0 };
    meta_op *out[2] = { &o1, &o2 };
    CHECK(rt && meta_wire_decode_results(rt, strlen(rt), out, 2) == 0);
    CHECK(o1.status == ST_OK && o1.replaced == 1 && strcmp(o1.result_version, "v1") == 0);
    CHECK(o1.n_garbage == 2 && o1.garbage && memcmp(o1.garbage[1].b, garbage[1].b, 16) == 0);
    CHECK(o2.status == ST_PRECONDITION_FAILED && o2.n_garbage == 0);
    free(o1.garbage);
    meta_op *one[1] = { &o2 };
    CHECK(rt && meta_wire_decode_results(rt, strlen(rt), one, 1) != 0);   /* a count that differs */
    CHECK(meta_wire_decode_results("[{\"status\":99,\"result_version\":\"\"}]", 36, one, 1) != 0);
    free(rt);
}

int main(void)
{
    signatures();
    operations();
    return checks_report();
}
