/*
 * src/cli/sdr_io.c - SDR text files and atomically replaced output files.
 */
#define _POSIX_C_SOURCE 200809L

#include "sdr_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

bool cli_sdr_open(cli_sdr_reader *r, const char *cmd, const char *path) {
    memset(r, 0, sizeof *r);
    r->path = path;
    if (strcmp(path, "-") == 0) {
        r->f = stdin;
        r->path = "(standard input)";
        return true;
    }
    r->f = fopen(path, "rb");
    if (r->f == NULL) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

void cli_sdr_close(cli_sdr_reader *r) {
    if (r->f != NULL && r->f != stdin) fclose(r->f);
    free(r->line);
    free(r->idx);
    memset(r, 0, sizeof *r);
}

int cli_sdr_next(cli_sdr_reader *r, const char *cmd, uint32_t limit,
                 const uint32_t **idx, size_t *n) {
    errno = 0;
    ssize_t len = getline(&r->line, &r->line_cap, r->f);
    if (len < 0) {
        if (ferror(r->f)) {
            cli_error(cmd, "%s: %s", r->path,
                      errno ? strerror(errno) : "read error");
            return -1;
        }
        return 0;
    }
    r->line_no++;
    if (len > 0 && r->line[len - 1] == '\n') len--;
    if (len > 0 && r->line[len - 1] == '\r') len--;
    size_t count = 0;
    const char *p = r->line, *end = r->line + len;
    while (p < end) {
        if (count > 0) {
            if (*p != ' ' || p + 1 == end || p[1] == ' ') {
                cli_error(cmd,
                          "%s:%llu: expected one space between indices "
                          "at column %zu",
                          r->path, (unsigned long long)r->line_no,
                          (size_t)(p - r->line) + 1);
                return -1;
            }
            p++;
        }
        if (*p < '0' || *p > '9') {
            cli_error(cmd, "%s:%llu: expected an index at column %zu", r->path,
                      (unsigned long long)r->line_no,
                      (size_t)(p - r->line) + 1);
            return -1;
        }
        uint64_t v = 0;
        const char *start = p;
        while (p < end && *p >= '0' && *p <= '9') {
            if (v <= UINT32_MAX) v = v * 10 + (uint64_t)(*p - '0');
            p++;
        }
        if (v >= limit) {
            cli_error(cmd,
                      "%s:%llu: index %.*s is out of range (the input has "
                      "%u bits)",
                      r->path, (unsigned long long)r->line_no,
                      (int)(p - start < 20 ? p - start : 20), start, limit);
            return -1;
        }
        if (count > 0 && v <= r->idx[count - 1]) {
            cli_error(cmd, "%s:%llu: indices must ascend (%llu after %u)",
                      r->path, (unsigned long long)r->line_no,
                      (unsigned long long)v, r->idx[count - 1]);
            return -1;
        }
        if (count == r->idx_cap) {
            size_t cap = r->idx_cap ? r->idx_cap * 2 : 256;
            uint32_t *grown = realloc(r->idx, cap * sizeof *grown);
            if (grown == NULL) {
                cli_error(cmd, "out of memory");
                return -1;
            }
            r->idx = grown;
            r->idx_cap = cap;
        }
        r->idx[count++] = (uint32_t)v;
    }
    *idx = r->idx;
    *n = count;
    return 1;
}

bool cli_out_open(cli_out *o, const char *cmd, const char *path) {
    memset(o, 0, sizeof *o);
    o->path = path;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return true;
    }
    /* A device or pipe (say /dev/null) is written to directly: renaming a
     * temporary file over it would replace it. */
    struct stat target;
    if (stat(path, &target) == 0 && !S_ISREG(target.st_mode)) {
        if (S_ISDIR(target.st_mode)) {
            cli_error(cmd, "%s: is a directory", path);
            return false;
        }
        o->f = fopen(path, "wb");
        if (o->f == NULL) {
            cli_error(cmd, "%s: %s", path, strerror(errno));
            return false;
        }
        o->direct = true;
        return true;
    }
    size_t len = strlen(path);
    o->tmp = malloc(len + 16);
    if (o->tmp == NULL) {
        cli_error(cmd, "out of memory");
        return false;
    }
    memcpy(o->tmp, path, len);
    memcpy(o->tmp + len, ".tmp-XXXXXX", 12);
    int fd = mkstemp(o->tmp);
    /* mkstemp creates the file 0600; give it the usual permissions. */
    mode_t mask = umask(0);
    umask(mask);
    if (fd >= 0) (void)fchmod(fd, 0666 & ~mask);
    if (fd < 0 || (o->f = fdopen(fd, "wb")) == NULL) {
        cli_error(cmd, "%s: cannot create a temporary file beside it: %s", path,
                  strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return false;
    }
    return true;
}

void cli_out_sdr(cli_out *o, const uint32_t *idx, size_t n) {
    for (size_t i = 0; i < n; i++)
        fprintf(o->f, i ? " %u" : "%u", idx[i]);
    fputc('\n', o->f);
}

bool cli_out_commit(cli_out *o, const char *cmd) {
    bool ok;
    if (o->tmp == NULL) {
        ok = fflush(o->f) == 0 && !ferror(o->f);
        if (o->direct && fclose(o->f) != 0) ok = false;
        if (!ok)
            cli_error(cmd, "%s: %s", o->direct ? o->path : "standard output",
                      strerror(errno));
        o->f = NULL;
        return ok;
    }
    ok = fflush(o->f) == 0 && !ferror(o->f) && fsync(fileno(o->f)) == 0;
    int saved = errno;
    if (fclose(o->f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    o->f = NULL;
    if (ok && rename(o->tmp, o->path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        cli_error(cmd, "%s: %s", o->path, strerror(saved));
        unlink(o->tmp);
    }
    free(o->tmp);
    o->tmp = NULL;
    return ok;
}

void cli_out_abort(cli_out *o) {
    if (o->direct && o->f != NULL) fclose(o->f);
    if (o->tmp != NULL) {
        if (o->f != NULL) fclose(o->f);
        unlink(o->tmp);
        free(o->tmp);
    }
    memset(o, 0, sizeof *o);
}
