/*
 * tests/cli/test_plot.c - the SVG plot of `nupic run` (src/cli/plot.c).
 *
 *  - the document is well formed (tags balance) with both panels, axes,
 *    legend and one red marker per anomalous column;
 *  - 300,000 records stay a small file, and a lone spike and a lone
 *    anomaly survive the decimation;
 *  - time axes label dates, record axes numbers; missing values break the
 *    line;
 *  - saving replaces the file atomically, writes /dev/null in place and
 *    fails cleanly on a missing directory.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plot.h"

/* The document as a string. */
static char *render(const cli_plot *p, size_t *len) {
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_true(cli_plot_write(p, f));
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = 0;
    fclose(f);
    if (len) *len = (size_t)size;
    return buf;
}

static size_t count(const char *s, const char *what) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

/* Every element closes, in order (no attribute holds '<' or '>'). */
static void assert_well_formed(const char *s) {
    char stack[64][32];
    int depth = 0;
    assert_int_equal(strncmp(s, "<?xml ", 6), 0);
    const char *p = strchr(s, '\n');
    assert_non_null(p);
    while ((p = strchr(p, '<')) != NULL) {
        const char *end = strchr(p, '>');
        assert_non_null(end);
        bool closing = p[1] == '/', empty = end[-1] == '/';
        const char *name = p + (closing ? 2 : 1);
        size_t n = strcspn(name, " />");
        assert_true(n > 0 && n < 32);
        if (closing) {
            assert_true(depth > 0);
            depth--;
            if (strlen(stack[depth]) != n || strncmp(stack[depth], name, n))
                fail_msg("</%.*s> closes <%s>", (int)n, name, stack[depth]);
        } else if (!empty) {
            assert_true(depth < 64);
            memcpy(stack[depth], name, n);
            stack[depth++][n] = 0;
        }
        p = end + 1;
    }
    assert_int_equal(depth, 0);
    assert_non_null(strstr(s, "</svg>\n"));
}

static void small_series(void **state) {
    (void)state;
    cli_plot_options o = cli_plot_defaults();
    o.title = "test <&> plot";
    o.value_name = "consumption";
    cli_plot *p = cli_plot_new(&o);
    assert_non_null(p);
    for (int i = 0; i < 20; i++)
        cli_plot_add(p, i, sin(i / 3.0) * 10, i == 7 || i == 15 ? 0.995 : 0.5);
    assert_int_equal(cli_plot_records(p), 20);
    assert_int_equal(cli_plot_anomalies(p), 2);
    char *svg = render(p, NULL);
    assert_well_formed(svg);
    assert_non_null(strstr(svg, "test &lt;&amp;&gt; plot"));
    assert_non_null(strstr(svg, ">consumption</text>"));
    assert_non_null(strstr(svg, "anomaly (likelihood &#8805; 0.99)"));
    assert_non_null(strstr(svg, ">anomaly likelihood</text>"));
    assert_non_null(strstr(svg, ">record</text>"));
    assert_int_equal(count(svg, "r=\"3.5\"><title>"), 2);
    assert_non_null(strstr(svg, "<title>record 7: "));
    assert_non_null(strstr(svg, "(likelihood 0.995)"));
    /* one point per record on each panel: 20 - 1 line segments each */
    const char *value = strstr(svg, "<path class=\"value\" d=\"M");
    const char *lik = strstr(svg, "<path class=\"likelihood\" d=\"M");
    assert_non_null(value);
    assert_non_null(lik);
    assert_int_equal(count(lik, "L") - count(strstr(lik, "\"/>"), "L"), 19);
    /* record ticks: 0, 5, 10, 15 or similar, with no decimals */
    assert_non_null(strstr(svg, "text-anchor=\"middle\">10</text>"));
    free(svg);
    cli_plot_free(p);
}

/* 300,000 hourly records: a bounded file where a lone spike and a lone
 * anomaly remain. */
