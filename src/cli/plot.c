/*
 * src/cli/plot.c - the SVG picture of plot.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv_in.h"
#include "sdr_io.h"

/* A run of neighbouring records. */
typedef struct bucket {
    double x0, x1;     /* first and last x */
    double vmin, vmax; /* NaN: no value */
    double lmin, lmax; /* NaN: no likelihood */
    uint64_t n;        /* records */
    uint64_t missing;  /* records without a value */
    /* the most anomalous record at or above the threshold (al NaN: none) */
    double ax, av, al;
} bucket;

struct cli_plot {
    cli_plot_options o;
    char *title, *value_name;
    bucket *b;
    uint32_t count;      /* buckets in use */
    uint64_t per_bucket; /* records a bucket takes before the next starts */
    uint64_t records, anomalies;
};

cli_plot_options cli_plot_defaults(void) {
    cli_plot_options o = {0.99, 1200, 700, NULL, "value", false};
    return o;
}

static char *dup_str(const char *s) {
    if (s == NULL) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) memcpy(d, s, n);
    return d;
}

cli_plot *cli_plot_new(const cli_plot_options *o) {
    cli_plot *p = calloc(1, sizeof *p);
    if (p == NULL) return NULL;
    p->o = *o;
    if (p->o.width < 300) p->o.width = 300;
    if (p->o.height < 240) p->o.height = 240;
    p->title = dup_str(o->title);
    p->value_name = dup_str(o->value_name ? o->value_name : "value");
    p->b = malloc(CLI_PLOT_BUCKETS * sizeof *p->b);
    p->per_bucket = 1;
    if (p->b == NULL || p->value_name == NULL ||
        (o->title != NULL && p->title == NULL)) {
        cli_plot_free(p);
        return NULL;
    }
    p->o.title = p->title;
    p->o.value_name = p->value_name;
    return p;
}

void cli_plot_free(cli_plot *p) {
    if (p == NULL) return;
    free(p->title);
    free(p->value_name);
    free(p->b);
    free(p);
}

uint64_t cli_plot_records(const cli_plot *p) {
    return p->records;
}
uint64_t cli_plot_anomalies(const cli_plot *p) {
    return p->anomalies;
}

/* min and max that ignore NaN. */
static double min_n(double a, double b) {
    return isnan(a) || b < a ? b : a;
}
static double max_n(double a, double b) {
    return isnan(a) || b > a ? b : a;
}

static void merge(bucket *into, const bucket *from) {
    into->x0 = fmin(into->x0, from->x0);
    into->x1 = fmax(into->x1, from->x1);
    into->vmin = min_n(into->vmin, from->vmin);
    into->vmax = max_n(into->vmax, from->vmax);
    into->lmin = min_n(into->lmin, from->lmin);
    into->lmax = max_n(into->lmax, from->lmax);
    into->n += from->n;
    into->missing += from->missing;
    if (!isnan(from->al) && (isnan(into->al) || from->al > into->al)) {
        into->ax = from->ax;
        into->av = from->av;
        into->al = from->al;
    }
}

void cli_plot_add(cli_plot *p, double x, double value, double likelihood) {
    bucket pt = {x,          x,          value, value,
                 likelihood, likelihood, 1,     isnan(value),
                 x,          value,      NAN};
    if (!isnan(likelihood) && likelihood >= p->o.threshold) {
        pt.al = likelihood;
        p->anomalies++;
    }
    p->records++;
    if (p->count > 0 && p->b[p->count - 1].n < p->per_bucket) {
        merge(&p->b[p->count - 1], &pt);
        return;
    }
    if (p->count == CLI_PLOT_BUCKETS) {
        for (uint32_t i = 0; i < CLI_PLOT_BUCKETS / 2; i++) {
            p->b[i] = p->b[2 * i];
            merge(&p->b[i], &p->b[2 * i + 1]);
        }
        p->count = CLI_PLOT_BUCKETS / 2;
        p->per_bucket *= 2;
        if (p->b[p->count - 1].n < p->per_bucket) {
            merge(&p->b[p->count - 1], &pt);
            return;
        }
    }
    p->b[p->count++] = pt;
}

