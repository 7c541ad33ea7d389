/*
 * tests/cli/test_inspect.c - `nupic inspect` against the reference tool.
 *
 *  - For NuPIC's root types (random messages from the reflection tables, and
 *    a NetworkProto with its Map(Text, RegionProto) and LinkProtos whose
 *    ArrayProto unions hold every member), unpacked, multi-segment and
 *    packed: the JSON output, parsed with jansson, equals `capnp convert
 *    binary:json`'s (and is byte for byte the same); the text output, pretty
 *    and --short, equals `capnp convert binary:text` byte for byte.  The type
 *    is named or detected; standard input is a file or a pipe.
 *  - Malformed input (truncated, garbage, corrupted, empty, missing, of
 *    another type) exits 1 with a message and no output; usage errors exit
 *    2; --help and --version exit 0.  Under the sanitizer build the same
 *    runs check that nothing is reported.
 *  - A SpatialPoolerProto of 2048 rows of 800 SparseFloat (20 MB) is
 *    printed in both formats and timed (a smaller one under sanitizers).
 *
 * Environment (set by CTest): NUPIC_CLI (the program), NUPIC_CAPNP,
 * NUPIC_SCHEMA_DIR (schema/, the import path of nupic/proto/...).
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_support.h"
#include "dyn_fill.h"
#include "test_support.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "nupic/proto/ArrayProto.capnp.h"
#include "nupic/proto/ConnectionsProto.capnp.h"
#include "nupic/proto/LinkProto.capnp.h"
#include "nupic/proto/Map.capnp.h"
#include "nupic/proto/NetworkProto.capnp.h"
#include "nupic/proto/RandomProto.capnp.h"
#include "nupic/proto/RegionProto.capnp.h"
#include "nupic/proto/SdrClassifier.capnp.h"
#include "nupic/proto/SparseBinaryMatrixProto.capnp.h"
#include "nupic/proto/SparseMatrixProto.capnp.h"
#include "nupic/proto/SpatialPoolerProto.capnp.h"
#include "nupic/proto/TemporalMemoryProto.capnp.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

/* ------------------------------------------------------------------------
 * Running the programs
 * ------------------------------------------------------------------------ */

/* The schema file of a type, for the reference tool. */
typedef struct type_info {
    const ncp_schema_struct *type;
    const char *file; /* under nupic/proto/ */
    bool unique_size; /* detected without --type */
} type_info;

static void capnp_convert(const char *conv, const type_info *t,
                          const char *in) {
    const char *dir = cli_env("NUPIC_SCHEMA_DIR");
    int rc = cli_run("'%s' convert %s -I'%s' '%s/nupic/proto/%s' %s < '%s' > "
                     "capnp.txt",
                     cli_env("NUPIC_CAPNP"), conv, dir, dir, t->file,
                     t->type->name, in);
    if (rc != 0) fail_msg("capnp convert %s %s failed", conv, t->type->name);
}

static void assert_same_json(const char *ours, const char *theirs) {
    json_error_t e1, e2;
    json_t *a = json_load_file(ours, 0, &e1);
    if (a == NULL)
        fail_msg("nupic's JSON does not parse: %s (line %d)", e1.text, e1.line);
    json_t *b = json_load_file(theirs, 0, &e2);
    if (b == NULL) fail_msg("capnp's JSON does not parse: %s", e2.text);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
}

static void assert_same_bytes(const char *ours, const char *theirs) {
    ts_buf a = cli_slurp(ours), b = cli_slurp(theirs);
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
        size_t i = 0;
        while (i < a.len && i < b.len && a.data[i] == b.data[i])
            i++;
        size_t from = i > 40 ? i - 40 : 0;
        fail_msg(
            "outputs differ at byte %zu:\n  nupic: %.100s\n  capnp: %.100s", i,
            (const char *)a.data + from, (const char *)b.data + from);
    }
    ts_buf_free(&a);
    ts_buf_free(&b);
}

