/*
 * src/algo/persist.c - one message per saved component.
 *
 * A component loaded from a FILE* or a path is read on demand
 * (ncp_msg_read_fd_on_demand): its reader runs while the segments arrive,
 * and decodes each part while it is in the cache.  Every reader checks
 * ncp_msg_status() at the end, so a read of the file that fails midway
 * (recorded in the message) fails the load.
 *
 * Paths are read with read(2), not mapped: every reader copies what it
 * keeps, so a mapping would save no copy (and is slower for large states:
 * one page fault per page), and a file truncated while mapped would stop the
 * process with SIGBUS (docs/security.md, section 1).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "persist.h"

static unsigned flags_of(const nupic_save_options *o) {
    return o && o->unpacked ? 0u : NCP_WRITE_PACKED;
}

/* Builds the message into a fresh builder sized to hold it in one segment. */
static nupic_status build(const void *obj, persist_writer w,
                          uint64_t size_words, ncp_builder **out,
                          nupic_error *err) {
    ncp_builder_options bo = {0};
    uint64_t first = size_words + 64;
    bo.first_segment_words =
        first > NCP_MAX_SEGMENT_WORDS ? NCP_MAX_SEGMENT_WORDS : (uint32_t)first;
    ncp_builder *b = NULL;
    if (ncp_builder_new(&bo, &b) != NCP_OK)
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "save: cannot allocate %llu words",
                               (unsigned long long)first);
    nupic_status st = w(obj, b, err);
    if (st == NUPIC_OK && ncp_builder_status(b) != NCP_OK)
        st = nupic_error_from_ncp(err, ncp_builder_error(b));
    if (st != NUPIC_OK) {
        ncp_builder_free(b);
        return st;
    }
    *out = b;
    return NUPIC_OK;
}

nupic_status persist_to_file(const void *obj, persist_writer w,
                             uint64_t size_words, FILE *f,
                             const nupic_save_options *o, nupic_error *err) {
    if (f == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG, "save: NULL FILE");
    ncp_builder *b = NULL;
    nupic_status st = build(obj, w, size_words, &b, err);
    if (st != NUPIC_OK) return st;
    ncp_error e = {NCP_OK, ""};
    if (ncp_builder_write_file(b, f, flags_of(o), &e) != NCP_OK)
        st = nupic_error_from_ncp(err, &e);
    ncp_builder_free(b);
    return st;
}

nupic_status persist_to_path(const void *obj, persist_writer w,
                             uint64_t size_words, const char *path,
                             const nupic_save_options *o, nupic_error *err) {
    ncp_builder *b = NULL;
    nupic_status st = build(obj, w, size_words, &b, err);
    if (st != NUPIC_OK) return st;
    ncp_error e = {NCP_OK, ""};
    if (ncp_builder_save_path(b, path, flags_of(o), &e) != NCP_OK)
        st = nupic_error_from_ncp(err, &e);
    ncp_builder_free(b);
    return st;
}

nupic_status persist_to_mem(const void *obj, persist_writer w,
                            uint64_t size_words, void **buf, size_t *len,
                            const nupic_save_options *o, nupic_error *err) {
    *buf = NULL;
    *len = 0;
    ncp_builder *b = NULL;
    nupic_status st = build(obj, w, size_words, &b, err);
    if (st != NUPIC_OK) return st;
    unsigned flags = flags_of(o);
    uint64_t bound = ncp_builder_write_bound(b, flags);
    void *p = bound > SIZE_MAX ? NULL : malloc((size_t)bound);
    if (p == NULL) {
        ncp_builder_free(b);
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "save: cannot allocate %llu bytes",
                               (unsigned long long)bound);
    }
    ncp_error e = {NCP_OK, ""};
    size_t n = 0;
    if (ncp_builder_write_mem(b, flags, p, (size_t)bound, &n, &e) != NCP_OK) {
        free(p);
        st = nupic_error_from_ncp(err, &e);
    } else {
        *buf = p;
        *len = n;
    }
    ncp_builder_free(b);
    return st;
}

ncp_read_options persist_read_options(const nupic_load_options *o) {
    ncp_read_options r = {0};
    r.traversal_limit_per_message_word = 4;
    r.max_message_words = NCP_LARGE_MAX_MESSAGE_WORDS;
    if (o) {
        r.packing = o->packing;
        if (o->max_message_words) r.max_message_words = o->max_message_words;
        r.no_read_ahead = o->no_read_ahead;
    }
    return r;
}

static nupic_status finish_read(ncp_msg *m, persist_reader r, void **out,
                                nupic_error *err) {
    nupic_status st = r(m, out, err);
    ncp_msg_free(m);
    return st;
}

