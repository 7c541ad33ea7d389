/*
 * src/cli/run.c - `nupic run`: the main job.  An OPF model (NuPIC's params,
 * the anomaly preset, or a checkpoint) over a record file, one result row
 * per record.
 *
 *   nupic run (--params PARAMS.json | --preset anomaly --min X --max Y
 *              [--tm tm_cpp|cpp] | --load DIR) --input DATA.csv
 *             --output RESULTS.csv [--field NAME] [--timestamp-field NAME]
 *             [--save DIR] [--checkpoint-every N] [--plot FILE.svg]
 *             [--threshold P] [--top N] [--skip-bad-rows] [--resume]
 *
 * Fields: the model's fields are read from the columns of the same name;
 * the preset's (and a checkpoint of it) "c0" from the timestamp column and
 * "c1" from the value column.  The value column is --field, else the
 * model's predicted field, else the first numeric column; the timestamp
 * column --timestamp-field, else the first datetime column (NuPIC's type
 * line or flag T, or a first value that parses as one).
 *
 * Output rows (one per record, "%.17g" for numbers, an empty field for a
 * missing value): timestamp, value, anomaly_score, anomaly_likelihood,
 * log_likelihood, then prediction_K and probability_K for each step K the
 * model predicts.  Rows go straight to RESULTS.csv and are flushed before
 * any stop (a malformed row, an error, SIGINT or SIGTERM) and before each
 * checkpoint, so what was written stays written; a checkpoint never holds
 * records whose rows are not on disk.  So a run that stopped resumes with
 * --load DIR --resume over the same input and output: the records the
 * checkpoint has seen are skipped, the output is cut back to their rows
 * and the new rows are appended.
 */
#define _GNU_SOURCE /* getopt_long */

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nupic/model.h>

#include "cli.h"
#include "csv_in.h"
#include "plot.h"
#include "progress.h"

#define CMD       "run"
#define NO_COLUMN ((size_t)-1)

static void usage(FILE *out) {
    fputs(
        "usage: nupic run (--params PARAMS.json | --preset anomaly --min X "
        "--max Y\n"
        "                  [--tm tm_cpp|cpp] | --load DIR) --input DATA.csv\n"
        "                 --output RESULTS.csv [--field NAME] "
        "[--timestamp-field NAME]\n"
        "                 [--save DIR] [--checkpoint-every N] [--plot "
        "FILE.svg]\n"
        "                 [--threshold P] [--top N] [--skip-bad-rows] "
        "[--resume]\n"
        "\n"
        "Runs an HTM model (NuPIC's OPF HTMPredictionModel) over a record "
        "file, plain\n"
        "CSV or NuPIC's 3-line header, and writes one row per record: "
        "timestamp, value,\n"
        "anomaly_score, anomaly_likelihood, log_likelihood and the "
        "predictions.\n"
        "'-' is standard input or output.\n"
        "\n"
        "  -p, --params FILE          a new model from NuPIC's params (JSON)\n"
        "      --preset anomaly       NuPIC's "
        "getScalarMetricWithTimeOfDayAnomalyParams\n"
        "      --min X, --max Y       the preset's value range\n"
        "      --tm IMPL              the preset's temporal memory: cpp (the "
        "backtracking\n"
        "                             TM, NuPIC's default) or tm_cpp\n"
        "  -l, --load DIR             continue from a checkpoint (with new "
        "records)\n"
        "  -r, --resume               with --load: skip the records the "
        "checkpoint has seen\n"
        "                             and append to the output, cut back to "
        "their rows\n"
        "  -i, --input FILE           the records\n"
        "  -o, --output FILE          the results\n"
        "  -f, --field NAME           the value column (default: the "
        "predicted field,\n"
        "                             else the first numeric column)\n"
        "  -t, --timestamp-field NAME the timestamp column (default: the "
        "first datetime one)\n"
        "  -s, --save DIR             save the model at the end "
        "(DIR/model.data, atomically)\n"
        "  -c, --checkpoint-every N   also save it every N records\n"
        "  -P, --plot FILE            draw value and likelihood over time "
        "(SVG)\n"
        "      --threshold P          anomaly: likelihood >= P (default "
        "0.99)\n"
        "      --top N                anomalies listed in the summary "
        "(default 5)\n"
        "  -k, --skip-bad-rows        skip malformed rows with a warning "
        "(default: stop)\n"
        "  -h, --help                 this help\n"
        "\n"
        "A summary goes to standard output (standard error when the results "
        "do), and a\n"
        "progress bar to standard error when it is a terminal.\n"
        "Exit status: 0 done; 1 bad input or I/O error (the rows written so "
        "far stay);\n"
        "2 usage error.\n",
        out);
}

