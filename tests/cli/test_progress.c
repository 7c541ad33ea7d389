/*
 * tests/cli/test_progress.c - the progress bar and summary of `nupic run`
 * (src/cli/progress.c).
 *
 *  - the bar draws at most every 0.1 s, with the share read, records,
 *    records/s and the time left; without a total, records and records/s;
 *    silent without a terminal; erased at the end;
 *  - the top anomalies keep the highest likelihoods, earlier first among
 *    equals;
 *  - the summary names records, time, records/s and the top anomalies.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

/* What was written to f, as a string the caller frees. */
static char *contents(FILE *f) {
    fflush(f);
    long size = ftell(f);
    assert_true(size >= 0);
    rewind(f);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = 0;
    return buf;
}

static void bar(void **state) {
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    cli_progress p;
    cli_progress_start_on(&p, f, 1000, 100.0);
    cli_progress_update_at(&p, 10, 10, 100.05); /* too soon */
    char *s = contents(f);
    assert_string_equal(s, "");
    free(s);
    fseek(f, 0, SEEK_END);
    cli_progress_update_at(&p, 500, 250, 102.0);
    s = contents(f);
    /* a quarter in 2 s: 6 s left */
    assert_non_null(strstr(s, "\r[=======>"));
    assert_non_null(strstr(s, " 25%  500 records  250 records/s  ETA 0:06"));
    free(s);
    fseek(f, 0, SEEK_END);
    cli_progress_update_at(&p, 501, 251, 102.05); /* too soon again */
    cli_progress_end(&p);
    s = contents(f);
    size_t n = strlen(s);
    assert_true(n >= 4);
    assert_string_equal(s + n - 4, "\r\033[K");
    assert_null(strstr(s, "501 records"));
    free(s);
    fclose(f);

    /* Unknown size. */
    f = tmpfile();
    cli_progress_start_on(&p, f, 0, 0.0);
    cli_progress_update_at(&p, 12000, 5, 4.0);
    s = contents(f);
    assert_non_null(strstr(s, "\r12000 records  3000 records/s\033[K"));
    free(s);
    fclose(f);

    /* Silent. */
    cli_progress_start_on(&p, NULL, 100, 0.0);
    cli_progress_update_at(&p, 1, 1, 10.0);
    cli_progress_update(&p, 2, 2);
    cli_progress_end(&p);
    assert_false(p.drawn);
}

static cli_top_entry entry(double likelihood, uint64_t line) {
    cli_top_entry e = {
        likelihood, (double)line * 2, {2010, 7, 2, 0, 0, 0, 0}, true, line};
    return e;
}

static void top(void **state) {
    (void)state;
    cli_top t;
    cli_top_init(&t, 3);
    static const double l[] = {0.5, 0.9, NAN, 0.7, 0.9, 0.95, 0.1, 0.9};
    for (uint64_t i = 0; i < sizeof l / sizeof l[0]; i++) {
        cli_top_entry e = entry(l[i], i + 10);
        cli_top_add(&t, &e);
    }
    assert_int_equal(t.n, 3);
    assert_true(t.e[0].likelihood == 0.95);
    assert_int_equal(t.e[0].line, 15);
    assert_true(t.e[1].likelihood == 0.9);
    assert_int_equal(t.e[1].line, 11);
    assert_int_equal(t.e[2].line, 14);
    cli_top_init(&t, 0);
    cli_top_entry e = entry(1, 1);
    cli_top_add(&t, &e);
    assert_int_equal(t.n, 0);
    cli_top_init(&t, 1000);
    assert_int_equal(t.cap, CLI_TOP_MAX);
}

static void summary(void **state) {
    (void)state;
    cli_top t;
    cli_top_init(&t, 5);
    cli_top_entry e = entry(0.99999, 7);
    e.time.hour = 13;
    cli_top_add(&t, &e);
    e = entry(0.995, 9);
    e.value = NAN;
    e.has_time = false;
    cli_top_add(&t, &e);
    cli_summary s = {4391, 2, 0.5, 0.99, 2, &t, true};
    FILE *f = tmpfile();
    cli_summary_print(f, &s);
    char *out = contents(f);
    assert_non_null(strstr(out, "records      4391\n"));
    assert_non_null(strstr(out, "skipped      2 malformed rows\n"));
    assert_non_null(strstr(out, "time         0.500 s (0:01)\n"));
    assert_non_null(strstr(out, "records/s    8782\n"));
    assert_non_null(strstr(out, "anomalies    2 (likelihood >= 0.99)\n"));
    assert_non_null(strstr(out, "top anomalies:\n"));
    assert_non_null(strstr(out, "  1    7      2010-07-02 13:00:00        14"));
    assert_non_null(strstr(out, " 0.99999000000000005\n"));
    assert_non_null(strstr(out, "  2    9      -                          -"));
    free(out);
    fclose(f);
    /* No time elapsed, no anomalies. */
    f = tmpfile();
    cli_summary z = {0, 0, 0, 0.99, 0, NULL, true};
    cli_summary_print(f, &z);
    out = contents(f);
    assert_non_null(strstr(out, "records/s    -\n"));
    assert_non_null(strstr(out, "anomalies    0"));
    assert_null(strstr(out, "top anomalies"));
    assert_null(strstr(out, "skipped"));
    free(out);
    fclose(f);
    /* A model without anomaly scores: no anomaly lines. */
    f = tmpfile();
    cli_summary p = {10, 0, 1, 0.99, 0, NULL, false};
    cli_summary_print(f, &p);
    out = contents(f);
    assert_non_null(strstr(out, "records      10\n"));
    assert_null(strstr(out, "anomalies"));
    free(out);
    fclose(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bar),
        cmocka_unit_test(top),
        cmocka_unit_test(summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
