/*
 * tests/ncp/test_on_demand.c - messages read on demand from regular files
 * (ncp_msg_read_file_on_demand, ncp_msg_read_fd_on_demand), and transient
 * lists (ncp_ptr_list_transient).
 *
 * A message read on demand must read exactly as the same bytes read at once:
 * the same values, the same status and error message, the same traversal
 * budget left, the same bytes when copied into a builder - whatever order
 * its pointers point in.  The stream is left right after the message, as by
 * ncp_msg_read_file; a file that cannot be read any more (shortened, an I/O
 * error) gives an error recorded in the message, and the object being opened
 * reads as its default, never as bytes that were not read.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include "internal.h" /* ncp__read_skew */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------ */

/* A message of several segments (far pointers) holding every kind of
 * object: scalars, a list of 4-byte values larger than a read chunk
 * (big 32-bit values), a struct list whose elements hold text and data, a
 * list of lists, a list of bools, nested structs. */
static ncp_builder *make_rich(uint32_t big) {
    ncp_builder_options bo = {0};
    bo.first_segment_words = 64;
    bo.growth = NCP_GROW_FIXED;
    ncp_builder *b;
    assert_int_equal(ncp_builder_new(&bo, &b), NCP_OK);
    ncp_bstruct r = ncp_builder_init_root(b, 2, 5);
    ncp_bstruct_set_u32(&r, 0, 0xfeedu);
    ncp_bstruct_set_u64(&r, 8, 0x123456789abcdefull);
    ncp_blist s = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 0), 300, 1, 2);
    for (uint32_t i = 0; i < 300; i++) {
        ncp_bstruct e = ncp_blist_struct(&s, i);
        ncp_bstruct_set_u32(&e, 0, i * 7);
        char text[32];
        int n = snprintf(text, sizeof text, "element %u", i);
        ncp_bptr_set_text(ncp_bstruct_ptr(&e, 0), text, (size_t)n);
        uint8_t data[5] = {(uint8_t)i, 1, 2, 3, (uint8_t)(i >> 8)};
        ncp_bptr_set_data(ncp_bstruct_ptr(&e, 1), data, i % 6);
    }
    ncp_blist l =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 1), NCP_ELEM_4BYTES, big);
    for (uint32_t i = 0; i < big; i++)
        ncp_blist_set_u32(&l, i, i * 2654435761u);
    ncp_blist ll =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 2), NCP_ELEM_POINTER, 40);
    for (uint32_t i = 0; i < 40; i++) {
        ncp_blist in =
            ncp_bptr_init_list(ncp_blist_ptr(&ll, i), NCP_ELEM_8BYTES, i * 3);
        for (uint32_t k = 0; k < i * 3; k++)
            ncp_blist_set_u64(&in, k, (uint64_t)i << 32 | k);
    }
    ncp_blist bits =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 3), NCP_ELEM_BIT, 1000);
    for (uint32_t i = 0; i < 1000; i++)
        ncp_blist_set_bool(&bits, i, i % 3 == 0);
    ncp_bstruct inner = ncp_bptr_init_struct(ncp_bstruct_ptr(&r, 4), 1, 1);
    ncp_bstruct_set_u64(&inner, 0, 42);
    ncp_bptr_set_text(ncp_bstruct_ptr(&inner, 0), "inner", 5);
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    assert_true(ncp_builder_segment_count(b) > 2);
    return b;
}

/* A word's 30-bit offset field for a pointer at word `at` to word `to`. */
static uint64_t offset_to(uint32_t at, uint32_t to) {
    int64_t off = (int64_t)to - (int64_t)at - 1;
    return (uint64_t)((uint32_t)off & 0x3fffffffu) << 2;
}

static uint64_t far_to(bool dbl, uint32_t pad, uint32_t seg) {
    return 2u | (dbl ? 4u : 0u) | (uint64_t)pad << 3 | (uint64_t)seg << 32;
}

static uint64_t list_of(ncp_elem_size es, uint32_t count) {
    return 1u | (uint64_t)es << 32 | (uint64_t)count << 35;
}

/* A message written by hand whose pointers point backwards and across
 * segments, so that a reader going through it asks for the file's bytes
 * out of order.  Segment 0: the root pointer (far, to a landing pad at the
 * end of segment 1), list A of n 4-byte values, then a double-far landing
 * pad (for list B) and a single-far one (for list A).  Segment 1: list B
 * of n 4-byte values, the root struct (one data word, three pointers: to
 * B through the double-far pad, to B again as bytes, backwards, to A
 * through the single-far pad), the root's landing pad. */
static ts_buf make_backwards(uint32_t n) {
    uint32_t lw = (n + 1) / 2; /* words of each list */
    uint32_t s0 = 1 + lw + 3, s1 = lw + 4 + 1;
    uint64_t *w = calloc((size_t)s0 + s1, 8);
    assert_non_null(w);
    uint64_t *g0 = w, *g1 = w + s0;
    uint32_t dpad = 1 + lw, spad = dpad + 2; /* pads in segment 0 */
    uint32_t root = lw, rpad = lw + 4;       /* in segment 1 */
    g0[0] = far_to(false, rpad, 1);
    for (uint32_t i = 0; i < n; i++) {
        g0[1 + i / 2] |= (uint64_t)(0x40000000u + i * 13u) << (32 * (i % 2));
        g1[i / 2] |= (uint64_t)(0x70000000u - i * 7u) << (32 * (i % 2));
    }
    g0[dpad] = far_to(false, 0, 1); /* B starts segment 1 */
    g0[dpad + 1] = list_of(NCP_ELEM_4BYTES, n);
    g0[spad] = offset_to(spad, 1) | list_of(NCP_ELEM_4BYTES, n);
    g1[root] = 0x5eedu;
    g1[root + 1] = far_to(true, dpad, 0);
    g1[root + 2] = offset_to(root + 2, 0) | list_of(NCP_ELEM_BYTE, lw * 8);
    g1[root + 3] = far_to(false, spad, 0);
    g1[rpad] = offset_to(rpad, root) | (uint64_t)1 << 32 | (uint64_t)3 << 48;
    ts_buf out;
    out.len = 16 + ((size_t)s0 + s1) * 8; /* a table of two segments */
    out.data = calloc(out.len, 1);
    assert_non_null(out.data);
    ncp_store32(out.data, 1);
    ncp_store32(out.data + 4, s0);
    ncp_store32(out.data + 8, s1);
    for (size_t i = 0; i < (size_t)s0 + s1; i++)
        ncp_store64(out.data + 16 + i * 8, w[i]);
    free(w);
    return out;
}

