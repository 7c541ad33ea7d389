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
#define _GNU_SOURCE /* getopt_long */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/params.h>
#include <nupic/btm.h>

#include "cli.h"
#include "sdr_io.h"

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

static int usage_error(const char *msg, const char *arg) {
    fprintf(stderr, "nupic " CMD ": %s%s%s\n", msg, arg ? " " : "",
            arg ? arg : "");
    usage(stderr);
    return CLI_USAGE;
}

int cli_btm(int argc, char **argv) {
    static const struct option longopts[] = {
        {"params", required_argument, NULL, 'p'},
        {"load", required_argument, NULL, 'l'},
        {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"predicted-columns", required_argument, NULL, 'P'},
        {"anomaly", required_argument, NULL, 'a'},
        {"no-learn", no_argument, NULL, 'n'},
        {"save", required_argument, NULL, 's'},
        {"unpacked", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *params = NULL, *load = NULL, *input = NULL, *output = NULL;
    const char *pred_path = NULL, *anomaly_path = NULL, *save = NULL;
    bool learn = true, unpacked = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:l:i:o:P:a:ns:uh", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'p': params = optarg; break;
        case 'l': load = optarg; break;
        case 'i': input = optarg; break;
        case 'o': output = optarg; break;
        case 'P': pred_path = optarg; break;
        case 'a': anomaly_path = optarg; break;
        case 'n': learn = false; break;
        case 's': save = optarg; break;
        case 'u': unpacked = true; break;
        case 'h':
            usage(stdout);
            return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
        case ':': return usage_error("option needs a value:", argv[optind - 1]);
        default: return usage_error("unknown option:", argv[optind - 1]);
        }
    }
    if (optind < argc) return usage_error("unexpected argument:", argv[optind]);
    if ((params == NULL) == (load == NULL))
        return usage_error("give exactly one of --params and --load", NULL);
    if (input == NULL) return usage_error("missing --input", NULL);
    if (output == NULL) return usage_error("missing --output", NULL);
    if (unpacked && save == NULL)
        return usage_error("--unpacked applies to --save, which is missing",
                           NULL);

    nupic_error err = {NUPIC_OK, ""};
    nupic_btm *tm = NULL;
    if (params != NULL) {
        nupic_btm_params p;
        if (nupic_btm_params_load(params, &p, &err) != NUPIC_OK ||
            nupic_btm_new(&p, &tm, &err) != NUPIC_OK) {
            cli_error(CMD, "%s: %s", params, err.message);
            return CLI_FAILURE;
        }
    } else if (nupic_btm_load(load, NULL, &tm, &err) != NUPIC_OK) {
        cli_error(CMD, "%s: %s", load, err.message);
        return CLI_FAILURE;
    }

    int rc = CLI_FAILURE;
    cli_sdr_reader in;
    cli_out out, pred, anom;
    bool in_open = false, out_open = false, pred_open = false,
         anom_open = false;
    in_open = cli_sdr_open(&in, CMD, input);
    if (!in_open) goto done;
    out_open = cli_out_open(&out, CMD, output);
    if (!out_open) goto done;
    if (pred_path) {
        pred_open = cli_out_open(&pred, CMD, pred_path);
        if (!pred_open) goto done;
    }
    if (anomaly_path) {
        anom_open = cli_out_open(&anom, CMD, anomaly_path);
        if (!anom_open) goto done;
    }
    const uint32_t *idx;
    size_t n;
    int got;
    while ((got = cli_sdr_next(&in, CMD, nupic_btm_num_columns(tm), &idx, &n)) >
           0) {
        if (nupic_btm_compute(tm, idx, n, true, learn, &err) != NUPIC_OK) {
            cli_error(CMD, "%s:%llu: %s", in.path,
                      (unsigned long long)in.line_no, err.message);
            goto done;
        }
        size_t k;
        const uint32_t *cells = nupic_btm_output(tm, &k);
        cli_out_sdr(&out, cells, k);
        if (pred_open) {
            cells = nupic_btm_predicted_columns(tm, &k);
            cli_out_sdr(&pred, cells, k);
        }
        if (anom_open) fprintf(anom.f, "%.17g\n", (double)nupic_btm_anomaly(tm));
    }
    if (got < 0) goto done;
    /* All outputs complete: commit them (an error leaves the rest as they
     * were). */
    out_open = false;
    if (!cli_out_commit(&out, CMD)) goto done;
    if (pred_open) {
        pred_open = false;
        if (!cli_out_commit(&pred, CMD)) goto done;
    }
    if (anom_open) {
        anom_open = false;
        if (!cli_out_commit(&anom, CMD)) goto done;
    }
    if (save != NULL) {
        nupic_save_options so = {unpacked};
        if (nupic_btm_save(tm, save, &so, &err) != NUPIC_OK) {
            cli_error(CMD, "%s: %s", save, err.message);
            goto done;
        }
    }
    rc = CLI_OK;
done:
    if (out_open) cli_out_abort(&out);
    if (pred_open) cli_out_abort(&pred);
    if (anom_open) cli_out_abort(&anom);
    if (in_open) cli_sdr_close(&in);
    nupic_btm_free(tm);
    return rc;
}
