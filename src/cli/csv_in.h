/*
 * src/cli/csv_in.h - a streaming reader of record files (CSV), built on
 * libcsv.
 *
 * Two layouts are read:
 *   - plain CSV: one header line of field names, then one record a line;
 *   - NuPIC's record files: field names, field types (string, datetime,
 *     int, float, bool, list, sdr) and field flags (T timestamp, R reset,
 *     S sequence, C category, L learning; "T," for two fields), then the
 *     records.  The second line is taken as types when every one of its
 *     fields is a NuPIC type name.
 * Fields are separated by commas and may be quoted ("a, ""b"""; a quoted
 * field may span lines); spaces around unquoted fields are dropped; lines
 * end in LF or CRLF, and the last may lack its end; blank lines between
 * records are skipped.
 *
 * Records come one at a time with the physical line (1-based) they start
 * on.  A malformed record (a field count other than the header's, bad
 * quoting, an unterminated quote) is reported as "FILE:LINE: what is
 * wrong"; the caller stops there or reads on (the next call starts at the
 * following line).  So are values the caller asks for as numbers or
 * timestamps and which do not parse.
 *
 * Nothing here prints: messages are returned through cli_csv_message().
 */
#ifndef NUPIC_CLI_CSV_IN_H
#define NUPIC_CLI_CSV_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/encoders.h>

/* A field's type: from NuPIC's type line, CLI_CSV_UNTYPED in plain CSV. */
typedef enum cli_csv_type {
    CLI_CSV_UNTYPED = 0,
    CLI_CSV_STRING,
    CLI_CSV_DATETIME,
    CLI_CSV_INT,
    CLI_CSV_FLOAT,
    CLI_CSV_BOOL,
    CLI_CSV_LIST,
    CLI_CSV_SDR
} cli_csv_type;

/* What cli_csv_next() and the value getters return. */
enum {
    CLI_CSV_FAIL = -2, /* I/O error or out of memory: stop */
    CLI_CSV_BAD = -1,  /* a malformed record or value: stop or read on */
    CLI_CSV_END = 0,   /* end of the file (cli_csv_next); missing value */
    CLI_CSV_OK = 1     /* a record; a value */
};

typedef struct cli_csv cli_csv;

/* Reads the header of f (which stays the caller's); name is the file's
 * name in messages (kept by pointer).  NULL on failure, with the reason
 * ("FILE:LINE: ...") in msg (msg_size bytes, may be 0). */
cli_csv *cli_csv_open(FILE *f, const char *name, char *msg, size_t msg_size);
void cli_csv_free(cli_csv *r);

/* The header. */
size_t cli_csv_num_fields(const cli_csv *r);
const char *cli_csv_field_name(const cli_csv *r, size_t i);
cli_csv_type cli_csv_field_type(const cli_csv *r, size_t i);
/* The field's flags ("T", "R", ...; "" if none). */
const char *cli_csv_field_flags(const cli_csv *r, size_t i);
/* Whether the file has NuPIC's 3-line header. */
bool cli_csv_is_nupic(const cli_csv *r);
/* The index of the field called name; false if there is none. */
bool cli_csv_find(const cli_csv *r, const char *name, size_t *i);

/* The next record: CLI_CSV_OK, CLI_CSV_END, CLI_CSV_BAD (the record is
 * skipped; the next call reads on) or CLI_CSV_FAIL. */
int cli_csv_next(cli_csv *r);
/* The current record's first physical line (1-based). */
uint64_t cli_csv_line(const cli_csv *r);
/* Field i of the current record, NUL-terminated (a field may hold NUL
 * bytes: len gives its whole length). */
const char *cli_csv_get(const cli_csv *r, size_t i, size_t *len);
/* Field i as a number or a timestamp: CLI_CSV_OK with *v set,
 * CLI_CSV_END for an empty field (a missing value), CLI_CSV_BAD with a
 * message naming the file, line, field and text. */
int cli_csv_number(cli_csv *r, size_t i, double *v);
int cli_csv_datetime(cli_csv *r, size_t i, nupic_datetime *v);

/* The last message ("FILE:LINE: what is wrong"). */
const char *cli_csv_message(const cli_csv *r);
/* Bytes consumed from f so far (for progress). */
uint64_t cli_csv_bytes(const cli_csv *r);

/* ---- values ------------------------------------------------------------- */

/* A whole string as a finite number (strtod's syntax in the C locale,
 * decimal only; NaN and infinities refused). */
bool cli_parse_number(const char *s, double *v);
/* A timestamp in one of NuPIC's formats:
 *   2010-07-02 13:45:00[.ffffff]  (also with 'T' for the space, without
 *                                 seconds, or a date alone)
 *   7/2/10 0:00[:00]              (month/day/year hour:minute; a two-digit
 *                                 year is 1969-2068 as Python's %y, four
 *                                 digits are the year) */
bool cli_parse_datetime(const char *s, nupic_datetime *v);
/* "2010-07-02 13:45:00" (".ffffff" appended when microseconds are not 0);
 * out holds at least 27 bytes. */
void cli_format_datetime(const nupic_datetime *v, char *out, size_t size);
/* Days from 1970-01-01 to the date (negative before). */
int64_t cli_days_from_civil(int64_t year, int32_t month, int32_t day);
/* Seconds of the timestamp since 1970-01-01 00:00:00. */
double cli_datetime_seconds(const nupic_datetime *v);

#endif /* NUPIC_CLI_CSV_IN_H */
