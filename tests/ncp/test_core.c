/*
 * tests/ncp/test_core.c - every pointer and list kind, built and read back;
 * the encodings the specification lets a reader accept in place of others;
 * far and double-far pointers; limits; builder errors.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

/* Serializes b (unpacked), opens the bytes, returns the message; the bytes
 * are kept in *keep and must be freed after the message. */
static ncp_msg *reopen(const ncp_builder *b, ts_buf *keep) {
    *keep = ts_write_mem(b, 0);
    return ts_open(keep);
}

static ncp_builder *new_builder(uint32_t first_words, ncp_growth growth) {
    ncp_builder_options o = {0};
    o.first_segment_words = first_words;
    o.growth = growth;
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(&o, &b), NCP_OK);
    return b;
}

/* ------------------------------------------------------------------------
 * Structs and primitive fields
 * ------------------------------------------------------------------------ */

static void struct_primitive_fields(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 3, 0);
    ncp_bstruct_set_u8(&r, 0, 0xab);
    ncp_bstruct_set_bool(&r, 9, true); /* byte 1, bit 1 */
    ncp_bstruct_set_u16(&r, 2, 0xbeef);
    ncp_bstruct_set_u32(&r, 4, 0xdeadbeefu);
    ncp_bstruct_set_u64(&r, 8, 0x0123456789abcdefull);
    ncp_bstruct_set_u32(&r, 16, ncp_f32_to_bits(-1.5f));
    ncp_bstruct_set_u32(&r, 20, (uint32_t)-7);
    /* Beyond the data section: ignored by setters, 0 for getters. */
    ncp_bstruct_set_u64(&r, 24, 42);
    ncp_bstruct_set_u32(&r, 22, 42); /* straddles the end */
    assert_int_equal(ncp_bstruct_u64(&r, 24), 0);
    assert_int_equal(ncp_bstruct_u32(&r, 4), 0xdeadbeefu);
    assert_true(ncp_bstruct_bool(&r, 9));

    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, "Root");
    assert_int_equal(ncp_struct_u8(&s, 0), 0xab);
    assert_true(ncp_struct_bool(&s, 9));
    assert_false(ncp_struct_bool(&s, 8));
    assert_int_equal(ncp_struct_u16(&s, 2), 0xbeef);
    assert_int_equal(ncp_struct_u32(&s, 4), 0xdeadbeefu);
    assert_int_equal(ncp_struct_u64(&s, 8), 0x0123456789abcdefull);
    assert_true(ncp_f32_from_bits(ncp_struct_u32(&s, 16)) == -1.5f);
    assert_int_equal((int32_t)ncp_struct_u32(&s, 20), -7);
    /* Older-writer rule: fields past the encoded section read as 0. */
    assert_int_equal(ncp_struct_u64(&s, 24), 0);
    assert_int_equal(ncp_struct_u32(&s, 22), 0);
    assert_false(ncp_struct_bool(&s, 24 * 8));
    assert_true(ncp_ptr_is_null(ncp_struct_ptr(&s, 0)));
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* The exact words of a small message, computed by hand from the spec. */
static void exact_encoding(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 1, 2);
    ncp_bstruct_set_u32(&r, 0, 0x12345678);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 0), "hi", 2);
    ncp_bptr_init_struct(ncp_bstruct_ptr(&r, 1), 0, 0); /* empty struct */
    ts_buf out = ts_write_mem(b, 0);
    const uint64_t expect[] = {
        0x0000000000000000ull | 3u << 0, /* table: 1 segment, 5 words */
        0x0002000100000000ull,           /* root: offset 0, 1 data, 2 ptrs */
        0x0000000012345678ull,           /* data word */
        0x0000001a00000005ull,           /* text: offset 1, bytes, 3 elems */
        0x00000000fffffffcull,           /* empty struct: offset -1 */
        0x0000000000006968ull,           /* "hi\0" */
    };
    uint8_t want[sizeof expect];
    for (size_t i = 0; i < 6; i++)
        ncp_store64(want + i * 8, expect[i]);
    ncp_store32(want, 0);     /* segment count - 1 */
    ncp_store32(want + 4, 5); /* segment 0 size */
    ts_assert_bytes_equal(out.data, out.len, want, sizeof want);
    ts_buf_free(&out);
    ncp_builder_free(b);
}

static void nested_and_empty_structs(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 3);
    ncp_bstruct inner = ncp_bptr_init_struct(ncp_bstruct_ptr(&r, 0), 1, 1);
    ncp_bstruct_set_u64(&inner, 0, 77);
    ncp_bstruct deep = ncp_bptr_init_struct(ncp_bstruct_ptr(&inner, 0), 1, 0);
    ncp_bstruct_set_u16(&deep, 6, 99);
    ncp_bptr_init_struct(ncp_bstruct_ptr(&r, 1), 0, 0);
    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);
    assert_int_equal(ncp_ptr_type(ncp_struct_ptr(&s, 0)), NCP_PTR_STRUCT);
    ncp_struct in = ncp_ptr_struct(ncp_struct_ptr(&s, 0), "R.inner");
    assert_int_equal(ncp_struct_u64(&in, 0), 77);
    ncp_struct d = ncp_ptr_struct(ncp_struct_ptr(&in, 0), "Inner.deep");
    assert_int_equal(ncp_struct_u16(&d, 6), 99);
    /* The empty struct is not null and reads as defaults. */
    ncp_ptr e = ncp_struct_ptr(&s, 1);
    assert_false(ncp_ptr_is_null(e));
    assert_int_equal(ncp_ptr_type(e), NCP_PTR_STRUCT);
    ncp_struct es = ncp_ptr_struct(e, "R.empty");
    assert_non_null(es.data);
    assert_int_equal(es.data_bytes, 0);
    assert_int_equal(ncp_struct_u32(&es, 0), 0);
    /* A null pointer reads as an empty struct, without error. */
    ncp_struct n = ncp_ptr_struct(ncp_struct_ptr(&s, 2), "R.none");
    assert_int_equal(n.data_bytes, 0);
    assert_int_equal(n.ptr_count, 0);
    /* Pointer index beyond the section reads as null. */
    assert_true(ncp_ptr_is_null(ncp_struct_ptr(&s, 3)));
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * Lists of every encoding
 * ------------------------------------------------------------------------ */

