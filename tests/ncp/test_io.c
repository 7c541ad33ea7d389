/*
 * tests/ncp/test_io.c - messages through memory, FILE*, descriptors (files
 * and pipes), memory maps, and atomic saves (including failing ones).
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A message whose content depends on `tag`, with `len` list elements. */
static ncp_builder *make(uint32_t tag, uint32_t len) {
    ncp_builder *b;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bstruct r = ncp_builder_init_root(b, 1, 2);
    ncp_bstruct_set_u32(&r, 0, tag);
    ncp_blist l =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 0), NCP_ELEM_4BYTES, len);
    for (uint32_t i = 0; i < len; i++)
        ncp_blist_set_u32(&l, i, i % 5 == 0 ? 0 : tag * 1000 + i);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 1), "io", 2);
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    return b;
}

/* Checks that m holds make(tag, len)'s content. */
static void check(ncp_msg *m, uint32_t tag, uint32_t len) {
    ncp_struct s = ncp_msg_root(m, NULL);
    assert_int_equal(ncp_struct_u32(&s, 0), tag);
    ncp_list l = ncp_ptr_list(ncp_struct_ptr(&s, 0), NCP_ELEM_4BYTES, NULL);
    assert_int_equal(ncp_list_len(&l), len);
    for (uint32_t i = 0; i < len; i++)
        assert_int_equal(ncp_list_u32(&l, i), i % 5 == 0 ? 0 : tag * 1000 + i);
    assert_string_equal(ncp_ptr_text(ncp_struct_ptr(&s, 1), NULL).str, "io");
    assert_int_equal(ncp_msg_status(m), NCP_OK);
}

static void buffer_trailing_bytes_and_modes(void **state) {
    (void)state;
    ncp_builder *b = make(7, 100);
    ts_buf u = ts_write_mem(b, 0);
    ts_buf p = ts_write_mem(b, NCP_WRITE_PACKED);
    /* Trailing garbage is ignored; consumed says where the message ends. */
    uint8_t *both = malloc(u.len + 5);
    assert_non_null(both);
    memcpy(both, u.data, u.len);
    memset(both + u.len, 0x77, 5);
    ncp_msg *m;
    assert_int_equal(ncp_msg_from_buffer(both, u.len + 5, NULL, &m, NULL),
                     NCP_OK);
    assert_int_equal(ncp_msg_consumed(m), u.len);
    check(m, 7, 100);
    ncp_msg_free(m);
    /* Explicit modes. */
    ncp_read_options o = {0};
    o.packing = NCP_PACKING_PACKED;
    assert_int_equal(ncp_msg_from_buffer(p.data, p.len, &o, &m, NULL), NCP_OK);
    check(m, 7, 100);
    ncp_msg_free(m);
    o.packing = NCP_PACKING_UNPACKED;
    assert_int_equal(ncp_msg_from_buffer(u.data, u.len, &o, &m, NULL), NCP_OK);
    check(m, 7, 100);
    ncp_msg_free(m);
    /* Packed bytes read as unpacked: a clean error. */
    ncp_error err = {NCP_OK, ""};
    assert_int_not_equal(ncp_msg_from_buffer(p.data, p.len, &o, &m, &err),
                         NCP_OK);
    assert_null(m);
    assert_true(strlen(err.message) > 0);
    free(both);
    ts_buf_free(&u);
    ts_buf_free(&p);
    ncp_builder_free(b);
}

/* Writes three messages (unpacked, packed, unpacked) to f. */
static long write_three(FILE *f, long ends[3]) {
    ncp_builder *b1 = make(1, 10), *b2 = make(2, 3000), *b3 = make(3, 1);
    assert_int_equal(ncp_builder_write_file(b1, f, 0, NULL), NCP_OK);
    ends[0] = ftell(f);
    assert_int_equal(ncp_builder_write_file(b2, f, NCP_WRITE_PACKED, NULL),
                     NCP_OK);
    ends[1] = ftell(f);
    assert_int_equal(ncp_builder_write_file(b3, f, 0, NULL), NCP_OK);
    ends[2] = ftell(f);
    ncp_builder_free(b1);
    ncp_builder_free(b2);
    ncp_builder_free(b3);
    return ends[2];
}

