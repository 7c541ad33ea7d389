/*
 * tests/gen/test_codegen.c - the code that capnpc-c generates for
 * tests/data/gen/codegen.capnp (and the file it imports), checked against
 * the reference tool `capnp`:
 *
 *  - values set through generated setters are read back through the
 *    builder's getters (getb_), then the message is decoded by
 *    `capnp decode` with the same schema and the text compared;
 *  - the same text is encoded by `capnp encode` and read back through the
 *    generated reader getters.
 *
 * Covered: every primitive type with and without defaults, enums (also in
 * lists and with defaults), text and data with and without defaults,
 * nested structs, struct and list defaults, lists of every element type
 * with bulk copies both ways, unnamed and named unions, groups, groups in
 * unions, union members of every kind, inactive members reading as
 * defaults, nested declarations, AnyPointer fields read and written as
 * generated structs, generic structs (bound, unbound, nested, bound to
 * other specializations, across files), constants of every kind, imports,
 * has_ for pointer fields, and the reflection tables.
 *
 * Temporary files are written in the current directory (the test's scratch
 * directory); the schemas are found through NUPIC_TEST_SCHEMAS.
 */
#define _POSIX_C_SOURCE 200809L

#include "gen_tool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.capnp.h"

/* The generated header includes the header of the file it imports. */
#ifndef NCP_GEN_CODEGEN_IMPORT_CAPNP_H
#error "codegen.capnp.h does not include codegen_import.capnp.h"
#endif

/* Primitive constants are constant expressions. */
static const int8_t k_int8 = kInt8;
static const int64_t k_int64 = kInt64;
static const uint64_t k_uint64 = kUInt64;
static const float k_float32 = kFloat32;
static const double k_float64 = kFloat64;
static const Color k_color = kColor;
static const bool k_bool = kBool;
static const uint32_t k_answer = Outer_answer;

/* ------------------------------------------------------------------------
 * The reference tool, with codegen.capnp
 * ------------------------------------------------------------------------ */

static void assert_decodes_to(const ncp_builder *b, const char *type,
                              const char *expected) {
    gt_assert_decodes_to(b, gt_schema("codegen.capnp"), type, expected);
}

static ncp_msg *encode(const char *type, const char *text, ts_buf *keep) {
    return gt_encode(gt_schema("codegen.capnp"), type, text, keep);
}

#define new_builder gt_builder
#define open_built  gt_open_built
#define assert_text gt_assert_text
#define done        gt_done
#define TEXT(s)     GT_TEXT(s)

static void assert_data(ncp_data d, const void *expected, size_t len) {
    assert_int_equal(d.len, len);
    if (len) assert_memory_equal(d.ptr, expected, len);
}

static uint32_t list_len(ncp_list l) {
    return ncp_list_len(&l);
}

/* ------------------------------------------------------------------------
 * Primitives
 * ------------------------------------------------------------------------ */

static const char PRIMS_MIN[] =
    "(v = void, b = true, i8 = -128, i16 = -32768, i32 = -2147483648, "
    "i64 = -9223372036854775808, u8 = 255, u16 = 65535, u32 = 4294967295, "
    "u64 = 18446744073709551615, f32 = 3.5, f64 = -1e-300, e = blue)";
static const char PRIMS_MAX[] =
    "(v = void, b = false, i8 = 127, i16 = 32767, i32 = 2147483647, "
    "i64 = 9223372036854775807, u8 = 1, u16 = 2, u32 = 3, u64 = 4, "
    "f32 = -0.5, f64 = 1e300, e = green)";

static void check_prims_min(Prims_R r) {
    assert_true(Prims_get_b(r));
    assert_int_equal(Prims_get_i8(r), INT8_MIN);
    assert_int_equal(Prims_get_i16(r), INT16_MIN);
    assert_int_equal(Prims_get_i32(r), INT32_MIN);
    assert_true(Prims_get_i64(r) == INT64_MIN);
    assert_int_equal(Prims_get_u8(r), UINT8_MAX);
    assert_int_equal(Prims_get_u16(r), UINT16_MAX);
    assert_int_equal(Prims_get_u32(r), UINT32_MAX);
    assert_true(Prims_get_u64(r) == UINT64_MAX);
    assert_true(Prims_get_f32(r) == 3.5f);
    assert_true(Prims_get_f64(r) == -1e-300);
    assert_int_equal(Prims_get_e(r), Color_blue);
}

static void check_prims_max(Prims_R r) {
    assert_false(Prims_get_b(r));
    assert_int_equal(Prims_get_i8(r), INT8_MAX);
    assert_int_equal(Prims_get_i16(r), INT16_MAX);
    assert_int_equal(Prims_get_i32(r), INT32_MAX);
    assert_true(Prims_get_i64(r) == INT64_MAX);
    assert_int_equal(Prims_get_u8(r), 1);
    assert_int_equal(Prims_get_u16(r), 2);
    assert_int_equal(Prims_get_u32(r), 3);
    assert_true(Prims_get_u64(r) == 4);
    assert_true(Prims_get_f32(r) == -0.5f);
    assert_true(Prims_get_f64(r) == 1e300);
    assert_int_equal(Prims_get_e(r), Color_green);
}

static void prims_round_trip(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    Prims_B p = Prims_new_root(b);
    Prims_set_b(p, true);
    Prims_set_i8(p, INT8_MIN);
    Prims_set_i16(p, INT16_MIN);
    Prims_set_i32(p, INT32_MIN);
    Prims_set_i64(p, INT64_MIN);
    Prims_set_u8(p, UINT8_MAX);
    Prims_set_u16(p, UINT16_MAX);
    Prims_set_u32(p, UINT32_MAX);
    Prims_set_u64(p, UINT64_MAX);
    Prims_set_f32(p, 3.5f);
    Prims_set_f64(p, -1e-300);
    Prims_set_e(p, Color_blue);
    assert_true(Prims_getb_b(p));
    assert_int_equal(Prims_getb_i8(p), INT8_MIN);
    assert_int_equal(Prims_getb_i16(p), INT16_MIN);
    assert_int_equal(Prims_getb_i32(p), INT32_MIN);
    assert_true(Prims_getb_i64(p) == INT64_MIN);
    assert_int_equal(Prims_getb_u8(p), UINT8_MAX);
    assert_int_equal(Prims_getb_u16(p), UINT16_MAX);
    assert_int_equal(Prims_getb_u32(p), UINT32_MAX);
    assert_true(Prims_getb_u64(p) == UINT64_MAX);
    assert_true(Prims_getb_f32(p) == 3.5f);
    assert_true(Prims_getb_f64(p) == -1e-300);
    assert_int_equal(Prims_getb_e(p), Color_blue);
    assert_decodes_to(b, "Prims", PRIMS_MIN);
    ncp_msg *m = open_built(b);
    check_prims_min(Prims_read_root(m));
    done(m);

    /* Overwrite every field. */
    Prims_set_b(p, false);
    Prims_set_i8(p, INT8_MAX);
    Prims_set_i16(p, INT16_MAX);
    Prims_set_i32(p, INT32_MAX);
    Prims_set_i64(p, INT64_MAX);
    Prims_set_u8(p, 1);
    Prims_set_u16(p, 2);
    Prims_set_u32(p, 3);
    Prims_set_u64(p, 4);
    Prims_set_f32(p, -0.5f);
    Prims_set_f64(p, 1e300);
    Prims_set_e(p, Color_green);
    assert_decodes_to(b, "Prims", PRIMS_MAX);
    ncp_builder_free(b);

    ts_buf keep;
    m = encode("Prims", PRIMS_MIN, &keep);
    check_prims_min(Prims_read_root(m));
    done(m);
    ts_buf_free(&keep);
    m = encode("Prims", PRIMS_MAX, &keep);
    check_prims_max(Prims_read_root(m));
    done(m);
    ts_buf_free(&keep);

    /* An empty message: every field zero. */
    m = encode("Prims", "()", &keep);
    Prims_R r = Prims_read_root(m);
    assert_false(Prims_get_b(r));
    assert_int_equal(Prims_get_i64(r), 0);
    assert_true(Prims_get_f64(r) == 0.0);
    assert_int_equal(Prims_get_e(r), Color_red);
    done(m);
    ts_buf_free(&keep);
}

static const char DEFAULTS_TEXT[] =
    "(b = true, i8 = -100, i16 = -12345, i32 = -2147483648, "
    "i64 = -9223372036854775808, u8 = 200, u16 = 54321, u32 = 4000000000, "
    "u64 = 18446744073709551615, f32 = 1.25, f64 = -3.5e100, e = blue, "
    "fInf = inf, fNan = nan)";
static const char OTHER_TEXT[] =
    "(b = false, i8 = 0, i16 = 1, i32 = 0, i64 = 0, u8 = 0, u16 = 0, "
    "u32 = 0, u64 = 0, f32 = 0, f64 = 0, e = red, fInf = -1, fNan = 1.5)";

static void check_defaults(PrimDefaults_R r) {
    assert_true(PrimDefaults_get_b(r));
    assert_int_equal(PrimDefaults_get_i8(r), -100);
    assert_int_equal(PrimDefaults_get_i16(r), -12345);
    assert_int_equal(PrimDefaults_get_i32(r), INT32_MIN);
    assert_true(PrimDefaults_get_i64(r) == INT64_MIN);
    assert_int_equal(PrimDefaults_get_u8(r), 200);
    assert_int_equal(PrimDefaults_get_u16(r), 54321);
    assert_int_equal(PrimDefaults_get_u32(r), 4000000000u);
    assert_true(PrimDefaults_get_u64(r) == UINT64_MAX);
    assert_true(PrimDefaults_get_f32(r) == 1.25f);
    assert_true(PrimDefaults_get_f64(r) == -3.5e100);
    assert_int_equal(PrimDefaults_get_e(r), Color_blue);
    assert_true(isinf(PrimDefaults_get_fInf(r)) &&
                PrimDefaults_get_fInf(r) > 0);
    assert_true(isnan(PrimDefaults_get_fNan(r)));
}