enum { N = 37 };

static void primitive_lists(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 8);
    ncp_bptr_init_list(ncp_bstruct_ptr(&r, 0), NCP_ELEM_VOID, 1000);
    ncp_blist bits =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 1), NCP_ELEM_BIT, N);
    ncp_blist u8 = ncp_bptr_init_list(ncp_bstruct_ptr(&r, 2), NCP_ELEM_BYTE, N);
    ncp_blist u16 =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 3), NCP_ELEM_2BYTES, N);
    ncp_blist u32 =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 4), NCP_ELEM_4BYTES, N);
    ncp_blist u64 =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 5), NCP_ELEM_8BYTES, N);
    ncp_blist f64 =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 6), NCP_ELEM_8BYTES, N);
    for (uint32_t i = 0; i < N; i++) {
        ncp_blist_set_bool(&bits, i, i % 3 == 0);
        ncp_blist_set_u8(&u8, i, (uint8_t)(i * 5));
        ncp_blist_set_u16(&u16, i, (uint16_t)(i * 1001));
        ncp_blist_set_u32(&u32, i, i * 100003u);
        ncp_blist_set_u64(&u64, i, (uint64_t)i << 40 | i);
        ncp_blist_set_f64(&f64, i, (double)i / 3.0);
    }
    /* Out-of-range element stores are ignored. */
    ncp_blist_set_u32(&u32, N, 1);
    assert_int_equal(ncp_blist_u32(&u32, N), 0);

    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);
    ncp_list lv = ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_VOID, "v");
    assert_int_equal(ncp_list_len(&lv), 1000);
    ncp_list lb = ncp_ptr_list(ncp_struct_ptr(&s, 1), NCP_ELEM_BIT, "b");
    ncp_list l8 = ncp_ptr_list(ncp_struct_ptr(&s, 2), NCP_ELEM_BYTE, "u8");
    ncp_list l16 = ncp_ptr_list(ncp_struct_ptr(&s, 3), NCP_ELEM_2BYTES, "u16");
    ncp_list l32 = ncp_ptr_list(ncp_struct_ptr(&s, 4), NCP_ELEM_4BYTES, "u32");
    ncp_list l64 = ncp_ptr_list(ncp_struct_ptr(&s, 5), NCP_ELEM_8BYTES, "u64");
    ncp_list lf = ncp_ptr_list(ncp_struct_ptr(&s, 6), NCP_ELEM_8BYTES, "f64");
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(ncp_list_bool(&lb, i), i % 3 == 0);
        assert_int_equal(ncp_list_u8(&l8, i), (uint8_t)(i * 5));
        assert_int_equal(ncp_list_u16(&l16, i), (uint16_t)(i * 1001));
        assert_int_equal(ncp_list_u32(&l32, i), i * 100003u);
        assert_int_equal(ncp_list_u64(&l64, i), (uint64_t)i << 40 | i);
        assert_true(ncp_list_f64(&lf, i) == (double)i / 3.0);
    }
    assert_int_equal(ncp_list_u32(&l32, N), 0); /* out of range */
    /* Bulk getters, whole and partial. */
    uint32_t a32[N];
    assert_int_equal(ncp_list_get_u32s(&l32, 0, N, a32), N);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(a32[i], i * 100003u);
    uint16_t a16[N];
    assert_int_equal(ncp_list_get_u16s(&l16, 30, 100, a16), N - 30);
    assert_int_equal(a16[0], (uint16_t)(30 * 1001));
    bool ab[N];
    assert_int_equal(ncp_list_get_bools(&lb, 0, N, ab), N);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(ab[i], i % 3 == 0);
    double ad[N];
    assert_int_equal(ncp_list_get_f64s(&lf, 0, N, ad), N);
    assert_true(ad[9] == 3.0);
    assert_int_equal(ncp_list_get_u32s(&l32, N, 5, a32), 0);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static void bulk_init_and_set(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 6);
    int8_t i8[5] = {-1, 2, -3, 4, -5};
    int16_t i16[5] = {-300, 2, -3, 4, 32767};
    float f32[5] = {0.5f, -0.25f, 1e10f, -0.0f, 3.0f};
    int64_t i64[3] = {-1, INT64_MIN, INT64_MAX};
    bool bo[11] = {1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1};
    ncp_bptr_init_list_from(ncp_bstruct_ptr(&r, 0), NCP_ELEM_BYTE, 5, i8);
    ncp_bptr_init_list_from(ncp_bstruct_ptr(&r, 1), NCP_ELEM_2BYTES, 5, i16);
    ncp_bptr_init_list_from(ncp_bstruct_ptr(&r, 2), NCP_ELEM_4BYTES, 5, f32);
    ncp_bptr_init_list_from(ncp_bstruct_ptr(&r, 3), NCP_ELEM_8BYTES, 3, i64);
    ncp_bptr_init_bools_from(ncp_bstruct_ptr(&r, 4), 11, bo);
    ncp_blist l =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 5), NCP_ELEM_4BYTES, 6);
    uint32_t part[3] = {7, 8, 9};
    assert_int_equal(ncp_blist_set_u32s(&l, 2, 3, part), 3);
    assert_int_equal(ncp_blist_set_u32s(&l, 5, 3, part), 1); /* clipped */
    assert_int_equal(ncp_builder_status(b), NCP_OK);

    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);
    int8_t o8[5];
    int16_t o16[5];
    float of[5];
    int64_t o64[3];
    bool ob[11];
    uint32_t o32[6];
    ncp_list l0 = ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_BYTE, NULL);
    ncp_list l1 = ncp_ptr_list(ncp_struct_ptr(&s, 1), NCP_ELEM_2BYTES, NULL);
    ncp_list l2 = ncp_ptr_list(ncp_struct_ptr(&s, 2), NCP_ELEM_4BYTES, NULL);
    ncp_list l3 = ncp_ptr_list(ncp_struct_ptr(&s, 3), NCP_ELEM_8BYTES, NULL);
    ncp_list l4 = ncp_ptr_list(ncp_struct_ptr(&s, 4), NCP_ELEM_BIT, NULL);
    ncp_list l5 = ncp_ptr_list(ncp_struct_ptr(&s, 5), NCP_ELEM_4BYTES, NULL);
    assert_int_equal(ncp_list_get_i8s(&l0, 0, 5, o8), 5);
    assert_int_equal(ncp_list_get_i16s(&l1, 0, 5, o16), 5);
    assert_int_equal(ncp_list_get_f32s(&l2, 0, 5, of), 5);
    assert_int_equal(ncp_list_get_i64s(&l3, 0, 3, o64), 3);
    assert_int_equal(ncp_list_get_bools(&l4, 0, 11, ob), 11);
    assert_int_equal(ncp_list_get_u32s(&l5, 0, 6, o32), 6);
    assert_memory_equal(o8, i8, sizeof i8);
    assert_memory_equal(o16, i16, sizeof i16);
    assert_memory_equal(of, f32, sizeof f32);
    assert_memory_equal(o64, i64, sizeof i64);
    assert_memory_equal(ob, bo, sizeof bo);
    const uint32_t want32[6] = {0, 0, 7, 8, 9, 7};
    assert_memory_equal(o32, want32, sizeof want32);
    /* Bytes are little-endian on the wire whatever the host. */
    assert_int_equal(l1.start[0], (uint8_t)(-300 & 0xff));
    assert_int_equal(l1.start[1], (uint8_t)((-300 >> 8) & 0xff));
    /* A width wider than the list's elements is refused and recorded. */
    uint64_t too_wide[5];
    assert_int_equal(ncp_list_get_u64s(&l2, 0, 5, too_wide), 0);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_ARG);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static void text_data_and_pointer_lists(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 6);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 0), "hello, world", 12);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 1), "", 0);
    const uint8_t blob[9] = {0, 1, 2, 0, 255, 0, 7, 8, 0};
    ncp_bptr_set_data(ncp_bstruct_ptr(&r, 2), blob, sizeof blob);
    ncp_bptr_set_data(ncp_bstruct_ptr(&r, 3), NULL, 0);
    ncp_blist names =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 4), NCP_ELEM_POINTER, 3);
    ncp_bptr_set_text(ncp_blist_ptr(&names, 0), "alpha", 5);
    ncp_bptr_set_text(ncp_blist_ptr(&names, 2), "gamma-delta", 11);
    ncp_blist lol =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 5), NCP_ELEM_POINTER, 4);
    for (uint32_t i = 0; i < 4; i++) {
        ncp_blist inner =
            ncp_bptr_init_list(ncp_blist_ptr(&lol, i), NCP_ELEM_4BYTES, i);
        for (uint32_t j = 0; j < i; j++)
            ncp_blist_set_u32(&inner, j, i * 10 + j);
    }
    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);
    ncp_text t = ncp_ptr_text(ncp_struct_ptr(&s, 0), "R.text");
    assert_int_equal(t.len, 12);
    assert_string_equal(t.str, "hello, world");
    ncp_text e = ncp_ptr_text(ncp_struct_ptr(&s, 1), "R.empty");
    assert_int_equal(e.len, 0);
    assert_string_equal(e.str, "");
    assert_false(ncp_ptr_is_null(ncp_struct_ptr(&s, 1)));
    ncp_data d = ncp_ptr_data(ncp_struct_ptr(&s, 2), "R.data");
    assert_int_equal(d.len, sizeof blob);
    assert_memory_equal(d.ptr, blob, sizeof blob);
    ncp_data d0 = ncp_ptr_data(ncp_struct_ptr(&s, 3), "R.data0");
    assert_int_equal(d0.len, 0);
    assert_false(ncp_ptr_is_null(ncp_struct_ptr(&s, 3)));
    /* A null text reads as "" and a null data as empty. */
    ncp_text tn = ncp_ptr_text(ncp_struct_ptr(&s, 9), "R.none");
    assert_string_equal(tn.str, "");
    ncp_list ln = ncp_ptr_list(ncp_struct_ptr(&s, 4), NCP_ELEM_POINTER, NULL);
    assert_int_equal(ncp_list_len(&ln), 3);
    assert_string_equal(ncp_ptr_text(ncp_list_ptr(&ln, 0), NULL).str, "alpha");
    assert_true(ncp_ptr_is_null(ncp_list_ptr(&ln, 1)));
    assert_string_equal(ncp_ptr_text(ncp_list_ptr(&ln, 2), NULL).str,
                        "gamma-delta");
    ncp_list outer =
        ncp_ptr_list(ncp_struct_ptr(&s, 5), NCP_ELEM_POINTER, NULL);
    for (uint32_t i = 0; i < 4; i++) {
        ncp_list in =
            ncp_ptr_list(ncp_list_ptr(&outer, i), NCP_ELEM_4BYTES, "lol[]");
        assert_int_equal(ncp_list_len(&in), i);
        for (uint32_t j = 0; j < i; j++)
            assert_int_equal(ncp_list_u32(&in, j), i * 10 + j);
    }
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static void struct_lists(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 3);
    ncp_blist l = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 0), 50, 1, 1);
    for (uint32_t i = 0; i < 50; i++) {
        ncp_bstruct e = ncp_blist_struct(&l, i);
        ncp_bstruct_set_u32(&e, 0, i);
        ncp_bstruct_set_u32(&e, 4, ncp_f32_to_bits((float)i * 0.5f));
        if (i % 7 == 0) ncp_bptr_set_text(ncp_bstruct_ptr(&e, 0), "seven", 5);
    }
    ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 1), 0, 2, 0); /* empty */
    ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 2), 1000, 0, 0);
    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);
    ncp_list rl = ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_COMPOSITE, NULL);
    assert_int_equal(ncp_list_len(&rl), 50);
    assert_int_equal(rl.elem, NCP_ELEM_COMPOSITE);
    for (uint32_t i = 0; i < 50; i++) {
        ncp_struct e = ncp_list_struct(&rl, i);
        assert_int_equal(ncp_struct_u32(&e, 0), i);
        assert_true(ncp_f32_from_bits(ncp_struct_u32(&e, 4)) ==
                    (float)i * 0.5f);
        ncp_text t = ncp_ptr_text(ncp_struct_ptr(&e, 0), NULL);
        assert_string_equal(t.str, i % 7 == 0 ? "seven" : "");
    }
    ncp_list el = ncp_ptr_list(ncp_struct_ptr(&s, 1), NCP_ELEM_COMPOSITE, NULL);
    assert_int_equal(ncp_list_len(&el), 0);
    assert_non_null(el.start);
    ncp_list zl = ncp_ptr_list(ncp_struct_ptr(&s, 2), NCP_ELEM_COMPOSITE, NULL);
    assert_int_equal(ncp_list_len(&zl), 1000);
    ncp_struct z = ncp_list_struct(&zl, 999);
    assert_int_equal(ncp_struct_u64(&z, 0), 0);
    /* Element beyond the end: an empty struct. */
    ncp_struct past = ncp_list_struct(&rl, 50);
    assert_int_equal(past.data_bytes, 0);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* An unzeroed data-only struct list, filled in one pass, encodes exactly as
 * the zeroed one set element by element; so do its far-pointer and failure
 * cases. */