static void file_sequence(void **state) {
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    long ends[3];
    write_three(f, ends);
    rewind(f);
    const uint32_t tags[3] = {1, 2, 3}, lens[3] = {10, 3000, 1};
    for (int i = 0; i < 3; i++) {
        ncp_msg *m;
        ncp_error err = {NCP_OK, ""};
        assert_int_equal(ncp_msg_read_file(f, NULL, &m, &err), NCP_OK);
        check(m, tags[i], lens[i]);
        /* The stream is left right after the message. */
        assert_int_equal(ftell(f), ends[i]);
        ncp_msg_free(m);
    }
    ncp_msg *m;
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_msg_read_file(f, NULL, &m, &err), NCP_ERR_TRUNCATED);
    assert_string_equal(err.message, "end of input");
    assert_null(m);
    fclose(f);
}

static void fd_sequence_regular_file(void **state) {
    (void)state;
    FILE *f = fopen("seq.bin", "w+b");
    assert_non_null(f);
    long ends[3];
    write_three(f, ends);
    fclose(f);
    int fd = open("seq.bin", O_RDONLY);
    assert_true(fd >= 0);
    const uint32_t tags[3] = {1, 2, 3}, lens[3] = {10, 3000, 1};
    for (int i = 0; i < 3; i++) {
        ncp_msg *m;
        assert_int_equal(ncp_msg_read_fd(fd, NULL, &m, NULL), NCP_OK);
        check(m, tags[i], lens[i]);
        assert_int_equal(lseek(fd, 0, SEEK_CUR), ends[i]);
        ncp_msg_free(m);
    }
    close(fd);
}

/* Pipes cannot seek: packed input is read in exact steps. */
static void pipe_sequence(void **state) {
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    ncp_builder *b1 = make(1, 10), *b2 = make(2, 300), *b3 = make(3, 1);
    assert_int_equal(ncp_builder_write_fd(b1, fds[1], NCP_WRITE_PACKED, NULL),
                     NCP_OK);
    assert_int_equal(ncp_builder_write_fd(b2, fds[1], 0, NULL), NCP_OK);
    assert_int_equal(ncp_builder_write_fd(b3, fds[1], NCP_WRITE_PACKED, NULL),
                     NCP_OK);
    close(fds[1]);
    const uint32_t tags[3] = {1, 2, 3}, lens[3] = {10, 300, 1};
    for (int i = 0; i < 3; i++) {
        ncp_msg *m;
        assert_int_equal(ncp_msg_read_fd(fds[0], NULL, &m, NULL), NCP_OK);
        check(m, tags[i], lens[i]);
        ncp_msg_free(m);
    }
    ncp_msg *m;
    assert_int_equal(ncp_msg_read_fd(fds[0], NULL, &m, NULL),
                     NCP_ERR_TRUNCATED);
    close(fds[0]);

    /* The same through a FILE* over a pipe. */
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(ncp_builder_write_fd(b2, fds[1], NCP_WRITE_PACKED, NULL),
                     NCP_OK);
    assert_int_equal(ncp_builder_write_fd(b1, fds[1], NCP_WRITE_PACKED, NULL),
                     NCP_OK);
    close(fds[1]);
    FILE *f = fdopen(fds[0], "rb");
    assert_non_null(f);
    assert_int_equal(ncp_msg_read_file(f, NULL, &m, NULL), NCP_OK);
    check(m, 2, 300);
    ncp_msg_free(m);
    assert_int_equal(ncp_msg_read_file(f, NULL, &m, NULL), NCP_OK);
    check(m, 1, 10);
    ncp_msg_free(m);
    fclose(f);
    ncp_builder_free(b1);
    ncp_builder_free(b2);
    ncp_builder_free(b3);
}

static void memory_map(void **state) {
    (void)state;
    ncp_builder *b = make(9, 5000);
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_builder_save_path(b, "map_u.bin", 0, &err), NCP_OK);
    assert_int_equal(
        ncp_builder_save_path(b, "map_p.bin", NCP_WRITE_PACKED, &err), NCP_OK);
    ncp_msg *m;
    assert_int_equal(ncp_msg_map_path("map_u.bin", NULL, &m, &err), NCP_OK);
    check(m, 9, 5000);
    ncp_msg_free(m);
    assert_int_equal(ncp_msg_map_path("map_p.bin", NULL, &m, &err), NCP_OK);
    check(m, 9, 5000);
    ncp_msg_free(m);
    /* Missing, empty, and non-regular files. */
    assert_int_equal(ncp_msg_map_path("missing.bin", NULL, &m, &err),
                     NCP_ERR_IO);
    assert_non_null(strstr(err.message, "missing.bin"));
    ts_write_file("empty.bin", "", 0);
    ncp_error_clear(&err);
    assert_int_equal(ncp_msg_map_path("empty.bin", NULL, &m, &err),
                     NCP_ERR_TRUNCATED);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(ncp_msg_map_fd(fds[0], NULL, &m, NULL), NCP_ERR_ARG);
    close(fds[0]);
    close(fds[1]);
    ncp_builder_free(b);
}

