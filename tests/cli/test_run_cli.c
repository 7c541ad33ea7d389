/*
 * tests/cli/test_run_cli.c - `nupic run` on slices of the hotgym data.
 *
 *  - the anomaly preset over 600 records: one row per record with the
 *    header naming the columns, numbers in %.17g, a summary and a plot;
 *    the same records as plain CSV with CRLF and no final newline give the
 *    same rows;
 *  - saved after 300 records and continued with --load, the rows of the
 *    second half equal those of the uninterrupted run;
 *  - a malformed row stops the run naming file and line, after the rows
 *    before it were written and a checkpoint taken with
 *    --checkpoint-every; continuing from that checkpoint gives the rows of
 *    the uninterrupted run; --skip-bad-rows goes on with a warning;
 *  - a prediction model from a NuPIC params file (tests/data/params/):
 *    prediction and probability columns for steps 1 and 5, and the same
 *    rows after a save and a --load;
 *  - usage errors exit 2, bad input 1.
 *
 * Environment (set by CTest): NUPIC_CLI, NUPIC_TEST_DATA.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRESET "run --preset anomaly --min 0 --max 100 "

static void write_text(const char *path, const char *text) {
    ts_write_file(path, text, strlen(text));
}

/* The lines [from, to) of a text (0-based), or to the end. */
static char *lines(const char *text, int from, int to) {
    const char *p = text;
    int line = 0;
    while (line < from && *p) {
        if (*p++ == '\n') line++;
    }
    const char *start = p;
    while ((to < 0 || line < to) && *p) {
        if (*p++ == '\n') line++;
    }
    size_t n = (size_t)(p - start);
    char *out = malloc(n + 1);
    assert_non_null(out);
    memcpy(out, start, n);
    out[n] = 0;
    return out;
}

static char *cat(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    char *out = malloc(na + nb + 1);
    assert_non_null(out);
    memcpy(out, a, na);
    memcpy(out + na, b, nb + 1);
    return out;
}

