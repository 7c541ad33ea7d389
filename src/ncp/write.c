/*
 * src/ncp/write.c - writing a builder's message: framing, packing, sinks,
 * and the atomic replacement of a file.
 */
#define _POSIX_C_SOURCE   200809L
#define _FILE_OFFSET_BITS 64

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* ------------------------------------------------------------------------
 * Sinks: where bytes go.
 * ------------------------------------------------------------------------ */

typedef struct sink sink;
struct sink {
    ncp_status (*write)(sink *s, const void *p, size_t n, ncp_error *err);
    FILE *f;
    int fd;
    uint8_t *mem;
    size_t cap;
    size_t len;
    bool stream; /* memory: copy with ncp__copy_out */
};

static ncp_status sink_file(sink *s, const void *p, size_t n, ncp_error *err) {
    if (n == 0) return NCP_OK;
    if (fwrite(p, 1, n, s->f) != n)
        return ncp_error_set(err, NCP_ERR_IO, "write: %s",
                             strerror(errno ? errno : EIO));
    s->len += n;
    return NCP_OK;
}

static ncp_status write_all(int fd, const void *p, size_t n, ncp_error *err) {
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t k = write(fd, b, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return ncp_error_set(err, NCP_ERR_IO, "write: %s", strerror(errno));
        }
        if (k == 0)
            return ncp_error_set(err, NCP_ERR_IO,
                                 "write: the descriptor accepted no bytes");
        b += k;
        n -= (size_t)k;
    }
    return NCP_OK;
}

