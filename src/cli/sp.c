/*
 * src/cli/sp.c - `nupic sp`: runs a spatial pooler over an SDR file.
 *
 *   nupic sp (--params PARAMS.json | --load STATE) --input SDRS.txt
 *            --output ACTIVE.txt [--no-learn] [--save STATE] [--unpacked]
 *
 * The pooler is built from NuPIC-named parameters or loaded from a saved
 * state (packed or not, detected); each input line is one step, and its
 * active columns are one output line.  --save writes the state after the
 * last step (packed unless --unpacked), replacing the file atomically.
 * Nothing is written unless every step succeeds.
 */
#define _GNU_SOURCE /* getopt_long */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/params.h>
#include <nupic/sp.h>

#include "cli.h"
#include "sdr_io.h"

#define CMD "sp"

static void usage(FILE *out) {
    fputs("usage: nupic sp (--params PARAMS.json | --load STATE) --input "
          "SDRS.txt\n"
          "                --output ACTIVE.txt [--no-learn] [--save STATE] "
          "[--unpacked]\n"
          "\n"
          "Runs a spatial pooler, one step per line of SDRS.txt, and writes "
          "each step's\n"
          "active columns to ACTIVE.txt.  SDR lines hold ascending indices "
          "separated by\n"
          "one space; '-' is standard input or output.\n"
          "\n"
          "  -p, --params FILE  a new pooler from NuPIC's parameter names "
          "(JSON object)\n"
          "  -l, --load FILE    continue from a saved SpatialPoolerProto "
          "(packed or not)\n"
          "  -i, --input FILE   the input SDRs\n"
          "  -o, --output FILE  the active columns\n"
          "  -n, --no-learn     compute without learning\n"
          "  -s, --save FILE    save the state after the last step "
          "(atomically)\n"
          "  -u, --unpacked     save without packing (default: packed, as "
          "NuPIC's\n"
          "                     writeToFile)\n"
          "  -h, --help         this help\n"
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

int cli_sp(int argc, char **argv) {
    static const struct option longopts[] = {
        {"params", required_argument, NULL, 'p'},
        {"load", required_argument, NULL, 'l'},
        {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"no-learn", no_argument, NULL, 'n'},
        {"save", required_argument, NULL, 's'},
        {"unpacked", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *params = NULL, *load = NULL, *input = NULL, *output = NULL;
    const char *save = NULL;
    bool learn = true, unpacked = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:l:i:o:ns:uh", longopts, NULL)) !=
           -1) {
        switch (c) {
        case 'p': params = optarg; break;
        case 'l': load = optarg; break;
        case 'i': input = optarg; break;
        case 'o': output = optarg; break;
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
    nupic_sp *sp = NULL;
    if (params != NULL) {
        nupic_sp_params p;
        if (nupic_sp_params_load(params, &p, &err) != NUPIC_OK ||
            nupic_sp_new(&p, &sp, &err) != NUPIC_OK) {
            cli_error(CMD, "%s: %s", params, err.message);
            return CLI_FAILURE;
        }
    } else if (nupic_sp_load(load, NULL, &sp, &err) != NUPIC_OK) {
        cli_error(CMD, "%s: %s", load, err.message);
        return CLI_FAILURE;
    }

    int rc = CLI_FAILURE;
    cli_sdr_reader in;
    cli_out out;
    bool in_open = false, out_open = false;
    uint32_t *active =
        malloc((size_t)nupic_sp_num_columns(sp) * sizeof *active);
    if (active == NULL) {
        cli_error(CMD, "out of memory");
        goto done;
    }
    in_open = cli_sdr_open(&in, CMD, input);
    if (!in_open) goto done;
    out_open = cli_out_open(&out, CMD, output);
    if (!out_open) goto done;
    const uint32_t *idx;
    size_t n;
    int got;
    while ((got = cli_sdr_next(&in, CMD, nupic_sp_num_inputs(sp), &idx, &n)) >
           0) {
        size_t na = 0;
        if (nupic_sp_compute(sp, idx, n, learn, active, &na, &err) !=
            NUPIC_OK) {
            cli_error(CMD, "%s:%llu: %s", in.path,
                      (unsigned long long)in.line_no, err.message);
            goto done;
        }
        cli_out_sdr(&out, active, na);
    }
    if (got < 0) goto done;
    out_open = false;
    if (!cli_out_commit(&out, CMD)) goto done;
    if (save != NULL) {
        nupic_save_options so = {unpacked};
        if (nupic_sp_save(sp, save, &so, &err) != NUPIC_OK) {
            cli_error(CMD, "%s: %s", save, err.message);
            goto done;
        }
    }
    rc = CLI_OK;
done:
    if (out_open) cli_out_abort(&out);
    if (in_open) cli_sdr_close(&in);
    free(active);
    nupic_sp_free(sp);
    return rc;
}