/* ------------------------------------------------------------------------
 * Reading a message every way, and comparing
 * ------------------------------------------------------------------------ */

/* What a complete read of a message gives: its first error, the traversal
 * budget left, and its content copied into a builder and written. */
typedef struct outcome {
    ncp_error err;
    uint64_t left;
    ts_buf copy;
} outcome;

static outcome walk(ncp_msg *m) {
    outcome o;
    ncp_builder *b;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(m));
    o.err = *ncp_msg_error(m);
    o.left = ncp_msg_traversal_left(m);
    if (ncp_builder_status(b) == NCP_OK) {
        o.copy = ts_write_mem(b, 0);
    } else {
        o.copy.data = NULL;
        o.copy.len = 0;
    }
    ncp_builder_free(b);
    return o;
}

static void outcome_free(outcome *o) {
    ts_buf_free(&o->copy);
}

static void assert_same_outcome(const outcome *a, const outcome *b,
                                const char *what) {
    if (a->err.status != b->err.status ||
        strcmp(a->err.message, b->err.message) != 0)
        fail_msg("%s: %s \"%s\", then %s \"%s\"", what,
                 ncp_status_name(a->err.status), a->err.message,
                 ncp_status_name(b->err.status), b->err.message);
    if (a->left != b->left)
        fail_msg("%s: traversal left %llu, then %llu", what,
                 (unsigned long long)a->left, (unsigned long long)b->left);
    ts_assert_bytes_equal(a->copy.data, a->copy.len, b->copy.data, b->copy.len);
}

#define SCRATCH "on_demand.bin"

/* Reads bytes through every way to a regular file - at once and on demand,
 * FILE* and descriptor - and from memory; all must agree.  On demand, the
 * segments are then read in full by ncp_msg_detach and must equal those
 * read at once. */
static void all_ways_agree(const ts_buf *bytes, const ncp_read_options *o,
                           const char *what) {
    ncp_msg *mem = NULL;
    assert_int_equal(
        ncp_msg_from_buffer(bytes->data, bytes->len, o, &mem, NULL), NCP_OK);
    outcome want = walk(mem);
    ts_write_file(SCRATCH, bytes->data, bytes->len);
    for (int way = 0; way < 4; way++) {
        bool on_demand = way >= 2, by_file = way % 2 == 0;
        FILE *f = NULL;
        int fd = -1;
        ncp_msg *m = NULL;
        ncp_error err = {NCP_OK, ""};
        ncp_status st;
        if (by_file) {
            f = fopen(SCRATCH, "rb");
            assert_non_null(f);
            st = on_demand ? ncp_msg_read_file_on_demand(f, o, &m, &err)
                           : ncp_msg_read_file(f, o, &m, &err);
        } else {
            fd = open(SCRATCH, O_RDONLY);
            assert_true(fd >= 0);
            st = on_demand ? ncp_msg_read_fd_on_demand(fd, o, &m, &err)
                           : ncp_msg_read_fd(fd, o, &m, &err);
        }
        if (st != NCP_OK) fail_msg("%s: way %d: %s", what, way, err.message);
        outcome got = walk(m);
        char ctx[200];
        snprintf(ctx, sizeof ctx, "%s (%s, %s)", what,
                 on_demand ? "on demand" : "at once",
                 by_file ? "FILE*" : "descriptor");
        assert_same_outcome(&want, &got, ctx);
        outcome_free(&got);
        /* The rest, then every segment as read at once. */
        assert_int_equal(ncp_msg_detach(m, NULL), NCP_OK);
        assert_int_equal(ncp_msg_segment_count(m), ncp_msg_segment_count(mem));
        for (uint32_t i = 0; i < ncp_msg_segment_count(m); i++) {
            const uint8_t *a, *b;
            uint32_t aw, bw;
            assert_true(ncp_msg_segment(mem, i, &a, &aw));
            assert_true(ncp_msg_segment(m, i, &b, &bw));
            ts_assert_bytes_equal(a, (size_t)aw * 8, b, (size_t)bw * 8);
        }
        ncp_msg_free(m);
        if (f) fclose(f);
        if (fd >= 0) close(fd);
    }
    outcome_free(&want);
    ncp_msg_free(mem);
}

static void same_as_read_at_once(void **state) {
    (void)state;
    /* Lists smaller and larger than a chunk (256 KiB) and the window (512
     * KiB). */
    const uint32_t bigs[] = {0, 1, 1000, 70000, 300000};
    for (size_t i = 0; i < sizeof bigs / sizeof bigs[0]; i++) {
        ncp_builder *b = make_rich(bigs[i]);
        ts_buf bytes = ts_write_mem(b, 0);
        char what[64];
        snprintf(what, sizeof what, "rich message, %u values", bigs[i]);
        all_ways_agree(&bytes, NULL, what);
        /* Under a traversal limit that runs out midway. */
        ncp_read_options o = {0};
        o.traversal_limit_words = ncp_builder_size_words(b) / 2;
        o.max_message_words = ncp_builder_size_words(b);
        all_ways_agree(&bytes, &o, what);
        ts_buf_free(&bytes);
        ncp_builder_free(b);
    }
}

