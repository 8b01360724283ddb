/*
 * credentials — the root access key and secret: from the environment
 * (CAIRN_ROOT_USER/CAIRN_ROOT_PASSWORD, or MinIO's names), else from the
 * data directory, else generated on first start, stored 0600 there and
 * printed once.  cairn never runs with default or empty credentials.
 */
#ifndef CAIRN_CREDENTIALS_H
#define CAIRN_CREDENTIALS_H

typedef struct credentials {
    char access_key[129];
    char secret_key[129];
} credentials;

/* Returns 0, or -1 with a message already printed. */
int credentials_load(const char *data_dir, credentials *out);

#endif
