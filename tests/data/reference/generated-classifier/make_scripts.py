# Deterministic classifier scenarios (inputs for cls_driver and for nupic-c's tests).
import math, random

def write(name, header, recs):
    with open(name + '.script', 'w') as f:
        f.write(header)
        for (rn, learn, infer, cat, pat, cls) in recs:
            f.write('R %d %d %d %d ; %s ; %s\n' % (rn, learn, infer, cat,
                    ' '.join(map(str, pat)),
                    ' '.join('%d:%r' % (b, v) for b, v in cls)))

# 1. mixed: step 0, record gaps and repeats, unsorted patterns with duplicates,
#    growing input space, empty patterns, late buckets with gaps, two classes,
#    category updates, learn/infer toggles, empty classifications.
rng = random.Random(6001)
recs, rn = [], 0
for k in range(1, 401):
    if k > 1:
        r = rng.random()
        if r < 0.03: rn += rng.randint(2, 4)
        elif r < 0.05: pass
        else: rn += 1
    limit = 64 if k <= 40 else (512 if k <= 150 else 2048)
    if rng.random() < 0.02:
        pat = []
    else:
        pat = rng.sample(range(limit), rng.randint(8, 24))
        if rng.random() < 0.05: pat.append(pat[0])
    b = int(12 + 10 * math.sin(k / 13.0))
    if k == 120: b = 33
    if k == 260: b = 41
    cls = [(b, round(b * 1.7 + rng.uniform(-0.5, 0.5), 6))]
    if rng.random() < 0.06:
        b2 = rng.randint(0, 25)
        cls.append((b2, b2 * 1.7))
    if rng.random() < 0.03: cls = []
    learn = 0 if rng.random() < 0.1 else 1
    infer = 0 if rng.random() < 0.1 else 1
    cat = 1 if rng.random() < 0.1 else 0
    recs.append((rn, learn, infer, cat, pat, cls))
write('mixed', 'steps 3 0 1\nalpha 0.05\nactValueAlpha 0.1\n', recs)

# 2. fast: a large alpha (big weights), steps 2 and 7, buckets appearing in
#    jumps so that unseen buckets report the input's actual value.
rng = random.Random(6002)
recs = []
for k in range(1, 301):
    pat = sorted(rng.sample(range(1024), 30))
    b = (k * 5) % 13 if k < 150 else (k * 3) % 19
    recs.append((k - 1, 1, 1, 0, pat, [(b, b * 0.25 - 1.0)]))
write('fast', 'steps 7 2\nalpha 0.5\nactValueAlpha 0.9\n', recs)

# 3. many: eight steps over a repeating sequence of 25 patterns.
rng = random.Random(6003)
seqp = [sorted(rng.sample(range(256), 20)) for _ in range(25)]
recs = []
for k in range(1, 201):
    b = (k - 1) % 17
    recs.append((k - 1, 1, 1, 0, seqp[(k - 1) % 25], [(b, 100.0 + b)]))
write('many', 'steps 1 2 3 4 5 6 8 10\nalpha 0.01\nactValueAlpha 0.3\n', recs)