static void pointers_backwards_and_out_of_order(void **state) {
    (void)state;
    const uint32_t ns[] = {2, 1000, 200000, 600000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        ts_buf bytes = make_backwards(ns[i]);
        /* The content, from memory. */
        ncp_msg *m = NULL;
        assert_int_equal(
            ncp_msg_from_buffer(bytes.data, bytes.len, NULL, &m, NULL), NCP_OK);
        ncp_struct r = ncp_msg_root(m, NULL);
        assert_int_equal(ncp_struct_u64(&r, 0), 0x5eedu);
        ncp_list a = ncp_ptr_list(ncp_struct_ptr(&r, 0), NCP_ELEM_4BYTES, NULL);
        assert_int_equal(ncp_list_len(&a), ns[i]);
        assert_int_equal(ncp_list_u32(&a, ns[i] - 1),
                         0x70000000u - (ns[i] - 1) * 7u);
        ncp_list c = ncp_ptr_list(ncp_struct_ptr(&r, 1), NCP_ELEM_BYTE, NULL);
        assert_int_equal(ncp_list_len(&c), (ns[i] + 1) / 2 * 8);
        ncp_list d = ncp_ptr_list(ncp_struct_ptr(&r, 2), NCP_ELEM_4BYTES, NULL);
        assert_int_equal(ncp_list_len(&d), ns[i]);
        assert_int_equal(ncp_list_u32(&d, ns[i] - 1),
                         0x40000000u + (ns[i] - 1) * 13u);
        assert_int_equal(ncp_msg_status(m), NCP_OK);
        ncp_msg_free(m);
        char what[64];
        snprintf(what, sizeof what, "backwards, %u values", ns[i]);
        all_ways_agree(&bytes, NULL, what);
        ts_buf_free(&bytes);
    }
}

/* ------------------------------------------------------------------------
 * Streams
 * ------------------------------------------------------------------------ */

/* Three messages back to back (the middle one packed, which is read at
 * once): each read on demand leaves the stream right after it, and all
 * three can then be read, in any order. */
static void stream_left_after_each_message(void **state) {
    (void)state;
    ncp_builder *b[3] = {make_rich(70000), make_rich(10), make_rich(300000)};
    FILE *w = fopen("three.bin", "wb");
    assert_non_null(w);
    long ends[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ncp_builder_write_file(
                             b[i], w, i == 1 ? NCP_WRITE_PACKED : 0, NULL),
                         NCP_OK);
        ends[i] = ftell(w);
    }
    fclose(w);
    for (int by_file = 0; by_file < 2; by_file++) {
        FILE *f = by_file ? fopen("three.bin", "rb") : NULL;
        int fd = by_file ? -1 : open("three.bin", O_RDONLY);
        ncp_msg *m[3];
        for (int i = 0; i < 3; i++) {
            ncp_status st =
                by_file ? ncp_msg_read_file_on_demand(f, NULL, &m[i], NULL)
                        : ncp_msg_read_fd_on_demand(fd, NULL, &m[i], NULL);
            assert_int_equal(st, NCP_OK);
            long at = by_file ? ftell(f) : (long)lseek(fd, 0, SEEK_CUR);
            assert_int_equal(at, ends[i]);
        }
        ncp_msg *end = NULL;
        ncp_error err = {NCP_OK, ""};
        ncp_status st = by_file
                            ? ncp_msg_read_file_on_demand(f, NULL, &end, &err)
                            : ncp_msg_read_fd_on_demand(fd, NULL, &end, &err);
        assert_int_equal(st, NCP_ERR_TRUNCATED);
        assert_string_equal(err.message, "end of input");
        for (int i = 2; i >= 0; i--) {
            ncp_msg *mem = NULL;
            ts_buf bytes = ts_write_mem(b[i], 0);
            assert_int_equal(
                ncp_msg_from_buffer(bytes.data, bytes.len, NULL, &mem, NULL),
                NCP_OK);
            outcome want = walk(mem), got = walk(m[i]);
            assert_same_outcome(&want, &got, "back to back");
            outcome_free(&want);
            outcome_free(&got);
            ncp_msg_free(mem);
            ncp_msg_free(m[i]);
            ts_buf_free(&bytes);
        }
        if (f) fclose(f);
        if (fd >= 0) close(fd);
    }
    for (int i = 0; i < 3; i++)
        ncp_builder_free(b[i]);
}

/* Input that is not a regular file, and packed input, are read at once:
 * the segments are there as soon as the message is. */
static void other_input_is_read_at_once(void **state) {
    (void)state;
    ncp_builder *b = make_rich(1000);
    ts_buf u = ts_write_mem(b, 0), p = ts_write_mem(b, NCP_WRITE_PACKED);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    /* Small enough for the pipe's buffer. */
    ncp_builder *small = make_rich(10);
    ts_buf s = ts_write_mem(small, 0);
    assert_true(s.len < 60000);
    FILE *w = fdopen(fds[1], "wb");
    assert_non_null(w);
    assert_int_equal(fwrite(s.data, 1, s.len, w), s.len);
    fclose(w);
    ncp_msg *m;
    assert_int_equal(ncp_msg_read_fd_on_demand(fds[0], NULL, &m, NULL), NCP_OK);
    assert_true(ncp_msg_segment(m, 0, NULL, NULL));
    ncp_msg_free(m);
    close(fds[0]);
    ts_write_file(SCRATCH, p.data, p.len);
    FILE *f = fopen(SCRATCH, "rb");
    assert_non_null(f);
    assert_int_equal(ncp_msg_read_file_on_demand(f, NULL, &m, NULL), NCP_OK);
    assert_true(ncp_msg_segment(m, 0, NULL, NULL));
    assert_int_equal(ftell(f), (long)p.len);
    ncp_msg_free(m);
    fclose(f);
    /* Unpacked from a regular file: on demand until detached. */
    ts_write_file(SCRATCH, u.data, u.len);
    f = fopen(SCRATCH, "rb");
    assert_non_null(f);
    assert_int_equal(ncp_msg_read_file_on_demand(f, NULL, &m, NULL), NCP_OK);
    assert_false(ncp_msg_segment(m, 0, NULL, NULL));
    assert_int_equal(ncp_msg_detach(m, NULL), NCP_OK);
    assert_true(ncp_msg_segment(m, 0, NULL, NULL));
    /* Detached, the message no longer needs the file. */
    fclose(f);
    outcome got = walk(m);
    assert_int_equal(got.err.status, NCP_OK);
    outcome_free(&got);
    ncp_msg_free(m);
    /* Arguments. */
    assert_int_equal(ncp_msg_read_file_on_demand(NULL, NULL, &m, NULL),
                     NCP_ERR_ARG);
    assert_int_equal(ncp_msg_read_fd_on_demand(-1, NULL, &m, NULL),
                     NCP_ERR_ARG);
    assert_int_equal(ncp_msg_detach(NULL, NULL), NCP_ERR_ARG);
    ts_buf_free(&u);
    ts_buf_free(&p);
    ts_buf_free(&s);
    ncp_builder_free(b);
    ncp_builder_free(small);
}