static void check_other(PrimDefaults_R r) {
    assert_false(PrimDefaults_get_b(r));
    assert_int_equal(PrimDefaults_get_i8(r), 0);
    assert_int_equal(PrimDefaults_get_i16(r), 1);
    assert_int_equal(PrimDefaults_get_i32(r), 0);
    assert_true(PrimDefaults_get_i64(r) == 0);
    assert_int_equal(PrimDefaults_get_u8(r), 0);
    assert_int_equal(PrimDefaults_get_u16(r), 0);
    assert_int_equal(PrimDefaults_get_u32(r), 0);
    assert_true(PrimDefaults_get_u64(r) == 0);
    assert_true(PrimDefaults_get_f32(r) == 0.0f);
    assert_true(PrimDefaults_get_f64(r) == 0.0);
    assert_int_equal(PrimDefaults_get_e(r), Color_red);
    assert_true(PrimDefaults_get_fInf(r) == -1.0f);
    assert_true(PrimDefaults_get_fNan(r) == 1.5);
}

/* The data section of the root struct of a one-segment builder. */
static const uint8_t *root_data(const ncp_builder *b, uint32_t *bytes) {
    const uint8_t *seg;
    uint32_t words;
    assert_true(ncp_builder_segment(b, 0, &seg, &words));
    assert_true(words >= 2);
    *bytes = (uint32_t)(ncp_load64(seg) >> 32 & 0xffff) * 8;
    assert_true(words >= 1 + *bytes / 8);
    return seg + 8;
}

static void prim_defaults(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    PrimDefaults_B p = PrimDefaults_new_root(b);
    /* A new struct reads as the defaults, through both handles. */
    assert_true(PrimDefaults_getb_b(p));
    assert_int_equal(PrimDefaults_getb_i8(p), -100);
    assert_true(PrimDefaults_getb_u64(p) == UINT64_MAX);
    assert_true(PrimDefaults_getb_f64(p) == -3.5e100);
    assert_int_equal(PrimDefaults_getb_e(p), Color_blue);
    assert_true(isnan(PrimDefaults_getb_fNan(p)));
    double nan_default = PrimDefaults_getb_fNan(p);
    ncp_msg *m = open_built(b);
    check_defaults(PrimDefaults_read_root(m));
    done(m);
    assert_decodes_to(b, "PrimDefaults", DEFAULTS_TEXT);

    PrimDefaults_set_b(p, false);
    PrimDefaults_set_i8(p, 0);
    PrimDefaults_set_i16(p, 1);
    PrimDefaults_set_i32(p, 0);
    PrimDefaults_set_i64(p, 0);
    PrimDefaults_set_u8(p, 0);
    PrimDefaults_set_u16(p, 0);
    PrimDefaults_set_u32(p, 0);
    PrimDefaults_set_u64(p, 0);
    PrimDefaults_set_f32(p, 0.0f);
    PrimDefaults_set_f64(p, 0.0);
    PrimDefaults_set_e(p, Color_red);
    PrimDefaults_set_fInf(p, -1.0f);
    PrimDefaults_set_fNan(p, 1.5);
    assert_false(PrimDefaults_getb_b(p));
    assert_int_equal(PrimDefaults_getb_i8(p), 0);
    assert_int_equal(PrimDefaults_getb_i16(p), 1);
    assert_true(PrimDefaults_getb_f32(p) == 0.0f);
    assert_true(PrimDefaults_getb_fInf(p) == -1.0f);
    assert_true(PrimDefaults_getb_fNan(p) == 1.5);
    assert_decodes_to(b, "PrimDefaults", OTHER_TEXT);
    m = open_built(b);
    check_other(PrimDefaults_read_root(m));
    done(m);

    /* Setting the defaults back stores zeros: the wire holds value XOR
     * default. */
    PrimDefaults_set_b(p, true);
    PrimDefaults_set_i8(p, -100);
    PrimDefaults_set_i16(p, -12345);
    PrimDefaults_set_i32(p, INT32_MIN);
    PrimDefaults_set_i64(p, INT64_MIN);
    PrimDefaults_set_u8(p, 200);
    PrimDefaults_set_u16(p, 54321);
    PrimDefaults_set_u32(p, 4000000000u);
    PrimDefaults_set_u64(p, UINT64_MAX);
    PrimDefaults_set_f32(p, 1.25f);
    PrimDefaults_set_f64(p, -3.5e100);
    PrimDefaults_set_e(p, Color_blue);
    PrimDefaults_set_fInf(p, INFINITY);
    PrimDefaults_set_fNan(p, nan_default);
    uint32_t bytes;
    const uint8_t *data = root_data(b, &bytes);
    assert_int_equal(bytes, PrimDefaults_DATA_WORDS * 8);
    for (uint32_t i = 0; i < bytes; i++)
        if (data[i] != 0) fail_msg("data byte %u is 0x%02x", i, data[i]);
    ncp_builder_free(b);

    ts_buf keep;
    m = encode("PrimDefaults", "()", &keep);
    check_defaults(PrimDefaults_read_root(m));
    done(m);
    ts_buf_free(&keep);
    m = encode("PrimDefaults", OTHER_TEXT, &keep);
    check_other(PrimDefaults_read_root(m));
    done(m);
    ts_buf_free(&keep);
}

/* ------------------------------------------------------------------------
 * Pointer fields: text, data, structs, lists, AnyPointer, defaults
 * ------------------------------------------------------------------------ */

static const uint8_t DATA_DEF[] = {1, 2, 0xff, 0, 0x3f};

/* Every pointer field of an empty Pointers reads as its default. */
static void check_pointer_defaults(Pointers_R r) {
    assert_false(Pointers_has_text(r));
    assert_text(Pointers_get_text(r), "");
    assert_false(Pointers_has_textDef(r));
    assert_text(Pointers_get_textDef(r), "hello \"world\"\n?\?=");
    assert_false(Pointers_has_data(r));
    ncp_data d = Pointers_get_data(r);
    assert_int_equal(d.len, 0);
    assert_null(d.ptr);
    assert_data(Pointers_get_dataDef(r), DATA_DEF, sizeof DATA_DEF);
    assert_false(Pointers_has_inner(r));
    assert_int_equal(Inner_get_id(Pointers_get_inner(r)), 0);
    assert_text(Inner_get_name(Pointers_get_inner(r)), "");
    assert_false(Pointers_has_innerDef(r));
    assert_int_equal(Inner_get_id(Pointers_get_innerDef(r)), 7);
    assert_text(Inner_get_name(Pointers_get_innerDef(r)), "x");
    assert_false(Pointers_has_any(r));
    assert_true(ncp_ptr_is_null(Pointers_get_any(r)));
    assert_false(Pointers_has_listDef(r));
    uint32_t nums[4] = {0};
    assert_int_equal(Pointers_copy_listDef(r, nums, 0, 4), 3);
    assert_int_equal(nums[0], 1);
    assert_int_equal(nums[1], 2);
    assert_int_equal(nums[2], 3);
    ncp_list texts = Pointers_get_textListDef(r);
    assert_int_equal(ncp_list_len(&texts), 2);
    assert_text(ncp_ptr_text(ncp_list_ptr(&texts, 0), NULL), "a");
    assert_text(ncp_ptr_text(ncp_list_ptr(&texts, 1), NULL), "b");
    Inner_RList inners = Pointers_get_innerListDef(r);
    assert_int_equal(Inner_RList_len(inners), 2);
    assert_int_equal(Inner_get_id(Inner_RList_get(inners, 0)), 1);
    assert_text(Inner_get_name(Inner_RList_get(inners, 0)), "");
    assert_int_equal(Inner_get_id(Inner_RList_get(inners, 1)), 2);
    assert_text(Inner_get_name(Inner_RList_get(inners, 1)), "two");
    uint16_t colors[2];
    assert_int_equal(Pointers_copy_colorListDef(r, colors, 0, 2), 2);
    assert_int_equal(colors[0], Color_blue);
    assert_int_equal(colors[1], Color_red);
    assert_false(Pointers_has_self(r));
    assert_text(Pointers_get_textDef(Pointers_get_self(r)),
                "hello \"world\"\n?\?=");
}

static const char POINTERS_TEXT[] =
    "(text = \"abc\", textDef = \"\", data = \"\\001\\000z\", dataDef = \"\", "
    "inner = (id = 5, name = \"five\"), innerDef = (id = 0), "
    "listDef = [], textListDef = [\"only\"], innerListDef = [], "
    "colorListDef = [green], "
    "self = (text = \"nested\", self = (innerDef = (id = 8, name = \"y\"))))";

static void check_pointers_set(Pointers_R r) {
    static const uint8_t bytes[] = {1, 0, 'z'};
    assert_true(Pointers_has_text(r));
    assert_text(Pointers_get_text(r), "abc");
    assert_true(Pointers_has_textDef(r));
    assert_text(Pointers_get_textDef(r), "");
    assert_data(Pointers_get_data(r), bytes, 3);
    assert_true(Pointers_has_dataDef(r));
    assert_int_equal(Pointers_get_dataDef(r).len, 0);
    assert_true(Pointers_has_inner(r));
    assert_int_equal(Inner_get_id(Pointers_get_inner(r)), 5);
    assert_text(Inner_get_name(Pointers_get_inner(r)), "five");
    assert_true(Pointers_has_innerDef(r));
    assert_int_equal(Inner_get_id(Pointers_get_innerDef(r)), 0);
    assert_text(Inner_get_name(Pointers_get_innerDef(r)), "");
    assert_true(Pointers_has_listDef(r));
    assert_int_equal(list_len(Pointers_get_listDef(r)), 0);
    ncp_list texts = Pointers_get_textListDef(r);
    assert_int_equal(ncp_list_len(&texts), 1);
    assert_text(ncp_ptr_text(ncp_list_ptr(&texts, 0), NULL), "only");
    assert_int_equal(Inner_RList_len(Pointers_get_innerListDef(r)), 0);
    uint16_t colors[2] = {9, 9};
    assert_int_equal(Pointers_copy_colorListDef(r, colors, 0, 2), 1);
    assert_int_equal(colors[0], Color_green);
    Pointers_R self = Pointers_get_self(r);
    assert_true(Pointers_has_self(r));
    assert_text(Pointers_get_text(self), "nested");
    assert_text(Pointers_get_textDef(self), "hello \"world\"\n?\?=");
    Inner_R deep = Pointers_get_innerDef(Pointers_get_self(self));
    assert_int_equal(Inner_get_id(deep), 8);
    assert_text(Inner_get_name(deep), "y");
}

