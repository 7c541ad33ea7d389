/*
 * src/cli/sdr_io.h - SDR text files and output files of the `nupic` tool.
 *
 * An SDR file holds one step per line: the active indices, ascending,
 * separated by one space (an empty line is an empty SDR); the last line
 * may lack its newline.  Output files are written to a temporary file and
 * renamed over the target when complete, so a failure never leaves a
 * partial file (or destroys an older one); "-" means standard input or
 * output, and a path that is not a regular file (/dev/null, a FIFO) is
 * written in place.
 */
#ifndef NUPIC_CLI_SDR_IO_H
#define NUPIC_CLI_SDR_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cli_sdr_reader {
    FILE *f;
    const char *path;
    char *line;
    size_t line_cap;
    uint64_t line_no;
    uint32_t *idx;
    size_t idx_cap;
} cli_sdr_reader;

/* Opens path ("-": standard input).  On failure prints a message (as
 * `nupic <cmd>: ...`) and returns false. */
bool cli_sdr_open(cli_sdr_reader *r, const char *cmd, const char *path);
/* The next line's indices (each < limit): 1 and *idx / *n set; 0 at the
 * end of the file; -1 after printing an error naming the file and line. */
int cli_sdr_next(cli_sdr_reader *r, const char *cmd, uint32_t limit,
                 const uint32_t **idx, size_t *n);
void cli_sdr_close(cli_sdr_reader *r);

typedef struct cli_out {
    FILE *f;
    const char *path; /* the target */
    char *tmp;        /* the temporary file, NULL for standard output */
    bool direct;      /* a device or pipe, written in place */
} cli_out;

/* Starts writing path ("-": standard output). */
bool cli_out_open(cli_out *o, const char *cmd, const char *path);
/* Writes one SDR line. */
void cli_out_sdr(cli_out *o, const uint32_t *idx, size_t n);
/* Completes the file (flush, fsync, rename); false after printing an error,
 * in which case the target is untouched. */
bool cli_out_commit(cli_out *o, const char *cmd);
/* Abandons the file: the target is untouched. */
void cli_out_abort(cli_out *o);

#endif /* NUPIC_CLI_SDR_IO_H */