static int usage_error(const char *msg, const char *arg) {
    fprintf(stderr, "nupic " CMD ": %s%s%s\n", msg, arg ? " " : "",
            arg ? arg : "");
    usage(stderr);
    return CLI_USAGE;
}

static bool parse_double_arg(const char *s, double *v) {
    return cli_parse_number(s, v);
}

static bool parse_count_arg(const char *s, uint64_t *v) {
    if (*s < '0' || *s > '9') return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end != 0 || errno != 0) return false;
    *v = x;
    return true;
}

/* ---- stopping on a signal ------------------------------------------------ */

static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig) {
    stop_signal = sig;
}

static void catch_signals(struct sigaction *old_int,
                          struct sigaction *old_term) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, old_int);
    sigaction(SIGTERM, &sa, old_term);
}

/* ---- the job ------------------------------------------------------------- */

typedef struct job {
    /* arguments */
    const char *params, *preset, *load, *input, *output;
    const char *field, *ts_field, *save, *plot_path, *tm;
    double min_val, max_val, threshold;
    bool has_min, has_max, skip_bad, resume;
    uint64_t every, top_n;
    /* state */
    nupic_model *model;
    FILE *in, *out;
    const char *in_name;
    cli_csv *csv;
    uint32_t nf; /* model fields */
    size_t *col; /* the column of each model field */
    nupic_value *values;
    size_t value_col, ts_col;
    bool header_done;
    uint32_t n_steps;
    uint32_t steps[NUPIC_MODEL_MAX_STEPS];
    uint64_t skipped, anomalies, records;
    bool scored;        /* the model gave anomaly scores */
    uint64_t resume_at; /* --resume: records the checkpoint has seen */
    cli_plot *plot;
    cli_top top;
} job;

/* The next well-formed record: CLI_CSV_OK, CLI_CSV_END, or CLI_CSV_BAD /
 * CLI_CSV_FAIL after printing why. */
static int next_record(job *j) {
    for (;;) {
        int got = cli_csv_next(j->csv);
        if (got != CLI_CSV_BAD || !j->skip_bad) {
            if (got < 0) cli_error(CMD, "%s", cli_csv_message(j->csv));
            return got;
        }
        cli_error(CMD, "warning: %s (row skipped)", cli_csv_message(j->csv));
        j->skipped++;
    }
}

static bool is_datetime_column(cli_csv *r, size_t i, bool first_record) {
    cli_csv_type t = cli_csv_field_type(r, i);
    if (t == CLI_CSV_DATETIME || strchr(cli_csv_field_flags(r, i), 'T'))
        return true;
    if (t != CLI_CSV_UNTYPED || !first_record) return false;
    nupic_datetime v;
    return cli_parse_datetime(cli_csv_get(r, i, NULL), &v);
}

static bool is_number_column(cli_csv *r, size_t i, bool first_record) {
    cli_csv_type t = cli_csv_field_type(r, i);
    if (t == CLI_CSV_FLOAT || t == CLI_CSV_INT) return true;
    if (t != CLI_CSV_UNTYPED || !first_record) return false;
    double v;
    return cli_parse_number(cli_csv_get(r, i, NULL), &v);
}

/* A column named by an option. */
static bool find_column(job *j, const char *name, const char *option,
                        size_t *i) {
    if (cli_csv_find(j->csv, name, i)) return true;
    cli_error(CMD, "%s: no column '%s' (%s); the columns are:", j->in_name,
              name, option);
    for (size_t k = 0; k < cli_csv_num_fields(j->csv); k++)
        fprintf(stderr, "  %s\n", cli_csv_field_name(j->csv, k));
    return false;
}

/* Decides which column feeds each model field and which are the output's
 * value and timestamp, from the header and the first record (first:
 * whether there is one). */