nupic_status persist_from_file(FILE *f, persist_reader r,
                               const nupic_load_options *o, void **out,
                               nupic_error *err) {
    *out = NULL;
    if (f == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG, "load: NULL FILE");
    ncp_read_options ro = persist_read_options(o);
    ncp_msg *m = NULL;
    ncp_error e = {NCP_OK, ""};
    /* The reader runs while the segments arrive; f is already past the
     * message. */
    if (ncp_msg_read_file_on_demand(f, &ro, &m, &e) != NCP_OK)
        return nupic_error_from_ncp(err, &e);
    return finish_read(m, r, out, err);
}

/* One message from the file at path, its errors prefixed with the path;
 * read on demand from *fd, which the caller closes after freeing *m, when
 * fd is not NULL. */
static nupic_status read_path(const char *path, const nupic_load_options *o,
                              ncp_msg **m, int *fd_out, nupic_error *err) {
    *m = NULL;
    if (path == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG, "load: NULL path");
    ncp_read_options ro = persist_read_options(o);
    ncp_error e = {NCP_OK, ""}, named = {NCP_OK, ""};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ncp_error_set(&named, NCP_ERR_IO, "%s: %s", path, strerror(errno));
        return nupic_error_from_ncp(err, &named);
    }
    ncp_status st = fd_out ? ncp_msg_read_fd_on_demand(fd, &ro, m, &e)
                           : ncp_msg_read_fd(fd, &ro, m, &e);
    if (st != NCP_OK || fd_out == NULL) close(fd);
    if (st != NCP_OK) {
        ncp_error_set(&named, st, "%s: %s", path, e.message);
        return nupic_error_from_ncp(err, &named);
    }
    if (fd_out) *fd_out = fd;
    return NUPIC_OK;
}

nupic_status persist_from_path(const char *path, persist_reader r,
                               const nupic_load_options *o, void **out,
                               nupic_error *err) {
    *out = NULL;
    ncp_msg *m = NULL;
    int fd = -1;
    nupic_status st = read_path(path, o, &m, &fd, err);
    if (st != NUPIC_OK) return st;
    /* The reader runs while the segments arrive. */
    nupic_error local = {NUPIC_OK, ""};
    st = r(m, out, &local);
    ncp_status ms = ncp_msg_status(m);
    if (st != NUPIC_OK && (ms == NCP_ERR_IO || ms == NCP_ERR_TRUNCATED)) {
        /* The file could not be read (only reading does that): named like
         * the errors of reading its segment table. */
        ncp_error named = {NCP_OK, ""};
        ncp_error_set(&named, ms, "%s: %s", path, ncp_msg_error(m)->message);
        nupic_error_from_ncp(err, &named);
    } else if (st != NUPIC_OK) {
        nupic_error_set(err, local.status, "%s", local.message);
    }
    ncp_msg_free(m);
    close(fd);
    return st;
}

nupic_status persist_from_mem(const void *buf, size_t len, persist_reader r,
                              const nupic_load_options *o, void **out,
                              nupic_error *err) {
    *out = NULL;
    ncp_read_options ro = persist_read_options(o);
    ncp_msg *m = NULL;
    ncp_error e = {NCP_OK, ""};
    if (ncp_msg_from_buffer(buf, len, &ro, &m, &e) != NCP_OK)
        return nupic_error_from_ncp(err, &e);
    return finish_read(m, r, out, err);
}

nupic_status persist_open_file(FILE *f, const nupic_load_options *o,
                               ncp_msg **m, nupic_error *err) {
    *m = NULL;
    if (f == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG, "load: NULL FILE");
    ncp_read_options ro = persist_read_options(o);
    ncp_error e = {NCP_OK, ""};
    if (ncp_msg_read_file(f, &ro, m, &e) != NCP_OK)
        return nupic_error_from_ncp(err, &e);
    return NUPIC_OK;
}

nupic_status persist_open_path(const char *path, const nupic_load_options *o,
                               ncp_msg **m, nupic_error *err) {
    return read_path(path, o, m, NULL, err);
}

nupic_status persist_open_mem(const void *buf, size_t len,
                              const nupic_load_options *o, ncp_msg **m,
                              nupic_error *err) {
    *m = NULL;
    ncp_read_options ro = persist_read_options(o);
    ncp_error e = {NCP_OK, ""};
    if (ncp_msg_from_buffer(buf, len, &ro, m, &e) != NCP_OK)
        return nupic_error_from_ncp(err, &e);
    return NUPIC_OK;
}
