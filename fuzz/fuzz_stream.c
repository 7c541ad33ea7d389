/*
 * fuzz/fuzz_stream.c - fuzz target for the stream readers and packing.
 *
 * The input is a stream of messages.  The reference reading takes them one
 * by one from memory (ncp_msg_from_buffer at each offset).  The same bytes
 * are then read through every stream reader:
 *   - a FILE* over memory (fmemopen: not a regular file, so exact reads),
 *   - a FILE* and a descriptor over a regular file (a memfd: read-ahead,
 *     then a seek back to the end of the message), read at once and on
 *     demand (ncp_msg_read_file_on_demand, ncp_msg_read_fd_on_demand: the
 *     message, copied into a builder before the rest is read, must give the
 *     reference's copy, error and budget; then, detached, its segments),
 *   - a pipe (exact reads of a descriptor),
 *   - a mapping of the regular file (ncp_msg_map_fd, the first message),
 * under automatic, unpacked and packed framing.  Each reader must agree
 * with the reference on every message's status, size and segments, and
 * leave the stream right after the message (invariant I10 of
 * docs/security.md).
 *
 * The input is also unpacked with ncp_unpack and compared with the simple
 * reference unpacker below, and packing must round-trip (I11).
 */
#define _GNU_SOURCE /* memfd_create */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <nupic/ncp.h>

#include "fuzz_util.h"

#define MAX_MSGS 8

/* Known differences from the reference (docs/security.md lists them):
 *  - the stream readers read 4 bytes before anything else, so fewer than 4
 *    bytes are always NCP_ERR_TRUNCATED to them, and they cannot read a
 *    packed message shorter than that (possible only when the first segment
 *    is empty), which ncp_msg_from_buffer accepts (tolerated unless built
 *    with -DFZ_STRICT);
 *  - auto-detection of the ambiguous head "T x 00 00": ncp_msg_from_buffer
 *    and regular files settle it by the input's length; a pipe or an
 *    fmemopen stream cannot, and reads it as unpacked (by design).
 */
#ifdef FZ_STRICT
#define TOLERATE_KNOWN 0
#else
#define TOLERATE_KNOWN 1
#endif

typedef struct ref {
    ncp_status st;
    ncp_error err;
    size_t at; /* offset of the message in the input */
    ncp_msg *m;
} ref;

typedef struct refs {
    ref r[MAX_MSGS + 1];
    int n;        /* entries; the last one failed unless n > MAX_MSGS */
    int complete; /* the last entry is a failure (the stream's end) */
} refs;

static void read_refs(const uint8_t *data, size_t size,
                      const ncp_read_options *o, refs *out) {
    size_t at = 0;
    out->n = 0;
    out->complete = 0;
    while (out->n < MAX_MSGS + 1) {
        ref *r = &out->r[out->n++];
        r->at = at;
        r->m = NULL;
        ncp_error_clear(&r->err);
        r->st = ncp_msg_from_buffer(data + at, size - at, o, &r->m, &r->err);
        fz_check_error(&r->err, "reference");
        if (r->st != NCP_OK) {
            FZ_CHECK(r->m == NULL, "failed open returned a message");
            out->complete = 1;
            return;
        }
        at += ncp_msg_consumed(r->m);
        FZ_CHECK(at <= size, "consumed past the input");
    }
}

static void free_refs(refs *rs) {
    for (int i = 0; i < rs->n; i++)
        ncp_msg_free(rs->r[i].m);
}

/* The ambiguous head of the auto-detection rule (docs/security.md). */
static int ambiguous_head(const uint8_t *b) {
    return b[2] == 0 && b[3] == 0 &&
           (b[0] == 0x10 || b[0] == 0x20 || b[0] == 0x40 || b[0] == 0x80) &&
           b[1] != 0;
}

/* Whether a stream's result for the message at r may differ from the
 * reference because of a known difference; the comparison stops there. */
static int known_difference(const uint8_t *data, size_t size, const ref *r,
                            const ncp_read_options *o, ncp_status st,
                            bool seekable) {
    size_t left = size - r->at;
    if (left < 4) {
        /* The streams need four bytes (not tolerated: that is by design). */
        FZ_CHECK(st == NCP_ERR_TRUNCATED, "%zu bytes left: %s", left,
                 ncp_status_name(st));
        return 1;
    }
    /* Without a length, the ambiguous head is read as unpacked. */
    if (!seekable && o->packing == NCP_PACKING_AUTO &&
        ambiguous_head(data + r->at))
        return 1;
    if (!TOLERATE_KNOWN) return 0;
    if (r->st == NCP_OK && ncp_msg_consumed(r->m) < 4) return 1;
    return 0;
}

