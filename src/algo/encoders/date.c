/*
 * src/algo/encoders/date.c - NuPIC's DateEncoder (nupic/encoders/date.py):
 * the values Python's datetime gives (day of year, weekday, hour and
 * minute; holidays by timedelta days and seconds) through ScalarEncoders.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../persist.h"
#include "enc.h"

static const char *const part_names[NUPIC_DATE_PART_COUNT] = {
    "season", "day of week", "weekend", "customdays", "holiday", "time of day"};
static const char *const part_fields[NUPIC_DATE_PART_COUNT] = {
    "seasonEncoder",     "dayOfWeekEncoder", "weekendEncoder",
    "customDaysEncoder", "holidayEncoder",   "timeOfDayEncoder"};

void nupic_date_enc_params_default(nupic_date_enc_params *p) {
    memset(p, 0, sizeof *p);
    p->season_radius = 91.5;
    p->day_of_week_radius = 1;
    p->weekend_radius = 1;
    p->time_of_day_radius = 4;
    p->forced = true;
}

void nupic_date_enc_free(nupic_date_enc *e) {
    if (e == NULL) return;
    for (int i = 0; i < NUPIC_DATE_PART_COUNT; i++)
        nupic_scalar_enc_free(e->part[i]);
    free(e->name);
    free(e->holidays);
    free(e);
}

/* ------------------------------------------------------------------------
 * The calendar (Python's datetime)
 * ------------------------------------------------------------------------ */

