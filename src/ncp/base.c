/*
 * src/ncp/base.c - status names, error records, the default allocator, the
 * placement of reads for the processor.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static const char *const status_texts[] = {
#define NCP_X_TEXT(name, text) text,
    NCP_STATUS_LIST(NCP_X_TEXT)
#undef NCP_X_TEXT
};

static const char *const status_names[] = {
#define NCP_X_NAME(name, text) #name,
    NCP_STATUS_LIST(NCP_X_NAME)
#undef NCP_X_NAME
};

const char *ncp_status_text(ncp_status status) {
    if ((unsigned)status >= NCP_STATUS_COUNT_) return "unknown status";
    return status_texts[status];
}

const char *ncp_status_name(ncp_status status) {
    if ((unsigned)status >= NCP_STATUS_COUNT_) return "NCP_UNKNOWN_STATUS";
    return status_names[status];
}

ncp_status ncp__error_vset(ncp_error *err, ncp_status status, const char *fmt,
                           va_list ap) {
    if (err == NULL || err->status != NCP_OK || status == NCP_OK) return status;
    err->status = status;
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    if (n < 0) err->message[0] = '\0';
    return status;
}

ncp_status ncp_error_set(ncp_error *err, ncp_status status, const char *fmt,
                         ...) {
    va_list ap;
    va_start(ap, fmt);
    ncp__error_vset(err, status, fmt, ap);
    va_end(ap);
    return status;
}

void ncp_error_clear(ncp_error *err) {
    if (err == NULL) return;
    err->status = NCP_OK;
    err->message[0] = '\0';
}

void *ncp__alloc(const ncp_allocator *a, size_t size) {
    if (size == 0) size = 1;
    if (a->fn) return a->fn(a->ud, NULL, 0, size);
    return malloc(size);
}

void *ncp__realloc(const ncp_allocator *a, void *p, size_t old_size,
                   size_t new_size) {
    if (new_size == 0) new_size = 1;
    if (a->fn) return a->fn(a->ud, p, old_size, new_size);
    return realloc(p, new_size);
}

void ncp__free(const ncp_allocator *a, void *p, size_t size) {
    if (p == NULL) return;
    if (a->fn) {
        a->fn(a->ud, p, size == 0 ? 1 : size, 0);
        return;
    }
    free(p);
}

static size_t read_skew;
static pthread_once_t read_skew_once = PTHREAD_ONCE_INIT;

static void read_skew_init(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    read_skew = __builtin_cpu_is("intel") ? 32u : 0u;
#endif
}

size_t ncp__read_skew(void) {
    pthread_once(&read_skew_once, read_skew_init);
    return read_skew;
}
