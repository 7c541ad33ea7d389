/*
 * src/cli/progress.c - the progress bar and summary of progress.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "progress.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csv_in.h"

#define BAR_WIDTH 28

double cli_now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_start_on(cli_progress *p, FILE *out, uint64_t total_bytes,
                           double now) {
    memset(p, 0, sizeof *p);
    p->out = out;
    p->total = total_bytes;
    p->start = now;
    p->last = now;
}

void cli_progress_start(cli_progress *p, uint64_t total_bytes) {
    cli_progress_start_on(p, isatty(fileno(stderr)) ? stderr : NULL,
                          total_bytes, cli_now());
}

/* "1:02:03" or "2:03". */
static void format_duration(double s, char *out, size_t size) {
    if (!(s >= 0) || s > 1e8) {
        snprintf(out, size, "?");
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(out, size, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, size, "%lu:%02lu", t / 60, t % 60);
}

static void draw(cli_progress *p, uint64_t records, uint64_t bytes,
                 double now) {
    double elapsed = now - p->start;
    double rate = elapsed > 0 ? (double)records / elapsed : 0;
    fputc('\r', p->out);
    if (p->total > 0) {
        double frac = (double)bytes / (double)p->total;
        if (frac > 1) frac = 1;
        int full = (int)(frac * BAR_WIDTH);
        char bar[BAR_WIDTH + 1];
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < full ? '=' : i == full ? '>' : ' ';
        bar[BAR_WIDTH] = 0;
        char eta[32];
        format_duration(bytes > 0 ? elapsed * (1 - frac) / frac : -1, eta,
                        sizeof eta);
        fprintf(p->out, "[%s] %3d%%  %llu records  %.0f records/s  ETA %s", bar,
                (int)(frac * 100), (unsigned long long)records, rate, eta);
    } else {
        fprintf(p->out, "%llu records  %.0f records/s",
                (unsigned long long)records, rate);
    }
    fputs("\033[K", p->out); /* clear the rest of the line */
    fflush(p->out);
    p->drawn = true;
    p->last = now;
}

void cli_progress_update_at(cli_progress *p, uint64_t records, uint64_t bytes,
                            double now) {
    if (p->out == NULL || now - p->last < 0.1) return;
    draw(p, records, bytes, now);
}

void cli_progress_update(cli_progress *p, uint64_t records, uint64_t bytes) {
    if (p->out == NULL) return;
    /* Look at the clock every 64 records only. */
    if (++p->calls < 64) return;
    p->calls = 0;
    cli_progress_update_at(p, records, bytes, cli_now());
}

void cli_progress_end(cli_progress *p) {
    if (p->out != NULL && p->drawn) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
    p->drawn = false;
}

/* ---- top anomalies ------------------------------------------------------ */

void cli_top_init(cli_top *t, uint32_t cap) {
    memset(t, 0, sizeof *t);
    t->cap = cap > CLI_TOP_MAX ? CLI_TOP_MAX : cap;
}

void cli_top_add(cli_top *t, const cli_top_entry *e) {
    if (isnan(e->likelihood) || t->cap == 0) return;
    /* the first entry below e: e goes there (after its equals) */
    uint32_t at = t->n;
    while (at > 0 && t->e[at - 1].likelihood < e->likelihood)
        at--;
    if (at >= t->cap) return;
    uint32_t last = t->n < t->cap ? t->n : t->cap - 1;
    memmove(&t->e[at + 1], &t->e[at], (last - at) * sizeof t->e[0]);
    t->e[at] = *e;
    if (t->n < t->cap) t->n++;
}

/* ---- the summary -------------------------------------------------------- */

void cli_summary_print(FILE *out, const cli_summary *s) {
    char took[32];
    format_duration(s->seconds, took, sizeof took);
    fprintf(out, "records      %llu\n", (unsigned long long)s->records);
    if (s->skipped)
        fprintf(out, "skipped      %llu malformed rows\n",
                (unsigned long long)s->skipped);
    fprintf(out, "time         %.3f s (%s)\n", s->seconds, took);
    if (s->seconds > 0)
        fprintf(out, "records/s    %.0f\n", (double)s->records / s->seconds);
    else
        fprintf(out, "records/s    -\n");
    if (!s->scored) return;
    fprintf(out, "anomalies    %llu (likelihood >= %g)\n",
            (unsigned long long)s->anomalies, s->threshold);
    if (s->top == NULL || s->top->n == 0) return;
    fprintf(out, "top anomalies:\n  %-4s %-6s %-26s %-24s %s\n", "rank", "line",
            "timestamp", "value", "likelihood");
    for (uint32_t i = 0; i < s->top->n; i++) {
        const cli_top_entry *e = &s->top->e[i];
        char when[40] = "-", value[32] = "-";
        if (e->has_time) cli_format_datetime(&e->time, when, sizeof when);
        if (!isnan(e->value)) snprintf(value, sizeof value, "%.17g", e->value);
        fprintf(out, "  %-4u %-6llu %-26s %-24s %.17g\n", i + 1,
                (unsigned long long)e->line, when, value, e->likelihood);
    }
}