/* ------------------------------------------------------------------------
 * Files that fail
 * ------------------------------------------------------------------------ */

/* Fills the memory it gives with 0xa5, so that bytes that were not read
 * from the file would show. */
static void *poison_alloc(void *ud, void *p, size_t old, size_t n) {
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    uint8_t *q = realloc(p, n);
    if (q && n > old) memset(q + old, 0xa5, n - old);
    return q;
}

/* Only what is reached is read: the file shortened after the open still
 * gives the root; the list past the new end fails with NCP_ERR_TRUNCATED,
 * recorded in the message, and reads as empty; so does everything after. */
static void shortened_file_fails_where_reached(void **state) {
    (void)state;
    ncp_builder *b = make_rich(300000); /* the big list: 1.2 MB, last */
    ts_buf bytes = ts_write_mem(b, 0);
    ncp_read_options o = {0};
    o.alloc.fn = poison_alloc;
    for (int transient = 0; transient < 2; transient++) {
        ts_write_file(SCRATCH, bytes.data, bytes.len);
        int fd = open(SCRATCH, O_RDWR);
        assert_true(fd >= 0);
        ncp_msg *m;
        ncp_error err = {NCP_OK, ""};
        assert_int_equal(ncp_msg_read_fd_on_demand(fd, &o, &m, &err), NCP_OK);
        ncp_struct r = ncp_msg_root(m, NULL);
        assert_int_equal(ncp_struct_u32(&r, 0), 0xfeedu);
        /* Cut the file in the middle of the big list. */
        assert_int_equal(ftruncate(fd, (off_t)(bytes.len - 600000)), 0);
        ncp_ptr p = ncp_struct_ptr(&r, 1);
        ncp_list l = transient
                         ? ncp_ptr_list_transient(p, NCP_ELEM_4BYTES, "big")
                         : ncp_ptr_list(p, NCP_ELEM_4BYTES, "big");
        assert_int_equal(ncp_list_len(&l), 0);
        assert_null(l.start);
        assert_int_equal(ncp_msg_status(m), NCP_ERR_TRUNCATED);
        assert_non_null(
            strstr(ncp_msg_error(m)->message, "segments: input ends after"));
        /* Later reads fail too; the first error stays. */
        l = ncp_ptr_list(p, NCP_ELEM_4BYTES, "again");
        assert_int_equal(ncp_list_len(&l), 0);
        assert_non_null(strstr(ncp_msg_error(m)->message, "input ends"));
        assert_int_equal(ncp_msg_detach(m, &err), NCP_ERR_TRUNCATED);
        assert_non_null(strstr(err.message, "input ends after"));
        assert_false(ncp_msg_segment(m, 0, NULL, NULL));
        ncp_msg_free(m);
        close(fd);
    }
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* A read that fails (the descriptor replaced by one open for writing only)
 * gives NCP_ERR_IO with the system's message. */
static void read_error_is_recorded(void **state) {
    (void)state;
    ncp_builder *b = make_rich(300000);
    ts_buf bytes = ts_write_mem(b, 0);
    ts_write_file(SCRATCH, bytes.data, bytes.len);
    int fd = open(SCRATCH, O_RDONLY);
    assert_true(fd >= 0);
    ncp_msg *m;
    assert_int_equal(ncp_msg_read_fd_on_demand(fd, NULL, &m, NULL), NCP_OK);
    int w = open(SCRATCH, O_WRONLY);
    assert_true(w >= 0);
    assert_int_equal(dup2(w, fd), fd);
    close(w);
    ncp_struct r = ncp_msg_root(m, NULL);
    assert_int_equal(ncp_struct_u32(&r, 0), 0);
    assert_null(r.data);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_IO);
    assert_non_null(strstr(ncp_msg_error(m)->message, "read: "));
    assert_non_null(strstr(ncp_msg_error(m)->message, strerror(EBADF)));
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_msg_detach(m, &err), NCP_ERR_IO);
    ncp_msg_free(m);
    close(fd);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * Transient lists
 * ------------------------------------------------------------------------ */

/* Data lists of 2500 8-byte values (20 KB each) behind a pointer list, a
 * struct list whose elements hold text, and a list larger than the
 * window (800 KB; the window holds 512 KiB). */
#define NLISTS  64u
#define LISTLEN 2500u
#define HUGELEN 100000u

static uint64_t list_value(uint32_t i, uint32_t k) {
    return (uint64_t)(i + 1) << 40 | (uint64_t)k * 3u;
}

/* At `at`, a list of n lists of 8-byte values, list i holding len(i) of
 * them (list_value(i, k)). */
static void put_lists(ncp_bptr at, uint32_t n, uint32_t (*len)(uint32_t)) {
    ncp_blist p = ncp_bptr_init_list(at, NCP_ELEM_POINTER, n);
    for (uint32_t i = 0; i < n; i++) {
        ncp_blist l =
            ncp_bptr_init_list(ncp_blist_ptr(&p, i), NCP_ELEM_8BYTES, len(i));
        for (uint32_t k = 0; k < len(i); k++)
            ncp_blist_set_u64(&l, k, list_value(i, k));
    }
}

static uint32_t same_len(uint32_t i) {
    (void)i;
    return LISTLEN;
}

/* The message in bytes, read in place. */
static ncp_msg *open_mem(const ts_buf *bytes) {
    ncp_msg *m;
    assert_int_equal(
        ncp_msg_from_buffer(bytes->data, bytes->len, NULL, &m, NULL), NCP_OK);
    return m;
}

