/*
 * tests/ncp/test_hostile.c - hostile input.
 *
 * Every message here is malformed, oversized or built to make a reader work
 * hard.  Each must give a clean error: the right status, a message that says
 * what was wrong, no message object on a failed open, no crash, no read out
 * of bounds (the buffers are allocated to the exact size so AddressSanitizer
 * sees any overrun), no leak and no allocation sized by the attacker.
 *
 * Words are written by hand from the specification (capnproto's
 * doc/encoding.md); the helpers below name the fields.  The tests in the
 * section "Bugs found" fail with the runtime as it is; see the comments
 * there.
 *
 * Every test runs twice: with the messages in memory, then read on demand
 * from a file (ncp_msg_read_fd_on_demand), which must give the same values
 * and the same errors; the streams tests read through both as well.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Pointer words
 * ------------------------------------------------------------------------ */

/* The 30-bit offset field (bits 2..31) of a struct or list pointer. */
static uint64_t offset_bits(int64_t off) {
    return (uint64_t)(((uint32_t)off & 0x3fffffffu) << 2);
}

static uint64_t p_struct(int64_t off, uint16_t dw, uint16_t pc) {
    return offset_bits(off) | (uint64_t)dw << 32 | (uint64_t)pc << 48;
}

static uint64_t p_list(int64_t off, ncp_elem_size es, uint64_t count) {
    return offset_bits(off) | 1u | (uint64_t)es << 32 | count << 35;
}

static uint64_t p_far(bool dbl, uint32_t pad, uint32_t seg) {
    return 2u | (dbl ? 4u : 0u) | (uint64_t)pad << 3 | (uint64_t)seg << 32;
}

static uint64_t p_cap(uint32_t index) {
    return 3u | (uint64_t)index << 32;
}

/* The tag word of a struct list: element count in the offset field. */
static uint64_t list_tag(uint64_t count, uint16_t dw, uint16_t pc) {
    return ((count << 2) & 0xffffffffu) | (uint64_t)dw << 32 |
           (uint64_t)pc << 48;
}

/* "abcdefgh" as the little-endian word that holds those bytes. */
static uint64_t bytes_word(const char *s) {
    uint8_t b[8] = {0};
    memcpy(b, s, strnlen(s, 8));
    return ncp_load64(b);
}

/* ------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------ */

/* Frames segments in standard stream framing into an exactly-sized buffer:
 * segment i has sizes[i] words, taken in order from words. */
static ts_buf frame(const uint64_t *words, const uint32_t *sizes,
                    uint32_t nsegs) {
    size_t tbytes = ((size_t)nsegs / 2 + 1) * 8, total = 0;
    for (uint32_t i = 0; i < nsegs; i++)
        total += sizes[i];
    ts_buf b;
    b.len = tbytes + total * 8;
    b.data = calloc(b.len, 1);
    assert_non_null(b.data);
    ncp_store32(b.data, nsegs - 1);
    for (uint32_t i = 0; i < nsegs; i++)
        ncp_store32(b.data + 4 + (size_t)i * 4, sizes[i]);
    for (size_t w = 0; w < total; w++)
        ncp_store64(b.data + tbytes + w * 8, words[w]);
    return b;
}

/* A message opened over its framed bytes (kept alive with it), or, in the
 * second run of the tests, read on demand from a file holding them (whose
 * descriptor is kept). */
typedef struct held {
    ts_buf bytes;
    ncp_msg *m;
    int fd;
} held;

static bool g_on_demand;

static held hold(const uint64_t *words, const uint32_t *sizes, uint32_t nsegs,
                 const ncp_read_options *o) {
    held h;
    h.bytes = frame(words, sizes, nsegs);
    h.m = NULL;
    h.fd = -1;
    ncp_error err = {NCP_OK, ""};
    if (g_on_demand) {
        /* The file is removed at once; the descriptor keeps it. */
        ts_write_file("held.bin", h.bytes.data, h.bytes.len);
        h.fd = open("held.bin", O_RDONLY);
        assert_true(h.fd >= 0);
        assert_int_equal(unlink("held.bin"), 0);
        if (ncp_msg_read_fd_on_demand(h.fd, o, &h.m, &err) != NCP_OK)
            fail_msg("open on demand: %s", err.message);
        assert_false(ncp_msg_segment(h.m, 0, NULL, NULL)); /* not read */
        return h;
    }
    if (ncp_msg_from_buffer(h.bytes.data, h.bytes.len, o, &h.m, &err) != NCP_OK)
        fail_msg("open: %s", err.message);
    return h;
}

static held hold1(const uint64_t *words, uint32_t n,
                  const ncp_read_options *o) {
    return hold(words, &n, 1, o);
}

static void release(held *h) {
    ncp_msg_free(h->m);
    if (h->fd >= 0) close(h->fd);
    ts_buf_free(&h->bytes);
}

#define WORDS(...) ((const uint64_t[]){__VA_ARGS__})
#define NWORDS(...)                                                            \
    ((uint32_t)(sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t)))
/* A one-segment message of the given words, default options. */
#define HOLD1(...) hold1(WORDS(__VA_ARGS__), NWORDS(__VA_ARGS__), NULL)

/* ------------------------------------------------------------------------
 * Checking errors
 * ------------------------------------------------------------------------ */

static void check_error(const ncp_error *e, ncp_status want,
                        const char *const *keys, const char *ctx,
                        const char *file, int line) {
    if (memchr(e->message, '\0', sizeof e->message) == NULL)
        fail_msg("%s:%d: %s: message not NUL-terminated", file, line, ctx);
    if (e->status != want)
        fail_msg("%s:%d: %s: expected %s, got %s: \"%s\"", file, line, ctx,
                 ncp_status_name(want), ncp_status_name(e->status), e->message);
    if (want != NCP_OK && e->message[0] == '\0')
        fail_msg("%s:%d: %s: %s with an empty message", file, line, ctx,
                 ncp_status_name(want));
    for (; *keys; keys++)
        if (strstr(e->message, *keys) == NULL)
            fail_msg("%s:%d: %s: message \"%s\" does not mention \"%s\"", file,
                     line, ctx, e->message, *keys);
}

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})
/* The error record err holds status and mentions every key. */
#define EXPECT_ERROR(err, status, ...)                                         \
    check_error((err), (status), KEYS(__VA_ARGS__), "error", __FILE__, __LINE__)
/* The first error of message m. */
#define EXPECT_MSG(m, status, ...)                                             \
    check_error(ncp_msg_error(m), (status), KEYS(__VA_ARGS__), "message",      \
                __FILE__, __LINE__)
#define EXPECT_BUILDER(b, status, ...)                                         \
    check_error(ncp_builder_error(b), (status), KEYS(__VA_ARGS__), "builder",  \
                __FILE__, __LINE__)

/* Opens bytes from memory that must be rejected: the status and message
 * are checked and no message may be returned. */
static void open_fails(const void *bytes, size_t len, const ncp_read_options *o,
                       ncp_status want, const char *const *keys,
                       const char *file, int line) {
    static int sentinel;
    uint8_t *copy = malloc(len ? len : 1); /* exact size for ASan */
    assert_non_null(copy);
    if (len) memcpy(copy, bytes, len);
    ncp_msg *m = (ncp_msg *)(void *)&sentinel;
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_msg_from_buffer(copy, len, o, &m, &err);
    if (m != NULL)
        fail_msg("%s:%d: a failed open returned a message", file, line);
    if (st != err.status)
        fail_msg("%s:%d: returned %s but recorded %s", file, line,
                 ncp_status_name(st), ncp_status_name(err.status));
    check_error(&err, want, keys, "open", file, line);
    /* The same without an error record. */
    m = (ncp_msg *)(void *)&sentinel;
    assert_int_equal(ncp_msg_from_buffer(copy, len, o, &m, NULL), want);
    assert_null(m);
    free(copy);
}

#define OPEN_FAILS(bytes, len, o, status, ...)                                 \
    open_fails((bytes), (len), (o), (status), KEYS(__VA_ARGS__), __FILE__,     \
               __LINE__)

static ncp_read_options packing(ncp_packing p) {
    ncp_read_options o = {0};
    o.packing = p;
    return o;
}

/* ------------------------------------------------------------------------
 * Streams: the same bytes read through every reading function.
 * ------------------------------------------------------------------------ */

typedef enum via {
    VIA_BUFFER,
    VIA_FMEMOPEN,
    VIA_PIPE,
    VIA_FILE,
    VIA_FD,
    VIA_MAP,
    VIA_FILE_ON_DEMAND,
    VIA_FD_ON_DEMAND,
    VIA_COUNT
} via;

static const char *const via_names[VIA_COUNT] = {"buffer",
                                                 "fmemopen FILE*",
                                                 "pipe",
                                                 "regular FILE*",
                                                 "regular fd",
                                                 "mmap",
                                                 "regular FILE* on demand",
                                                 "regular fd on demand"};

#define SCRATCH_FILE "hostile.bin"

/* A pipe holding bytes, its write end closed.  Pipes hold at least one page,
 * so inputs are kept below 4096 bytes. */
static int pipe_with(const uint8_t *bytes, size_t len) {
    int fds[2];
    assert_true(len <= 4096);
    assert_int_equal(pipe(fds), 0);
    size_t done = 0;
    while (done < len) {
        ssize_t k = write(fds[1], bytes + done, len - done);
        assert_true(k > 0);
        done += (size_t)k;
    }
    close(fds[1]);
    return fds[0];
}

/* Reads one message from bytes through v; frees it on success.  A failed
 * read must leave *out NULL and record what it returned. */
