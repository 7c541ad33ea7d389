/*
 * src/cli/plot.h - an SVG picture of a run: the value over time on a top
 * panel, the anomaly likelihood over time on a bottom panel, with axes,
 * tick labels and a legend; records whose likelihood reaches a threshold
 * are marked in red on the value panel (hovering a marker shows its time,
 * value and likelihood).
 *
 * Records are added one at a time and kept in at most CLI_PLOT_BUCKETS
 * buckets (neighbours merge pairwise when the buckets run out: each keeps
 * the minimum and maximum of its values and likelihoods and its most
 * anomalous record), and each pixel column draws the envelope of its
 * buckets; so memory and the file's size stay bounded however long the
 * run, and no peak is lost.
 */
#ifndef NUPIC_CLI_PLOT_H
#define NUPIC_CLI_PLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_PLOT_BUCKETS 4096

typedef struct cli_plot_options {
    double threshold;       /* anomaly: likelihood >= threshold (0.99) */
    uint32_t width, height; /* pixels (1200 x 700), at least 300 x 240 */
    const char *title;      /* NULL: none */
    const char *value_name; /* the value panel's axis ("value") */
    bool x_is_time;         /* x: seconds since 1970-01-01 (dates on the
                               axis), else record numbers */
} cli_plot_options;

/* The defaults above. */
cli_plot_options cli_plot_defaults(void);

typedef struct cli_plot cli_plot;

/* A new plot (the options' strings are copied); NULL when out of memory. */
cli_plot *cli_plot_new(const cli_plot_options *o);
void cli_plot_free(cli_plot *p);

/* Adds a record at x (seconds or record number, not NaN); a missing value
 * or likelihood is NaN. */
void cli_plot_add(cli_plot *p, double x, double value, double likelihood);

/* Records added, and those at or above the threshold. */
uint64_t cli_plot_records(const cli_plot *p);
uint64_t cli_plot_anomalies(const cli_plot *p);

/* Writes the SVG document to f; false on a write error (errno set) or
 * when out of memory. */
bool cli_plot_write(const cli_plot *p, FILE *f);

/* Writes the SVG document to path atomically (a temporary file renamed
 * over it; a device such as /dev/null is written in place); false after
 * printing "nupic <cmd>: PATH: reason". */
bool cli_plot_save(const cli_plot *p, const char *cmd, const char *path);

#endif /* NUPIC_CLI_PLOT_H */