/* The list of lists at the root's first pointer. */
static ncp_list lists_of(ncp_msg *m) {
    ncp_struct r = ncp_msg_root(m, NULL);
    return ncp_ptr_list(ncp_struct_ptr(&r, 0), NCP_ELEM_POINTER, NULL);
}

static ncp_builder *make_lists(void) {
    ncp_builder *b;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 4);
    put_lists(ncp_bstruct_ptr(&r, 0), NLISTS, same_len);
    ncp_blist s = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 1), 10, 1, 1);
    for (uint32_t i = 0; i < 10; i++) {
        ncp_bstruct e = ncp_blist_struct(&s, i);
        ncp_bstruct_set_u32(&e, 0, i + 100);
        ncp_bptr_set_text(ncp_bstruct_ptr(&e, 0), "with a pointer", 14);
    }
    ncp_blist h =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 2), NCP_ELEM_8BYTES, HUGELEN);
    for (uint32_t k = 0; k < HUGELEN; k++)
        ncp_blist_set_u64(&h, k, list_value(99, k));
    ncp_bstruct_ptr(&r, 3); /* null */
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    return b;
}

/* Records the one allocation of `want` bytes (the segment memory) or a
 * few more (the reader may place the segments up to 56 bytes in). */
typedef struct seg_alloc {
    size_t want;
    const uint8_t *at;
    size_t size;
} seg_alloc;

static void *seg_alloc_fn(void *ud, void *p, size_t old, size_t n) {
    seg_alloc *s = ud;
    (void)old;
    if (n == 0) {
        free(p);
        return NULL;
    }
    void *q = realloc(p, n);
    if (q && n >= s->want && n < s->want + 64) {
        s->at = q;
        s->size = n;
    }
    return q;
}

static bool in_segments(const seg_alloc *s, const uint8_t *p) {
    return p >= s->at && p < s->at + s->size;
}

static void check_list(const ncp_list *l, uint32_t i, uint32_t len) {
    assert_int_equal(ncp_list_len(l), len);
    for (uint32_t k = 0; k < len; k += 97)
        assert_true(ncp_list_u64(l, k) == list_value(i, k));
    assert_true(ncp_list_u64(l, len - 1) == list_value(i, len - 1));
}

static void transient_lists(void **state) {
    (void)state;
    ncp_builder *b = make_lists();
    ts_buf bytes = ts_write_mem(b, 0);
    /* In memory: the list itself. */
    ncp_msg *mem = open_mem(&bytes);
    ncp_list p = lists_of(mem);
    ncp_list x = ncp_ptr_list(ncp_list_ptr(&p, 5), NCP_ELEM_8BYTES, NULL);
    ncp_list y =
        ncp_ptr_list_transient(ncp_list_ptr(&p, 5), NCP_ELEM_8BYTES, NULL);
    assert_ptr_equal(x.start, y.start);
    assert_int_equal(x.len, y.len);
    uint64_t budget = ncp_msg_traversal_left(mem);

    ts_write_file(SCRATCH, bytes.data, bytes.len);
    int fd = open(SCRATCH, O_RDONLY);
    assert_true(fd >= 0);
    size_t tbytes = ((size_t)(ncp_load32(bytes.data) + 1) / 2 + 1) * 8;
    seg_alloc sa = {bytes.len - tbytes, NULL, 0};
    ncp_read_options o = {0};
    o.alloc.fn = seg_alloc_fn;
    o.alloc.ud = &sa;
    ncp_msg *m;
    assert_int_equal(ncp_msg_read_fd_on_demand(fd, &o, &m, NULL), NCP_OK);
    assert_non_null(sa.at);
    ncp_struct rm = ncp_msg_root(m, NULL);
    ncp_list pm = ncp_ptr_list(ncp_struct_ptr(&rm, 0), NCP_ELEM_POINTER, NULL);
    /* The same costs as ncp_ptr_list. */
    x = ncp_ptr_list(ncp_list_ptr(&pm, 5), NCP_ELEM_8BYTES, NULL);
    y = ncp_ptr_list_transient(ncp_list_ptr(&pm, 5), NCP_ELEM_8BYTES, NULL);
    assert_int_equal(ncp_msg_traversal_left(m), budget);
    /* Each list in turn, transient: those past the chunks read so far come
     * from the window, not the message's memory. */
    for (uint32_t i = 0; i < NLISTS; i++) {
        ncp_list t =
            ncp_ptr_list_transient(ncp_list_ptr(&pm, i), NCP_ELEM_8BYTES, NULL);
        check_list(&t, i, LISTLEN);
        if (i >= 20) assert_false(in_segments(&sa, t.start));
    }
    /* Opened as usual, a list is read into the message; then transient
     * too. */
    ncp_list n40 = ncp_ptr_list(ncp_list_ptr(&pm, 40), NCP_ELEM_8BYTES, NULL);
    assert_true(in_segments(&sa, n40.start));
    ncp_list t40 =
        ncp_ptr_list_transient(ncp_list_ptr(&pm, 40), NCP_ELEM_8BYTES, NULL);
    assert_ptr_equal(t40.start, n40.start);
    /* A struct list with pointers, and a list larger than the window, are
     * read in the message: they stay valid after other transient lists. */
    ncp_list s = ncp_ptr_list_transient(ncp_struct_ptr(&rm, 1),
                                        NCP_ELEM_COMPOSITE, NULL);
    ncp_list h =
        ncp_ptr_list_transient(ncp_struct_ptr(&rm, 2), NCP_ELEM_8BYTES, NULL);
    assert_true(in_segments(&sa, s.start));
    assert_true(in_segments(&sa, h.start));
    for (uint32_t i = 0; i < NLISTS; i += 7)
        (void)ncp_ptr_list_transient(ncp_list_ptr(&pm, i), NCP_ELEM_8BYTES,
                                     NULL);
    assert_int_equal(ncp_list_len(&s), 10);
    ncp_struct e = ncp_list_struct(&s, 9);
    assert_int_equal(ncp_struct_u32(&e, 0), 109);
    assert_string_equal(ncp_ptr_text(ncp_struct_ptr(&e, 0), NULL).str,
                        "with a pointer");
    check_list(&h, 99, HUGELEN);
    /* A null pointer, and errors, as ncp_ptr_list gives them. */
    ncp_list none =
        ncp_ptr_list_transient(ncp_struct_ptr(&rm, 3), NCP_ELEM_8BYTES, "f");
    assert_int_equal(ncp_list_len(&none), 0);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_list bad =
        ncp_ptr_list_transient(ncp_struct_ptr(&rm, 1), NCP_ELEM_BIT, "f");
    assert_int_equal(ncp_list_len(&bad), 0);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_TYPE);
    assert_string_equal(ncp_msg_error(m)->message,
                        "f: found a struct list where List(Bool) was expected");
    assert_int_equal(ncp_msg_detach(m, NULL), NCP_OK);
    ncp_msg_free(m);
    close(fd);
    ncp_msg_free(mem);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* The distance from bytes of a message read from a file at `at` to the
 * same bytes at the start of `mem`, modulo 64. */