static ncp_status try_via(via v, const uint8_t *bytes, size_t len,
                          const ncp_read_options *o, ncp_error *err) {
    static int sentinel;
    ncp_msg *m = (ncp_msg *)(void *)&sentinel;
    ncp_status st = NCP_ERR_ARG;
    ncp_error_clear(err);
    switch (v) {
    case VIA_BUFFER: {
        uint8_t *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        if (len) memcpy(copy, bytes, len);
        st = ncp_msg_from_buffer(copy, len, o, &m, err);
        ncp_msg_free(st == NCP_OK ? m : NULL);
        free(copy);
        break;
    }
    case VIA_FMEMOPEN: {
        uint8_t *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        if (len) memcpy(copy, bytes, len);
        /* fmemopen may refuse a size of 0: an empty device instead. */
        FILE *f = len ? fmemopen(copy, len, "r") : fopen("/dev/null", "r");
        assert_non_null(f);
        st = ncp_msg_read_file(f, o, &m, err);
        if (st == NCP_OK) ncp_msg_free(m);
        fclose(f);
        free(copy);
        break;
    }
    case VIA_PIPE: {
        int fd = pipe_with(bytes, len);
        st = ncp_msg_read_fd(fd, o, &m, err);
        if (st == NCP_OK) ncp_msg_free(m);
        close(fd);
        break;
    }
    case VIA_FILE: {
        ts_write_file(SCRATCH_FILE, bytes, len);
        FILE *f = fopen(SCRATCH_FILE, "rb");
        assert_non_null(f);
        st = ncp_msg_read_file(f, o, &m, err);
        if (st == NCP_OK) ncp_msg_free(m);
        fclose(f);
        break;
    }
    case VIA_FD: {
        ts_write_file(SCRATCH_FILE, bytes, len);
        int fd = open(SCRATCH_FILE, O_RDONLY);
        assert_true(fd >= 0);
        st = ncp_msg_read_fd(fd, o, &m, err);
        if (st == NCP_OK) ncp_msg_free(m);
        close(fd);
        break;
    }
    case VIA_MAP:
        ts_write_file(SCRATCH_FILE, bytes, len);
        st = ncp_msg_map_path(SCRATCH_FILE, o, &m, err);
        if (st == NCP_OK) ncp_msg_free(m);
        break;
    case VIA_FILE_ON_DEMAND:
    case VIA_FD_ON_DEMAND: {
        ts_write_file(SCRATCH_FILE, bytes, len);
        FILE *f = NULL;
        int fd = -1;
        if (v == VIA_FILE_ON_DEMAND) {
            f = fopen(SCRATCH_FILE, "rb");
            assert_non_null(f);
            st = ncp_msg_read_file_on_demand(f, o, &m, err);
        } else {
            fd = open(SCRATCH_FILE, O_RDONLY);
            assert_true(fd >= 0);
            st = ncp_msg_read_fd_on_demand(fd, o, &m, err);
        }
        /* Reading the rest of a message whose table was good fails only
         * when the file does. */
        if (st == NCP_OK) assert_int_equal(ncp_msg_detach(m, NULL), NCP_OK);
        if (st == NCP_OK) ncp_msg_free(m);
        if (f) fclose(f);
        if (fd >= 0) close(fd);
        break;
    }
    case VIA_COUNT: break;
    }
    if (st != NCP_OK && m != NULL)
        fail_msg("%s: a failed read returned a message", via_names[v]);
    if (st != err->status)
        fail_msg("%s: returned %s but recorded %s", via_names[v],
                 ncp_status_name(st), ncp_status_name(err->status));
    return st;
}

/* Every reading function rejects bytes with `want` and a message that
 * mentions every key. */
static void all_vias_fail(const uint8_t *bytes, size_t len,
                          const ncp_read_options *o, ncp_status want,
                          const char *const *keys, const char *file, int line) {
    for (int v = 0; v < VIA_COUNT; v++) {
        ncp_error err;
        try_via((via)v, bytes, len, o, &err);
        check_error(&err, want, keys, via_names[v], file, line);
    }
}

#define ALL_VIAS_FAIL(bytes, len, o, status, ...)                              \
    all_vias_fail((bytes), (len), (o), (status), KEYS(__VA_ARGS__), __FILE__,  \
                  __LINE__)

/* An allocator that records the largest request, refuses anything above
 * `limit` and tracks the bytes outstanding (which must return to 0). */
typedef struct rec_alloc {
    size_t largest;
    size_t limit;
    size_t live;
} rec_alloc;

static void *rec_fn(void *ud, void *p, size_t old, size_t n) {
    rec_alloc *r = ud;
    if (n == 0) {
        r->live -= old;
        free(p);
        return NULL;
    }
    if (n > r->largest) r->largest = n;
    if (n > r->limit) return NULL;
    void *q = realloc(p, n);
    if (q) r->live = r->live - old + n;
    return q;
}

/* ------------------------------------------------------------------------
 * Sizes that overflow
 * ------------------------------------------------------------------------ */

/* The message that crashed c-capnproto: 32 bytes whose struct list tag
 * claims 2^29 elements in a list of one word. */
static void famous_32_byte_struct_list(void **state) {
    (void)state;
    const uint64_t words[] = {p_list(0, NCP_ELEM_COMPOSITE, 1),
                              list_tag((uint64_t)1 << 29, 1, 0),
                              0x4141414141414141u};
    uint32_t size = 3;
    ts_buf bytes = frame(words, &size, 1);
    assert_int_equal(bytes.len, 32);
    ncp_msg *m = NULL;
    assert_int_equal(ncp_msg_from_buffer(bytes.data, bytes.len, NULL, &m, NULL),
                     NCP_OK);
    ncp_list l =
        ncp_ptr_list(ncp_msg_root_ptr(m), NCP_ELEM_COMPOSITE, "Famous.items");
    assert_int_equal(ncp_list_len(&l), 0);
    ncp_struct e = ncp_list_struct(&l, 0);
    assert_int_equal(ncp_struct_u64(&e, 0), 0);
    assert_int_equal(ncp_list_u64(&l, (1u << 29) - 1), 0);
    EXPECT_MSG(m, NCP_ERR_MALFORMED, "Famous.items", "536870912 elements",
               "overruns");
    ncp_msg_free(m);

    /* The same through a generic reader and a deep copy. */
    assert_int_equal(ncp_msg_from_buffer(bytes.data, bytes.len, NULL, &m, NULL),
                     NCP_OK);
    assert_int_equal(ncp_ptr_type(ncp_msg_root_ptr(m)), NCP_PTR_LIST);
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(m));
    EXPECT_BUILDER(b, NCP_ERR_MALFORMED, "overruns");
    EXPECT_MSG(m, NCP_ERR_MALFORMED, "536870912 elements");
    ncp_builder_free(b);
    ncp_msg_free(m);
    ts_buf_free(&bytes);

    /* Elements of no size: nothing overruns, but no list holds 2^29
     * elements. */
    const uint64_t zero_size[] = {p_list(0, NCP_ELEM_COMPOSITE, 1),
                                  list_tag((uint64_t)1 << 29, 0, 0), 0};
    bytes = frame(zero_size, &size, 1);
    assert_int_equal(bytes.len, 32);
    assert_int_equal(ncp_msg_from_buffer(bytes.data, bytes.len, NULL, &m, NULL),
                     NCP_OK);
    l = ncp_ptr_list(ncp_msg_root_ptr(m), NCP_ELEM_COMPOSITE, "Famous.items");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(m, NCP_ERR_MALFORMED,
               "Famous.items: struct list tag claims "
               "536870912 elements",
               "more than a list can hold");
    ncp_msg_free(m);
    ts_buf_free(&bytes);
}

/* Struct list tags claiming 2^29 and 2^30 - 1 elements, and element counts
 * whose product with the element size overflows 32 bits. */
static void struct_list_counts_that_overflow(void **state) {
    (void)state;
    const uint64_t counts[] = {(uint64_t)1 << 29, ((uint64_t)1 << 30) - 1};
    const char *const names[] = {"536870912 elements", "1073741823 elements"};
    for (int i = 0; i < 2; i++) {
        held h = HOLD1(p_list(0, NCP_ELEM_COMPOSITE, 2),
                       list_tag(counts[i], 1, 1), 0, 0);
        ncp_list l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_LIST_ANY, "L");
        assert_int_equal(ncp_list_len(&l), 0);
        EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "L: struct list", names[i],
                   "of 2 words", "overruns its 2 words");
        release(&h);

        /* (2^30 - 1) * (2^17 - 2) words: beyond 2^32, caught in 64 bits. */
        h = HOLD1(p_list(0, NCP_ELEM_COMPOSITE, 2),
                  list_tag(counts[i], 0xffff, 0xffff), 0, 0);
        l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_COMPOSITE, "L");
        assert_int_equal(ncp_list_len(&l), 0);
        EXPECT_MSG(h.m, NCP_ERR_MALFORMED, names[i], "131070 words",
                   "overruns");
        release(&h);

        /* Zero-size elements: nothing overruns, but the count is beyond
         * the largest list, whatever the traversal budget. */
        ncp_read_options unlimited = {0};
        unlimited.traversal_limit_words = UINT64_MAX;
        for (int budget = 0; budget < 2; budget++) {
            h = hold1(WORDS(p_list(0, NCP_ELEM_COMPOSITE, 0),
                            list_tag(counts[i], 0, 0)),
                      2, budget ? &unlimited : NULL);
            l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_COMPOSITE, "L");
            assert_int_equal(ncp_list_len(&l), 0);
            EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "L: struct list tag claims",
                       names[i], "more than a list can hold (536870911)");
            release(&h);
        }
    }

    /* One element more than the words hold fails; exactly fitting passes. */
    held h =
        HOLD1(p_list(0, NCP_ELEM_COMPOSITE, 4), list_tag(2, 1, 1), 1, 0, 2, 0);
    ncp_list l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_COMPOSITE, "L");
    assert_int_equal(ncp_list_len(&l), 2);
    ncp_struct e = ncp_list_struct(&l, 1);
    assert_int_equal(ncp_struct_u64(&e, 0), 2);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    h = HOLD1(p_list(0, NCP_ELEM_COMPOSITE, 4), list_tag(3, 1, 1), 1, 0, 2, 0);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_COMPOSITE, "L");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "3 elements of 2 words",
               "overruns its 4 words");
    release(&h);

    /* The tag must be a struct tag. */
    h = HOLD1(p_list(0, NCP_ELEM_COMPOSITE, 1), p_list(0, NCP_ELEM_BYTE, 8), 0);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_COMPOSITE, "L");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "L: struct list's tag",
               "not a struct tag");
    release(&h);
}

