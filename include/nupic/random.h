/*
 * nupic/random.h - nupic.core's random number generator, bit for bit.
 *
 * BSD random() TYPE_3: an additive lagged Fibonacci generator over 31
 * 32-bit words (x^31 + x^3 + 1) whose additions are taken modulo 2^32 - 1,
 * seeded by Park-Miller, with the first 310 outputs discarded.  The same
 * seed gives the same sequence as nupic.core's nupic::Random, and the state
 * serializes as nupic.core's RandomProto.
 *
 * nupic_random is a small value type so that algorithms can embed it; its
 * fields are private.  Thread-safety: a generator must be used by one
 * thread at a time.
 */
#ifndef NUPIC_RANDOM_H
#define NUPIC_RANDOM_H

#include <stdbool.h>
#include <stdint.h>

#include <nupic/status.h>

#include "nupic/proto/RandomProto.capnp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NUPIC_RANDOM_STATE_WORDS 31

typedef struct nupic_random {
    uint64_t seed;
    uint32_t state[NUPIC_RANDOM_STATE_WORDS];
    int32_t rptr, fptr;
} nupic_random;

/* Seeds the generator.  Seed 0 picks a seed from the system clock and
 * process id (as nupic.core picks one from its own seeder): use it only
 * when repeatability does not matter. */
NCP_API void nupic_random_init(nupic_random *r, uint64_t seed);

/* The seed the generator was created with. */
static inline uint64_t nupic_random_seed(const nupic_random *r) {
    return r->seed;
}

/* The next raw output, 31 bits (nupic.core's RandomImpl::getUInt32). */
NCP_API uint32_t nupic_random_next(nupic_random *r);

/* A value in [0, n); n must be > 0 (n == 0 gives 0). */
NCP_API uint32_t nupic_random_u32(nupic_random *r, uint32_t n);
/* A value in [0, n) from two draws; n must be > 0 (n == 0 gives 0). */
NCP_API uint64_t nupic_random_u64(nupic_random *r, uint64_t n);
/* A double in [0, 1) with 48 random bits (two draws). */
NCP_API double nupic_random_real64(nupic_random *r);

/* Selection sampling: chooses k of the n values of population, keeping
 * their order (one draw per population element examined).  Returns
 * NUPIC_ERR_ARG if k > n. */
NCP_API nupic_status nupic_random_sample(nupic_random *r,
                                         const uint32_t *population, uint32_t n,
                                         uint32_t *choices, uint32_t k);
/* Shuffles values[0..n) as nupic.core's Random::shuffle. */
NCP_API void nupic_random_shuffle(nupic_random *r, uint32_t *values,
                                  uint32_t n);

/* Whether two generators have the same seed and state. */
NCP_API bool nupic_random_equal(const nupic_random *a, const nupic_random *b);

/* Serialization as RandomProto.  read validates the state (31 words, each
 * a 32-bit value, cursors 3 apart in range) and leaves *out untouched on
 * error. */
NCP_API nupic_status nupic_random_write(const nupic_random *r, RandomProto_B b,
                                        nupic_error *err);
NCP_API nupic_status nupic_random_read(RandomProto_R p, nupic_random *out,
                                       nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_RANDOM_H */