static void pointer_fields(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    Pointers_B p = Pointers_new_root(b);
    ncp_msg *m = open_built(b);
    check_pointer_defaults(Pointers_read_root(m));
    done(m);
    assert_decodes_to(b, "Pointers", "()");

    static const uint8_t bytes[] = {1, 0, 'z'};
    Pointers_set_text(p, TEXT("abc"));
    Pointers_set_textDef(p, "", 0);
    Pointers_set_data(p, bytes, sizeof bytes);
    Pointers_set_dataDef(p, NULL, 0);
    Inner_B in = Pointers_init_inner(p);
    Inner_set_id(in, 5);
    Inner_set_name(in, TEXT("five"));
    assert_int_equal(Inner_getb_id(in), 5);
    /* init_ of a field with a struct default gives an empty struct, not
     * the default. */
    Inner_B def = Pointers_init_innerDef(p);
    assert_int_equal(Inner_getb_id(def), 0);
    ncp_blist nums = Pointers_init_listDef(p, 0);
    assert_int_equal(ncp_blist_len(&nums), 0);
    ncp_blist texts = Pointers_init_textListDef(p, 1);
    ncp_bptr_set_text(ncp_blist_ptr(&texts, 0), TEXT("only"));
    Inner_BList inners = Pointers_init_innerListDef(p, 0);
    assert_int_equal(Inner_BList_len(inners), 0);
    const uint16_t green[] = {Color_green};
    Pointers_set_colorListDef(p, green, 1);
    Pointers_B self = Pointers_init_self(p);
    Pointers_set_text(self, TEXT("nested"));
    Inner_B deep = Pointers_init_innerDef(Pointers_init_self(self));
    Inner_set_id(deep, 8);
    Inner_set_name(deep, TEXT("y"));
    assert_decodes_to(b, "Pointers", POINTERS_TEXT);
    m = open_built(b);
    check_pointers_set(Pointers_read_root(m));
    done(m);
    ncp_builder_free(b);

    ts_buf keep;
    m = encode("Pointers", "()", &keep);
    check_pointer_defaults(Pointers_read_root(m));
    done(m);
    ts_buf_free(&keep);
    m = encode("Pointers", POINTERS_TEXT, &keep);
    check_pointers_set(Pointers_read_root(m));
    done(m);
    ts_buf_free(&keep);
}

/* AnyPointer, AnyStruct and AnyList fields written and read as generated
 * types; AnyHolderView has AnyHolder's layout with those types. */
static const char ANY_TEXT[] =
    "(ptr = (id = 42, name = \"any\"), strct = (id = 43), lst = [7, 8, 9])";

static void check_any(AnyHolder_R r) {
    assert_true(AnyHolder_has_ptr(r));
    Inner_R in = Inner_read(AnyHolder_get_ptr(r));
    assert_int_equal(Inner_get_id(in), 42);
    assert_text(Inner_get_name(in), "any");
    assert_int_equal(Inner_get_id(Inner_read(AnyHolder_get_strct(r))), 43);
    assert_int_equal(ncp_ptr_type(AnyHolder_get_lst(r)), NCP_PTR_LIST);
    ncp_list l = ncp_ptr_list(AnyHolder_get_lst(r), NCP_ELEM_2BYTES, NULL);
    assert_int_equal(ncp_list_len(&l), 3);
    assert_int_equal(ncp_list_u16(&l, 2), 9);
}