/* Lists and structs whose words reach beyond the segment. */
static void objects_beyond_the_segment(void **state) {
    (void)state;
    /* The largest struct list: 2^29 - 1 words plus the tag. */
    held h = HOLD1(p_list(0, NCP_ELEM_COMPOSITE, NCP_MAX_LIST_ELEMENTS),
                   list_tag(1, 1, 0), 0);
    ncp_list l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_LIST_ANY, "Big.list");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Big.list", "struct list of 536870912",
               "at word 1", "outside segment 0 of 3 words");
    release(&h);

    static const struct {
        ncp_elem_size es;
        const char *words;
    } cases[] = {
        {NCP_ELEM_8BYTES, "list of 536870911 words"},
        {NCP_ELEM_POINTER, "list of 536870911 words"},
        {NCP_ELEM_4BYTES, "list of 268435456 words"},
        {NCP_ELEM_2BYTES, "list of 134217728 words"},
        {NCP_ELEM_BYTE, "list of 67108864 words"},
        {NCP_ELEM_BIT, "list of 8388608 words"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h = HOLD1(p_list(0, cases[i].es, NCP_MAX_LIST_ELEMENTS), 0);
        l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_LIST_ANY, "Big.list");
        assert_int_equal(ncp_list_len(&l), 0);
        EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Big.list", cases[i].words,
                   "outside segment 0 of 2 words");
        release(&h);
    }

    /* The largest struct. */
    h = HOLD1(p_struct(0, 0xffff, 0xffff), 0);
    ncp_struct s = ncp_msg_root(h.m, "Big");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    assert_true(ncp_ptr_is_null(ncp_struct_ptr(&s, 0)));
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Big: struct of 131070 words",
               "outside segment 0 of 2 words");
    release(&h);

    /* Text and data reaching past the end. */
    h = HOLD1(p_struct(0, 0, 2), p_list(1, NCP_ELEM_BYTE, 9),
              p_list(0, NCP_ELEM_BYTE, 9), bytes_word("abcdefgh"));
    ncp_struct r = ncp_msg_root(h.m, NULL);
    ncp_text t = ncp_ptr_text(ncp_struct_ptr(&r, 0), "R.name");
    assert_string_equal(t.str, "");
    assert_int_equal(t.len, 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "R.name: text of 2 words", "at word 3",
               "outside segment 0 of 4 words");
    ncp_data d = ncp_ptr_data(ncp_struct_ptr(&r, 1), "R.blob");
    assert_null(d.ptr);
    assert_int_equal(d.len, 0);
    release(&h);
    h = HOLD1(p_struct(0, 0, 2), p_list(1, NCP_ELEM_BYTE, 9),
              p_list(0, NCP_ELEM_BYTE, 9), bytes_word("abcdefgh"));
    r = ncp_msg_root(h.m, NULL);
    d = ncp_ptr_data(ncp_struct_ptr(&r, 1), "R.blob");
    assert_null(d.ptr);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "R.blob: data of 2 words", "at word 3");
    release(&h);
}

/* ------------------------------------------------------------------------
 * Offsets at the edges of the segment
 * ------------------------------------------------------------------------ */

static void offsets_at_segment_edges(void **state) {
    (void)state;
    /* A struct ending exactly at the end of a 4-word segment passes... */
    held h = HOLD1(p_struct(0, 3, 0), 1, 2, 3);
    ncp_struct s = ncp_msg_root(h.m, "Edge");
    assert_int_equal(ncp_struct_u64(&s, 16), 3);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    h = HOLD1(p_struct(1, 2, 0), 1, 2, 3);
    s = ncp_msg_root(h.m, "Edge");
    assert_int_equal(ncp_struct_u64(&s, 8), 3);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    /* ...one word more does not, whether by size or by offset. */
    h = HOLD1(p_struct(0, 4, 0), 1, 2, 3);
    s = ncp_msg_root(h.m, "Edge");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Edge: struct of 4 words at word 1",
               "outside segment 0 of 4 words");
    release(&h);
    h = HOLD1(p_struct(2, 2, 0), 1, 2, 3);
    s = ncp_msg_root(h.m, "Edge");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "struct of 2 words at word 3");
    release(&h);
    /* An empty struct may sit right at the end, not one word after. */
    h = HOLD1(p_struct(3, 0, 0), 1, 2, 3);
    s = ncp_msg_root(h.m, "Edge");
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    h = HOLD1(p_struct(4, 0, 0), 1, 2, 3);
    s = ncp_msg_root(h.m, "Edge");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "struct of 0 words at word 5");
    release(&h);

    /* Negative offsets: back to word 0 passes, to word -1 fails.  Struct at
     * words 1-2 holds two pointers: word 1 points at word 0 (offset -2),
     * word 2 at word -1 (offset -4). */
    const uint64_t back[] = {p_struct(0, 0, 2), p_struct(-2, 1, 0),
                             p_struct(-4, 1, 0)};
    h = hold1(back, 3, NULL);
    ncp_struct r = ncp_msg_root(h.m, NULL);
    s = ncp_ptr_struct(ncp_struct_ptr(&r, 0), "Back.ok");
    assert_int_equal(ncp_struct_u64(&s, 0), back[0]);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    s = ncp_ptr_struct(ncp_struct_ptr(&r, 1), "Back.bad");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Back.bad: struct of 1 words",
               "at word -1");
    release(&h);

    /* The extreme offsets. */
    h = HOLD1(p_struct((1 << 29) - 1, 1, 0), 0);
    s = ncp_msg_root(h.m, "Far.out");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "at word 536870912");
    release(&h);
    h = HOLD1(p_struct(-(1 << 29), 1, 0), 0);
    s = ncp_msg_root(h.m, "Far.out");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "at word -536870911");
    release(&h);
    h = HOLD1(p_list(-(1 << 29), NCP_ELEM_BYTE, 0), 0);
    ncp_list l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_LIST_ANY, "Far.list");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Far.list: list of 0 words",
               "at word -536870911");
    release(&h);

    /* A byte list ending exactly at the end, and one byte longer. */
    h = HOLD1(p_list(0, NCP_ELEM_BYTE, 16), 0x0807060504030201u,
              0x100f0e0d0c0b0a09u);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_BYTE, "Bytes");
    assert_int_equal(ncp_list_len(&l), 16);
    assert_int_equal(ncp_list_u8(&l, 15), 0x10);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    h = HOLD1(p_list(0, NCP_ELEM_BYTE, 17), 0x0807060504030201u,
              0x100f0e0d0c0b0a09u);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_BYTE, "Bytes");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Bytes: list of 3 words at word 1",
               "outside segment 0 of 3 words");
    release(&h);

    /* A bit list: 128 bits fit in two words, 129 do not. */
    h = HOLD1(p_list(0, NCP_ELEM_BIT, 128), 0, (uint64_t)1 << 63);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_BIT, "Bits");
    assert_true(ncp_list_bool(&l, 127));
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    h = HOLD1(p_list(0, NCP_ELEM_BIT, 129), 0, (uint64_t)1 << 63);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_BIT, "Bits");
    assert_false(ncp_list_bool(&l, 127));
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Bits: list of 3 words");
    release(&h);
}

/* ------------------------------------------------------------------------
 * Far pointers
 * ------------------------------------------------------------------------ */

static void far_pointers_to_missing_segments(void **state) {
    (void)state;
    held h = HOLD1(p_far(false, 0, 1));
    assert_int_equal(ncp_ptr_type(ncp_msg_root_ptr(h.m)), NCP_PTR_INVALID);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "far pointer at segment 0 word 0",
               "names segment 1; the message has 1");
    release(&h);
    h = HOLD1(p_far(true, 0, 0xffffffffu));
    ncp_struct s = ncp_msg_root(h.m, "Root");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Root: far pointer",
               "names segment 4294967295; the message has 1");
    release(&h);
}

/* Segment 0: the root (a far pointer); segment 1: two words. */
static held two_segments(uint64_t root, uint64_t pad0, uint64_t pad1) {
    const uint64_t words[] = {root, pad0, pad1};
    const uint32_t sizes[] = {1, 2};
    return hold(words, sizes, 2, NULL);
}

static void landing_pads_out_of_range(void **state) {
    (void)state;
    /* A pad in the last word passes (it points back at word 0). */
    held h = two_segments(p_far(false, 1, 1), 42, p_struct(-2, 1, 0));
    ncp_struct s = ncp_msg_root(h.m, "Root");
    assert_int_equal(ncp_struct_u64(&s, 0), 42);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    /* One word further it lies outside. */
    h = two_segments(p_far(false, 2, 1), 42, p_struct(-2, 1, 0));
    s = ncp_msg_root(h.m, "Root");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Root: far pointer landing pad",
               "at word 2 of segment 1", "outside its 2 words");
    release(&h);
    /* The largest pad offset. */
    h = two_segments(p_far(false, 0x1fffffff, 1), 0, 0);
    s = ncp_msg_root(h.m, "Root");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "at word 536870911 of segment 1");
    release(&h);
    /* A double-far pad needs two words: at word 1 of 2 it does not fit. */
    h = two_segments(p_far(true, 1, 1), 0, 0);
    s = ncp_msg_root(h.m, "Root");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "landing pad at word 1 of segment 1",
               "outside its 2 words");
    release(&h);
    /* The pad is in range but its target is not. */
    h = two_segments(p_far(false, 1, 1), 42, p_struct(0, 1, 0));
    s = ncp_msg_root(h.m, "Root");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "struct of 1 words at word 2",
               "outside segment 1 of 2 words");
    release(&h);
}

static void single_far_pad_that_is_far(void **state) {
    (void)state;
    held h = two_segments(p_far(false, 0, 1), p_far(false, 1, 1),
                          p_struct(-2, 1, 0));
    ncp_struct s = ncp_msg_root(h.m, "Root");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Root: far pointer's landing pad",
               "segment 1 word 0", "itself a far pointer");
    release(&h);
    h = two_segments(p_far(false, 0, 1), p_far(true, 0, 1), 0);
    assert_int_equal(ncp_ptr_type(ncp_msg_root_ptr(h.m)), NCP_PTR_INVALID);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "itself a far pointer");
    release(&h);
}

/* Segment 0: the root, a double-far pointer to segment 1 word 0; segment 1:
 * the two-word pad; segment 2: one word of content. */
static held double_far(uint64_t pad0, uint64_t pad1, uint64_t content) {
    const uint64_t words[] = {p_far(true, 0, 1), pad0, pad1, content};
    const uint32_t sizes[] = {1, 2, 1};
    return hold(words, sizes, 3, NULL);
}

