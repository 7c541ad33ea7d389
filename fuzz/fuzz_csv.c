/*
 * fuzz/fuzz_csv.c - fuzz target for the record reader of `nupic run`
 * (src/cli/csv_in.c): the input is a whole record file.
 *
 * The invariants checked:
 *
 *  V1  opening either fails with a message naming the file, or gives a
 *      header of at least one field;
 *  V2  records come with strictly increasing physical lines past the
 *      header, each with the header's number of fields; a malformed one
 *      comes with a message "in.csv:LINE: ..." and reading goes on; the
 *      end stays the end; the bytes consumed never exceed the input;
 *  V3  every field asked for as a number is a finite number, missing
 *      (empty) or refused with a message naming file and line;
 *  V4  every field accepted as a timestamp is a valid date and time that
 *      formats and parses back to itself.
 *
 * Every allocation and access is checked by AddressSanitizer and
 * UndefinedBehaviorSanitizer; LeakSanitizer checks nothing leaks.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_in.h"
#include "fuzz_util.h"

static void check_message(const char *msg, const char *ctx) {
    FZ_CHECK(strncmp(msg, "in.csv:", 7) == 0, "%s: message '%s'", ctx, msg);
}

static void check_fields(cli_csv *r) {
    size_t n = cli_csv_num_fields(r);
    for (size_t i = 0; i < n; i++) {
        double v;
        int got = cli_csv_number(r, i, &v);
        FZ_CHECK(got == CLI_CSV_OK || got == CLI_CSV_END || got == CLI_CSV_BAD,
                 "number: %d", got);
        if (got == CLI_CSV_OK) FZ_CHECK(isfinite(v), "number %g", v);
        if (got == CLI_CSV_BAD) check_message(cli_csv_message(r), "number");
        nupic_datetime t;
        got = cli_csv_datetime(r, i, &t);
        if (got == CLI_CSV_BAD) check_message(cli_csv_message(r), "datetime");
        if (got != CLI_CSV_OK) continue;
        char text[40];
        nupic_datetime back;
        cli_format_datetime(&t, text, sizeof text);
        FZ_CHECK(cli_parse_datetime(text, &back), "'%s' does not parse", text);
        FZ_CHECK(memcmp(&t, &back, sizeof t) == 0, "'%s' changes", text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    uint8_t *copy = fz_dup(data, size);
    FILE *f = fmemopen(copy, size, "rb");
    FZ_CHECK(f != NULL, "fmemopen");
    char msg[512] = "";
    cli_csv *r = cli_csv_open(f, "in.csv", msg, sizeof msg);
    if (r == NULL) {
        FZ_CHECK(strncmp(msg, "in.csv", 6) == 0, "open: message '%s'", msg);
    } else {
        size_t n = cli_csv_num_fields(r);
        FZ_CHECK(n >= 1, "no fields");
        uint64_t last = 1;
        int got;
        while ((got = cli_csv_next(r)) != CLI_CSV_END && got != CLI_CSV_FAIL) {
            FZ_CHECK(cli_csv_bytes(r) <= size, "bytes %llu of %zu",
                     (unsigned long long)cli_csv_bytes(r), size);
            if (got == CLI_CSV_BAD) {
                check_message(cli_csv_message(r), "record");
                continue;
            }
            FZ_CHECK(cli_csv_line(r) > last, "line %llu after %llu",
                     (unsigned long long)cli_csv_line(r),
                     (unsigned long long)last);
            last = cli_csv_line(r);
            check_fields(r);
        }
        if (got == CLI_CSV_END)
            FZ_CHECK(cli_csv_next(r) == CLI_CSV_END, "the end moved");
        cli_csv_free(r);
    }
    fclose(f);
    free(copy);
    return 0;
}