static unsigned skew(const uint8_t *read, const uint8_t *mem,
                     const ts_buf *bytes, long at) {
    uint64_t off = (uint64_t)at + (uint64_t)(mem - bytes->data);
    return (unsigned)(((uint64_t)(uintptr_t)read - off) % 64);
}

/* Segments and windows are placed ncp__read_skew() bytes past their file
 * offsets modulo 64 (where the kernel copies fastest on this processor),
 * whatever precedes the message in the file, and however it is read. */
static void reads_placed_for_the_kernels_copy(void **state) {
    (void)state;
    const unsigned want = (unsigned)ncp__read_skew();
    assert_true(want == 0 || want == 32);
    ncp_builder *b = make_lists();
    ts_buf bytes = ts_write_mem(b, 0);
    ncp_msg *mem = open_mem(&bytes);
    ncp_list p = lists_of(mem);
    const uint8_t *seg0 = ncp_list_ptr(&p, 0).p; /* any byte of segment 0 */
    ncp_list l30 = ncp_ptr_list(ncp_list_ptr(&p, 30), NCP_ELEM_8BYTES, NULL);
    static const long prefixes[] = {0, 8, 24, 56, 4096 + 40};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        long at = prefixes[i];
        FILE *f = fopen(SCRATCH, "w+b");
        assert_non_null(f);
        for (long k = 0; k < at; k++)
            assert_int_equal(fputc(0, f), 0);
        assert_int_equal(fwrite(bytes.data, 1, bytes.len, f), bytes.len);
        assert_int_equal(fflush(f), 0);
        /* At once, from a FILE* and from a descriptor. */
        for (int way = 0; way < 2; way++) {
            assert_int_equal(fseek(f, at, SEEK_SET), 0);
            int fd = fileno(f);
            if (way == 1) assert_int_equal(lseek(fd, at, SEEK_SET), at);
            ncp_msg *m;
            assert_int_equal(way == 0 ? ncp_msg_read_file(f, NULL, &m, NULL)
                                      : ncp_msg_read_fd(fd, NULL, &m, NULL),
                             NCP_OK);
            const uint8_t *d;
            uint32_t words;
            assert_true(ncp_msg_segment(m, 0, &d, &words));
            const uint8_t *d0;
            assert_true(ncp_msg_segment(mem, 0, &d0, &words));
            assert_int_equal(skew(d, d0, &bytes, at), want);
            ncp_msg_free(m);
        }
        /* On demand: a list read into the message, and one through the
         * window. */
        assert_int_equal(fseek(f, at, SEEK_SET), 0);
        ncp_msg *m;
        assert_int_equal(ncp_msg_read_file_on_demand(f, NULL, &m, NULL),
                         NCP_OK);
        ncp_struct rm = ncp_msg_root(m, NULL);
        ncp_list pm =
            ncp_ptr_list(ncp_struct_ptr(&rm, 0), NCP_ELEM_POINTER, NULL);
        assert_int_equal(skew(ncp_list_ptr(&pm, 0).p, seg0, &bytes, at), want);
        ncp_list t = ncp_ptr_list_transient(ncp_list_ptr(&pm, 30),
                                            NCP_ELEM_8BYTES, NULL);
        check_list(&t, 30, LISTLEN);
        assert_int_equal(skew(t.start, l30.start, &bytes, at), want);
        assert_int_equal(ncp_msg_status(m), NCP_OK);
        ncp_msg_free(m);
        fclose(f);
    }
    ncp_msg_free(mem);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * Reading ahead
 * ------------------------------------------------------------------------ */

/* Lists of varied lengths (1 to 4000 values), so that windows end inside
 * lists: 4.8 MB, some ten windows. */
#define VLISTS 300u

static uint32_t vlen(uint32_t i) {
    return 1u + (uint32_t)(((uint64_t)i * 2654435761u) % 4000u);
}

/* Every value (a list that crosses windows may be put together from two). */
static void check_all(const ncp_list *l, uint32_t i, uint32_t len) {
    assert_int_equal(ncp_list_len(l), len);
    for (uint32_t k = 0; k < len; k++)
        if (ncp_list_u64(l, k) != list_value(i, k))
            fail_msg("list %u value %u: %llx", i, k,
                     (unsigned long long)ncp_list_u64(l, k));
}

static ncp_builder *make_varied(void) {
    ncp_builder *b;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 1);
    put_lists(ncp_bstruct_ptr(&r, 0), VLISTS, vlen);
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    return b;
}

/* Opens the message in SCRATCH on demand, with or without reading ahead;
 * *pm receives its list of lists. */
static ncp_msg *open_varied(int *fd, bool ahead, ncp_list *pm) {
    *fd = open(SCRATCH, O_RDWR);
    assert_true(*fd >= 0);
    ncp_read_options o = {0};
    o.no_read_ahead = !ahead;
    ncp_msg *m;
    assert_int_equal(ncp_msg_read_fd_on_demand(*fd, &o, &m, NULL), NCP_OK);
    *pm = lists_of(m);
    assert_int_equal(ncp_list_len(pm), VLISTS);
    return m;
}