static int count_entries(const char *prefix) {
    DIR *d = opendir(".");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) n++;
    closedir(d);
    return n;
}

static void atomic_save_replaces(void **state) {
    (void)state;
    ncp_builder *a = make(1, 10), *b = make(2, 20);
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_builder_save_path(a, "model.bin", 0, &err), NCP_OK);
    assert_int_equal(
        ncp_builder_save_path(b, "model.bin", NCP_WRITE_PACKED, &err), NCP_OK);
    ncp_msg *m;
    assert_int_equal(ncp_msg_map_path("model.bin", NULL, &m, &err), NCP_OK);
    check(m, 2, 20);
    ncp_msg_free(m);
    assert_int_equal(count_entries("model.bin"), 1); /* no temp files left */
    /* A directory that does not exist. */
    ncp_error_clear(&err);
    assert_int_equal(ncp_builder_save_path(a, "no/such/dir/model.bin", 0, &err),
                     NCP_ERR_IO);
    assert_non_null(strstr(err.message, "no/such/dir/model.bin"));
    ncp_builder_free(a);
    ncp_builder_free(b);
}

/* Saving to something that is not a regular file writes to it in place:
 * /dev/null stays the device it is, a FIFO receives the message, and a
 * directory is refused. */
static void save_to_special_files(void **state) {
    (void)state;
    ncp_builder *a = make(3, 30);
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_builder_save_path(a, "/dev/null", 0, &err), NCP_OK);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    /* A FIFO: a child reads it while we save. */
    assert_int_equal(mkfifo("fifo", 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *in = fopen("fifo", "rb"), *out = fopen("from_fifo.bin", "wb");
        if (!in || !out) _exit(1);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, n, out);
        _exit(fclose(out) == 0 ? 0 : 1);
    }
    assert_int_equal(ncp_builder_save_path(a, "fifo", 0, &err), NCP_OK);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(stat("fifo", &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    ncp_msg *m;
    assert_int_equal(ncp_msg_map_path("from_fifo.bin", NULL, &m, &err), NCP_OK);
    check(m, 3, 30);
    ncp_msg_free(m);
    remove("fifo");
    remove("from_fifo.bin");
    assert_int_equal(mkdir("a_dir", 0700), 0);
    ncp_error_clear(&err);
    assert_int_equal(ncp_builder_save_path(a, "a_dir", 0, &err), NCP_ERR_IO);
    assert_non_null(strstr(err.message, "directory"));
    rmdir("a_dir");
    ncp_builder_free(a);
}

/* A write that fails half way (the file size limit stands in for a full
 * disk) leaves the previous file intact and no temporary file behind. */
static void atomic_save_failure_keeps_previous(void **state) {
    (void)state;
    ncp_builder *small = make(1, 10), *big = make(2, 100000);
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_builder_save_path(small, "keep.bin", 0, &err), NCP_OK);
    ts_buf before = ts_read_file("keep.bin");

    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    struct rlimit lim = old;
    lim.rlim_cur = 4096;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    ncp_status st = ncp_builder_save_path(big, "keep.bin", 0, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);

    assert_int_equal(st, NCP_ERR_IO);
    assert_non_null(strstr(err.message, "keep.bin"));
    assert_non_null(strstr(err.message, "unchanged"));
    ts_buf after = ts_read_file("keep.bin");
    ts_assert_bytes_equal(before.data, before.len, after.data, after.len);
    assert_int_equal(count_entries("keep.bin"), 1);
    ts_buf_free(&before);
    ts_buf_free(&after);
    ncp_builder_free(small);
    ncp_builder_free(big);
}

static void full_device(void **state) {
    (void)state;
    ncp_builder *b = make(1, 100000);
    FILE *f = fopen("/dev/full", "wb");
    if (f == NULL) skip();
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_builder_write_file(b, f, 0, &err), NCP_ERR_IO);
    assert_true(strlen(err.message) > 0);
    fclose(f);
    int fd = open("/dev/full", O_WRONLY);
    assert_true(fd >= 0);
    ncp_error_clear(&err);
    assert_int_equal(ncp_builder_write_fd(b, fd, NCP_WRITE_PACKED, &err),
                     NCP_ERR_IO);
    assert_non_null(strstr(err.message, "write"));
    close(fd);
    ncp_builder_free(b);
}