static void any_pointers(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    AnyHolder_B h = AnyHolder_new_root(b);
    Inner_B in = Inner_new(AnyHolder_ptr_ptr(h));
    Inner_set_id(in, 42);
    Inner_set_name(in, TEXT("any"));
    Inner_set_id(Inner_new(AnyHolder_ptr_strct(h)), 43);
    const uint16_t v[] = {7, 8, 9};
    ncp_bptr_init_list_from(AnyHolder_ptr_lst(h), NCP_ELEM_2BYTES, 3, v);
    assert_decodes_to(b, "AnyHolderView", ANY_TEXT);
    assert_decodes_to(b, "AnyHolder",
                      "(ptr = <opaque pointer>, strct = <opaque pointer>, "
                      "lst = <opaque pointer>)");
    ncp_msg *m = open_built(b);
    check_any(AnyHolder_read_root(m));
    done(m);
    ncp_builder_free(b);

    ts_buf keep;
    m = encode("AnyHolderView", ANY_TEXT, &keep);
    check_any(AnyHolder_read_root(m));
    done(m);
    ts_buf_free(&keep);
    /* Pointers.any, too. */
    b = new_builder();
    Pointers_B p = Pointers_new_root(b);
    Inner_set_id(Inner_new(Pointers_ptr_any(p)), 6);
    Inner_set_id(Inner_new(Pointers_ptr_anyStruct(p)), 7);
    m = open_built(b);
    Pointers_R r = Pointers_read_root(m);
    assert_true(Pointers_has_any(r));
    assert_int_equal(Inner_get_id(Inner_read(Pointers_get_any(r))), 6);
    assert_int_equal(Inner_get_id(Inner_read(Pointers_get_anyStruct(r))), 7);
    assert_false(Pointers_has_anyList(r));
    done(m);
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * Lists of every element type
 * ------------------------------------------------------------------------ */

static const char LISTS_TEXT[] =
    "(voids = [void, void, void], "
    "bools = [true, false, true, true, false, false, false, false, true], "
    "i8s = [-128, 0, 127], i16s = [-32768, 1, 32767], "
    "i32s = [-2147483648, 2147483647], "
    "i64s = [-9223372036854775808, 9223372036854775807], "
    "u8s = [0, 255], u16s = [10, 20, 65535], u32s = [4294967295], "
    "u64s = [18446744073709551615, 1], f32s = [1.5, -0.25], "
    "f64s = [1e-300, -2], texts = [\"one\", \"\", \"three\"], "
    "datas = [\"\\377\", \"\"], "
    "inners = [(id = 1, name = \"a\"), (id = 2)], "
    "colors = [blue, red, green], nested = [[1, 2, 3], [], [4]], "
    "textLists = [[\"x\", \"y\"], []], empties = [(), (), (), ()], "
    "innerLists = [[(id = 6)], []])";

static const bool BOOLS[] = {true,  false, true,  true, false,
                             false, false, false, true};

static void check_lists(Lists_R r) {
    assert_int_equal(list_len(Lists_get_voids(r)), 3);
    bool bools[9];
    assert_int_equal(Lists_copy_bools(r, bools, 0, 9), 9);
    assert_memory_equal(bools, BOOLS, sizeof bools);
    int8_t i8s[3];
    assert_int_equal(Lists_copy_i8s(r, i8s, 0, 3), 3);
    assert_int_equal(i8s[0], INT8_MIN);
    assert_int_equal(i8s[2], INT8_MAX);
    int16_t i16s[3];
    assert_int_equal(Lists_copy_i16s(r, i16s, 0, 3), 3);
    assert_int_equal(i16s[0], INT16_MIN);
    assert_int_equal(i16s[1], 1);
    int32_t i32s[2];
    assert_int_equal(Lists_copy_i32s(r, i32s, 0, 2), 2);
    assert_int_equal(i32s[0], INT32_MIN);
    assert_int_equal(i32s[1], INT32_MAX);
    int64_t i64s[2];
    assert_int_equal(Lists_copy_i64s(r, i64s, 0, 2), 2);
    assert_true(i64s[0] == INT64_MIN && i64s[1] == INT64_MAX);
    uint8_t u8s[2];
    assert_int_equal(Lists_copy_u8s(r, u8s, 0, 2), 2);
    assert_int_equal(u8s[1], 255);
    /* Part of a list, and past its end. */
    uint16_t u16s[3] = {0, 0, 0};
    assert_int_equal(Lists_copy_u16s(r, u16s, 1, 5), 2);
    assert_int_equal(u16s[0], 20);
    assert_int_equal(u16s[1], 65535);
    ncp_list l16 = Lists_get_u16s(r);
    assert_int_equal(ncp_list_u16(&l16, 0), 10);
    uint32_t u32s[1];
    assert_int_equal(Lists_copy_u32s(r, u32s, 0, 1), 1);
    assert_int_equal(u32s[0], UINT32_MAX);
    uint64_t u64s[2];
    assert_int_equal(Lists_copy_u64s(r, u64s, 0, 2), 2);
    assert_true(u64s[0] == UINT64_MAX && u64s[1] == 1);
    float f32s[2];
    assert_int_equal(Lists_copy_f32s(r, f32s, 0, 2), 2);
    assert_true(f32s[0] == 1.5f && f32s[1] == -0.25f);
    ncp_list lf = Lists_get_f32s(r);
    assert_true(ncp_list_f32(&lf, 1) == -0.25f);
    double f64s[2];
    assert_int_equal(Lists_copy_f64s(r, f64s, 0, 2), 2);
    assert_true(f64s[0] == 1e-300 && f64s[1] == -2.0);
    ncp_list texts = Lists_get_texts(r);
    assert_int_equal(ncp_list_len(&texts), 3);
    assert_text(ncp_ptr_text(ncp_list_ptr(&texts, 0), NULL), "one");
    assert_text(ncp_ptr_text(ncp_list_ptr(&texts, 1), NULL), "");
    assert_text(ncp_ptr_text(ncp_list_ptr(&texts, 2), NULL), "three");
    ncp_list datas = Lists_get_datas(r);
    assert_int_equal(ncp_list_len(&datas), 2);
    assert_data(ncp_ptr_data(ncp_list_ptr(&datas, 0), NULL), "\377", 1);
    assert_int_equal(ncp_ptr_data(ncp_list_ptr(&datas, 1), NULL).len, 0);
    Inner_RList inners = Lists_get_inners(r);
    assert_int_equal(Inner_RList_len(inners), 2);
    assert_int_equal(Inner_get_id(Inner_RList_get(inners, 0)), 1);
    assert_text(Inner_get_name(Inner_RList_get(inners, 0)), "a");
    assert_int_equal(Inner_get_id(Inner_RList_get(inners, 1)), 2);
    assert_false(Inner_has_name(Inner_RList_get(inners, 1)));
    uint16_t colors[3];
    assert_int_equal(Lists_copy_colors(r, colors, 0, 3), 3);
    assert_int_equal(colors[0], Color_blue);
    assert_int_equal(colors[1], Color_red);
    assert_int_equal(colors[2], Color_green);
    ncp_list nested = Lists_get_nested(r);
    assert_int_equal(ncp_list_len(&nested), 3);
    ncp_list first =
        ncp_ptr_list(ncp_list_ptr(&nested, 0), NCP_ELEM_4BYTES, NULL);
    assert_int_equal(ncp_list_len(&first), 3);
    assert_int_equal(ncp_list_u32(&first, 2), 3);
    ncp_list second =
        ncp_ptr_list(ncp_list_ptr(&nested, 1), NCP_ELEM_4BYTES, NULL);
    assert_int_equal(ncp_list_len(&second), 0);
    ncp_list third =
        ncp_ptr_list(ncp_list_ptr(&nested, 2), NCP_ELEM_4BYTES, NULL);
    assert_int_equal(ncp_list_u32(&third, 0), 4);
    ncp_list tl = Lists_get_textLists(r);
    assert_int_equal(ncp_list_len(&tl), 2);
    ncp_list xy = ncp_ptr_list(ncp_list_ptr(&tl, 0), NCP_ELEM_POINTER, NULL);
    assert_int_equal(ncp_list_len(&xy), 2);
    assert_text(ncp_ptr_text(ncp_list_ptr(&xy, 1), NULL), "y");
    assert_int_equal(Empty_RList_len(Lists_get_empties(r)), 4);
    /* A list of struct lists: its elements read as generated lists. */
    ncp_list il = Lists_get_innerLists(r);
    assert_int_equal(ncp_list_len(&il), 2);
    Inner_RList il0 = Inner_RList_read(ncp_list_ptr(&il, 0));
    assert_int_equal(Inner_RList_len(il0), 1);
    assert_int_equal(Inner_get_id(Inner_RList_get(il0, 0)), 6);
    assert_int_equal(Inner_RList_len(Inner_RList_read(ncp_list_ptr(&il, 1))),
                     0);
}

static void lists_of_every_type(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    Lists_B l = Lists_new_root(b);
    Lists_init_voids(l, 3);
    Lists_set_bools(l, BOOLS, 9);
    const int8_t i8s[] = {INT8_MIN, 0, INT8_MAX};
    Lists_set_i8s(l, i8s, 3);
    const int16_t i16s[] = {INT16_MIN, 1, INT16_MAX};
    Lists_set_i16s(l, i16s, 3);
    const int32_t i32s[] = {INT32_MIN, INT32_MAX};
    Lists_set_i32s(l, i32s, 2);
    const int64_t i64s[] = {INT64_MIN, INT64_MAX};
    Lists_set_i64s(l, i64s, 2);
    const uint8_t u8s[] = {0, 255};
    Lists_set_u8s(l, u8s, 2);
    /* Element by element through the list handle. */
    ncp_blist u16s = Lists_init_u16s(l, 3);
    ncp_blist_set_u16(&u16s, 0, 10);
    ncp_blist_set_u16(&u16s, 1, 20);
    ncp_blist_set_u16(&u16s, 2, 65535);
    const uint32_t u32s[] = {UINT32_MAX};
    ncp_blist lu32 = Lists_set_u32s(l, u32s, 1);
    assert_int_equal(ncp_blist_u32(&lu32, 0), UINT32_MAX);
    const uint64_t u64s[] = {UINT64_MAX, 1};
    Lists_set_u64s(l, u64s, 2);
    const float f32s[] = {1.5f, -0.25f};
    Lists_set_f32s(l, f32s, 2);
    ncp_blist f64s = Lists_init_f64s(l, 2);
    ncp_blist_set_f64(&f64s, 0, 1e-300);
    ncp_blist_set_f64(&f64s, 1, -2.0);
    ncp_blist texts = Lists_init_texts(l, 3);
    ncp_bptr_set_text(ncp_blist_ptr(&texts, 0), TEXT("one"));
    ncp_bptr_set_text(ncp_blist_ptr(&texts, 1), "", 0);
    ncp_bptr_set_text(ncp_blist_ptr(&texts, 2), TEXT("three"));
    ncp_blist datas = Lists_init_datas(l, 2);
    ncp_bptr_set_data(ncp_blist_ptr(&datas, 0), "\377", 1);
    ncp_bptr_set_data(ncp_blist_ptr(&datas, 1), NULL, 0);
    Inner_BList inners = Lists_init_inners(l, 2);
    assert_int_equal(Inner_BList_len(inners), 2);
    Inner_set_id(Inner_BList_get(inners, 0), 1);
    Inner_set_name(Inner_BList_get(inners, 0), TEXT("a"));
    Inner_set_id(Inner_BList_get(inners, 1), 2);
    const uint16_t colors[] = {Color_blue, Color_red, Color_green};
    Lists_set_colors(l, colors, 3);
    ncp_blist nested = Lists_init_nested(l, 3);
    const uint32_t one[] = {1, 2, 3}, four[] = {4};
    ncp_bptr_init_list_from(ncp_blist_ptr(&nested, 0), NCP_ELEM_4BYTES, 3, one);
    ncp_bptr_init_list(ncp_blist_ptr(&nested, 1), NCP_ELEM_4BYTES, 0);
    ncp_bptr_init_list_from(ncp_blist_ptr(&nested, 2), NCP_ELEM_4BYTES, 1,
                            four);
    ncp_blist tl = Lists_init_textLists(l, 2);
    ncp_blist xy =
        ncp_bptr_init_list(ncp_blist_ptr(&tl, 0), NCP_ELEM_POINTER, 2);
    ncp_bptr_set_text(ncp_blist_ptr(&xy, 0), TEXT("x"));
    ncp_bptr_set_text(ncp_blist_ptr(&xy, 1), TEXT("y"));
    ncp_bptr_init_list(ncp_blist_ptr(&tl, 1), NCP_ELEM_POINTER, 0);
    Empty_BList empties = Lists_init_empties(l, 4);
    assert_int_equal(Empty_BList_len(empties), 4);
    ncp_blist il = Lists_init_innerLists(l, 2);
    Inner_BList il0 = Inner_BList_new(ncp_blist_ptr(&il, 0), 1);
    Inner_set_id(Inner_BList_get(il0, 0), 6);
    Inner_BList_new(ncp_blist_ptr(&il, 1), 0);
    assert_decodes_to(b, "Lists", LISTS_TEXT);
    ncp_msg *m = open_built(b);
    check_lists(Lists_read_root(m));
    done(m);
    ncp_builder_free(b);

    ts_buf keep;
    m = encode("Lists", LISTS_TEXT, &keep);
    check_lists(Lists_read_root(m));
    done(m);
    ts_buf_free(&keep);

    /* Absent lists read as empty; has_ tells them apart. */
    m = encode("Lists", "(i8s = [])", &keep);
    Lists_R r = Lists_read_root(m);
    assert_true(Lists_has_i8s(r));
    assert_false(Lists_has_i16s(r));
    int16_t none[1];
    assert_int_equal(Lists_copy_i16s(r, none, 0, 1), 0);
    assert_int_equal(Inner_RList_len(Lists_get_inners(r)), 0);
    done(m);
    ts_buf_free(&keep);
}

/* ------------------------------------------------------------------------
 * Unions and groups
 * ------------------------------------------------------------------------ */

/* The members of Shape's unnamed union other than `active` read as their
 * defaults. */
static void check_inactive(Shape_R r, Shape_Which active) {
    if (active != Shape_which_circle) assert_true(Shape_get_circle(r) == 0.0);
    if (active != Shape_which_label) {
        assert_false(Shape_has_label(r));
        assert_text(Shape_get_label(r), "");
    }
    if (active != Shape_which_inner) {
        assert_false(Shape_has_inner(r));
        assert_int_equal(Inner_get_id(Shape_get_inner(r)), 0);
    }
    if (active != Shape_which_rect) {
        Shape_rect_R rect = Shape_get_rect(r);
        assert_int_equal(Shape_rect_get_w(rect), 0);
        assert_int_equal(Shape_rect_get_h(rect), 10);
        assert_false(Shape_rect_has_tag(rect));
    }
    if (active != Shape_which_points) {
        assert_false(Shape_has_points(r));
        int32_t pts[1];
        assert_int_equal(Shape_copy_points(r, pts, 0, 1), 0);
    }
    if (active != Shape_which_flag) assert_true(Shape_get_flag(r));
    if (active != Shape_which_color)
        assert_int_equal(Shape_get_color(r), Color_green);
}

typedef struct member_case {
    Shape_Which which;
    const char *text;
} member_case;

static const member_case MEMBERS[] = {
    {Shape_which_none,
     "(name = \"s\", none = void, u = (a = 5), g = (id = 0, left = void))"},
    {Shape_which_circle,
     "(name = \"s\", circle = 2.5, u = (a = 5), g = (id = 0, left = void))"},
    {Shape_which_label,
     "(name = \"s\", label = \"lbl\", u = (a = 5), g = (id = 0, left = "
     "void))"},
    {Shape_which_inner, "(name = \"s\", inner = (id = 3), u = (a = 5), "
                        "g = (id = 0, left = void))"},
    {Shape_which_rect,
     "(name = \"s\", rect = (w = 4, h = 10, tag = \"t\"), u = (a = 5), "
     "g = (id = 0, left = void))"},
    {Shape_which_points, "(name = \"s\", points = [1, -2], u = (a = 5), "
                         "g = (id = 0, left = void))"},
    {Shape_which_flag,
     "(name = \"s\", flag = false, u = (a = 5), g = (id = 0, left = void))"},
    {Shape_which_color,
     "(name = \"s\", color = red, u = (a = 5), g = (id = 0, left = void))"},
};

static void set_member(Shape_B s, Shape_Which w) {
    switch (w) {
    case Shape_which_none: Shape_set_none(s); break;
    case Shape_which_circle: Shape_set_circle(s, 2.5); break;
    case Shape_which_label: Shape_set_label(s, TEXT("lbl")); break;
    case Shape_which_inner: Inner_set_id(Shape_init_inner(s), 3); break;
    case Shape_which_rect: {
        Shape_rect_B rect = Shape_init_rect(s);
        Shape_rect_set_w(rect, 4);
        Shape_rect_set_tag(rect, TEXT("t"));
        break;
    }
    case Shape_which_points: {
        const int32_t pts[] = {1, -2};
        Shape_set_points(s, pts, 2);
        break;
    }
    case Shape_which_flag: Shape_set_flag(s, false); break;
    case Shape_which_color: Shape_set_color(s, Color_red); break;
    }
}

static void check_member(Shape_R r, Shape_Which w) {
    assert_int_equal(Shape_which(r), w);
    assert_text(Shape_get_name(r), "s");
    check_inactive(r, w);
    switch (w) {
    case Shape_which_none: break;
    case Shape_which_circle: assert_true(Shape_get_circle(r) == 2.5); break;
    case Shape_which_label:
        assert_true(Shape_has_label(r));
        assert_text(Shape_get_label(r), "lbl");
        break;
    case Shape_which_inner:
        assert_int_equal(Inner_get_id(Shape_get_inner(r)), 3);
        break;
    case Shape_which_rect:
        assert_int_equal(Shape_rect_get_w(Shape_get_rect(r)), 4);
        assert_int_equal(Shape_rect_get_h(Shape_get_rect(r)), 10);
        assert_text(Shape_rect_get_tag(Shape_get_rect(r)), "t");
        break;
    case Shape_which_points: {
        int32_t pts[2];
        assert_int_equal(Shape_copy_points(r, pts, 0, 2), 2);
        assert_int_equal(pts[1], -2);
        break;
    }
    case Shape_which_flag: assert_false(Shape_get_flag(r)); break;
    case Shape_which_color:
        assert_int_equal(Shape_get_color(r), Color_red);
        break;
    }
    /* The other unions hold their defaults. */
    Shape_u_R u = Shape_get_u(r);
    assert_int_equal(Shape_u_which(u), Shape_u_which_a);
    assert_int_equal(Shape_u_get_a(u), 5);
    assert_text(Shape_u_get_b(u), "bee");
    assert_int_equal(Shape_u_c_get_y(Shape_u_get_c(u)), -1);
    Shape_g_R g = Shape_get_g(r);
    assert_int_equal(Shape_g_which(g), Shape_g_which_left);
    assert_int_equal(Shape_g_get_right(g), 3);
}

static void union_members(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof MEMBERS / sizeof MEMBERS[0]; i++) {
        ncp_builder *b = new_builder();
        Shape_B s = Shape_new_root(b);
        Shape_set_name(s, TEXT("s"));
        set_member(s, MEMBERS[i].which);
        assert_int_equal(Shape_whichb(s), MEMBERS[i].which);
        assert_decodes_to(b, "Shape", MEMBERS[i].text);
        ncp_msg *m = open_built(b);
        check_member(Shape_read_root(m), MEMBERS[i].which);
        done(m);
        ncp_builder_free(b);
        ts_buf keep;
        m = encode("Shape", MEMBERS[i].text, &keep);
        check_member(Shape_read_root(m), MEMBERS[i].which);
        done(m);
        ts_buf_free(&keep);
    }
}