static void malformed_double_far_pads(void **state) {
    (void)state;
    /* Well formed: a struct, and text. */
    held h = double_far(p_far(false, 0, 2), p_struct(0, 1, 0), 77);
    ncp_struct s = ncp_msg_root(h.m, "Root");
    assert_int_equal(ncp_struct_u64(&s, 0), 77);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    h = double_far(p_far(false, 0, 2), p_list(0, NCP_ELEM_BYTE, 8),
                   bytes_word("abcdefg"));
    ncp_text t = ncp_ptr_text(ncp_msg_root_ptr(h.m), "Root");
    assert_string_equal(t.str, "abcdefg");
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);

    /* The first pad word is not a far pointer. */
    h = double_far(p_struct(0, 1, 0), p_struct(0, 1, 0), 77);
    s = ncp_msg_root(h.m, "Root");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Root: double-far landing pad",
               "segment 1 word 0", "does not start with a single far pointer");
    release(&h);
    /* It is itself a double-far pointer. */
    h = double_far(p_far(true, 0, 2), p_struct(0, 1, 0), 77);
    s = ncp_msg_root(h.m, "Root");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED,
               "does not start with a single far pointer");
    release(&h);
    /* The tag is neither a struct nor a list pointer. */
    const uint64_t bad_tags[] = {p_far(false, 0, 2), p_cap(0),
                                 3u | (uint64_t)1 << 2};
    for (size_t i = 0; i < 3; i++) {
        h = double_far(p_far(false, 0, 2), bad_tags[i], 77);
        assert_int_equal(ncp_ptr_type(ncp_msg_root_ptr(h.m)), NCP_PTR_INVALID);
        EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "double-far landing pad's tag",
                   "segment 1 word 1", "not a struct or list pointer");
        release(&h);
    }
    /* The segment of the content is missing. */
    h = double_far(p_far(false, 0, 7), p_struct(0, 1, 0), 77);
    s = ncp_msg_root(h.m, "Root");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "double-far landing pad names segment 7",
               "the message has 3");
    release(&h);
    /* The content lies outside its segment. */
    h = double_far(p_far(false, 1, 2), p_struct(0, 1, 0), 77);
    s = ncp_msg_root(h.m, "Root");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "struct of 1 words at word 1",
               "outside segment 2 of 1 words");
    release(&h);
}

/* ------------------------------------------------------------------------
 * Nesting and cycles
 * ------------------------------------------------------------------------ */

/* A chain of n structs, each a single pointer to the next: word k (k >= 1)
 * is struct k's pointer. */
static held chain(uint32_t n, const ncp_read_options *o) {
    uint64_t words[300];
    assert_true(n < 300);
    for (uint32_t k = 0; k < n; k++)
        words[k] = p_struct(0, 0, 1);
    words[n] = 0;
    return hold1(words, n + 1, o);
}

/* Follows the chain until a null pointer or an error; returns the structs
 * read. */
static int follow(ncp_msg *m) {
    ncp_ptr p = ncp_msg_root_ptr(m);
    int depth = 0;
    while (!ncp_ptr_is_null(p) && depth < 100000) {
        ncp_struct s = ncp_ptr_struct(p, "Node.next");
        if (ncp_msg_status(m) != NCP_OK) break;
        depth++;
        p = ncp_struct_ptr(&s, 0);
    }
    return depth;
}

static void nesting_past_the_limit(void **state) {
    (void)state;
    held h = chain(64, NULL);
    assert_int_equal(follow(h.m), 64);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    h = chain(65, NULL);
    assert_int_equal(follow(h.m), 64);
    EXPECT_MSG(h.m, NCP_ERR_NESTING, "Node.next: nesting limit exceeded");
    release(&h);
    h = chain(200, NULL);
    assert_int_equal(follow(h.m), 64);
    EXPECT_MSG(h.m, NCP_ERR_NESTING, "nesting limit");
    release(&h);

    /* The limit is an option. */
    ncp_read_options o = {0};
    o.nesting_limit = 3;
    h = chain(3, &o);
    assert_int_equal(follow(h.m), 3);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    h = chain(4, &o);
    assert_int_equal(follow(h.m), 3);
    EXPECT_MSG(h.m, NCP_ERR_NESTING, "nesting limit");
    release(&h);

    /* Lists count too: root -> list of pointers -> struct, limit 1. */
    o.nesting_limit = 1;
    h = hold1(WORDS(p_list(0, NCP_ELEM_POINTER, 1), p_struct(0, 1, 0), 5), 3,
              &o);
    ncp_list l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_POINTER, "Ls");
    assert_int_equal(ncp_list_len(&l), 1);
    ncp_struct s = ncp_ptr_struct(ncp_list_ptr(&l, 0), "Ls[0]");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    EXPECT_MSG(h.m, NCP_ERR_NESTING, "Ls[0]: nesting limit");
    release(&h);

    /* A deep copy stops at the limit too. */
    h = chain(65, NULL);
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(h.m));
    EXPECT_BUILDER(b, NCP_ERR_NESTING, "copy", "nesting limit");
    ncp_builder_free(b);
    release(&h);
}

static void pointer_cycles(void **state) {
    (void)state;
    /* A struct whose only pointer points at itself. */
    held h = HOLD1(p_struct(0, 0, 1), p_struct(-1, 0, 1));
    assert_int_equal(follow(h.m), 64);
    EXPECT_MSG(h.m, NCP_ERR_NESTING, "nesting limit", "cycle");
    assert_int_equal(ncp_msg_traversal_left(h.m),
                     NCP_DEFAULT_TRAVERSAL_LIMIT_WORDS - 64);
    release(&h);

    /* A list of pointers whose element points at the list. */
    h = HOLD1(p_list(0, NCP_ELEM_POINTER, 1), p_list(-1, NCP_ELEM_POINTER, 1));
    ncp_ptr p = ncp_msg_root_ptr(h.m);
    int depth = 0;
    for (; depth < 1000; depth++) {
        ncp_list l = ncp_ptr_list(p, NCP_ELEM_POINTER, "Loop.items");
        if (ncp_msg_status(h.m) != NCP_OK) break;
        p = ncp_list_ptr(&l, 0);
    }
    assert_int_equal(depth, 64);
    EXPECT_MSG(h.m, NCP_ERR_NESTING, "Loop.items: nesting limit");
    release(&h);

    /* A cycle through a far pointer: segment 1 word 0 is a struct pointer
     * to word 1, whose pointer is a far pointer back to word 0. */
    const uint64_t words[] = {p_far(false, 0, 1), p_struct(0, 0, 1),
                              p_far(false, 0, 1)};
    const uint32_t sizes[] = {1, 2};
    h = hold(words, sizes, 2, NULL);
    assert_int_equal(follow(h.m), 64);
    EXPECT_MSG(h.m, NCP_ERR_NESTING, "nesting limit");
    release(&h);

    /* Deep copies of cycles stop cleanly. */
    h = HOLD1(p_struct(0, 0, 1), p_struct(-1, 0, 1));
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(h.m));
    EXPECT_BUILDER(b, NCP_ERR_NESTING, "nesting limit");
    ncp_builder_free(b);
    release(&h);
}

/* ------------------------------------------------------------------------
 * Amplification
 * ------------------------------------------------------------------------ */

static void void_list_amplification(void **state) {
    (void)state;
    /* One word claims 2^29 - 1 elements of nothing. */
    held h = HOLD1(p_list(0, NCP_ELEM_VOID, NCP_MAX_LIST_ELEMENTS));
    ncp_list l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_LIST_ANY, "Voids");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(h.m, NCP_ERR_LIMIT, "Voids: traversal limit exceeded");
    assert_int_equal(ncp_msg_traversal_left(h.m), 0);
    release(&h);

    /* The limit is an option: exactly enough passes, one word less fails. */
    ncp_read_options o = {0};
    o.traversal_limit_words = NCP_MAX_LIST_ELEMENTS;
    h = hold1(WORDS(p_list(0, NCP_ELEM_VOID, NCP_MAX_LIST_ELEMENTS)), 1, &o);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_VOID, "Voids");
    assert_int_equal(ncp_list_len(&l), NCP_MAX_LIST_ELEMENTS);
    assert_int_equal(ncp_msg_traversal_left(h.m), 0);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    o.traversal_limit_words = NCP_MAX_LIST_ELEMENTS - 1;
    h = hold1(WORDS(p_list(0, NCP_ELEM_VOID, NCP_MAX_LIST_ELEMENTS)), 1, &o);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_VOID, "Voids");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(h.m, NCP_ERR_LIMIT, "traversal limit");
    release(&h);

    /* A struct list of zero-size structs: the tag word is charged, then a
     * word per element. */
    h = HOLD1(p_list(0, NCP_ELEM_COMPOSITE, 0),
              list_tag(NCP_MAX_LIST_ELEMENTS, 0, 0));
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_COMPOSITE, "Empties");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(h.m, NCP_ERR_LIMIT, "Empties: traversal limit exceeded");
    release(&h);
    o.traversal_limit_words = (uint64_t)NCP_MAX_LIST_ELEMENTS + 1;
    h = hold1(WORDS(p_list(0, NCP_ELEM_COMPOSITE, 0),
                    list_tag(NCP_MAX_LIST_ELEMENTS, 0, 0)),
              2, &o);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_COMPOSITE, "Empties");
    assert_int_equal(ncp_list_len(&l), NCP_MAX_LIST_ELEMENTS);
    assert_int_equal(ncp_msg_traversal_left(h.m), 0);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
    o.traversal_limit_words = NCP_MAX_LIST_ELEMENTS;
    h = hold1(WORDS(p_list(0, NCP_ELEM_COMPOSITE, 0),
                    list_tag(NCP_MAX_LIST_ELEMENTS, 0, 0)),
              2, &o);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_COMPOSITE, "Empties");
    EXPECT_MSG(h.m, NCP_ERR_LIMIT, "traversal limit");
    release(&h);
}

/* 1000 pointers to one List(Void) of 10000 elements: each reference is
 * charged, so a small message cannot make a reader do unbounded work. */
static void repeated_references_are_charged(void **state) {
    (void)state;
    enum { N = 1000, ELEMS = 10000 };
    static uint64_t words[N + 1];
    words[0] = p_list(0, NCP_ELEM_POINTER, N);
    for (int64_t i = 1; i <= N; i++) /* the void list sits at word N + 1 */
        words[i] = p_list(N - i, NCP_ELEM_VOID, ELEMS);
    for (int pass = 0; pass < 2; pass++) {
        ncp_read_options o = {0};
        if (pass == 1) o.traversal_limit_per_message_word = ELEMS + 10;
        held h = hold1(words, N + 1, &o);
        ncp_list ptrs =
            ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_POINTER, "Refs");
        assert_int_equal(ncp_list_len(&ptrs), N);
        uint32_t ok = 0;
        for (uint32_t i = 0; i < N; i++) {
            ncp_list v =
                ncp_ptr_list(ncp_list_ptr(&ptrs, i), NCP_ELEM_VOID, "Refs[i]");
            if (ncp_msg_status(h.m) != NCP_OK) break;
            assert_int_equal(ncp_list_len(&v), ELEMS);
            ok++;
        }
        if (pass == 0) {
            /* (8Mi - 1000) / 10000 references fit in the default budget. */
            assert_int_equal(ok,
                             (NCP_DEFAULT_TRAVERSAL_LIMIT_WORDS - N) / ELEMS);
            EXPECT_MSG(h.m, NCP_ERR_LIMIT, "Refs[i]: traversal limit");
        } else {
            /* Scaled by the message size (1001 words), the budget holds. */
            assert_int_equal(ok, N);
            assert_int_equal(ncp_msg_status(h.m), NCP_OK);
        }
        release(&h);
    }
}