static void write_mem_too_small(void **state) {
    (void)state;
    ncp_builder *b = make(4, 50);
    uint8_t buf[64];
    size_t n = 0;
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_builder_write_mem(b, 0, buf, sizeof buf, &n, &err),
                     NCP_ERR_TOO_LARGE);
    assert_int_equal(n, ncp_builder_write_bound(b, 0));
    n = 0;
    ncp_error_clear(&err);
    assert_int_equal(
        ncp_builder_write_mem(b, NCP_WRITE_PACKED, buf, 10, &n, &err),
        NCP_ERR_TOO_LARGE);
    assert_int_equal(n, ncp_builder_write_bound(b, NCP_WRITE_PACKED));
    /* The unpacked bound is exact. */
    ts_buf u = ts_write_mem(b, 0);
    assert_int_equal(u.len, ncp_builder_write_bound(b, 0));
    ts_buf_free(&u);
    ncp_builder_free(b);
}

/* A message of at least NCP__STREAM_MIN_BYTES (8 MiB) goes to memory
 * through the streaming copy: the bytes must be those written to a file,
 * at any alignment of the buffer, and a buffer one byte short must fail
 * without writing past its end. */
static void large_message_to_memory(void **state) {
    (void)state;
    const uint32_t len = (9u << 20) / 4 + 11; /* 9 MiB and then some */
    ncp_builder *b = make(9, len);
    size_t want = (size_t)ncp_builder_write_bound(b, 0);
    assert_true(want >= ((size_t)8 << 20));
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(ncp_builder_write_file(b, f, 0, NULL), NCP_OK);
    assert_int_equal(ftell(f), (long)want);
    uint8_t *ref = malloc(want), *buf = malloc(want + 64);
    assert_non_null(ref);
    assert_non_null(buf);
    rewind(f);
    assert_int_equal(fread(ref, 1, want, f), want);
    fclose(f);
    for (size_t off = 0; off < 64; off += 13) {
        memset(buf, 0x5a, want + 64);
        size_t n = 0;
        ncp_error err = {NCP_OK, ""};
        assert_int_equal(ncp_builder_write_mem(b, 0, buf + off, want, &n, &err),
                         NCP_OK);
        assert_int_equal(n, want);
        ts_assert_bytes_equal(buf + off, n, ref, want);
        for (size_t i = 0; i < off; i++)
            assert_int_equal(buf[i], 0x5a);
        for (size_t i = off + want; i < want + 64; i++)
            assert_int_equal(buf[i], 0x5a);
    }
    ncp_msg *m;
    assert_int_equal(ncp_msg_from_buffer(buf + 52, want, NULL, &m, NULL),
                     NCP_OK);
    check(m, 9, len);
    ncp_msg_free(m);
    memset(buf, 0x5a, want + 64);
    size_t n = 0;
    assert_int_equal(ncp_builder_write_mem(b, 0, buf, want - 1, &n, NULL),
                     NCP_ERR_TOO_LARGE);
    assert_int_equal(n, want);
    assert_int_equal(buf[want - 1], 0x5a);
    free(ref);
    free(buf);
    ncp_builder_free(b);
}

/* Returns memory at each multiple of 8 in turn (modulo 64), the
 * allocation's address kept just before it. */
static void *shifting_alloc(void *ud, void *p, size_t old, size_t n) {
    unsigned *turn = ud;
    uint8_t *q = NULL;
    if (n > 0) {
        uint8_t *raw = malloc(n + 128);
        if (raw == NULL) return NULL;
        q = raw + 64 - (uintptr_t)raw % 64 + 8 * (*turn % 8);
        *turn += 1;
        ((void **)q)[-1] = raw;
        if (p) memcpy(q, p, old < n ? old : n);
    }
    if (p) free(((void **)p)[-1]);
    return q;
}

/* The first segment starts 8 bytes past a multiple of 64, as a message of
 * one segment lies in a file, wherever the allocator put its memory: the
 * kernel copies it to the page cache fastest then (docs/performance.md). */
static void first_segment_placed_for_file_copies(void **state) {
    (void)state;
    for (unsigned start = 0; start < 8; start++) {
        unsigned turn = start;
        ncp_builder_options o = {0};
        o.alloc.fn = shifting_alloc;
        o.alloc.ud = &turn;
        ncp_builder *b;
        assert_int_equal(ncp_builder_new(&o, &b), NCP_OK);
        ncp_bstruct r = ncp_builder_init_root(b, 1, 0);
        ncp_bstruct_set_u32(&r, 0, start);
        assert_int_equal(ncp_builder_status(b), NCP_OK);
        const uint8_t *data;
        uint32_t words;
        assert_true(ncp_builder_segment(b, 0, &data, &words));
        assert_int_equal((uintptr_t)data % 64, 8);
        ncp_builder_free(b);
    }
}

