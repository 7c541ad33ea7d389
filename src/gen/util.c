/*
 * src/gen/util.c - output buffers and fatal errors of the generator.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

void gen_die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("capnpc-c: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

char *gen_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d == NULL) gen_die("out of memory");
    memcpy(d, s, n);
    return d;
}

void gen_printf(gen_buf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->data ? b->data + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) gen_die("formatting failed");
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len <= (size_t)n)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL) gen_die("out of memory");
        b->data = d;
        b->cap = cap;
    }
}

void gen_buf_free(gen_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
