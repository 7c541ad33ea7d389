/*
 * src/cli/btm.c - `nupic btm`: runs a backtracking temporal memory
 * (nupic.core's Cells4 as NuPIC's BacktrackingTMCPP) over a file of active
 * columns.
 *
 *   nupic btm (--params PARAMS.json | --load STATE) --input COLUMNS.txt
 *             --output CELLS.txt [--predicted-columns COLS.txt]
 *             [--anomaly SCORES.txt] [--no-learn] [--save STATE] [--unpacked]
 *
 * The file formats are `nupic tm`'s.  Each input line is one step's active
 * columns; the output cells of the step (outputType; "normal": predicted or
 * active) go to CELLS.txt, its predicted columns to COLS.txt, its raw
 * anomaly score (%.17g) to SCORES.txt.  Inference is always on.  --save
 * writes the Cells4Proto state after the last step (packed unless
 * --unpacked), atomically.  Nothing is written unless every step succeeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/params.h>
#include <nupic/btm.h>

#include "cli.h"
#include "seq_run.h"

#define CMD "btm"

static void usage(FILE *out) {
    fputs("usage: nupic btm (--params PARAMS.json | --load STATE) --input "
          "COLUMNS.txt\n"
          "                 --output CELLS.txt [--predicted-columns COLS.txt]\n"
          "                 [--anomaly SCORES.txt] [--no-learn] [--save STATE] "
          "[--unpacked]\n"
          "\n"
          "Runs a backtracking temporal memory (NuPIC's BacktrackingTMCPP), "
          "one step per\n"
          "line of COLUMNS.txt (active columns, ascending, separated by one "
          "space), and\n"
          "writes each step's output cells.  '-' is standard input or output.\n"
          "\n"
          "  -p, --params FILE             a new TM from NuPIC's parameter "
          "names\n"
          "  -l, --load FILE               continue from a saved Cells4Proto\n"
          "  -i, --input FILE              the active columns\n"
          "  -o, --output FILE             the output cells (outputType)\n"
          "  -P, --predicted-columns FILE  the predicted columns after each "
          "step\n"
          "  -a, --anomaly FILE            the raw anomaly score of each step "
          "(%.17g)\n"
          "  -n, --no-learn                compute without learning\n"
          "  -s, --save FILE               save the state after the last step "
          "(atomically)\n"
          "  -u, --unpacked                save without packing (default: "
          "packed)\n"
          "  -h, --help                    this help\n"
          "\n"
          "Exit status: 0 done; 1 bad input or I/O error (nothing written); "
          "2 usage error.\n",
          out);
}

/* nupic_btm through the driver's interface: inference always on. */
static nupic_status from_params(const char *path, void **obj,
                                nupic_error *err) {
    nupic_btm_params p;
    nupic_status st = nupic_btm_params_load(path, &p, err);
    return st == NUPIC_OK ? nupic_btm_new(&p, (nupic_btm **)obj, err) : st;
}
static nupic_status load(const char *path, void **obj, nupic_error *err) {
    return nupic_btm_load(path, NULL, (nupic_btm **)obj, err);
}
static uint32_t num_columns(const void *o) {
    return nupic_btm_num_columns(o);
}
static nupic_status compute(void *o, const uint32_t *c, size_t n, bool learn,
                            nupic_error *err) {
    return nupic_btm_compute(o, c, n, true, learn, err);
}
static const uint32_t *output(const void *o, size_t *n) {
    return nupic_btm_output(o, n);
}
static const uint32_t *predicted_columns(const void *o, size_t *n) {
    return nupic_btm_predicted_columns(o, n);
}
static float anomaly(const void *o) {
    return nupic_btm_anomaly(o);
}
static nupic_status save(const void *o, const char *path,
                         const nupic_save_options *so, nupic_error *err) {
    return nupic_btm_save(o, path, so, err);
}
static void free_btm(void *o) {
    nupic_btm_free(o);
}

int cli_btm(int argc, char **argv) {
    static const cli_seq btm = {
        .cmd = CMD,
        .second_opt = "predicted-columns",
        .usage = usage,
        .from_params = from_params,
        .load = load,
        .num_columns = num_columns,
        .compute = compute,
        .output = output,
        .second = predicted_columns,
        .anomaly = anomaly,
        .save = save,
        .free = free_btm,
    };
    return cli_seq_main(&btm, argc, argv);
}