/* Records the largest allocation request. */
static void *recording_alloc(void *ud, void *p, size_t old, size_t n) {
    size_t *largest = ud;
    (void)old;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (n > *largest) *largest = n;
    return realloc(p, n);
}

static void truncated_file_fails_before_allocating(void **state) {
    (void)state;
    ncp_builder *b = make(5, 200000); /* about 800 KB */
    ts_buf u = ts_write_mem(b, 0);
    ts_write_file("cut.bin", u.data, u.len - 8);
    size_t largest = 0;
    ncp_read_options o = {0};
    o.alloc.fn = recording_alloc;
    o.alloc.ud = &largest;
    FILE *f = fopen("cut.bin", "rb");
    assert_non_null(f);
    ncp_msg *m;
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_msg_read_file(f, &o, &m, &err), NCP_ERR_TRUNCATED);
    assert_non_null(strstr(err.message, "file has"));
    assert_true(largest < 4096);
    fclose(f);
    /* The limit on message size is checked from the table too. */
    o.max_message_words = 1000;
    largest = 0;
    ncp_error_clear(&err);
    assert_int_equal(ncp_msg_from_buffer(u.data, u.len, &o, &m, &err),
                     NCP_ERR_TOO_LARGE);
    assert_non_null(strstr(err.message, "limit"));
    assert_true(largest < 4096);
    ts_buf_free(&u);
    ncp_builder_free(b);
}

/* Writes bytes into a pipe from a child process; returns the read end. */
static int pipe_from_child(const uint8_t *bytes, size_t len, pid_t *pid) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    *pid = fork();
    assert_true(*pid >= 0);
    if (*pid == 0) {
        close(fds[0]);
        for (size_t done = 0; done < len;) {
            ssize_t k = write(fds[1], bytes + done, len - done);
            if (k <= 0) _exit(1);
            done += (size_t)k;
        }
        _exit(0);
    }
    close(fds[1]);
    return fds[0];
}

/* From a pipe, memory grows with the data: messages larger than the first
 * allocation arrive whole, and a segment table that lies costs little. */
static void pipe_memory_grows_with_data(void **state) {
    (void)state;
    ncp_builder *b = make(6, 1500000); /* about 6 MB */
    for (unsigned flags = 0; flags <= NCP_WRITE_PACKED;
         flags += NCP_WRITE_PACKED) {
        ts_buf bytes = ts_write_mem(b, flags);
        size_t largest = 0;
        ncp_read_options o = {0};
        o.alloc.fn = recording_alloc;
        o.alloc.ud = &largest;
        pid_t pid;
        int fd = pipe_from_child(bytes.data, bytes.len, &pid);
        ncp_msg *m;
        ncp_error err = {NCP_OK, ""};
        assert_int_equal(ncp_msg_read_fd(fd, &o, &m, &err), NCP_OK);
        check(m, 6, 1500000);
        ncp_msg_free(m);
        close(fd);
        waitpid(pid, NULL, 0);
        ts_buf_free(&bytes);
    }
    ncp_builder_free(b);
    /* A table claiming 7 Mi words (56 MiB), followed by 100 bytes. */
    uint8_t liar[108];
    memset(liar, 0x5a, sizeof liar);
    ncp_store32(liar, 0);
    ncp_store32(liar + 4, 7u << 20);
    size_t largest = 0;
    ncp_read_options o = {0};
    o.alloc.fn = recording_alloc;
    o.alloc.ud = &largest;
    pid_t pid;
    int fd = pipe_from_child(liar, sizeof liar, &pid);
    ncp_msg *m;
    ncp_error err = {NCP_OK, ""};
    assert_int_equal(ncp_msg_read_fd(fd, &o, &m, &err), NCP_ERR_TRUNCATED);
    assert_true(largest <= ((size_t)1 << 20));
    close(fd);
    waitpid(pid, NULL, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffer_trailing_bytes_and_modes),
        cmocka_unit_test(file_sequence),
        cmocka_unit_test(fd_sequence_regular_file),
        cmocka_unit_test(pipe_sequence),
        cmocka_unit_test(memory_map),
        cmocka_unit_test(atomic_save_replaces),
        cmocka_unit_test(save_to_special_files),
        cmocka_unit_test(atomic_save_failure_keeps_previous),
        cmocka_unit_test(full_device),
        cmocka_unit_test(write_mem_too_small),
        cmocka_unit_test(large_message_to_memory),
        cmocka_unit_test(first_segment_placed_for_file_copies),
        cmocka_unit_test(truncated_file_fails_before_allocating),
        cmocka_unit_test(pipe_memory_grows_with_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
