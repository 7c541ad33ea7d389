/*
 * tests/ncp/test_dynamic.c - the reflection-driven walker
 * (nupic/ncp/dynamic.h): printing, equality, validation.
 *
 *  - Float formatting equals the C library's "%.15g"/"%.17g" ("%.6g"/"%.8g"
 *    for floats) choice, which is what the reference tool prints, on special
 *    values and on hundreds of thousands of random values.
 *  - Printing equals `capnp convert binary:{json,text}` (pretty and --short)
 *    byte for byte: on messages written by the reference from text literals,
 *    on random messages of the test schema generated from its reflection
 *    tables (multi-segment, unknown enumerants and union members, long
 *    strings that break lines), and on NuPIC's SpatialPoolerProto.
 *  - Equality: copies are equal; the first difference is reported with its
 *    path; defaults, nulls, floats, unions, AnyPointers.
 *  - Validation and printing of malformed messages: errors name the field
 *    path; write and allocation failures; nesting limits.
 *
 * Schema: tests/data/dynamic/dyn_test.capnp (tables from ncp_test_schemas).
 * Temporary files are written in the current directory.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"
#include "dyn_fill.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/ncp/dynamic.h>

#include "dyn_test.capnp.h"
#include "nupic/proto/SpatialPoolerProto.capnp.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

typedef struct sink {
    char *data;
    size_t len, cap;
    int writes_left; /* fail after this many writes (< 0: never) */
} sink;

static int sink_write(void *ud, const void *d, size_t n) {
    sink *s = ud;
    if (s->writes_left == 0) {
        errno = ENOSPC;
        return -1;
    }
    if (s->writes_left > 0) s->writes_left--;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n + 1)
            cap *= 2;
        s->data = realloc(s->data, cap);
        assert_non_null(s->data);
        s->cap = cap;
    }
    memcpy(s->data + s->len, d, n);
    s->len += n;
    s->data[s->len] = '\0';
    return 0;
}

/* Prints s into a new NUL-terminated string (fails the test on error). */
static char *print_str(const ncp_struct *s, const ncp_schema_struct *t,
                       ncp_format format, unsigned flags) {
    sink k = {NULL, 0, 0, -1};
    ncp_print_options o = {format, flags, {NULL, NULL}};
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_dyn_print(s, t, &o, sink_write, &k, &err);
    if (st != NCP_OK) fail_msg("print: %s", err.message);
    if (k.data == NULL) {
        k.data = malloc(1);
        assert_non_null(k.data);
        k.data[0] = '\0';
    }
    return k.data;
}

static const char *dyn_schema(void) {
    static char path[1024];
    const char *dir = getenv("NUPIC_DYNAMIC_SCHEMAS");
    if (dir == NULL) fail_msg("NUPIC_DYNAMIC_SCHEMAS is not set");
    snprintf(path, sizeof path, "%s/dyn_test.capnp", dir);
    return path;
}

/* capnp convert <conv> <schema args> < in > out; returns the output. */
static ts_buf capnp_convert(const char *conv, const char *schema_args,
                            const char *in) {
    char args[8192];
    snprintf(args, sizeof args, "convert %s %s", conv, schema_args);
    int rc = ts_capnp(args, in, "capnp.out");
    if (rc != 0) fail_msg("capnp %s failed (%d)", args, rc);
    return ts_read_file("capnp.out");
}

/* Reads the messages of a stream file one after the other. */
typedef struct stream {
    ts_buf data;
    size_t pos;
} stream;

static ncp_msg *stream_next(stream *s) {
    if (s->pos >= s->data.len) return NULL;
    ncp_msg *m = NULL;
    ncp_error err = {NCP_OK, ""};
    if (ncp_msg_from_buffer(s->data.data + s->pos, s->data.len - s->pos, NULL,
                            &m, &err) != NCP_OK)
        fail_msg("stream: %s", err.message);
    s->pos += ncp_msg_consumed(m);
    return m;
}

static const char *const format_args[4] = {
    "binary:json", "binary:json --short", "binary:text", "binary:text --short"};
static const char *const format_names[4] = {"json", "json --short", "text",
                                            "text --short"};

/* Prints every message of the stream file `path` in the four formats and
 * compares the output with the reference tool's, message by message. */
static void compare_stream(const char *path, const char *schema_args,
                           const ncp_schema_struct *type) {
    for (int f = 0; f < 4; f++) {
        ts_buf want = capnp_convert(format_args[f], schema_args, path);
        stream s = {ts_read_file(path), 0};
        size_t at = 0;
        unsigned index = 0;
        ncp_msg *m;
        while ((m = stream_next(&s)) != NULL) {
            ncp_struct root = ncp_msg_root(m, NULL);
            char *got =
                print_str(&root, type, (ncp_format)f, NCP_PRINT_NEWLINE);
            size_t n = strlen(got);
            if (at + n > want.len || memcmp(want.data + at, got, n) != 0) {
                size_t i = 0;
                while (i < n && at + i < want.len &&
                       want.data[at + i] == got[i])
                    i++;
                size_t from = i > 60 ? i - 60 : 0;
                fail_msg("%s: message %u differs at byte %zu:\n"
                         "  capnp: %.120s\n  ncp:   %.120s",
                         format_names[f], index, i,
                         (const char *)want.data + at + from, got + from);
            }
            at += n;
            free(got);
            ncp_msg_free(m);
            index++;
        }
        assert_int_equal(at, want.len);
        ts_buf_free(&s.data);
        ts_buf_free(&want);
    }
}

static void append_file(const char *path, const ts_buf *b) {
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    assert_int_equal(fclose(f), 0);
}

/* ------------------------------------------------------------------------
 * Float formatting
 * ------------------------------------------------------------------------ */

/* What the reference does (KJ's conversion), with the C library. */
static void kj_double(double v, char *out) {
    if (isnan(v)) {
        strcpy(out, "nan");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v > 0 ? "inf" : "-inf");
        return;
    }
    snprintf(out, 32, "%.*g", DBL_DIG, v);
    if (strtod(out, NULL) != v) snprintf(out, 32, "%.*g", DBL_DIG + 2, v);
    char *w = out;
    for (char *r = out; *r; r++)
        if (*r != '+') *w++ = *r;
    *w = '\0';
}