static char *slurp_text(const char *path) {
    ts_buf b = cli_slurp(path);
    return (char *)b.data;
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void assert_contains(const char *path, const char *what) {
    char *s = slurp_text(path);
    if (strstr(s, what) == NULL) fail_msg("%s lacks '%s':\n%s", path, what, s);
    free(s);
}

/* The hotgym file: its header (3 lines) and its records. */
static char *hotgym;
static char *header3;

static int setup(void **state) {
    (void)state;
    ts_buf b = ts_read_data("hotgym/rec-center-hourly.csv");
    hotgym = malloc(b.len + 1);
    if (hotgym == NULL) return -1;
    memcpy(hotgym, b.data, b.len);
    hotgym[b.len] = 0;
    ts_buf_free(&b);
    header3 = lines(hotgym, 0, 3);
    /* 600 records; the halves; the records 201..600 */
    char *r600 = lines(hotgym, 3, 603), *r300 = lines(hotgym, 3, 303);
    char *r300b = lines(hotgym, 303, 603), *r200b = lines(hotgym, 203, 603);
    char *t;
    write_text("all.csv", t = cat(header3, r600));
    free(t);
    write_text("h1.csv", t = cat(header3, r300));
    free(t);
    write_text("h2.csv", t = cat(header3, r300b));
    free(t);
    write_text("from200.csv", t = cat(header3, r200b));
    free(t);
    free(r600);
    free(r300);
    free(r300b);
    free(r200b);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(hotgym);
    free(header3);
    return 0;
}

static void preset(void **state) {
    (void)state;
    assert_int_equal(
        cli_nupic(PRESET "--input all.csv --output out.csv --plot p.svg"), 0);
    char *out = slurp_text("out.csv");
    assert_int_equal(count_lines(out), 601);
    assert_int_equal(strncmp(out,
                             "timestamp,consumption,anomaly_score,"
                             "anomaly_likelihood,log_likelihood",
                             67),
                     0);
    assert_non_null(strstr(out, "\n2010-07-02 00:00:00,21.199999999999999,"));
    assert_non_null(strstr(out, "\n2010-07-26 23:00:00,"));
    free(out);
    assert_contains("out.txt", "records      600\n");
    assert_contains("out.txt", "top anomalies:");
    assert_contains("out.txt", "plot written to p.svg");
    assert_contains("p.svg", "</svg>");

    /* The same records as plain CSV, CRLF, no final newline. */
    FILE *f = fopen("plain.csv", "wb");
    assert_non_null(f);
    char *records = lines(hotgym, 3, 603);
    fputs("timestamp,consumption\r\n", f);
    for (char *p = records; *p; p++) {
        if (*p == '\n' && p[1] == 0) break;
        if (*p == '\n') fputc('\r', f);
        fputc(*p, f);
    }
    fclose(f);
    free(records);
    assert_int_equal(cli_nupic(PRESET "-i plain.csv -o plain_out.csv"), 0);
    ts_buf a = ts_read_file("out.csv"), b = ts_read_file("plain_out.csv");
    ts_assert_bytes_equal(a.data, a.len, b.data, b.len);
    ts_buf_free(&a);
    ts_buf_free(&b);
}

static void save_and_continue(void **state) {
    (void)state;
    assert_int_equal(cli_nupic(PRESET "-i all.csv -o whole.csv"), 0);
    assert_int_equal(cli_nupic(PRESET "-i h1.csv -o o1.csv --save ck"), 0);
    assert_contains("out.txt", "model saved in ck");
    assert_int_equal(cli_nupic("run --load ck -i h2.csv -o o2.csv"), 0);
    char *whole = slurp_text("whole.csv"), *o1 = slurp_text("o1.csv");
    char *o2 = slurp_text("o2.csv");
    char *want1 = lines(whole, 0, 301), *want2 = lines(whole, 301, -1);
    assert_string_equal(o1, want1);
    /* o2 has its own header line */
    assert_string_equal(strchr(o2, '\n') + 1, want2);
    free(whole);
    free(o1);
    free(o2);
    free(want1);
    free(want2);
}

static void malformed_rows(void **state) {
    (void)state;
    /* Record 251 (line 254) is malformed. */
    char *before = lines(hotgym, 3, 253), *after = lines(hotgym, 254, 603);
    char *t = cat(header3, before), *bad = cat(t, "7/12/10 10:00,12,extra\n");
    free(t);
    char *text = cat(bad, after);
    write_text("bad.csv", text);
    free(text);
    text = cat(header3, "7/2/10 0:00,21.2\n7/2/10 1:00,lots\n");
    write_text("nan.csv", text);
    cli_assert_fails(PRESET "-i bad.csv -o b.csv --save ckb "
                            "--checkpoint-every 100",
                     1);
    assert_contains("err.txt",
                    "nupic run: bad.csv:254: 3 fields, the header has 2");
    /* The 250 rows before it were written. */
    char *b = slurp_text("b.csv");
    assert_int_equal(count_lines(b), 251);
    assert_int_equal(cli_nupic(PRESET "-i all.csv -o whole.csv"), 0);
    char *whole = slurp_text("whole.csv");
    char *want = lines(whole, 0, 251);
    assert_string_equal(b, want);
    free(want);
    /* The checkpoint after record 200 continues exactly. */
    assert_int_equal(cli_nupic("run --load ckb -i from200.csv -o c.csv"), 0);
    char *c = slurp_text("c.csv");
    want = lines(whole, 201, -1);
    assert_string_equal(strchr(c, '\n') + 1, want);
    free(want);
    free(c);
    /* Resuming the stopped run over the repaired file: the output is cut
     * back to the checkpoint's 200 rows and completed. */
    assert_int_equal(cli_nupic("run --load ckb --resume -i all.csv -o b.csv"),
                     0);
    c = slurp_text("b.csv");
    assert_string_equal(c, whole);
    free(c);
    assert_contains("out.txt", "records      400\n");
    /* ... but not over an output with fewer rows, or a shorter input. */
    write_text("short.csv", "timestamp,consumption\n1,2\n");
    cli_assert_fails("run --load ckb --resume -i all.csv -o short.csv", 1);
    assert_contains("err.txt", "short.csv: holds 1 rows, but the checkpoint "
                               "ckb has seen 200 records");
    cli_assert_fails("run --load ckb --resume -i nan.csv -o b.csv", 1);
    c = slurp_text("b.csv");
    assert_string_equal(c, whole);
    free(c);
    /* Skipping it. */
    assert_int_equal(cli_nupic(PRESET "-i bad.csv -o s.csv --skip-bad-rows"),
                     0);
    assert_contains("err.txt",
                    "nupic run: warning: bad.csv:254: 3 fields, the header "
                    "has 2 (row skipped)");
    assert_contains("out.txt", "skipped      1 malformed rows");
    char *s = slurp_text("s.csv");
    assert_int_equal(count_lines(s), 600);
    free(s);
    /* A value that is not a number. */
    cli_assert_fails(PRESET "-i nan.csv -o n.csv", 1);
    assert_contains("err.txt", "nan.csv:5: field 'consumption': 'lots' is "
                               "not a finite number");
    free(b);
    assert_int_equal(count_lines(b = slurp_text("n.csv")), 2);
    free(b);
    free(whole);
    free(text);
    free(bad);
    free(before);
    free(after);
}

static void errors(void **state) {
    (void)state;
    cli_assert_fails("run -i all.csv -o x.csv", 2);
    cli_assert_fails("run --preset anomaly --min 0 -i all.csv -o x.csv", 2);
    cli_assert_fails("run --preset other --min 0 --max 1 -i all.csv -o x.csv",
                     2);
    cli_assert_fails(PRESET "--tm foo -i all.csv -o x.csv", 2);
    cli_assert_fails(PRESET "-i all.csv -o x.csv --checkpoint-every 5", 2);
    cli_assert_fails(PRESET "-i all.csv -o x.csv -s d --checkpoint-every 0", 2);
    cli_assert_fails(PRESET "-i all.csv", 2);
    cli_assert_fails(PRESET "--load ck -i all.csv -o x.csv", 2);
    cli_assert_fails("run --load ck --min 1 -i all.csv -o x.csv", 2);
    cli_assert_fails(PRESET "--resume -i all.csv -o x.csv", 2);
    cli_assert_fails("run --load ck --resume -i all.csv -o -", 2);
    cli_assert_fails(PRESET "-i all.csv -o x.csv --threshold 2", 2);
    cli_assert_fails(PRESET "-i all.csv -o x.csv --bogus", 2);
    cli_assert_fails(PRESET "-i missing.csv -o x.csv", 1);
    assert_contains("err.txt", "missing.csv: No such file or directory");
    cli_assert_fails(PRESET "-i all.csv -o x.csv --field nope", 1);
    assert_contains("err.txt", "no column 'nope' (--field)");
    cli_assert_fails("run --load no-such-dir -i all.csv -o x.csv", 1);
    write_text("empty.csv", "");
    cli_assert_fails(PRESET "-i empty.csv -o x.csv", 1);
    assert_contains("err.txt", "empty.csv: no header line");
    assert_int_equal(cli_nupic("run --help"), 0);
    assert_contains("out.txt", "usage: nupic run");
    /* A header and no records: a header line and a summary. */
    write_text("none.csv", header3);
    assert_int_equal(cli_nupic(PRESET "-i none.csv -o none_out.csv"), 0);
    char *s = slurp_text("none_out.csv");
    assert_int_equal(count_lines(s), 1);
    free(s);
    assert_contains("out.txt", "records      0\n");
}

/* A TemporalMultiStep model from NuPIC's params, with a classifier-only
 * encoder: predictions for steps 1 and 5; saved after 300 records and
 * continued, the same rows. */
static void params_predictions(void **state) {
    (void)state;
    char params[1024];
    snprintf(params, sizeof params, "%s",
             ts_data_path("params/hotgym_multistep.json"));
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "run --params %s -i all.csv -o pred.csv", params);
    assert_int_equal(cli_nupic(cmd), 0);
    char *out = slurp_text("pred.csv");
    assert_int_equal(count_lines(out), 601);
    const char *head = "timestamp,consumption,anomaly_score,anomaly_likelihood,"
                       "log_likelihood,prediction_1,probability_1,"
                       "prediction_5,probability_5\n";
    assert_int_equal(strncmp(out, head, strlen(head)), 0);
    /* No anomaly columns' values; five values after the timestamp and
     * consumption on every row. */
    assert_non_null(
        strstr(out, "\n2010-07-02 00:00:00,21.199999999999999,,,,"));
    snprintf(cmd, sizeof cmd, "run --params %s -i h1.csv -o p1.csv --save ckp",
             params);
    assert_int_equal(cli_nupic(cmd), 0);
    assert_int_equal(cli_nupic("run --load ckp -i h2.csv -o p2.csv"), 0);
    char *second = slurp_text("p2.csv");
    char *want = lines(out, 301, -1);
    const char *rows = strchr(second, '\n') + 1;
    assert_string_equal(rows, want);
    free(want);
    free(second);
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(preset),         cmocka_unit_test(save_and_continue),
        cmocka_unit_test(malformed_rows), cmocka_unit_test(params_predictions),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
