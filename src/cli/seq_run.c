/*
 * src/cli/seq_run.c - the driver of `nupic tm` and `nupic btm`
 * (seq_run.h).
 */
#define _GNU_SOURCE /* getopt_long */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sdr_io.h"
#include "seq_run.h"

static int usage_error(const cli_seq *s, const char *msg, const char *arg) {
    fprintf(stderr, "nupic %s: %s%s%s\n", s->cmd, msg, arg ? " " : "",
            arg ? arg : "");
    s->usage(stderr);
    return CLI_USAGE;
}

int cli_seq_main(const cli_seq *s, int argc, char **argv) {
    const struct option longopts[] = {
        {"params", required_argument, NULL, 'p'},
        {"load", required_argument, NULL, 'l'},
        {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {s->second_opt, required_argument, NULL, 'P'},
        {"anomaly", required_argument, NULL, 'a'},
        {"no-learn", no_argument, NULL, 'n'},
        {"save", required_argument, NULL, 's'},
        {"unpacked", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *cmd = s->cmd;
    const char *params = NULL, *load = NULL, *input = NULL, *output = NULL;
    const char *second_path = NULL, *anomaly_path = NULL, *save = NULL;
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
        case 'P': second_path = optarg; break;
        case 'a': anomaly_path = optarg; break;
        case 'n': learn = false; break;
        case 's': save = optarg; break;
        case 'u': unpacked = true; break;
        case 'h':
            s->usage(stdout);
            return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
        case ':':
            return usage_error(s, "option needs a value:", argv[optind - 1]);
        default: return usage_error(s, "unknown option:", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error(s, "unexpected argument:", argv[optind]);
    if ((params == NULL) == (load == NULL))
        return usage_error(s, "give exactly one of --params and --load", NULL);
    if (input == NULL) return usage_error(s, "missing --input", NULL);
    if (output == NULL) return usage_error(s, "missing --output", NULL);
    if (unpacked && save == NULL)
        return usage_error(s, "--unpacked applies to --save, which is missing",
                           NULL);

    nupic_error err = {NUPIC_OK, ""};
    void *obj = NULL;
    if (params != NULL ? s->from_params(params, &obj, &err) != NUPIC_OK
                       : s->load(load, &obj, &err) != NUPIC_OK) {
        cli_error(cmd, "%s: %s", params ? params : load, err.message);
        return CLI_FAILURE;
    }

    int rc = CLI_FAILURE;
    cli_sdr_reader in;
    cli_out out, second, anom;
    bool in_open = false, out_open = false, second_open = false,
         anom_open = false;
    in_open = cli_sdr_open(&in, cmd, input);
    if (!in_open) goto done;
    out_open = cli_out_open(&out, cmd, output);
    if (!out_open) goto done;
    if (second_path) {
        second_open = cli_out_open(&second, cmd, second_path);
        if (!second_open) goto done;
    }
    if (anomaly_path) {
        anom_open = cli_out_open(&anom, cmd, anomaly_path);
        if (!anom_open) goto done;
    }
    const uint32_t *idx;
    size_t n;
    int got;
    while ((got = cli_sdr_next(&in, cmd, s->num_columns(obj), &idx, &n)) > 0) {
        if (s->compute(obj, idx, n, learn, &err) != NUPIC_OK) {
            cli_error(cmd, "%s:%llu: %s", in.path,
                      (unsigned long long)in.line_no, err.message);
            goto done;
        }
        size_t k;
        const uint32_t *cells = s->output(obj, &k);
        cli_out_sdr(&out, cells, k);
        if (second_open) {
            cells = s->second(obj, &k);
            cli_out_sdr(&second, cells, k);
        }
        if (anom_open) fprintf(anom.f, "%.17g\n", (double)s->anomaly(obj));
    }
    if (got < 0) goto done;
    /* All outputs complete: commit them (an error leaves the rest as they
     * were). */
    out_open = false;
    if (!cli_out_commit(&out, cmd)) goto done;
    if (second_open) {
        second_open = false;
        if (!cli_out_commit(&second, cmd)) goto done;
    }
    if (anom_open) {
        anom_open = false;
        if (!cli_out_commit(&anom, cmd)) goto done;
    }
    if (save != NULL) {
        nupic_save_options so = {unpacked};
        if (s->save(obj, save, &so, &err) != NUPIC_OK) {
            cli_error(cmd, "%s: %s", save, err.message);
            goto done;
        }
    }
    rc = CLI_OK;
done:
    if (out_open) cli_out_abort(&out);
    if (second_open) cli_out_abort(&second);
    if (anom_open) cli_out_abort(&anom);
    if (in_open) cli_sdr_close(&in);
    s->free(obj);
    return rc;
}
