/*
 * tests/cli/test_sp_cli.c - `nupic sp` against nupic.core's traces.
 *
 *  - From sp-hotgym's params.json, the 2000 steps give nupic.core's active
 *    columns line for line; saved after step 1000 (packed and unpacked) and
 *    continued with --load, the second half matches too; nupic.core's own
 *    step-1000 file continues the same way; --no-learn keeps the state.
 *  - Bad parameters, bad SDR lines, missing and corrupted states exit 1
 *    with a message naming file and line, write no output file and leave an
 *    existing one (and an existing state) untouched; usage errors exit 2.
 *
 * Environment (set by CTest): NUPIC_CLI, NUPIC_TEST_DATA.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void write_text(const char *path, const char *text) {
    ts_write_file(path, text, strlen(text));
}

/* Writes lines [from, to) of an SDR text to path. */
static void write_lines(const ts_buf *text, uint32_t from, uint32_t to,
                        const char *path) {
    const char *p = (const char *)text->data, *end = p + text->len;
    const char *start = NULL, *stop = end;
    uint32_t line = 0;
    for (const char *q = p; q <= end; q++) {
        if (line == from && start == NULL) start = q;
        if (q == end) break;
        if (*q == '\n' && ++line == to) {
            stop = q + 1;
            break;
        }
    }
    assert_non_null(start);
    ts_write_file(path, start, (size_t)(stop - start));
}

static void assert_file_is(const char *path, const ts_buf *want) {
    ts_buf got = ts_read_file(path);
    ts_assert_bytes_equal(got.data, got.len, want->data, want->len);
    ts_buf_free(&got);
}

/* The lines [from, to) of a text. */
static ts_buf lines_of(const ts_buf *text, uint32_t from, uint32_t to) {
    write_lines(text, from, to, "lines.tmp");
    ts_buf b = ts_read_file("lines.tmp");
    remove("lines.tmp");
    return b;
}

static void hotgym(void **state) {
    (void)state;
    ts_buf in = ts_read_data("reference/inputs/seq_1024x51_2000.txt.xz");
    ts_buf trace = ts_read_data("reference/sp-hotgym/sp_seq_active.txt.xz");
    ts_write_file("in.txt", in.data, in.len);
    write_lines(&in, 0, 1000, "in1.txt");
    write_lines(&in, 1000, 2000, "in2.txt");
    char params[4096];
    snprintf(params, sizeof params, "%s",
             ts_data_path("reference/sp-hotgym/params.json"));
    char args[8192];

    /* All 2000 steps. */
    snprintf(args, sizeof args,
             "sp --params '%s' --input in.txt --output all.txt", params);
    assert_int_equal(cli_nupic(args), 0);
    assert_file_is("all.txt", &trace);

    ts_buf first = lines_of(&trace, 0, 1000),
           second = lines_of(&trace, 1000, 2000);
    for (int unpacked = 0; unpacked < 2; unpacked++) {
        snprintf(args, sizeof args,
                 "sp -p '%s' -i in1.txt -o a1.txt --save s.capnp%s", params,
                 unpacked ? " --unpacked" : "");
        assert_int_equal(cli_nupic(args), 0);
        assert_file_is("a1.txt", &first);
        /* Packed by default (NuPIC's writeToFile): the file is smaller
         * than the ~20 MB unpacked state. */
        ts_buf saved = ts_read_file("s.capnp");
        if (unpacked)
            assert_true(saved.len > 19000000);
        else
            assert_true(saved.len < 16000000);
        ts_buf_free(&saved);
        assert_int_equal(
            cli_nupic("sp --load s.capnp --input in2.txt --output a2.txt"), 0);
        assert_file_is("a2.txt", &second);
    }
    /* nupic.core's own state after step 1000. */
    ts_buf core = ts_read_data("reference/sp-hotgym/sp_seq_step1000.capnp.xz");
    ts_write_file("core.capnp", core.data, core.len);
    assert_int_equal(cli_nupic("sp -l core.capnp -i in2.txt -o c2.txt"), 0);
    assert_file_is("c2.txt", &second);
    /* Without learning the state does not change: the same output twice,
     * and a saved state identical to the one loaded. */
    assert_int_equal(
        cli_nupic("sp -l core.capnp -i in2.txt -o n1.txt --no-learn "
                  "--save n.capnp --unpacked"),
        0);
    assert_int_equal(cli_nupic("sp -l n.capnp -i in2.txt -o n2.txt --no-learn"),
                     0);
    ts_buf n1 = ts_read_file("n1.txt");
    assert_file_is("n2.txt", &n1);
    /* Standard input and output. */
    assert_int_equal(cli_run("'%s' sp -l core.capnp -i - -o - < in2.txt > "
                             "out.txt 2> err.txt",
                             cli_env("NUPIC_CLI")),
                     0);
    assert_file_is("out.txt", &second);
    /* Outputs and states that are devices are written in place, never
     * replaced (/dev/null stays a device). */
    assert_int_equal(cli_nupic("sp -l core.capnp -i in2.txt -o /dev/null -s "
                               "/dev/null"),
                     0);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));

    ts_buf_free(&n1);
    ts_buf_free(&core);
    ts_buf_free(&first);
    ts_buf_free(&second);
    ts_buf_free(&in);
    ts_buf_free(&trace);
}

