/*
 * examples/sp_save_load.c - train a spatial pooler, save it, load it back,
 * and check that the copy behaves exactly like the original.
 *
 * Run: sp_save_load [FILE]   (default: sp_example.capnp in the current
 * directory).  The file is written packed, the way NuPIC's writeToFile
 * writes, and replaced atomically.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/params.h>
#include <nupic/sp.h>

#define CHECK(call)                                                            \
    do {                                                                       \
        if ((call) != NUPIC_OK) {                                              \
            fprintf(stderr, "sp_save_load: %s\n", err.message);                \
            goto done;                                                         \
        }                                                                      \
    } while (0)

/* A deterministic input: 20 active bits of 400, shifting each step. */
static size_t input_at(unsigned step, uint32_t *bits) {
    for (unsigned i = 0; i < 20; i++)
        bits[i] = (step * 7 + i * 19) % 400;
    /* ascending, distinct */
    for (unsigned i = 1; i < 20; i++)
        for (unsigned j = i; j > 0 && bits[j - 1] > bits[j]; j--) {
            uint32_t t = bits[j];
            bits[j] = bits[j - 1];
            bits[j - 1] = t;
        }
    return 20;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "sp_example.capnp";
    const char *json =
        "{\"inputDimensions\": [400], \"columnDimensions\": "
        "[512], \"potentialRadius\": 400, \"globalInhibition\": "
        "true, \"numActiveColumnsPerInhArea\": 10, \"seed\": 42}";
    nupic_error err = {NUPIC_OK, ""};
    nupic_sp_params params;
    nupic_sp *sp = NULL, *copy = NULL;
    int status = 1;
    uint32_t in[20], a[512], b[512];
    size_t na, nb;

    CHECK(nupic_sp_params_from_json(json, strlen(json), &params, &err));
    CHECK(nupic_sp_new(&params, &sp, &err));
    for (unsigned t = 0; t < 200; t++)
        CHECK(nupic_sp_compute(sp, in, input_at(t, in), true, a, &na, &err));
    CHECK(nupic_sp_save(sp, path, NULL, &err));
    CHECK(nupic_sp_load(path, NULL, &copy, &err));
    for (unsigned t = 200; t < 300; t++) {
        size_t n = input_at(t, in);
        CHECK(nupic_sp_compute(sp, in, n, true, a, &na, &err));
        CHECK(nupic_sp_compute(copy, in, n, true, b, &nb, &err));
        if (na != nb || memcmp(a, b, na * sizeof a[0]) != 0) {
            fprintf(stderr, "sp_save_load: step %u differs\n", t);
            goto done;
        }
    }
    printf("saved %s; the loaded copy matched the original for 100 steps\n",
           path);
    status = 0;
done:
    nupic_sp_free(sp);
    nupic_sp_free(copy);
    return status;
}
