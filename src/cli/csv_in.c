/*
 * src/cli/csv_in.c - the record reader of csv_in.h.
 *
 * The file is read one physical line at a time (getline) and each line is
 * pushed through libcsv, which calls back once per field and once at the
 * end of a record.  Only '\n' ends a record ('\r' counts as a space around
 * fields, which handles CRLF), so one line completes at most one record; a
 * line that ends inside a quoted field leaves the record open and the next
 * line continues it.
 */
#define _POSIX_C_SOURCE 200809L

#include "csv_in.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A record (all its fields, quotes undone) may not exceed this: a quote
 * left open would otherwise swallow the rest of a large file. */
#define MAX_RECORD_BYTES ((size_t)16 << 20)
#define MSG_SIZE         512

struct cli_csv {
    FILE *f;
    const char *name;
    struct csv_parser parser;
    bool parser_ready;
    /* the physical line */
    char *line;
    size_t line_cap;
    uint64_t line_no; /* lines read so far */
    uint64_t bytes;
    bool eof;
    /* the record being built or delivered: field i is text + start[i],
     * start[i + 1] - start[i] - 1 bytes and a NUL */
    char *text;
    size_t text_len, text_cap;
    size_t *start;
    size_t count, start_cap;
    bool open;            /* a record has begun and not ended */
    bool done;            /* the record has ended */
    bool oom;             /* a callback could not allocate */
    uint64_t record_line; /* its first line */
    /* the header */
    size_t n;
    char **names;
    char **flags;
    cli_csv_type *types;
    bool nupic;
    int pending; /* the first record, read with the header */
    bool has_pending;
    char msg[MSG_SIZE];
};

/* ---- messages ------------------------------------------------------------ */

static void set_msg(cli_csv *r, uint64_t line, const char *fmt, ...)
    NCP_PRINTF(3, 4);

static void set_msg(cli_csv *r, uint64_t line, const char *fmt, ...) {
    int k = snprintf(r->msg, sizeof r->msg, "%s:%llu: ", r->name,
                     (unsigned long long)line);
    if (k < 0 || (size_t)k >= sizeof r->msg) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg + k, sizeof r->msg - (size_t)k, fmt, ap);
    va_end(ap);
}

/* Text quoted in a message: at most 40 bytes, control bytes as '?'. */
static void excerpt(const char *s, size_t len, char *out, size_t size) {
    size_t k = 0;
    for (size_t i = 0; i < len && k + 4 < size && i < 40; i++)
        out[k++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    if (len > 40 && k + 4 < size) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
}

/* ---- libcsv callbacks ---------------------------------------------------- */

static bool grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (q == NULL) return false;
    *p = q;
    *cap = c;
    return true;
}

static void on_field(void *data, size_t len, void *ud) {
    cli_csv *r = ud;
    if (r->oom) return;
    if (!grow((void **)&r->start, &r->start_cap, r->count + 2,
              sizeof *r->start) ||
        !grow((void **)&r->text, &r->text_cap, r->text_len + len + 1, 1)) {
        r->oom = true;
        return;
    }
    r->start[r->count++] = r->text_len;
    if (len) memcpy(r->text + r->text_len, data, len);
    r->text_len += len;
    r->text[r->text_len++] = 0;
    r->start[r->count] = r->text_len;
}

static void on_record(int c, void *ud) {
    (void)c;
    cli_csv *r = ud;
    r->done = true;
}

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

static int is_term(unsigned char c) {
    return c == '\n';
}

static bool parser_init(cli_csv *r) {
    if (r->parser_ready) csv_free(&r->parser);
    r->parser_ready = false;
    if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0) return false;
    csv_set_space_func(&r->parser, is_space);
    csv_set_term_func(&r->parser, is_term);
    r->parser_ready = true;
    return true;
}

/* ---- records ------------------------------------------------------------- */