static void same_message(const ref *r, ncp_msg *m, const char *how, int k) {
    FZ_CHECK(ncp_msg_consumed(m) == ncp_msg_consumed(r->m),
             "%s, message %d: consumed %zu, reference %zu", how, k,
             ncp_msg_consumed(m), ncp_msg_consumed(r->m));
    uint32_t n = ncp_msg_segment_count(r->m);
    FZ_CHECK(ncp_msg_segment_count(m) == n, "%s, message %d: %u segments", how,
             k, ncp_msg_segment_count(m));
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *a, *b;
        uint32_t wa, wb;
        ncp_msg_segment(r->m, i, &a, &wa);
        ncp_msg_segment(m, i, &b, &wb);
        FZ_CHECK(wa == wb && (wa == 0 || memcmp(a, b, (size_t)wa * 8) == 0),
                 "%s, message %d: segment %u differs", how, k, i);
    }
    FZ_CHECK(ncp_msg_traversal_left(m) == ncp_msg_traversal_left(r->m),
             "%s: budget", how);
}

typedef enum kind { K_FMEM, K_FILE, K_FD, K_PIPE, K_FILE_OD, K_FD_OD } kind;
static const char *const kind_names[] = {
    "fmemopen FILE*", "regular FILE*",           "regular fd",
    "pipe",           "regular FILE* on demand", "regular fd on demand"};

/* A message's content copied into a builder (which must succeed when the
 * message reads without error), and what reading it left. */
typedef struct copied {
    ncp_error err;
    uint64_t left;
    uint8_t *bytes;
    size_t len;
} copied;

static copied copy_out(ncp_msg *m) {
    copied c = {{NCP_OK, ""}, 0, NULL, 0};
    ncp_builder *b = NULL;
    FZ_CHECK(ncp_builder_new(NULL, &b) == NCP_OK, "builder");
    ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(m));
    c.err = *ncp_msg_error(m);
    c.left = ncp_msg_traversal_left(m);
    if (ncp_builder_status(b) == NCP_OK) {
        uint64_t bound = ncp_builder_write_bound(b, 0);
        c.bytes = fz_malloc((size_t)bound);
        FZ_CHECK(ncp_builder_write_mem(b, 0, c.bytes, (size_t)bound, &c.len,
                                       NULL) == NCP_OK,
                 "write");
    }
    ncp_builder_free(b);
    return c;
}

/* A message read on demand reads as the reference does (over a fresh
 * opening of the same bytes, so that the reference keeps its budget). */
static void same_reading(const uint8_t *data, size_t size, const ref *r,
                         ncp_msg *m, const ncp_read_options *o,
                         const char *how) {
    ncp_msg *fresh = NULL;
    FZ_CHECK(ncp_msg_from_buffer(data + r->at, size - r->at, o, &fresh, NULL) ==
                 NCP_OK,
             "%s: reopening the reference", how);
    copied a = copy_out(fresh), b = copy_out(m);
    FZ_CHECK(a.err.status == b.err.status &&
                 strcmp(a.err.message, b.err.message) == 0 && a.left == b.left,
             "%s: read \"%s\" (%llu left), reference \"%s\" (%llu left)", how,
             b.err.message, (unsigned long long)b.left, a.err.message,
             (unsigned long long)a.left);
    FZ_CHECK(a.len == b.len &&
                 (a.len == 0 || memcmp(a.bytes, b.bytes, a.len) == 0),
             "%s: the copies differ (%zu and %zu bytes)", how, b.len, a.len);
    free(a.bytes);
    free(b.bytes);
    ncp_msg_free(fresh);
}

/* Reads messages from one stream (f, or else fd) and compares them with the
 * reference. */