/* ------------------------------------------------------------------------
 * Truncated input
 * ------------------------------------------------------------------------ */

/* A message of several segments with text, lists and struct lists. */
static ncp_builder *sample(void) {
    ncp_builder_options bo = {0};
    bo.first_segment_words = 6;
    bo.growth = NCP_GROW_FIXED;
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(&bo, &b), NCP_OK);
    ncp_bstruct r = ncp_builder_init_root(b, 2, 4);
    ncp_bstruct_set_u64(&r, 0, 0x0102030405060708u);
    ncp_bstruct_set_u32(&r, 8, 0xffffffffu);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 0), "hello, hostile world", 20);
    const uint16_t vals[10] = {1, 0, 300, 0, 0, 65535, 7, 0, 0, 9};
    ncp_bptr_init_list_from(ncp_bstruct_ptr(&r, 1), NCP_ELEM_2BYTES, 10, vals);
    ncp_blist sl = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 2), 3, 1, 1);
    for (uint32_t i = 0; i < 3; i++) {
        ncp_bstruct e = ncp_blist_struct(&sl, i);
        ncp_bstruct_set_u64(&e, 0, 0x1111111111111111u * (i + 1));
        ncp_bptr_set_text(ncp_bstruct_ptr(&e, 0), "element", 7);
    }
    const bool bits[13] = {true, false, true, true,  false, false, false,
                           true, true,  true, false, true,  true};
    ncp_bptr_init_bools_from(ncp_bstruct_ptr(&r, 3), 13, bits);
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    assert_true(ncp_builder_segment_count(b) >= 3);
    return b;
}

/* Every strict prefix of a valid message fails with NCP_ERR_TRUNCATED
 * through every reading function and packing mode; the whole passes. */
static void every_prefix_is_truncated(void **state) {
    (void)state;
    ncp_builder *b = sample();
    for (int packed = 0; packed < 2; packed++) {
        ts_buf full = ts_write_mem(b, packed ? NCP_WRITE_PACKED : 0);
        assert_true(full.len <= 4096);
        ncp_read_options modes[2] = {
            packing(NCP_PACKING_AUTO),
            packing(packed ? NCP_PACKING_PACKED : NCP_PACKING_UNPACKED)};
        for (int mode = 0; mode < 2; mode++) {
            for (int v = 0; v < VIA_COUNT; v++) {
                ncp_error err;
                if (try_via((via)v, full.data, full.len, &modes[mode], &err) !=
                    NCP_OK)
                    fail_msg("%s, %s: the whole message fails: %s",
                             via_names[v], packed ? "packed" : "unpacked",
                             err.message);
                for (size_t len = 0; len < full.len; len++) {
                    try_via((via)v, full.data, len, &modes[mode], &err);
                    char ctx[96];
                    snprintf(ctx, sizeof ctx, "%s, %s, prefix of %zu bytes",
                             via_names[v], packed ? "packed" : "unpacked", len);
                    check_error(&err, NCP_ERR_TRUNCATED, KEYS(""), ctx,
                                __FILE__, __LINE__);
                }
            }
        }
        ts_buf_free(&full);
    }
    ncp_builder_free(b);
}

/* Truncation at chosen points, with the messages that say where. */
static void truncated_tables_and_segments(void **state) {
    (void)state;
    ncp_read_options unpacked = packing(NCP_PACKING_UNPACKED);
    ncp_read_options packed = packing(NCP_PACKING_PACKED);
    /* Three segments need a 16-byte table; 12 bytes are given. */
    const uint8_t table[12] = {2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    OPEN_FAILS(table, sizeof table, NULL, NCP_ERR_TRUNCATED,
               "segment table: 3 segments need 16 bytes, input has 12");
    OPEN_FAILS(table, 5, NULL, NCP_ERR_TRUNCATED, "segment table",
               "shorter than one word");
    OPEN_FAILS(table, 0, NULL, NCP_ERR_TRUNCATED, "empty input");
    ALL_VIAS_FAIL(table, sizeof table, &unpacked, NCP_ERR_TRUNCATED, "");
    /* The table promises 2 words, 1 follows. */
    const uint8_t short_seg[16] = {0, 0, 0, 0, 2, 0, 0, 0};
    OPEN_FAILS(short_seg, sizeof short_seg, NULL, NCP_ERR_TRUNCATED,
               "segments need 16 bytes, input has 8");
    ALL_VIAS_FAIL(short_seg, sizeof short_seg, NULL, NCP_ERR_TRUNCATED, "");
    /* Packed: a raw run promising two words, one given. */
    const uint8_t raw[] = {0x10, 0x03, 0xff, 1, 2, 3, 4, 5, 6, 7,
                           8,    2,    9,    9, 9, 9, 9, 9, 9, 9};
    OPEN_FAILS(raw, sizeof raw, &packed, NCP_ERR_TRUNCATED,
               "packed input: truncated at byte 16 of the segments");
    ALL_VIAS_FAIL(raw, sizeof raw, &packed, NCP_ERR_TRUNCATED, "packed input");
    /* Packed: a tag naming 8 bytes, 3 given. */
    const uint8_t tag_short[] = {0x10, 0x01, 0xff, 1, 2, 3};
    ALL_VIAS_FAIL(tag_short, sizeof tag_short, &packed, NCP_ERR_TRUNCATED, "");
    /* Packed: the table's second word is missing. */
    const uint8_t table_short[] = {0x11, 0x01, 0x02};
    OPEN_FAILS(table_short, sizeof table_short, &packed, NCP_ERR_TRUNCATED,
               "packed input: truncated in the segment table");
    ALL_VIAS_FAIL(table_short, sizeof table_short, &packed, NCP_ERR_TRUNCATED,
                  "");
    /* Packed: 2^28 - 1 words cannot come out of 6 bytes; nothing is
     * allocated for them. */
    rec_alloc rec = {0, 1u << 20, 0};
    packed.alloc.fn = rec_fn;
    packed.alloc.ud = &rec;
    packed.max_message_words = NCP_LARGE_MAX_MESSAGE_WORDS;
    const uint8_t huge[] = {0xf0, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00};
    OPEN_FAILS(huge, sizeof huge, &packed, NCP_ERR_TRUNCATED,
               "268435455 words cannot be encoded in the 2 bytes left");
    assert_true(rec.largest < 4096);
    assert_int_equal(rec.live, 0);
}

/* Runs in packed input may not cross the end of the region they belong to
 * (the segment table, the segments). */
static void packed_runs_crossing_region_ends(void **state) {
    (void)state;
    ncp_read_options packed = packing(NCP_PACKING_PACKED);
    /* Two segments (16-byte table); the table's second word is zero, its
     * run claims one more zero word, beyond the table. */
    const uint8_t table_run[] = {0x11, 0x01, 0x02, 0x00, 0x01, 0, 0, 0, 0};
    OPEN_FAILS(table_run, sizeof table_run, &packed, NCP_ERR_MALFORMED,
               "packed input: a run crosses the end of the segment table");
    ALL_VIAS_FAIL(table_run, sizeof table_run, &packed, NCP_ERR_MALFORMED,
                  "run crosses the end of the segment table");
    /* One segment of two words: a zero run of 5 more words. */
    const uint8_t zero_run[] = {0x10, 0x02, 0x00, 0x05, 0, 0, 0, 0};
    OPEN_FAILS(zero_run, sizeof zero_run, &packed, NCP_ERR_MALFORMED,
               "packed input: a run passes the end of the message at byte 0");
    ALL_VIAS_FAIL(zero_run, sizeof zero_run, &packed, NCP_ERR_MALFORMED, "run");
    /* A raw run of 3 more words where one remains. */
    const uint8_t raw_run[] = {0x10, 0x02, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 3,
                               1,    2,    3,    4, 5, 6, 7, 8, 1, 2, 3, 4,
                               5,    6,    7,    8, 1, 2, 3, 4, 5, 6, 7, 8};
    ALL_VIAS_FAIL(raw_run, sizeof raw_run, &packed, NCP_ERR_MALFORMED, "run");
    /* ncp_unpack itself. */
    uint8_t out[16];
    ncp_error err = {NCP_OK, ""};
    size_t used = 99;
    const uint8_t bare[] = {0x00, 0x07};
    assert_int_equal(ncp_unpack(bare, sizeof bare, out, 2, &used, &err),
                     NCP_ERR_MALFORMED);
    EXPECT_ERROR(&err, NCP_ERR_MALFORMED, "run passes the end of the output");
    assert_true(used <= sizeof bare);
    ncp_error_clear(&err);
    assert_int_equal(ncp_unpack(bare, 1, out, 2, &used, &err),
                     NCP_ERR_TRUNCATED);
    EXPECT_ERROR(&err, NCP_ERR_TRUNCATED, "packed input: ends after");
}

/* ------------------------------------------------------------------------
 * Segment tables that are too large
 * ------------------------------------------------------------------------ */

static void segment_counts_that_overflow(void **state) {
    (void)state;
    ncp_read_options unpacked = packing(NCP_PACKING_UNPACKED);
    ncp_read_options packed = packing(NCP_PACKING_PACKED);
    /* A count field of 0xffffffff is 2^32 segments, beyond any limit. */
    const uint8_t max_count[16] = {0xff, 0xff, 0xff, 0xff};
    OPEN_FAILS(max_count, sizeof max_count, &unpacked, NCP_ERR_TOO_LARGE,
               "segment table: 4294967296 segments exceed the limit of 512");
    ALL_VIAS_FAIL(max_count, sizeof max_count, &unpacked, NCP_ERR_TOO_LARGE,
                  "4294967296 segments exceed the limit of 512");
    unpacked.max_segments = UINT32_MAX;
    OPEN_FAILS(max_count, sizeof max_count, &unpacked, NCP_ERR_TOO_LARGE,
               "4294967296 segments exceed the limit of 4294967295");
    /* Packed: tag 0x0f then four 0xff (auto-detected as packed). */
    const uint8_t max_packed[] = {0x0f, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00};
    OPEN_FAILS(max_packed, sizeof max_packed, NULL, NCP_ERR_TOO_LARGE,
               "4294967296 segments exceed the limit of 512");
    ALL_VIAS_FAIL(max_packed, sizeof max_packed, &packed, NCP_ERR_TOO_LARGE,
                  "4294967296 segments");

    /* 512 segments pass, 513 do not; the limit is an option. */
    for (uint32_t n = 512; n <= 513; n++) {
        uint32_t sizes[513] = {1};
        uint64_t root = 0;
        ts_buf bytes = frame(&root, sizes, n);
        if (n == 512) {
            ncp_msg *m = NULL;
            assert_int_equal(
                ncp_msg_from_buffer(bytes.data, bytes.len, NULL, &m, NULL),
                NCP_OK);
            assert_int_equal(ncp_msg_segment_count(m), 512);
            ncp_msg_free(m);
            ncp_read_options few = {0};
            few.max_segments = 511;
            OPEN_FAILS(bytes.data, bytes.len, &few, NCP_ERR_TOO_LARGE,
                       "512 segments exceed the limit of 511");
        } else {
            OPEN_FAILS(bytes.data, bytes.len, NULL, NCP_ERR_TOO_LARGE,
                       "513 segments exceed the limit of 512");
            ALL_VIAS_FAIL(bytes.data, bytes.len, NULL, NCP_ERR_TOO_LARGE,
                          "513 segments exceed the limit of 512");
        }
        ts_buf_free(&bytes);
    }
    /* The same limit for caller-owned segments. */
    static const void *segs[513];
    static uint32_t words[513];
    ncp_msg *m = NULL;
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_msg_from_segments(segs, words, 513, NULL, &m, &err),
                     NCP_ERR_TOO_LARGE);
    assert_null(m);
    EXPECT_ERROR(&err, NCP_ERR_TOO_LARGE, "513 segments exceed the limit");
}

