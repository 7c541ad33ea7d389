/*
 * src/ncp/read_stream.c - reading one message from a FILE*, a descriptor or
 * a memory-mapped file.
 *
 * Streams are read so that exactly one message is consumed: unpacked input
 * is read in exact steps (the segment table tells the sizes); packed input
 * from a regular file is read ahead in blocks and the position is moved back
 * over the bytes not used, and from anything else in exact element-sized
 * steps.  The segment table is checked against the limits, and against the
 * bytes left in a regular file, before the segments are allocated; from a
 * pipe or socket, memory grows with the data actually received, so a
 * segment table cannot make the reader allocate more than twice what the
 * sender delivered.
 *
 * Read on demand (unpacked input from a regular file): the table is read
 * and checked as above, the segments are allocated at their full size and
 * the stream is moved past the message, but the segments' bytes are read
 * with pread(2) only when the reader's bounds checks reach them
 * (ncp__ready in internal.h): in chunks of NCP__FILL_CHUNK bytes into the
 * segment memory, or, for transient lists, into a window that a decoder
 * walking forwards reuses while it is in the cache, and whose successors a
 * helper thread reads ahead (see "reading ahead" below).  A chunk bitmap
 * says what has been read; a read that fails is recorded in the message
 * and stops all reading, so bytes that were not read are never exposed.
 */
#define _POSIX_C_SOURCE   200809L
#define _FILE_OFFSET_BITS 64

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

typedef struct source {
    FILE *f;
    int fd;
    bool on_demand;     /* read unpacked segments from a regular file later */
    bool regular;       /* a regular file: seekable, size known */
    off_t start;        /* position of the message in a regular file */
    uint64_t remaining; /* bytes left in a regular file */
    uint64_t consumed;  /* bytes taken from the source so far */
} source;

/* First allocation, and growth step, for data arriving from a stream whose
 * length is unknown. */
#define STREAM_CHUNK ((size_t)1 << 20)

/* Reads up to n bytes; fewer only at end of input. */
static ncp_status src_read(source *s, void *buf, size_t n, size_t *got,
                           ncp_error *err) {
    *got = 0;
    if (n == 0) return NCP_OK;
    if (s->f) {
        size_t k = fread(buf, 1, n, s->f);
        *got = k;
        s->consumed += k;
        if (k < n && ferror(s->f))
            return ncp_error_set(err, NCP_ERR_IO, "read: %s",
                                 strerror(errno ? errno : EIO));
        return NCP_OK;
    }
    uint8_t *b = buf;
    while (*got < n) {
        ssize_t k = read(s->fd, b + *got, n - *got);
        if (k < 0) {
            if (errno == EINTR) continue;
            return ncp_error_set(err, NCP_ERR_IO, "read: %s", strerror(errno));
        }
        if (k == 0) break;
        *got += (size_t)k;
        s->consumed += (size_t)k;
    }
    return NCP_OK;
}

/* Reads exactly n bytes or fails with NCP_ERR_TRUNCATED naming `what`. */
static ncp_status src_exact(source *s, void *buf, size_t n, const char *what,
                            ncp_error *err) {
    size_t got;
    ncp_status st = src_read(s, buf, n, &got, err);
    if (st != NCP_OK) return st;
    if (got < n)
        return ncp_error_set(err, NCP_ERR_TRUNCATED,
                             "%s: input ends after %zu of %zu bytes", what, got,
                             n);
    return NCP_OK;
}

/* Moves a regular file to absolute position pos. */
static ncp_status src_seek(source *s, off_t pos, ncp_error *err) {
    int rc = s->f ? fseeko(s->f, pos, SEEK_SET)
                  : (lseek(s->fd, pos, SEEK_SET) < 0 ? -1 : 0);
    if (rc != 0)
        return ncp_error_set(err, NCP_ERR_IO, "read: cannot seek: %s",
                             strerror(errno));
    return NCP_OK;
}

static void src_probe(source *s) {
    struct stat st;
    int fd = s->f ? fileno(s->f) : s->fd;
    s->regular = false;
    s->remaining = UINT64_MAX;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
    off_t pos = s->f ? ftello(s->f) : lseek(fd, 0, SEEK_CUR);
    if (pos < 0) return;
    s->regular = true;
    s->start = pos;
    s->remaining = st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
}

/* Grows *buf (capacity *cap) towards `want` bytes, doubling, at least to
 * `need`. */
static ncp_status grow(const ncp_allocator *a, uint8_t **buf, size_t *cap,
                       size_t need, size_t want, ncp_error *err) {
    size_t n = *cap * 2;
    if (n < need) n = need;
    if (n > want) n = want;
    uint8_t *p = ncp__realloc(a, *buf, *cap, n);
    if (p == NULL)
        return ncp_error_set(err, NCP_ERR_NOMEM,
                             "message: cannot allocate %zu bytes for segments",
                             n);
    *buf = p;
    *cap = n;
    return NCP_OK;
}

