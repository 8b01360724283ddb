/*
 * topology — what the command line says the deployment is: the drive list
 * after MinIO's ellipsis expansion ("/data{1...4}", "/mnt/disk{01...16}",
 * several patterns multiply), from arguments or CAIRN_VOLUMES /
 * MINIO_VOLUMES (space-separated).  Remote endpoints (http://host/path)
 * belong to the distributed mode, which is not built yet: they are
 * refused with a clear message.
 */
#ifndef CAIRN_TOPOLOGY_H
#define CAIRN_TOPOLOGY_H

#include <stddef.h>

enum { TOPOLOGY_MAX_DRIVES = 64 };

typedef struct topology {
    char *drives[TOPOLOGY_MAX_DRIVES];
    int n;
} topology;

/* Returns 0, or -1 with a message in err. */
int topology_expand(const char *const *args, int n_args, topology *out, char *err, size_t errcap);
void topology_free(topology *t);

/* "EC:2" -> 2; NULL or "" -> -1 (default); malformed -> -2. */
int topology_parity(const char *storage_class);

#endif
