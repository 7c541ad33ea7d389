/*
 * tests/cli/test_tm_cli.c - `nupic tm` against nupic.core's traces.
 *
 *  - tm-psd01 (generated batch): active cells, predictive cells and raw
 *    anomaly scores of 1000 steps equal nupic.core's files byte for byte;
 *    saved after step 500 and continued with --load, the second half too.
 *  - Bad input exits 1 naming file and line and writes nothing; usage
 *    errors exit 2.
 *
 * Environment (set by CTest): NUPIC_CLI, NUPIC_TEST_DATA.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN "reference/generated/tm-psd01/"

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

static void psd01(void **state) {
    (void)state;
    ts_buf in = ts_read_data("reference/sp-hotgym/sp_seq_active.txt.xz");
    ts_buf active = ts_read_data(RUN "tm_active_cells.txt.xz");
    ts_buf pred = ts_read_data(RUN "tm_predictive_cells.txt.xz");
    ts_buf anomaly = ts_read_data(RUN "tm_anomaly.txt.xz");
    ts_buf in1000 = lines_of(&in, 0, 1000);
    ts_write_file("in.txt", in1000.data, in1000.len);
    ts_buf h1 = lines_of(&in, 0, 500), h2 = lines_of(&in, 500, 1000);
    ts_write_file("in1.txt", h1.data, h1.len);
    ts_write_file("in2.txt", h2.data, h2.len);
    char args[4096];
    snprintf(args, sizeof args,
             "tm --params '%s' --input in.txt --output a.txt --predictive "
             "p.txt --anomaly s.txt",
             ts_data_path(RUN "params.json"));
    assert_int_equal(cli_nupic(args), 0);
    assert_file_is("a.txt", &active);
    assert_file_is("p.txt", &pred);
    assert_file_is("s.txt", &anomaly);
    /* Half, save, resume. */
    snprintf(args, sizeof args,
             "tm -p '%s' -i in1.txt -o a1.txt --save st.capnp",
             ts_data_path(RUN "params.json"));
    assert_int_equal(cli_nupic(args), 0);
    assert_int_equal(
        cli_nupic("tm -l st.capnp -i in2.txt -o a2.txt -P p2.txt -a s2.txt"),
        0);
    ts_buf a2 = lines_of(&active, 500, 1000), p2 = lines_of(&pred, 500, 1000),
           s2 = lines_of(&anomaly, 500, 1000);
    assert_file_is("a2.txt", &a2);
    assert_file_is("p2.txt", &p2);
    assert_file_is("s2.txt", &s2);
    ts_buf_free(&a2);
    ts_buf_free(&p2);
    ts_buf_free(&s2);
    ts_buf_free(&h1);
    ts_buf_free(&h2);
    ts_buf_free(&in1000);
    ts_buf_free(&in);
    ts_buf_free(&active);
    ts_buf_free(&pred);
    ts_buf_free(&anomaly);
}

static void errors(void **state) {
    (void)state;
    write_text("p.json", "{\"columnDimensions\": [16], \"cellsPerColumn\": 4, "
                         "\"activationThreshold\": 2, \"minThreshold\": 1}");
    write_text("good.txt", "1 2 3\n4 5 6\n");
    assert_int_equal(cli_nupic("tm -p p.json -i good.txt -o ok.txt"), 0);
    write_text("b1.txt", "1 2 3\n4 16\n");
    cli_assert_fails("tm -p p.json -i b1.txt -o x.txt", 1);
    ts_buf err = cli_slurp("err.txt");
    assert_non_null(strstr((const char *)err.data, "b1.txt:2:"));
    ts_buf_free(&err);
    FILE *f = fopen("x.txt", "r");
    assert_null(f);
    write_text("bad.json", "{\"minThreshold\": 0}");
    cli_assert_fails("tm -p bad.json -i good.txt -o x.txt", 1);
    err = cli_slurp("err.txt");
    assert_non_null(strstr((const char *)err.data, "minThreshold"));
    ts_buf_free(&err);
    write_text("typo.json", "{\"cellsPerColum\": 4}");
    cli_assert_fails("tm -p typo.json -i good.txt -o x.txt", 1);
    write_text("junk.capnp", "not a state");
    cli_assert_fails("tm -l junk.capnp -i good.txt -o x.txt", 1);
    cli_assert_fails("tm -p p.json -i good.txt", 2);
    cli_assert_fails("tm -p p.json -l junk.capnp -i good.txt -o x.txt", 2);
    cli_assert_fails("tm -p p.json -i good.txt -o x.txt --unpacked", 2);
    assert_int_equal(cli_nupic("tm --help"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(psd01),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