/* Segment sizes summing past max_message_words fail before anything is
 * allocated, through every reading function. */
static void segment_sizes_past_the_message_limit(void **state) {
    (void)state;
    rec_alloc rec = {0, 1u << 20, 0};
    ncp_read_options o = {0};
    o.alloc.fn = rec_fn;
    o.alloc.ud = &rec;
    /* The large limit (the default is the traversal limit, 8Mi words). */
    o.max_message_words = NCP_LARGE_MAX_MESSAGE_WORDS;

    /* Two segments of 2^31 words each (2^32 words: 32 bits would wrap). */
    const uint8_t wraps[16] = {1, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x80};
    /* Two segments of 2^27 + 1 words: each fits, the sum does not. */
    const uint8_t sum[16] = {1, 0, 0, 0, 1, 0, 0, 8, 1, 0, 0, 8};
    /* 2^28 words: the default limit exactly, but far beyond the input. */
    const uint8_t at_limit[16] = {0, 0, 0, 0, 0, 0, 0, 0x10};
    ALL_VIAS_FAIL(wraps, sizeof wraps, &o, NCP_ERR_TOO_LARGE,
                  "segment table: message of at least 2147483648 words",
                  "exceeds the limit of 268435456 words");
    ALL_VIAS_FAIL(sum, sizeof sum, &o, NCP_ERR_TOO_LARGE,
                  "at least 268435458 words exceeds the limit");
    /* Packed versions of the same tables. */
    uint8_t packed[64];
    size_t plen = ncp_pack(wraps, 2, packed, sizeof packed);
    assert_true(plen > 0);
    ncp_read_options po = o;
    po.packing = NCP_PACKING_PACKED;
    ALL_VIAS_FAIL(packed, plen, &po, NCP_ERR_TOO_LARGE,
                  "exceeds the limit of 268435456 words");
    plen = ncp_pack(sum, 2, packed, sizeof packed);
    ALL_VIAS_FAIL(packed, plen, &po, NCP_ERR_TOO_LARGE, "exceeds the limit");
    /* A lower limit is honoured the same way. */
    o.max_message_words = 1000;
    const uint8_t over[16] = {0, 0, 0, 0, 0xe9, 0x03, 0, 0}; /* 1001 words */
    ALL_VIAS_FAIL(over, sizeof over, &o, NCP_ERR_TOO_LARGE,
                  "at least 1001 words exceeds the limit of 1000 words");
    assert_true(rec.largest <= 65536); /* at most the read-ahead buffer */

    /* The default limit is the traversal limit (8Mi words), as in the
     * reference library. */
    o.max_message_words = 0;
    OPEN_FAILS(at_limit, sizeof at_limit, &o, NCP_ERR_TOO_LARGE,
               "exceeds the limit of 8388608 words");
    /* Within the limit but beyond the input: memory and regular files know
     * the size and fail before allocating the segments. */
    o.max_message_words = NCP_LARGE_MAX_MESSAGE_WORDS;
    rec.largest = 0;
    OPEN_FAILS(at_limit, sizeof at_limit, &o, NCP_ERR_TRUNCATED,
               "segments need 2147483648 bytes, input has 8");
    for (int v = VIA_FILE; v <= VIA_MAP; v++) {
        ncp_error err;
        try_via((via)v, at_limit, sizeof at_limit, &o, &err);
        check_error(&err, NCP_ERR_TRUNCATED, KEYS(""), via_names[v], __FILE__,
                    __LINE__);
    }
    assert_true(rec.largest <= 65536);
    assert_int_equal(rec.live, 0);
}

/* ------------------------------------------------------------------------
 * Pointers of the wrong kind
 * ------------------------------------------------------------------------ */

static void capability_pointers(void **state) {
    (void)state;
    held h = HOLD1(p_cap(5));
    assert_int_equal(ncp_ptr_type(ncp_msg_root_ptr(h.m)), NCP_PTR_CAPABILITY);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    ncp_struct s = ncp_msg_root(h.m, "Root");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    EXPECT_MSG(h.m, NCP_ERR_CAPABILITY,
               "Root: capability pointer where a struct was expected");
    release(&h);

    struct {
        int what; /* 0 list, 1 text, 2 data */
        const char *key;
    } cases[] = {{0, "F: capability pointer where a list was expected"},
                 {1, "F: capability pointer where text was expected"},
                 {2, "F: capability pointer where data was expected"}};
    for (int i = 0; i < 3; i++) {
        h = HOLD1(p_cap(0));
        ncp_ptr p = ncp_msg_root_ptr(h.m);
        if (cases[i].what == 0) {
            ncp_list l = ncp_ptr_list(p, NCP_LIST_ANY, "F");
            assert_int_equal(ncp_list_len(&l), 0);
        } else if (cases[i].what == 1) {
            ncp_text t = ncp_ptr_text(p, "F");
            assert_string_equal(t.str, "");
        } else {
            ncp_data d = ncp_ptr_data(p, "F");
            assert_null(d.ptr);
        }
        EXPECT_MSG(h.m, NCP_ERR_CAPABILITY, cases[i].key);
        release(&h);
    }

    /* Behind a far pointer, inside a list of pointers, and when copied. */
    h = two_segments(p_far(false, 0, 1), p_cap(1), 0);
    assert_int_equal(ncp_ptr_type(ncp_msg_root_ptr(h.m)), NCP_PTR_CAPABILITY);
    s = ncp_msg_root(h.m, "Root");
    EXPECT_MSG(h.m, NCP_ERR_CAPABILITY, "capability pointer");
    release(&h);
    h = HOLD1(p_list(0, NCP_ELEM_POINTER, 2), 0, p_cap(3));
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(h.m));
    EXPECT_BUILDER(b, NCP_ERR_CAPABILITY, "capability pointer");
    EXPECT_MSG(h.m, NCP_ERR_CAPABILITY, "capability pointer");
    size_t written = 0;
    uint8_t out[256];
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(
        ncp_builder_write_mem(b, 0, out, sizeof out, &written, &err),
        NCP_ERR_CAPABILITY);
    EXPECT_ERROR(&err, NCP_ERR_CAPABILITY, "builder holds an error");
    ncp_builder_free(b);
    release(&h);
}

/* "Other" pointers (kind 3) with a nonzero type field are reserved. */
static void unknown_other_pointers(void **state) {
    (void)state;
    const uint64_t other = 3u | (uint64_t)1 << 2;
    held h = HOLD1(other);
    assert_int_equal(ncp_ptr_type(ncp_msg_root_ptr(h.m)), NCP_PTR_INVALID);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "pointer at segment 0 word 0",
               "unknown kind");
    release(&h);
    h = HOLD1(other);
    ncp_struct s = ncp_msg_root(h.m, "Root");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED,
               "Root: pointer of an unknown kind where a struct was "
               "expected");
    release(&h);
    h = HOLD1(0xffffffffffffffffu);
    ncp_text t = ncp_ptr_text(ncp_msg_root_ptr(h.m), "Name");
    assert_string_equal(t.str, "");
    EXPECT_MSG(h.m, NCP_ERR_MALFORMED, "Name: pointer of an unknown kind",
               "where text was expected");
    release(&h);
    h = HOLD1(p_struct(0, 0, 1), other);
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(h.m));
    EXPECT_BUILDER(b, NCP_ERR_MALFORMED, "unknown kind");
    ncp_builder_free(b);
    release(&h);
}

static void text_without_nul(void **state) {
    (void)state;
    static const struct {
        uint64_t count;
        uint64_t bytes;
        const char *key;
    } cases[] = {
        {3, 0x636261u, "Name: text of 3 bytes is not NUL-terminated"},
        {0, 0, "Name: text of 0 bytes is not NUL-terminated"},
        {8, 0x6867666564636261u, "text of 8 bytes"},
        {4, 0x64006261u, "text of 4 bytes"}, /* a NUL, but not last */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        held h =
            HOLD1(p_list(0, NCP_ELEM_BYTE, cases[i].count), cases[i].bytes);
        ncp_text t = ncp_ptr_text(ncp_msg_root_ptr(h.m), "Name");
        assert_non_null(t.str);
        assert_string_equal(t.str, "");
        assert_int_equal(t.len, 0);
        EXPECT_MSG(h.m, NCP_ERR_MALFORMED, cases[i].key);
        /* The same bytes are fine as Data. */
        ncp_data d = ncp_ptr_data(ncp_msg_root_ptr(h.m), "Blob");
        assert_int_equal(d.len, cases[i].count);
        assert_non_null(d.ptr);
        release(&h);
    }
}