/* ------------------------------------------------------------------------
 * Reading on demand
 * ------------------------------------------------------------------------ */

static inline bool chunk_done(const struct ncp_fill *f, uint64_t c) {
    return (f->done[c / 64] >> (c % 64)) & 1;
}

#define FILL_READ_MAX ((uint64_t)1 << 30)

/* Reads bytes [from, to) of the segments into dst with pread(2), which
 * leaves the descriptor's position alone.  A failure is recorded in the
 * fill state and the message, and ends all reading. */
static bool fill_read(ncp_msg *m, uint8_t *dst, uint64_t from, uint64_t to) {
    struct ncp_fill *f = m->fill;
    for (uint64_t at = from; at < to;) {
        /* (Requests above SSIZE_MAX are implementation-defined.) */
        uint64_t want = to - at < FILL_READ_MAX ? to - at : FILL_READ_MAX;
        ssize_t got = pread(f->fd, dst + (at - from), (size_t)want,
                            (off_t)(f->file_off + at));
        if (got > 0) {
            at += (uint64_t)got;
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got < 0)
            ncp_error_set(&f->err, NCP_ERR_IO, "read: %s", strerror(errno));
        else
            ncp_error_set(&f->err, NCP_ERR_TRUNCATED,
                          "segments: input ends after %llu of %llu bytes",
                          (unsigned long long)at, (unsigned long long)f->size);
        f->failed = true;
        ncp_msg_fail(m, f->err.status, "%s", f->err.message);
        return false;
    }
    return true;
}

/* Reads chunks [c, k) into the segment memory. */
static bool fill_chunks(ncp_msg *m, uint64_t c, uint64_t k) {
    struct ncp_fill *f = m->fill;
    uint64_t from = c << NCP__FILL_CHUNK_SHIFT;
    uint64_t to = k << NCP__FILL_CHUNK_SHIFT;
    if (to > f->size) to = f->size;
    if (!fill_read(m, f->base + from, from, to)) return false;
    for (uint64_t i = c; i < k; i++)
        f->done[i / 64] |= (uint64_t)1 << (i % 64);
    return true;
}

bool ncp__fill_has(const struct ncp_fill *f, uint64_t off, uint64_t end) {
    if (end <= f->prefix) return true;
    uint64_t last = (end - 1) >> NCP__FILL_CHUNK_SHIFT;
    for (uint64_t c = off >> NCP__FILL_CHUNK_SHIFT; c <= last; c++)
        if (!chunk_done(f, c)) return false;
    return true;
}

/* ---- reading ahead ------------------------------------------------------
 * A decoder of transient lists walks the message forwards, so the windows
 * after the current one are the next it needs.  When the segments are
 * larger than a window, a helper thread (one per message, started at the
 * first window read, ended by ncp__fill_free) reads the next windows, each
 * into a buffer of its own, while the decoder works, so that the kernel's
 * copies out of the page cache and the decoding overlap.  The helper only
 * ever calls pread(2) on the descriptor and writes the buffers it has been
 * given; everything else, the message and its error record included, stays
 * with the decoder's thread.  They meet under f->mu: the helper reads
 * window `ready` while it is below `limit` (held + slots: the buffers not
 * in the decoder's hands), the decoder moves to window held + 1 once it is
 * below `ready` and then raises `limit`, handing its old buffer back.
 *
 * A list may begin in one window and end in the next: its first part is
 * then copied in front of the next window's bytes, into `head` bytes of
 * room kept before every read (a list read through a window is at most
 * win_cap bytes long).  Anything else - a jump backwards or past the next
 * window - restarts the sequence of windows at the list (win0), after
 * waiting for the helper to finish a read under way. */

/* Where window k's bytes, which begin at segment offset `from`, are read:
 * in its buffer, after the head room, placed for the kernel's copy. */
static uint8_t *slot_at(const struct ncp_fill *f, uint64_t k, uint64_t from) {
    uint8_t *room = f->bufs + (size_t)(k % f->slots) * f->buf_bytes + f->head;
    return room + ncp__read_delta(room, f->file_off + from);
}

