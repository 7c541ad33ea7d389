/*
 * tests/cli/test_csv.c - the record reader of `nupic run` (src/cli/csv_in.c).
 *
 *  - plain CSV and NuPIC's 3-line header; LF, CRLF, no final line end,
 *    blank lines, a byte order mark; quoted fields across lines;
 *  - each record with its physical line; malformed records named as
 *    FILE:LINE with the reading going on after them;
 *  - numbers and NuPIC's timestamp formats, Python's %y century rule;
 *  - a long synthetic stream read record by record.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_in.h"

typedef struct reader {
    FILE *f;
    cli_csv *r;
    char msg[512];
} reader;

static reader open_text(const char *text) {
    reader x = {NULL, NULL, ""};
    x.f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
    assert_non_null(x.f);
    x.r = cli_csv_open(x.f, "in.csv", x.msg, sizeof x.msg);
    return x;
}

static void close_reader(reader *x) {
    cli_csv_free(x->r);
    fclose(x->f);
}

static void expect_record(cli_csv *r, uint64_t line, const char *a,
                          const char *b) {
    int got = cli_csv_next(r);
    if (got != CLI_CSV_OK)
        fail_msg("expected a record at line %llu, got %d: %s",
                 (unsigned long long)line, got, cli_csv_message(r));
    assert_int_equal(cli_csv_line(r), line);
    assert_string_equal(cli_csv_get(r, 0, NULL), a);
    if (b != NULL) assert_string_equal(cli_csv_get(r, 1, NULL), b);
}

static void expect_bad(cli_csv *r, const char *msg_part) {
    int got = cli_csv_next(r);
    assert_int_equal(got, CLI_CSV_BAD);
    if (strstr(cli_csv_message(r), msg_part) == NULL)
        fail_msg("message '%s' lacks '%s'", cli_csv_message(r), msg_part);
}

static void plain(void **state) {
    (void)state;
    reader x = open_text("time,value\n2010-07-02 00:00:00,1.5\n"
                         "2010-07-02 01:00:00,-2e3\n");
    assert_non_null(x.r);
    assert_false(cli_csv_is_nupic(x.r));
    assert_int_equal(cli_csv_num_fields(x.r), 2);
    assert_string_equal(cli_csv_field_name(x.r, 1), "value");
    assert_int_equal(cli_csv_field_type(x.r, 1), CLI_CSV_UNTYPED);
    assert_string_equal(cli_csv_field_flags(x.r, 0), "");
    size_t i;
    assert_true(cli_csv_find(x.r, "value", &i));
    assert_int_equal(i, 1);
    assert_false(cli_csv_find(x.r, "nope", &i));
    expect_record(x.r, 2, "2010-07-02 00:00:00", "1.5");
    double v;
    assert_int_equal(cli_csv_number(x.r, 1, &v), CLI_CSV_OK);
    assert_true(v == 1.5);
    nupic_datetime t;
    assert_int_equal(cli_csv_datetime(x.r, 0, &t), CLI_CSV_OK);
    assert_int_equal(t.year, 2010);
    assert_int_equal(t.hour, 0);
    expect_record(x.r, 3, "2010-07-02 01:00:00", "-2e3");
    assert_int_equal(cli_csv_number(x.r, 1, &v), CLI_CSV_OK);
    assert_true(v == -2000);
    assert_int_equal(cli_csv_next(x.r), CLI_CSV_END);
    assert_int_equal(cli_csv_next(x.r), CLI_CSV_END);
    close_reader(&x);
}

static void nupic_header(void **state) {
    (void)state;
    reader x = open_text("timestamp,consumption\ndatetime,float\nT,\n"
                         "7/2/10 0:00,21.2\n7/2/10 1:00,16.4\n");
    assert_non_null(x.r);
    assert_true(cli_csv_is_nupic(x.r));
    assert_int_equal(cli_csv_field_type(x.r, 0), CLI_CSV_DATETIME);
    assert_int_equal(cli_csv_field_type(x.r, 1), CLI_CSV_FLOAT);
    assert_string_equal(cli_csv_field_flags(x.r, 0), "T");
    assert_string_equal(cli_csv_field_flags(x.r, 1), "");
    expect_record(x.r, 4, "7/2/10 0:00", "21.2");
    nupic_datetime t;
    assert_int_equal(cli_csv_datetime(x.r, 0, &t), CLI_CSV_OK);
    assert_int_equal(t.year, 2010);
    assert_int_equal(t.month, 7);
    assert_int_equal(t.day, 2);
    expect_record(x.r, 5, "7/2/10 1:00", "16.4");
    assert_int_equal(cli_csv_next(x.r), CLI_CSV_END);
    close_reader(&x);

    /* One field without flags: the flags line is blank. */
    x = open_text("value\nfloat\n\n1\n2\n");
    assert_non_null(x.r);
    assert_true(cli_csv_is_nupic(x.r));
    assert_string_equal(cli_csv_field_flags(x.r, 0), "");
    expect_record(x.r, 4, "1", NULL);
    expect_record(x.r, 5, "2", NULL);
    close_reader(&x);

    /* Types and flags of the wrong length. */
    x = open_text("a,b\nfloat\n\n1,2\n");
    assert_null(x.r);
    assert_string_equal(x.msg, "in.csv:2: 1 field types for 2 fields");
    fclose(x.f);
    x = open_text("a,b\nfloat,int\n,,\n1,2\n");
    assert_null(x.r);
    assert_string_equal(x.msg, "in.csv:3: 3 field flags for 2 fields");
    fclose(x.f);
    /* A malformed first record keeps its message through the opening. */
    x = open_text("v\nf\"\"y\n-0\n");
    assert_non_null(x.r);
    expect_bad(x.r, "in.csv:2: misplaced quote at column 2");
    expect_record(x.r, 3, "-0", NULL);
    close_reader(&x);
    /* A second line with some type names is a record. */
    x = open_text("a,b\nfloat,7\n");
    assert_non_null(x.r);
    assert_false(cli_csv_is_nupic(x.r));
    expect_record(x.r, 2, "float", "7");
    close_reader(&x);
}