/* Writes all of iov[0..n) with writev, retrying short writes and EINTR. */
static ncp_status writev_all(int fd, struct iovec *iov, int n, ncp_error *err) {
    while (n > 0) {
        int batch = n > 1024 ? 1024 : n;
        ssize_t k = writev(fd, iov, batch);
        if (k < 0) {
            if (errno == EINTR) continue;
            return ncp_error_set(err, NCP_ERR_IO, "write: %s", strerror(errno));
        }
        if (k == 0)
            return ncp_error_set(err, NCP_ERR_IO,
                                 "write: the descriptor accepted no bytes");
        size_t done = (size_t)k;
        while (n > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return NCP_OK;
}

static ncp_status sink_fd(sink *s, const void *p, size_t n, ncp_error *err) {
    ncp_status st = write_all(s->fd, p, n, err);
    if (st == NCP_OK) s->len += n;
    return st;
}

static ncp_status sink_mem(sink *s, const void *p, size_t n, ncp_error *err) {
    if (n > s->cap - s->len)
        return ncp_error_set(err, NCP_ERR_TOO_LARGE,
                             "write: the buffer of %zu bytes is too small",
                             s->cap);
    /* A large message streams past the caches (copy_out.c). */
    if (s->stream)
        ncp__copy_out(s->mem + s->len, p, n);
    else
        memcpy(s->mem + s->len, p, n);
    s->len += n;
    return NCP_OK;
}

/* ------------------------------------------------------------------------
 * Framing and packing
 * ------------------------------------------------------------------------ */

/* Fills the segment table for b (table holds ncp__table_bytes(nsegs)). */
static size_t fill_table(const ncp_builder *b, uint8_t *table) {
    size_t bytes = ncp__table_bytes(b->nsegs);
    memset(table, 0, bytes);
    ncp_store32(table, b->nsegs - 1);
    for (uint32_t i = 0; i < b->nsegs; i++)
        ncp_store32(table + 4 + (size_t)i * 4, b->segs[i].used);
    return bytes;
}

/* Packs one piece into the sink through a staging buffer. */
static ncp_status pack_piece(sink *s, const uint8_t *p, size_t words,
                             uint8_t *stage, size_t stage_cap, ncp_error *err) {
    const uint8_t *end = p + words * 8;
    uint8_t *o = stage;
    for (;;) {
        o = ncp__pack_run(&p, end, o, stage + stage_cap);
        if (p == end) break;
        ncp_status st = s->write(s, stage, (size_t)(o - stage), err);
        if (st != NCP_OK) return st;
        o = stage;
    }
    return s->write(s, stage, (size_t)(o - stage), err);
}

/* Packs one piece straight into a memory sink. */
static ncp_status pack_piece_mem(sink *s, const uint8_t *p, size_t words,
                                 ncp_error *err) {
    if (words == 0) return NCP_OK;
    size_t k = ncp_pack(p, words, s->mem + s->len, s->cap - s->len);
    if (k == 0)
        return ncp_error_set(err, NCP_ERR_TOO_LARGE,
                             "write: the buffer of %zu bytes is too small",
                             s->cap);
    s->len += k;
    return NCP_OK;
}

#define STAGE_BYTES 65536

/* Writes the table and the segments with writev. */
static ncp_status write_unpacked_fd(const ncp_builder *b, int fd,
                                    uint8_t *table, size_t tbytes,
                                    ncp_error *err) {
    struct iovec small_iov[16];
    size_t niov = (size_t)b->nsegs + 1;
    struct iovec *iov = small_iov;
    if (niov > 16) {
        iov = ncp__alloc(&b->alloc, niov * sizeof *iov);
        if (iov == NULL)
            return ncp_error_set(err, NCP_ERR_NOMEM,
                                 "write: cannot allocate %zu iovecs", niov);
    }
    iov[0].iov_base = table;
    iov[0].iov_len = tbytes;
    for (uint32_t i = 0; i < b->nsegs; i++) {
        iov[i + 1].iov_base = b->segs[i].data;
        iov[i + 1].iov_len = (size_t)b->segs[i].used * 8;
    }
    ncp_status st = writev_all(fd, iov, (int)niov, err);
    if (iov != small_iov) ncp__free(&b->alloc, iov, niov * sizeof *iov);
    return st;
}

static ncp_status write_to(const ncp_builder *b, unsigned flags, sink *s,
                           ncp_error *err) {
    if (b->err.status != NCP_OK)
        return ncp_error_set(err, b->err.status,
                             "write: the builder holds an error: %s",
                             b->err.message);
    if (flags &
        ~(NCP_WRITE_PACKED | NCP_WRITE_SINGLE_SEGMENT | NCP_WRITE_ONE_THREAD))
        return ncp_error_set(err, NCP_ERR_ARG, "write: unknown flags 0x%x",
                             flags);
    if ((flags & NCP_WRITE_SINGLE_SEGMENT) && b->nsegs > 1) {
        ncp_builder *f;
        ncp_status st = ncp__builder_flatten(b, &f, err);
        if (st != NCP_OK) return st;
        st = write_to(f, flags & ~NCP_WRITE_SINGLE_SEGMENT, s, err);
        ncp_builder_free(f);
        return st;
    }

    uint8_t small[256];
    size_t tbytes = ncp__table_bytes(b->nsegs);
    uint8_t *table = small;
    if (tbytes > sizeof small) {
        table = ncp__alloc(&b->alloc, tbytes);
        if (table == NULL)
            return ncp_error_set(err, NCP_ERR_NOMEM,
                                 "write: cannot allocate the segment table");
    }
    fill_table(b, table);

    ncp_status st = NCP_OK;
    if (!(flags & NCP_WRITE_PACKED) && s->write == sink_fd) {
        /* One system call for the table and every segment. */
        st = write_unpacked_fd(b, s->fd, table, tbytes, err);
    } else if (!(flags & NCP_WRITE_PACKED) && s->write == sink_mem &&
               s->stream) {
        /* A large message into memory: the table, then the segments with
         * streaming stores, shared with a helper thread (par.c). */
        uint64_t total = tbytes + ncp_builder_size_words(b) * 8;
        if (total > s->cap - s->len) {
            st = ncp_error_set(err, NCP_ERR_TOO_LARGE,
                               "write: the buffer of %zu bytes is too small",
                               s->cap);
        } else {
            memcpy(s->mem + s->len, table, tbytes);
            ncp__copy_out_segments(s->mem + s->len + tbytes, b,
                                   !(flags & NCP_WRITE_ONE_THREAD) &&
                                       total >= NCP__PAR_MIN_BYTES);
            s->len += (size_t)total;
        }
    } else if (!(flags & NCP_WRITE_PACKED)) {
        st = s->write(s, table, tbytes, err);
        for (uint32_t i = 0; st == NCP_OK && i < b->nsegs; i++)
            st = s->write(s, b->segs[i].data, (size_t)b->segs[i].used * 8, err);
    } else if (s->write == sink_mem) {
        st = pack_piece_mem(s, table, tbytes / 8, err);
        for (uint32_t i = 0; st == NCP_OK && i < b->nsegs; i++)
            st = pack_piece_mem(s, b->segs[i].data, b->segs[i].used, err);
    } else {
        uint8_t *stage = ncp__alloc(&b->alloc, STAGE_BYTES);
        if (stage == NULL)
            st = ncp_error_set(err, NCP_ERR_NOMEM,
                               "write: cannot allocate a packing buffer");
        if (st == NCP_OK)
            st = pack_piece(s, table, tbytes / 8, stage, STAGE_BYTES, err);
        for (uint32_t i = 0; st == NCP_OK && i < b->nsegs; i++)
            st = pack_piece(s, b->segs[i].data, b->segs[i].used, stage,
                            STAGE_BYTES, err);
        ncp__free(&b->alloc, stage, STAGE_BYTES);
    }
    if (table != small) ncp__free(&b->alloc, table, tbytes);
    return st;
}

/* ------------------------------------------------------------------------
 * Public writers
 * ------------------------------------------------------------------------ */

uint64_t ncp_builder_write_bound(const ncp_builder *b, unsigned flags) {
    uint64_t words = ncp__table_bytes(b->nsegs) / 8 + ncp_builder_size_words(b);
    if (flags & NCP_WRITE_PACKED)
        return words * 10 + 2 * ((uint64_t)b->nsegs + 1);
    return words * 8;
}

ncp_status ncp_builder_write_mem(const ncp_builder *b, unsigned flags,
                                 void *buf, size_t cap, size_t *written,
                                 ncp_error *err) {
    sink s = {sink_mem, NULL, -1, buf, cap, 0, false};
    if (buf == NULL && cap != 0)
        return ncp_error_set(err, NCP_ERR_ARG, "write: NULL buffer");
    s.stream = !(flags & NCP_WRITE_PACKED) &&
               ncp_builder_write_bound(b, flags) >= NCP__STREAM_MIN_BYTES;
    ncp_error local = {NCP_OK, ""};
    ncp_status st = write_to(b, flags, &s, &local);
    if (written) *written = st == NCP_OK ? s.len : 0;
    if (st == NCP_ERR_TOO_LARGE && written) {
        uint64_t bound = ncp_builder_write_bound(b, flags);
        *written = bound > SIZE_MAX ? SIZE_MAX : (size_t)bound;
    }
    if (st != NCP_OK) ncp_error_set(err, st, "%s", local.message);
    return st;
}

ncp_status ncp_builder_write_file(const ncp_builder *b, FILE *f, unsigned flags,
                                  ncp_error *err) {
    if (f == NULL) return ncp_error_set(err, NCP_ERR_ARG, "write: NULL FILE");
    errno = 0;
    if (fflush(f) != 0 || ferror(f))
        return ncp_error_set(err, NCP_ERR_IO, "write: flush failed: %s",
                             strerror(errno ? errno : EIO));
    int fd = fileno(f);
    if (fd >= 0) {
        /* Write straight to the descriptor (fewer copies and system calls
         * than through stdio's buffer), then move the stream to where the
         * descriptor now is. */
        sink s = {sink_fd, NULL, fd, NULL, 0, 0, false};
        ncp_status st = write_to(b, flags, &s, err);
        off_t pos = lseek(fd, 0, SEEK_CUR);
        if (pos >= 0 && fseeko(f, pos, SEEK_SET) != 0 && st == NCP_OK)
            st = ncp_error_set(err, NCP_ERR_IO,
                               "write: cannot resynchronise the stream: %s",
                               strerror(errno));
        return st;
    }
    sink s = {sink_file, f, -1, NULL, 0, 0, false};
    ncp_status st = write_to(b, flags, &s, err);
    if (st != NCP_OK) return st;
    if (fflush(f) != 0 || ferror(f))
        return ncp_error_set(err, NCP_ERR_IO, "write: flush failed: %s",
                             strerror(errno ? errno : EIO));
    return NCP_OK;
}

ncp_status ncp_builder_write_fd(const ncp_builder *b, int fd, unsigned flags,
                                ncp_error *err) {
    if (fd < 0)
        return ncp_error_set(err, NCP_ERR_ARG, "write: invalid descriptor %d",
                             fd);
    sink s = {sink_fd, NULL, fd, NULL, 0, 0, false};
    return write_to(b, flags, &s, err);
}

/* Directory part of path into dir (".", "/" or the prefix). */
static void dir_of(const char *path, char *dir, size_t cap) {
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, cap, ".");
    } else if (slash == path) {
        snprintf(dir, cap, "/");
    } else {
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
    }
}