/* Inspects `path` in every format and compares with the reference. */
static void check_file(const char *path, const type_info *t, bool packed) {
    static const struct {
        const char *ours, *theirs;
    } formats[] = {{"", "json"},
                   {"--short", "json --short"},
                   {"--format text", "text"},
                   {"-f text -s", "text --short"}};
    char args[2048];
    for (size_t f = 0; f < 4; f++) {
        snprintf(args, sizeof args, "inspect '%s' --type %s %s", path,
                 t->type->name, formats[f].ours);
        if (cli_nupic(args) != 0) {
            ts_buf err = cli_slurp("err.txt");
            fail_msg("nupic %s failed: %s", args, (const char *)err.data);
        }
        char conv[64];
        snprintf(conv, sizeof conv, "%s:%s", packed ? "packed" : "binary",
                 formats[f].theirs);
        capnp_convert(conv, t, path);
        if (f < 2) assert_same_json("out.txt", "capnp.txt");
        assert_same_bytes("out.txt", "capnp.txt");
    }
    if (t->unique_size) { /* detected */
        snprintf(args, sizeof args, "inspect '%s' -f text", path);
        assert_int_equal(cli_nupic(args), 0);
        capnp_convert(packed ? "packed:text" : "binary:text", t, path);
        assert_same_bytes("out.txt", "capnp.txt");
    }
}

/* Writes the builder unpacked, multi-segment and packed and checks each. */
static void check_builder(const ncp_builder *b, const type_info *t) {
    ts_buf out = ts_write_mem(b, 0);
    ts_write_file("msg.bin", out.data, out.len);
    check_file("msg.bin", t, false);
    ts_buf_free(&out);
    out = ts_write_mem(b, NCP_WRITE_PACKED);
    ts_write_file("msg.packed", out.data, out.len);
    check_file("msg.packed", t, true);
    ts_buf_free(&out);
}

/* ------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------ */

static const type_info types[] = {
    {&SpatialPoolerProto_schema, "SpatialPoolerProto.capnp", true},
    {&TemporalMemoryProto_schema, "TemporalMemoryProto.capnp", true},
    {&ConnectionsProto_schema, "ConnectionsProto.capnp", false},
    {&SdrClassifierProto_schema, "SdrClassifier.capnp", true},
    {&SparseMatrixProto_schema, "SparseMatrixProto.capnp", false},
    {&SparseBinaryMatrixProto_schema, "SparseBinaryMatrixProto.capnp", false},
    {&RandomProto_schema, "RandomProto.capnp", false},
    {&ArrayProto_schema, "ArrayProto.capnp", false},
    {&LinkProto_schema, "LinkProto.capnp", true},
    {&RegionProto_schema, "RegionProto.capnp", true},
};

static void test_random_nupic_messages(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        for (int k = 0; k < 3; k++) {
            dyn_gen g = {4, false, k == 1};
            /* k == 2: many small segments (far pointers) */
            ncp_builder *b =
                dyn_random_message(&g, types[i].type, k == 2 ? 24 : 0);
            check_builder(b, &types[i]);
            ncp_builder_free(b);
        }
    }
}

