/*
 * fuzz/fuzz_util.c - helpers shared by the fuzz targets.
 */
#define _POSIX_C_SOURCE 200809L

#include "fuzz_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fz_fail(const char *file, int line, const char *cond, const char *fmt,
             ...) {
    fprintf(stderr, "\n%s:%d: fuzz invariant failed: %s\n  ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

void fz_check_failed_read(nupic_status st, const void *obj,
                          const nupic_error *err, nupic_status also,
                          const char *ctx) {
    FZ_CHECK(obj == NULL, "%s: failed (%s) but returned an object", ctx,
             nupic_status_name(st));
    FZ_CHECK(st == NUPIC_ERR_FORMAT || st == NUPIC_ERR_TOO_LARGE ||
                 (also != NUPIC_OK && st == also),
             "%s: unexpected status %s: %s", ctx, nupic_status_name(st),
             err->message);
    FZ_CHECK(err->status == st, "%s: returned %s, recorded %s", ctx,
             nupic_status_name(st), nupic_status_name(err->status));
    FZ_CHECK(memchr(err->message, '\0', sizeof err->message) != NULL,
             "%s: message not NUL-terminated", ctx);
    FZ_CHECK(err->message[0] != '\0', "%s: %s without a message", ctx,
             nupic_status_name(st));
}

void fz_check_error(const ncp_error *e, const char *ctx) {
    FZ_CHECK(memchr(e->message, '\0', sizeof e->message) != NULL,
             "%s: message not NUL-terminated", ctx);
    FZ_CHECK((unsigned)e->status < NCP_STATUS_COUNT_, "%s: status %d", ctx,
             (int)e->status);
    if (e->status == NCP_OK)
        FZ_CHECK(e->message[0] == '\0', "%s: NCP_OK with message \"%s\"", ctx,
                 e->message);
    else
        FZ_CHECK(e->message[0] != '\0', "%s: %s without a message", ctx,
                 ncp_status_name(e->status));
}

void *fz_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    FZ_CHECK(p != NULL, "out of memory (%zu bytes)", n);
    return p;
}

uint8_t *fz_dup(const void *p, size_t n) {
    uint8_t *q = malloc(n);
    if (n == 0) return q; /* may be NULL; never read */
    FZ_CHECK(q != NULL, "out of memory (%zu bytes)", n);
    memcpy(q, p, n);
    return q;
}

int fz_file_with(const uint8_t *data, size_t size) {
    static FILE *f; /* lives as long as the process */
    if (f == NULL) f = tmpfile();
    FZ_CHECK(f != NULL, "cannot create a temporary file");
    int fd = fileno(f);
    FZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate");
    for (size_t done = 0; done < size;) {
        ssize_t k = pwrite(fd, data + done, size - done, (off_t)done);
        FZ_CHECK(k > 0, "pwrite");
        done += (size_t)k;
    }
    FZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    return fd;
}
