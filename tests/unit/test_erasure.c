/* Reed-Solomon: encode, lose every combination of up to m shards, rebuild
 * byte-exact; losing more than m is refused. */
#include <stdlib.h>
#include <string.h>

#include "../../storage/erasure.h"
#include "check.h"

static void run_geometry(int k, int m, size_t block)
{
    ec_codec c;
    CHECK(ec_codec_init(&c, k, m) == 0);
    size_t ss = ec_shard_size(&c, block);
    int n = k + m;
    unsigned char *orig[EC_MAX_SHARDS], *work[EC_MAX_SHARDS];
    unsigned char *data = malloc(block);
    for (size_t i = 0; i < block; i++) data[i] = (unsigned char)(rand() & 0xff);
    for (int i = 0; i < n; i++) {
        orig[i] = calloc(1, ss);
        work[i] = malloc(ss);
    }
    for (int i = 0; i < k; i++) {
        size_t off = (size_t)i * ss;
        if (off < block) memcpy(orig[i], data + off, block - off < ss ? block - off : ss);
    }
    ec_encode(&c, orig, ss);
    /* every subset of lost shards, by bitmask */
    int tested = 0, all_ok = 1;
    for (unsigned mask = 0; mask < (1u << n); mask++) {
        int lost = __builtin_popcount(mask), present[EC_MAX_SHARDS];
        for (int i = 0; i < n; i++) {
            present[i] = !(mask & (1u << i));
            memcpy(work[i], orig[i], ss);
            if (!present[i]) memset(work[i], 0xA5, ss);
        }
        int r = ec_reconstruct(&c, work, present, ss);
        if (lost > m) {
            if (r != -1) all_ok = 0;
            continue;
        }
        tested++;
        if (r != 0) { all_ok = 0; continue; }
        for (int i = 0; i < n; i++) if (memcmp(work[i], orig[i], ss) != 0) all_ok = 0;
    }
    CHECK(all_ok);
    CHECK(tested > 0);
    /* the data shards are the block itself (systematic code) */
    int same = 1;
    for (int i = 0; i < k; i++) {
        size_t off = (size_t)i * ss;
        if (off < block && memcmp(orig[i], data + off, block - off < ss ? block - off : ss) != 0) same = 0;
    }
    CHECK(same);
    for (int i = 0; i < n; i++) { free(orig[i]); free(work[i]); }
    free(data);
}

int main(void)
{
    srand(7);
    run_geometry(1, 1, 1000);
    run_geometry(2, 2, 4096);
    run_geometry(4, 2, 1 << 20);
    run_geometry(3, 3, 100001);
    run_geometry(4, 4, 65536);
    run_geometry(12, 4, 1 << 16);
    ec_codec c;
    CHECK(ec_codec_init(&c, 0, 2) == -1);
    CHECK(ec_codec_init(&c, 30, 3) == -1);
    return checks_report();
}