/* ---- axes ---------------------------------------------------------------- */

/* 1, 2 or 5 times a power of ten, near raw. */
static double nice_step(double raw) {
    if (!(raw > 0) || !isfinite(raw)) return 1;
    double e = pow(10, floor(log10(raw)));
    double f = raw / e;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * e;
}

/* The number of decimals that tell ticks step apart. */
static int decimals(double step) {
    int d = (int)-floor(log10(step) + 1e-9);
    return d < 0 ? 0 : d > 10 ? 10 : d;
}

static void format_number(double v, double step, char *out, size_t size) {
    if (fabs(v) < step * 1e-9) v = 0;
    if (fabs(v) >= 1e7 || step < 1e-6)
        snprintf(out, size, "%g", v);
    else
        snprintf(out, size, "%.*f", decimals(step), v);
}

static void civil_from_days(int64_t days, int32_t *y, int32_t *m, int32_t *d) {
    int64_t year = 1970 + (int64_t)floor((double)days / 365.2425);
    while (cli_days_from_civil(year, 1, 1) > days)
        year--;
    while (cli_days_from_civil(year + 1, 1, 1) <= days)
        year++;
    int32_t month = 1;
    while (month < 12 && cli_days_from_civil(year, month + 1, 1) <= days)
        month++;
    *y = (int32_t)year;
    *m = month;
    *d = (int32_t)(days - cli_days_from_civil(year, month, 1)) + 1;
}

/* A time axis: ticks every step seconds (months == 0) or every months
 * months; {0, 0} formats a whole timestamp. */
typedef struct time_step {
    double seconds;
    int32_t months;
} time_step;

static time_step time_step_for(double span) {
    static const double sec[] = {1,      2,      5,      10,    15,    30,
                                 60,     120,    300,    600,   900,   1800,
                                 3600,   7200,   10800,  21600, 43200, 86400,
                                 172800, 604800, 1209600};
    static const int32_t mon[] = {1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200};
    for (size_t i = 0; i < sizeof sec / sizeof sec[0]; i++)
        if (span / sec[i] <= 9) return (time_step){sec[i], 0};
    for (size_t i = 0; i < sizeof mon / sizeof mon[0]; i++)
        if (span / (mon[i] * 30.44 * 86400) <= 9) return (time_step){0, mon[i]};
    return (time_step){0, 12000};
}

static void format_time(double t, time_step s, char *out, size_t size) {
    double days_f = floor(t / 86400);
    int64_t days = (int64_t)days_f;
    int64_t sod = (int64_t)floor(t - days_f * 86400);
    int32_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    int hh = (int)(sod / 3600), mm = (int)(sod / 60 % 60), ss = (int)(sod % 60);
    if (s.months == 0 && s.seconds == 0)
        snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d", (int)y, (int)m,
                 (int)d, hh, mm, ss);
    else if (s.months >= 12)
        snprintf(out, size, "%04d", (int)y);
    else if (s.months > 0)
        snprintf(out, size, "%04d-%02d", (int)y, (int)m);
    else if (s.seconds >= 86400)
        snprintf(out, size, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
    else if (s.seconds >= 60)
        snprintf(out, size, "%02d-%02d %02d:%02d", (int)m, (int)d, hh, mm);
    else
        snprintf(out, size, "%02d:%02d:%02d", hh, mm, ss);
}

/* The first tick at or after t. */
static double first_time_tick(double t, time_step s) {
    if (s.months == 0) {
        /* weeks start on Mondays (1970-01-01 was a Thursday) */
        double offset =
            s.seconds == 604800 || s.seconds == 1209600 ? 4 * 86400.0 : 0;
        return ceil((t - offset) / s.seconds) * s.seconds + offset;
    }
    int32_t y, m, d;
    civil_from_days((int64_t)floor(t / 86400), &y, &m, &d);
    int64_t idx = (int64_t)y * 12 + (m - 1);
    idx = (idx + s.months - 1) / s.months * s.months;
    for (;;) {
        double tick =
            (double)cli_days_from_civil(idx / 12, (int32_t)(idx % 12) + 1, 1) *
            86400.0;
        if (tick >= t) return tick;
        idx += s.months;
    }
}

