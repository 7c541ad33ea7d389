/*
 * src/algo/random.c - nupic.core's random number generator.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nupic/random.h>

#define MAX32 UINT32_C(0xffffffff)
#define SEP   3

uint32_t nupic_random_next(nupic_random *r) {
    /* (a + b) mod (2^32 - 1) for a, b < 2^32: fold the carry back in. */
    uint64_t sum = (uint64_t)r->state[r->fptr] + r->state[r->rptr];
    uint64_t folded = (sum & MAX32) + (sum >> 32);
    uint32_t v = (uint32_t)(folded >= MAX32 ? folded - MAX32 : folded);
    r->state[r->fptr] = v;
    if (++r->fptr >= NUPIC_RANDOM_STATE_WORDS) {
        r->fptr = 0;
        ++r->rptr;
    } else if (++r->rptr >= NUPIC_RANDOM_STATE_WORDS) {
        r->rptr = 0;
    }
    return (v >> 1) & 0x7fffffff;
}

void nupic_random_init(nupic_random *r, uint64_t seed) {
    if (seed == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^
               ((uint64_t)getpid() << 32);
        if (seed == 0) seed = 1;
    }
    r->seed = seed;
    r->state[0] = (uint32_t)(seed % MAX32);
    for (int i = 1; i < NUPIC_RANDOM_STATE_WORDS; i++) {
        /* state[i] = 16807 * state[i - 1] mod (2^31 - 1), by Schrage's
         * method, as in BSD random(). */
        uint32_t prev = r->state[i - 1];
        int32_t quot = (int32_t)(prev / 127773u);
        int32_t rem = (int32_t)(prev % 127773u);
        int32_t test = 16807 * rem - 2836 * quot;
        r->state[i] = (uint32_t)(test + (test < 0 ? 2147483647 : 0));
    }
    r->fptr = SEP;
    r->rptr = 0;
    for (int i = 0; i < 10 * NUPIC_RANDOM_STATE_WORDS; i++)
        (void)nupic_random_next(r);
}

uint32_t nupic_random_u32(nupic_random *r, uint32_t n) {
    if (n == 0) return 0;
    uint32_t smax = MAX32 - (MAX32 % n);
    uint32_t sample;
    do {
        sample = nupic_random_next(r);
    } while (sample > smax);
    return sample % n;
}

uint64_t nupic_random_u64(nupic_random *r, uint64_t n) {
    if (n == 0) return 0;
    const uint64_t max64 = UINT64_MAX;
    uint64_t smax = max64 - (max64 % n);
    uint64_t sample;
    do {
        uint64_t lo = nupic_random_next(r);
        uint64_t hi = nupic_random_next(r);
        sample = lo | (hi << 32);
    } while (sample > smax);
    return sample % n;
}

double nupic_random_real64(nupic_random *r) {
    uint64_t v = nupic_random_u64(r, UINT64_C(1) << 48);
    return (double)v / 281474976710656.0; /* exact: v < 2^48 */
}

nupic_status nupic_random_sample(nupic_random *r, const uint32_t *population,
                                 uint32_t n, uint32_t *choices, uint32_t k) {
    if (k > n) return NUPIC_ERR_ARG;
    uint32_t next = 0;
    for (uint32_t i = 0; i < n && next < k; i++)
        if (nupic_random_u32(r, n - i) < k - next)
            choices[next++] = population[i];
    return NUPIC_OK;
}

void nupic_random_shuffle(nupic_random *r, uint32_t *values, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = i + nupic_random_u32(r, n - i);
        uint32_t t = values[i];
        values[i] = values[j];
        values[j] = t;
    }
}

bool nupic_random_equal(const nupic_random *a, const nupic_random *b) {
    return a->seed == b->seed && a->rptr == b->rptr && a->fptr == b->fptr &&
           memcmp(a->state, b->state, sizeof a->state) == 0;
}

nupic_status nupic_random_write(const nupic_random *r, RandomProto_B b,
                                nupic_error *err) {
    RandomProto_set_seed(b, r->seed);
    RandomImplProto_B impl = RandomProto_init_impl(b);
    int64_t state[NUPIC_RANDOM_STATE_WORDS];
    for (int i = 0; i < NUPIC_RANDOM_STATE_WORDS; i++)
        state[i] = r->state[i];
    RandomImplProto_set_state(impl, state, NUPIC_RANDOM_STATE_WORDS);
    RandomImplProto_set_rptr(impl, r->rptr);
    RandomImplProto_set_fptr(impl, r->fptr);
    if (ncp_builder_status(b.s.b) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_builder_error(b.s.b));
    return NUPIC_OK;
}

nupic_status nupic_random_read(RandomProto_R p, nupic_random *out,
                               nupic_error *err) {
    nupic_random r;
    r.seed = RandomProto_get_seed(p);
    RandomImplProto_R impl = RandomProto_get_impl(p);
    ncp_list state = RandomImplProto_get_state(impl);
    int64_t rptr = RandomImplProto_get_rptr(impl);
    int64_t fptr = RandomImplProto_get_fptr(impl);
    if (p.s.msg && ncp_msg_status(p.s.msg) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_msg_error(p.s.msg));
    if (ncp_list_len(&state) != NUPIC_RANDOM_STATE_WORDS)
        return nupic_error_set(err, NUPIC_ERR_FORMAT,
                               "RandomImplProto.state: %u words, expected %d",
                               ncp_list_len(&state), NUPIC_RANDOM_STATE_WORDS);
    for (uint32_t i = 0; i < NUPIC_RANDOM_STATE_WORDS; i++) {
        int64_t v = ncp_i64(ncp_list_u64(&state, i));
        if (v < 0 || v > (int64_t)MAX32)
            return nupic_error_set(err, NUPIC_ERR_FORMAT,
                                   "RandomImplProto.state: word %u is %lld, "
                                   "not a 32-bit value",
                                   i, (long long)v);
        r.state[i] = (uint32_t)v;
    }
    if (rptr < 0 || rptr >= NUPIC_RANDOM_STATE_WORDS || fptr < 0 ||
        fptr >= NUPIC_RANDOM_STATE_WORDS ||
        (fptr - rptr + NUPIC_RANDOM_STATE_WORDS) % NUPIC_RANDOM_STATE_WORDS !=
            SEP)
        return nupic_error_set(err, NUPIC_ERR_FORMAT,
                               "RandomImplProto: cursors rptr %lld and fptr "
                               "%lld are not %d apart within the state",
                               (long long)rptr, (long long)fptr, SEP);
    r.rptr = (int32_t)rptr;
    r.fptr = (int32_t)fptr;
    *out = r;
    return NUPIC_OK;
}
