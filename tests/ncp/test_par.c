/*
 * tests/ncp/test_par.c - the copies shared between the calling thread and a
 * helper (src/ncp/par.c): large messages written to memory and read at once
 * from regular files.
 *
 * Shared or not, the bytes must be the same: a message written to memory
 * equals the one written to a file, whatever its segments and wherever
 * they meet the chunks; a message read from a FILE* or a descriptor reads
 * as built and leaves the stream right after itself.  The helper must
 * really take part (else the sharing is dead code), and a read that fails
 * must say so: an I/O error as such, a file that ends early with where.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include "internal.h" /* ncp__par_for, ncp__read_par, NCP__PAR_* */

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * The chunk runner
 * ------------------------------------------------------------------------ */

enum { CHUNKS = 64 };

typedef struct runs {
    atomic_uint count[CHUNKS]; /* calls per chunk */
    atomic_uint by[2];         /* calls per worker */
    atomic_uint entered;       /* bit per worker seen */
    bool wait_for_both;
} runs;

/* Counts the call.  With wait_for_both, the first call of the first worker
 * to arrive waits (up to 10 s) until the other has arrived too, so that
 * when a helper runs, both take chunks, whatever the scheduler does. */
static void count_chunk(void *ctx, unsigned worker, size_t c) {
    runs *r = ctx;
    assert_true(worker < 2 && c < CHUNKS);
    atomic_fetch_add(&r->count[c], 1);
    unsigned seen = atomic_fetch_or(&r->entered, 1u << worker);
    if (atomic_fetch_add(&r->by[worker], 1) == 0 && seen == 0 &&
        r->wait_for_both) {
        struct timespec pause = {0, 1000000};
        for (int i = 0; i < 10000 && atomic_load(&r->entered) != 3u; i++)
            nanosleep(&pause, NULL);
    }
}

static void every_chunk_once_in_two_threads(void **state) {
    (void)state;
    runs r;
    memset(&r, 0, sizeof r);
    r.wait_for_both = true;
    assert_true(ncp__par_for(CHUNKS, count_chunk, &r, true));
    for (size_t c = 0; c < CHUNKS; c++)
        assert_int_equal(atomic_load(&r.count[c]), 1);
    assert_int_equal(atomic_load(&r.entered), 3u);
    assert_true(atomic_load(&r.by[0]) >= 1 && atomic_load(&r.by[1]) >= 1);
    assert_int_equal(atomic_load(&r.by[0]) + atomic_load(&r.by[1]), CHUNKS);
}

static void every_chunk_once_in_one_thread(void **state) {
    (void)state;
    runs r;
    memset(&r, 0, sizeof r);
    /* Without a helper, or with a single chunk, the caller does all. */
    assert_false(ncp__par_for(CHUNKS, count_chunk, &r, false));
    for (size_t c = 0; c < CHUNKS; c++)
        assert_int_equal(atomic_load(&r.count[c]), 1);
    assert_int_equal(atomic_load(&r.by[0]), CHUNKS);
    assert_int_equal(atomic_load(&r.by[1]), 0);
    memset(&r, 0, sizeof r);
    assert_false(ncp__par_for(1, count_chunk, &r, true));
    assert_int_equal(atomic_load(&r.by[0]), 1);
    assert_int_equal(atomic_load(&r.by[1]), 0);
    assert_false(ncp__par_for(0, count_chunk, &r, true));
}

/* ------------------------------------------------------------------------
 * Reading a file's bytes
 * ------------------------------------------------------------------------ */

static uint8_t pattern(size_t i) {
    return (uint8_t)((i * 2654435761u) >> 13);
}

static int pattern_file(const char *path, size_t n) {
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(i);
    ts_write_file(path, p, n);
    free(p);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    return fd;
}

static void read_par_reads_exactly(void **state) {
    (void)state;
    const size_t n = ((size_t)9 << 20) + 4093; /* 10 chunks, the last short */
    int fd = pattern_file("par.bin", n + 100);
    uint8_t *dst = malloc(n + 2);
    assert_non_null(dst);
    for (int helper = 0; helper < 2; helper++) {
        memset(dst, 0xee, n + 2);
        ncp_error err = {NCP_OK, ""};
        assert_int_equal(
            ncp__read_par(fd, dst + 1, 37, n, helper != 0, "segments", &err),
            NCP_OK);
        for (size_t i = 0; i < n; i++)
            if (dst[1 + i] != pattern(37 + i))
                fail_msg("byte %zu differs (helper %d)", i, helper);
        assert_int_equal(dst[0], 0xee);
        assert_int_equal(dst[n + 1], 0xee);
        /* pread(2) does not move the descriptor. */
        assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
    }
    free(dst);
    close(fd);
}

