#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsio.h"

int format_read(const char *sys_dir, drive_format *out)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/format.json", sys_dir);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j) return access(path, F_OK) != 0 && errno == ENOENT ? 1 : -1;
    const char *dep = json_string_value(json_object_get(j, "deployment"));
    memset(out, 0, sizeof *out);
    int ok = dep && strlen(dep) < sizeof out->deployment;
    if (ok) {
        snprintf(out->deployment, sizeof out->deployment, "%s", dep);
        out->drives = (int)json_integer_value(json_object_get(j, "drives"));
        out->set_size = (int)json_integer_value(json_object_get(j, "set_size"));
        out->parity = (int)json_integer_value(json_object_get(j, "parity"));
        out->index = (int)json_integer_value(json_object_get(j, "index"));
        ok = out->drives > 0 && out->set_size > 0;
    }
    json_decref(j);
    return ok ? 0 : -1;
}

int format_write(const char *sys_dir, const drive_format *f)
{
    char path[1200], tmp[1300];
    snprintf(path, sizeof path, "%s/format.json", sys_dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    json_t *j = json_pack("{s:i, s:s, s:i, s:i, s:i, s:i}", "version", 1, "deployment", f->deployment, "drives",
                          f->drives, "set_size", f->set_size, "parity", f->parity, "index", f->index);
    if (!j) return -ENOMEM;
    char *text = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    if (!text) return -ENOMEM;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -errno : 0;
    if (!rc) rc = fsio_pwrite_all(fd, text, strlen(text), 0);
    if (!rc) rc = fsio_fsync(fd);
    if (fd >= 0) close(fd);
    free(text);
    if (!rc) rc = fsio_rename(tmp, path);
    if (!rc) rc = fsio_fsync_dir(sys_dir);
    return rc;
}

void format_new_deployment(char out[64])
{
    unsigned char r[16];
    if (RAND_bytes(r, sizeof r) != 1) abort();
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 64, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
             r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}
