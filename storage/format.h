/*
 * format — the record on each drive that says which deployment it belongs
 * to and where it sits: DIR/.cairn.sys/format.json, written once when a
 * deployment is created (or a blank replacement joins it).  A drive from
 * another deployment, or in another position, is refused at start.
 */
#ifndef CAIRN_FORMAT_H
#define CAIRN_FORMAT_H

typedef struct drive_format {
    char deployment[64];
    int drives;          /* drives in the deployment */
    int set_size;
    int parity;
    int index;           /* this drive's position on the command line */
} drive_format;

/* 0 read, 1 no format (a blank drive), -1 unreadable or malformed. */
int format_read(const char *sys_dir, drive_format *out);
int format_write(const char *sys_dir, const drive_format *f);
void format_new_deployment(char out[64]);

#endif