static void clear_record(cli_csv *r) {
    r->count = 0;
    r->text_len = 0;
    r->open = false;
    r->done = false;
}

static bool blank(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!is_space((unsigned char)s[i]) && s[i] != '\n') return false;
    return true;
}

/* The next record, any number of fields.  keep_blank: a blank line is a
 * record of no fields (NuPIC's flags line when no field has flags). */
static int read_record(cli_csv *r, bool keep_blank) {
    clear_record(r);
    for (;;) {
        if (r->eof) return CLI_CSV_END;
        errno = 0;
        ssize_t len = getline(&r->line, &r->line_cap, r->f);
        if (len < 0) {
            if (ferror(r->f)) {
                set_msg(r, r->line_no + 1, "cannot read: %s",
                        errno ? strerror(errno) : "read error");
                return CLI_CSV_FAIL;
            }
            r->eof = true;
            if (!r->open) return CLI_CSV_END;
            /* The last record lacks its line end. */
            if (csv_fini(&r->parser, on_field, on_record, r) != 0) {
                if (r->oom) goto oom;
                set_msg(r, r->record_line,
                        "a quoted field is not closed before the end of "
                        "the file");
                return CLI_CSV_BAD;
            }
            if (r->oom) goto oom;
            r->open = false;
            return CLI_CSV_OK;
        }
        r->line_no++;
        r->bytes += (uint64_t)len;
        const char *s = r->line;
        if (r->line_no == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3; /* a UTF-8 byte order mark */
            len -= 3;
        }
        if (!r->open) {
            if (blank(s, (size_t)len)) {
                if (!keep_blank) continue;
                r->record_line = r->line_no;
                return CLI_CSV_OK;
            }
            r->open = true;
            r->record_line = r->line_no;
        }
        size_t used =
            csv_parse(&r->parser, s, (size_t)len, on_field, on_record, r);
        if (r->oom || csv_error(&r->parser) == CSV_ENOMEM) goto oom;
        if (used < (size_t)len) {
            set_msg(r, r->line_no,
                    "misplaced quote at column %zu (a quote inside an "
                    "unquoted field, or text after a closing quote)",
                    used + 1);
            clear_record(r);
            if (!parser_init(r)) goto oom;
            return CLI_CSV_BAD;
        }
        if (r->done) {
            r->open = false;
            return CLI_CSV_OK;
        }
        if (csv_get_buffer_size(&r->parser) + r->text_len > MAX_RECORD_BYTES) {
            set_msg(r, r->record_line,
                    "record longer than %zu bytes (a quote not closed?)",
                    MAX_RECORD_BYTES);
            return CLI_CSV_FAIL;
        }
    }
oom:
    set_msg(r, r->line_no, "out of memory");
    return CLI_CSV_FAIL;
}

static const char *field_text(const cli_csv *r, size_t i) {
    return r->text + r->start[i];
}

static size_t field_len(const cli_csv *r, size_t i) {
    return r->start[i + 1] - r->start[i] - 1;
}

/* ---- the header ---------------------------------------------------------- */

static const char *const type_names[] = {NULL,    "string", "datetime", "int",
                                         "float", "bool",   "list",     "sdr"};

static cli_csv_type type_of(const char *s) {
    for (int t = CLI_CSV_STRING; t <= CLI_CSV_SDR; t++)
        if (strcmp(s, type_names[t]) == 0) return (cli_csv_type)t;
    return CLI_CSV_UNTYPED;
}

/* Copies the current record's fields into an array of n strings (fields
 * beyond the record's are ""). */
