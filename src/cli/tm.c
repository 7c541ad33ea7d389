/*
 * src/cli/tm.c - `nupic tm`: runs a temporal memory over a file of active
 * columns.
 *
 *   nupic tm (--params PARAMS.json | --load STATE) --input COLUMNS.txt
 *            --output CELLS.txt [--predictive PRED.txt] [--anomaly SCORES.txt]
 *            [--no-learn] [--save STATE] [--unpacked]
 *
 * Each input line is one step's active columns; the active cells of the
 * step go to CELLS.txt, its predictive cells to PRED.txt, its raw anomaly
 * score (%.17g) to SCORES.txt.  --save writes the state after the last
 * step (packed unless --unpacked), atomically.  Nothing is written unless
 * every step succeeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/params.h>
#include <nupic/tm.h>

#include "cli.h"
#include "seq_run.h"

#define CMD "tm"

static void usage(FILE *out) {
    fputs("usage: nupic tm (--params PARAMS.json | --load STATE) --input "
          "COLUMNS.txt\n"
          "                --output CELLS.txt [--predictive PRED.txt] "
          "[--anomaly SCORES.txt]\n"
          "                [--no-learn] [--save STATE] [--unpacked]\n"
          "\n"
          "Runs a temporal memory, one step per line of COLUMNS.txt (active "
          "columns,\n"
          "ascending, separated by one space), and writes each step's active "
          "cells.\n"
          "'-' is standard input or output.\n"
          "\n"
          "  -p, --params FILE      a new temporal memory from NuPIC's "
          "parameter names\n"
          "  -l, --load FILE        continue from a saved TemporalMemoryProto\n"
          "  -i, --input FILE       the active columns\n"
          "  -o, --output FILE      the active cells\n"
          "  -P, --predictive FILE  the predictive cells after each step\n"
          "  -a, --anomaly FILE     the raw anomaly score of each step "
          "(%.17g)\n"
          "  -n, --no-learn         compute without learning\n"
          "  -s, --save FILE        save the state after the last step "
          "(atomically)\n"
          "  -u, --unpacked         save without packing (default: packed)\n"
          "  -h, --help             this help\n"
          "\n"
          "Exit status: 0 done; 1 bad input or I/O error (nothing written); "
          "2 usage error.\n",
          out);
}

/* nupic_tm through the driver's interface. */
static nupic_status from_params(const char *path, void **obj,
                                nupic_error *err) {
    nupic_tm_params p;
    nupic_status st = nupic_tm_params_load(path, &p, err);
    return st == NUPIC_OK ? nupic_tm_new(&p, (nupic_tm **)obj, err) : st;
}
static nupic_status load(const char *path, void **obj, nupic_error *err) {
    return nupic_tm_load(path, NULL, (nupic_tm **)obj, err);
}
static uint32_t num_columns(const void *o) {
    return nupic_tm_num_columns(o);
}
static nupic_status compute(void *o, const uint32_t *c, size_t n, bool learn,
                            nupic_error *err) {
    return nupic_tm_compute(o, c, n, learn, err);
}
static const uint32_t *active(const void *o, size_t *n) {
    return nupic_tm_active_cells(o, n);
}
static const uint32_t *predictive(const void *o, size_t *n) {
    return nupic_tm_predictive_cells(o, n);
}
static float anomaly(const void *o) {
    return nupic_tm_anomaly(o);
}
static nupic_status save(const void *o, const char *path,
                         const nupic_save_options *so, nupic_error *err) {
    return nupic_tm_save(o, path, so, err);
}
static void free_tm(void *o) {
    nupic_tm_free(o);
}

int cli_tm(int argc, char **argv) {
    static const cli_seq tm = {
        .cmd = CMD,
        .second_opt = "predictive",
        .usage = usage,
        .from_params = from_params,
        .load = load,
        .num_columns = num_columns,
        .compute = compute,
        .output = active,
        .second = predictive,
        .anomaly = anomaly,
        .save = save,
        .free = free_tm,
    };
    return cli_seq_main(&tm, argc, argv);
}
