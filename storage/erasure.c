#include "erasure.h"

#include <isa-l/erasure_code.h>
#include <string.h>

int ec_codec_init(ec_codec *c, int k, int m)
{
    if (k < 1 || m < 0 || k + m > EC_MAX_SHARDS) return -1;
    memset(c, 0, sizeof *c);
    c->k = k;
    c->m = m;
    /* Cauchy: every k x k submatrix is invertible, for any k and m. */
    gf_gen_cauchy1_matrix(c->matrix, k + m, k);
    if (m) ec_init_tables(k, m, c->matrix + k * k, c->tables);
    return 0;
}

void ec_encode(const ec_codec *c, unsigned char **shards, size_t shard_size)
{
    if (!c->m) return;
    ec_encode_data((int)shard_size, c->k, c->m, (unsigned char *)c->tables, shards, shards + c->k);
}

int ec_reconstruct(const ec_codec *c, unsigned char **shards, const int *present, size_t shard_size)
{
    int k = c->k, n = c->k + c->m;
    int survivors[EC_MAX_SHARDS], missing[EC_MAX_SHARDS], ns = 0, nm = 0;
    for (int i = 0; i < n; i++) {
        if (present[i]) { if (ns < k) survivors[ns++] = i; }
        else missing[nm++] = i;
    }
    if (nm == 0) return 0;
    if (ns < k) return -1;
    /* Rows of the encoding matrix for k surviving shards, inverted, map
     * survivors back to the data; missing parity rows are the encoding
     * rows applied to that data. */
    unsigned char sub[EC_MAX_SHARDS * EC_MAX_SHARDS], inv[EC_MAX_SHARDS * EC_MAX_SHARDS];
    unsigned char decode[EC_MAX_SHARDS * EC_MAX_SHARDS];
    for (int r = 0; r < k; r++) memcpy(sub + r * k, c->matrix + survivors[r] * k, (size_t)k);
    if (gf_invert_matrix(sub, inv, k) != 0) return -1;
    for (int e = 0; e < nm; e++) {
        int row = missing[e];
        if (row < k) {
            memcpy(decode + e * k, inv + row * k, (size_t)k);
        } else {
            for (int j = 0; j < k; j++) {
                unsigned char s = 0;
                for (int l = 0; l < k; l++) s ^= gf_mul(c->matrix[row * k + l], inv[l * k + j]);
                decode[e * k + j] = s;
            }
        }
    }
    unsigned char tables[32 * EC_MAX_SHARDS * EC_MAX_SHARDS];
    ec_init_tables(k, nm, decode, tables);
    unsigned char *src[EC_MAX_SHARDS], *dst[EC_MAX_SHARDS];
    for (int i = 0; i < k; i++) src[i] = shards[survivors[i]];
    for (int e = 0; e < nm; e++) dst[e] = shards[missing[e]];
    ec_encode_data((int)shard_size, k, nm, tables, src, dst);
    return 0;
}