static ncp_builder *network(uint32_t segment_words) {
    ncp_builder_options o = {segment_words, NCP_GROW_FIXED, {NULL, NULL}};
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(&o, &b), NCP_OK);
    NetworkProto_B net = NetworkProto_new_root(b);
    Map_Text_RegionProto_Entry_BList entries =
        Map_Text_RegionProto_init_entries(NetworkProto_init_regions(net), 3);
    static const char *const names[] = {"sensor", "spatialPoolerRegion",
                                        "temporalMemoryRegion"};
    for (uint32_t i = 0; i < 3; i++) {
        Map_Text_RegionProto_Entry_B e =
            Map_Text_RegionProto_Entry_BList_get(entries, i);
        Map_Text_RegionProto_Entry_set_key(e, names[i], strlen(names[i]));
        RegionProto_B r = Map_Text_RegionProto_Entry_init_value(e);
        char type[64];
        int n = snprintf(type, sizeof type, "py.%sRegion", names[i]);
        RegionProto_set_nodeType(r, type, (size_t)n);
        uint32_t dims[2] = {64 * (i + 1), 32};
        RegionProto_set_dimensions(r, dims, 2);
        uint32_t phases[1] = {i};
        RegionProto_set_phases(r, phases, 1);
    }
    LinkProto_BList links = NetworkProto_init_links(net, 2);
    for (uint32_t i = 0; i < 2; i++) {
        LinkProto_B l = LinkProto_BList_get(links, i);
        LinkProto_set_type(l, "UniformLink", 11);
        LinkProto_set_params(l, "", 0);
        LinkProto_set_srcRegion(l, names[i], strlen(names[i]));
        LinkProto_set_srcOutput(l, "bottomUpOut", 11);
        LinkProto_set_destRegion(l, names[i + 1], strlen(names[i + 1]));
        LinkProto_set_destInput(l, "bottomUpIn", 10);
        ArrayProto_BList arrays = LinkProto_init_delayedOutputs(l, 9);
        uint8_t u8[3] = {1, 2, 255};
        int16_t i16[2] = {-5, 300};
        uint16_t u16[1] = {65535};
        int32_t i32[2] = {-70000, 7};
        uint32_t u32[2] = {4000000000u, 0};
        int64_t i64[2] = {INT64_MIN, 5};
        uint64_t u64[1] = {UINT64_MAX};
        float f32[3] = {0.1f, -2.5f, 1e-7f};
        double f64[2] = {0.1, 1e300};
        ArrayProto_set_byteArray(ArrayProto_BList_get(arrays, 0), u8, 3);
        ArrayProto_set_int16Array(ArrayProto_BList_get(arrays, 1), i16, 2);
        ArrayProto_set_uint16Array(ArrayProto_BList_get(arrays, 2), u16, 1);
        ArrayProto_set_int32Array(ArrayProto_BList_get(arrays, 3), i32, 2);
        ArrayProto_set_uint32Array(ArrayProto_BList_get(arrays, 4), u32, 2);
        ArrayProto_set_int64Array(ArrayProto_BList_get(arrays, 5), i64, 2);
        ArrayProto_set_uint64Array(ArrayProto_BList_get(arrays, 6), u64, 1);
        ArrayProto_set_real32Array(ArrayProto_BList_get(arrays, 7), f32, 3);
        ArrayProto_set_real64Array(ArrayProto_BList_get(arrays, 8), f64,
                                   i ? 2 : 0);
    }
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    return b;
}

static void test_network_with_map(void **state) {
    (void)state;
    static const type_info net = {&NetworkProto_schema, "NetworkProto.capnp",
                                  false};
    ncp_builder *b = network(0);
    check_builder(b, &net);
    ncp_builder_free(b);
    b = network(16);
    assert_true(ncp_builder_segment_count(b) > 3);
    check_builder(b, &net);
    ts_buf out = ts_write_mem(b, 0);
    ts_write_file("net.bin", out.data, out.len);
    ts_buf_free(&out);
    ncp_builder_free(b);
    /* the keys print as text and the values as regions */
    assert_int_equal(cli_nupic("inspect net.bin --type NetworkProto --short"),
                     0);
    ts_buf o = cli_slurp("out.txt");
    assert_non_null(strstr((const char *)o.data,
                           "{\"key\":\"sensor\",\"value\":{\"nodeType\":"));
    ts_buf_free(&o);
}

static ncp_builder *spatial_pooler(uint32_t rows, uint32_t per_row) {
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    SpatialPoolerProto_B sp = SpatialPoolerProto_new_root(b);
    SpatialPoolerProto_set_numInputs(sp, 4096);
    SpatialPoolerProto_set_numColumns(sp, rows);
    SpatialPoolerProto_set_potentialPct(sp, 0.85f);
    SpatialPoolerProto_set_synPermConnected(sp, 0.1f);
    RandomProto_set_seed(SpatialPoolerProto_init_random(sp), 1956);
    SparseMatrixProto_B pm = SpatialPoolerProto_init_permanences(sp);
    SparseMatrixProto_set_numRows(pm, rows);
    SparseMatrixProto_set_numColumns(pm, 4096);
    SparseFloatList_BList rl = SparseMatrixProto_init_rows(pm, rows);
    for (uint32_t r = 0; r < rows; r++) {
        SparseFloat_BList vl = SparseFloatList_init_values(
            SparseFloatList_BList_get(rl, r), per_row);
        for (uint32_t i = 0; i < per_row; i++) {
            SparseFloat_B v = SparseFloat_BList_get(vl, i);
            SparseFloat_set_index(v, i * 5 + r % 5);
            SparseFloat_set_value(v, (float)dyn_below(1000000) / 1e6f);
        }
    }
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    return b;
}