static void kj_float(float v, char *out) {
    if (isnan(v)) {
        strcpy(out, "nan");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v > 0 ? "inf" : "-inf");
        return;
    }
    snprintf(out, 32, "%.*g", FLT_DIG, (double)v);
    char *end;
    errno = 0;
    float back = strtof(out, &end);
    if (*end != '\0' || errno != 0 || back != v)
        snprintf(out, 32, "%.*g", FLT_DIG + 2, (double)v);
    char *w = out;
    for (char *r = out; *r; r++)
        if (*r != '+') *w++ = *r;
    *w = '\0';
}

static void check_double(double v) {
    char want[32], got[NCP_FLOAT_CHARS];
    kj_double(v, want);
    size_t n = ncp_format_f64(v, got);
    if (strcmp(want, got) != 0 || n != strlen(got))
        fail_msg("double %a: want %s, got %s", v, want, got);
}

static void check_float(float v) {
    char want[32], got[NCP_FLOAT_CHARS];
    kj_float(v, want);
    size_t n = ncp_format_f32(v, got);
    if (strcmp(want, got) != 0 || n != strlen(got))
        fail_msg("float %a: want %s, got %s", (double)v, want, got);
}

static void test_format_special_values(void **state) {
    (void)state;
    char b[NCP_FLOAT_CHARS];
    static const struct {
        double v;
        const char *text;
    } d[] = {{0.0, "0"},
             {-0.0, "-0"},
             {0.1, "0.1"},
             {1e300, "1e300"},
             {5e-324, "4.94065645841247e-324"},
             {1e21, "1e21"},
             {1e-7, "1e-07"},
             {1e16, "1e16"},
             {123456789012345678.0, "1.2345678901234568e17"},
             {0.30000000000000004, "0.30000000000000004"},
             {100, "100"},
             {-2.5, "-2.5"},
             {DBL_MAX, "1.7976931348623157e308"},
             {1e-5, "1e-05"},
             {0.0001, "0.0001"},
             {123456789012345.0, "123456789012345"},
             {1234567890123456.0, "1234567890123456"}};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        ncp_format_f64(d[i].v, b);
        assert_string_equal(b, d[i].text);
        check_double(d[i].v);
    }
    ncp_format_f64(INFINITY, b);
    assert_string_equal(b, "inf");
    ncp_format_f64(-INFINITY, b);
    assert_string_equal(b, "-inf");
    ncp_format_f64(-NAN, b);
    assert_string_equal(b, "nan");
    static const struct {
        float v;
        const char *text;
    } f[] = {{0.1f, "0.1"},
             {1e30f, "1e30"},
             {3.4028235e38f, "3.4028235e38"},
             {1.4e-45f, "1.4012985e-45"},
             {1e7f, "1e07"},
             {123456789.0f, "1.2345679e08"},
             {-103.21731567f, "-103.21732"},
             {-0.0f, "-0"},
             {100.0f, "100"}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        ncp_format_f32(f[i].v, b);
        assert_string_equal(b, f[i].text);
        check_float(f[i].v);
    }
}

static void test_format_random_doubles(void **state) {
    (void)state;
    for (int i = 0; i < 300000; i++) {
        uint64_t bits = dyn_rand();
        double v = ncp_f64_from_bits(bits);
        check_double(v);
        /* values of usual magnitudes, where the exact path runs */
        int e = (int)dyn_below(80) - 40;
        check_double((double)(dyn_rand() >> 11) * ldexp(1.0, -53) *
                     pow(10.0, e));
        /* floats widened to doubles, as JSON prints Float32 */
        float fv = ncp_f32_from_bits((uint32_t)dyn_rand());
        check_double((double)fv);
        check_double((double)(float)((double)(dyn_rand() >> 40) / 1e6));
    }
    /* short decimals, integers, ties, binade boundaries */
    for (int i = 0; i < 100000; i++) {
        char s[64];
        snprintf(s, sizeof s, "%u.%ue%d", dyn_below(100000), dyn_below(1000),
                 (int)dyn_below(60) - 30);
        check_double(strtod(s, NULL));
        check_double((double)(dyn_rand() >> dyn_below(64)));
        check_double(ldexp(1.0, (int)dyn_below(2098) - 1074));
        check_double(nextafter(ldexp(1.0, (int)dyn_below(200) - 100), 0.0));
    }
}

static void test_format_random_floats(void **state) {
    (void)state;
    for (int i = 0; i < 300000; i++) {
        check_float(ncp_f32_from_bits((uint32_t)dyn_rand()));
        check_float((float)((double)dyn_below(1000000) / 1e6));
        check_float((float)dyn_below(1u << 30));
        check_float(ldexpf(1.0f, (int)dyn_below(277) - 149));
    }
}

/* ------------------------------------------------------------------------
 * Printing: messages written by the reference from text literals
 * ------------------------------------------------------------------------ */

static const char *const literals[] = {
    "()",
    "(scalars = (v = void, b = true, i8 = -128, i16 = -32768, i32 = "
    "-2147483648, i64 = -9223372036854775808, u8 = 255, u16 = 65535, u32 = "
    "4294967295, u64 = 18446744073709551615, f32 = 0.1, f64 = 0.1, kind = "
    "beta))",
    "(scalars = (f32 = nan, f64 = -inf), defaults = (), lists = (f32s = [inf, "
    "-inf, nan, -0, 1e-45, 3.4028235e38, 1e7, 123456789], f64s = [-inf, nan, "
    "5e-324, 1e21, 1e22, 1e-7, 1e300]))",
    "(defaults = (b = false, i8 = 0, text = \"\", data = \"\", leaf = (), "
    "ints = [], word = \"x\"))",
    "(defaults = (leafy = (id = 3)))",
    "(defaults = (word = \"a very long word that breaks the line of the "
    "struct\"))",
    "(lists = (voids = [void, void], bools = [true, false, true], i8s = [1, "
    "-2], i16s = [300], i32s = [], i64s = [1, -1], u8s = [0, 255], u16s = "
    "[65535], u32s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, "
    "17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30], u64s = "
    "[18446744073709551615], texts = [\"a\", \"\", \"he\\\"llo\\n\\t\\\\ "
    "\\x01\\x7f é\"], datas = [\"ab\\x00\\xff\", \"\"], leaves = [(id = 1), "
    "(weight = 2.5)], kinds = [alpha, gamma, anEnumerantWithAVeryLongName], "
    "nested = [[\"x\"], [], [\"y\", \"z\"]], matrix = [[1, 2.5], [], "
    "[1e100]]))",
    "(lists = (texts = [\"a long text list element number one, longer than "
    "fifty characters\", \"b\"], leaves = [(id = 1, weight = 0.25), (id = 2, "
    "weight = 0.125), (id = 3, weight = 3.14159)]))",
    "(tree = (name = \"n\", grp = (first = 1, second = \"s\"), u = (c = (c1 = "
    "3, c2 = true)), z = alpha, kind = beta))",
    "(tree = (u = (b = \"bb\"), y = [], child = (name = \"child with a rather "
    "long name\", y = [(id = 1), (id = 2, weight = 0.5)]), children = [(x = "
    "void), (z = beta), (name = \"third\")], deep = (inner = (v = 0, w = "
    "\"\\x01\\x02\"))))",
    "(tree = (u = (a = 7), grp = (second = \"a second string long enough to "
    "break lines of the group\"), children = [(children = [(children = "
    "[(name = \"deeply nested element with a long name indeed\")])])]))",
    "(matrix = (numRows = 3, numColumns = 4, rows = [(values = [(id = 0, "
    "weight = 0.5), (id = 3, weight = 0.25)]), (values = []), (values = [(id "
    "= 1, weight = 1e-3)])]), textBox = (count = 5))",
    "(lists = (trees = [(name = \"t1\"), (u = (b = \"\")), (grp = (first = "
    "-1))]))",
};