static void long_series(void **state) {
    (void)state;
    cli_plot_options o = cli_plot_defaults();
    o.x_is_time = true;
    cli_plot *p = cli_plot_new(&o);
    assert_non_null(p);
    double t0 = 1278028800; /* 2010-07-02 */
    for (int i = 0; i < 300000; i++) {
        double v = 20 + 10 * sin(i * 0.2617993877991494);
        if (i == 123457) v = 500;
        cli_plot_add(p, t0 + i * 3600.0, v, i == 222223 ? 0.99999 : 0.4);
    }
    assert_int_equal(cli_plot_anomalies(p), 1);
    size_t len;
    char *svg = render(p, &len);
    assert_well_formed(svg);
    if (len > 200000) fail_msg("the plot takes %zu bytes", len);
    assert_int_equal(count(svg, "r=\"3.5\"><title>"), 1);
    /* 222223 hours after 2010-07-02 00:00 is 2035-11-07 07:00 */
    assert_non_null(strstr(svg, "<title>2035-11-07 07:00:00: "));
    /* the spike sets the value axis: ticks up to 500 */
    assert_non_null(strstr(svg, ">500</text>"));
    /* 34 years: yearly ticks */
    assert_non_null(strstr(svg, ">2020</text>"));
    free(svg);
    cli_plot_free(p);
}

static void time_axes(void **state) {
    (void)state;
    cli_plot_options o = cli_plot_defaults();
    o.x_is_time = true;
    /* hotgym: six months of hours, monthly ticks */
    cli_plot *p = cli_plot_new(&o);
    for (int i = 0; i < 4391; i++)
        cli_plot_add(p, 1278028800 + i * 3600.0, i % 50, 0.5);
    char *svg = render(p, NULL);
    assert_non_null(strstr(svg, ">2010-08</text>"));
    assert_non_null(strstr(svg, ">2010-12</text>"));
    assert_non_null(strstr(svg, ">time</text>"));
    free(svg);
    cli_plot_free(p);
    /* two days: hours */
    p = cli_plot_new(&o);
    for (int i = 0; i < 48; i++)
        cli_plot_add(p, 1278028800 + i * 3600.0, i, 0.5);
    svg = render(p, NULL);
    assert_non_null(strstr(svg, ">07-02 12:00</text>"));
    assert_non_null(strstr(svg, ">07-03 00:00</text>"));
    free(svg);
    cli_plot_free(p);
    /* one record, and none: still a document */
    p = cli_plot_new(&o);
    cli_plot_add(p, 1278028800, 3, NAN);
    svg = render(p, NULL);
    assert_well_formed(svg);
    free(svg);
    cli_plot_free(p);
    p = cli_plot_new(&o);
    svg = render(p, NULL);
    assert_well_formed(svg);
    free(svg);
    cli_plot_free(p);
}

static void missing_values(void **state) {
    (void)state;
    cli_plot_options o = cli_plot_defaults();
    cli_plot *p = cli_plot_new(&o);
    for (int i = 0; i < 30; i++)
        cli_plot_add(p, i, i >= 10 && i < 12 ? NAN : (double)i, 0.5);
    char *svg = render(p, NULL);
    const char *value = strstr(svg, "<path class=\"value\" d=\"");
    assert_non_null(value);
    size_t n = strcspn(value + 23, "\"");
    size_t moves = 0;
    for (size_t i = 0; i < n; i++)
        moves += value[23 + i] == 'M';
    assert_int_equal(moves, 2);
    free(svg);
    cli_plot_free(p);
}

static bool leftover_temp(void) {
    DIR *d = opendir(".");
    assert_non_null(d);
    bool found = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp-")) found = true;
    closedir(d);
    return found;
}

static void saving(void **state) {
    (void)state;
    cli_plot_options o = cli_plot_defaults();
    cli_plot *p = cli_plot_new(&o);
    for (int i = 0; i < 100; i++)
        cli_plot_add(p, i, i, 0.5);
    ts_write_file("p.svg", "old", 3);
    assert_true(cli_plot_save(p, "run", "p.svg"));
    ts_buf b = ts_read_file("p.svg");
    assert_true(b.len > 1000);
    assert_int_equal(memcmp(b.data, "<?xml", 5), 0);
    ts_buf_free(&b);
    assert_false(leftover_temp());
    assert_true(cli_plot_save(p, "run", "/dev/null"));
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_false(cli_plot_save(p, "run", "no/such/dir/p.svg"));
    assert_false(leftover_temp());
    remove("p.svg");
    cli_plot_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_series), cmocka_unit_test(long_series),
        cmocka_unit_test(time_axes),    cmocka_unit_test(missing_values),
        cmocka_unit_test(saving),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