static void line_ends(void **state) {
    (void)state;
    /* CRLF, a byte order mark, blank lines, no final line end. */
    reader x = open_text("\xEF\xBB\xBF"
                         "a,b\r\n1,2\r\n\r\n  \n3 , 4\r\n5,6");
    assert_non_null(x.r);
    assert_string_equal(cli_csv_field_name(x.r, 0), "a");
    assert_string_equal(cli_csv_field_name(x.r, 1), "b");
    expect_record(x.r, 2, "1", "2");
    expect_record(x.r, 5, "3", "4");
    expect_record(x.r, 6, "5", "6");
    assert_int_equal(cli_csv_next(x.r), CLI_CSV_END);
    close_reader(&x);
    /* Header only, without its line end. */
    x = open_text("a,b");
    assert_non_null(x.r);
    assert_int_equal(cli_csv_num_fields(x.r), 2);
    assert_int_equal(cli_csv_next(x.r), CLI_CSV_END);
    close_reader(&x);
    /* Nothing at all. */
    x = open_text("");
    assert_null(x.r);
    assert_string_equal(x.msg, "in.csv: no header line (the file is empty)");
    fclose(x.f);
    x = open_text("a,b,a\n");
    assert_null(x.r);
    assert_string_equal(x.msg, "in.csv:1: field name 'a' appears twice");
    fclose(x.f);
}

static void quoting(void **state) {
    (void)state;
    reader x = open_text("name,text\n"
                         "\"x, y\",\"he said \"\"hi\"\"\"\n"
                         "two,\"line one\r\nline two\"\n"
                         "\"\",plain\n"
                         "after,ok\n");
    assert_non_null(x.r);
    expect_record(x.r, 2, "x, y", "he said \"hi\"");
    expect_record(x.r, 3, "two", "line one\r\nline two");
    expect_record(x.r, 5, "", "plain");
    expect_record(x.r, 6, "after", "ok");
    close_reader(&x);
}