ncp_status ncp_builder_save_path(const ncp_builder *b, const char *path,
                                 unsigned flags, ncp_error *err) {
    if (path == NULL || path[0] == '\0')
        return ncp_error_set(err, NCP_ERR_ARG, "save: empty path");
    if (b->err.status != NCP_OK)
        return ncp_error_set(err, b->err.status,
                             "save %s: the builder holds an error: %s", path,
                             b->err.message);
    char tmp[4096];
    size_t plen = strlen(path);
    if (plen > sizeof tmp - 48)
        return ncp_error_set(err, NCP_ERR_ARG, "save: path too long");
    /* Something that is not a regular file (a device such as /dev/null, a
     * pipe) is written to, not replaced: renaming over it would destroy
     * it. */
    struct stat st_target;
    if (stat(path, &st_target) == 0 && !S_ISREG(st_target.st_mode)) {
        if (S_ISDIR(st_target.st_mode))
            return ncp_error_set(err, NCP_ERR_IO, "save %s: it is a directory",
                                 path);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return ncp_error_set(err, NCP_ERR_IO, "save %s: %s", path,
                                 strerror(errno));
        ncp_error local = {NCP_OK, ""};
        ncp_status st = ncp_builder_write_fd(b, fd, flags, &local);
        close(fd);
        if (st != NCP_OK)
            return ncp_error_set(err, st, "save %s: %s", path, local.message);
        return NCP_OK;
    }

    /* A unique temporary name beside the target; O_EXCL makes the choice
     * safe against other writers. */
    static atomic_uint counter;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(tmp, sizeof tmp, "%s.tmp-%ld-%u-%lx", path, (long)getpid(),
                 atomic_fetch_add(&counter, 1u), (unsigned long)ts.tv_nsec);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            return ncp_error_set(err, NCP_ERR_IO,
                                 "save %s: cannot create %s: %s", path, tmp,
                                 strerror(errno));
    }
    if (fd < 0)
        return ncp_error_set(err, NCP_ERR_IO,
                             "save %s: cannot find a free temporary name",
                             path);

    ncp_error local = {NCP_OK, ""};
    ncp_status st = ncp_builder_write_fd(b, fd, flags, &local);
    if (st == NCP_OK && fsync(fd) != 0)
        st = ncp_error_set(&local, NCP_ERR_IO, "fsync: %s", strerror(errno));
    if (close(fd) != 0 && st == NCP_OK)
        st = ncp_error_set(&local, NCP_ERR_IO, "close: %s", strerror(errno));
    if (st == NCP_OK && rename(tmp, path) != 0)
        st = ncp_error_set(&local, NCP_ERR_IO, "rename: %s", strerror(errno));
    if (st != NCP_OK) {
        unlink(tmp);
        return ncp_error_set(err, st,
                             "save %s: %s (the previous file, if any, is "
                             "unchanged)",
                             path, local.message);
    }
    /* Make the rename durable. */
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_CLOEXEC);
    if (dfd >= 0) {
        int rc = fsync(dfd);
        int e = errno;
        close(dfd);
        if (rc != 0 && e != EINVAL && e != EROFS)
            return ncp_error_set(err, NCP_ERR_IO,
                                 "save %s: the file was replaced but syncing "
                                 "its directory failed: %s",
                                 path, strerror(e));
    }
    return NCP_OK;
}
