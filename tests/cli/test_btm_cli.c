/*
 * tests/cli/test_btm_cli.c - `nupic btm` against nupic.core's Cells4 traces.
 *
 *  - cells4-nab: output cells, predicted columns and raw anomaly scores of
 *    steps 1-1000 equal nupic.core's files byte for byte; saved after step
 *    500 and continued with --load, the second half too.
 *  - Bad input exits 1 naming file and line (or the parameter) and writes
 *    nothing; usage errors exit 2.
 *
 * Environment (set by CTest): NUPIC_CLI, NUPIC_TEST_DATA.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF "reference/cells4-nab/"

/* params.txt with NuPIC's keyword names. */
static const char nab_json[] =
    "{\"numberOfCols\": 2048, \"cellsPerColumn\": 32, "
    "\"activationThreshold\": 13, \"minThreshold\": 10, "
    "\"newSynapseCount\": 20, \"initialPerm\": 0.21, \"connectedPerm\": 0.5, "
    "\"permanenceMax\": 1.0, \"permanenceDec\": 0.1, \"permanenceInc\": 0.1, "
    "\"globalDecay\": 0.0, \"doPooling\": false, \"seed\": 1960, "
    "\"pamLength\": 3, \"maxAge\": 0, \"maxInfBacktrack\": 10, "
    "\"maxLrnBacktrack\": 5, \"maxSeqLength\": 32, "
    "\"maxSegmentsPerCell\": 128, \"maxSynapsesPerSegment\": 32, "
    "\"outputType\": \"normal\"}";

static void write_text(const char *path, const char *text) {
    ts_write_file(path, text, strlen(text));
}

/* Lines [from, to) of a text. */
static ts_buf lines_of(const ts_buf *t, uint32_t from, uint32_t to) {
    const char *p = (const char *)t->data, *end = p + t->len;
    const char *start = NULL, *stop = end;
    uint32_t line = 0;
    if (from == 0) start = p;
    for (const char *q = p; q < end; q++)
        if (*q == '\n') {
            line++;
            if (line == from) start = q + 1;
            if (line == to) {
                stop = q + 1;
                break;
            }
        }
    assert_non_null(start);
    ts_buf b = {malloc((size_t)(stop - start) + 1), (size_t)(stop - start)};
    assert_non_null(b.data);
    memcpy(b.data, start, b.len);
    return b;
}

static void assert_file_is(const char *path, const ts_buf *want) {
    ts_buf got = ts_read_file(path);
    ts_assert_bytes_equal(got.data, got.len, want->data, want->len);
    ts_buf_free(&got);
}

static void nab(void **state) {
    (void)state;
    write_text("nab.json", nab_json);
    ts_buf in = ts_read_data("reference/sp-hotgym/sp_seq_active.txt.xz");
    ts_buf cells = ts_read_data(REF "output_cells_1-1000.txt.xz");
    ts_buf cols = ts_read_data(REF "predicted_columns_1-1000.txt.xz");
    ts_buf anomaly = ts_read_data(REF "anomaly_1-1000.txt.xz");
    ts_buf in1000 = lines_of(&in, 0, 1000);
    ts_write_file("in.txt", in1000.data, in1000.len);
    ts_buf h1 = lines_of(&in, 0, 500), h2 = lines_of(&in, 500, 1000);
    ts_write_file("in1.txt", h1.data, h1.len);
    ts_write_file("in2.txt", h2.data, h2.len);
    assert_int_equal(cli_nupic("btm --params nab.json --input in.txt --output "
                               "c.txt --predicted-columns p.txt --anomaly "
                               "s.txt"),
                     0);
    assert_file_is("c.txt", &cells);
    assert_file_is("p.txt", &cols);
    assert_file_is("s.txt", &anomaly);
    /* Half, save, resume. */
    assert_int_equal(
        cli_nupic("btm -p nab.json -i in1.txt -o c1.txt --save st.capnp"), 0);
    assert_int_equal(
        cli_nupic("btm -l st.capnp -i in2.txt -o c2.txt -P p2.txt -a s2.txt"),
        0);
    ts_buf c2 = lines_of(&cells, 500, 1000), p2 = lines_of(&cols, 500, 1000),
           s2 = lines_of(&anomaly, 500, 1000);
    assert_file_is("c2.txt", &c2);
    assert_file_is("p2.txt", &p2);
    assert_file_is("s2.txt", &s2);
    ts_buf *all[] = {&c2,     &p2, &s2,    &h1,   &h2,
                     &in1000, &in, &cells, &cols, &anomaly};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        ts_buf_free(all[i]);
}

static void errors(void **state) {
    (void)state;
    write_text("p.json", "{\"numberOfCols\": 16, \"cellsPerColumn\": 4, "
                         "\"activationThreshold\": 2, \"minThreshold\": 1}");
    write_text("good.txt", "1 2 3\n4 5 6\n");
    assert_int_equal(cli_nupic("btm -p p.json -i good.txt -o ok.txt"), 0);
    write_text("b1.txt", "1 2 3\n4 16\n");
    cli_assert_fails("btm -p p.json -i b1.txt -o x.txt", 1);
    ts_buf err = cli_slurp("err.txt");
    assert_non_null(strstr((const char *)err.data, "b1.txt:2:"));
    ts_buf_free(&err);
    FILE *f = fopen("x.txt", "r");
    assert_null(f);
    write_text("bad.json", "{\"pamLength\": 0}");
    cli_assert_fails("btm -p bad.json -i good.txt -o x.txt", 1);
    err = cli_slurp("err.txt");
    assert_non_null(strstr((const char *)err.data, "pamLength"));
    ts_buf_free(&err);
    write_text("typo.json", "{\"cellsPerColum\": 4}");
    cli_assert_fails("btm -p typo.json -i good.txt -o x.txt", 1);
    err = cli_slurp("err.txt");
    assert_non_null(strstr((const char *)err.data, "cellsPerColum"));
    ts_buf_free(&err);
    write_text("ot.json", "{\"outputType\": \"loud\"}");
    cli_assert_fails("btm -p ot.json -i good.txt -o x.txt", 1);
    write_text("junk.capnp", "not a state");
    cli_assert_fails("btm -l junk.capnp -i good.txt -o x.txt", 1);
    cli_assert_fails("btm -p p.json -i good.txt", 2);
    cli_assert_fails("btm -p p.json -l junk.capnp -i good.txt -o x.txt", 2);
    cli_assert_fails("btm -p p.json -i good.txt -o x.txt --unpacked", 2);
    assert_int_equal(cli_nupic("btm --help"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nab),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