static void read_par_reports_failures(void **state) {
    (void)state;
    /* The file ends 3.5 MiB in: the first missing byte is named. */
    const size_t have = (size_t)7 << 19, n = (size_t)5 << 20;
    int fd = pattern_file("short.bin", have);
    uint8_t *dst = malloc(n);
    assert_non_null(dst);
    for (int helper = 0; helper < 2; helper++) {
        ncp_error err = {NCP_OK, ""};
        assert_int_equal(
            ncp__read_par(fd, dst, 0, n, helper != 0, "segments", &err),
            NCP_ERR_TRUNCATED);
        assert_string_equal(err.message,
                            "segments: input ends after 3670016 of 5242880 "
                            "bytes");
        for (size_t i = 0; i < have; i++)
            if (dst[i] != pattern(i)) fail_msg("byte %zu differs", i);
    }
    close(fd);
    /* A descriptor that cannot be read. */
    fd = open("short.bin", O_WRONLY);
    assert_true(fd >= 0);
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp__read_par(fd, dst, 0, n, true, "segments", &err),
                     NCP_ERR_IO);
    assert_non_null(strstr(err.message, "read: "));
    close(fd);
    free(dst);
}

/* ------------------------------------------------------------------------
 * Through the public API
 * ------------------------------------------------------------------------ */

enum { LISTS = 23 };

/* A message of many segments whose edges fall anywhere in the chunks: the
 * root holds LISTS lists of UInt32, each of a different length, in a
 * builder whose segments are 90000 words apiece (one list each, since
 * every list is longer than half a segment). */
static uint32_t list_len(uint32_t k) {
    return 100000 + 977 * k;
}

static ncp_builder *make_segmented(void) {
    ncp_builder_options o = {0};
    o.first_segment_words = 90000;
    o.growth = NCP_GROW_FIXED;
    ncp_builder *b;
    assert_int_equal(ncp_builder_new(&o, &b), NCP_OK);
    ncp_bstruct r = ncp_builder_init_root(b, 1, LISTS);
    ncp_bstruct_set_u32(&r, 0, 0xc0ffee);
    for (uint32_t k = 0; k < LISTS; k++) {
        uint32_t len = list_len(k);
        ncp_blist l =
            ncp_bptr_init_list(ncp_bstruct_ptr(&r, k), NCP_ELEM_4BYTES, len);
        for (uint32_t i = 0; i < len; i++)
            ncp_blist_set_u32(&l, i, k * 0x01000193u ^ i);
    }
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    assert_true(ncp_builder_segment_count(b) > 10);
    assert_true(ncp_builder_write_bound(b, 0) >= NCP__PAR_MIN_BYTES);
    return b;
}

static void check_segmented(ncp_msg *m) {
    ncp_struct r = ncp_msg_root(m, NULL);
    assert_int_equal(ncp_struct_u32(&r, 0), 0xc0ffee);
    for (uint32_t k = 0; k < LISTS; k++) {
        ncp_list l = ncp_ptr_list(ncp_struct_ptr(&r, k), NCP_ELEM_4BYTES, NULL);
        assert_int_equal(ncp_list_len(&l), list_len(k));
        for (uint32_t i = 0; i < list_len(k); i++)
            if (ncp_list_u32(&l, i) != (k * 0x01000193u ^ i))
                fail_msg("list %u element %u differs", k, i);
    }
    assert_int_equal(ncp_msg_status(m), NCP_OK);
}

/* Writes small, big, small to path; ends[] receives where each ends. */
static ts_buf write_sequence(const char *path, const ncp_builder *big,
                             long ends[3]) {
    ncp_builder *small;
    assert_int_equal(ncp_builder_new(NULL, &small), NCP_OK);
    ncp_bstruct r = ncp_builder_init_root(small, 1, 0);
    ncp_bstruct_set_u32(&r, 0, 77);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(ncp_builder_write_file(small, f, 0, NULL), NCP_OK);
    ends[0] = ftell(f);
    assert_int_equal(ncp_builder_write_file(big, f, 0, NULL), NCP_OK);
    ends[1] = ftell(f);
    assert_int_equal(ncp_builder_write_file(small, f, 0, NULL), NCP_OK);
    ends[2] = ftell(f);
    assert_int_equal(fclose(f), 0);
    ncp_builder_free(small);
    ts_buf all = ts_read_file(path);
    assert_int_equal(all.len, (size_t)ends[2]);
    return all;
}