static void test_stdin(void **state) {
    (void)state;
    static const type_info sp = {&SpatialPoolerProto_schema,
                                 "SpatialPoolerProto.capnp", true};
    ncp_builder *b = spatial_pooler(20, 30);
    ts_buf out = ts_write_mem(b, NCP_WRITE_PACKED);
    ts_write_file("sp.packed", out.data, out.len);
    ts_buf_free(&out);
    capnp_convert("packed:json", &sp, "sp.packed");
    const char *cli = cli_env("NUPIC_CLI");
    assert_int_equal(cli_run("'%s' inspect - < sp.packed > out.txt", cli), 0);
    assert_same_bytes("out.txt", "capnp.txt");
    assert_int_equal(cli_run("cat sp.packed | '%s' inspect - > out.txt", cli),
                     0);
    assert_same_bytes("out.txt", "capnp.txt");
    assert_int_equal(
        cli_run(
            "cat sp.packed | '%s' inspect --packed -t SpatialPoolerProto - > "
            "out.txt",
            cli),
        0);
    assert_same_bytes("out.txt", "capnp.txt");
    /* told the wrong packing */
    assert_int_equal(
        cli_run(
            "cat sp.packed | '%s' inspect --unpacked - > out.txt 2> err.txt",
            cli),
        1);
    cli_assert_clean_error();
    ncp_builder_free(b);
}

/* ------------------------------------------------------------------------
 * Failures
 * ------------------------------------------------------------------------ */