static double next_time_tick(double tick, time_step s) {
    if (s.months == 0) return tick + s.seconds;
    int32_t y, m, d;
    civil_from_days((int64_t)floor(tick / 86400), &y, &m, &d);
    int64_t idx = (int64_t)y * 12 + (m - 1) + s.months;
    return (double)cli_days_from_civil(idx / 12, (int32_t)(idx % 12) + 1, 1) *
           86400.0;
}

/* ---- drawing ------------------------------------------------------------- */

static void put_escaped(FILE *f, const char *s) {
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20) fputc(*s, f);
        }
}

/* One pixel column of a panel. */
typedef struct column {
    double vmin, vmax, lmin, lmax;
    uint64_t n, missing;
    double ax, av, al;
} column;

typedef struct panel {
    double left, top, width, height; /* pixels */
    double lo, hi;                   /* values at the bottom and top */
} panel;

static double py(const panel *q, double v) {
    return q->top + q->height * (q->hi - v) / (q->hi - q->lo);
}

/* A value's range [lo, hi] widened to nice ticks; step set. */
static void nice_range(double *lo, double *hi, double *step) {
    if (isnan(*lo)) {
        *lo = 0;
        *hi = 1;
    }
    if (*hi - *lo <= fabs(*hi) * 1e-12) {
        double pad = fabs(*hi) > 0 ? fabs(*hi) * 0.1 : 1;
        *lo -= pad;
        *hi += pad;
    }
    *step = nice_step((*hi - *lo) / 5);
    *lo = floor(*lo / *step) * *step;
    *hi = ceil(*hi / *step) * *step;
}

/* One tick of the x axis at x: a grid line through each panel and the
 * label under the bottom one. */
static void draw_x_tick(FILE *f, const panel *t, const panel *b, double x,
                        const char *label) {
    const double tick_y = b->top + b->height;
    fprintf(f,
            "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
            "y2=\"%.1f\"/>\n<line class=\"grid\" x1=\"%.1f\" "
            "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
            "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"middle\">%s</text>\n",
            x, t->top, x, t->top + t->height, x, b->top, x, tick_y, x,
            tick_y + 16, label);
}

static void draw_y_axis(FILE *f, const panel *q, double step,
                        const char *name) {
    for (double v = q->lo; v <= q->hi + step * 1e-6; v += step) {
        char label[64];
        format_number(v, step, label, sizeof label);
        double y = py(q, v);
        fprintf(f,
                "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                "y2=\"%.1f\"/>\n"
                "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
                "text-anchor=\"end\">%s</text>\n",
                q->left, y, q->left + q->width, y, q->left - 6, y + 4, label);
    }
    fprintf(f,
            "<text class=\"label\" transform=\"translate(%.1f %.1f) "
            "rotate(-90)\" text-anchor=\"middle\">",
            q->left - 58, q->top + q->height / 2);
    put_escaped(f, name);
    fputs("</text>\n", f);
    fprintf(f,
            "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"/>\n",
            q->left, q->top, q->width, q->height);
}

/* The envelope of one series over the columns: a path through each
 * column's minimum and maximum, broken where a column has records but no
 * value. */
static void draw_series(FILE *f, const panel *q, const column *c, uint32_t n,
                        bool likelihood, const char *cls) {
    fprintf(f, "<path class=\"%s\" d=\"", cls);
    bool pen = false;
    double last = 0;
    for (uint32_t i = 0; i < n; i++) {
        double lo = likelihood ? c[i].lmin : c[i].vmin;
        double hi = likelihood ? c[i].lmax : c[i].vmax;
        if (c[i].n == 0) continue;
        if (isnan(lo)) {
            pen = false;
            continue;
        }
        double x = q->left + i + 0.5;
        double y1 = py(q, lo), y2 = py(q, hi);
        if (pen && fabs(last - y2) < fabs(last - y1)) {
            double t = y1;
            y1 = y2;
            y2 = t;
        }
        fprintf(f, "%c%.1f %.1f", pen ? 'L' : 'M', x, y1);
        if (y2 != y1) fprintf(f, "L%.1f %.1f", x, y2);
        pen = true;
        last = y2;
    }
    fputs("\"/>\n", f);
}