static void test_print_literals_match_capnp(void **state) {
    (void)state;
    remove("literals.bin");
    for (size_t i = 0; i < sizeof literals / sizeof literals[0]; i++) {
        ts_write_file("literal.txt", literals[i], strlen(literals[i]));
        char args[2048];
        snprintf(args, sizeof args, "convert text:binary '%s' Everything",
                 dyn_schema());
        if (ts_capnp(args, "literal.txt", "literal.bin") != 0)
            fail_msg("capnp rejected literal %zu", i);
        ts_buf b = ts_read_file("literal.bin");
        append_file("literals.bin", &b);
        ts_buf_free(&b);
    }
    char schema_args[2048];
    snprintf(schema_args, sizeof schema_args, "'%s' Everything", dyn_schema());
    compare_stream("literals.bin", schema_args, &Everything_schema);
}

static void test_print_random_match_capnp(void **state) {
    (void)state;
    remove("random.bin");
    for (int i = 0; i < 300; i++) {
        dyn_gen g = {3 + (int)dyn_below(3), false, i % 2 == 0};
        ncp_builder *b = dyn_random_message(
            &g, &Everything_schema, dyn_below(2) ? 16 + dyn_below(64) : 0);
        /* the reference reads at most 512 segments */
        ts_buf out = ts_write_mem(b, ncp_builder_segment_count(b) > 256
                                         ? NCP_WRITE_SINGLE_SEGMENT
                                         : 0);
        append_file("random.bin", &out);
        ts_buf_free(&out);
        ncp_builder_free(b);
    }
    char schema_args[2048];
    snprintf(schema_args, sizeof schema_args, "'%s' Everything", dyn_schema());
    compare_stream("random.bin", schema_args, &Everything_schema);
}

/* The field of t called name (fails the test if there is none). */
static const ncp_schema_field *field_of(const ncp_schema_struct *t,
                                        const char *name) {
    for (uint16_t i = 0; i < t->field_count; i++)
        if (strcmp(t->fields[i].name, name) == 0) return &t->fields[i];
    fail_msg("%s has no field %s", t->name, name);
    return &t->fields[0];
}

/* AnyPointers: the text format as the reference; JSON (where the
 * reference fails) as a marker string. */