static bool map_columns(job *j, bool first) {
    cli_csv *r = j->csv;
    size_t n = cli_csv_num_fields(r);
    j->value_col = j->ts_col = NO_COLUMN;
    if (j->ts_field != NULL) {
        if (!find_column(j, j->ts_field, "--timestamp-field", &j->ts_col))
            return false;
    } else {
        for (size_t i = 0; i < n && j->ts_col == NO_COLUMN; i++)
            if (is_datetime_column(r, i, first)) j->ts_col = i;
    }
    if (j->field != NULL) {
        if (!find_column(j, j->field, "--field", &j->value_col)) return false;
    }
    /* The preset's fields: c0 the timestamp, c1 the value. */
    bool preset = j->nf == 2 &&
                  strcmp(nupic_model_field_name(j->model, 0), "c0") == 0 &&
                  strcmp(nupic_model_field_name(j->model, 1), "c1") == 0 &&
                  !cli_csv_find(r, "c0", &(size_t){0}) &&
                  !cli_csv_find(r, "c1", &(size_t){0});
    if (preset && j->value_col == NO_COLUMN)
        for (size_t i = 0; i < n && j->value_col == NO_COLUMN; i++)
            if (i != j->ts_col && is_number_column(r, i, first))
                j->value_col = i;
    for (uint32_t f = 0; f < j->nf; f++) {
        const char *name = nupic_model_field_name(j->model, f);
        if (preset) {
            j->col[f] = f == 0 ? j->ts_col : j->value_col;
            if (j->col[f] == NO_COLUMN) {
                cli_error(CMD,
                          "%s: no %s column for the model's field %s (give "
                          "%s)",
                          j->in_name, f == 0 ? "timestamp" : "numeric", name,
                          f == 0 ? "--timestamp-field" : "--field");
                return false;
            }
        } else if (!cli_csv_find(r, name, &j->col[f])) {
            cli_error(CMD, "%s: no column '%s', a field of the model",
                      j->in_name, name);
            return false;
        }
    }
    uint32_t pf;
    if (j->value_col == NO_COLUMN && nupic_model_predicted_field(j->model, &pf))
        j->value_col = j->col[pf];
    for (uint32_t f = 0; f < j->nf && j->value_col == NO_COLUMN; f++)
        if (nupic_model_field_kind(j->model, f) == NUPIC_VALUE_NUMBER)
            j->value_col = j->col[f];
    if (j->ts_field == NULL)
        for (uint32_t f = 0; f < j->nf; f++)
            if (nupic_model_field_kind(j->model, f) == NUPIC_VALUE_DATETIME) {
                j->ts_col = j->col[f];
                break;
            }
    return true;
}

/* A field of the output's header, quoted when it needs to be. */
static void put_csv_text(FILE *f, const char *s) {
    if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' &&
        (s[0] == 0 || s[strlen(s) - 1] != ' ')) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void write_header(job *j, const nupic_model_result *res) {
    j->n_steps = res ? res->n_steps : 0;
    if (res) memcpy(j->steps, res->steps, sizeof j->steps);
    put_csv_text(j->out, j->ts_col != NO_COLUMN
                             ? cli_csv_field_name(j->csv, j->ts_col)
                             : "timestamp");
    fputc(',', j->out);
    put_csv_text(j->out, j->value_col != NO_COLUMN
                             ? cli_csv_field_name(j->csv, j->value_col)
                             : "value");
    fputs(",anomaly_score,anomaly_likelihood,log_likelihood", j->out);
    for (uint32_t k = 0; k < j->n_steps; k++)
        fprintf(j->out, ",prediction_%u,probability_%u", j->steps[k],
                j->steps[k]);
    fputc('\n', j->out);
    j->header_done = true;
}

static void put_number(FILE *f, double v) {
    if (!isnan(v)) fprintf(f, "%.17g", v);
}

/* The model's values from the current record: CLI_CSV_OK, or CLI_CSV_BAD
 * (the record is skipped: a warning printed, --skip-bad-rows) or
 * CLI_CSV_FAIL (stop: the error printed). */
