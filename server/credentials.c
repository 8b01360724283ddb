#include "credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *env2(const char *a, const char *b)
{
    const char *v = getenv(a);
    if (v && *v) return v;
    v = getenv(b);
    return v && *v ? v : NULL;
}

static int valid(const credentials *c)
{
    size_t a = strlen(c->access_key), s = strlen(c->secret_key);
    if (a < 3 || a > 128) {
        fprintf(stderr, "cairn: the root user (access key) must be 3 to 128 characters\n");
        return 0;
    }
    if (s < 8 || s > 128) {
        fprintf(stderr, "cairn: the root password (secret key) must be 8 to 128 characters\n");
        return 0;
    }
    for (const char *p = c->access_key; *p; p++) {
        if (*p == '/' || *p == ',' || *p == '=' || *p <= ' ') {
            fprintf(stderr, "cairn: the root user may not contain '/', ',', '=' or spaces\n");
            return 0;
        }
    }
    return 1;
}

static void random_string(char *out, size_t n, const char *alphabet)
{
    size_t alen = strlen(alphabet);
    unsigned char r[256];
    if (n > sizeof r || RAND_bytes(r, (int)n) != 1) {
        fprintf(stderr, "cairn: no randomness for credentials\n");
        exit(1);
    }
    /* alphabet sizes here are powers of two or close enough that the
     * bias of a modulo over 256 is irrelevant for 20-40 characters */
    for (size_t i = 0; i < n; i++) out[i] = alphabet[r[i] % alen];
    out[n] = '\0';
}

/* Copies src into a 129-byte credential field; 0 when it does not fit. */
static int copy_field(char dst[129], const char *src)
{
    size_t n = strlen(src);
    if (n > 128) return 0;
    memcpy(dst, src, n + 1);
    return 1;
}

static int read_file(const char *path, credentials *c)
{
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 1 : -1;
    char line[512];
    c->access_key[0] = c->secret_key[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "access_key=", 11) == 0 && !copy_field(c->access_key, line + 11)) c->access_key[0] = '\0';
        else if (strncmp(line, "secret_key=", 11) == 0 && !copy_field(c->secret_key, line + 11)) c->secret_key[0] = '\0';
    }
    fclose(f);
    return c->access_key[0] && c->secret_key[0] ? 0 : -1;
}

static int write_file(const char *path, const credentials *c)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    char buf[600];
    int n = snprintf(buf, sizeof buf,
                     "# cairn root credentials, generated on first start. Keep this file private.\n"
                     "access_key=%s\nsecret_key=%s\n", c->access_key, c->secret_key);
    int ok = write(fd, buf, (size_t)n) == n && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int credentials_load(const char *data_dir, credentials *out)
{
    const char *user = env2("CAIRN_ROOT_USER", "MINIO_ROOT_USER");
    const char *pass = env2("CAIRN_ROOT_PASSWORD", "MINIO_ROOT_PASSWORD");
    if (user || pass) {
        if (!user || !pass) {
            fprintf(stderr, "cairn: set both CAIRN_ROOT_USER and CAIRN_ROOT_PASSWORD (or MinIO's names)\n");
            return -1;
        }
        if (!copy_field(out->access_key, user) || !copy_field(out->secret_key, pass)) {
            fprintf(stderr, "cairn: root credentials longer than 128 characters\n");
            return -1;
        }
        return valid(out) ? 0 : -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/.cairn.sys/credentials", data_dir);
    int r = read_file(path, out);
    if (r == 0) {
        struct stat st;
        if (stat(path, &st) == 0 && (st.st_mode & 077)) chmod(path, 0600);
        printf("Credentials: AccessKey %s (secret in %s)\n", out->access_key, path);
        fflush(stdout);
        return valid(out) ? 0 : -1;
    }
    if (r < 0) {
        fprintf(stderr, "cairn: cannot read %s\n", path);
        return -1;
    }
    random_string(out->access_key, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    random_string(out->secret_key, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-");
    if (write_file(path, out) != 0) {
        fprintf(stderr, "cairn: cannot store generated credentials in %s: %s\n", path, strerror(errno));
        return -1;
    }
    printf("No root credentials were configured; generated these (stored 0600 in %s, shown only now):\n"
           "   AccessKey: %s\n   SecretKey: %s\n", path, out->access_key, out->secret_key);
    fflush(stdout);
    return 0;
}
