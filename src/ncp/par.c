/*
 * src/ncp/par.c - large copies shared between the calling thread and one
 * helper.
 *
 * One core does not move memory as fast as the machine can: a copy is
 * bound by how many cache lines one core keeps in flight, not by the
 * memory's bandwidth.  On the 2-vCPU machines this project is measured on,
 * a 19.7 MB memcpy took a median 1.34 ms in one thread and 0.73 ms split
 * between two, and a 19.7 MB pread(2) from the page cache 1.39 ms against
 * 0.85 ms (docs/performance.md).  So the runtime's large copies - an
 * unpacked message read at once from a regular file, and one written to a
 * caller's buffer - are cut into chunks that the calling thread and a
 * helper take in turn from a shared counter.  The caller never waits for
 * the helper to start: a helper that starts late, or never, leaves its
 * share to the caller, and the call ends when every chunk is done.
 *
 * Writes to a file are not shared: a regular file takes one write at a
 * time (Linux holds the inode's lock for a buffered write), so a second
 * writer only waits.
 */
#define _POSIX_C_SOURCE   200809L
#define _FILE_OFFSET_BITS 64

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "internal.h"

typedef struct par {
    atomic_size_t next; /* the next chunk to take */
    size_t n;
    ncp__par_fn fn;
    void *ctx;
} par;

static void drain(par *p, unsigned worker) {
    for (;;) {
        size_t c = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (c >= p->n) return;
        p->fn(p->ctx, worker, c);
    }
}

static void *helper_main(void *arg) {
    drain(arg, 1);
    return NULL;
}

bool ncp__thread_start(pthread_t *t, void *(*fn)(void *), void *arg) {
    pthread_attr_t attr;
    bool have_attr = pthread_attr_init(&attr) == 0;
    if (have_attr) (void)pthread_attr_setstacksize(&attr, (size_t)64 << 10);
    sigset_t all, old;
    sigfillset(&all);
    bool masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
    bool started = pthread_create(t, have_attr ? &attr : NULL, fn, arg) == 0;
    if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (have_attr) pthread_attr_destroy(&attr);
    return started;
}

/* The chunks that cover n bytes, and where chunk c ends. */
static size_t chunk_count(size_t n) {
    return n / NCP__PAR_CHUNK_BYTES + (n % NCP__PAR_CHUNK_BYTES != 0);
}

static size_t chunk_end(size_t c, size_t n) {
    size_t from = c * NCP__PAR_CHUNK_BYTES;
    return n - from < NCP__PAR_CHUNK_BYTES ? n : from + NCP__PAR_CHUNK_BYTES;
}

bool ncp__par_for(size_t n, ncp__par_fn fn, void *ctx, bool helper) {
    par p = {.n = n, .fn = fn, .ctx = ctx};
    atomic_init(&p.next, 0);
    pthread_t t;
    bool started = helper && n > 1 && ncp__thread_start(&t, helper_main, &p);
    drain(&p, 0);
    /* The join also makes the helper's writes visible to the caller. */
    if (started) pthread_join(t, NULL);
    return started;
}

/* ------------------------------------------------------------------------
 * Reading a file's bytes
 * ------------------------------------------------------------------------ */

typedef struct par_read {
    int fd;
    uint8_t *dst;
    uint64_t off;
    size_t n;
    atomic_bool stop; /* a chunk failed: take no more */
    /* Per worker: the lowest offset (from off) where its reads stopped
     * short, or SIZE_MAX, and the errno (0: end of file). */
    size_t fail_at[2];
    int fail_errno[2];
} par_read;

static void read_chunk(void *ctx, unsigned worker, size_t c) {
    par_read *r = ctx;
    if (atomic_load_explicit(&r->stop, memory_order_relaxed)) return;
    size_t from = c * NCP__PAR_CHUNK_BYTES, to = chunk_end(c, r->n);
    size_t at = from;
    while (at < to) {
        ssize_t got =
            pread(r->fd, r->dst + at, to - at, (off_t)(r->off + (uint64_t)at));
        if (got > 0) {
            at += (size_t)got;
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (at < r->fail_at[worker]) {
            r->fail_at[worker] = at;
            r->fail_errno[worker] = got < 0 ? errno : 0;
        }
        atomic_store_explicit(&r->stop, true, memory_order_relaxed);
        return;
    }
}

ncp_status ncp__read_par(int fd, uint8_t *dst, uint64_t off, size_t n,
                         bool helper, const char *what, ncp_error *err) {
    par_read r = {.fd = fd, .dst = dst, .off = off, .n = n};
    atomic_init(&r.stop, false);
    r.fail_at[0] = r.fail_at[1] = SIZE_MAX;
    ncp__par_for(chunk_count(n), read_chunk, &r, helper);
    unsigned w = r.fail_at[1] < r.fail_at[0];
    if (r.fail_at[w] == SIZE_MAX) return NCP_OK;
    if (r.fail_errno[w] != 0)
        return ncp_error_set(err, NCP_ERR_IO, "read: %s",
                             strerror(r.fail_errno[w]));
    return ncp_error_set(err, NCP_ERR_TRUNCATED,
                         "%s: input ends after %zu of %zu bytes", what,
                         r.fail_at[w], n);
}

/* ------------------------------------------------------------------------
 * Copying a builder's segments out
 * ------------------------------------------------------------------------ */

typedef struct par_copy {
    uint8_t *dst;
    const ncp_builder *b;
    size_t n; /* the segments' bytes */
} par_copy;

/* Chunk c is bytes [c * NCP__PAR_CHUNK_BYTES, ...) of the segments laid end
 * to end; each segment that overlaps it gives its share. */
static void copy_chunk(void *ctx, unsigned worker, size_t c) {
    (void)worker;
    const par_copy *pc = ctx;
    size_t from = c * NCP__PAR_CHUNK_BYTES, to = chunk_end(c, pc->n);
    size_t start = 0; /* where the current segment begins in the output */
    for (uint32_t i = 0; i < pc->b->nsegs && start < to; i++) {
        const ncp_bseg *s = &pc->b->segs[i];
        size_t end = start + (size_t)s->used * 8;
        if (end > from) {
            size_t a = from > start ? from : start;
            size_t e = to < end ? to : end;
            ncp__copy_out(pc->dst + a, s->data + (a - start), e - a);
        }
        start = end;
    }
}

void ncp__copy_out_segments(uint8_t *dst, const ncp_builder *b, bool helper) {
    par_copy pc = {.dst = dst, .b = b};
    for (uint32_t i = 0; i < b->nsegs; i++)
        pc.n += (size_t)b->segs[i].used * 8;
    ncp__par_for(chunk_count(pc.n), copy_chunk, &pc, helper);
}