static int read_values(job *j) {
    cli_csv *r = j->csv;
    for (uint32_t f = 0; f < j->nf; f++) {
        nupic_value *v = &j->values[f];
        size_t c = j->col[f];
        int got = CLI_CSV_OK;
        switch (nupic_model_field_kind(j->model, f)) {
        case NUPIC_VALUE_NUMBER:
            v->kind = NUPIC_VALUE_NUMBER;
            got = cli_csv_number(r, c, &v->u.number);
            break;
        case NUPIC_VALUE_DATETIME:
            v->kind = NUPIC_VALUE_DATETIME;
            got = cli_csv_datetime(r, c, &v->u.datetime);
            break;
        default: {
            size_t len;
            v->kind = NUPIC_VALUE_CATEGORY;
            v->u.category = cli_csv_get(r, c, &len);
            if (len == 0) got = CLI_CSV_END;
        }
        }
        if (got == CLI_CSV_END) v->kind = NUPIC_VALUE_MISSING;
        if (got == CLI_CSV_BAD) {
            if (!j->skip_bad) {
                cli_error(CMD, "%s", cli_csv_message(r));
                return CLI_CSV_FAIL;
            }
            cli_error(CMD, "warning: %s (row skipped)", cli_csv_message(r));
            j->skipped++;
            return CLI_CSV_BAD;
        }
    }
    return CLI_CSV_OK;
}

/* Runs the current record; false after printing why. */
static bool run_record(job *j) {
    cli_csv *r = j->csv;
    int got = read_values(j);
    if (got != CLI_CSV_OK) return got == CLI_CSV_BAD;
    /* The output's timestamp and value. */
    nupic_datetime ts;
    bool has_ts = j->ts_col != NO_COLUMN &&
                  cli_csv_datetime(r, j->ts_col, &ts) == CLI_CSV_OK;
    double value = NAN;
    if (j->value_col != NO_COLUMN &&
        cli_csv_number(r, j->value_col, &value) != CLI_CSV_OK)
        value = NAN;

    nupic_model_result res;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_model_run(j->model, j->values, &res, &err) != NUPIC_OK) {
        cli_error(CMD, "%s:%llu: %s", j->in_name,
                  (unsigned long long)cli_csv_line(r), err.message);
        return false;
    }
    if (!j->header_done) write_header(j, &res);
    FILE *o = j->out;
    if (has_ts) {
        char text[40];
        cli_format_datetime(&ts, text, sizeof text);
        fputs(text, o);
    }
    fputc(',', o);
    put_number(o, value);
    fputc(',', o);
    if (res.has_anomaly) {
        fprintf(o, "%.17g,%.17g,%.17g", res.raw_anomaly, res.likelihood,
                res.log_likelihood);
    } else {
        fputs(",,", o);
    }
    for (uint32_t k = 0; k < j->n_steps; k++) {
        uint32_t at = 0;
        while (at < res.n_steps && res.steps[at] != j->steps[k])
            at++;
        fputc(',', o);
        if (at < res.n_steps) put_number(o, res.best_value[at]);
        fputc(',', o);
        if (at < res.n_steps && !isnan(res.best_value[at]))
            put_number(o, res.best_probability[at]);
    }
    fputc('\n', o);
    if (ferror(o)) {
        cli_error(CMD, "%s: %s", j->output, strerror(errno));
        return false;
    }

    double likelihood = res.has_anomaly ? res.likelihood : NAN;
    if (res.has_anomaly) j->scored = true;
    j->records++;
    if (!isnan(likelihood) && likelihood >= j->threshold) j->anomalies++;
    cli_top_entry e = {
        likelihood, value, {0, 0, 0, 0, 0, 0, 0}, has_ts, cli_csv_line(r)};
    if (has_ts) e.time = ts;
    cli_top_add(&j->top, &e);
    if (j->plot != NULL) {
        if (j->ts_col != NO_COLUMN) {
            if (has_ts)
                cli_plot_add(j->plot, cli_datetime_seconds(&ts), value,
                             likelihood);
        } else {
            cli_plot_add(j->plot, (double)res.record, value, likelihood);
        }
    }
    return true;
}

/* Makes the rows written so far durable: flushed, and synced when the
 * output is a file. */
static bool sync_output(job *j) {
    if (fflush(j->out) != 0) {
        cli_error(CMD, "%s: %s", j->output, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(j->out), &st) == 0 && S_ISREG(st.st_mode) &&
        fsync(fileno(j->out)) != 0) {
        cli_error(CMD, "%s: %s", j->output, strerror(errno));
        return false;
    }
    return true;
}

static bool save_model(job *j) {
    nupic_error err = {NUPIC_OK, ""};
    if (!sync_output(j)) return false;
    if (nupic_model_save(j->model, j->save, &err) != NUPIC_OK) {
        cli_error(CMD, "%s: %s", j->save, err.message);
        return false;
    }
    return true;
}