static void *ahead_main(void *arg) {
    struct ncp_fill *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->quit && (f->stop || f->read_failed || f->ready >= f->limit ||
                            f->win0 + f->ready * f->win_cap >= f->size))
            pthread_cond_wait(&f->cv, &f->mu);
        if (f->quit) break;
        const uint64_t k = f->ready, from = f->win0 + k * f->win_cap;
        const uint64_t to =
            f->size - from < f->win_cap ? f->size : from + f->win_cap;
        uint8_t *dst = slot_at(f, k, from);
        f->reading = true;
        pthread_mutex_unlock(&f->mu);
        uint64_t at = from;
        int e = 0;
        while (at < to) {
            ssize_t got = pread(f->fd, dst + (at - from), (size_t)(to - at),
                                (off_t)(f->file_off + at));
            if (got > 0) {
                at += (uint64_t)got;
            } else if (got < 0 && errno == EINTR) {
                continue;
            } else {
                e = got < 0 ? errno : 0;
                break;
            }
        }
        pthread_mutex_lock(&f->mu);
        f->reading = false;
        if (!f->stop) { /* else the decoder moved on: forget the read */
            if (at < to) {
                f->read_failed = true;
                f->read_errno = e;
                f->read_got = at - from;
            } else {
                f->ready = k + 1;
            }
        }
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* Starts the helper; false (and no reading ahead) when it cannot be.  It
 * runs with every signal blocked (ncp__thread_start). */
static bool ahead_start(struct ncp_fill *f) {
    if (pthread_mutex_init(&f->mu, NULL) != 0) return false;
    if (pthread_cond_init(&f->cv, NULL) != 0) {
        pthread_mutex_destroy(&f->mu);
        return false;
    }
    f->thread_runs = ncp__thread_start(&f->thread, ahead_main, f);
    if (!f->thread_runs) {
        pthread_cond_destroy(&f->cv);
        pthread_mutex_destroy(&f->mu);
    }
    return f->thread_runs;
}

/* Allocates the window buffers at the first window read, and starts the
 * helper if the windows are to be read ahead: `slots` buffers, each with
 * room for the head of a list (see above) when there are several, and for
 * the placement of the reads (up to NCP__COPY_ALIGN - 8 bytes in).  False,
 * the error recorded, when memory runs out. */
static bool fill_buffers(ncp_msg *m) {
    struct ncp_fill *f = m->fill;
    const size_t head = f->slots > 1 ? f->win_cap : 0;
    const size_t buf = head + f->win_cap + (size_t)NCP__COPY_ALIGN - 8;
    const size_t size = f->slots * buf;
    f->bufs = ncp__alloc(&m->alloc, size);
    if (f->bufs == NULL) {
        ncp_msg_fail(m, NCP_ERR_NOMEM,
                     "message: cannot allocate %zu bytes for reading windows",
                     size);
        return false;
    }
    f->bufs_size = size;
    f->buf_bytes = buf;
    f->head = head;
    if (f->slots > 1 && !ahead_start(f)) f->slots = 1;
    return true;
}

/* Restarts the windows at `off`, window 0 being the decoder's to read
 * (into buffer 0) and the helper reading those after it. */