static void write_svg(const cli_plot *p, FILE *f, column *col, uint32_t ncol,
                      const panel *top, const panel *bottom) {
    double W = p->o.width, H = p->o.height;
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n"
            "<style>\n"
            "text { font-family: sans-serif; fill: #222; }\n"
            ".tick { font-size: 11px; } .label { font-size: 13px; }\n"
            ".title { font-size: 16px; font-weight: bold; }\n"
            ".grid { stroke: #e4e4e4; stroke-width: 1; }\n"
            ".frame { fill: none; stroke: #888; stroke-width: 1; }\n"
            ".value { fill: none; stroke: #1f6fb4; stroke-width: 1.2; "
            "stroke-linejoin: round; }\n"
            ".likelihood { fill: none; stroke: #e07b00; stroke-width: 1.2; "
            "stroke-linejoin: round; }\n"
            ".threshold { stroke: #c00; stroke-width: 1; "
            "stroke-dasharray: 5 4; }\n"
            ".anomaly { fill: #d00; fill-opacity: 0.8; stroke: #fff; "
            "stroke-width: 0.8; }\n"
            "</style>\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            W, H, W, H);
    if (p->title != NULL) {
        fputs("<text class=\"title\" x=\"20\" y=\"26\">", f);
        put_escaped(f, p->title);
        fputs("</text>\n", f);
    }
    /* legend, top right */
    double lx = W - 600;
    fprintf(f,
            "<g class=\"legend\">\n"
            "<line class=\"value\" x1=\"%.0f\" y1=\"22\" x2=\"%.0f\" "
            "y2=\"22\"/><text class=\"tick\" x=\"%.0f\" y=\"26\">",
            lx, lx + 24, lx + 30);
    put_escaped(f, p->value_name);
    fprintf(f,
            "</text>\n"
            "<circle class=\"anomaly\" cx=\"%.0f\" cy=\"22\" r=\"4\"/>"
            "<text class=\"tick\" x=\"%.0f\" y=\"26\">anomaly (likelihood "
            "&#8805; %g)</text>\n"
            "<line class=\"likelihood\" x1=\"%.0f\" y1=\"22\" x2=\"%.0f\" "
            "y2=\"22\"/><text class=\"tick\" x=\"%.0f\" y=\"26\">anomaly "
            "likelihood</text>\n"
            "<line class=\"threshold\" x1=\"%.0f\" y1=\"22\" x2=\"%.0f\" "
            "y2=\"22\"/><text class=\"tick\" x=\"%.0f\" "
            "y=\"26\">threshold</text>\n</g>\n",
            lx + 142, lx + 150, p->o.threshold, lx + 310, lx + 334, lx + 340,
            lx + 460, lx + 484, lx + 490);

    /* the x range */
    double x0 = INFINITY, x1 = -INFINITY;
    for (uint32_t i = 0; i < p->count; i++) {
        x0 = fmin(x0, p->b[i].x0);
        x1 = fmax(x1, p->b[i].x1);
    }
    if (p->count == 0) {
        x0 = 0;
        x1 = 1;
    }
    if (x1 <= x0) x1 = x0 + 1;
    double span = x1 - x0;
    /* columns: each bucket goes to the column of its middle */
    memset(col, 0, ncol * sizeof *col);
    for (uint32_t i = 0; i < ncol; i++) {
        col[i].vmin = col[i].vmax = col[i].lmin = col[i].lmax = NAN;
        col[i].al = NAN;
    }
    for (uint32_t i = 0; i < p->count; i++) {
        const bucket *k = &p->b[i];
        double mid = (k->x0 + k->x1) / 2;
        double c = floor((mid - x0) / span * ncol);
        uint32_t ci = c < 0 ? 0 : c >= ncol ? ncol - 1 : (uint32_t)c;
        column *q = &col[ci];
        q->vmin = min_n(q->vmin, k->vmin);
        q->vmax = max_n(q->vmax, k->vmax);
        q->lmin = min_n(q->lmin, k->lmin);
        q->lmax = max_n(q->lmax, k->lmax);
        q->n += k->n;
        q->missing += k->missing;
        if (!isnan(k->al) && (isnan(q->al) || k->al > q->al)) {
            q->ax = k->ax;
            q->av = k->av;
            q->al = k->al;
        }
    }
    /* y axes */
    double vlo = NAN, vhi = NAN;
    for (uint32_t i = 0; i < ncol; i++) {
        vlo = min_n(vlo, col[i].vmin);
        vhi = max_n(vhi, col[i].vmax);
    }
    panel t = *top, b = *bottom;
    double vstep, lstep = 0.2;
    t.lo = vlo;
    t.hi = vhi;
    nice_range(&t.lo, &t.hi, &vstep);
    b.lo = 0;
    b.hi = 1;
    draw_y_axis(f, &t, vstep, p->value_name);
    draw_y_axis(f, &b, lstep, "anomaly likelihood");

    /* x axis, under both panels */
    double tick_y = b.top + b.height;
    if (p->o.x_is_time) {
        time_step s = time_step_for(span);
        for (double v = first_time_tick(x0, s); v <= x1;
             v = next_time_tick(v, s)) {
            char label[64];
            format_time(v, s, label, sizeof label);
            draw_x_tick(f, &t, &b, t.left + (v - x0) / span * t.width, label);
        }
    } else {
        double step = nice_step(span / 8);
        if (step < 1) step = 1;
        for (double v = ceil(x0 / step) * step; v <= x1 + step * 1e-9;
             v += step) {
            char label[64];
            format_number(v, step, label, sizeof label);
            draw_x_tick(f, &t, &b, t.left + (v - x0) / span * t.width, label);
        }
    }
    fprintf(f,
            "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"middle\">%s</text>\n",
            t.left + t.width / 2, tick_y + 38,
            p->o.x_is_time ? "time" : "record");

    draw_series(f, &t, col, ncol, false, "value");
    draw_series(f, &b, col, ncol, true, "likelihood");
    double ty = py(&b, p->o.threshold);
    fprintf(f,
            "<line class=\"threshold\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
            "y2=\"%.1f\"/>\n",
            b.left, ty, b.left + b.width, ty);
    /* anomalies */
    fputs("<g class=\"anomalies\">\n", f);
    for (uint32_t i = 0; i < ncol; i++) {
        if (isnan(col[i].al) || isnan(col[i].av)) continue;
        char when[64];
        if (p->o.x_is_time)
            format_time(col[i].ax, (time_step){0, 0}, when, sizeof when);
        else
            snprintf(when, sizeof when, "record %.0f", col[i].ax);
        fprintf(f,
                "<circle class=\"anomaly\" cx=\"%.1f\" cy=\"%.1f\" "
                "r=\"3.5\"><title>%s: %.17g (likelihood %.17g)</title>"
                "</circle>\n",
                t.left + i + 0.5, py(&t, col[i].av), when, col[i].av,
                col[i].al);
    }
    fputs("</g>\n</svg>\n", f);
}

bool cli_plot_write(const cli_plot *p, FILE *f) {
    double W = p->o.width, H = p->o.height;
    double left = 80, right = 30, top = 50, gap = 40, bottom = 60;
    double inner = H - top - gap - bottom;
    panel t = {left, top, W - left - right, floor(inner * 0.6), 0, 1};
    panel b = {left, top + t.height + gap, t.width, inner - t.height, 0, 1};
    uint32_t ncol = (uint32_t)t.width;
    column *col = malloc(ncol * sizeof *col);
    if (col == NULL) {
        errno = ENOMEM;
        return false;
    }
    write_svg(p, f, col, ncol, &t, &b);
    free(col);
    return fflush(f) == 0 && !ferror(f);
}

bool cli_plot_save(const cli_plot *p, const char *cmd, const char *path) {
    cli_out o;
    if (!cli_out_open(&o, cmd, path)) return false;
    if (!cli_plot_write(p, o.f)) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        cli_out_abort(&o);
        return false;
    }
    return cli_out_commit(&o, cmd);
}