static bool leap(int64_t y) {
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int32_t month_days(int64_t y, int32_t m) {
    static const int32_t d[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

static int32_t days_before_month(int64_t y, int32_t m) {
    int32_t n = 0;
    for (int32_t i = 1; i < m; i++)
        n += month_days(y, i);
    return n;
}

/* date.toordinal(): 0001-01-01 is day 1. */
static int64_t ordinal(int64_t y, int32_t m, int32_t d) {
    int64_t y1 = y - 1;
    return y1 * 365 + y1 / 4 - y1 / 100 + y1 / 400 + days_before_month(y, m) +
           d;
}

static bool valid_date(int64_t y, int32_t m, int32_t d) {
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
           d <= month_days(y, m);
}

static nupic_status check_datetime(const nupic_datetime *v, nupic_error *err) {
    if (!valid_date(v->year, v->month, v->day) || v->hour < 0 || v->hour > 23 ||
        v->minute < 0 || v->minute > 59 || v->second < 0 || v->second > 59 ||
        v->microsecond < 0 || v->microsecond > 999999)
        return enc_fail(err, NUPIC_ERR_ARG,
                        "DateEncoder: %d-%02d-%02d %02d:%02d:%02d.%06d is not "
                        "a valid date and time",
                        v->year, v->month, v->day, v->hour, v->minute,
                        v->second, v->microsecond);
    return NUPIC_OK;
}

#define US_PER_DAY INT64_C(86400000000)

static int64_t micros(const nupic_datetime *v) {
    int64_t s = ordinal(v->year, v->month, v->day) * 86400 + v->hour * 3600 +
                v->minute * 60 + v->second;
    return s * 1000000 + v->microsecond;
}

/* getEncodedValues' holiday value. */
static nupic_status holiday_value(const nupic_date_enc *e,
                                  const nupic_datetime *v, double *out,
                                  nupic_error *err) {
    static const nupic_holiday christmas = {0, 12, 25};
    const nupic_holiday *hs = e->num_holidays ? e->holidays : &christmas;
    uint32_t count = e->num_holidays ? e->num_holidays : 1;
    int64_t t = micros(v);
    double val = 0;
    for (uint32_t i = 0; i < count; i++) {
        int64_t y = hs[i].year ? hs[i].year : v->year;
        if (!valid_date(y, hs[i].month, hs[i].day))
            return enc_fail(err, NUPIC_ERR_ARG,
                            "DateEncoder: holiday (%d, %d) does not exist in "
                            "%lld",
                            hs[i].month, hs[i].day, (long long)y);
        int64_t h = ordinal(y, hs[i].month, hs[i].day) * US_PER_DAY;
        if (t > h) {
            int64_t d = t - h, days = d / US_PER_DAY;
            int64_t seconds = (d % US_PER_DAY) / 1000000;
            if (days == 0) {
                val = 1;
                break;
            }
            if (days == 1) {
                val = 1.0 - ((double)seconds / 86400);
                break;
            }
        } else {
            int64_t d = h - t, days = d / US_PER_DAY;
            int64_t seconds = (d % US_PER_DAY) / 1000000;
            if (days == 0) val = 1.0 - ((double)seconds / 86400);
        }
    }
    *out = val;
    return NUPIC_OK;
}

/* The value of each present part (getEncodedValues). */
static nupic_status part_values(const nupic_date_enc *e,
                                const nupic_datetime *v,
                                double vals[NUPIC_DATE_PART_COUNT],
                                nupic_error *err) {
    nupic_status st = check_datetime(v, err);
    if (st != NUPIC_OK) return st;
    int64_t ord = ordinal(v->year, v->month, v->day);
    int32_t wday = (int32_t)((ord + 6) % 7); /* Monday is 0 */
    int32_t yday = days_before_month(v->year, v->month) + v->day;
    double tod = (double)v->hour + (double)v->minute / 60.0;
    memset(vals, 0, NUPIC_DATE_PART_COUNT * sizeof *vals);
    vals[NUPIC_DATE_SEASON] = (double)(yday - 1);
    vals[NUPIC_DATE_DAY_OF_WEEK] = (double)wday + tod / 24.0;
    vals[NUPIC_DATE_WEEKEND] =
        (wday == 6 || wday == 5 || (wday == 4 && tod > 18)) ? 1 : 0;
    vals[NUPIC_DATE_CUSTOM_DAYS] = (e->custom_days >> wday) & 1u ? 1 : 0;
    vals[NUPIC_DATE_TIME_OF_DAY] = tod;
    if (e->part[NUPIC_DATE_HOLIDAY])
        st = holiday_value(e, v, &vals[NUPIC_DATE_HOLIDAY], err);
    return st;
}

/* ------------------------------------------------------------------------
 * Construction
 * ------------------------------------------------------------------------ */

/* A day name (NuPIC's list, any case): 0 .. 6, or -1. */
static int day_number(const char *s, size_t len) {
    static const char *const names[7][2] = {
        {"mon", "monday"},   {"tue", "tuesday"}, {"wed", "wednesday"},
        {"thu", "thursday"}, {"fri", "friday"},  {"sat", "saturday"},
        {"sun", "sunday"}};
    char low[16];
    if (len >= sizeof low) return -1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        low[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    low[len] = '\0';
    for (int d = 0; d < 7; d++)
        if (strcmp(low, names[d][0]) == 0 || strcmp(low, names[d][1]) == 0)
            return d;
    return -1;
}

/* The custom days named in a customDaysEncoder's name ("sat sunday " or
 * "Friday"); false if a word is not a day. */
static bool parse_days(const char *name, uint8_t *mask) {
    *mask = 0;
    const char *s = name;
    while (*s) {
        if (*s == ' ') {
            s++;
            continue;
        }
        size_t len = strcspn(s, " ");
        int d = day_number(s, len);
        if (d < 0) return false;
        *mask = (uint8_t)(*mask | 1u << d);
        s += len;
    }
    return true;
}

static nupic_status layout(nupic_date_enc *e, nupic_status code,
                           const char *who, nupic_error *err) {
    uint64_t width = 0;
    for (int i = 0; i < NUPIC_DATE_PART_COUNT; i++) {
        e->offset[i] = (uint32_t)width;
        if (e->part[i]) width += e->part[i]->n;
    }
    if (width > NUPIC_ENC_MAX_WIDTH)
        return enc_fail(err, code, "%s: the parts need %llu bits (at most %u)",
                        who, (unsigned long long)width, NUPIC_ENC_MAX_WIDTH);
    e->width = (uint32_t)width;
    return NUPIC_OK;
}

static nupic_status add_part(nupic_date_enc *e, nupic_date_part part,
                             uint32_t w, double minval, double maxval,
                             bool periodic, double radius, const char *name,
                             bool forced, nupic_error *err) {
    nupic_scalar_enc_params p;
    nupic_scalar_enc_params_default(&p);
    p.w = w;
    p.minval = minval;
    p.maxval = maxval;
    p.periodic = periodic;
    p.radius = radius;
    p.name = name;
    p.forced = forced;
    char who[64];
    snprintf(who, sizeof who, "DateEncoder %s", part_names[part]);
    return scalar_make(&p, who, &e->part[part], err);
}

static nupic_status build(nupic_date_enc *e, const nupic_date_enc_params *p,
                          nupic_error *err) {
    nupic_status st = NUPIC_OK;
    bool f = p->forced;
    if (p->season_w)
        st = add_part(e, NUPIC_DATE_SEASON, p->season_w, 0, 366, true,
                      p->season_radius, "season", f, err);
    if (st == NUPIC_OK && p->day_of_week_w)
        st = add_part(e, NUPIC_DATE_DAY_OF_WEEK, p->day_of_week_w, 0, 7, true,
                      p->day_of_week_radius, "day of week", f, err);
    if (st == NUPIC_OK && p->weekend_w)
        st = add_part(e, NUPIC_DATE_WEEKEND, p->weekend_w, 0, 1, false,
                      p->weekend_radius, "weekend", f, err);
    if (st == NUPIC_OK && p->custom_days_w) {
        if (p->num_custom_days && p->custom_days == NULL)
            return enc_fail(err, NUPIC_ERR_PARAM,
                            "DateEncoder: custom_days is NULL");
        if (p->custom_days_single && p->num_custom_days != 1)
            return enc_fail(err, NUPIC_ERR_PARAM,
                            "DateEncoder: customDays given as one day, but "
                            "%u days",
                            p->num_custom_days);
        size_t len = 1;
        for (uint32_t i = 0; i < p->num_custom_days; i++) {
            const char *d = p->custom_days[i];
            if (d == NULL || day_number(d, strlen(d)) < 0)
                return enc_fail(err, NUPIC_ERR_PARAM,
                                "DateEncoder: unable to understand '%s' as a "
                                "day of week",
                                d ? d : "(null)");
            e->custom_days =
                (uint8_t)(e->custom_days | 1u << day_number(d, strlen(d)));
            len += strlen(d) + 1;
        }
        char *name = malloc(len);
        if (name == NULL)
            return enc_fail(err, NUPIC_ERR_NOMEM, "DateEncoder: out of memory");
        name[0] = '\0';
        for (uint32_t i = 0; i < p->num_custom_days; i++) {
            strcat(name, p->custom_days[i]);
            if (!p->custom_days_single) strcat(name, " ");
        }
        st = add_part(e, NUPIC_DATE_CUSTOM_DAYS, p->custom_days_w, 0, 1, false,
                      1, name, f, err);
        free(name);
    }
    if (st == NUPIC_OK && p->holiday_w) {
        st = add_part(e, NUPIC_DATE_HOLIDAY, p->holiday_w, 0, 1, false, 1,
                      "holiday", f, err);
        if (st != NUPIC_OK) return st;
        if (p->num_holidays && p->holidays == NULL)
            return enc_fail(err, NUPIC_ERR_PARAM,
                            "DateEncoder: holidays is NULL");
        for (uint32_t i = 0; i < p->num_holidays; i++) {
            const nupic_holiday *h = &p->holidays[i];
            /* A yearly holiday must exist in some year (Feb 29 in leap
             * years); a dated one must exist. */
            bool ok = h->year == 0 ? valid_date(2000, h->month, h->day)
                                   : valid_date(h->year, h->month, h->day);
            if (!ok)
                return enc_fail(err, NUPIC_ERR_PARAM,
                                "DateEncoder: holidays[%u] = (%d, %d, %d) is "
                                "not a date",
                                i, h->year, h->month, h->day);
        }
        bool christmas = p->num_holidays == 1 && p->holidays[0].year == 0 &&
                         p->holidays[0].month == 12 && p->holidays[0].day == 25;
        if (p->num_holidays && !christmas) {
            e->holidays = malloc(p->num_holidays * sizeof *e->holidays);
            if (e->holidays == NULL)
                return enc_fail(err, NUPIC_ERR_NOMEM,
                                "DateEncoder: out of memory");
            memcpy(e->holidays, p->holidays,
                   p->num_holidays * sizeof *e->holidays);
            e->num_holidays = p->num_holidays;
        }
    }
    if (st == NUPIC_OK && p->time_of_day_w)
        st = add_part(e, NUPIC_DATE_TIME_OF_DAY, p->time_of_day_w, 0, 24, true,
                      p->time_of_day_radius, "time of day", f, err);
    if (st != NUPIC_OK) return st;
    e->forced = p->forced;
    e->name = enc_strdup(p->name ? p->name : "");
    if (e->name == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "DateEncoder: out of memory");
    return layout(e, NUPIC_ERR_PARAM, "DateEncoder", err);
}

nupic_status nupic_date_enc_new(const nupic_date_enc_params *p,
                                nupic_date_enc **out, nupic_error *err) {
    if (p == NULL || out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_date_enc_new: NULL");
    *out = NULL;
    nupic_date_enc *e = calloc(1, sizeof *e);
    if (e == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "DateEncoder: out of memory");
    nupic_status st = build(e, p, err);
    if (st != NUPIC_OK) {
        nupic_date_enc_free(e);
        return st;
    }
    *out = e;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------ */

nupic_status nupic_date_enc_encode(const nupic_date_enc *e,
                                   const nupic_datetime *value, uint8_t *output,
                                   nupic_error *err) {
    double vals[NUPIC_DATE_PART_COUNT];
    int64_t minbin[NUPIC_DATE_PART_COUNT] = {0};
    nupic_status st = part_values(e, value, vals, err);
    for (int i = 0; st == NUPIC_OK && i < NUPIC_DATE_PART_COUNT; i++)
        if (e->part[i])
            st = scalar_first_bit(e->part[i], vals[i], &minbin[i], err);
    if (st != NUPIC_OK) return st;
    for (int i = 0; i < NUPIC_DATE_PART_COUNT; i++)
        if (e->part[i])
            scalar_put(e->part[i], minbin[i], output + e->offset[i]);
    return NUPIC_OK;
}

void nupic_date_enc_encode_missing(const nupic_date_enc *e, uint8_t *output) {
    memset(output, 0, e->width);
}

nupic_status nupic_date_enc_scalars(const nupic_date_enc *e,
                                    const nupic_datetime *value,
                                    double *scalars, uint32_t *count,
                                    nupic_error *err) {
    double vals[NUPIC_DATE_PART_COUNT];
    nupic_status st = part_values(e, value, vals, err);
    if (st != NUPIC_OK) return st;
    uint32_t k = 0;
    for (int i = 0; i < NUPIC_DATE_PART_COUNT; i++)
        if (e->part[i]) scalars[k++] = vals[i];
    *count = k;
    return NUPIC_OK;
}

nupic_status nupic_date_enc_buckets(const nupic_date_enc *e,
                                    const nupic_datetime *value,
                                    uint32_t *buckets, uint32_t *count,
                                    nupic_error *err) {
    double vals[NUPIC_DATE_PART_COUNT];
    nupic_status st = part_values(e, value, vals, err);
    uint32_t k = 0;
    for (int i = 0; st == NUPIC_OK && i < NUPIC_DATE_PART_COUNT; i++)
        if (e->part[i])
            st = nupic_scalar_enc_bucket(e->part[i], vals[i], &buckets[k++],
                                         err);
    if (st != NUPIC_OK) return st;
    *count = k;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Accessors, equality
 * ------------------------------------------------------------------------ */

uint32_t nupic_date_enc_width(const nupic_date_enc *e) {
    return e->width;
}
const char *nupic_date_enc_name(const nupic_date_enc *e) {
    return e->name;
}

const nupic_scalar_enc *nupic_date_enc_part(const nupic_date_enc *e,
                                            nupic_date_part part,
                                            uint32_t *offset) {
    if ((unsigned)part >= NUPIC_DATE_PART_COUNT) return NULL;
    if (offset) *offset = e->offset[part];
    return e->part[part];
}

bool date_equal_ctx(const nupic_date_enc *a, const nupic_date_enc *b,
                    const char *what, char *diff, size_t diff_size) {
    char sub[ENC_CTX_SIZE];
    for (int i = 0; i < NUPIC_DATE_PART_COUNT; i++) {
        if ((a->part[i] == NULL) != (b->part[i] == NULL))
            return enc_diff(diff, diff_size, "%s.%s: present in only one", what,
                            part_fields[i]);
        enc_ctx(sub, what, ".%s", part_fields[i]);
        if (a->part[i] &&
            !scalar_equal_ctx(a->part[i], b->part[i], sub, diff, diff_size))
            return false;
        if (a->offset[i] != b->offset[i])
            return enc_diff(diff, diff_size, "%s offset: %u != %u", sub,
                            a->offset[i], b->offset[i]);
    }
    if (a->width != b->width)
        return enc_diff(diff, diff_size, "%s.width: %u != %u", what, a->width,
                        b->width);
    if (strcmp(a->name, b->name) != 0)
        return enc_diff(diff, diff_size, "%s.name: '%s' != '%s'", what, a->name,
                        b->name);
    if (a->custom_days != b->custom_days)
        return enc_diff(diff, diff_size, "%s: custom days 0x%x != 0x%x", what,
                        a->custom_days, b->custom_days);
    if (a->num_holidays != b->num_holidays ||
        (a->num_holidays && memcmp(a->holidays, b->holidays,
                                   a->num_holidays * sizeof *a->holidays) != 0))
        return enc_diff(diff, diff_size, "%s: the holidays differ", what);
    return true;
}

bool nupic_date_enc_equal(const nupic_date_enc *a, const nupic_date_enc *b,
                          char *diff, size_t diff_size) {
    if (diff && diff_size) diff[0] = '\0';
    return date_equal_ctx(a, b, "DateEncoder", diff, diff_size);
}

/* ------------------------------------------------------------------------
 * Serialization (NuPIC's DateEncoder.write and read)
 * ------------------------------------------------------------------------ */

typedef ScalarEncoderProto_B (*part_init)(DateEncoderProto_B);
typedef ScalarEncoderProto_R (*part_get)(DateEncoderProto_R);

static const part_init part_inits[NUPIC_DATE_PART_COUNT] = {
    DateEncoderProto_init_seasonEncoder,
    DateEncoderProto_init_dayOfWeekEncoder,
    DateEncoderProto_init_weekendEncoder,
    DateEncoderProto_init_customDaysEncoder,
    DateEncoderProto_init_holidayEncoder,
    DateEncoderProto_init_timeOfDayEncoder};
static const part_get part_gets[NUPIC_DATE_PART_COUNT] = {
    DateEncoderProto_get_seasonEncoder,  DateEncoderProto_get_dayOfWeekEncoder,
    DateEncoderProto_get_weekendEncoder, DateEncoderProto_get_customDaysEncoder,
    DateEncoderProto_get_holidayEncoder, DateEncoderProto_get_timeOfDayEncoder};

nupic_status date_write_ctx(const nupic_date_enc *e, DateEncoderProto_B b,
                            const char *who, nupic_error *err) {
    if (e->part[NUPIC_DATE_HOLIDAY] && e->num_holidays)
        return enc_fail(err, NUPIC_ERR_UNSUPPORTED,
                        "%s: cannot be saved: DateEncoderProto has no field "
                        "for its %u holidays (only NuPIC's default, "
                        "Christmas, is restored)",
                        who, e->num_holidays);
    char sub[ENC_CTX_SIZE];
    for (int i = 0; i < NUPIC_DATE_PART_COUNT; i++) {
        if (e->part[i] == NULL) continue;
        enc_ctx(sub, who, " %s", part_names[i]);
        nupic_status st =
            scalar_write_ctx(e->part[i], part_inits[i](b), sub, err);
        if (st != NUPIC_OK) return st;
    }
    /* NuPIC does not write the name; its default is "". */
    if (e->name[0]) DateEncoderProto_set_name(b, e->name, strlen(e->name));
    return enc_builder_status(b.s, err);
}

nupic_status nupic_date_enc_write(const nupic_date_enc *e, DateEncoderProto_B b,
                                  nupic_error *err) {
    return date_write_ctx(e, b, "DateEncoder", err);
}

nupic_status date_read_ctx(DateEncoderProto_R r, const char *ctx,
                           nupic_date_enc **out, nupic_error *err) {
    *out = NULL;
    nupic_date_enc *e = calloc(1, sizeof *e);
    if (e == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", ctx);
    e->forced = true;
    nupic_status st =
        enc_read_text(DateEncoderProto_get_name(r), ctx, "name", &e->name, err);
    char sub[ENC_CTX_SIZE];
    for (int i = 0; st == NUPIC_OK && i < NUPIC_DATE_PART_COUNT; i++) {
        ScalarEncoderProto_R pr = part_gets[i](r);
        if (ScalarEncoderProto_get_n(pr) == 0) continue; /* absent */
        enc_ctx(sub, ctx, ".%s", part_fields[i]);
        st = scalar_read_ctx(pr, sub, &e->part[i], err);
    }
    if (st == NUPIC_OK && e->part[NUPIC_DATE_CUSTOM_DAYS] &&
        !parse_days(e->part[NUPIC_DATE_CUSTOM_DAYS]->name, &e->custom_days))
        st = enc_fail(err, NUPIC_ERR_FORMAT,
                      "%s.customDaysEncoder.name: '%.60s' does not name days "
                      "of the week",
                      ctx, e->part[NUPIC_DATE_CUSTOM_DAYS]->name);
    if (st == NUPIC_OK) st = layout(e, NUPIC_ERR_FORMAT, ctx, err);
    if (st == NUPIC_OK) st = enc_msg_status(r.s, err);
    if (st != NUPIC_OK) {
        nupic_date_enc_free(e);
        return st;
    }
    *out = e;
    return NUPIC_OK;
}

nupic_status nupic_date_enc_read(DateEncoderProto_R r, nupic_date_enc **out,
                                 nupic_error *err) {
    if (out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_date_enc_read: NULL");
    return date_read_ctx(r, "DateEncoderProto", out, err);
}

uint64_t date_words(const nupic_date_enc *e) {
    uint64_t w = 16 + strlen(e->name) / 8;
    for (int i = 0; i < NUPIC_DATE_PART_COUNT; i++)
        if (e->part[i]) w += scalar_words(e->part[i]);
    return w;
}

ENC_PERSIST(nupic_date_enc, nupic_date_enc, DateEncoderProto, date_words)