static char **copy_fields(const cli_csv *r, size_t n) {
    char **out = calloc(n ? n : 1, sizeof *out);
    if (out == NULL) return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *s = i < r->count ? field_text(r, i) : "";
        size_t len = i < r->count ? field_len(r, i) : 0;
        out[i] = malloc(len + 1);
        if (out[i] == NULL) {
            for (size_t j = 0; j < i; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
        memcpy(out[i], s, len + 1);
    }
    return out;
}

/* Whether the line after the names is NuPIC's type line. */
static bool all_types(const cli_csv *r) {
    if (r->count == 0) return false;
    for (size_t i = 0; i < r->count; i++)
        if (type_of(field_text(r, i)) == CLI_CSV_UNTYPED) return false;
    return true;
}

/* Reads the header; false with a message. */
static bool read_header(cli_csv *r) {
    int got = read_record(r, false);
    if (got == CLI_CSV_END) {
        snprintf(r->msg, sizeof r->msg,
                 "%s: no header line (the file is empty)", r->name);
        return false;
    }
    if (got != CLI_CSV_OK) return false;
    uint64_t names_line = r->record_line;
    r->n = r->count;
    r->names = copy_fields(r, r->n);
    r->types = calloc(r->n, sizeof *r->types);
    if (r->names == NULL || r->types == NULL) goto oom;
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->names[i], r->names[j]) == 0) {
                char ex[64];
                excerpt(r->names[i], strlen(r->names[i]), ex, sizeof ex);
                set_msg(r, names_line, "field name '%s' appears twice", ex);
                return false;
            }

    /* NuPIC's type line?  Otherwise the line is the first record, kept
     * for the first cli_csv_next(). */
    got = read_record(r, false);
    if (got == CLI_CSV_FAIL) return false;
    if (got != CLI_CSV_OK || !all_types(r)) {
        r->pending = got;
        r->has_pending = true;
        return true;
    }
    if (r->count != r->n) {
        set_msg(r, r->record_line, "%zu field types for %zu fields", r->count,
                r->n);
        return false;
    }
    r->nupic = true;
    for (size_t i = 0; i < r->n; i++)
        r->types[i] = type_of(field_text(r, i));
    got = read_record(r, true);
    if (got == CLI_CSV_BAD || got == CLI_CSV_FAIL) return false;
    if (got == CLI_CSV_END) clear_record(r);
    if (r->count > r->n) {
        set_msg(r, r->record_line, "%zu field flags for %zu fields", r->count,
                r->n);
        return false;
    }
    r->flags = copy_fields(r, r->n);
    if (r->flags == NULL) goto oom;
    clear_record(r);
    return true;
oom:
    set_msg(r, r->line_no, "out of memory");
    return false;
}

/* ---- the reader ---------------------------------------------------------- */

cli_csv *cli_csv_open(FILE *f, const char *name, char *msg, size_t msg_size) {
    cli_csv *r = calloc(1, sizeof *r);
    if (r == NULL) {
        if (msg_size) snprintf(msg, msg_size, "%s: out of memory", name);
        return NULL;
    }
    r->f = f;
    r->name = name;
    if (!parser_init(r)) {
        set_msg(r, 0, "out of memory");
    } else if (read_header(r)) {
        return r; /* msg: the first record's, when it is malformed */
    }
    if (msg_size) snprintf(msg, msg_size, "%s", r->msg);
    cli_csv_free(r);
    return NULL;
}