static void ahead_restart(struct ncp_fill *f, uint64_t off) {
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    while (f->reading)
        pthread_cond_wait(&f->cv, &f->mu);
    f->win0 = off;
    f->held = 0;
    f->ready = 1;
    f->limit = f->slots;
    f->read_failed = false;
    f->stop = false;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

/* Records the failure of the helper's read of window k (from `from`). */
static void ahead_failed(ncp_msg *m, uint64_t from) {
    struct ncp_fill *f = m->fill;
    if (f->read_errno != 0)
        ncp_error_set(&f->err, NCP_ERR_IO, "read: %s", strerror(f->read_errno));
    else
        ncp_error_set(&f->err, NCP_ERR_TRUNCATED,
                      "segments: input ends after %llu of %llu bytes",
                      (unsigned long long)(from + f->read_got),
                      (unsigned long long)f->size);
    f->failed = true;
    ncp_msg_fail(m, f->err.status, "%s", f->err.message);
}

/* Bytes [off, end) from the window after the decoder's, which becomes the
 * decoder's; NULL when they are not all there (*ok true: read them from
 * off on) or its read failed (*ok false: recorded). */
static const uint8_t *ahead_next(ncp_msg *m, uint64_t off, uint64_t end,
                                 bool *ok) {
    struct ncp_fill *f = m->fill;
    *ok = true;
    const uint64_t k = f->held + 1, from = f->win0 + k * f->win_cap;
    if (from >= f->size) return NULL;
    const uint64_t to =
        f->size - from < f->win_cap ? f->size : from + f->win_cap;
    /* Bytes before `from` come from the decoder's window, which ends
     * there. */
    if (end > to ||
        (off < from && (off < f->win_off || f->win_off + f->win_len != from)))
        return NULL;
    pthread_mutex_lock(&f->mu);
    while (f->ready <= k && !f->read_failed)
        pthread_cond_wait(&f->cv, &f->mu);
    const bool failed = f->ready <= k; /* (a failure after k can wait) */
    pthread_mutex_unlock(&f->mu);
    if (failed) {
        ahead_failed(m, from);
        *ok = false;
        return NULL;
    }
    uint8_t *at = slot_at(f, k, from);
    uint64_t first = from;
    if (off < from) { /* (from - off < end - off <= win_cap <= head) */
        at -= from - off;
        memcpy(at, f->win_at + (off - f->win_off), (size_t)(from - off));
        first = off;
    }
    f->win_at = at;
    f->win_off = first;
    f->win_len = to - first;
    f->held = k;
    pthread_mutex_lock(&f->mu);
    f->limit = k + f->slots; /* the old buffer goes back to the helper */
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return f->win_at + (off - f->win_off);
}

const uint8_t *ncp__fill_window(ncp_msg *m, uint64_t off, uint64_t end) {
    struct ncp_fill *f = m->fill;
    if (off >= f->win_off && end <= f->win_off + f->win_len)
        return f->win_at + (off - f->win_off);
    if (f->failed) {
        ncp_msg_fail(m, f->err.status, "%s", f->err.message);
        return NULL;
    }
    if (f->thread_runs) {
        bool ok;
        const uint8_t *p = ahead_next(m, off, end, &ok);
        if (p != NULL || !ok) return p;
    } else if (f->bufs == NULL && !fill_buffers(m)) {
        return NULL;
    }
    /* Window 0 of a new sequence, from off on: a decoder walking forwards
     * finds the next lists here too. */
    if (f->thread_runs) ahead_restart(f, off);
    uint64_t to = off + f->win_cap;
    if (to > f->size) to = f->size;
    /* (The helper's windows all hold win_cap bytes.) */
    if (!f->thread_runs && f->win_bound > off && f->win_bound < to &&
        end <= f->win_bound)
        to = f->win_bound;
    f->win_off = 0;
    f->win_len = 0;
    f->win_at = slot_at(f, 0, off);
    if (!fill_read(m, f->win_at, off, to)) return NULL;
    f->win_off = off;
    f->win_len = to - off;
    return f->win_at;
}

bool ncp__fill_range(ncp_msg *m, uint64_t off, uint64_t end) {
    struct ncp_fill *f = m->fill;
    uint64_t last = (end - 1) >> NCP__FILL_CHUNK_SHIFT;
    for (uint64_t c = off >> NCP__FILL_CHUNK_SHIFT; c <= last; c++) {
        if (chunk_done(f, c)) continue;
        if (f->view) {
            ncp_msg_fail(m, NCP_ERR_ARG,
                         "view: segment bytes %llu to %llu were not read when "
                         "the view was made",
                         (unsigned long long)off, (unsigned long long)end);
            return false;
        }
        if (f->failed) {
            /* The error is recorded already. */
            ncp_msg_fail(m, f->err.status, "%s", f->err.message);
            return false;
        }
        /* Every missing chunk of the range in one call. */
        uint64_t k = c + 1;
        while (k <= last && !chunk_done(f, k))
            k++;
        if (!fill_chunks(m, c, k)) return false;
        c = k - 1;
    }
    uint64_t p = f->prefix >> NCP__FILL_CHUNK_SHIFT;
    while (p < f->chunks && chunk_done(f, p))
        p++;
    f->prefix = p << NCP__FILL_CHUNK_SHIFT;
    if (f->prefix > f->size) f->prefix = f->size;
    return true;
}

void ncp__fill_free(ncp_msg *m) {
    struct ncp_fill *f = m->fill;
    if (f->thread_runs) {
        pthread_mutex_lock(&f->mu);
        f->quit = true;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
        pthread_join(f->thread, NULL);
        pthread_cond_destroy(&f->cv);
        pthread_mutex_destroy(&f->mu);
    }
    if (f->bufs) ncp__free(&m->alloc, f->bufs, f->bufs_size);
    ncp__free(&m->alloc, m->fill, m->fill->self_size);
    m->fill = NULL;
}

bool ncp__fill_view(const ncp_msg *m, ncp_msg *v, ncp_error *err) {
    const struct ncp_fill *f = m->fill;
    struct ncp_fill *g = ncp__alloc(&m->alloc, f->self_size);
    if (g == NULL) {
        ncp_error_set(err, NCP_ERR_NOMEM, "view: cannot allocate %zu bytes",
                      f->self_size);
        return false;
    }
    memset(g, 0, f->self_size);
    g->fd = f->fd;
    g->file_off = f->file_off;
    g->base = f->base;
    g->size = f->size;
    g->prefix = f->prefix;
    g->chunks = f->chunks;
    g->win_cap = f->win_cap;
    g->slots = 1;
    g->view = true;
    g->self_size = f->self_size;
    memcpy(g->done, f->done, (size_t)(f->chunks + 63) / 64 * 8);
    v->fill = g;
    return true;
}

/* Attaches the read-on-demand state to m, whose dbytes of segment memory
 * at data are the bytes at file offset file_off of descriptor fd. */
static ncp_status fill_init(ncp_msg *m, int fd, uint64_t file_off,
                            uint8_t *data, size_t dbytes,
                            const ncp_read_options *o, ncp_error *err) {
    uint64_t chunks =
        ((uint64_t)dbytes + NCP__FILL_CHUNK - 1) >> NCP__FILL_CHUNK_SHIFT;
    size_t bitmap = (size_t)(chunks + 63) / 64 * 8;
    size_t win = dbytes < NCP__FILL_WINDOW ? dbytes : NCP__FILL_WINDOW;
    size_t size = sizeof(struct ncp_fill) + bitmap;
    struct ncp_fill *f = ncp__alloc(&o->alloc, size);
    if (f == NULL)
        return ncp_error_set(err, NCP_ERR_NOMEM,
                             "message: cannot allocate %zu bytes", size);
    memset(f, 0, size);
    f->fd = fd;
    f->file_off = file_off;
    f->base = data;
    f->size = dbytes;
    f->chunks = chunks;
    f->win_cap = win;
    /* Reading ahead when a window does not hold all the segments. */
    f->slots = win < dbytes && !o->no_read_ahead ? NCP__FILL_SLOTS : 1;
    f->self_size = size;
    m->fill = f;
    return NCP_OK;
}

ncp_status ncp_msg_detach(ncp_msg *m, ncp_error *err) {
    if (m == NULL) return ncp_error_set(err, NCP_ERR_ARG, "detach: NULL");
    struct ncp_fill *f = m->fill;
    if (f == NULL) return NCP_OK;
    if (!f->failed && f->size > 0) ncp__fill_range(m, 0, f->size);
    if (f->failed)
        return ncp_error_set(err, f->err.status, "%s", f->err.message);
    ncp__fill_free(m);
    return NCP_OK;
}

/* ------------------------------------------------------------------------
 * Unpacked
 * ------------------------------------------------------------------------ */

static ncp_status read_unpacked(source *s, const uint8_t *prefix, size_t plen,
                                const ncp_read_options *o, ncp_msg **out,
                                ncp_error *err) {
    uint8_t first[8];
    memcpy(first, prefix, plen);
    ncp_status st = src_exact(s, first + plen, 8 - plen, "segment table", err);
    if (st != NCP_OK) return st;
    uint32_t nsegs = 0;
    st = ncp__table_count(ncp_load32(first), o, &nsegs, err);
    if (st != NCP_OK) return st;
    size_t tbytes = ncp__table_bytes(nsegs);
    uint8_t small[64];
    uint8_t *table = small;
    if (tbytes > sizeof small) {
        table = ncp__alloc(&o->alloc, tbytes);
        if (table == NULL)
            return ncp_error_set(err, NCP_ERR_NOMEM,
                                 "segment table: cannot allocate %zu bytes",
                                 tbytes);
    }
    memcpy(table, first, 8);
    ncp_msg *m = NULL;
    uint8_t *raw = NULL, *data = NULL; /* the allocation; the segments in it */
    size_t raw_size = 0, cap = 0;      /* its size; the bytes from data on */
    uint64_t total = 0;
    st = src_exact(s, table + 8, tbytes - 8, "segment table", err);
    if (st != NCP_OK) goto done;
    st = ncp__table_total(table, nsegs, o, &total, err);
    if (st != NCP_OK) goto done;
    size_t dbytes = (size_t)total * 8;
    if (s->regular && total * 8 > s->remaining - tbytes) {
        st = ncp_error_set(err, NCP_ERR_TRUNCATED,
                           "message: the segment table claims %llu bytes of "
                           "segments but the file has %llu left",
                           (unsigned long long)total * 8,
                           (unsigned long long)(s->remaining - tbytes));
        goto done;
    }
    m = ncp__msg_new(o, nsegs, err);
    if (m == NULL) {
        st = NCP_ERR_NOMEM;
        goto done;
    }
    /* A regular file holds the bytes: allocate them at once, placed for
     * the kernel's copy (ncp__read_delta).  Otherwise grow as they
     * arrive. */
    cap = s->regular || dbytes <= STREAM_CHUNK ? dbytes : STREAM_CHUNK;
    raw_size = s->regular ? dbytes + (size_t)NCP__COPY_ALIGN - 8 : cap;
    raw = ncp__alloc(&o->alloc, raw_size);
    if (raw == NULL) {
        st = ncp_error_set(err, NCP_ERR_NOMEM,
                           "message: cannot allocate %zu bytes for segments",
                           raw_size);
        goto done;
    }
    data = raw;
    if (s->regular) data += ncp__read_delta(raw, (uint64_t)s->start + tbytes);
    if (s->on_demand && s->regular && dbytes > 0) {
        /* Only the table is read now; the stream moves to the end of the
         * message, and the segments' bytes are read when reached. */
        st = fill_init(m, s->f ? fileno(s->f) : s->fd,
                       (uint64_t)s->start + tbytes, data, dbytes, o, err);
        if (st == NCP_OK)
            st = src_seek(s, s->start + (off_t)(tbytes + dbytes), err);
        if (st != NCP_OK) goto done;
    }
    size_t have = m->fill ? dbytes : 0;
    if (have == 0 && s->regular && dbytes >= NCP__PAR_MIN_BYTES) {
        /* A large message in a regular file: read by file offset, by the
         * calling thread and a helper (par.c), and the stream moved past
         * it. */
        st = ncp__read_par(s->f ? fileno(s->f) : s->fd, data,
                           (uint64_t)s->start + tbytes, dbytes,
                           !o->no_read_ahead, "segments", err);
        if (st == NCP_OK)
            st = src_seek(s, s->start + (off_t)(tbytes + dbytes), err);
        if (st != NCP_OK) goto done;
        have = dbytes;
    }
    while (have < dbytes) {
        if (have == cap) { /* a stream: data == raw */
            st = grow(&o->alloc, &raw, &raw_size, cap + 1, dbytes, err);
            if (st != NCP_OK) goto done;
            data = raw;
            cap = raw_size;
        }
        st = src_exact(s, data + have, cap - have, "segments", err);
        if (st != NCP_OK) goto done;
        have = cap;
    }
    m->owned = raw;
    m->owned_size = raw_size;
    ncp__msg_place(m, table, data, o);
    m->consumed = tbytes + dbytes;
    *out = m;
    m = NULL;
    raw = NULL;
done:
    if (raw) ncp__free(&o->alloc, raw, raw_size);
    if (m && m->fill) ncp__fill_free(m);
    if (m) ncp__free(&o->alloc, m, m->self_size);
    if (table != small) ncp__free(&o->alloc, table, tbytes);
    return st;
}

/* ------------------------------------------------------------------------
 * Packed
 * ------------------------------------------------------------------------ */

typedef struct unpacker {
    source *s;
    uint8_t *buf;
    size_t cap, pos, end;
    bool exact; /* never read past the element being decoded */
} unpacker;

/* Makes at least `need` input bytes available from u->pos.  False at end of
 * input. */
static ncp_status refill(unpacker *u, size_t need, bool *ok, ncp_error *err) {
    size_t avail = u->end - u->pos;
    memmove(u->buf, u->buf + u->pos, avail);
    u->pos = 0;
    u->end = avail;
    size_t want = u->exact ? need - avail : u->cap - avail;
    size_t got;
    ncp_status st = src_read(u->s, u->buf + u->end, want, &got, err);
    if (st != NCP_OK) return st;
    u->end += got;
    *ok = u->end >= need;
    return NCP_OK;
}

/* Unpacks `len` bytes (a region: the first word, the rest of the segment
 * table, or the segments) into *out, whose capacity *cap may be less than
 * len when a is not NULL: it then grows with the data. */
static ncp_status unpack_region(unpacker *u, uint8_t **out, size_t *cap,
                                size_t len, const ncp_allocator *a,
                                const char *region, ncp_error *err) {
    size_t op = 0;
    for (;;) {
        size_t need, raw, ip = u->pos;
        ncp__unpack_result r =
            ncp__unpack_some(u->buf, u->end, &ip, *out, *cap, &op, &need, &raw);
        u->pos = ip;
        if (r == NCP__UNPACK_DONE && op == len) return NCP_OK;
        if (r == NCP__UNPACK_DONE || (r == NCP__UNPACK_BAD && *cap < len)) {
            /* The output is full (or a run needs more of it): grow. */
            ncp_status st = grow(a, out, cap, op + 8 * 256, len, err);
            if (st != NCP_OK) return st;
            continue;
        }
        if (r == NCP__UNPACK_BAD)
            return ncp_error_set(err, NCP_ERR_MALFORMED,
                                 "packed input: a run crosses the end of the "
                                 "%s",
                                 region);
        if (raw > 0) {
            ncp_status st =
                src_exact(u->s, *out + op, raw, "packed input", err);
            if (st != NCP_OK) return st;
            op += raw;
            continue;
        }
        bool ok;
        ncp_status st = refill(u, need, &ok, err);
        if (st != NCP_OK) return st;
        if (!ok)
            return ncp_error_set(err, NCP_ERR_TRUNCATED,
                                 "packed input: ends inside the %s", region);
    }
}

#define READ_AHEAD 65536

static ncp_status read_packed(source *s, const uint8_t *prefix, size_t plen,
                              const ncp_read_options *o, ncp_msg **out,
                              ncp_error *err) {
    uint8_t tiny[16];
    unpacker u = {s, tiny, sizeof tiny, 0, plen, !s->regular};
    if (!u.exact) {
        u.buf = ncp__alloc(&o->alloc, READ_AHEAD);
        if (u.buf == NULL)
            return ncp_error_set(err, NCP_ERR_NOMEM,
                                 "read: cannot allocate a read buffer");
        u.cap = READ_AHEAD;
    }
    memcpy(u.buf, prefix, plen);

    uint8_t first[8], small[64];
    uint8_t *table = small, *data = NULL, *firstp = first;
    size_t tbytes = 0, cap = 0, fixed = 8;
    uint64_t total = 0;
    ncp_msg *m = NULL;
    uint32_t nsegs = 0;
    ncp_status st =
        unpack_region(&u, &firstp, &fixed, 8, NULL, "segment table", err);
    if (st != NCP_OK) goto done;
    st = ncp__table_count(ncp_load32(first), o, &nsegs, err);
    if (st != NCP_OK) goto done;
    tbytes = ncp__table_bytes(nsegs);
    if (tbytes > sizeof small) {
        table = ncp__alloc(&o->alloc, tbytes);
        if (table == NULL) {
            st = ncp_error_set(err, NCP_ERR_NOMEM,
                               "segment table: cannot allocate %zu bytes",
                               tbytes);
            goto done;
        }
    }
    memcpy(table, first, 8);
    uint8_t *rest = table + 8;
    fixed = tbytes - 8;
    st = unpack_region(&u, &rest, &fixed, tbytes - 8, NULL, "segment table",
                       err);
    if (st != NCP_OK) goto done;
    st = ncp__table_total(table, nsegs, o, &total, err);
    if (st != NCP_OK) goto done;
    /* Every 256 words need at least two packed bytes. */
    uint64_t left = s->regular ? s->remaining - (s->consumed - (u.end - u.pos))
                               : UINT64_MAX;
    if ((total + 255) / 256 * 2 > left) {
        st = ncp_error_set(err, NCP_ERR_TRUNCATED,
                           "packed input: %llu words cannot be encoded in the "
                           "%llu bytes left in the file",
                           (unsigned long long)total, (unsigned long long)left);
        goto done;
    }
    m = ncp__msg_new(o, nsegs, err);
    if (m == NULL) {
        st = NCP_ERR_NOMEM;
        goto done;
    }
    size_t dbytes = (size_t)total * 8;
    cap = s->regular || dbytes <= STREAM_CHUNK ? dbytes : STREAM_CHUNK;
    data = ncp__alloc(&o->alloc, cap);
    if (data == NULL) {
        st = ncp_error_set(err, NCP_ERR_NOMEM,
                           "message: cannot allocate %zu bytes for segments",
                           cap);
        goto done;
    }
    st = unpack_region(&u, &data, &cap, dbytes, &o->alloc, "message", err);
    if (st != NCP_OK) goto done;
    if (u.end > u.pos) {
        /* Give back the bytes read ahead (only regular files read ahead). */
        s->consumed -= u.end - u.pos;
        st = src_seek(s, s->start + (off_t)s->consumed, err);
        if (st != NCP_OK) goto done;
    }
    m->owned = data;
    m->owned_size = cap;
    ncp__msg_place(m, table, data, o);
    m->consumed = (size_t)s->consumed;
    *out = m;
    m = NULL;
    data = NULL;
done:
    if (data) ncp__free(&o->alloc, data, cap);
    if (m) ncp__free(&o->alloc, m, m->self_size);
    if (table != small) ncp__free(&o->alloc, table, tbytes);
    if (u.buf != tiny) ncp__free(&o->alloc, u.buf, READ_AHEAD);
    return st;
}

/* For the ambiguous first bytes of a regular file: whether the file holds a
 * whole unpacked message there.  Reads the segment table, then moves back
 * to the start of the message. */
static ncp_status peek_unpacked_fits(source *s, const ncp_read_options *o,
                                     bool *fits, ncp_error *err) {
    *fits = false;
    uint8_t head[8];
    ncp_status st = src_seek(s, s->start, err);
    size_t got = 0;
    if (st == NCP_OK) st = src_read(s, head, sizeof head, &got, err);
    if (st != NCP_OK) return st;
    uint64_t n = (uint64_t)ncp_load32(head) + 1;
    if (got == sizeof head && n <= o->max_segments) {
        size_t tbytes = ncp__table_bytes((uint32_t)n);
        uint8_t *table = ncp__alloc(&o->alloc, tbytes);
        if (table == NULL)
            return ncp_error_set(err, NCP_ERR_NOMEM,
                                 "segment table: cannot allocate %zu bytes",
                                 tbytes);
        memcpy(table, head, 8);
        st = src_read(s, table + 8, tbytes - 8, &got, err);
        if (st == NCP_OK && got == tbytes - 8) {
            uint64_t total = 0;
            for (uint64_t i = 0; i < n; i++)
                total += ncp_load32(table + 4 + i * 4);
            *fits =
                tbytes <= s->remaining && total <= (s->remaining - tbytes) / 8;
        }
        ncp__free(&o->alloc, table, tbytes);
        if (st != NCP_OK) return st;
    }
    s->consumed = 0;
    return src_seek(s, s->start, err);
}

static ncp_status read_source(source *s, const ncp_read_options *options,
                              ncp_msg **out, ncp_error *err) {
    ncp_read_options o;
    ncp__options_resolve(options, &o);
    if (out == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "read: NULL output");
    *out = NULL;
    src_probe(s);
    uint8_t head[4];
    size_t got;
    ncp_status st = src_read(s, head, sizeof head, &got, err);
    if (st != NCP_OK) return st;
    if (got == 0) return ncp_error_set(err, NCP_ERR_TRUNCATED, "end of input");
    if (got < sizeof head)
        return ncp_error_set(err, NCP_ERR_TRUNCATED,
                             "segment table: input ends after %zu bytes", got);
    bool packed = o.packing == NCP_PACKING_PACKED;
    if (o.packing == NCP_PACKING_AUTO) {
        packed = ncp__surely_packed(head);
        if (ncp__ambiguous_head(head) && s->regular) {
            /* Settle it by the file's length, then start over. */
            bool fits;
            st = peek_unpacked_fits(s, &o, &fits, err);
            if (st != NCP_OK) return st;
            return fits ? read_unpacked(s, head, 0, &o, out, err)
                        : read_packed(s, head, 0, &o, out, err);
        }
    }
    return packed ? read_packed(s, head, sizeof head, &o, out, err)
                  : read_unpacked(s, head, sizeof head, &o, out, err);
}

ncp_status ncp_msg_read_file(FILE *f, const ncp_read_options *options,
                             ncp_msg **out, ncp_error *err) {
    if (f == NULL) return ncp_error_set(err, NCP_ERR_ARG, "read: NULL FILE");
    source s = {f, -1, false, false, 0, 0, 0};
    return read_source(&s, options, out, err);
}

ncp_status ncp_msg_read_file_on_demand(FILE *f, const ncp_read_options *options,
                                       ncp_msg **out, ncp_error *err) {
    if (f == NULL) return ncp_error_set(err, NCP_ERR_ARG, "read: NULL FILE");
    source s = {f, -1, true, false, 0, 0, 0};
    return read_source(&s, options, out, err);
}

ncp_status ncp_msg_read_fd(int fd, const ncp_read_options *options,
                           ncp_msg **out, ncp_error *err) {
    if (fd < 0)
        return ncp_error_set(err, NCP_ERR_ARG, "read: invalid descriptor %d",
                             fd);
    source s = {NULL, fd, false, false, 0, 0, 0};
    return read_source(&s, options, out, err);
}

ncp_status ncp_msg_read_fd_on_demand(int fd, const ncp_read_options *options,
                                     ncp_msg **out, ncp_error *err) {
    if (fd < 0)
        return ncp_error_set(err, NCP_ERR_ARG, "read: invalid descriptor %d",
                             fd);
    source s = {NULL, fd, true, false, 0, 0, 0};
    return read_source(&s, options, out, err);
}

/* ------------------------------------------------------------------------
 * Memory-mapped files
 * ------------------------------------------------------------------------ */

void ncp__unmap(void *p, size_t size) {
    munmap(p, size);
}

ncp_status ncp_msg_map_fd(int fd, const ncp_read_options *options,
                          ncp_msg **out, ncp_error *err) {
    if (out == NULL) return ncp_error_set(err, NCP_ERR_ARG, "map: NULL output");
    *out = NULL;
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0)
        return ncp_error_set(err, NCP_ERR_IO, "map: %s",
                             fd < 0 ? "invalid descriptor" : strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return ncp_error_set(err, NCP_ERR_ARG, "map: not a regular file");
    if (sb.st_size == 0)
        return ncp_error_set(err, NCP_ERR_TRUNCATED, "map: empty file");
    if ((uint64_t)sb.st_size > SIZE_MAX)
        return ncp_error_set(err, NCP_ERR_TOO_LARGE,
                             "map: file too large for the address space");
    size_t size = (size_t)sb.st_size;
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return ncp_error_set(err, NCP_ERR_IO, "map: %s", strerror(errno));
    bool in_place;
    ncp_status st = ncp__msg_from_buffer(p, size, options, out, &in_place, err);
    if (st == NCP_OK && in_place) {
        (*out)->map = p;
        (*out)->map_size = size;
    } else {
        munmap(p, size);
    }
    return st;
}

ncp_status ncp_msg_map_path(const char *path, const ncp_read_options *options,
                            ncp_msg **out, ncp_error *err) {
    if (out) *out = NULL;
    if (path == NULL) return ncp_error_set(err, NCP_ERR_ARG, "map: NULL path");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ncp_error_set(err, NCP_ERR_IO, "map %s: %s", path,
                             strerror(errno));
    ncp_error local = {NCP_OK, ""};
    ncp_status st = ncp_msg_map_fd(fd, options, out, &local);
    close(fd);
    if (st != NCP_OK) ncp_error_set(err, st, "%s: %s", path, local.message);
    return st;
}