static void segments_to_memory_as_to_a_file(void **state) {
    (void)state;
    ncp_builder *b = make_segmented();
    long ends[3];
    ts_buf all = write_sequence("seq.bin", b, ends);
    const uint8_t *ref = all.data + ends[0];
    size_t want = (size_t)(ends[1] - ends[0]);
    assert_int_equal(want, ncp_builder_write_bound(b, 0));
    uint8_t *buf = malloc(want + 64);
    assert_non_null(buf);
    const unsigned flags[] = {0, NCP_WRITE_ONE_THREAD};
    for (size_t k = 0; k < 2; k++)
        for (size_t off = 0; off < 64; off += 21) {
            memset(buf, 0x5a, want + 64);
            size_t n = 0;
            ncp_error err = {NCP_OK, ""};
            assert_int_equal(
                ncp_builder_write_mem(b, flags[k], buf + off, want, &n, &err),
                NCP_OK);
            assert_int_equal(n, want);
            ts_assert_bytes_equal(buf + off, n, ref, want);
            for (size_t i = 0; i < off; i++)
                assert_int_equal(buf[i], 0x5a);
            for (size_t i = off + want; i < want + 64; i++)
                assert_int_equal(buf[i], 0x5a);
        }
    /* Too small: an error, and nothing written. */
    memset(buf, 0x5a, want + 64);
    size_t n = 0;
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_builder_write_mem(b, 0, buf, want - 8, &n, &err),
                     NCP_ERR_TOO_LARGE);
    assert_int_equal(n, want);
    for (size_t i = 0; i < want + 64; i++)
        if (buf[i] != 0x5a) fail_msg("byte %zu written", i);
    /* A flag the library does not know is refused. */
    ncp_error_clear(&err);
    assert_int_equal(ncp_builder_write_mem(b, 8u, buf, want, &n, &err),
                     NCP_ERR_ARG);
    assert_string_equal(err.message, "write: unknown flags 0x8");
    free(buf);
    ts_buf_free(&all);
    ncp_builder_free(b);
}

static void large_read_from_file_and_descriptor(void **state) {
    (void)state;
    ncp_builder *b = make_segmented();
    long ends[3];
    ts_buf all = write_sequence("seq.bin", b, ends);
    for (int one = 0; one < 2; one++) {
        ncp_read_options o = {0};
        o.no_read_ahead = one != 0;
        /* A FILE*: its buffer holds the start of the big message after
         * the small one is read; the stream is left after each. */
        FILE *f = fopen("seq.bin", "rb");
        assert_non_null(f);
        ncp_msg *m;
        ncp_error err = {NCP_OK, ""};
        assert_int_equal(ncp_msg_read_file(f, &o, &m, &err), NCP_OK);
        assert_int_equal(ftell(f), ends[0]);
        ncp_msg_free(m);
        assert_int_equal(ncp_msg_read_file(f, &o, &m, &err), NCP_OK);
        assert_int_equal(ftell(f), ends[1]);
        assert_int_equal(ncp_msg_consumed(m), (size_t)(ends[1] - ends[0]));
        check_segmented(m);
        ncp_msg_free(m);
        assert_int_equal(ncp_msg_read_file(f, &o, &m, &err), NCP_OK);
        assert_int_equal(ftell(f), ends[2]);
        ncp_struct r = ncp_msg_root(m, NULL);
        assert_int_equal(ncp_struct_u32(&r, 0), 77);
        ncp_msg_free(m);
        fclose(f);
        /* A descriptor, from the big message on. */
        int fd = open("seq.bin", O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(lseek(fd, ends[0], SEEK_SET), ends[0]);
        assert_int_equal(ncp_msg_read_fd(fd, &o, &m, &err), NCP_OK);
        assert_int_equal(lseek(fd, 0, SEEK_CUR), ends[1]);
        check_segmented(m);
        ncp_msg_free(m);
        close(fd);
    }
    ts_buf_free(&all);
    ncp_builder_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_chunk_once_in_two_threads),
        cmocka_unit_test(every_chunk_once_in_one_thread),
        cmocka_unit_test(read_par_reads_exactly),
        cmocka_unit_test(read_par_reports_failures),
        cmocka_unit_test(segments_to_memory_as_to_a_file),
        cmocka_unit_test(large_read_from_file_and_descriptor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