static bool make_model(job *j) {
    nupic_error err = {NUPIC_OK, ""};
    if (j->params != NULL) {
        if (nupic_model_new_from_file(j->params, &j->model, &err) == NUPIC_OK)
            return true;
        cli_error(CMD, "%s: %s", j->params, err.message);
        return false;
    }
    if (j->load != NULL) {
        if (nupic_model_load(j->load, &j->model, &err) == NUPIC_OK) return true;
        cli_error(CMD, "%s: %s", j->load, err.message);
        return false;
    }
    nupic_anomaly_preset p = {j->min_val, j->max_val, 0, j->tm};
    if (nupic_model_new_anomaly_preset(&p, &j->model, &err) == NUPIC_OK)
        return true;
    cli_error(CMD, "--preset anomaly: %s", err.message);
    return false;
}

/* --resume: keeps the output's header and its first resume_at rows, and
 * takes the prediction steps from the header. */
static bool cut_output(job *j) {
    uint64_t rows = 0;
    bool in_header = true;
    char name[32];
    size_t name_len = 0;
    int ch;
    while (rows < j->resume_at + 1 && (ch = getc(j->out)) != EOF) {
        if (in_header && (ch == ',' || ch == '\n')) {
            name[name_len] = 0;
            unsigned k;
            char rest;
            if (sscanf(name, "prediction_%u%c", &k, &rest) == 1 &&
                j->n_steps < NUPIC_MODEL_MAX_STEPS)
                j->steps[j->n_steps++] = k;
            name_len = 0;
        } else if (in_header && name_len + 1 < sizeof name) {
            name[name_len++] = (char)ch;
        }
        if (ch == '\n') {
            rows++;
            in_header = false;
        }
    }
    if (ferror(j->out)) {
        cli_error(CMD, "%s: %s", j->output, strerror(errno));
        return false;
    }
    if (rows < j->resume_at + 1) {
        cli_error(CMD,
                  "%s: holds %llu rows, but the checkpoint %s has seen %llu "
                  "records",
                  j->output, (unsigned long long)(rows ? rows - 1 : 0), j->load,
                  (unsigned long long)j->resume_at);
        return false;
    }
    long at = ftell(j->out);
    if (at < 0 || fflush(j->out) != 0 ||
        ftruncate(fileno(j->out), (off_t)at) != 0 ||
        fseek(j->out, at, SEEK_SET) != 0) {
        cli_error(CMD, "%s: %s", j->output, strerror(errno));
        return false;
    }
    j->header_done = true;
    return true;
}

static bool open_files(job *j) {
    if (strcmp(j->input, "-") == 0) {
        j->in = stdin;
        j->in_name = "(standard input)";
    } else {
        j->in = fopen(j->input, "rb");
        j->in_name = j->input;
        if (j->in == NULL) {
            cli_error(CMD, "%s: %s", j->input, strerror(errno));
            return false;
        }
    }
    char msg[512];
    j->csv = cli_csv_open(j->in, j->in_name, msg, sizeof msg);
    if (j->csv == NULL) {
        cli_error(CMD, "%s", msg);
        return false;
    }
    if (strcmp(j->output, "-") == 0) {
        j->out = stdout;
        return true;
    }
    struct stat st;
    if (stat(j->output, &st) == 0 && S_ISDIR(st.st_mode)) {
        cli_error(CMD, "%s: is a directory", j->output);
        return false;
    }
    j->out = fopen(j->output, j->resume ? "r+b" : "wb");
    if (j->out == NULL) {
        cli_error(CMD, "%s: %s", j->output, strerror(errno));
        return false;
    }
    return true;
}