/* Transient lists read in any order - forwards (each window read ahead of
 * the decoder), backwards, in strides that skip windows, forwards again,
 * then a walk that mostly goes to the next list and sometimes jumps - give
 * the values written, with reading ahead as without. */
static void read_ahead_in_any_order(void **state) {
    (void)state;
    ncp_builder *b = make_varied();
    ts_buf bytes = ts_write_mem(b, 0);
    ts_write_file(SCRATCH, bytes.data, bytes.len);
    for (int ahead = 0; ahead < 2; ahead++) {
        int fd;
        ncp_list pm;
        ncp_msg *m = open_varied(&fd, ahead, &pm);
        uint64_t rng = 0x9e3779b97f4a7c15u;
        uint32_t walk = 0;
        for (int order = 0; order < 5; order++)
            for (uint32_t n = 0; n < (order == 4 ? 8 * VLISTS : VLISTS); n++) {
                rng = rng * 6364136223846793005u + 1442695040888963407u;
                walk = (rng >> 60) == 0 ? (uint32_t)(rng >> 33) % VLISTS
                                        : (walk + 1) % VLISTS;
                uint32_t i = order == 1   ? VLISTS - 1 - n
                             : order == 2 ? (n * 37u) % VLISTS
                             : order == 4 ? walk
                                          : n;
                ncp_list t = ncp_ptr_list_transient(ncp_list_ptr(&pm, i),
                                                    NCP_ELEM_8BYTES, NULL);
                check_all(&t, i, vlen(i));
            }
        assert_int_equal(ncp_msg_status(m), NCP_OK);
        /* Freed with reads ahead under way. */
        ncp_msg_free(m);
        close(fd);
    }
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* ---- views ------------------------------------------------------------- */

typedef struct view_job {
    ncp_msg *view;
    ncp_list pm; /* of the message: moved to the view */
    uint32_t from, to;
    bool bounded; /* windows end at the job's last list */
    bool ok;
} view_job;

/* Reads lists [from, to) through the view (cmocka's checks are for the
 * test's thread: this one only records). */
static void *view_walk(void *arg) {
    view_job *j = arg;
    ncp_list pm = j->pm;
    pm.msg = j->view;
    if (j->bounded) ncp_msg_window_until(j->view, ncp_list_ptr(&pm, j->to - 1));
    j->ok = true;
    for (uint32_t i = j->from; i < j->to; i++) {
        ncp_list t =
            ncp_ptr_list_transient(ncp_list_ptr(&pm, i), NCP_ELEM_8BYTES, NULL);
        if (ncp_list_len(&t) != vlen(i)) j->ok = false;
        for (uint32_t k = 0; k < ncp_list_len(&t); k++)
            if (ncp_list_u64(&t, k) != list_value(i, k)) j->ok = false;
    }
    if (ncp_msg_status(j->view) != NCP_OK) j->ok = false;
    return NULL;
}

/* The traversal that reading lists [from, to) transiently costs m. */
static uint64_t walk_cost(ncp_msg *m, const ncp_list *pm, uint32_t from,
                          uint32_t to) {
    uint64_t before = ncp_msg_traversal_left(m);
    for (uint32_t i = from; i < to; i++) {
        ncp_list t =
            ncp_ptr_list_transient(ncp_list_ptr(pm, i), NCP_ELEM_8BYTES, NULL);
        check_all(&t, i, vlen(i));
    }
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    return before - ncp_msg_traversal_left(m);
}

/* Two threads read half of the lists each through views of one message -
 * in memory, read on demand, and read on demand with windows bounded by
 * ncp_msg_window_until - and find the values written; merging the views
 * charges the message exactly what reading the lists itself costs. */
static void views_read_in_threads(void **state) {
    (void)state;
    ncp_builder *b = make_varied();
    ts_buf bytes = ts_write_mem(b, 0);
    ts_write_file(SCRATCH, bytes.data, bytes.len);
    for (int mode = 0; mode < 3; mode++) {
        int fd = -1;
        ncp_list pm;
        ncp_msg *m;
        if (mode == 0) {
            m = open_mem(&bytes);
            pm = lists_of(m);
        } else {
            m = open_varied(&fd, true, &pm);
        }
        view_job j[2] = {{.pm = pm, .from = 0, .to = VLISTS / 2},
                         {.pm = pm, .from = VLISTS / 2, .to = VLISTS}};
        for (int i = 0; i < 2; i++) {
            j[i].bounded = mode == 2;
            assert_int_equal(ncp_msg_view(m, &j[i].view, NULL), NCP_OK);
        }
        /* Not a view of a view. */
        ncp_msg *vv = NULL;
        ncp_error e = {NCP_OK, ""};
        assert_int_equal(ncp_msg_view(j[0].view, &vv, &e), NCP_ERR_ARG);
        assert_null(vv);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, view_walk, &j[1]), 0);
        view_walk(&j[0]);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_true(j[0].ok);
        assert_true(j[1].ok);
        uint64_t before = ncp_msg_traversal_left(m);
        ncp_msg *v[2] = {j[0].view, j[1].view};
        assert_int_equal(ncp_msg_view_merge(m, v, 2), NCP_OK);
        uint64_t charged = before - ncp_msg_traversal_left(m);
        assert_true(charged > 0);
        assert_true(charged == walk_cost(m, &pm, 0, VLISTS));
        ncp_msg_free(m);
        if (fd >= 0) close(fd);
    }
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* A view of a message read on demand opens in place only what the message
 * had read: anything else fails in the view (NCP_ERR_ARG, saying so) and
 * reads as empty, and merging that view leaves the message as it was.  A
 * budget that each view fits but both together do not is NCP_ERR_LIMIT at
 * the merge, and the message is again as it was. */