static void malformed(void **state) {
    (void)state;
    reader x = open_text("a,b\n"
                         "1,2\n"
                         "1,2,3\n"
                         "4\n"
                         "x\"y,5\n"
                         "\"q\"z,6\n"
                         "7,8\n"
                         "9,\"open\n"
                         "10,11\n");
    assert_non_null(x.r);
    expect_record(x.r, 2, "1", "2");
    expect_bad(x.r, "in.csv:3: 3 fields, the header has 2");
    expect_bad(x.r, "in.csv:4: 1 field, the header has 2");
    expect_bad(x.r, "in.csv:5: misplaced quote at column 2");
    expect_bad(x.r, "in.csv:6: misplaced quote at column 4");
    expect_record(x.r, 7, "7", "8");
    /* The quote opened on line 8 runs to the end of the file. */
    expect_bad(x.r, "in.csv:8: a quoted field is not closed");
    assert_int_equal(cli_csv_next(x.r), CLI_CSV_END);
    close_reader(&x);

    /* Values asked for as numbers or timestamps. */
    x = open_text("t,v\nyesterday,abc\n,\n");
    assert_non_null(x.r);
    expect_record(x.r, 2, "yesterday", "abc");
    double v;
    nupic_datetime t;
    assert_int_equal(cli_csv_number(x.r, 1, &v), CLI_CSV_BAD);
    assert_string_equal(cli_csv_message(x.r),
                        "in.csv:2: field 'v': 'abc' is not a finite number");
    assert_int_equal(cli_csv_datetime(x.r, 0, &t), CLI_CSV_BAD);
    assert_non_null(strstr(cli_csv_message(x.r),
                           "in.csv:2: field 't': 'yesterday' is not a "
                           "timestamp"));
    expect_record(x.r, 3, "", "");
    assert_int_equal(cli_csv_number(x.r, 1, &v), CLI_CSV_END);
    assert_int_equal(cli_csv_datetime(x.r, 0, &t), CLI_CSV_END);
    close_reader(&x);
}