static void test_print_any_pointer(void **state) {
    (void)state;
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bstruct t =
        ncp_builder_init_root(b, Tree_schema.data_words, Tree_schema.ptr_count);
    const ncp_schema_field *any = field_of(&Tree_schema, "any");
    ncp_bstruct s =
        ncp_bptr_init_struct(ncp_bstruct_ptr(&t, any->offset), 1, 0);
    ncp_bstruct_set_u32(&s, 0, 5);
    ts_buf bin = ts_write_mem(b, 0);
    ts_write_file("any.bin", bin.data, bin.len);
    ncp_msg *m = ts_open(&bin);
    ncp_struct r = ncp_msg_root(m, NULL);
    char args[2048];
    snprintf(args, sizeof args, "'%s' Tree", dyn_schema());
    ts_buf want = capnp_convert("binary:text --short", args, "any.bin");
    char *got =
        print_str(&r, &Tree_schema, NCP_FORMAT_TEXT_SHORT, NCP_PRINT_NEWLINE);
    assert_int_equal(strlen(got), want.len);
    assert_memory_equal(got, want.data, want.len);
    assert_non_null(strstr(got, "any = <opaque pointer>"));
    free(got);
    got = print_str(&r, &Tree_schema, NCP_FORMAT_JSON_SHORT, 0);
    assert_non_null(strstr(got, "\"any\":\"<opaque pointer>\""));
    free(got);
    ts_buf_free(&want);
    ncp_msg_free(m);
    ts_buf_free(&bin);
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * NuPIC's SpatialPoolerProto
 * ------------------------------------------------------------------------ */

static ncp_builder *spatial_pooler(uint32_t rows, uint32_t per_row) {
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    SpatialPoolerProto_B sp = SpatialPoolerProto_new_root(b);
    SpatialPoolerProto_set_numInputs(sp, 1024);
    SpatialPoolerProto_set_numColumns(sp, rows);
    SpatialPoolerProto_set_potentialPct(sp, 0.85f);
    SpatialPoolerProto_set_globalInhibition(sp, true);
    SpatialPoolerProto_set_synPermConnected(sp, 0.1f);
    SpatialPoolerProto_set_boostStrength(sp, 3.0f);
    uint32_t dims[2] = {32, rows / 32 ? rows / 32 : 1};
    SpatialPoolerProto_set_columnDimensions(sp, dims, 2);
    RandomProto_B rnd_b = SpatialPoolerProto_init_random(sp);
    RandomProto_set_seed(rnd_b, 42);
    SparseMatrixProto_B pm = SpatialPoolerProto_init_permanences(sp);
    SparseMatrixProto_set_numRows(pm, rows);
    SparseMatrixProto_set_numColumns(pm, 1024);
    SparseFloatList_BList rl = SparseMatrixProto_init_rows(pm, rows);
    for (uint32_t r = 0; r < rows; r++) {
        SparseFloatList_B row = SparseFloatList_BList_get(rl, r);
        SparseFloat_BList vl = SparseFloatList_init_values(row, per_row);
        for (uint32_t i = 0; i < per_row; i++) {
            SparseFloat_B v = SparseFloat_BList_get(vl, i);
            SparseFloat_set_index(v, i * 3 + r % 3);
            SparseFloat_set_value(v, (float)((double)dyn_below(1000000) / 1e6));
        }
    }
    float duty[8] = {0.5f, 0.25f, 1e-6f, 0.1f, 0.0f, 1.0f, 0.3f, 2.0f};
    SpatialPoolerProto_set_boostFactors(sp, duty, 8);
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    return b;
}

static const char *sp_schema_args(void) {
    static char args[2048];
    const char *dir = getenv("NUPIC_SCHEMA_DIR");
    if (dir == NULL) fail_msg("NUPIC_SCHEMA_DIR is not set");
    snprintf(args, sizeof args,
             "-I'%.900s' '%.900s/nupic/proto/SpatialPoolerProto.capnp' "
             "SpatialPoolerProto",
             dir, dir);
    return args;
}

static void test_print_spatial_pooler_matches_capnp(void **state) {
    (void)state;
    ncp_builder *b = spatial_pooler(64, 40);
    ts_buf bin = ts_write_mem(b, 0);
    ts_write_file("sp.bin", bin.data, bin.len);
    compare_stream("sp.bin", sp_schema_args(), &SpatialPoolerProto_schema);
    ts_buf_free(&bin);
    ncp_builder_free(b);
}

/* Large outputs: many flushes, and a long list of short strings whose
 * layout is only decided by its last element (all of it is moved). */
static void test_print_large_layouts_match_capnp(void **state) {
    (void)state;
    ncp_builder *b = spatial_pooler(200, 60);
    ts_buf bin = ts_write_mem(b, 0);
    ts_write_file("sp_large.bin", bin.data, bin.len);
    compare_stream("sp_large.bin", sp_schema_args(),
                   &SpatialPoolerProto_schema);
    ts_buf_free(&bin);
    ncp_builder_free(b);

    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bstruct e = ncp_builder_init_root(b, Everything_schema.data_words,
                                          Everything_schema.ptr_count);
    const ncp_schema_field *lists = field_of(&Everything_schema, "lists");
    ncp_bstruct l =
        ncp_bptr_init_struct(ncp_bstruct_ptr(&e, lists->offset),
                             Lists_schema.data_words, Lists_schema.ptr_count);
    ncp_blist texts = ncp_bptr_init_list(
        ncp_bstruct_ptr(&l, field_of(&Lists_schema, "texts")->offset),
        NCP_ELEM_POINTER, 30001);
    for (uint32_t i = 0; i < 30000; i++) {
        char t[16];
        int n = snprintf(t, sizeof t, "t%u", i % 1000);
        ncp_bptr_set_text(ncp_blist_ptr(&texts, i), t, (size_t)n);
    }
    const char *last = "the last element is long enough to break the list";
    ncp_bptr_set_text(ncp_blist_ptr(&texts, 30000), last, strlen(last));
    bin = ts_write_mem(b, 0);
    ts_write_file("texts.bin", bin.data, bin.len);
    char args[2048];
    snprintf(args, sizeof args, "'%s' Everything", dyn_schema());
    compare_stream("texts.bin", args, &Everything_schema);
    ts_buf_free(&bin);
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * Equality
 * ------------------------------------------------------------------------ */

static ncp_msg *open_builder(const ncp_builder *b, ts_buf *keep) {
    *keep = ts_write_mem(b, 0);
    return ts_open(keep);
}

static void test_equal_copies(void **state) {
    (void)state;
    for (int i = 0; i < 100; i++) {
        dyn_gen g = {4, true, i % 3 == 0};
        ncp_builder *b =
            dyn_random_message(&g, &Everything_schema, dyn_below(2) ? 32 : 0);
        ts_buf ba, bb;
        ncp_msg *ma = open_builder(b, &ba);
        /* a deep copy (another layout), packed and read back */
        ncp_builder *c = NULL;
        assert_int_equal(ncp_builder_new(NULL, &c), NCP_OK);
        ncp_bptr_copy(ncp_builder_root_ptr(c), ncp_msg_root_ptr(ma));
        assert_int_equal(ncp_builder_status(c), NCP_OK);
        bb = ts_write_mem(c, NCP_WRITE_PACKED);
        ncp_msg *mb = ts_open(&bb);
        bool equal = false;
        ncp_diff diff;
        ncp_error err = {NCP_OK, ""};
        assert_int_equal(ncp_dyn_equal_roots(ma, mb, &Everything_schema,
                                             NCP_EQUAL_NULL_DIFFERS, &equal,
                                             &diff, &err),
                         NCP_OK);
        if (!equal) fail_msg("copy differs: %s", diff.message);
        assert_string_equal(diff.message, "");
        assert_int_equal(ncp_dyn_validate_root(mb, &Everything_schema, 0, &err),
                         NCP_OK);
        ncp_msg_free(ma);
        ncp_msg_free(mb);
        ts_buf_free(&ba);
        ts_buf_free(&bb);
        ncp_builder_free(b);
        ncp_builder_free(c);
    }
}

/* Two matrices of `rows` rows of 5 leaves, as the root Everything.matrix. */
static ncp_builder *matrix(uint32_t rows, uint32_t change_row,
                           uint32_t change_col, float value) {
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    Everything_B e = Everything_new_root(b);
    Matrix_B m = Everything_init_matrix(e);
    Matrix_set_numRows(m, 20);
    Row_BList rl = Matrix_init_rows(m, rows);
    for (uint32_t r = 0; r < rows; r++) {
        Leaf_BList vl = Row_init_values(Row_BList_get(rl, r), 5);
        for (uint32_t i = 0; i < 5; i++) {
            Leaf_B v = Leaf_BList_get(vl, i);
            Leaf_set_id(v, i);
            Leaf_set_weight(v,
                            r == change_row && i == change_col ? value : 0.5f);
        }
    }
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    return b;
}

/* Compares the roots of two builders; returns the difference ("" when
 * equal). */
static const char *diff_of(const ncp_builder *a, const ncp_builder *b,
                           const ncp_schema_struct *t, unsigned flags) {
    static ncp_diff diff;
    ts_buf ba, bb;
    ncp_msg *ma = open_builder(a, &ba), *mb = open_builder(b, &bb);
    bool equal = false;
    ncp_error err = {NCP_OK, ""};
    if (ncp_dyn_equal_roots(ma, mb, t, flags, &equal, &diff, &err) != NCP_OK)
        fail_msg("equal: %s", err.message);
    assert_true(equal == (diff.message[0] == '\0'));
    ncp_msg_free(ma);
    ncp_msg_free(mb);
    ts_buf_free(&ba);
    ts_buf_free(&bb);
    return diff.message;
}

static void test_equal_reports_first_difference(void **state) {
    (void)state;
    ncp_builder *a = matrix(20, 17, 3, 0.5f), *b = matrix(20, 17, 3, 0.25f);
    assert_string_equal(diff_of(a, a, &Everything_schema, 0), "");
    assert_string_equal(diff_of(a, b, &Everything_schema, 0),
                        "Everything.matrix.rows[17].values[3].weight: 0.5 != "
                        "0.25");
    ncp_builder *c = matrix(19, 0, 0, 0.5f);
    assert_string_equal(diff_of(a, c, &Everything_schema, 0),
                        "Everything.matrix.rows: 20 elements != 19 elements");
    ncp_builder_free(a);
    ncp_builder_free(b);
    ncp_builder_free(c);

    /* unions, text, enums, groups */
    ncp_builder *t1 = NULL, *t2 = NULL;
    assert_int_equal(ncp_builder_new(NULL, &t1), NCP_OK);
    assert_int_equal(ncp_builder_new(NULL, &t2), NCP_OK);
    Tree_B x = Tree_new_root(t1), y = Tree_new_root(t2);
    Tree_u_set_a(Tree_init_u(x), 1);
    Tree_u_set_b(Tree_init_u(y), "b", 1);
    assert_string_equal(diff_of(t1, t2, &Tree_schema, 0),
                        "Tree.u: union member a != b");
    Tree_u_set_a(Tree_init_u(y), 2);
    assert_string_equal(diff_of(t1, t2, &Tree_schema, 0), "Tree.u.a: 1 != 2");
    Tree_u_set_a(Tree_init_u(y), 1);
    Tree_set_name(x, "x", 1);
    assert_string_equal(diff_of(t1, t2, &Tree_schema, 0),
                        "Tree.name: \"x\" (1 bytes) != \"\" (0 bytes)");
    Tree_set_name(y, "x", 1);
    Tree_set_kind(y, Kind_beta);
    assert_string_equal(diff_of(t1, t2, &Tree_schema, 0),
                        "Tree.kind: alpha != beta");
    Tree_set_kind(y, Kind_alpha);
    Tree_grp_set_first(Tree_init_grp(y), -4);
    assert_string_equal(diff_of(t1, t2, &Tree_schema, 0),
                        "Tree.grp.first: 0 != -4");
    Tree_grp_set_first(Tree_init_grp(y), 0);
    Tree_deep_inner_set_v(Tree_deep_init_inner(Tree_init_deep(y)), 98);
    assert_string_equal(diff_of(t1, t2, &Tree_schema, 0),
                        "Tree.deep.inner.v: 99 != 98");
    Tree_deep_inner_set_v(Tree_deep_init_inner(Tree_init_deep(y)), 99);
    assert_string_equal(diff_of(t1, t2, &Tree_schema, 0), "");
    /* the member of the unnamed union, in a child */
    Tree_B cx = Tree_init_child(x), cy = Tree_init_child(y);
    Tree_set_z(cx, Kind_alpha);
    Tree_set_x(cy);
    assert_string_equal(diff_of(t1, t2, &Tree_schema, 0),
                        "Tree.child: union member z != x");
    Tree_set_z(cy, Kind_beta);
    assert_string_equal(diff_of(t1, t2, &Tree_schema, 0),
                        "Tree.child.z: alpha != beta");
    ncp_builder_free(t1);
    ncp_builder_free(t2);
}

static void test_equal_defaults_and_nulls(void **state) {
    (void)state;
    ncp_builder *a = NULL, *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &a), NCP_OK);
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    Defaults_B x = Defaults_new_root(a), y = Defaults_new_root(b);
    /* explicit values equal to the defaults read the same as nulls */
    Defaults_set_text(y, "hello", 5);
    Leaf_B leaf = Defaults_init_leaf(y);
    Leaf_set_id(leaf, 7);
    Leaf_set_weight(leaf, 0.5f);
    int32_t ints[3] = {1, 2, 3};
    Defaults_set_ints(y, ints, 3);
    Defaults_set_i8(y, -100);
    Defaults_set_f64(y, -3.5);
    assert_string_equal(diff_of(a, b, &Defaults_schema, 0), "");
    assert_string_equal(diff_of(a, b, &Defaults_schema, NCP_EQUAL_NULL_DIFFERS),
                        "Defaults.text: null != set");
    Defaults_set_text(y, "", 0);
    assert_string_equal(diff_of(a, b, &Defaults_schema, 0),
                        "Defaults.text: \"hello\" (5 bytes) != \"\" (0 bytes)");
    Defaults_set_text(y, "hello", 5);
    Leaf_set_id(leaf, 8);
    assert_string_equal(diff_of(a, b, &Defaults_schema, 0),
                        "Defaults.leaf.id: 7 != 8");
    Leaf_set_id(leaf, 7);
    Defaults_set_i8(y, 0);
    assert_string_equal(diff_of(a, b, &Defaults_schema, 0),
                        "Defaults.i8: -100 != 0");
    Defaults_set_i8(y, -100);
    /* union members with defaults */
    Defaults_set_word(x, "word", 4);
    Defaults_set_word(y, "word", 4);
    assert_string_equal(diff_of(a, b, &Defaults_schema, 0), "");
    ncp_builder_free(a);
    ncp_builder_free(b);

    /* null text and lists equal empty ones unless nulls differ */
    assert_int_equal(ncp_builder_new(NULL, &a), NCP_OK);
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    Tree_B t = Tree_new_root(a), u = Tree_new_root(b);
    (void)t;
    Tree_set_name(u, "", 0);
    Tree_init_children(u, 0);
    assert_string_equal(diff_of(a, b, &Tree_schema, 0), "");
    assert_string_equal(diff_of(a, b, &Tree_schema, NCP_EQUAL_NULL_DIFFERS),
                        "Tree.name: null != set");
    ncp_builder_free(a);
    ncp_builder_free(b);
}