static void compare_stream(kind k, FILE *f, int fd, const refs *rs,
                           const uint8_t *data, size_t size,
                           const ncp_read_options *o) {
    const char *how = kind_names[k];
    for (int i = 0; i < rs->n; i++) {
        const ref *r = &rs->r[i];
        static int sentinel;
        ncp_msg *m = (ncp_msg *)(void *)&sentinel;
        ncp_error err = {NCP_OK, ""};
        bool on_demand = k == K_FILE_OD || k == K_FD_OD;
        ncp_status st;
        if (on_demand)
            st = f ? ncp_msg_read_file_on_demand(f, o, &m, &err)
                   : ncp_msg_read_fd_on_demand(fd, o, &m, &err);
        else
            st = f ? ncp_msg_read_file(f, o, &m, &err)
                   : ncp_msg_read_fd(fd, o, &m, &err);
        fz_check_error(&err, how);
        FZ_CHECK(st == err.status, "%s: returned %s, recorded %s", how,
                 ncp_status_name(st), ncp_status_name(err.status));
        if (st != NCP_OK) FZ_CHECK(m == NULL, "%s: failed read, message", how);
        bool seekable = k == K_FILE || k == K_FD || on_demand;
        if (known_difference(data, size, r, o, st, seekable)) {
            if (st == NCP_OK) ncp_msg_free(m);
            return;
        }
        FZ_CHECK(st == r->st,
                 "%s, message %d at byte %zu: %s \"%s\", "
                 "reference %s \"%s\"",
                 how, i, r->at, ncp_status_name(st), err.message,
                 ncp_status_name(r->st), r->err.message);
        if (st != NCP_OK) return;
        if (on_demand) {
            /* Read from the file as it is reached, then the rest. */
            same_reading(data, size, r, m, o, how);
            ncp_error derr = {NCP_OK, ""};
            FZ_CHECK(ncp_msg_detach(m, &derr) == NCP_OK, "%s: detach: %s", how,
                     derr.message);
            ncp_msg *fresh = NULL;
            FZ_CHECK(ncp_msg_from_buffer(data + r->at, size - r->at, o, &fresh,
                                         NULL) == NCP_OK,
                     "%s: reopening the reference", how);
            free(copy_out(fresh).bytes); /* the same budget spent */
            ref again = *r;
            again.m = fresh;
            same_message(&again, m, how, i);
            ncp_msg_free(fresh);
        } else {
            same_message(r, m, how, i);
        }
        ncp_msg_free(m);
        /* The stream is left right after the message. */
        off_t pos = -1;
        if (k == K_FMEM || k == K_FILE || k == K_FILE_OD)
            pos = ftello(f);
        else if (k == K_FD || k == K_FD_OD)
            pos = lseek(fd, 0, SEEK_CUR);
        if (pos >= 0) {
            size_t end = r->at + ncp_msg_consumed(r->m);
            FZ_CHECK((size_t)pos == end,
                     "%s: at byte %lld after message %d "
                     "ending at %zu",
                     how, (long long)pos, i, end);
        }
    }
}

/* A regular file holding the input (a memfd where available). */
static int regular_file(const uint8_t *data, size_t size) {
    int fd = -1;
#ifdef MFD_CLOEXEC
    fd = memfd_create("fuzz_stream", MFD_CLOEXEC);
#endif
    if (fd < 0) {
        FILE *t = tmpfile();
        FZ_CHECK(t != NULL, "tmpfile: %s", strerror(errno));
        fd = dup(fileno(t));
        fclose(t);
    }
    FZ_CHECK(fd >= 0, "no regular file: %s", strerror(errno));
    size_t done = 0;
    while (done < size) {
        ssize_t k = write(fd, data + done, size - done);
        FZ_CHECK(k > 0, "write: %s", strerror(errno));
        done += (size_t)k;
    }
    return fd;
}

static void check_streams(const uint8_t *data, size_t size,
                          const ncp_read_options *o) {
    refs rs;
    read_refs(data, size, o, &rs);

    /* fmemopen (size 0 is not allowed everywhere: skip it). */
    if (size > 0) {
        uint8_t *copy = fz_dup(data, size);
        FILE *f = fmemopen(copy, size, "rb");
        FZ_CHECK(f != NULL, "fmemopen: %s", strerror(errno));
        compare_stream(K_FMEM, f, -1, &rs, data, size, o);
        fclose(f);
        free(copy);
    }

    int fd = regular_file(data, size);
    FZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    int fd2 = dup(fd);
    FZ_CHECK(fd2 >= 0, "dup");
    FILE *f = fdopen(fd2, "rb");
    FZ_CHECK(f != NULL, "fdopen");
    compare_stream(K_FILE, f, -1, &rs, data, size, o);
    fclose(f);
    FZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    compare_stream(K_FD, NULL, fd, &rs, data, size, o);
    /* On demand: the same, with the messages read as they are reached -
     * and copied, under a traversal limit that keeps the copies small. */
    ncp_read_options od = *o;
    od.traversal_limit_words = (uint64_t)1 << 14;
    refs rs_od;
    read_refs(data, size, &od, &rs_od);
    FZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    fd2 = dup(fd);
    FZ_CHECK(fd2 >= 0, "dup");
    f = fdopen(fd2, "rb");
    FZ_CHECK(f != NULL, "fdopen");
    compare_stream(K_FILE_OD, f, -1, &rs_od, data, size, &od);
    fclose(f);
    FZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    compare_stream(K_FD_OD, NULL, fd, &rs_od, data, size, &od);
    free_refs(&rs_od);

    /* The mapping runs ncp_msg_from_buffer over the whole file. */
    ncp_msg *m = NULL;
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_msg_map_fd(fd, o, &m, &err);
    fz_check_error(&err, "map");
    const ref *r0 = &rs.r[0];
    FZ_CHECK(st == r0->st, "map: %s, reference %s", ncp_status_name(st),
             ncp_status_name(r0->st));
    if (st == NCP_OK) {
        same_message(r0, m, "map", 0);
        ncp_msg_free(m);
    } else if (size > 0) {
        FZ_CHECK(strcmp(err.message, r0->err.message) == 0,
                 "map: \"%s\", reference \"%s\"", err.message, r0->err.message);
    }
    close(fd);

    /* A pipe, when the input fits in it. */
    int p[2];
    FZ_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    FZ_CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0, "fcntl");
    size_t done = 0;
    while (done < size) {
        ssize_t k = write(p[1], data + done, size - done);
        if (k <= 0) break;
        done += (size_t)k;
    }
    close(p[1]);
    if (done == size) compare_stream(K_PIPE, NULL, p[0], &rs, data, size, o);
    close(p[0]);
    free_refs(&rs);
}