static void unzeroed_data_lists(void **state) {
    (void)state;
    ts_buf one, two;
    for (int unzeroed = 0; unzeroed < 2; unzeroed++) {
        /* A small first segment: the second list lands in a new segment,
         * behind a far pointer. */
        ncp_builder *b = new_builder(16, NCP_GROW_HEURISTIC);
        ncp_bstruct r = ncp_builder_init_root(b, 0, 2);
        for (uint32_t f = 0; f < 2; f++) {
            uint32_t n = f == 0 ? 3 : 300;
            ncp_bptr p = ncp_bstruct_ptr(&r, f);
            ncp_blist l = unzeroed ? ncp_bptr_init_data_list_unzeroed(p, n, 2)
                                   : ncp_bptr_init_struct_list(p, n, 2, 0);
            assert_non_null(l.start);
            assert_int_equal(l.len, n);
            assert_int_equal(l.step_bits, 128);
            for (uint32_t i = 0; i < n; i++) {
                if (unzeroed) {
                    ncp_store64(l.start + (size_t)i * 16, 1000u + i);
                    ncp_store64(l.start + (size_t)i * 16 + 8,
                                (uint64_t)i << 40);
                } else {
                    ncp_bstruct e = ncp_blist_struct(&l, i);
                    ncp_bstruct_set_u64(&e, 0, 1000u + i);
                    ncp_bstruct_set_u64(&e, 8, (uint64_t)i << 40);
                }
            }
        }
        assert_int_equal(ncp_builder_status(b), NCP_OK);
        assert_true(ncp_builder_segment_count(b) > 1);
        ncp_msg *m = reopen(b, unzeroed ? &two : &one);
        ncp_struct s = ncp_msg_root(m, NULL);
        ncp_list l =
            ncp_ptr_list(ncp_struct_ptr(&s, 1), NCP_ELEM_COMPOSITE, NULL);
        assert_int_equal(ncp_list_len(&l), 300);
        ncp_struct e = ncp_list_struct(&l, 299);
        assert_int_equal(ncp_struct_u64(&e, 0), 1299);
        assert_int_equal(ncp_struct_u64(&e, 8), (uint64_t)299 << 40);
        assert_int_equal(ncp_msg_status(m), NCP_OK);
        ncp_msg_free(m);
        ncp_builder_free(b);
    }
    assert_int_equal(one.len, two.len);
    assert_memory_equal(one.data, two.data, one.len);
    ts_buf_free(&one);
    ts_buf_free(&two);
    /* Sizes beyond the largest list fail like ncp_bptr_init_struct_list. */
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 1);
    ncp_blist l =
        ncp_bptr_init_data_list_unzeroed(ncp_bstruct_ptr(&r, 0), 1u << 28, 4);
    assert_null(l.start);
    assert_int_equal(ncp_builder_status(b), NCP_ERR_TOO_LARGE);
    assert_non_null(strstr(ncp_builder_error(b)->message,
                           "ncp_bptr_init_data_list_unzeroed"));
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * Encodings read as others (encoding.md and the reference reader's rules)
 * ------------------------------------------------------------------------ */

static void list_upgrades_and_downgrades(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 5);
    uint32_t v[4] = {10, 20, 30, 40};
    ncp_bptr_init_list_from(ncp_bstruct_ptr(&r, 0), NCP_ELEM_4BYTES, 4, v);
    ncp_blist sl = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 1), 3, 1, 1);
    for (uint32_t i = 0; i < 3; i++) {
        ncp_bstruct e = ncp_blist_struct(&sl, i);
        ncp_bstruct_set_u64(&e, 0, 0x1111111100000000ull + i);
        ncp_bptr_set_text(ncp_bstruct_ptr(&e, 0), i == 1 ? "one" : "x",
                          i == 1 ? 3 : 1);
    }
    ncp_blist pl =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 2), NCP_ELEM_POINTER, 2);
    ncp_bptr_set_text(ncp_blist_ptr(&pl, 1), "p1", 2);
    ncp_bptr_init_list(ncp_bstruct_ptr(&r, 3), NCP_ELEM_BIT, 9);
    ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 4), 2, 0, 1);
    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);

    /* List(UInt32) read as a struct list: each element is a struct whose
     * data section is the value. */
    ncp_list as_structs =
        ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_COMPOSITE, NULL);
    assert_int_equal(ncp_list_len(&as_structs), 4);
    ncp_struct e2 = ncp_list_struct(&as_structs, 2);
    assert_int_equal(ncp_struct_u32(&e2, 0), 30);
    assert_int_equal(ncp_struct_u32(&e2, 4), 0); /* beyond: default */
    assert_true(ncp_ptr_is_null(ncp_struct_ptr(&e2, 0)));
    /* List(UInt32) read as List(UInt16): the low half of each. */
    ncp_list narrow =
        ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_2BYTES, NULL);
    assert_int_equal(ncp_list_u16(&narrow, 3), 40);
    uint16_t n16[4];
    assert_int_equal(ncp_list_get_u16s(&narrow, 0, 4, n16), 4);
    assert_int_equal(n16[1], 20);
    /* A struct list read as a list of its first data field... */
    ncp_list first64 =
        ncp_ptr_list(ncp_struct_ptr(&s, 1), NCP_ELEM_8BYTES, NULL);
    assert_int_equal(ncp_list_len(&first64), 3);
    assert_int_equal(ncp_list_u64(&first64, 2), 0x1111111100000002ull);
    uint32_t low[3];
    ncp_list first32 =
        ncp_ptr_list(ncp_struct_ptr(&s, 1), NCP_ELEM_4BYTES, NULL);
    assert_int_equal(ncp_list_get_u32s(&first32, 0, 3, low), 3);
    assert_int_equal(low[1], 1);
    /* ... or of its first pointer. */
    ncp_list firstp =
        ncp_ptr_list(ncp_struct_ptr(&s, 1), NCP_ELEM_POINTER, NULL);
    assert_string_equal(ncp_ptr_text(ncp_list_ptr(&firstp, 1), NULL).str,
                        "one");
    /* A pointer list read as a struct list: a struct with one pointer. */
    ncp_list ps = ncp_ptr_list(ncp_struct_ptr(&s, 2), NCP_ELEM_COMPOSITE, NULL);
    ncp_struct p1 = ncp_list_struct(&ps, 1);
    assert_int_equal(p1.data_bytes, 0);
    assert_string_equal(ncp_ptr_text(ncp_struct_ptr(&p1, 0), NULL).str, "p1");
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);

    /* Mismatches the specification forbids: each records NCP_ERR_TYPE. */
    struct {
        uint32_t field;
        int expected;
    } bad[] = {
        {3, NCP_ELEM_COMPOSITE}, /* bit list as struct list */
        {0, NCP_ELEM_BIT},       /* UInt32 list as bit list */
        {0, NCP_ELEM_8BYTES},    /* narrower as wider */
        {2, NCP_ELEM_4BYTES},    /* pointer list as data */
        {0, NCP_ELEM_POINTER},   /* data as pointers */
        {4, NCP_ELEM_4BYTES},    /* pointer-only structs as data */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = ts_open(&bytes);
        s = ncp_msg_root(m, NULL);
        ncp_list l = ncp_ptr_list(ncp_struct_ptr(&s, bad[i].field),
                                  bad[i].expected, "Root.field");
        assert_int_equal(ncp_list_len(&l), 0);
        assert_int_equal(ncp_msg_status(m), NCP_ERR_TYPE);
        assert_non_null(strstr(ncp_msg_error(m)->message, "Root.field"));
        ncp_msg_free(m);
    }
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static void pointer_kind_mismatches(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 3);
    ncp_bptr_init_struct(ncp_bstruct_ptr(&r, 0), 1, 0);
    ncp_bptr_init_list(ncp_bstruct_ptr(&r, 1), NCP_ELEM_4BYTES, 2);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 2), "abc", 3);
    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);
    assert_int_equal(ncp_ptr_type(ncp_struct_ptr(&s, 0)), NCP_PTR_STRUCT);
    assert_int_equal(ncp_ptr_type(ncp_struct_ptr(&s, 1)), NCP_PTR_LIST);
    assert_int_equal(ncp_ptr_type(ncp_struct_ptr(&s, 7)), NCP_PTR_NULL);
    ncp_list l = ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_4BYTES, "R.a");
    assert_int_equal(l.len, 0);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_TYPE);
    assert_non_null(
        strstr(ncp_msg_error(m)->message, "R.a: found a struct pointer"));
    ncp_msg_free(m);

    m = ts_open(&bytes);
    s = ncp_msg_root(m, NULL);
    ncp_struct x = ncp_ptr_struct(ncp_struct_ptr(&s, 1), "R.b");
    assert_int_equal(x.data_bytes, 0);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_TYPE);
    ncp_msg_free(m);

    /* Data from a UInt32 list is not allowed (bytes only). */
    m = ts_open(&bytes);
    s = ncp_msg_root(m, NULL);
    ncp_data d = ncp_ptr_data(ncp_struct_ptr(&s, 1), "R.b");
    assert_int_equal(d.len, 0);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_TYPE);
    ncp_msg_free(m);

    /* Text read as data includes the NUL. */
    m = ts_open(&bytes);
    s = ncp_msg_root(m, NULL);
    d = ncp_ptr_data(ncp_struct_ptr(&s, 2), "R.c");
    assert_int_equal(d.len, 4);
    assert_memory_equal(d.ptr, "abc", 4);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

