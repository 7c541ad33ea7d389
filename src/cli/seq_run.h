/*
 * src/cli/seq_run.h - what `nupic tm` and `nupic btm` share: running a
 * sequence memory over a file of active columns, one step per line, with
 * the same options, file formats and all-or-nothing output.
 *
 *   nupic CMD (--params PARAMS.json | --load STATE) --input COLUMNS.txt
 *             --output CELLS.txt [--SECOND FILE] [--anomaly SCORES.txt]
 *             [--no-learn] [--save STATE] [--unpacked]
 *
 * Each input line is one step's active columns; CELLS.txt gets the step's
 * output cells, FILE the second per-step set (the TM's predictive cells,
 * the backtracking TM's predicted columns), SCORES.txt the raw anomaly
 * score (%.17g).  --save writes the state after the last step (packed
 * unless --unpacked), atomically.  Nothing is written unless every step
 * succeeds.
 */
#ifndef NUPIC_CLI_SEQ_RUN_H
#define NUPIC_CLI_SEQ_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/persist.h>
#include <nupic/status.h>

/* A sequence memory, seen through its object (void *). */
typedef struct cli_seq {
    const char *cmd;        /* "tm" */
    const char *second_opt; /* the long name of -P, e.g. "predictive" */
    void (*usage)(FILE *out);
    nupic_status (*from_params)(const char *path, void **obj, nupic_error *err);
    nupic_status (*load)(const char *path, void **obj, nupic_error *err);
    uint32_t (*num_columns)(const void *obj);
    nupic_status (*compute)(void *obj, const uint32_t *columns, size_t n,
                            bool learn, nupic_error *err);
    const uint32_t *(*output)(const void *obj, size_t *n);
    const uint32_t *(*second)(const void *obj, size_t *n);
    float (*anomaly)(const void *obj);
    nupic_status (*save)(const void *obj, const char *path,
                         const nupic_save_options *options, nupic_error *err);
    void (*free)(void *obj);
} cli_seq;

/* The subcommand's main: the process's exit status (CLI_OK, CLI_FAILURE,
 * CLI_USAGE). */
int cli_seq_main(const cli_seq *s, int argc, char **argv);

#endif /* NUPIC_CLI_SEQ_RUN_H */