static void test_equal_floats(void **state) {
    (void)state;
    ncp_builder *a = NULL, *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &a), NCP_OK);
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    Scalars_B x = Scalars_new_root(a), y = Scalars_new_root(b);
    Scalars_set_f32(x, 0.0f);
    Scalars_set_f32(y, -0.0f);
    assert_string_equal(diff_of(a, b, &Scalars_schema, 0),
                        "Scalars.f32: 0 != -0");
    assert_string_equal(diff_of(a, b, &Scalars_schema, NCP_EQUAL_FLOAT_VALUES),
                        "");
    Scalars_set_f32(x, NAN);
    Scalars_set_f32(y, NAN);
    assert_string_equal(diff_of(a, b, &Scalars_schema, 0), "");
    Scalars_set_f64(x, ncp_f64_from_bits(0x7ff8000000000001u));
    Scalars_set_f64(y, ncp_f64_from_bits(0x7ff8000000000002u));
    assert_string_equal(diff_of(a, b, &Scalars_schema, 0),
                        "Scalars.f64: nan != nan");
    assert_string_equal(diff_of(a, b, &Scalars_schema, NCP_EQUAL_FLOAT_VALUES),
                        "");
    ncp_builder_free(a);
    ncp_builder_free(b);
}

static void test_equal_any_pointers(void **state) {
    (void)state;
    ncp_builder *a = NULL, *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &a), NCP_OK);
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    Tree_B x = Tree_new_root(a), y = Tree_new_root(b);
    /* the same content in structs of different sizes */
    ncp_bstruct sx = ncp_bptr_init_struct(Tree_ptr_any(x), 1, 1);
    ncp_bstruct sy = ncp_bptr_init_struct(Tree_ptr_any(y), 2, 2);
    ncp_bstruct_set_u32(&sx, 0, 77);
    ncp_bstruct_set_u32(&sy, 0, 77);
    ncp_bptr_set_text(ncp_bstruct_ptr(&sx, 0), "in", 2);
    ncp_bptr_set_text(ncp_bstruct_ptr(&sy, 0), "in", 2);
    assert_string_equal(diff_of(a, b, &Tree_schema, 0), "");
    ncp_bptr_set_text(ncp_bstruct_ptr(&sy, 0), "io", 2);
    assert_string_equal(diff_of(a, b, &Tree_schema, 0),
                        "Tree.any.<pointer 0>[1]: data byte 0: 0x6e != 0x6f");
    ncp_bptr_set_text(ncp_bstruct_ptr(&sy, 0), "in", 2);
    ncp_bstruct_set_u8(&sy, 9, 1);
    assert_string_equal(diff_of(a, b, &Tree_schema, 0),
                        "Tree.any: data byte 9: 0x00 != 0x01");
    ncp_bptr_init_list(Tree_ptr_any(y), NCP_ELEM_BYTE, 3);
    assert_string_equal(diff_of(a, b, &Tree_schema, 0),
                        "Tree.any: a struct != a list");
    ncp_builder_free(a);
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * Validation and malformed messages
 * ------------------------------------------------------------------------ */