/* An older reader sees a newer, larger struct; a newer reader an older,
 * smaller one (schema evolution at the wire level). */
static void struct_size_evolution(void **state) {
    (void)state;
    /* Old writer: 1 data word, 1 pointer. */
    ncp_builder *old = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(old, 1, 1);
    ncp_bstruct_set_u32(&r, 0, 5);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 0), "old", 3);
    ts_buf bytes;
    ncp_msg *m = reopen(old, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);
    /* New reader expects fields at byte 8 and pointer 1: defaults. */
    assert_int_equal(ncp_struct_u32(&s, 0), 5);
    assert_int_equal(ncp_struct_u64(&s, 8) ^ 1234u, 1234u);
    assert_true(ncp_ptr_is_null(ncp_struct_ptr(&s, 1)));
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(old);

    /* New writer: 3 data words, 3 pointers; an old reader uses a prefix. */
    ncp_builder *nw = new_builder(0, NCP_GROW_HEURISTIC);
    r = ncp_builder_init_root(nw, 3, 3);
    ncp_bstruct_set_u32(&r, 0, 6);
    ncp_bstruct_set_u64(&r, 16, 99);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 0), "new", 3);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 2), "extra", 5);
    m = reopen(nw, &bytes);
    s = ncp_msg_root(m, NULL);
    assert_int_equal(ncp_struct_u32(&s, 0), 6);
    assert_string_equal(ncp_ptr_text(ncp_struct_ptr(&s, 0), NULL).str, "new");
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(nw);
}