static void text_and_data_that_are_not_byte_lists(void **state) {
    (void)state;
    static const struct {
        uint64_t ptr;
        int data; /* read as Data rather than Text */
        const char *key;
    } cases[] = {
        {1u | (uint64_t)NCP_ELEM_2BYTES << 32 | (uint64_t)2 << 35, 0,
         "T: found a list of 2-byte values where text was expected"},
        {1u | (uint64_t)NCP_ELEM_BIT << 32 | (uint64_t)8 << 35, 0,
         "T: found List(Bool) where text was expected"},
        {1u | (uint64_t)NCP_ELEM_VOID << 32 | (uint64_t)8 << 35, 1,
         "T: found List(Void) where data was expected"},
        {1u | (uint64_t)NCP_ELEM_COMPOSITE << 32 | (uint64_t)1 << 35, 1,
         "T: found a struct list where data was expected"},
        {1u | (uint64_t)NCP_ELEM_8BYTES << 32 | (uint64_t)1 << 35, 1,
         "T: found a list of 8-byte values where data was expected"},
        {(uint64_t)1 << 32, 0,
         "T: found a struct pointer where text was "
         "expected"},
        {(uint64_t)1 << 32, 1,
         "T: found a struct pointer where data was "
         "expected"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        held h = HOLD1(cases[i].ptr, list_tag(1, 1, 0), 0x61);
        ncp_ptr p = ncp_msg_root_ptr(h.m);
        if (cases[i].data) {
            ncp_data d = ncp_ptr_data(p, "T");
            assert_null(d.ptr);
            assert_int_equal(d.len, 0);
        } else {
            ncp_text t = ncp_ptr_text(p, "T");
            assert_string_equal(t.str, "");
        }
        EXPECT_MSG(h.m, NCP_ERR_TYPE, cases[i].key);
        release(&h);
    }
}

static void struct_where_list_expected_and_back(void **state) {
    (void)state;
    held h = HOLD1(p_struct(0, 1, 0), 7);
    ncp_list l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_LIST_ANY, "R.items");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(h.m, NCP_ERR_TYPE,
               "R.items: found a struct pointer where a list was expected");
    release(&h);
    h = HOLD1(p_list(0, NCP_ELEM_8BYTES, 1), 7);
    ncp_struct s = ncp_ptr_struct(ncp_msg_root_ptr(h.m), "R.child");
    assert_int_equal(ncp_struct_u64(&s, 0), 0);
    EXPECT_MSG(h.m, NCP_ERR_TYPE,
               "R.child: found a list pointer where a struct was expected");
    release(&h);
    /* An invalid element size is a caller error. */
    h = HOLD1(p_list(0, NCP_ELEM_8BYTES, 1), 7);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), 8, "R.items");
    assert_int_equal(ncp_list_len(&l), 0);
    EXPECT_MSG(h.m, NCP_ERR_ARG, "R.items: invalid expected element size 8");
    release(&h);
}

static void incompatible_list_upgrades(void **state) {
    (void)state;
    static const struct {
        uint64_t ptr;
        int expected;
        const char *key;
    } bad[] = {
        {1u | (uint64_t)NCP_ELEM_BIT << 32 | (uint64_t)8 << 35,
         NCP_ELEM_COMPOSITE,
         "L: found List(Bool) where a struct list was "
         "expected"},
        {1u | (uint64_t)NCP_ELEM_COMPOSITE << 32 | (uint64_t)2 << 35,
         NCP_ELEM_4BYTES,
         "L: found a struct list where a list of 4-byte "
         "values was expected"},
        {1u | (uint64_t)NCP_ELEM_BYTE << 32 | (uint64_t)8 << 35,
         NCP_ELEM_4BYTES,
         "found a list of bytes where a list of 4-byte "
         "values was expected"},
        {1u | (uint64_t)NCP_ELEM_4BYTES << 32 | (uint64_t)2 << 35, NCP_ELEM_BIT,
         "found a list of 4-byte values where List(Bool) was "
         "expected"},
        {1u | (uint64_t)NCP_ELEM_POINTER << 32 | (uint64_t)1 << 35,
         NCP_ELEM_8BYTES,
         "found a list of pointers where a list of 8-byte "
         "values was expected"},
        {1u | (uint64_t)NCP_ELEM_8BYTES << 32 | (uint64_t)1 << 35,
         NCP_ELEM_POINTER,
         "found a list of 8-byte values where a list of "
         "pointers was expected"},
        {1u | (uint64_t)NCP_ELEM_BIT << 32 | (uint64_t)8 << 35, NCP_ELEM_BYTE,
         "found List(Bool) where a list of bytes was expected"},
    };
    /* Word 1 is the struct list's tag when there is one: two elements of no
     * data and one pointer each (both null). */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        held h = HOLD1(bad[i].ptr, list_tag(2, 0, 1), 0, 0);
        ncp_list l = ncp_ptr_list(ncp_msg_root_ptr(h.m), bad[i].expected, "L");
        assert_int_equal(ncp_list_len(&l), 0);
        assert_int_equal(ncp_list_u32(&l, 0), 0);
        EXPECT_MSG(h.m, NCP_ERR_TYPE, bad[i].key);
        release(&h);
    }
    /* The compatible readings of a struct list (one data word, one
     * pointer): as its first field, as its first pointer. */
    held h = HOLD1(p_list(0, NCP_ELEM_COMPOSITE, 4), list_tag(2, 1, 1),
                   0x11111111u, 0, 0x22222222u, p_list(0, NCP_ELEM_VOID, 3));
    ncp_list l =
        ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_4BYTES, "L as UInt32");
    assert_int_equal(ncp_list_len(&l), 2);
    assert_int_equal(ncp_list_u32(&l, 1), 0x22222222u);
    l = ncp_ptr_list(ncp_msg_root_ptr(h.m), NCP_ELEM_POINTER, "L as pointers");
    assert_int_equal(ncp_list_len(&l), 2);
    ncp_list v = ncp_ptr_list(ncp_list_ptr(&l, 1), NCP_ELEM_VOID, "L[1]");
    assert_int_equal(ncp_list_len(&v), 3);
    assert_int_equal(ncp_msg_status(h.m), NCP_OK);
    release(&h);
}

/* ------------------------------------------------------------------------
 * Detection of packing
 * ------------------------------------------------------------------------ */

/* An unpacked message of n segments: a chain of structs (one data word, one
 * pointer) in segments of a few words, n of them. */
static ts_buf chain_of_segments(uint32_t n) {
    ncp_builder_options bo = {0};
    bo.first_segment_words = 2;
    bo.growth = NCP_GROW_FIXED;
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(&bo, &b), NCP_OK);
    ncp_bptr p = ncp_builder_root_ptr(b);
    for (uint32_t i = 1; ncp_builder_segment_count(b) < n; i++) {
        ncp_bstruct s = ncp_bptr_init_struct(p, 1, 1);
        ncp_bstruct_set_u32(&s, 0, i);
        p = ncp_bstruct_ptr(&s, 0);
    }
    assert_int_equal(ncp_builder_segment_count(b), n);
    ts_buf out = ts_write_mem(b, 0);
    ncp_builder_free(b);
    return out;
}

/* Reads the chain written by chain_of_segments: its length, or -1. */
static int chain_length(ncp_msg *m) {
    ncp_ptr p = ncp_msg_root_ptr(m);
    int n = 0;
    while (!ncp_ptr_is_null(p)) {
        ncp_struct s = ncp_ptr_struct(p, "Chain");
        if (ncp_msg_status(m) != NCP_OK ||
            ncp_struct_u32(&s, 0) != (uint32_t)n + 1)
            return -1;
        n++;
        p = ncp_struct_ptr(&s, 0);
    }
    return n;
}

/* The packed message of one small segment with a null root starts
 * 0x10 n 0x00 0x00; bytes 2 and 3 are zero, as in unpacked framing, but it
 * is taken as packed (docs/security.md, "Packed or unpacked"). */
static void auto_detection_of_a_packed_null_root(void **state) {
    (void)state;
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ts_buf bytes = ts_write_mem(b, NCP_WRITE_PACKED);
    const uint8_t expect[] = {0x10, 0x01, 0x00, 0x00};
    ts_assert_bytes_equal(bytes.data, bytes.len, expect, sizeof expect);
    ncp_builder_free(b);
    /* Where the length is known (memory, regular files, maps) it settles
     * the ambiguous head; a pipe or an fmemopen stream reads it as unpacked
     * framing (docs/security.md) and needs to be told. */
    ncp_read_options packed = packing(NCP_PACKING_PACKED);
    for (int v = 0; v < VIA_COUNT; v++) {
        ncp_error err;
        bool unknown_length = v == VIA_FMEMOPEN || v == VIA_PIPE;
        ncp_status st = try_via((via)v, bytes.data, bytes.len, NULL, &err);
        if (unknown_length) {
            assert_int_equal(st, NCP_ERR_TRUNCATED);
            st = try_via((via)v, bytes.data, bytes.len, &packed, &err);
        }
        if (st != NCP_OK) fail_msg("%s: %s", via_names[v], err.message);
    }
    ncp_msg *m = NULL;
    assert_int_equal(ncp_msg_from_buffer(bytes.data, bytes.len, NULL, &m, NULL),
                     NCP_OK);
    assert_int_equal(ncp_msg_consumed(m), 4);
    assert_true(ncp_ptr_is_null(ncp_msg_root_ptr(m)));
    ncp_msg_free(m);
    ts_buf_free(&bytes);
}

/* Unpacked framing of 273 segments starts 0x10 0x01 0x00 0x00 too.  In
 * memory the length settles it: the bytes hold a whole unpacked message. */