/* Validates, prints and compares (with itself) the root of the message in
 * buf; all three must fail with `status` and a message starting with
 * `prefix`. */
static void expect_malformed(const ts_buf *buf, const ncp_schema_struct *t,
                             const ncp_read_options *o, ncp_status status,
                             const char *prefix) {
    for (int op = 0; op < 3; op++) {
        ncp_msg *m = NULL, *m2 = NULL;
        ncp_error err = {NCP_OK, ""};
        assert_int_equal(ncp_msg_from_buffer(buf->data, buf->len, o, &m, &err),
                         NCP_OK);
        ncp_status st;
        if (op == 0) {
            st = ncp_dyn_validate_root(m, t, 0, &err);
        } else if (op == 1) {
            ncp_print_options po = {NCP_FORMAT_TEXT, 0, {NULL, NULL}};
            FILE *f = fopen("malformed.txt", "w");
            assert_non_null(f);
            st = ncp_dyn_print_root(m, t, &po, f, &err);
            fclose(f);
        } else {
            assert_int_equal(
                ncp_msg_from_buffer(buf->data, buf->len, o, &m2, NULL), NCP_OK);
            bool equal = true;
            st = ncp_dyn_equal_roots(m, m2, t, 0, &equal, NULL, &err);
            assert_false(equal);
        }
        if (st != status || strncmp(err.message, prefix, strlen(prefix)) != 0)
            fail_msg("operation %d: want %s \"%s...\", got %s \"%s\"", op,
                     ncp_status_name(status), prefix, ncp_status_name(st),
                     err.message);
        ncp_msg_free(m);
        ncp_msg_free(m2);
    }
}