/* ------------------------------------------------------------------------
 * Segments: far and double-far pointers, single-segment output
 * ------------------------------------------------------------------------ */

/* Builds a message that spreads over many small segments. */
static ncp_builder *build_spread(void) {
    ncp_builder *b = new_builder(4, NCP_GROW_FIXED);
    ncp_bstruct r = ncp_builder_init_root(b, 1, 3);
    ncp_bstruct_set_u64(&r, 0, 0xfeedull);
    ncp_blist l = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 0), 10, 1, 1);
    for (uint32_t i = 0; i < 10; i++) {
        ncp_bstruct e = ncp_blist_struct(&l, i);
        ncp_bstruct_set_u32(&e, 0, i * 3);
        ncp_blist inner =
            ncp_bptr_init_list(ncp_bstruct_ptr(&e, 0), NCP_ELEM_4BYTES, 5);
        for (uint32_t j = 0; j < 5; j++)
            ncp_blist_set_u32(&inner, j, i + j);
    }
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 1),
                      "a text that needs more than four words", 38);
    ncp_bptr_init_struct(ncp_bstruct_ptr(&r, 2), 2, 0);
    return b;
}

static void check_spread(ncp_msg *m) {
    ncp_struct s = ncp_msg_root(m, NULL);
    assert_int_equal(ncp_struct_u64(&s, 0), 0xfeedull);
    ncp_list l = ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_COMPOSITE, NULL);
    assert_int_equal(ncp_list_len(&l), 10);
    for (uint32_t i = 0; i < 10; i++) {
        ncp_struct e = ncp_list_struct(&l, i);
        assert_int_equal(ncp_struct_u32(&e, 0), i * 3);
        ncp_list in =
            ncp_ptr_list(ncp_struct_ptr(&e, 0), NCP_ELEM_4BYTES, NULL);
        assert_int_equal(ncp_list_len(&in), 5);
        for (uint32_t j = 0; j < 5; j++)
            assert_int_equal(ncp_list_u32(&in, j), i + j);
    }
    assert_string_equal(ncp_ptr_text(ncp_struct_ptr(&s, 1), NULL).str,
                        "a text that needs more than four words");
    assert_int_equal(ncp_msg_status(m), NCP_OK);
}