static void union_defaults_and_switching(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    Shape_B s = Shape_new_root(b);
    Shape_set_name(s, TEXT("s"));
    /* A new struct: the first member of every union, defaults elsewhere. */
    assert_int_equal(Shape_whichb(s), Shape_which_none);
    assert_true(Shape_getb_flag(s));
    assert_int_equal(Shape_getb_color(s), Color_green);
    Shape_u_B u = Shape_init_u(s);
    assert_int_equal(Shape_u_whichb(u), Shape_u_which_a);
    assert_int_equal(Shape_u_getb_a(u), 5);
    ncp_msg *m = open_built(b);
    check_member(Shape_read_root(m), Shape_which_none);
    done(m);

    /* A primitive member, then a group that shares its bits: selecting
     * the group resets them to the group's defaults. */
    Shape_set_circle(s, 1e300);
    assert_true(Shape_getb_circle(s) == 1e300);
    assert_true(Shape_getb_flag(s)); /* inactive: its default */
    Shape_rect_B rect = Shape_init_rect(s);
    assert_int_equal(Shape_whichb(s), Shape_which_rect);
    assert_int_equal(Shape_rect_getb_w(rect), 0);
    assert_int_equal(Shape_rect_getb_h(rect), 10);
    assert_true(Shape_getb_circle(s) == 0.0);
    Shape_rect_set_w(rect, 11);
    Shape_rect_set_h(rect, 12);
    /* Selecting the active group again keeps its values. */
    rect = Shape_init_rect(s);
    assert_int_equal(Shape_rect_getb_w(rect), 11);
    Shape_set_color(s, Color_blue);
    assert_int_equal(Shape_getb_color(s), Color_blue);
    assert_true(Shape_getb_circle(s) == 0.0);

    /* The named union: a pointer member, then a group member. */
    Shape_u_set_b(u, TEXT("hi"));
    assert_int_equal(Shape_u_whichb(u), Shape_u_which_b);
    assert_int_equal(Shape_u_getb_a(u), 5);
    Shape_u_c_B c = Shape_u_init_c(u);
    assert_int_equal(Shape_u_whichb(u), Shape_u_which_c);
    assert_int_equal(Shape_u_c_getb_x(c), 0);
    assert_int_equal(Shape_u_c_getb_y(c), -1);
    Shape_u_c_set_x(c, -3);
    /* A group holding a union. */
    Shape_g_B g = Shape_init_g(s);
    Shape_g_set_id(g, UINT64_MAX);
    assert_int_equal(Shape_g_whichb(g), Shape_g_which_left);
    Shape_g_set_right(g, -9);
    assert_int_equal(Shape_g_whichb(g), Shape_g_which_right);
    assert_int_equal(Shape_g_getb_right(g), -9);
    static const char text[] =
        "(name = \"s\", color = blue, u = (c = (x = -3, y = -1)), "
        "g = (id = 18446744073709551615, right = -9))";
    assert_decodes_to(b, "Shape", text);
    m = open_built(b);
    Shape_R r = Shape_read_root(m);
    assert_int_equal(Shape_which(r), Shape_which_color);
    check_inactive(r, Shape_which_color);
    Shape_u_R ur = Shape_get_u(r);
    assert_int_equal(Shape_u_which(ur), Shape_u_which_c);
    assert_int_equal(Shape_u_get_a(ur), 5);
    assert_false(Shape_u_has_b(ur));
    assert_text(Shape_u_get_b(ur), "bee");
    assert_int_equal(Shape_u_c_get_x(Shape_u_get_c(ur)), -3);
    assert_int_equal(Shape_g_get_id(Shape_get_g(r)), UINT64_MAX);
    assert_int_equal(Shape_g_get_right(Shape_get_g(r)), -9);
    done(m);
    ncp_builder_free(b);

    ts_buf keep;
    m = encode("Shape", text, &keep);
    r = Shape_read_root(m);
    assert_int_equal(Shape_which(r), Shape_which_color);
    assert_int_equal(Shape_get_color(r), Color_blue);
    assert_int_equal(Shape_u_c_get_x(Shape_u_get_c(Shape_get_u(r))), -3);
    assert_int_equal(Shape_g_which(Shape_get_g(r)), Shape_g_which_right);
    done(m);
    ts_buf_free(&keep);
    m = encode("Shape", "(u = (b = \"x\"))", &keep);
    r = Shape_read_root(m);
    ur = Shape_get_u(r);
    assert_int_equal(Shape_u_which(ur), Shape_u_which_b);
    assert_text(Shape_u_get_b(ur), "x");
    assert_int_equal(Shape_u_get_a(ur), 5);
    assert_int_equal(Shape_u_c_get_y(Shape_u_get_c(ur)), -1);
    done(m);
    ts_buf_free(&keep);
}

/* ------------------------------------------------------------------------
 * Nested declarations
 * ------------------------------------------------------------------------ */