static void numbers(void **state) {
    (void)state;
    static const struct {
        const char *s;
        bool ok;
        double v;
    } cases[] = {
        {"0", true, 0},      {"1.5", true, 1.5},  {"-2e3", true, -2000},
        {"+7", true, 7},     {".25", true, 0.25}, {"1e-400", true, 0},
        {"5.", true, 5},     {"", false, 0},      {"nan", false, 0},
        {"NaN", false, 0},   {"inf", false, 0},   {"-Infinity", false, 0},
        {"1e999", false, 0}, {"0x10", false, 0},  {"1.5abc", false, 0},
        {"1 2", false, 0},   {" 1", false, 0},    {"-", false, 0},
        {"e5", false, 0},    {"1,5", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = -1;
        bool ok = cli_parse_number(cases[i].s, &v);
        if (ok != cases[i].ok)
            fail_msg("'%s': %s", cases[i].s, ok ? "accepted" : "refused");
        if (ok) assert_true(v == cases[i].v);
    }
}

static void datetimes(void **state) {
    (void)state;
    static const struct {
        const char *s;
        int y, mo, d, h, mi, sec, us; /* y 0: refused */
    } cases[] = {
        {"2010-07-02 13:45:07", 2010, 7, 2, 13, 45, 7, 0},
        {"2010-07-02 13:45:07.5", 2010, 7, 2, 13, 45, 7, 500000},
        {"2010-07-02T13:45:07.123456", 2010, 7, 2, 13, 45, 7, 123456},
        {"2010-07-02 13:45", 2010, 7, 2, 13, 45, 0, 0},
        {"2010-07-02", 2010, 7, 2, 0, 0, 0, 0},
        {"2010-7-2 1:02:03", 2010, 7, 2, 1, 2, 3, 0},
        {"2012-02-29 00:00:00", 2012, 2, 29, 0, 0, 0, 0},
        {"7/2/10 0:00", 2010, 7, 2, 0, 0, 0, 0},
        {"12/31/10 23:00", 2010, 12, 31, 23, 0, 0, 0},
        {"1/1/69 0:00", 1969, 1, 1, 0, 0, 0, 0},
        {"1/1/99 0:00", 1999, 1, 1, 0, 0, 0, 0},
        {"1/1/00 0:00", 2000, 1, 1, 0, 0, 0, 0},
        {"1/1/68 0:00", 2068, 1, 1, 0, 0, 0, 0},
        {"07/02/2010 13:45:59", 2010, 7, 2, 13, 45, 59, 0},
        {"7/2/10", 2010, 7, 2, 0, 0, 0, 0},
        {"2010-02-29 00:00:00", 0, 0, 0, 0, 0, 0, 0},
        {"1900-02-29", 0, 0, 0, 0, 0, 0, 0},
        {"2010-13-01 00:00:00", 0, 0, 0, 0, 0, 0, 0},
        {"2010-07-02 24:00:00", 0, 0, 0, 0, 0, 0, 0},
        {"2010-07-02 23:60:00", 0, 0, 0, 0, 0, 0, 0},
        {"2010-07-02 13:45:07.1234567", 0, 0, 0, 0, 0, 0, 0},
        {"2010-07-02 13:45:07Z", 0, 0, 0, 0, 0, 0, 0},
        {"2010-07-02 13:45:07 ", 0, 0, 0, 0, 0, 0, 0},
        {"2010-07-02  13:45", 0, 0, 0, 0, 0, 0, 0},
        {"7/2/10T0:00", 0, 0, 0, 0, 0, 0, 0},
        {"2/30/10 0:00", 0, 0, 0, 0, 0, 0, 0},
        {"7/2/1 0:00", 0, 0, 0, 0, 0, 0, 0},
        {"7/2/100 0:00", 0, 0, 0, 0, 0, 0, 0},
        {"0000-01-01", 0, 0, 0, 0, 0, 0, 0},
        {"10-07-02", 0, 0, 0, 0, 0, 0, 0},
        {"123/2/10 0:00", 0, 0, 0, 0, 0, 0, 0},
        {"", 0, 0, 0, 0, 0, 0, 0},
        {"1278028800", 0, 0, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nupic_datetime t = {0, 0, 0, 0, 0, 0, 0};
        bool ok = cli_parse_datetime(cases[i].s, &t);
        if (ok != (cases[i].y != 0))
            fail_msg("'%s': %s", cases[i].s, ok ? "accepted" : "refused");
        if (!ok) continue;
        int got[7] = {t.year,   t.month,  t.day,        t.hour,
                      t.minute, t.second, t.microsecond};
        int want[7] = {cases[i].y,  cases[i].mo,  cases[i].d, cases[i].h,
                       cases[i].mi, cases[i].sec, cases[i].us};
        for (int k = 0; k < 7; k++)
            if (got[k] != want[k])
                fail_msg("'%s': part %d is %d, want %d", cases[i].s, k, got[k],
                         want[k]);
    }
    char out[40];
    nupic_datetime t = {2010, 7, 2, 3, 4, 5, 0};
    cli_format_datetime(&t, out, sizeof out);
    assert_string_equal(out, "2010-07-02 03:04:05");
    t.microsecond = 120;
    cli_format_datetime(&t, out, sizeof out);
    assert_string_equal(out, "2010-07-02 03:04:05.000120");

    assert_int_equal(cli_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(cli_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(cli_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(cli_days_from_civil(2010, 7, 2), 14792);
    assert_int_equal(cli_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(cli_days_from_civil(-399, 1, 1), -719162 - 146097);
    nupic_datetime h = {2010, 7, 2, 0, 0, 0, 0};
    assert_true(cli_datetime_seconds(&h) == 1278028800.0);
}

/* 200,000 records of the hotgym kind, read one at a time. */
static void long_stream(void **state) {
    (void)state;
    FILE *f = fopen("long.csv", "wb");
    assert_non_null(f);
    fputs("timestamp,consumption\ndatetime,float\nT,\n", f);
    enum { N = 200000 };
    for (int i = 0; i < N; i++)
        fprintf(f, "%d/%d/%02d %d:00,%d.%d\r\n", i / 24 % 12 + 1,
                i / 288 % 28 + 1, i / 8064 % 100, i % 24, i % 97, i % 10);
    fclose(f);
    f = fopen("long.csv", "rb");
    assert_non_null(f);
    char msg[256];
    cli_csv *r = cli_csv_open(f, "long.csv", msg, sizeof msg);
    assert_non_null(r);
    int got, n = 0;
    while ((got = cli_csv_next(r)) == CLI_CSV_OK) {
        double v;
        nupic_datetime t;
        assert_int_equal(cli_csv_line(r), (uint64_t)n + 4);
        assert_int_equal(cli_csv_number(r, 1, &v), CLI_CSV_OK);
        assert_true(fabs(v - (n % 97 + (n % 10) / 10.0)) < 1e-9);
        assert_int_equal(cli_csv_datetime(r, 0, &t), CLI_CSV_OK);
        assert_int_equal(t.hour, n % 24);
        n++;
    }
    assert_int_equal(got, CLI_CSV_END);
    assert_int_equal(n, N);
    long size = ftell(f);
    assert_int_equal(cli_csv_bytes(r), (uint64_t)size);
    cli_csv_free(r);
    fclose(f);
    remove("long.csv");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain),     cmocka_unit_test(nupic_header),
        cmocka_unit_test(line_ends), cmocka_unit_test(quoting),
        cmocka_unit_test(malformed), cmocka_unit_test(numbers),
        cmocka_unit_test(datetimes), cmocka_unit_test(long_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