static void far_pointers(void **state) {
    (void)state;
    ncp_builder *b = build_spread();
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    assert_true(ncp_builder_segment_count(b) > 5);
    /* The root struct (4 words) does not fit beside the root pointer in a
     * 4-word segment: the root pointer is a single far pointer. */
    const uint8_t *s0;
    uint32_t w0;
    assert_true(ncp_builder_segment(b, 0, &s0, &w0));
    uint64_t rootptr = ncp_load64(s0);
    assert_int_equal(rootptr & 3, 2);
    assert_int_equal((rootptr >> 2) & 1, 0);
    assert_int_equal(rootptr >> 32, 1); /* landing pad in segment 1 */

    /* Readable in place, and after framing. */
    ncp_msg *m;
    assert_int_equal(ncp_builder_open(b, NULL, &m, NULL), NCP_OK);
    check_spread(m);
    ncp_msg_free(m);
    ts_buf bytes;
    m = reopen(b, &bytes);
    assert_int_equal(ncp_msg_segment_count(m), ncp_builder_segment_count(b));
    check_spread(m);
    ncp_msg_free(m);
    ts_buf_free(&bytes);

    /* Single-segment output copies the message into one segment. */
    bytes = ts_write_mem(b, NCP_WRITE_SINGLE_SEGMENT);
    assert_int_equal(ncp_load32(bytes.data), 0); /* one segment */
    m = ts_open(&bytes);
    assert_int_equal(ncp_msg_segment_count(m), 1);
    check_spread(m);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static void double_far_pointer(void **state) {
    (void)state;
    /* Segments of 3 words: the orphan fills its segment exactly, so the
     * pointer needs a two-word landing pad elsewhere. */
    ncp_builder *b = new_builder(3, NCP_GROW_FIXED);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 2); /* seg 0: 1 + 2 words */
    ncp_orphan o = ncp_builder_new_struct_orphan(b, 2, 1); /* seg 1, full */
    ncp_bstruct os = ncp_orphan_struct(o);
    ncp_bstruct_set_u64(&os, 0, 0xabcdef);
    ncp_bstruct_set_u64(&os, 8, 42);
    ncp_orphan lo =
        ncp_builder_new_list_orphan(b, NCP_ELEM_2BYTES, 12); /* 3 w */
    ncp_blist ll = ncp_orphan_list(lo);
    for (uint32_t i = 0; i < 12; i++)
        ncp_blist_set_u16(&ll, i, (uint16_t)(i * i));
    ncp_bptr_adopt(ncp_bstruct_ptr(&r, 0), o);
    ncp_bptr_adopt(ncp_bstruct_ptr(&r, 1), lo);
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    const uint8_t *s0;
    assert_true(ncp_builder_segment(b, 0, &s0, NULL));
    uint64_t p = ncp_load64(s0 + 8);
    assert_int_equal(p & 3, 2);        /* far */
    assert_int_equal((p >> 2) & 1, 1); /* double */

    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);
    ncp_struct t = ncp_ptr_struct(ncp_struct_ptr(&s, 0), "R.orphan");
    assert_int_equal(ncp_struct_u64(&t, 0), 0xabcdef);
    assert_int_equal(ncp_struct_u64(&t, 8), 42);
    ncp_list l = ncp_ptr_list(ncp_struct_ptr(&s, 1), NCP_ELEM_2BYTES, NULL);
    assert_int_equal(ncp_list_len(&l), 12);
    assert_int_equal(ncp_list_u16(&l, 11), 121);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static void orphans_adopted_near(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 3);
    ncp_orphan sl = ncp_builder_new_struct_list_orphan(b, 3, 1, 0);
    ncp_blist l = ncp_orphan_list(sl);
    for (uint32_t i = 0; i < 3; i++) {
        ncp_bstruct e = ncp_blist_struct(&l, i);
        ncp_bstruct_set_u32(&e, 0, 100 + i);
    }
    ncp_orphan empty = ncp_builder_new_struct_orphan(b, 0, 0);
    ncp_bptr_adopt(ncp_bstruct_ptr(&r, 2), sl);
    ncp_bptr_adopt(ncp_bstruct_ptr(&r, 0), empty);
    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_struct s = ncp_msg_root(m, NULL);
    ncp_list rl = ncp_ptr_list(ncp_struct_ptr(&s, 2), NCP_ELEM_COMPOSITE, NULL);
    assert_int_equal(ncp_list_len(&rl), 3);
    ncp_struct e = ncp_list_struct(&rl, 2);
    assert_int_equal(ncp_struct_u32(&e, 0), 102);
    assert_int_equal(ncp_ptr_type(ncp_struct_ptr(&s, 0)), NCP_PTR_STRUCT);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static void deep_copy(void **state) {
    (void)state;
    ncp_builder *b = build_spread();
    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    ncp_builder *c = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bptr_copy(ncp_builder_root_ptr(c), ncp_msg_root_ptr(m));
    assert_int_equal(ncp_builder_status(c), NCP_OK);
    ncp_msg_free(m);
    ts_buf copied;
    ncp_msg *mc = reopen(c, &copied);
    assert_int_equal(ncp_msg_segment_count(mc), 1);
    check_spread(mc);
    ncp_msg_free(mc);
    /* Copying a copy gives the same bytes (the copy order is canonical). */
    mc = ts_open(&copied);
    ncp_builder *c2 = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bptr_copy(ncp_builder_root_ptr(c2), ncp_msg_root_ptr(mc));
    ts_buf again = ts_write_mem(c2, 0);
    ts_assert_bytes_equal(copied.data, copied.len, again.data, again.len);
    ncp_msg_free(mc);
    ts_buf_free(&again);
    ts_buf_free(&copied);
    ts_buf_free(&bytes);
    ncp_builder_free(c2);
    ncp_builder_free(c);
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * Limits and errors
 * ------------------------------------------------------------------------ */

static void traversal_limit(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 0, 1);
    ncp_bptr_init_list(ncp_bstruct_ptr(&r, 0), NCP_ELEM_8BYTES, 1000);
    ts_buf bytes = ts_write_mem(b, 0);
    ncp_read_options o = {0};
    o.traversal_limit_words = 3500;
    ncp_msg *m;
    assert_int_equal(ncp_msg_from_buffer(bytes.data, bytes.len, &o, &m, NULL),
                     NCP_OK);
    ncp_struct s = ncp_msg_root(m, NULL); /* 1 word */
    for (int i = 0; i < 3; i++) {
        ncp_list l =
            ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_8BYTES, "R.l");
        assert_int_equal(ncp_list_len(&l), 1000);
    }
    assert_int_equal(ncp_msg_traversal_left(m), 3500 - 1 - 3000);
    ncp_list l = ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_8BYTES, "R.l");
    assert_int_equal(ncp_list_len(&l), 0);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_LIMIT);
    assert_non_null(strstr(ncp_msg_error(m)->message, "R.l"));
    ncp_msg_free(m);
    /* Proportional: the limit becomes a multiple of the message size. */
    o.traversal_limit_per_message_word = 10;
    assert_int_equal(ncp_msg_from_buffer(bytes.data, bytes.len, &o, &m, NULL),
                     NCP_OK);
    assert_int_equal(ncp_msg_traversal_left(m), 10 * ncp_msg_size_words(m));
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static ncp_builder *build_chain(int depth) {
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bptr p = ncp_builder_root_ptr(b);
    for (int i = 0; i < depth; i++) {
        ncp_bstruct s = ncp_bptr_init_struct(p, 1, 1);
        ncp_bstruct_set_u32(&s, 0, (uint32_t)i);
        p = ncp_bstruct_ptr(&s, 0);
    }
    return b;
}