/* A failing run exits 1, names the problem, and leaves the output and the
 * state files as they were. */
static void assert_fails_keeping(const char *args, const char *needle) {
    write_text("out_keep.txt", "old output\n");
    write_text("state_keep.capnp", "old state");
    cli_assert_fails(args, 1);
    ts_buf err = cli_slurp("err.txt");
    if (needle && strstr((const char *)err.data, needle) == NULL)
        fail_msg("nupic %s: stderr lacks \"%s\": %s", args, needle,
                 (const char *)err.data);
    ts_buf_free(&err);
    ts_buf o = ts_read_file("out_keep.txt");
    assert_int_equal(o.len, 11);
    assert_memory_equal(o.data, "old output\n", 11);
    ts_buf_free(&o);
    ts_buf s = ts_read_file("state_keep.capnp");
    assert_int_equal(s.len, 9);
    assert_memory_equal(s.data, "old state", 9);
    ts_buf_free(&s);
}

static void errors(void **state) {
    (void)state;
    write_text("p.json",
               "{\"inputDimensions\": [16], \"columnDimensions\": [32], "
               "\"potentialRadius\": 16, \"numActiveColumnsPerInhArea\": 4}");
    write_text("good.txt", "1 2 3\n4 5 6\n");
    assert_int_equal(cli_nupic("sp -p p.json -i good.txt -o ok.txt"), 0);
    const char *tail = " -o out_keep.txt -s state_keep.capnp";
    char args[1024];
#define FAILS(input_args, needle)                                              \
    do {                                                                       \
        snprintf(args, sizeof args, "sp %s%s", input_args, tail);              \
        assert_fails_keeping(args, needle);                                    \
    } while (0)

    /* Parameters. */
    write_text("typo.json", "{\"synPermConected\": 0.1}");
    FAILS("-p typo.json -i good.txt", "unknown SpatialPooler parameter "
                                      "'synPermConected'");
    write_text("type.json", "{\"potentialPct\": \"half\"}");
    FAILS("-p type.json -i good.txt", "potentialPct: expected a number");
    write_text("syntax.json", "{\"seed\": 1,\n}");
    FAILS("-p syntax.json -i good.txt", "syntax.json:2:");
    write_text("range.json",
               "{\"inputDimensions\": [16], \"columnDimensions\": [32], "
               "\"potentialPct\": 1.5}");
    FAILS("-p range.json -i good.txt", "potentialPct");
    FAILS("-p missing.json -i good.txt", "missing.json");
    /* Input lines: the file and line are named. */
    write_text("b1.txt", "1 2 3\n4 16\n");
    FAILS("-p p.json -i b1.txt", "b1.txt:2: index 16 is out of range");
    write_text("b2.txt", "1 2 3\n5 4\n");
    FAILS("-p p.json -i b2.txt", "b2.txt:2: indices must ascend");
    write_text("b3.txt", "1  2\n");
    FAILS("-p p.json -i b3.txt", "b3.txt:1: expected one space");
    write_text("b4.txt", "1,2\n");
    FAILS("-p p.json -i b4.txt", "b4.txt:1:");
    write_text("b5.txt", "7 -1\n");
    FAILS("-p p.json -i b5.txt", "b5.txt:1:");
    write_text("b6.txt", "99999999999999999999\n");
    FAILS("-p p.json -i b6.txt", "out of range");
    FAILS("-p p.json -i no-such-input.txt", "no-such-input.txt");
    /* States. */
    write_text("junk.capnp", "this is not a message at all");
    FAILS("-l junk.capnp -i good.txt", "junk.capnp");
    FAILS("-l no-such-state.capnp -i good.txt", "no-such-state.capnp");
    assert_int_equal(
        cli_nupic("sp -p p.json -i good.txt -o ok.txt -s st.capnp --unpacked"),
        0);
    ts_buf st = ts_read_file("st.capnp");
    ts_write_file("cut.capnp", st.data, st.len / 2);
    FAILS("-l cut.capnp -i good.txt", "cut.capnp");
    ts_buf_free(&st);
#undef FAILS
    /* A directory as the output. */
    cli_assert_fails("sp -p p.json -i good.txt -o .", 1);

    /* Usage errors. */
    cli_assert_fails("sp", 2);
    cli_assert_fails("sp -i good.txt -o x.txt", 2);
    cli_assert_fails("sp -p p.json -l st.capnp -i good.txt -o x.txt", 2);
    cli_assert_fails("sp -p p.json -o x.txt", 2);
    cli_assert_fails("sp -p p.json -i good.txt", 2);
    cli_assert_fails("sp -p p.json -i good.txt -o x.txt --unpacked", 2);
    cli_assert_fails("sp -p p.json -i good.txt -o x.txt --bogus", 2);
    cli_assert_fails("sp -p p.json -i good.txt -o x.txt extra", 2);
    cli_assert_fails("sp -p", 2);
    assert_int_equal(cli_nupic("sp --help"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hotgym),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