/* ------------------------------------------------------------------------
 * Packing (I11)
 * ------------------------------------------------------------------------ */

/* The reference unpacker: plain and slow.  0: done, 1: the input ends too
 * early, 2: a run passes the end of the output. */
static int ref_unpack(const uint8_t *in, size_t len, uint8_t *out,
                      size_t out_words, size_t *used) {
    size_t ip = 0, op = 0, out_len = out_words * 8;
    while (op < out_len) {
        if (ip >= len) return 1;
        unsigned tag = in[ip], nonzero = 0;
        for (unsigned b = 0; b < 8; b++)
            nonzero += (tag >> b) & 1u;
        size_t need = 1 + nonzero + (tag == 0 || tag == 0xff);
        if (len - ip < need) return 1;
        ip++;
        for (unsigned b = 0; b < 8; b++)
            out[op + b] = ((tag >> b) & 1u) ? in[ip++] : 0;
        op += 8;
        if (tag == 0 || tag == 0xff) {
            size_t run = (size_t)in[ip++] * 8;
            if (run > out_len - op) return 2;
            if (tag == 0) {
                memset(out + op, 0, run);
            } else {
                if (len - ip < run) return 1;
                memcpy(out + op, in + ip, run);
                ip += run;
            }
            op += run;
        }
    }
    *used = ip;
    return 0;
}

static void check_unpack(const uint8_t *in, size_t len, size_t words) {
    uint8_t *a = fz_malloc(words * 8), *b = fz_malloc(words * 8);
    size_t used_a = 0, used_b = 0;
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_unpack(in, len, a, words, &used_a, &err);
    fz_check_error(&err, "ncp_unpack");
    int r = ref_unpack(in, len, b, words, &used_b);
    static const ncp_status expect[3] = {NCP_OK, NCP_ERR_TRUNCATED,
                                         NCP_ERR_MALFORMED};
    FZ_CHECK(st == expect[r], "ncp_unpack of %zu words: %s (%s), reference %s",
             words, ncp_status_name(st), err.message,
             ncp_status_name(expect[r]));
    FZ_CHECK(used_a <= len, "used %zu of %zu", used_a, len);
    if (st == NCP_OK) {
        FZ_CHECK(used_a == used_b, "used %zu, reference %zu", used_a, used_b);
        FZ_CHECK(words == 0 || memcmp(a, b, words * 8) == 0,
                 "unpacked words differ");
    }
    free(a);
    free(b);
}

static void check_pack(const uint8_t *in, size_t words) {
    size_t bound = (size_t)ncp_packed_bound(words);
    uint8_t *packed = fz_malloc(bound);
    size_t k = ncp_pack(in, words, packed, bound);
    FZ_CHECK((k == 0) == (words == 0) && k <= bound, "packed %zu words to %zu",
             words, k);
    uint8_t *out = fz_malloc(words * 8);
    size_t used = 0;
    FZ_CHECK(ncp_unpack(packed, k, out, words, &used, NULL) == NCP_OK &&
                 used == k,
             "packed words do not unpack");
    FZ_CHECK(words == 0 || memcmp(out, in, words * 8) == 0,
             "pack/unpack changed the words");
    if (k > 0) {
        uint8_t *exact = fz_dup(packed, k - 1);
        FZ_CHECK(ncp_pack(in, words, exact, k - 1) == 0,
                 "packed into a buffer one byte short");
        free(exact);
    }
    free(out);
    free(packed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const ncp_packing modes[] = {NCP_PACKING_AUTO, NCP_PACKING_UNPACKED,
                                        NCP_PACKING_PACKED};
    for (int i = 0; i < 3; i++) {
        ncp_read_options o = {0};
        o.packing = modes[i];
        /* Streams that are not regular files allocate what the segment
         * table claims before reading it: keep that small. */
        o.max_message_words = (uint64_t)1 << 16;
        o.max_segments = 64;
        check_streams(data, size, &o);
    }
    if (size > 0) {
        check_unpack(data + 1, size - 1, data[0] % 64u);
        check_unpack(data + 1, size - 1, size);
        check_pack(data + 1, (size - 1) / 8);
    }
    return 0;
}