static void nested_declarations(void **state) {
    (void)state;
    assert_int_equal(k_answer, 42);
    assert_int_equal(Outer_Mid_Kind_gamma, 2);
    ncp_builder *b = new_builder();
    Outer_B o = Outer_new_root(b);
    Outer_Mid_B mid = Outer_init_mid(o);
    assert_int_equal(Outer_Mid_getb_kind(mid), Outer_Mid_Kind_gamma);
    Outer_Mid_Leaf_B leaf = Outer_Mid_init_leaf(mid);
    assert_int_equal(Outer_Mid_Leaf_getb_kind(leaf), Outer_Mid_Kind_beta);
    Outer_Mid_Leaf_set_value(leaf, 1.5f);
    Outer_Mid_set_kind(mid, Outer_Mid_Kind_alpha);
    const uint16_t kinds[] = {Outer_Mid_Kind_alpha, Outer_Mid_Kind_gamma};
    Outer_Mid_set_kinds(mid, kinds, 2);
    static const char text[] = "(mid = (leaf = (kind = beta, value = 1.5), "
                               "kinds = [alpha, gamma], kind = alpha))";
    assert_decodes_to(b, "Outer", text);
    ncp_builder_free(b);
    ts_buf keep;
    ncp_msg *m = encode("Outer", text, &keep);
    Outer_Mid_R r = Outer_get_mid(Outer_read_root(m));
    assert_int_equal(Outer_Mid_get_kind(r), Outer_Mid_Kind_alpha);
    assert_int_equal(Outer_Mid_Leaf_get_kind(Outer_Mid_get_leaf(r)),
                     Outer_Mid_Kind_beta);
    assert_true(Outer_Mid_Leaf_get_value(Outer_Mid_get_leaf(r)) == 1.5f);
    uint16_t got[2];
    assert_int_equal(Outer_Mid_copy_kinds(r, got, 0, 2), 2);
    assert_int_equal(got[1], Outer_Mid_Kind_gamma);
    done(m);
    ts_buf_free(&keep);
    /* Defaults of an absent nested struct. */
    m = encode("Outer", "()", &keep);
    r = Outer_get_mid(Outer_read_root(m));
    assert_int_equal(Outer_Mid_get_kind(r), Outer_Mid_Kind_gamma);
    assert_int_equal(Outer_Mid_Leaf_get_kind(Outer_Mid_get_leaf(r)),
                     Outer_Mid_Kind_beta);
    done(m);
    ts_buf_free(&keep);
}

/* ------------------------------------------------------------------------
 * Generics
 * ------------------------------------------------------------------------ */

static const char GENERICS_TEXT[] =
    "(textToInner = (entries = [(key = \"k1\", value = (id = 1)), "
    "(key = \"k2\", value = (id = 2, name = \"two\"))]), "
    "boxes = [(value = (id = 10), count = 9), (count = 3)], "
    "nestedMap = (entries = [(key = \"outer\", value = (entries = "
    "[(key = \"inner\", value = (id = 5))]))]), "
    "listBox = (value = [1, 2], count = 9), "
    "dataBox = (value = \"\\001\", count = 9, defs = [6]), "
    "anyPair = (second = (id = 12)), "
    "pair = (first = (value = \"boxed\", count = 9), "
    "second = (id = 13, tone = low)), "
    "nest = (inner = (t = (id = 14), u = \"u\"), "
    "map = (entries = [(key = \"m\", value = (id = 15))]), "
    "self = (t = (id = 16), u = (id = 17))), "
    "entry = (key = \"e\", value = (id = 18)), "
    "textBox = (value = \"text\", count = 9), wrapped = (value = \"w\"), "
    "listsBox = (value = [(id = 19)], count = 9))";

static void check_generics(Generics_R r) {
    /* Map(Text, Inner): typed keys and values. */
    Map_Text_Inner_Entry_RList entries =
        Map_Text_Inner_get_entries(Generics_get_textToInner(r));
    assert_int_equal(Map_Text_Inner_Entry_RList_len(entries), 2);
    Map_Text_Inner_Entry_R e1 = Map_Text_Inner_Entry_RList_get(entries, 1);
    assert_text(Map_Text_Inner_Entry_get_key(e1), "k2");
    Inner_R v1 = Map_Text_Inner_Entry_get_value(e1);
    assert_int_equal(Inner_get_id(v1), 2);
    assert_text(Inner_get_name(v1), "two");
    /* A list of specializations. */
    Box_Inner_RList boxes = Generics_get_boxes(r);
    assert_int_equal(Box_Inner_RList_len(boxes), 2);
    assert_int_equal(
        Inner_get_id(Box_Inner_get_value(Box_Inner_RList_get(boxes, 0))), 10);
    assert_false(Box_Inner_has_value(Box_Inner_RList_get(boxes, 1)));
    assert_int_equal(Box_Inner_get_count(Box_Inner_RList_get(boxes, 1)), 3);
    /* A specialization bound to a specialization. */
    Map_Text_Map_Text_Inner_Entry_R outer =
        Map_Text_Map_Text_Inner_Entry_RList_get(
            Map_Text_Map_Text_Inner_get_entries(Generics_get_nestedMap(r)), 0);
    assert_text(Map_Text_Map_Text_Inner_Entry_get_key(outer), "outer");
    Map_Text_Inner_Entry_R inner = Map_Text_Inner_Entry_RList_get(
        Map_Text_Inner_get_entries(
            Map_Text_Map_Text_Inner_Entry_get_value(outer)),
        0);
    assert_text(Map_Text_Inner_Entry_get_key(inner), "inner");
    assert_int_equal(Inner_get_id(Map_Text_Inner_Entry_get_value(inner)), 5);
    /* Bound to a list, to Data, to AnyPointer, to Text. */
    Box_ListUInt32_R lb = Generics_get_listBox(r);
    uint32_t nums[2];
    assert_int_equal(Box_ListUInt32_copy_value(lb, nums, 0, 2), 2);
    assert_int_equal(nums[1], 2);
    int16_t defs[2];
    assert_int_equal(Box_ListUInt32_copy_defs(lb, defs, 0, 2), 2);
    assert_int_equal(defs[0], 4);
    assert_false(Box_ListUInt32_has_defs(lb));
    Box_Data_R db = Generics_get_dataBox(r);
    assert_data(Box_Data_get_value(db), "\001", 1);
    assert_int_equal(Box_Data_copy_defs(db, defs, 0, 2), 1);
    assert_int_equal(defs[0], 6);
    Pair_AnyPointer_Inner_R ap = Generics_get_anyPair(r);
    assert_false(Pair_AnyPointer_Inner_has_first(ap));
    assert_true(ncp_ptr_is_null(Pair_AnyPointer_Inner_get_first(ap)));
    assert_int_equal(Inner_get_id(Pair_AnyPointer_Inner_get_second(ap)), 12);
    /* Bound to another specialization and to an imported struct. */
    Pair_Box_Text_Remote_R pair = Generics_get_pair(r);
    assert_text(Box_Text_get_value(Pair_Box_Text_Remote_get_first(pair)),
                "boxed");
    Remote_R remote = Pair_Box_Text_Remote_get_second(pair);
    assert_int_equal(Remote_get_id(remote), 13);
    assert_int_equal(Remote_get_tone(remote), Tone_low);
    /* A generic in a generic, bindings that refer to the outer one. */
    Nest_Inner_R nest = Generics_get_nest(r);
    Nest_Inner_In_Text_R in = Nest_Inner_get_inner(nest);
    assert_int_equal(Inner_get_id(Nest_Inner_In_Text_get_t(in)), 14);
    assert_text(Nest_Inner_In_Text_get_u(in), "u");
    Map_Text_Inner_R nm = Nest_Inner_get_map(nest);
    assert_int_equal(
        Inner_get_id(Map_Text_Inner_Entry_get_value(
            Map_Text_Inner_Entry_RList_get(Map_Text_Inner_get_entries(nm), 0))),
        15);
    Nest_Inner_In_Inner_R self = Nest_Inner_get_self(nest);
    assert_int_equal(Inner_get_id(Nest_Inner_In_Inner_get_t(self)), 16);
    assert_int_equal(Inner_get_id(Nest_Inner_In_Inner_get_u(self)), 17);
    /* A struct nested in a specialization, used directly. */
    Map_Text_Inner_Entry_R entry = Generics_get_entry(r);
    assert_text(Map_Text_Inner_Entry_get_key(entry), "e");
    assert_int_equal(Inner_get_id(Map_Text_Inner_Entry_get_value(entry)), 18);
    assert_text(Box_Text_get_value(Generics_get_textBox(r)), "text");
    /* An imported generic with defaults. */
    Wrapper_Text_R w = Generics_get_wrapped(r);
    assert_text(Wrapper_Text_get_value(w), "w");
    uint8_t small[3];
    assert_int_equal(Wrapper_Text_copy_nums(w, small, 0, 3), 2);
    assert_int_equal(small[1], 2);
    assert_false(Wrapper_Text_has_remote(w));
    assert_int_equal(Remote_get_id(Wrapper_Text_get_remote(w)), 5);
    assert_text(Remote_get_label(Wrapper_Text_get_remote(w)), "five");
    Inner_RList li = Box_ListInner_get_value(Generics_get_listsBox(r));
    assert_int_equal(Inner_RList_len(li), 1);
    assert_int_equal(Inner_get_id(Inner_RList_get(li, 0)), 19);
}