static int run_job(job *j) {
    if (!make_model(j)) return CLI_FAILURE;
    if (j->resume) j->resume_at = nupic_model_records(j->model);
    j->nf = nupic_model_num_fields(j->model);
    j->col = calloc(j->nf ? j->nf : 1, sizeof *j->col);
    j->values = calloc(j->nf ? j->nf : 1, sizeof *j->values);
    if (j->col == NULL || j->values == NULL) {
        cli_error(CMD, "out of memory");
        return CLI_FAILURE;
    }
    if (!open_files(j)) return CLI_FAILURE;

    cli_top_init(&j->top,
                 (uint32_t)(j->top_n > CLI_TOP_MAX ? CLI_TOP_MAX : j->top_n));
    uint64_t total = 0;
    struct stat st;
    if (j->in != stdin && fstat(fileno(j->in), &st) == 0 && S_ISREG(st.st_mode))
        total = (uint64_t)st.st_size;

    int got = next_record(j);
    bool ok = got >= 0;
    if (ok) ok = map_columns(j, got == CLI_CSV_OK);
    /* --resume: the records the checkpoint has seen. */
    uint64_t seen = 0;
    while (ok && got == CLI_CSV_OK && seen < j->resume_at) {
        int v = read_values(j);
        ok = v != CLI_CSV_FAIL;
        if (v == CLI_CSV_OK) seen++;
        if (ok) {
            got = next_record(j);
            ok = got >= 0;
        }
    }
    if (ok && seen < j->resume_at) {
        cli_error(CMD,
                  "%s: has %llu records, but the checkpoint %s has seen "
                  "%llu",
                  j->in_name, (unsigned long long)seen, j->load,
                  (unsigned long long)j->resume_at);
        ok = false;
    }
    if (ok && j->resume) ok = cut_output(j);
    if (ok && j->plot_path != NULL) {
        cli_plot_options po = cli_plot_defaults();
        po.threshold = j->threshold;
        const char *base = strrchr(j->in_name, '/');
        po.title = base != NULL ? base + 1 : j->in_name;
        po.value_name = j->value_col != NO_COLUMN
                            ? cli_csv_field_name(j->csv, j->value_col)
                            : "value";
        po.x_is_time = j->ts_col != NO_COLUMN;
        j->plot = cli_plot_new(&po);
        if (j->plot == NULL) {
            cli_error(CMD, "out of memory");
            ok = false;
        }
    }

    struct sigaction old_int, old_term;
    catch_signals(&old_int, &old_term);
    cli_progress bar;
    cli_progress_start(&bar, total);
    double start = cli_now();
    while (ok && got == CLI_CSV_OK) {
        ok = run_record(j);
        if (!ok) break;
        cli_progress_update(&bar, j->records, cli_csv_bytes(j->csv));
        if (j->every > 0 && j->save != NULL && j->records % j->every == 0 &&
            j->records > 0 && !(ok = save_model(j)))
            break;
        if (stop_signal) {
            cli_progress_end(&bar);
            cli_error(CMD,
                      "stopped by signal %d after %llu records (line %llu "
                      "of %s)",
                      (int)stop_signal, (unsigned long long)j->records,
                      (unsigned long long)cli_csv_line(j->csv), j->in_name);
            ok = false;
            break;
        }
        got = next_record(j);
        ok = got >= 0;
    }
    double seconds = cli_now() - start;
    cli_progress_end(&bar);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    /* The rows written so far stay, whatever happened. */
    if (j->out != NULL && !j->header_done && j->csv != NULL)
        write_header(j, NULL);
    if (!sync_output(j)) ok = false;
    if (!ok) return CLI_FAILURE;
    if (j->save != NULL && !save_model(j)) return CLI_FAILURE;
    if (j->plot != NULL && !cli_plot_save(j->plot, CMD, j->plot_path))
        return CLI_FAILURE;

    FILE *summary = j->out == stdout ? stderr : stdout;
    cli_summary s = {j->records,   j->skipped,   seconds,
                     j->threshold, j->anomalies, j->scored ? &j->top : NULL,
                     j->scored};
    cli_summary_print(summary, &s);
    if (j->save != NULL) fprintf(summary, "model saved in %s\n", j->save);
    if (j->plot != NULL) fprintf(summary, "plot written to %s\n", j->plot_path);
    if (fflush(summary) != 0) return CLI_FAILURE;
    return CLI_OK;
}

static void free_job(job *j) {
    cli_plot_free(j->plot);
    cli_csv_free(j->csv);
    if (j->in != NULL && j->in != stdin) fclose(j->in);
    if (j->out != NULL && j->out != stdout) fclose(j->out);
    free(j->col);
    free(j->values);
    nupic_model_free(j->model);
}