static void free_strings(char **s, size_t n) {
    if (s == NULL) return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

void cli_csv_free(cli_csv *r) {
    if (r == NULL) return;
    if (r->parser_ready) csv_free(&r->parser);
    free(r->line);
    free(r->text);
    free(r->start);
    free_strings(r->names, r->n);
    free_strings(r->flags, r->n);
    free(r->types);
    free(r);
}

size_t cli_csv_num_fields(const cli_csv *r) {
    return r->n;
}

const char *cli_csv_field_name(const cli_csv *r, size_t i) {
    return i < r->n ? r->names[i] : NULL;
}

cli_csv_type cli_csv_field_type(const cli_csv *r, size_t i) {
    return i < r->n ? r->types[i] : CLI_CSV_UNTYPED;
}

const char *cli_csv_field_flags(const cli_csv *r, size_t i) {
    return i < r->n && r->flags != NULL ? r->flags[i] : "";
}

bool cli_csv_is_nupic(const cli_csv *r) {
    return r->nupic;
}

bool cli_csv_find(const cli_csv *r, const char *name, size_t *i) {
    for (size_t k = 0; k < r->n; k++)
        if (strcmp(r->names[k], name) == 0) {
            *i = k;
            return true;
        }
    return false;
}

int cli_csv_next(cli_csv *r) {
    int got;
    if (r->has_pending) {
        r->has_pending = false;
        got = r->pending;
    } else {
        got = read_record(r, false);
    }
    if (got != CLI_CSV_OK) return got;
    if (r->count != r->n) {
        set_msg(r, r->record_line, "%zu field%s, the header has %zu", r->count,
                r->count == 1 ? "" : "s", r->n);
        return CLI_CSV_BAD;
    }
    return CLI_CSV_OK;
}

uint64_t cli_csv_line(const cli_csv *r) {
    return r->record_line;
}

const char *cli_csv_get(const cli_csv *r, size_t i, size_t *len) {
    if (i >= r->count) {
        if (len) *len = 0;
        return "";
    }
    if (len) *len = field_len(r, i);
    return field_text(r, i);
}

const char *cli_csv_message(const cli_csv *r) {
    return r->msg;
}

uint64_t cli_csv_bytes(const cli_csv *r) {
    return r->bytes;
}

/* A value's text: CLI_CSV_END when empty, CLI_CSV_BAD when it holds NUL. */
static int value_text(cli_csv *r, size_t i, const char **s) {
    size_t len;
    *s = cli_csv_get(r, i, &len);
    if (len == 0) return CLI_CSV_END;
    return strlen(*s) == len ? CLI_CSV_OK : CLI_CSV_BAD;
}

static int bad_value(cli_csv *r, size_t i, const char *what) {
    size_t len;
    const char *s = cli_csv_get(r, i, &len);
    char ex[64], name[64];
    excerpt(s, len, ex, sizeof ex);
    excerpt(r->names[i], strlen(r->names[i]), name, sizeof name);
    set_msg(r, r->record_line, "field '%s': '%s' is not %s", name, ex, what);
    return CLI_CSV_BAD;
}

int cli_csv_number(cli_csv *r, size_t i, double *v) {
    const char *s;
    int got = value_text(r, i, &s);
    if (got == CLI_CSV_END) return got;
    if (got != CLI_CSV_OK || !cli_parse_number(s, v))
        return bad_value(r, i, "a finite number");
    return CLI_CSV_OK;
}

int cli_csv_datetime(cli_csv *r, size_t i, nupic_datetime *v) {
    const char *s;
    int got = value_text(r, i, &s);
    if (got == CLI_CSV_END) return got;
    if (got != CLI_CSV_OK || !cli_parse_datetime(s, v))
        return bad_value(r, i,
                         "a timestamp (2010-07-02 13:45:00 or 7/2/10 13:45)");
    return CLI_CSV_OK;
}

/* ---- values ------------------------------------------------------------ */

bool cli_parse_number(const char *s, double *v) {
    /* Decimal only: strtod also reads hexadecimal, "nan" and "inf". */
    if (*s == 0) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
              *p == '+' || *p == '-'))
            return false;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end != 0 || !isfinite(d)) return false;
    *v = d;
    return true;
}

