/*
 * erasure — Reed-Solomon coding of blocks into k data + m parity shards
 * with isa-l (systematic Cauchy matrix: the data shards are the block
 * itself, cut in k), and reconstruction of any m missing shards.
 *
 * Pure computation on caller-owned buffers; one codec per geometry, built
 * once and shared read-only by worker threads.
 */
#ifndef CAIRN_ERASURE_H
#define CAIRN_ERASURE_H

#include <stddef.h>
#include <stdint.h>

enum { EC_MAX_SHARDS = 32 };

typedef struct ec_codec {
    int k, m;
    unsigned char matrix[EC_MAX_SHARDS * EC_MAX_SHARDS];   /* (k+m) x k */
    unsigned char tables[32 * EC_MAX_SHARDS * EC_MAX_SHARDS];
} ec_codec;

/* 1 <= k, 0 <= m, k + m <= EC_MAX_SHARDS.  Returns 0 or -1. */
int ec_codec_init(ec_codec *c, int k, int m);

/* Bytes per shard for a block of n bytes (the block is zero-padded). */
static inline size_t ec_shard_size(const ec_codec *c, size_t n) { return (n + (size_t)c->k - 1) / (size_t)c->k; }

/* shards[0..k) hold the data (shard_size bytes each, padded with zeros);
 * fills shards[k..k+m). */
void ec_encode(const ec_codec *c, unsigned char **shards, size_t shard_size);

/* shards[i] are buffers of shard_size bytes; present[i] says which hold
 * good data.  Rebuilds every absent shard in place.  Returns 0, or -1 when
 * fewer than k shards are present. */
int ec_reconstruct(const ec_codec *c, unsigned char **shards, const int *present, size_t shard_size);

#endif