static void generics(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    Generics_B g = Generics_new_root(b);
    Map_Text_Inner_Entry_BList entries =
        Map_Text_Inner_init_entries(Generics_init_textToInner(g), 2);
    assert_int_equal(Map_Text_Inner_Entry_BList_len(entries), 2);
    Map_Text_Inner_Entry_B e0 = Map_Text_Inner_Entry_BList_get(entries, 0);
    Map_Text_Inner_Entry_set_key(e0, TEXT("k1"));
    Inner_set_id(Map_Text_Inner_Entry_init_value(e0), 1);
    Map_Text_Inner_Entry_B e1 = Map_Text_Inner_Entry_BList_get(entries, 1);
    Map_Text_Inner_Entry_set_key(e1, TEXT("k2"));
    Inner_B v1 = Map_Text_Inner_Entry_init_value(e1);
    Inner_set_id(v1, 2);
    Inner_set_name(v1, TEXT("two"));

    Box_Inner_BList boxes = Generics_init_boxes(g, 2);
    assert_int_equal(Box_Inner_BList_len(boxes), 2);
    Inner_set_id(Box_Inner_init_value(Box_Inner_BList_get(boxes, 0)), 10);
    assert_int_equal(Box_Inner_getb_count(Box_Inner_BList_get(boxes, 1)), 9);
    Box_Inner_set_count(Box_Inner_BList_get(boxes, 1), 3);

    Map_Text_Map_Text_Inner_Entry_B outer =
        Map_Text_Map_Text_Inner_Entry_BList_get(
            Map_Text_Map_Text_Inner_init_entries(Generics_init_nestedMap(g), 1),
            0);
    Map_Text_Map_Text_Inner_Entry_set_key(outer, TEXT("outer"));
    Map_Text_Inner_Entry_B inner = Map_Text_Inner_Entry_BList_get(
        Map_Text_Inner_init_entries(
            Map_Text_Map_Text_Inner_Entry_init_value(outer), 1),
        0);
    Map_Text_Inner_Entry_set_key(inner, TEXT("inner"));
    Inner_set_id(Map_Text_Inner_Entry_init_value(inner), 5);

    const uint32_t nums[] = {1, 2};
    Box_ListUInt32_set_value(Generics_init_listBox(g), nums, 2);
    Box_Data_B db = Generics_init_dataBox(g);
    Box_Data_set_value(db, "\001", 1);
    const int16_t six[] = {6};
    Box_Data_set_defs(db, six, 1);
    Pair_AnyPointer_Inner_B ap = Generics_init_anyPair(g);
    Inner_set_id(Pair_AnyPointer_Inner_init_second(ap), 12);
    assert_true(Pair_AnyPointer_Inner_ptr_first(ap).p != NULL);

    Pair_Box_Text_Remote_B pair = Generics_init_pair(g);
    Box_Text_set_value(Pair_Box_Text_Remote_init_first(pair), TEXT("boxed"));
    Remote_B remote = Pair_Box_Text_Remote_init_second(pair);
    Remote_set_id(remote, 13);
    assert_int_equal(Remote_getb_tone(remote), Tone_high);
    Remote_set_tone(remote, Tone_low);

    Nest_Inner_B nest = Generics_init_nest(g);
    Nest_Inner_In_Text_B in = Nest_Inner_init_inner(nest);
    Inner_set_id(Nest_Inner_In_Text_init_t(in), 14);
    Nest_Inner_In_Text_set_u(in, TEXT("u"));
    Map_Text_Inner_Entry_B ne = Map_Text_Inner_Entry_BList_get(
        Map_Text_Inner_init_entries(Nest_Inner_init_map(nest), 1), 0);
    Map_Text_Inner_Entry_set_key(ne, TEXT("m"));
    Inner_set_id(Map_Text_Inner_Entry_init_value(ne), 15);
    Nest_Inner_In_Inner_B self = Nest_Inner_init_self(nest);
    Inner_set_id(Nest_Inner_In_Inner_init_t(self), 16);
    Inner_set_id(Nest_Inner_In_Inner_init_u(self), 17);

    Map_Text_Inner_Entry_B entry = Generics_init_entry(g);
    Map_Text_Inner_Entry_set_key(entry, TEXT("e"));
    Inner_set_id(Map_Text_Inner_Entry_init_value(entry), 18);
    Box_Text_set_value(Generics_init_textBox(g), TEXT("text"));
    Wrapper_Text_set_value(Generics_init_wrapped(g), TEXT("w"));
    Inner_BList li = Box_ListInner_init_value(Generics_init_listsBox(g), 1);
    Inner_set_id(Inner_BList_get(li, 0), 19);

    assert_decodes_to(b, "Generics", GENERICS_TEXT);
    ncp_msg *m = open_built(b);
    check_generics(Generics_read_root(m));
    done(m);
    ncp_builder_free(b);

    ts_buf keep;
    m = encode("Generics", GENERICS_TEXT, &keep);
    check_generics(Generics_read_root(m));
    done(m);
    ts_buf_free(&keep);
}

/* The generic Map used without parameters: AnyPointer keys and values,
 * written and read as generated types.  MapHolderView is MapHolder bound
 * to (Text, Inner). */
static const char MAP_TEXT[] =
    "(map = (entries = [(key = \"a\", value = (id = 1, name = \"one\")), "
    "(key = \"b\", value = (id = 2))]))";

static void check_unbound_map(MapHolder_R r) {
    Map_Entry_RList entries = Map_get_entries(MapHolder_get_map(r));
    assert_int_equal(Map_Entry_RList_len(entries), 2);
    Map_Entry_R e0 = Map_Entry_RList_get(entries, 0);
    assert_true(Map_Entry_has_key(e0));
    assert_text(ncp_ptr_text(Map_Entry_get_key(e0), NULL), "a");
    Inner_R v = Inner_read(Map_Entry_get_value(e0));
    assert_int_equal(Inner_get_id(v), 1);
    assert_text(Inner_get_name(v), "one");
    Map_Entry_R e1 = Map_Entry_RList_get(entries, 1);
    assert_text(ncp_ptr_text(Map_Entry_get_key(e1), NULL), "b");
    assert_int_equal(Inner_get_id(Inner_read(Map_Entry_get_value(e1))), 2);
}

static void unbound_generic(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    Map_Entry_BList entries =
        Map_init_entries(MapHolder_init_map(MapHolder_new_root(b)), 2);
    Map_Entry_B e0 = Map_Entry_BList_get(entries, 0);
    ncp_bptr_set_text(Map_Entry_ptr_key(e0), TEXT("a"));
    Inner_B v = Inner_new(Map_Entry_ptr_value(e0));
    Inner_set_id(v, 1);
    Inner_set_name(v, TEXT("one"));
    Map_Entry_B e1 = Map_Entry_BList_get(entries, 1);
    ncp_bptr_set_text(Map_Entry_ptr_key(e1), TEXT("b"));
    Inner_set_id(Inner_new(Map_Entry_ptr_value(e1)), 2);
    assert_decodes_to(b, "MapHolderView", MAP_TEXT);
    ncp_msg *m = open_built(b);
    check_unbound_map(MapHolder_read_root(m));
    done(m);
    ncp_builder_free(b);
    ts_buf keep;
    m = encode("MapHolderView", MAP_TEXT, &keep);
    check_unbound_map(MapHolder_read_root(m));
    done(m);
    ts_buf_free(&keep);
}

/* ------------------------------------------------------------------------
 * Imports, interfaces, constants
 * ------------------------------------------------------------------------ */

static void imports(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    UsesImport_B u = UsesImport_new_root(b);
    assert_int_equal(UsesImport_getb_tone(u), Tone_high);
    Remote_B r = UsesImport_init_remote(u);
    Remote_set_id(r, 1);
    Remote_set_label(r, TEXT("r"));
    UsesImport_set_tone(u, Tone_low);
    Remote_BList rs = UsesImport_init_remotes(u, 2);
    Remote_set_id(Remote_BList_get(rs, 1), 2);
    Remote_set_tone(Remote_BList_get(rs, 1), Tone_low);
    const uint16_t tones[] = {Tone_low, Tone_high};
    UsesImport_set_tones(u, tones, 2);
    static const char text[] =
        "(remote = (id = 1, tone = high, label = \"r\"), tone = low, "
        "remotes = [(id = 0, tone = high), (id = 2, tone = low)], "
        "tones = [low, high])";
    assert_decodes_to(b, "UsesImport", text);
    ncp_builder_free(b);
    ts_buf keep;
    ncp_msg *m = encode("UsesImport", text, &keep);
    UsesImport_R ur = UsesImport_read_root(m);
    assert_int_equal(UsesImport_get_tone(ur), Tone_low);
    assert_int_equal(Remote_get_tone(UsesImport_get_remote(ur)), Tone_high);
    assert_text(Remote_get_label(UsesImport_get_remote(ur)), "r");
    Remote_RList rl = UsesImport_get_remotes(ur);
    assert_int_equal(Remote_RList_len(rl), 2);
    assert_int_equal(Remote_get_tone(Remote_RList_get(rl, 1)), Tone_low);
    uint16_t got[2];
    assert_int_equal(UsesImport_copy_tones(ur, got, 0, 2), 2);
    assert_int_equal(got[1], Tone_high);
    done(m);
    ts_buf_free(&keep);
    m = encode("UsesImport", "()", &keep);
    ur = UsesImport_read_root(m);
    assert_int_equal(UsesImport_get_tone(ur), Tone_high);
    assert_false(UsesImport_has_remote(ur));
    assert_int_equal(Remote_get_tone(UsesImport_get_remote(ur)), Tone_high);
    done(m);
    ts_buf_free(&keep);

    /* The imported file's own use of the shared specialization. */
    b = new_builder();
    LocalUse_B lu = LocalUse_new_root(b);
    Wrapper_Text_B w = LocalUse_init_wrapped(lu);
    Wrapper_Text_set_value(w, TEXT("local"));
    m = open_built(b);
    Wrapper_Text_R wr = LocalUse_get_wrapped(LocalUse_read_root(m));
    assert_text(Wrapper_Text_get_value(wr), "local");
    assert_int_equal(Remote_get_id(Wrapper_Text_get_remote(wr)), 5);
    done(m);
    ncp_builder_free(b);
}