static int chain_depth(ncp_msg *m) {
    ncp_struct s = ncp_msg_root(m, NULL);
    int d = 0;
    while (s.data_bytes > 0) {
        d++;
        s = ncp_ptr_struct(ncp_struct_ptr(&s, 0), "Chain.next");
    }
    return d;
}

static void nesting_limit(void **state) {
    (void)state;
    ncp_builder *b = build_chain(64);
    ts_buf bytes;
    ncp_msg *m = reopen(b, &bytes);
    assert_int_equal(chain_depth(m), 64);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);

    b = build_chain(65);
    m = reopen(b, &bytes);
    assert_int_equal(chain_depth(m), 64);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_NESTING);
    assert_non_null(strstr(ncp_msg_error(m)->message, "Chain.next"));
    ncp_msg_free(m);
    /* A larger limit reads it all. */
    ncp_read_options o = {0};
    o.nesting_limit = 100;
    assert_int_equal(ncp_msg_from_buffer(bytes.data, bytes.len, &o, &m, NULL),
                     NCP_OK);
    assert_int_equal(chain_depth(m), 65);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static void builder_errors_are_sticky(void **state) {
    (void)state;
    ncp_builder *b = new_builder(0, NCP_GROW_HEURISTIC);
    ncp_bstruct r = ncp_builder_init_root(b, 1, 1);
    /* Pointer 5 does not exist. */
    ncp_bstruct x = ncp_bptr_init_struct(ncp_bstruct_ptr(&r, 5), 1, 0);
    assert_null(x.data);
    ncp_bstruct_set_u32(&x, 0, 1); /* inert: no crash */
    assert_int_equal(ncp_builder_status(b), NCP_ERR_ARG);
    assert_non_null(
        strstr(ncp_builder_error(b)->message, "ncp_bptr_init_struct"));
    /* Later operations are inert and the first error is kept. */
    ncp_blist l = ncp_bptr_init_list(ncp_bstruct_ptr(&r, 0), NCP_ELEM_BYTE, 4);
    assert_null(l.start);
    ncp_bptr_init_list(ncp_bstruct_ptr(&r, 0), NCP_ELEM_COMPOSITE, 4);
    assert_int_equal(ncp_builder_status(b), NCP_ERR_ARG);
    /* Output functions refuse. */
    uint8_t buf[256];
    size_t n = 99;
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_builder_write_mem(b, 0, buf, sizeof buf, &n, &err),
                     NCP_ERR_ARG);
    assert_non_null(strstr(err.message, "builder holds an error"));
    ncp_builder_free(b);

    /* Sizes beyond the format's limits. */
    b = new_builder(0, NCP_GROW_HEURISTIC);
    r = ncp_builder_init_root(b, 0, 2);
    ncp_bptr_init_struct_list(ncp_bstruct_ptr(&r, 0), 1u << 28, 4, 0);
    assert_int_equal(ncp_builder_status(b), NCP_ERR_TOO_LARGE);
    ncp_builder_free(b);
    b = new_builder(0, NCP_GROW_HEURISTIC);
    r = ncp_builder_init_root(b, 0, 2);
    ncp_bptr_init_list(ncp_bstruct_ptr(&r, 0), NCP_ELEM_BYTE, 0x20000000u);
    assert_int_equal(ncp_builder_status(b), NCP_ERR_TOO_LARGE);
    ncp_builder_free(b);

    ncp_builder_options o = {0};
    o.first_segment_words = NCP_MAX_SEGMENT_WORDS + 1u;
    assert_int_equal(ncp_builder_new(&o, &b), NCP_ERR_ARG);
}

