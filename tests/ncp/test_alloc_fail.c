/*
 * tests/ncp/test_alloc_fail.c - every allocation made by the builder, the
 * writers and the readers is made to fail once; each failure must be
 * reported as NCP_ERR_NOMEM, and nothing may leak.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An allocator that fails the allocation numbered `fail_at` (counting from
 * 0) and keeps count of live bytes. */
typedef struct failer {
    long fail_at;
    long calls;
    bool failed;
    long long live;
} failer;

static void *failing_alloc(void *ud, void *p, size_t old, size_t n) {
    failer *f = ud;
    if (n == 0) {
        if (p) f->live -= (long long)old;
        free(p);
        return NULL;
    }
    if (f->calls++ == f->fail_at) {
        f->failed = true;
        return NULL;
    }
    void *q = realloc(p, n);
    if (q) f->live += (long long)n - (p ? (long long)old : 0);
    return q;
}

typedef ncp_status (*scenario)(ncp_allocator a);

/* Runs the scenario once per allocation it makes, failing each in turn. */
static void each_allocation_fails_once(scenario run, long min_allocs) {
    long k = 0;
    for (;; k++) {
        failer f = {k, 0, false, 0};
        ncp_allocator a = {failing_alloc, &f};
        ncp_status st = run(a);
        assert_int_equal(f.live, 0); /* nothing leaked, failure or not */
        if (!f.failed) {
            assert_int_equal(st, NCP_OK);
            break;
        }
        if (st != NCP_ERR_NOMEM)
            fail_msg("allocation %ld failed but the scenario returned %s", k,
                     ncp_status_name(st));
    }
    print_message("%ld allocations, each failed once\n", k);
    if (k < min_allocs)
        fail_msg("the scenario made only %ld allocations (expected %ld+)", k,
                 min_allocs);
}

/* Builds a message over many small segments, with orphans and text. */
static ncp_status build(ncp_allocator a, ncp_builder **out) {
    ncp_builder_options o = {0};
    o.first_segment_words = 6;
    o.growth = NCP_GROW_FIXED;
    o.alloc = a;
    ncp_builder *b;
    ncp_status st = ncp_builder_new(&o, &b);
    if (st != NCP_OK) return st;
    ncp_bstruct r = ncp_builder_init_root(b, 1, 3);
    ncp_bstruct_set_u32(&r, 0, 11);
    ncp_blist l = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 0), 40, 1, 1);
    for (uint32_t i = 0; i < 40; i++) {
        ncp_bstruct e = ncp_blist_struct(&l, i);
        ncp_bstruct_set_u32(&e, 0, i);
        uint32_t v[8] = {i, i + 1, 0, 0, i + 4, 0, 0, 0};
        ncp_bptr_init_list_from(ncp_bstruct_ptr(&e, 0), NCP_ELEM_4BYTES, 8, v);
    }
    ncp_orphan o1 = ncp_builder_new_struct_orphan(b, 2, 0);
    ncp_bptr_adopt(ncp_bstruct_ptr(&r, 1), o1);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 2), "allocation failures", 19);
    st = ncp_builder_status(b);
    if (st != NCP_OK) {
        ncp_builder_free(b);
        return st;
    }
    *out = b;
    return NCP_OK;
}

static ncp_status check_content(ncp_msg *m) {
    ncp_struct s = ncp_msg_root(m, NULL);
    ncp_list l = ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_COMPOSITE, NULL);
    if (ncp_struct_u32(&s, 0) != 11 || ncp_list_len(&l) != 40)
        return NCP_ERR_MALFORMED;
    ncp_struct e = ncp_list_struct(&l, 39);
    ncp_list v = ncp_ptr_list(ncp_struct_ptr(&e, 0), NCP_ELEM_4BYTES, NULL);
    if (ncp_list_u32(&v, 4) != 43) return NCP_ERR_MALFORMED;
    return ncp_msg_status(m);
}

static ncp_status scenario_build_and_write(ncp_allocator a) {
    ncp_builder *b;
    ncp_status st = build(a, &b);
    if (st != NCP_OK) return st;
    static uint8_t buf[1 << 16];
    size_t n;
    unsigned flags[] = {0, NCP_WRITE_PACKED, NCP_WRITE_SINGLE_SEGMENT,
                        NCP_WRITE_PACKED | NCP_WRITE_SINGLE_SEGMENT};
    for (size_t i = 0; i < 4 && st == NCP_OK; i++)
        st = ncp_builder_write_mem(b, flags[i], buf, sizeof buf, &n, NULL);
    FILE *f = tmpfile();
    if (st == NCP_OK) st = ncp_builder_write_file(b, f, NCP_WRITE_PACKED, NULL);
    fclose(f);
    ncp_builder_free(b);
    return st;
}

/* A serialized copy of the test message, made with the plain allocator. */
static ts_buf serialized(unsigned flags) {
    ncp_builder *b;
    assert_int_equal(build((ncp_allocator){NULL, NULL}, &b), NCP_OK);
    ts_buf out = ts_write_mem(b, flags);
    ncp_builder_free(b);
    return out;
}

