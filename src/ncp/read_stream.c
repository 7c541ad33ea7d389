/*
 * src/ncp/read_stream.c - reading one message from a FILE*, a descriptor or
 * a memory-mapped file.
 *
 * Streams are read so that exactly one message is consumed: unpacked input
 * is read in exact steps (the segment table tells the sizes); packed input
 * from a regular file is read ahead in blocks and the position is moved back
 * over the bytes not used, and from anything else in exact element-sized
 * steps.  The segment table is checked against the limits, and against the
 * bytes left in a regular file, before the segments are allocated.
 */
#define _POSIX_C_SOURCE   200809L
#define _FILE_OFFSET_BITS 64

#include <errno.h>
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
    bool regular;       /* a regular file: seekable, size known */
    uint64_t remaining; /* bytes left in a regular file */
    uint64_t consumed;  /* bytes taken from the source so far */
} source;

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

static ncp_status src_unread(source *s, size_t n, ncp_error *err) {
    if (n == 0) return NCP_OK;
    int rc = s->f ? fseeko(s->f, -(off_t)n, SEEK_CUR)
                  : (lseek(s->fd, -(off_t)n, SEEK_CUR) < 0 ? -1 : 0);
    if (rc != 0)
        return ncp_error_set(err, NCP_ERR_IO,
                             "read: cannot seek back over %zu bytes read "
                             "ahead: %s",
                             n, strerror(errno));
    s->consumed -= n;
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
    s->remaining = st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
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
    uint8_t *data = NULL;
    uint64_t total = 0;
    st = src_exact(s, table + 8, tbytes - 8, "segment table", err);
    if (st != NCP_OK) goto done;
    st = ncp__table_total(table, nsegs, o, &total, err);
    if (st != NCP_OK) goto done;
    if (s->regular && total * 8 > s->remaining - tbytes) {
        st = ncp_error_set(err, NCP_ERR_TRUNCATED,
                           "message: the segment table claims %llu bytes of "
                           "segments but the file has %llu left",
                           (unsigned long long)total * 8,
                           (unsigned long long)(s->remaining - tbytes));
        goto done;
    }
    st = ncp__msg_new(o, nsegs, &m, err);
    if (st != NCP_OK) goto done;
    data = ncp__alloc(&o->alloc, (size_t)total * 8);
    if (data == NULL) {
        st = ncp_error_set(err, NCP_ERR_NOMEM,
                           "message: cannot allocate %llu bytes for segments",
                           (unsigned long long)total * 8);
        goto done;
    }
    st = src_exact(s, data, (size_t)total * 8, "segments", err);
    if (st != NCP_OK) goto done;
    m->owned = data;
    m->owned_size = (size_t)total * 8;
    ncp__msg_place(m, table, data, o);
    m->consumed = tbytes + (size_t)total * 8;
    *out = m;
    m = NULL;
    data = NULL;
done:
    if (data) ncp__free(&o->alloc, data, (size_t)total * 8);
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

/* Unpacks the next out_len bytes (a region: the first word, the rest of the
 * segment table, or the segments). */
static ncp_status unpack_region(unpacker *u, uint8_t *out, size_t out_len,
                                const char *region, ncp_error *err) {
    size_t op = 0;
    for (;;) {
        size_t need, raw, ip = u->pos;
        ncp__unpack_result r = ncp__unpack_some(u->buf, u->end, &ip, out,
                                                out_len, &op, &need, &raw);
        u->pos = ip;
        if (r == NCP__UNPACK_DONE) return NCP_OK;
        if (r == NCP__UNPACK_BAD)
            return ncp_error_set(err, NCP_ERR_MALFORMED,
                                 "packed input: a run crosses the end of the "
                                 "%s",
                                 region);
        if (raw > 0) {
            ncp_status st = src_exact(u->s, out + op, raw, "packed input", err);
            if (st != NCP_OK) return st;
            op += raw;
            continue;
        }
        size_t avail = u->end - u->pos;
        memmove(u->buf, u->buf + u->pos, avail);
        u->pos = 0;
        u->end = avail;
        size_t want = u->exact ? need - avail : u->cap - avail;
        size_t got;
        ncp_status st = src_read(u->s, u->buf + u->end, want, &got, err);
        if (st != NCP_OK) return st;
        u->end += got;
        if (u->end < need)
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
    uint8_t *table = small, *data = NULL;
    size_t tbytes = 0;
    uint64_t total = 0;
    ncp_msg *m = NULL;
    uint32_t nsegs = 0;
    ncp_status st = unpack_region(&u, first, 8, "segment table", err);
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
    st = unpack_region(&u, table + 8, tbytes - 8, "segment table", err);
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
    st = ncp__msg_new(o, nsegs, &m, err);
    if (st != NCP_OK) goto done;
    data = ncp__alloc(&o->alloc, (size_t)total * 8);
    if (data == NULL) {
        st = ncp_error_set(err, NCP_ERR_NOMEM,
                           "message: cannot allocate %llu bytes for segments",
                           (unsigned long long)total * 8);
        goto done;
    }
    st = unpack_region(&u, data, (size_t)total * 8, "message", err);
    if (st != NCP_OK) goto done;
    st = src_unread(s, u.end - u.pos, err);
    if (st != NCP_OK) goto done;
    m->owned = data;
    m->owned_size = (size_t)total * 8;
    ncp__msg_place(m, table, data, o);
    m->consumed = (size_t)s->consumed;
    *out = m;
    m = NULL;
    data = NULL;
done:
    if (data) ncp__free(&o->alloc, data, (size_t)total * 8);
    if (m) ncp__free(&o->alloc, m, m->self_size);
    if (table != small) ncp__free(&o->alloc, table, tbytes);
    if (u.buf != tiny) ncp__free(&o->alloc, u.buf, READ_AHEAD);
    return st;
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
    bool packed = o.packing == NCP_PACKING_PACKED ||
                  (o.packing == NCP_PACKING_AUTO && ncp__looks_packed(head));
    return packed ? read_packed(s, head, sizeof head, &o, out, err)
                  : read_unpacked(s, head, sizeof head, &o, out, err);
}

ncp_status ncp_msg_read_file(FILE *f, const ncp_read_options *options,
                             ncp_msg **out, ncp_error *err) {
    if (f == NULL) return ncp_error_set(err, NCP_ERR_ARG, "read: NULL FILE");
    source s = {f, -1, false, 0, 0};
    return read_source(&s, options, out, err);
}

ncp_status ncp_msg_read_fd(int fd, const ncp_read_options *options,
                           ncp_msg **out, ncp_error *err) {
    if (fd < 0)
        return ncp_error_set(err, NCP_ERR_ARG, "read: invalid descriptor %d",
                             fd);
    source s = {NULL, fd, false, 0, 0};
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
