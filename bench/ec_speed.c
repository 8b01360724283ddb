/*
 * ec-speed — how fast this machine computes Reed-Solomon parity with isa-l,
 * and CRC32C (the per-block bitrot checksum), on one core.
 *
 * Prints, for k+m in {4+2, 8+4} (or those given as arguments, "k+m"), the
 * encode rate in MiB/s of *data* bytes (what a PUT of that many bytes costs
 * in parity work), over a 1 MiB block split into k shards — the block size
 * the storage design uses. Bounded: each measurement runs about one second.
 *
 *   ec-speed            # 4+2 and 8+4
 *   ec-speed 12+4       # any k+m with k+m <= 32
 */
#include <isa-l/crc.h>
#include <isa-l/erasure_code.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK (1024 * 1024)

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int encode_rate(int k, int m) {
    if (k < 1 || m < 1 || k + m > 32) return -1;
    int len = BLOCK / k;
    unsigned char *matrix = malloc((size_t)(k + m) * (size_t)k);
    unsigned char *tables = malloc((size_t)32 * (size_t)k * (size_t)m);
    unsigned char *shards[32];
    for (int i = 0; i < k + m; i++) {
        shards[i] = aligned_alloc(64, (size_t)len);
        if (!shards[i]) return -1;
        for (int j = 0; j < len; j++) shards[i][j] = (unsigned char)rand();
    }
    gf_gen_cauchy1_matrix(matrix, k + m, k);
    ec_init_tables(k, m, matrix + k * k, tables);
    long iters = 0;
    double t0 = now_s(), t;
    do {   /* batches of 16 blocks, stop after ~1 s (and at most 1,000,000 blocks) */
        for (int b = 0; b < 16; b++) ec_encode_data(len, k, m, tables, shards, shards + k);
        iters += 16;
        t = now_s() - t0;
    } while (t < 1.0 && iters < 1000000);
    double mib = (double)iters * (double)len * k / (1024.0 * 1024.0);
    printf("isa-l RS %d+%d encode: %8.0f MiB/s of data (%.2f GiB/s), 1 MiB blocks, one core\n", k, m, mib / t,
           mib / t / 1024);
    for (int i = 0; i < k + m; i++) free(shards[i]);
    free(matrix);
    free(tables);
    return 0;
}

static void crc_rate(void) {
    unsigned char *buf = malloc(BLOCK);
    for (int i = 0; i < BLOCK; i++) buf[i] = (unsigned char)rand();
    unsigned int crc = 0;
    long iters = 0;
    double t0 = now_s(), t;
    do {
        for (int b = 0; b < 16; b++) crc = crc32_iscsi(buf, BLOCK, crc);
        iters += 16;
        t = now_s() - t0;
    } while (t < 1.0 && iters < 1000000);
    printf("isa-l CRC32C:         %8.0f MiB/s (%.2f GiB/s), one core (crc %08x)\n", (double)iters / t,
           (double)iters / t / 1024, crc);
    free(buf);
}

int main(int argc, char **argv) {
    if (argc == 1) {
        encode_rate(4, 2);
        encode_rate(8, 4);
    }
    for (int i = 1; i < argc; i++) {
        int k, m;
        if (sscanf(argv[i], "%d+%d", &k, &m) != 2 || encode_rate(k, m)) {
            fprintf(stderr, "usage: ec-speed [k+m ...]  (k+m <= 32)\n");
            return 2;
        }
    }
    crc_rate();
    return 0;
}