static void capability_and_unknown_pointers(void **state) {
    (void)state;
    uint8_t storage[8 * 4];
    const uint64_t words[] = {
        0x0002000000000000ull, /* root: 0 data, 2 pointers, offset 0 */
        0x0000000500000003ull, /* capability index 5 */
        0x0000000000000007ull, /* "other" pointer of unknown subkind 1 */
    };
    ncp_msg *m = ts_open_words(storage, words, 3, NULL);
    ncp_struct s = ncp_msg_root(m, NULL);
    assert_int_equal(ncp_ptr_type(ncp_struct_ptr(&s, 0)), NCP_PTR_CAPABILITY);
    ncp_struct x = ncp_ptr_struct(ncp_struct_ptr(&s, 0), "R.cap");
    assert_int_equal(x.data_bytes, 0);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_CAPABILITY);
    assert_non_null(strstr(ncp_msg_error(m)->message, "R.cap: capability"));
    ncp_msg_free(m);
    m = ts_open_words(storage, words, 3, NULL);
    s = ncp_msg_root(m, NULL);
    assert_int_equal(ncp_ptr_type(ncp_struct_ptr(&s, 1)), NCP_PTR_INVALID);
    assert_int_equal(ncp_msg_status(m), NCP_ERR_MALFORMED);
    ncp_msg_free(m);
}

static void fail_records_first_error(void **state) {
    (void)state;
    uint8_t storage[8];
    const uint64_t words[] = {0};
    ncp_msg *m = ts_open_words(storage, words, 1, NULL);
    ncp_struct s = ncp_msg_root(m, NULL); /* null root: defaults, no error */
    assert_int_equal(ncp_struct_u32(&s, 0), 0);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_fail(m, NCP_ERR_MALFORMED, "Thing.size: %d is negative", -3);
    ncp_msg_fail(m, NCP_ERR_IO, "second");
    assert_int_equal(ncp_msg_status(m), NCP_ERR_MALFORMED);
    assert_string_equal(ncp_msg_error(m)->message,
                        "Thing.size: -3 is negative");
    ncp_msg_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(struct_primitive_fields),
        cmocka_unit_test(exact_encoding),
        cmocka_unit_test(nested_and_empty_structs),
        cmocka_unit_test(primitive_lists),
        cmocka_unit_test(bulk_init_and_set),
        cmocka_unit_test(text_data_and_pointer_lists),
        cmocka_unit_test(struct_lists),
        cmocka_unit_test(unzeroed_data_lists),
        cmocka_unit_test(list_upgrades_and_downgrades),
        cmocka_unit_test(pointer_kind_mismatches),
        cmocka_unit_test(struct_size_evolution),
        cmocka_unit_test(far_pointers),
        cmocka_unit_test(double_far_pointer),
        cmocka_unit_test(orphans_adopted_near),
        cmocka_unit_test(deep_copy),
        cmocka_unit_test(traversal_limit),
        cmocka_unit_test(nesting_limit),
        cmocka_unit_test(builder_errors_are_sticky),
        cmocka_unit_test(capability_and_unknown_pointers),
        cmocka_unit_test(fail_records_first_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