/* Reads min..max decimal digits. */
static bool digits(const char **p, int min, int max, int32_t *v) {
    int k = 0;
    int32_t x = 0;
    while (k < max && **p >= '0' && **p <= '9') {
        x = x * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    *v = x;
    return k >= min && !(**p >= '0' && **p <= '9');
}

static bool leap(int32_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int32_t month_days(int32_t y, int32_t m) {
    static const int8_t days[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

static bool valid(const nupic_datetime *v) {
    return v->year >= 1 && v->year <= 9999 && v->month >= 1 && v->month <= 12 &&
           v->day >= 1 && v->day <= month_days(v->year, v->month) &&
           v->hour >= 0 && v->hour <= 23 && v->minute >= 0 && v->minute <= 59 &&
           v->second >= 0 && v->second <= 59;
}

/* " H:MM[:SS[.ffffff]]" after a date, or nothing. */
static bool time_part(const char *p, bool iso, nupic_datetime *v) {
    if (*p == 0) return true;
    if (!(*p == ' ' || (iso && *p == 'T'))) return false;
    p++;
    if (!digits(&p, 1, 2, &v->hour) || *p++ != ':' ||
        !digits(&p, 1, 2, &v->minute))
        return false;
    if (*p == ':') {
        p++;
        if (!digits(&p, 1, 2, &v->second)) return false;
        if (*p == '.') {
            p++;
            const char *f = p;
            int32_t frac;
            if (!digits(&p, 1, 6, &frac)) return false;
            for (ptrdiff_t k = p - f; k < 6; k++)
                frac *= 10;
            v->microsecond = frac;
        }
    }
    return *p == 0;
}

bool cli_parse_datetime(const char *s, nupic_datetime *out) {
    nupic_datetime v = {0, 0, 0, 0, 0, 0, 0};
    const char *p = s;
    int32_t a;
    const char *first = p;
    if (!digits(&p, 1, 4, &a)) return false;
    bool ok;
    if (*p == '-' && p - first == 4) {
        p++;
        v.year = a;
        ok = digits(&p, 1, 2, &v.month) && *p++ == '-' &&
             digits(&p, 1, 2, &v.day) && time_part(p, true, &v);
    } else if (*p == '/' && p - first <= 2) {
        p++;
        v.month = a;
        const char *y;
        ok = digits(&p, 1, 2, &v.day) && *p++ == '/';
        if (ok) {
            y = p;
            ok = digits(&p, 2, 4, &v.year) && (p - y == 2 || p - y == 4);
            /* Python's %y: 69-99 are the 1900s, 00-68 the 2000s. */
            if (ok && p - y == 2) v.year += v.year >= 69 ? 1900 : 2000;
        }
        ok = ok && time_part(p, false, &v);
    } else {
        return false;
    }
    if (!ok || !valid(&v)) return false;
    *out = v;
    return true;
}

void cli_format_datetime(const nupic_datetime *v, char *out, size_t size) {
    if (v->microsecond)
        snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d.%06d", (int)v->year,
                 (int)v->month, (int)v->day, (int)v->hour, (int)v->minute,
                 (int)v->second, (int)v->microsecond);
    else
        snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d", (int)v->year,
                 (int)v->month, (int)v->day, (int)v->hour, (int)v->minute,
                 (int)v->second);
}

int64_t cli_days_from_civil(int64_t year, int32_t month, int32_t day) {
    /* Days before the year in the proleptic Gregorian calendar, counted
     * from 0001-01-01, then the months and days of the year; 1970-01-01
     * is day 719162 of that count.  Years before 1 are shifted by 400-year
     * cycles of 146097 days. */
    int64_t cycles = 0;
    while (year < 1) {
        year += 400;
        cycles--;
    }
    static const int16_t before[12] = {0,   31,  59,  90,  120, 151,
                                       181, 212, 243, 273, 304, 334};
    int64_t y = year - 1;
    int64_t days = y * 365 + y / 4 - y / 100 + y / 400;
    days +=
        before[month - 1] + (month > 2 && leap((int32_t)(year % 400)) ? 1 : 0);
    days += day - 1;
    return days + cycles * 146097 - 719162;
}

double cli_datetime_seconds(const nupic_datetime *v) {
    int64_t days = cli_days_from_civil(v->year, v->month, v->day);
    return (double)days * 86400.0 + v->hour * 3600.0 + v->minute * 60.0 +
           v->second + v->microsecond * 1e-6;
}