static ncp_status read_all_ways(ncp_allocator a, const ts_buf *bytes) {
    ncp_read_options o = {0};
    o.alloc = a;
    ncp_msg *m;
    ncp_status st = ncp_msg_from_buffer(bytes->data, bytes->len, &o, &m, NULL);
    if (st != NCP_OK) return st;
    st = check_content(m);
    /* Deep copy into a builder that uses the same allocator. */
    if (st == NCP_OK) {
        ncp_builder_options bo = {0};
        bo.alloc = a;
        bo.first_segment_words = 16;
        ncp_builder *b;
        st = ncp_builder_new(&bo, &b);
        if (st == NCP_OK) {
            ncp_bptr_copy(ncp_builder_root_ptr(b), ncp_msg_root_ptr(m));
            st = ncp_builder_status(b);
            ncp_msg *again = NULL;
            if (st == NCP_OK) st = ncp_builder_open(b, &o, &again, NULL);
            if (st == NCP_OK) st = check_content(again);
            ncp_msg_free(again);
            ncp_builder_free(b);
        }
    }
    ncp_msg_free(m);
    if (st != NCP_OK) return st;

    FILE *f = fopen("alloc_fail.bin", "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes->data, 1, bytes->len, f), bytes->len);
    fclose(f);
    f = fopen("alloc_fail.bin", "rb");
    st = ncp_msg_read_file(f, &o, &m, NULL);
    fclose(f);
    if (st != NCP_OK) return st;
    st = check_content(m);
    ncp_msg_free(m);
    if (st != NCP_OK) return st;

    st = ncp_msg_map_path("alloc_fail.bin", &o, &m, NULL);
    if (st != NCP_OK) return st;
    st = check_content(m);
    ncp_msg_free(m);
    if (st != NCP_OK) return st;

    /* On demand, through a FILE* and a descriptor; the rest read by
     * ncp_msg_detach. */
    for (int by_file = 0; by_file < 2 && st == NCP_OK; by_file++) {
        f = fopen("alloc_fail.bin", "rb");
        assert_non_null(f);
        st = by_file ? ncp_msg_read_file_on_demand(f, &o, &m, NULL)
                     : ncp_msg_read_fd_on_demand(fileno(f), &o, &m, NULL);
        if (st == NCP_OK) {
            st = check_content(m);
            if (st == NCP_OK) st = ncp_msg_detach(m, NULL);
            ncp_msg_free(m);
        }
        fclose(f);
    }
    return st;
}

static ts_buf g_unpacked, g_packed;

static ncp_status scenario_read_unpacked(ncp_allocator a) {
    return read_all_ways(a, &g_unpacked);
}
static ncp_status scenario_read_packed(ncp_allocator a) {
    return read_all_ways(a, &g_packed);
}

static void builder_and_writers(void **state) {
    (void)state;
    each_allocation_fails_once(scenario_build_and_write, 20);
}

static void readers_unpacked(void **state) {
    (void)state;
    g_unpacked = serialized(0);
    assert_true(ncp_load32(g_unpacked.data) + 1 > 16); /* a big table */
    each_allocation_fails_once(scenario_read_unpacked, 8);
    ts_buf_free(&g_unpacked);
}

static void readers_packed(void **state) {
    (void)state;
    g_packed = serialized(NCP_WRITE_PACKED);
    each_allocation_fails_once(scenario_read_packed, 10);
    ts_buf_free(&g_packed);
}

/* A message larger than a window of transient lists: BIGN lists of BIGLEN
 * values, the last value of list i being i. */
#define BIGN   60u
#define BIGLEN 2500u

static void write_big(const char *path) {
    ncp_builder *b;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 1);
    ncp_blist p =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 0), NCP_ELEM_POINTER, BIGN);
    for (uint32_t i = 0; i < BIGN; i++) {
        ncp_blist l =
            ncp_bptr_init_list(ncp_blist_ptr(&p, i), NCP_ELEM_8BYTES, BIGLEN);
        ncp_blist_set_u64(&l, BIGLEN - 1, i);
    }
    ts_buf bytes = ts_write_mem(b, 0);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes.data, 1, bytes.len, f), bytes.len);
    assert_int_equal(fclose(f), 0);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* Its lists read on demand as transient lists, through windows read ahead
 * by a helper thread and without: the window buffers are allocated at the
 * first window read, and a failure is recorded in the message. */
static ncp_status scenario_transient(ncp_allocator a) {
    ncp_status st = NCP_OK;
    for (int ahead = 0; ahead < 2 && st == NCP_OK; ahead++) {
        FILE *f = fopen("alloc_fail_big.bin", "rb");
        assert_non_null(f);
        ncp_read_options o = {0};
        o.alloc = a;
        o.no_read_ahead = !ahead;
        ncp_msg *m;
        st = ncp_msg_read_fd_on_demand(fileno(f), &o, &m, NULL);
        if (st == NCP_OK) {
            ncp_struct r = ncp_msg_root(m, NULL);
            ncp_list p =
                ncp_ptr_list(ncp_struct_ptr(&r, 0), NCP_ELEM_POINTER, NULL);
            if (ncp_list_len(&p) != BIGN) st = NCP_ERR_MALFORMED;
            for (uint32_t i = 0; i < ncp_list_len(&p); i++) {
                ncp_list l = ncp_ptr_list_transient(ncp_list_ptr(&p, i),
                                                    NCP_ELEM_8BYTES, NULL);
                if (ncp_list_len(&l) == BIGLEN &&
                    ncp_list_u64(&l, BIGLEN - 1) != i)
                    st = NCP_ERR_MALFORMED;
            }
            if (st == NCP_OK) st = ncp_msg_status(m);
            ncp_msg_free(m);
        }
        fclose(f);
    }
    return st;
}

static void transient_readers(void **state) {
    (void)state;
    write_big("alloc_fail_big.bin");
    each_allocation_fails_once(scenario_transient, 8);
    remove("alloc_fail_big.bin");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builder_and_writers),
        cmocka_unit_test(readers_unpacked),
        cmocka_unit_test(readers_packed),
        cmocka_unit_test(transient_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