static void test_validate_malformed(void **state) {
    (void)state;
    /* a list pointer running out of its segment, deep in the message */
    ncp_builder *b = matrix(4, 0, 0, 0.5f);
    ts_buf buf = ts_write_mem(b, 0);
    ncp_msg *m = ts_open(&buf);
    assert_int_equal(
        ncp_dyn_validate_root(m, &Everything_schema, NCP_VALIDATE_STRICT, NULL),
        NCP_OK);
    ncp_msg_free(m);
    ncp_builder_free(b);
    /* find rows[2].values in the written bytes and break its pointer */
    m = ts_open(&buf);
    ncp_struct root = ncp_msg_root(m, NULL);
    ncp_struct mx = ncp_ptr_struct(ncp_struct_ptr(&root, 4), NULL);
    ncp_list rows =
        ncp_ptr_list(ncp_struct_ptr(&mx, 0), NCP_ELEM_COMPOSITE, NULL);
    ncp_struct row2 = ncp_list_struct(&rows, 2);
    size_t at = (size_t)(ncp_struct_ptr(&row2, 0).p - buf.data);
    ncp_msg_free(m);
    uint8_t saved[8];
    memcpy(saved, buf.data + at, 8);
    ncp_store32(buf.data + at, (uint32_t)(100000u << 2) | 1u);
    expect_malformed(&buf, &Everything_schema, NULL, NCP_ERR_MALFORMED,
                     "Everything.matrix.rows[2].values: struct list of");
    /* a struct pointer where the list is */
    ncp_store64(buf.data + at, 0x0000000100000000u);
    expect_malformed(&buf, &Everything_schema, NULL, NCP_ERR_TYPE,
                     "Everything.matrix.rows[2].values: found a struct "
                     "pointer where a list was expected");
    /* a capability */
    ncp_store64(buf.data + at, 3);
    expect_malformed(&buf, &Everything_schema, NULL, NCP_ERR_CAPABILITY,
                     "Everything.matrix.rows[2].values: capability pointer");
    memcpy(buf.data + at, saved, 8);
    /* the traversal limit */
    ncp_read_options small = {0};
    small.traversal_limit_words = 20;
    small.max_message_words = 1000;
    expect_malformed(&buf, &Everything_schema, &small, NCP_ERR_LIMIT,
                     "Everything.matrix.rows[");
    ts_buf_free(&buf);

    /* text without NUL, a list of the wrong encoding, capabilities in
     * AnyPointers, the root a list */
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    Tree_B t = Tree_new_root(b);
    ncp_bptr_set_data(
        ncp_bstruct_ptr(&t.s, field_of(&Tree_schema, "name")->offset), "abc",
        3);
    buf = ts_write_mem(b, 0);
    expect_malformed(&buf, &Tree_schema, NULL, NCP_ERR_MALFORMED,
                     "Tree.name: text of 3 bytes is not NUL-terminated");
    ts_buf_free(&buf);
    Tree_set_name(t, "ok", 2);
    Tree_B child = Tree_init_child(t);
    ncp_bptr_init_list(
        ncp_bstruct_ptr(&child.s, field_of(&Tree_schema, "children")->offset),
        NCP_ELEM_BIT, 3);
    buf = ts_write_mem(b, 0);
    expect_malformed(&buf, &Tree_schema, NULL, NCP_ERR_TYPE,
                     "Tree.child.children: found List(Bool) where a struct "
                     "list was expected");
    ts_buf_free(&buf);
    ncp_builder_free(b);

    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    t = Tree_new_root(b);
    ncp_bstruct any = ncp_bptr_init_struct(Tree_ptr_any(t), 0, 2);
    ncp_bstruct_ptr(&any, 1);
    buf = ts_write_mem(b, 0);
    /* make any's second pointer a capability (index 0) */
    m = ts_open(&buf);
    root = ncp_msg_root(m, NULL);
    ncp_struct as = ncp_ptr_struct(
        ncp_struct_ptr(&root, field_of(&Tree_schema, "any")->offset), NULL);
    at = (size_t)(ncp_struct_ptr(&as, 1).p - buf.data);
    ncp_msg_free(m);
    ncp_store64(buf.data + at, 3);
    m = ts_open(&buf);
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_dyn_validate_root(m, &Tree_schema, 0, &err),
                     NCP_ERR_CAPABILITY);
    assert_string_equal(err.message,
                        "Tree.any.<pointer 1>: capability pointer (data "
                        "messages cannot hold capabilities)");
    ncp_msg_free(m);
    ts_buf_free(&buf);
    ncp_builder_free(b);

    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bptr_init_list(ncp_builder_root_ptr(b), NCP_ELEM_4BYTES, 2);
    buf = ts_write_mem(b, 0);
    expect_malformed(&buf, &Tree_schema, NULL, NCP_ERR_TYPE,
                     "Tree: found a list pointer where a struct was expected");
    ts_buf_free(&buf);
    ncp_builder_free(b);
}

static void test_validate_strict(void **state) {
    (void)state;
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    Everything_B e = Everything_new_root(b);
    Tree_B t = Everything_init_tree(e);
    Tree_BList ch = Tree_init_children(t, 3);
    Tree_set_kind(Tree_BList_get(ch, 2), (Kind)9);
    ts_buf buf = ts_write_mem(b, 0);
    ncp_msg *m = ts_open(&buf);
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_dyn_validate_root(m, &Everything_schema, 0, &err),
                     NCP_OK);
    assert_int_equal(
        ncp_dyn_validate_root(m, &Everything_schema, NCP_VALIDATE_STRICT, &err),
        NCP_ERR_MALFORMED);
    assert_string_equal(err.message, "Everything.tree.children[2].kind: 9 is "
                                     "not an enumerant of Kind");
    ncp_msg_free(m);
    ts_buf_free(&buf);
    Tree_set_kind(Tree_BList_get(ch, 2), Kind_beta);
    ncp_bstruct_set_u16(&t.s, Tree_schema.discriminant_offset * 2, 7);
    buf = ts_write_mem(b, 0);
    m = ts_open(&buf);
    ncp_error_clear(&err);
    assert_int_equal(
        ncp_dyn_validate_root(m, &Everything_schema, NCP_VALIDATE_STRICT, &err),
        NCP_ERR_MALFORMED);
    assert_string_equal(err.message, "Everything.tree: union discriminant 7 "
                                     "names no member of Tree");
    ncp_msg_free(m);
    ts_buf_free(&buf);
    ncp_builder_free(b);
}

/* A chain of Tree.child: deeper than the reader's nesting limit, and deeper
 * than the walker's own limit when the reader allows it. */
static void test_nesting_limits(void **state) {
    (void)state;
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    Tree_B t = Tree_new_root(b);
    for (int i = 0; i < 1100; i++)
        t = Tree_init_child(t);
    ts_buf buf = ts_write_mem(b, 0);
    expect_malformed(&buf, &Tree_schema, NULL, NCP_ERR_NESTING,
                     "Tree.child.child.child");
    ncp_read_options deep = {0};
    deep.nesting_limit = 60000;
    expect_malformed(&buf, &Tree_schema, &deep, NCP_ERR_NESTING,
                     "Tree.child.child");
    ncp_msg *m = NULL;
    assert_int_equal(ncp_msg_from_buffer(buf.data, buf.len, &deep, &m, NULL),
                     NCP_OK);
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_dyn_validate_root(m, &Tree_schema, 0, &err),
                     NCP_ERR_NESTING);
    if (strstr(err.message, "nested deeper than 1024") == NULL)
        fail_msg("%s", err.message);
    ncp_msg_free(m);
    ts_buf_free(&buf);
    ncp_builder_free(b);
}