static void test_malformed_inputs(void **state) {
    (void)state;
    ncp_builder *b = network(16);
    ts_buf good = ts_write_mem(b, 0);
    ts_buf packed = ts_write_mem(b, NCP_WRITE_PACKED);
    ncp_builder_free(b);
    /* truncated, unpacked and packed */
    for (size_t cut = 0; cut < good.len; cut += 1 + cut / 3) {
        ts_write_file("bad.bin", good.data, cut);
        cli_assert_fails("inspect bad.bin --type NetworkProto", 1);
        cli_assert_fails("inspect bad.bin", 1);
    }
    for (size_t cut = 0; cut < packed.len; cut += 1 + cut / 3) {
        ts_write_file("bad.bin", packed.data, cut);
        cli_assert_fails("inspect bad.bin --type NetworkProto", 1);
    }
    /* garbage */
    uint8_t junk[4096];
    for (int i = 0; i < 40; i++) {
        size_t n = 1 + dyn_below(sizeof junk);
        for (size_t k = 0; k < n; k++)
            junk[k] = (uint8_t)dyn_rand();
        if (i % 2) junk[0] = junk[1] = junk[2] = junk[3] = 0; /* 1 segment */
        ts_write_file("bad.bin", junk, n);
        cli_assert_fails("inspect bad.bin --type NetworkProto", 1);
        cli_assert_fails("inspect bad.bin -f text", 1);
    }
    /* corrupted valid messages: exit 0 (still valid) or 1, nothing else */
    for (int i = 0; i < 150; i++) {
        ts_buf c = {malloc(good.len), good.len};
        assert_non_null(c.data);
        memcpy(c.data, good.data, good.len);
        for (int k = 0; k < 3; k++)
            c.data[8 + dyn_below((uint32_t)good.len - 8)] = (uint8_t)dyn_rand();
        ts_write_file("bad.bin", c.data, c.len);
        int rc = cli_nupic("inspect bad.bin --type NetworkProto");
        if (rc == 1) {
            cli_assert_clean_error();
        } else {
            assert_int_equal(rc, 0);
            json_error_t e;
            json_t *j = json_load_file("out.txt", 0, &e);
            /* random bytes in text may not be UTF-8: only check that it
             * printed something */
            if (j) json_decref(j);
        }
        ts_buf_free(&c);
    }
    /* a valid message read as a type it is not */
    ts_write_file("net.bin", good.data, good.len);
    cli_assert_fails("inspect net.bin --type SpatialPoolerProto", 1);
    cli_assert_fails("inspect net.bin --type NoSuchType", 1);
    /* empty, missing, a directory */
    ts_write_file("empty.bin", "", 0);
    cli_assert_fails("inspect empty.bin", 1);
    cli_assert_fails("inspect no-such-file.bin", 1);
    cli_assert_fails("inspect . --type NetworkProto", 1);
    cli_assert_fails("inspect - --type NetworkProto < /dev/null", 1);
    /* a root that is not a struct, an unknown size */
    uint8_t list_root[16] = {0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    ts_write_file("bad.bin", list_root, sizeof list_root);
    cli_assert_fails("inspect bad.bin", 1);
    cli_assert_fails("inspect bad.bin --type RandomProto", 1);
    uint8_t odd[24] = {0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
                       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    odd[12] = 9; /* 9 data words, 0 pointers: no such type */
    ts_write_file("bad.bin", odd, sizeof odd);
    cli_assert_fails("inspect bad.bin", 1);
    /* the size of several types: detection asks for --type */
    ncp_builder *r = NULL;
    assert_int_equal(ncp_builder_new(NULL, &r), NCP_OK);
    RandomProto_set_seed(RandomProto_new_root(r), 5);
    ts_buf rb = ts_write_mem(r, 0);
    ts_write_file("random.bin", rb.data, rb.len);
    cli_assert_fails("inspect random.bin", 1);
    ts_buf err = cli_slurp("err.txt");
    assert_non_null(strstr((const char *)err.data, "--type"));
    ts_buf_free(&err);
    assert_int_equal(cli_nupic("inspect random.bin -t RandomProto -s"), 0);
    ts_buf_free(&rb);
    ncp_builder_free(r);
    ts_buf_free(&good);
    ts_buf_free(&packed);
}

static void test_usage(void **state) {
    (void)state;
    cli_assert_fails("", 2);
    cli_assert_fails("bogus", 2);
    cli_assert_fails("--bogus", 2);
    cli_assert_fails("inspect", 2);
    cli_assert_fails("inspect a b", 2);
    cli_assert_fails("inspect a --bogus", 2);
    cli_assert_fails("inspect a --format xml", 2);
    cli_assert_fails("inspect a --type", 2);
    cli_assert_fails("inspect a -f", 2);
    cli_assert_fails("inspect a --packed --unpacked", 2);
    cli_assert_fails("inspect a --list-types", 2);
    assert_int_equal(cli_nupic("--help"), 0);
    ts_buf o = cli_slurp("out.txt");
    assert_non_null(strstr((const char *)o.data, "inspect"));
    ts_buf_free(&o);
    assert_int_equal(cli_nupic("inspect --help"), 0);
    o = cli_slurp("out.txt");
    assert_non_null(strstr((const char *)o.data, "--type NAME"));
    ts_buf_free(&o);
    assert_int_equal(cli_nupic("--version"), 0);
    o = cli_slurp("out.txt");
    assert_int_equal(strncmp((const char *)o.data, "nupic ", 6), 0);
    ts_buf_free(&o);
    assert_int_equal(cli_nupic("inspect --list-types"), 0);
    o = cli_slurp("out.txt");
    assert_non_null(strstr((const char *)o.data, "SpatialPoolerProto"));
    assert_non_null(strstr((const char *)o.data, "Map.Entry"));
    ts_buf_free(&o);
}

/* ------------------------------------------------------------------------
 * A large SpatialPoolerProto
 * ------------------------------------------------------------------------ */

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_large_spatial_pooler(void **state) {
    (void)state;
#ifdef UNDER_SANITIZER
    uint32_t rows = 128;
#else
    uint32_t rows = 2048;
#endif
    /* 800 per row as the issue says, and 1280 per row: 20 MB */
    static const uint32_t per_row[2] = {800, 1280};
    for (int k = 0; k < 2; k++) {
        ncp_builder *b = spatial_pooler(rows, per_row[k]);
        ts_buf out = ts_write_mem(b, 0);
        ts_write_file("large.bin", out.data, out.len);
        ncp_builder_free(b);
        const char *cli = cli_env("NUPIC_CLI");
        static const char *const fmts[] = {"", "-s", "-f text", "-f text -s"};
        for (int f = 0; f < 4; f++) {
            double t0 = seconds();
            assert_int_equal(
                cli_run("'%s' inspect large.bin %s > /dev/null", cli, fmts[f]),
                0);
            print_message("inspect %.1f MB (%u rows of %u) %-10s %.3f s\n",
                          (double)out.len / 1e6, rows, per_row[k],
                          fmts[f][0] ? fmts[f] : "json", seconds() - t0);
        }
        ts_buf_free(&out);
    }
    ncp_builder *b;
    /* a part of it compared with the reference */
    b = spatial_pooler(64, 800);
    static const type_info sp = {&SpatialPoolerProto_schema,
                                 "SpatialPoolerProto.capnp", true};
    check_builder(b, &sp);
    ncp_builder_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_nupic_messages),
        cmocka_unit_test(test_network_with_map),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_malformed_inputs),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_large_spatial_pooler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
