/*
 * src/cli/progress.h - a progress bar on standard error and the summary at
 * the end of a run.
 *
 * The bar shows the records done, the records per second and, when the
 * input's size is known, the share read and the time left; it is redrawn
 * at most ten times a second, only when standard error is a terminal.
 */
#ifndef NUPIC_CLI_PROGRESS_H
#define NUPIC_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/encoders.h>

/* Seconds on a monotonic clock. */
double cli_now(void);

typedef struct cli_progress {
    FILE *out;      /* NULL: silent */
    uint64_t total; /* bytes of the input; 0: unknown */
    double start;   /* cli_now() at the start */
    double last;    /* of the last drawing */
    uint64_t calls; /* updates since the last look at the clock */
    bool drawn;     /* a bar is on the screen */
} cli_progress;

/* Starts a bar on standard error if it is a terminal (silent otherwise). */
void cli_progress_start(cli_progress *p, uint64_t total_bytes);
/* Starts a bar on out (NULL: silent) at time now: for tests. */
void cli_progress_start_on(cli_progress *p, FILE *out, uint64_t total_bytes,
                           double now);
/* Records done and input bytes read so far; redraws when due. */
void cli_progress_update(cli_progress *p, uint64_t records, uint64_t bytes);
/* The same at time now (always redraws when 0.1 s have passed). */
void cli_progress_update_at(cli_progress *p, uint64_t records, uint64_t bytes,
                            double now);
/* Erases the bar. */
void cli_progress_end(cli_progress *p);

/* ---- top anomalies ------------------------------------------------------ */

#define CLI_TOP_MAX 32

typedef struct cli_top_entry {
    double likelihood;
    double value; /* NaN: missing */
    nupic_datetime time;
    bool has_time;
    uint64_t line; /* the input line */
} cli_top_entry;

/* The entries of highest likelihood, highest first (the earlier one first
 * among equals). */
typedef struct cli_top {
    cli_top_entry e[CLI_TOP_MAX];
    uint32_t n, cap;
} cli_top;

void cli_top_init(cli_top *t, uint32_t cap);          /* cap <= CLI_TOP_MAX */
void cli_top_add(cli_top *t, const cli_top_entry *e); /* NaN ignored */

/* ---- the summary -------------------------------------------------------- */

typedef struct cli_summary {
    uint64_t records;   /* records run */
    uint64_t skipped;   /* malformed rows skipped */
    double seconds;     /* elapsed */
    double threshold;   /* anomaly: likelihood >= threshold */
    uint64_t anomalies; /* records at or above it */
    const cli_top *top; /* NULL: none */
    bool scored;        /* false: no anomaly lines (a prediction model) */
} cli_summary;

/* Prints the summary: records, skipped rows, time, records/s, anomalies
 * and the top anomalies (time, value, likelihood). */
void cli_summary_print(FILE *out, const cli_summary *s);

#endif /* NUPIC_CLI_PROGRESS_H */