static void test_refuses_failed_message(void **state) {
    (void)state;
    ncp_builder *b = matrix(2, 0, 0, 0.5f);
    ts_buf buf = ts_write_mem(b, 0);
    ncp_msg *m = ts_open(&buf);
    ncp_msg_fail(m, NCP_ERR_MALFORMED, "earlier problem");
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_dyn_validate_root(m, &Everything_schema, 0, &err),
                     NCP_ERR_MALFORMED);
    assert_non_null(strstr(err.message, "earlier problem"));
    ncp_msg_free(m);
    /* an empty message: no root */
    uint8_t empty[8] = {0};
    assert_int_equal(ncp_msg_from_buffer(empty, 8, NULL, &m, NULL), NCP_OK);
    ncp_error_clear(&err);
    assert_int_equal(
        ncp_dyn_print_root(m, &Everything_schema, NULL, stdout, &err),
        NCP_ERR_MALFORMED);
    assert_non_null(strstr(err.message, "no root pointer"));
    ncp_msg_free(m);
    /* arguments */
    ncp_error_clear(&err);
    assert_int_equal(
        ncp_dyn_print(NULL, &Everything_schema, NULL, sink_write, NULL, &err),
        NCP_ERR_ARG);
    ncp_print_options bad = {(ncp_format)9, 0, {NULL, NULL}};
    ncp_struct none = {NULL, NULL, NULL, NULL, 0, 0, 0};
    assert_int_equal(
        ncp_dyn_print(&none, &Everything_schema, &bad, sink_write, NULL, NULL),
        NCP_ERR_ARG);
    ts_buf_free(&buf);
    ncp_builder_free(b);
}

/* Write errors stop the print with NCP_ERR_IO, wherever they happen. */
static void test_print_write_failures(void **state) {
    (void)state;
    ncp_builder *b = spatial_pooler(100, 50);
    ts_buf buf = ts_write_mem(b, 0);
    for (int fmt = 0; fmt < 4; fmt++) {
        int writes = 0;
        for (int fail_at = 0;; fail_at++) {
            ncp_msg *m = ts_open(&buf);
            sink k = {NULL, 0, 0, fail_at};
            ncp_print_options o = {(ncp_format)fmt, 0, {NULL, NULL}};
            ncp_error err = {NCP_OK, ""};
            ncp_struct s = ncp_msg_root(m, NULL);
            ncp_status st = ncp_dyn_print(&s, &SpatialPoolerProto_schema, &o,
                                          sink_write, &k, &err);
            free(k.data);
            ncp_msg_free(m);
            if (st == NCP_OK) {
                writes = fail_at;
                break;
            }
            assert_int_equal(st, NCP_ERR_IO);
            assert_non_null(strstr(err.message, "No space left on device"));
        }
        assert_true(writes > 1); /* the output came in several chunks */
    }
    /* a closed stream */
    FILE *f = fopen("closed.txt", "w");
    assert_non_null(f);
    ncp_msg *m = ts_open(&buf);
    FILE *ro = fopen("closed.txt", "r");
    assert_non_null(ro);
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(
        ncp_dyn_print_root(m, &SpatialPoolerProto_schema, NULL, ro, &err),
        NCP_ERR_IO);
    fclose(ro);
    fclose(f);
    ncp_msg_free(m);
    ts_buf_free(&buf);
    ncp_builder_free(b);
}

/* An allocator failing after `left` allocations. */
typedef struct failing {
    int left;
    size_t live;
} failing;

static void *failing_alloc(void *ud, void *p, size_t old, size_t n) {
    failing *f = ud;
    if (n == 0) {
        free(p);
        f->live -= old;
        return NULL;
    }
    if (f->left == 0) return NULL;
    f->left--;
    void *q = realloc(p, n);
    if (q) f->live += n - (p ? old : 0);
    return q;
}

static void test_print_allocation_failures(void **state) {
    (void)state;
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    Everything_B e = Everything_new_root(b);
    Defaults_B d = Everything_init_defaults(e);
    Defaults_init_leafy(d); /* printed as its default: a default message */
    Tree_B t = Everything_init_tree(e);
    Tree_BList ch = Tree_init_children(t, 40);
    for (uint32_t i = 0; i < 40; i++)
        Tree_set_name(Tree_BList_get(ch, i),
                      "a name long enough to break the lines", 37);
    ts_buf buf = ts_write_mem(b, 0);
    for (int fmt = 0; fmt < 4; fmt++) {
        for (int left = 0;; left++) {
            ncp_msg *m = ts_open(&buf);
            failing fa = {left, 0};
            ncp_print_options o = {(ncp_format)fmt, 0, {failing_alloc, &fa}};
            sink k = {NULL, 0, 0, -1};
            ncp_error err = {NCP_OK, ""};
            ncp_struct s = ncp_msg_root(m, NULL);
            ncp_status st =
                ncp_dyn_print(&s, &Everything_schema, &o, sink_write, &k, &err);
            free(k.data);
            ncp_msg_free(m);
            assert_int_equal(fa.live, 0);
            if (st == NCP_OK) break;
            assert_int_equal(st, NCP_ERR_NOMEM);
        }
    }
    ts_buf_free(&buf);
    ncp_builder_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_special_values),
        cmocka_unit_test(test_format_random_doubles),
        cmocka_unit_test(test_format_random_floats),
        cmocka_unit_test(test_print_literals_match_capnp),
        cmocka_unit_test(test_print_random_match_capnp),
        cmocka_unit_test(test_print_any_pointer),
        cmocka_unit_test(test_print_spatial_pooler_matches_capnp),
        cmocka_unit_test(test_print_large_layouts_match_capnp),
        cmocka_unit_test(test_equal_copies),
        cmocka_unit_test(test_equal_reports_first_difference),
        cmocka_unit_test(test_equal_defaults_and_nulls),
        cmocka_unit_test(test_equal_floats),
        cmocka_unit_test(test_equal_any_pointers),
        cmocka_unit_test(test_validate_malformed),
        cmocka_unit_test(test_validate_strict),
        cmocka_unit_test(test_nesting_limits),
        cmocka_unit_test(test_refuses_failed_message),
        cmocka_unit_test(test_print_write_failures),
        cmocka_unit_test(test_print_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