static void views_refuse_and_merge_all_or_nothing(void **state) {
    (void)state;
    ncp_builder *b = make_varied();
    ts_buf bytes = ts_write_mem(b, 0);
    ts_write_file(SCRATCH, bytes.data, bytes.len);
    int fd;
    ncp_list pm;
    ncp_msg *m = open_varied(&fd, false, &pm);
    ncp_msg *v;
    assert_int_equal(ncp_msg_view(m, &v, NULL), NCP_OK);
    ncp_list vpm = pm;
    vpm.msg = v;
    ncp_list l = ncp_ptr_list(ncp_list_ptr(&vpm, 150), NCP_ELEM_8BYTES, NULL);
    assert_int_equal(ncp_list_len(&l), 0);
    assert_int_equal(ncp_msg_status(v), NCP_ERR_ARG);
    assert_non_null(
        strstr(ncp_msg_error(v)->message, "not read when the view was made"));
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    uint64_t before = ncp_msg_traversal_left(m);
    assert_int_equal(ncp_msg_view_merge(m, &v, 1), NCP_ERR_ARG);
    assert_true(ncp_msg_traversal_left(m) == before);
    /* The message itself reads that list. */
    l = ncp_ptr_list(ncp_list_ptr(&pm, 150), NCP_ELEM_8BYTES, NULL);
    check_all(&l, 150, vlen(150));
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    close(fd);

    /* The budget: what opening the list of lists costs, and each half. */
    m = open_varied(&fd, false, &pm);
    uint64_t first = walk_cost(m, &pm, 0, VLISTS / 2);
    uint64_t second = walk_cost(m, &pm, VLISTS / 2, VLISTS);
    ncp_msg_free(m);
    close(fd);
    ncp_read_options o = {0};
    o.traversal_limit_words = 1000000;       /* more than the list of lists */
    o.max_message_words = (uint64_t)1 << 24; /* (else the limit) */
    fd = open(SCRATCH, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(ncp_msg_read_fd_on_demand(fd, &o, &m, NULL), NCP_OK);
    pm = lists_of(m);
    uint64_t spent = 1000000 - ncp_msg_traversal_left(m);
    ncp_msg_free(m);
    o.traversal_limit_words =
        spent + (first > second ? first : second) + 1; /* not both */
    assert_true(lseek(fd, 0, SEEK_SET) == 0);
    assert_int_equal(ncp_msg_read_fd_on_demand(fd, &o, &m, NULL), NCP_OK);
    pm = lists_of(m);
    before = ncp_msg_traversal_left(m);
    view_job j[2] = {{.pm = pm, .from = 0, .to = VLISTS / 2},
                     {.pm = pm, .from = VLISTS / 2, .to = VLISTS}};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ncp_msg_view(m, &j[i].view, NULL), NCP_OK);
        view_walk(&j[i]);
        assert_true(j[i].ok);
    }
    ncp_msg *vs[2] = {j[0].view, j[1].view};
    assert_int_equal(ncp_msg_view_merge(m, vs, 2), NCP_ERR_LIMIT);
    assert_true(ncp_msg_traversal_left(m) == before);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    close(fd);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* A file shortened before its lists are read: a list either reads with
 * the values written, and then lies before the cut, or reads as empty;
 * the first error, that of the first read that fails (by the decoder or by
 * the helper reading ahead), is the same with reading ahead as without. */
static void read_ahead_of_a_shortened_file(void **state) {
    (void)state;
    ncp_builder *b = make_varied();
    ts_buf bytes = ts_write_mem(b, 0);
    const size_t cut = bytes.len / 2 + 12345;
    /* Where each list ends in the file. */
    ncp_msg *mem = open_mem(&bytes);
    ncp_list p = lists_of(mem);
    size_t ends[VLISTS];
    for (uint32_t i = 0; i < VLISTS; i++) {
        ncp_list l = ncp_ptr_list(ncp_list_ptr(&p, i), NCP_ELEM_8BYTES, NULL);
        ends[i] = (size_t)(l.start - bytes.data) + (size_t)vlen(i) * 8;
    }
    ncp_msg_free(mem);
    char first_error[2][NCP_ERROR_MESSAGE_SIZE];
    for (int ahead = 0; ahead < 2; ahead++) {
        ts_write_file(SCRATCH, bytes.data, bytes.len);
        int fd;
        ncp_list pm;
        ncp_msg *m = open_varied(&fd, ahead, &pm);
        assert_int_equal(ftruncate(fd, (off_t)cut), 0);
        uint32_t failed = 0;
        for (uint32_t i = 0; i < VLISTS; i++) {
            ncp_list t = ncp_ptr_list_transient(ncp_list_ptr(&pm, i),
                                                NCP_ELEM_8BYTES, NULL);
            if (t.start != NULL) {
                check_all(&t, i, vlen(i));
                assert_true(ends[i] <= cut);
                continue;
            }
            assert_int_equal(ncp_list_len(&t), 0);
            assert_int_equal(ncp_msg_status(m), NCP_ERR_TRUNCATED);
            if (failed++ == 0)
                snprintf(first_error[ahead], sizeof first_error[ahead], "%s",
                         ncp_msg_error(m)->message);
            assert_string_equal(ncp_msg_error(m)->message, first_error[ahead]);
        }
        assert_true(failed > 0);
        ncp_msg_free(m);
        close(fd);
    }
    assert_non_null(strstr(first_error[0], "segments: input ends after"));
    assert_string_equal(first_error[0], first_error[1]);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_as_read_at_once),
        cmocka_unit_test(pointers_backwards_and_out_of_order),
        cmocka_unit_test(stream_left_after_each_message),
        cmocka_unit_test(other_input_is_read_at_once),
        cmocka_unit_test(shortened_file_fails_where_reached),
        cmocka_unit_test(read_error_is_recorded),
        cmocka_unit_test(transient_lists),
        cmocka_unit_test(reads_placed_for_the_kernels_copy),
        cmocka_unit_test(read_ahead_in_any_order),
        cmocka_unit_test(read_ahead_of_a_shortened_file),
        cmocka_unit_test(views_read_in_threads),
        cmocka_unit_test(views_refuse_and_merge_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