static void interfaces(void **state) {
    (void)state;
    ncp_builder *b = new_builder();
    WithInterface_B w = WithInterface_new_root(b);
    WithInterface_set_id(w, 4);
    assert_true(WithInterface_ptr_service(w).p != NULL);
    assert_decodes_to(b, "WithInterface", "(id = 4)");
    ncp_msg *m = open_built(b);
    WithInterface_R r = WithInterface_read_root(m);
    assert_false(WithInterface_has_service(r));
    assert_true(ncp_ptr_is_null(WithInterface_get_service(r)));
    assert_int_equal(WithInterface_get_id(r), 4);
    done(m);
    ncp_builder_free(b);
}

static void constants(void **state) {
    (void)state;
    assert_true(k_bool);
    assert_int_equal(k_int8, -5);
    assert_int_equal(kInt16, -300);
    assert_int_equal(kInt32, -70000);
    assert_true(k_int64 == INT64_MIN);
    assert_int_equal(kUInt8, 250);
    assert_int_equal(kUInt16, 65000);
    assert_int_equal(kUInt32, 4000000000u);
    assert_true(k_uint64 == UINT64_MAX);
    assert_true(k_float32 == 2.5f);
    assert_true(k_float64 == -0.125);
    assert_int_equal(k_color, Color_green);
    switch (-300) {
    case kInt16: break;
    default: fail_msg("kInt16 is not a case label");
    }
    assert_int_equal(sizeof kText, 11);
    assert_string_equal(kText, "const text");
    static const uint8_t dead[] = {0xde, 0xad, 0xbe, 0xef};
    assert_int_equal(sizeof kData, 4);
    assert_memory_equal(kData, dead, 4);
    Inner_R in = Inner_read(kInner());
    assert_int_equal(Inner_get_id(in), 99);
    assert_text(Inner_get_name(in), "konst");
    ncp_list l = ncp_ptr_list(kList(), NCP_ELEM_4BYTES, NULL);
    assert_int_equal(ncp_list_len(&l), 3);
    assert_int_equal(ncp_i32(ncp_list_u32(&l, 0)), -1);
    assert_int_equal(ncp_i32(ncp_list_u32(&l, 2)), 1);
    ncp_list t = ncp_ptr_list(kTexts(), NCP_ELEM_POINTER, NULL);
    assert_int_equal(ncp_list_len(&t), 2);
    assert_text(ncp_ptr_text(ncp_list_ptr(&t, 1), NULL), "y");
    /* A constant whose value is another file's constant, and that one. */
    Remote_R r = Remote_read(kRemote());
    assert_int_equal(Remote_get_id(r), 77);
    assert_int_equal(Remote_get_tone(r), Tone_low);
    assert_text(Remote_get_label(r), "const remote");
    assert_int_equal(Remote_get_id(Remote_read(remoteConst())), 77);
    assert_int_equal(toneConst, Tone_low);
    /* Constant functions return the same message every time. */
    assert_ptr_equal(kInner().p, kInner().p);
}

/* ------------------------------------------------------------------------
 * Reflection tables
 * ------------------------------------------------------------------------ */

static const ncp_schema_field *field(const ncp_schema_struct *s,
                                     const char *name) {
    for (uint16_t i = 0; i < s->field_count; i++)
        if (strcmp(s->fields[i].name, name) == 0) return &s->fields[i];
    fail_msg("%s has no field %s", s->name, name);
    static const ncp_schema_field none;
    return &none;
}

static void reflection(void **state) {
    (void)state;
    /* Prims: offsets in units of the field's size (see capnp compile
     * -ocapnp codegen.capnp). */
    const ncp_schema_struct *p = &Prims_schema;
    assert_string_equal(p->name, "Prims");
    assert_true(p->id == Prims_ID);
    assert_int_equal(p->data_words, 6);
    assert_int_equal(p->ptr_count, 0);
    assert_int_equal(p->field_count, 13);
    assert_false(p->is_group);
    assert_string_equal(p->fields[0].name, "v");
    assert_int_equal(p->fields[0].type.kind, NCP_TYPE_VOID);
    const ncp_schema_field *f = field(p, "i64");
    assert_int_equal(f->ordinal, 5);
    assert_int_equal(f->code_order, 5);
    assert_int_equal(f->offset, 1); /* bits[64, 128) */
    assert_int_equal(f->type.kind, NCP_TYPE_INT64);
    assert_int_equal(f->discriminant, NCP_NO_DISCRIMINANT);
    f = field(p, "u16");
    assert_int_equal(f->offset, 9); /* bits[144, 160) */
    f = field(p, "e");
    assert_int_equal(f->offset, 18); /* bits[288, 304) */
    assert_int_equal(f->type.kind, NCP_TYPE_ENUM);
    assert_ptr_equal(f->type.enumeration, &Color_schema);
    assert_int_equal(Color_schema.count, 3);
    assert_string_equal(Color_schema.enumerants[2], "blue");
    assert_string_equal(Color_schema.name, "Color");
    /* Defaults as the bits XOR-ed on the wire. */
    const ncp_schema_struct *d = &PrimDefaults_schema;
    assert_true(field(d, "i8")->default_bits == 0x9c);
    assert_true(field(d, "b")->default_bits == 1);
    assert_true(field(d, "u64")->default_bits == UINT64_MAX);
    assert_true(field(d, "f32")->default_bits == ncp_f32_to_bits(1.25f));
    assert_true(field(d, "e")->default_bits == Color_blue);
    /* Pointer defaults as one-segment messages. */
    const ncp_schema_field *def = field(&Pointers_schema, "innerDef");
    assert_int_equal(def->offset, 5);
    assert_int_equal(def->type.kind, NCP_TYPE_STRUCT);
    assert_ptr_equal(def->type.structure, &Inner_schema);
    assert_non_null(def->default_words);
    static ncp_msg *cache;
    Inner_R dv = Inner_read(
        ncp_const_root(def->default_words, def->default_word_count, &cache));
    assert_int_equal(Inner_get_id(dv), 7);
    assert_text(Inner_get_name(dv), "x");
    assert_null(field(&Pointers_schema, "inner")->default_words);
    assert_non_null(field(&Pointers_schema, "textDef")->default_words);
    assert_int_equal(field(&Pointers_schema, "any")->type.kind,
                     NCP_TYPE_ANY_POINTER);
    /* List types. */
    const ncp_schema_field *nested = field(&Lists_schema, "nested");
    assert_int_equal(nested->type.kind, NCP_TYPE_LIST);
    assert_int_equal(nested->type.element->kind, NCP_TYPE_LIST);
    assert_int_equal(nested->type.element->element->kind, NCP_TYPE_UINT32);
    const ncp_schema_field *inners = field(&Lists_schema, "inners");
    assert_ptr_equal(inners->type.element->structure, &Inner_schema);
    /* Unions and groups. */
    const ncp_schema_struct *s = &Shape_schema;
    assert_int_equal(s->discriminant_count, 8);
    assert_int_equal(s->discriminant_offset, 0);
    const ncp_schema_field *rect = field(s, "rect");
    assert_int_equal(rect->ordinal, 0xffff);
    assert_int_equal(rect->discriminant, Shape_which_rect);
    assert_ptr_equal(rect->group, &Shape_rect_schema);
    assert_true(Shape_rect_schema.is_group);
    assert_int_equal(field(&Shape_rect_schema, "h")->default_bits, 10);
    assert_int_equal(field(&Shape_rect_schema, "h")->offset, 3);
    assert_int_equal(field(s, "label")->discriminant, 2);
    assert_ptr_equal(field(s, "u")->group, &Shape_u_schema);
    assert_int_equal(Shape_u_schema.discriminant_count, 3);
    assert_int_equal(Shape_u_schema.discriminant_offset, 2);
    assert_ptr_equal(field(&Shape_u_schema, "c")->group, &Shape_u_c_schema);
    assert_int_equal(Shape_g_schema.discriminant_offset, 3);
    /* The generic's own table has AnyPointer fields. */
    assert_int_equal(field(&Map_Entry_schema, "key")->type.kind,
                     NCP_TYPE_ANY_POINTER);
    assert_string_equal(Outer_Mid_Leaf_schema.name, "Outer.Mid.Leaf");
    assert_string_equal(Outer_Mid_Kind_schema.enumerants[1], "beta");

    /* The file registries. */
    const ncp_schema_file *file = &ncp_gen_file_codegen_capnp;
    assert_string_equal(file->name, "codegen.capnp");
    bool prims = false, leaf = false;
    for (uint16_t i = 0; i < file->struct_count; i++) {
        assert_false(file->structs[i]->is_group);
        if (file->structs[i] == &Prims_schema) prims = true;
        if (strcmp(file->structs[i]->name, "Outer.Mid.Leaf") == 0) leaf = true;
    }
    assert_true(prims && leaf);
    /* Every struct the file declares, groups aside. */
    assert_int_equal(file->struct_count, 23);
    assert_string_equal(ncp_gen_file_codegen_import_capnp.name,
                        "codegen_import.capnp");
    assert_int_equal(ncp_gen_file_codegen_import_capnp.struct_count, 3);
    assert_ptr_equal(ncp_gen_file_codegen_import_capnp.structs[0],
                     &Remote_schema);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prims_round_trip),
        cmocka_unit_test(prim_defaults),
        cmocka_unit_test(pointer_fields),
        cmocka_unit_test(any_pointers),
        cmocka_unit_test(lists_of_every_type),
        cmocka_unit_test(union_members),
        cmocka_unit_test(union_defaults_and_switching),
        cmocka_unit_test(nested_declarations),
        cmocka_unit_test(generics),
        cmocka_unit_test(unbound_generic),
        cmocka_unit_test(imports),
        cmocka_unit_test(interfaces),
        cmocka_unit_test(constants),
        cmocka_unit_test(reflection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