int cli_run(int argc, char **argv) {
    enum { OPT_PRESET = 256, OPT_MIN, OPT_MAX, OPT_TM, OPT_THRESHOLD, OPT_TOP };
    static const struct option longopts[] = {
        {"params", required_argument, NULL, 'p'},
        {"preset", required_argument, NULL, OPT_PRESET},
        {"min", required_argument, NULL, OPT_MIN},
        {"max", required_argument, NULL, OPT_MAX},
        {"tm", required_argument, NULL, OPT_TM},
        {"load", required_argument, NULL, 'l'},
        {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"field", required_argument, NULL, 'f'},
        {"timestamp-field", required_argument, NULL, 't'},
        {"save", required_argument, NULL, 's'},
        {"checkpoint-every", required_argument, NULL, 'c'},
        {"plot", required_argument, NULL, 'P'},
        {"threshold", required_argument, NULL, OPT_THRESHOLD},
        {"top", required_argument, NULL, OPT_TOP},
        {"skip-bad-rows", no_argument, NULL, 'k'},
        {"resume", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    job j;
    memset(&j, 0, sizeof j);
    j.threshold = 0.99;
    j.top_n = 5;
    j.tm = "cpp"; /* NuPIC's default: the backtracking TM */
    bool has_tm = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:l:i:o:f:t:s:c:P:krh", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'p': j.params = optarg; break;
        case OPT_PRESET: j.preset = optarg; break;
        case OPT_MIN:
            if (!parse_double_arg(optarg, &j.min_val))
                return usage_error("--min needs a number, not", optarg);
            j.has_min = true;
            break;
        case OPT_MAX:
            if (!parse_double_arg(optarg, &j.max_val))
                return usage_error("--max needs a number, not", optarg);
            j.has_max = true;
            break;
        case OPT_TM:
            j.tm = optarg;
            has_tm = true;
            break;
        case 'l': j.load = optarg; break;
        case 'i': j.input = optarg; break;
        case 'o': j.output = optarg; break;
        case 'f': j.field = optarg; break;
        case 't': j.ts_field = optarg; break;
        case 's': j.save = optarg; break;
        case 'c':
            if (!parse_count_arg(optarg, &j.every) || j.every == 0)
                return usage_error("--checkpoint-every needs a count > 0, not",
                                   optarg);
            break;
        case 'P': j.plot_path = optarg; break;
        case OPT_THRESHOLD:
            if (!parse_double_arg(optarg, &j.threshold) || j.threshold < 0 ||
                j.threshold > 1)
                return usage_error("--threshold needs a number in [0, 1], not",
                                   optarg);
            break;
        case OPT_TOP:
            if (!parse_count_arg(optarg, &j.top_n))
                return usage_error("--top needs a count, not", optarg);
            break;
        case 'k': j.skip_bad = true; break;
        case 'r': j.resume = true; break;
        case 'h':
            usage(stdout);
            return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
        case ':': return usage_error("option needs a value:", argv[optind - 1]);
        default: return usage_error("unknown option:", argv[optind - 1]);
        }
    }
    if (optind < argc) return usage_error("unexpected argument:", argv[optind]);
    int sources = (j.params != NULL) + (j.preset != NULL) + (j.load != NULL);
    if (sources != 1)
        return usage_error("give exactly one of --params, --preset and --load",
                           NULL);
    if (j.preset != NULL) {
        if (strcmp(j.preset, "anomaly") != 0)
            return usage_error("unknown preset (known: anomaly):", j.preset);
        if (!j.has_min || !j.has_max)
            return usage_error("--preset anomaly needs --min and --max", NULL);
        if (j.min_val > j.max_val)
            return usage_error("--min is above --max", NULL);
        if (strcmp(j.tm, "tm_cpp") != 0 && strcmp(j.tm, "cpp") != 0)
            return usage_error("--tm is tm_cpp or cpp, not", j.tm);
    } else if (j.has_min || j.has_max || has_tm) {
        return usage_error("--min, --max and --tm go with --preset", NULL);
    }
    if (j.input == NULL) return usage_error("missing --input", NULL);
    if (j.output == NULL) return usage_error("missing --output", NULL);
    if (j.resume && j.load == NULL)
        return usage_error("--resume needs --load", NULL);
    if (j.resume && strcmp(j.output, "-") == 0)
        return usage_error("--resume appends to a file, not to standard "
                           "output",
                           NULL);
    if (j.every > 0 && j.save == NULL)
        return usage_error("--checkpoint-every needs --save", NULL);

    int rc = run_job(&j);
    free_job(&j);
    return rc;
}