static void auto_detection_of_273_segments_in_memory(void **state) {
    (void)state;
    const uint32_t counts[] = {273, 289, 321, 385};
    for (int i = 0; i < 4; i++) {
        ts_buf bytes = chain_of_segments(counts[i]);
        assert_int_equal(bytes.data[2], 0);
        assert_int_equal(bytes.data[3], 0);
        ncp_read_options o = {0};
        o.nesting_limit = 1000;
        ncp_msg *m = NULL;
        assert_int_equal(
            ncp_msg_from_buffer(bytes.data, bytes.len, &o, &m, NULL), NCP_OK);
        assert_int_equal(ncp_msg_segment_count(m), counts[i]);
        assert_int_equal(ncp_msg_consumed(m), bytes.len);
        assert_int_equal(chain_length(m), (int)counts[i] - 1);
        ncp_msg_free(m);
        ts_write_file(SCRATCH_FILE, bytes.data, bytes.len);
        assert_int_equal(ncp_msg_map_path(SCRATCH_FILE, &o, &m, NULL), NCP_OK);
        assert_int_equal(ncp_msg_segment_count(m), counts[i]);
        ncp_msg_free(m);
        ts_buf_free(&bytes);
    }
}

/* ------------------------------------------------------------------------
 * Regressions: bugs this file found, since fixed.
 * ------------------------------------------------------------------------ */

/* Runs fn in a child process and fails unless it exits with status 0: a
 * crash (a stack overflow) must not take the test program down with it. */
static void in_child(int (*fn)(void), const char *what) {
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(fn());
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        fail_msg("%s: the child was killed by signal %d", what,
                 WTERMSIG(status));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s: the child exited with status %d", what,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static int copy_cycle_at_max_nesting(void) {
    uint8_t seg[16];
    ncp_store64(seg, p_struct(0, 0, 1));
    ncp_store64(seg + 8, p_struct(-1, 0, 1));
    const void *segs[1] = {seg};
    uint32_t words[1] = {2};
    ncp_read_options o = {0};
    o.nesting_limit = 65535; /* the largest the options allow */
    ncp_msg *m = NULL;
    if (ncp_msg_from_segments(segs, words, 1, &o, &m, NULL) != NCP_OK) return 2;
    ncp_builder *b = NULL;
    if (ncp_builder_new(NULL, &b) != NCP_OK) return 3;
    ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(m));
    int rc = ncp_builder_status(b) == NCP_ERR_NESTING ? 0 : 4;
    ncp_builder_free(b);
    ncp_msg_free(m);
    return rc;
}

/* ncp_bptr_copy used to recurse once per pointer level, so its stack depth
 * was the nesting limit: with the largest limit the options allow (65535),
 * a 16-byte message - a struct pointing at itself - overflowed an 8 MiB
 * stack (at about 12000 levels in a release build). */
static void copy_of_cycle_at_max_nesting_limit(void **state) {
    (void)state;
    in_child(copy_cycle_at_max_nesting, "ncp_bptr_copy, nesting limit 65535");
}

static int write_deep_single_segment(void) {
    ncp_builder_options bo = {0};
    bo.first_segment_words = 64;
    bo.growth = NCP_GROW_FIXED;
    ncp_builder *b = NULL;
    if (ncp_builder_new(&bo, &b) != NCP_OK) return 2;
    ncp_bptr p = ncp_builder_root_ptr(b);
    for (uint32_t i = 0; i < 30000; i++) {
        ncp_bstruct s = ncp_bptr_init_struct(p, 1, 1);
        ncp_bstruct_set_u32(&s, 0, i);
        p = ncp_bstruct_ptr(&s, 0);
    }
    if (ncp_builder_status(b) != NCP_OK) return 3;
    size_t cap = (size_t)ncp_builder_write_bound(b, 0), n = 0;
    uint8_t *out = malloc(cap);
    if (out == NULL) return 4;
    ncp_status st =
        ncp_builder_write_mem(b, NCP_WRITE_SINGLE_SEGMENT, out, cap, &n, NULL);
    free(out);
    ncp_builder_free(b);
    return st == NCP_OK ? 0 : 5;
}

/* NCP_WRITE_SINGLE_SEGMENT flattens a builder of several segments by
 * reading it back (nesting limit 65535) and deep-copying it; with the
 * recursive copy a legitimate message - a linked list of 30000 structs -
 * crashed the writer. */
static void single_segment_write_of_a_deep_message(void **state) {
    (void)state;
    in_child(write_deep_single_segment,
             "NCP_WRITE_SINGLE_SEGMENT of a 30000-deep chain");
}

/* A packed run crossing the end of the segment table's first word was
 * reported by ncp_msg_from_buffer as NCP_ERR_TRUNCATED, while the stream
 * readers (and the rest of the table) said NCP_ERR_MALFORMED. */
static void packed_run_crossing_the_first_table_word(void **state) {
    (void)state;
    ncp_read_options packed = packing(NCP_PACKING_PACKED);
    /* A zero first word whose run claims one more zero word, and a raw first
     * word whose run claims one more word. */
    const uint8_t zero_run[] = {0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0};
    const uint8_t raw_run[] = {0xff, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                               1,    1, 1, 1, 1, 1, 1, 1, 0};
    ALL_VIAS_FAIL(zero_run, sizeof zero_run, &packed, NCP_ERR_MALFORMED,
                  "run crosses the end of the", "segment table");
    ALL_VIAS_FAIL(raw_run, sizeof raw_run, &packed, NCP_ERR_MALFORMED,
                  "run crosses the end of the", "segment table");
}

/* ------------------------------------------------------------------------
 * Auto-detection on streams
 * ------------------------------------------------------------------------ */

/* Unpacked framing of 273, 289, 321 or 385 segments starts "T n 00 00" with
 * T one of 0x10, 0x20, 0x40, 0x80 and n = 1, as the packed form of an empty
 * message does.  Regular files settle it by their length (the reader peeks
 * at the segment table and moves back); a pipe or an fmemopen stream, which
 * cannot, reads it as unpacked framing.  So messages that
 * ncp_builder_write_file itself wrote come back whole through every reader;
 * once this was a bug (one segment, a null root, the stream left inside the
 * message), so the test stays. */
static void stream_auto_detection_of_273_segments(void **state) {
    (void)state;
    const uint32_t counts[] = {273, 385};
    char failure[512] = "";
    for (int i = 0; i < 2; i++) {
        ts_buf bytes = chain_of_segments(counts[i]);
        ncp_read_options o = {0};
        o.nesting_limit = 1000;
        for (int v = VIA_FMEMOPEN; v <= VIA_FD; v++) {
            ncp_msg *m = NULL;
            ncp_error err = {NCP_OK, ""};
            ncp_status st = NCP_ERR_ARG;
            FILE *f = NULL;
            int fd = -1;
            uint8_t *copy = NULL;
            if (v == VIA_FMEMOPEN) {
                copy = malloc(bytes.len);
                assert_non_null(copy);
                memcpy(copy, bytes.data, bytes.len);
                f = fmemopen(copy, bytes.len, "r");
            } else if (v == VIA_PIPE) {
                /* The message is larger than a pipe holds: write it from a
                 * child process. */
                int fds[2];
                assert_int_equal(pipe(fds), 0);
                fflush(NULL);
                pid_t pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                    close(fds[0]);
                    size_t done = 0;
                    while (done < bytes.len) {
                        ssize_t k =
                            write(fds[1], bytes.data + done, bytes.len - done);
                        if (k <= 0) _exit(1);
                        done += (size_t)k;
                    }
                    _exit(0);
                }
                close(fds[1]);
                st = ncp_msg_read_fd(fds[0], &o, &m, &err);
                close(fds[0]);
                int status;
                waitpid(pid, &status, 0);
            } else {
                ts_write_file(SCRATCH_FILE, bytes.data, bytes.len);
                if (v == VIA_FILE)
                    f = fopen(SCRATCH_FILE, "rb");
                else
                    fd = open(SCRATCH_FILE, O_RDONLY);
            }
            if (f) {
                st = ncp_msg_read_file(f, &o, &m, &err);
                fclose(f);
            } else if (fd >= 0) {
                st = ncp_msg_read_fd(fd, &o, &m, &err);
                close(fd);
            }
            free(copy);
            uint32_t segs = m ? ncp_msg_segment_count(m) : 0;
            size_t used = m ? ncp_msg_consumed(m) : 0;
            int chain = m ? chain_length(m) : -1;
            ncp_msg_free(m);
            if (failure[0] == '\0' &&
                (st != NCP_OK || segs != counts[i] || used != bytes.len ||
                 chain != (int)counts[i] - 1))
                snprintf(failure, sizeof failure,
                         "%s, %u segments written unpacked: read %s \"%s\": "
                         "%u segments, %zu of %zu bytes, chain of %d",
                         via_names[v], counts[i], ncp_status_name(st),
                         err.message, segs, used, bytes.len, chain);
        }
        ts_buf_free(&bytes);
    }
    if (failure[0] != '\0') fail_msg("%s", failure);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(famous_32_byte_struct_list),
        cmocka_unit_test(struct_list_counts_that_overflow),
        cmocka_unit_test(objects_beyond_the_segment),
        cmocka_unit_test(offsets_at_segment_edges),
        cmocka_unit_test(far_pointers_to_missing_segments),
        cmocka_unit_test(landing_pads_out_of_range),
        cmocka_unit_test(single_far_pad_that_is_far),
        cmocka_unit_test(malformed_double_far_pads),
        cmocka_unit_test(nesting_past_the_limit),
        cmocka_unit_test(pointer_cycles),
        cmocka_unit_test(void_list_amplification),
        cmocka_unit_test(repeated_references_are_charged),
        cmocka_unit_test(every_prefix_is_truncated),
        cmocka_unit_test(truncated_tables_and_segments),
        cmocka_unit_test(packed_runs_crossing_region_ends),
        cmocka_unit_test(segment_counts_that_overflow),
        cmocka_unit_test(segment_sizes_past_the_message_limit),
        cmocka_unit_test(capability_pointers),
        cmocka_unit_test(unknown_other_pointers),
        cmocka_unit_test(text_without_nul),
        cmocka_unit_test(text_and_data_that_are_not_byte_lists),
        cmocka_unit_test(struct_where_list_expected_and_back),
        cmocka_unit_test(incompatible_list_upgrades),
        cmocka_unit_test(auto_detection_of_a_packed_null_root),
        cmocka_unit_test(auto_detection_of_273_segments_in_memory),
        cmocka_unit_test(copy_of_cycle_at_max_nesting_limit),
        cmocka_unit_test(single_segment_write_of_a_deep_message),
        cmocka_unit_test(packed_run_crossing_the_first_table_word),
        cmocka_unit_test(stream_auto_detection_of_273_segments),
    };
    int failed = cmocka_run_group_tests_name("in memory", tests, NULL, NULL);
    g_on_demand = true;
    failed += cmocka_run_group_tests_name("read on demand", tests, NULL, NULL);
    return failed;
}
