#!/usr/bin/env python3
"""Generates the straight-line Keccak-p[1600] rounds of
crates/aiootp/src/keccak/round.rs (theta, rho, pi, chi and iota fused,
every lane index a constant so the compiler keeps what it can in
registers):

* `round`: one state, `[u64; 25]`, from `a` into `e`, plane by plane (the
  five B values of a plane, then its five chi outputs, so few values are
  live at a time), carrying theta's column parities C from round to round
  (accumulated from the chi outputs while they are in registers, instead
  of reloading the 25 lanes);
* `round_lc`: the same on a state whose lanes `COMPLEMENTED` are stored
  inverted ("lane complementing", the Keccak implementation overview,
  section 2.2): one NOT per plane in chi instead of five, for CPUs
  without an and-not instruction (compiled for x86-64 only). The chi
  formulas are found by search below and checked on their truth tables;
* `round_x4`: four independent states in lockstep, transposed to
  `[[u64; 4]; 25]` (lane `i` of state `j` at `[i][j]`): the scalar round
  inside a loop over the four states, which LLVM's loop vectoriser turns
  into SIMD (two SSE2 registers per `[u64; 4]`, or one AVX2 register in a
  function compiled with AVX2 enabled);
* `round_x8`: the same on eight states, `[[u64; 8]; 25]` (one AVX-512
  register per `[u64; 8]` in a function compiled with AVX-512F enabled).

All come from the same tables below, so they cannot disagree.

    python3 tools/gen_keccak_round.py > crates/aiootp/src/keccak/round.rs
"""

import itertools

# Rotation offsets r[x][y] of FIPS 202 (rho), lane index x + 5y.
R = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61],
     [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]

# Where the lane complemented round is compiled: the targets whose
# baseline has no and-not instruction and whose portable permutation uses
# it (see crates/aiootp/src/keccak/x1.rs).
LC_CFG = 'target_arch = "x86_64"'

# The lanes stored inverted by the lane complementing transform
# ("bebigokimisa": x, y = 1,0 2,0 3,1 2,2 2,3 0,4).
COMPLEMENTED = [1, 2, 8, 12, 17, 20]


def pi_sources():
    """B[x, y] (x, y of the output plane) comes from A[x', y'] with
    B[y', 2x' + 3y'] = rot(A[x', y'] ^ D[x'], r[x'][y'])."""
    b = {}
    for x in range(5):
        for y in range(5):
            b[(y, (2 * x + 3 * y) % 5)] = (x, y)
    return b


def chi_forms(flips, out_flip):
    """Every `[~]p ^ ([~]q op [~]r)` that computes, from stored p, q, r
    (B[x], B[x+1], B[x+2], inverted where `flips` says), chi's output
    B[x] ^ (~B[x+1] & B[x+2]), inverted when `out_flip`: a list of
    (invert p, invert q, invert r, op)."""
    found = []
    for inverts in itertools.product((0, 1), repeat=3):
        for op in ("&", "|"):
            ok = True
            for bits in itertools.product((0, 1), repeat=3):
                bp, bq, br = bits
                want = bp ^ ((1 - bq) & br) ^ out_flip
                p, q, r = (v ^ f ^ n for v, f, n in zip(bits, flips, inverts))
                ok = ok and (p ^ (q & r if op == "&" else q | r)) == want
            if ok:
                found.append((*inverts, op))
    return found


def chi_plane(flips, out_flips):
    """The chi formulas of one plane (see `chi_forms`) with the fewest
    distinct inverted B values (an inverted value is computed once), and
    that number."""
    options = [chi_forms([flips[(x + k) % 5] for k in range(3)], out_flips[x])
               for x in range(5)]
    best = None
    for pick in itertools.product(*options):
        inverted = {(x + k) % 5 for x, f in enumerate(pick) for k in range(3) if f[k]}
        if best is None or len(inverted) < best[0]:
            best = (len(inverted), list(pick))
    assert best is not None
    return best


def chi_table(complemented):
    """For each output lane, its chi formula (see `chi_forms`), for a state
    whose lanes `complemented` are stored inverted on input and output."""
    comp = set(complemented)
    # theta and rho/pi are linear: which C, D and B values come out
    # inverted follows from which lanes are stored inverted.
    cflip = [sum((x + 5 * y) in comp for y in range(5)) % 2 for x in range(5)]
    dflip = [cflip[(x + 4) % 5] ^ cflip[(x + 1) % 5] for x in range(5)]
    src = pi_sources()
    table = {}
    nots = 0
    for yy in range(5):
        flips = []
        for xx in range(5):
            x, y = src[(xx, yy)]
            flips.append(int((x + 5 * y) in comp) ^ dflip[x])
        n, pick = chi_plane(flips, [int(xx + 5 * yy in comp) for xx in range(5)])
        nots += n
        for xx in range(5):
            table[xx + 5 * yy] = pick[xx]
    return table, nots


def scalar(w, name, complemented):
    if complemented:
        table, nots = chi_table(complemented)
        assert nots == 5, nots
        w("/// The lanes that [`round_lc`] keeps inverted (\"lane complementing\").")
        w(f"#[cfg({LC_CFG})]")
        w(f"pub(super) const COMPLEMENTED: [usize; {len(complemented)}] = {complemented};")
        w("")
        w("/// [`round`] on states whose lanes [`COMPLEMENTED`] are stored inverted")
        w("/// (in `a` and `e`; `c` is then the parities of the stored lanes): chi")
        w("/// needs one NOT per plane instead of five.")
        w(f"#[cfg({LC_CFG})]")
    else:
        # chi as defined: and-not, one instruction on CPUs that have it.
        table = {i: (0, 1, 0, "&") for i in range(25)}
        w("/// One Keccak-p\\[1600\\] round with round constant `rc`, from `a` into `e`.")
        w("/// `c` holds the column parities of `a` (theta's C) on entry, and those")
        w("/// of `e` on return.")
    w("#[inline(always)]")
    w("#[allow(clippy::many_single_char_names)]")
    w(f"pub(super) fn {name}(a: &[u64; 25], e: &mut [u64; 25], c: &mut [u64; 5], rc: u64) {{")
    for x in range(5):
        w(f"    let d{x} = c[{(x + 4) % 5}] ^ c[{(x + 1) % 5}].rotate_left(1);")
    src = pi_sources()
    for yy in range(5):
        for xx in range(5):
            x, y = src[(xx, yy)]
            expr = f"a[{x + 5 * y}] ^ d{x}"
            if R[x][y]:
                expr = f"({expr}).rotate_left({R[x][y]})"
            w(f"    let b{xx} = {expr};")
        for xx in range(5):
            i = xx + 5 * yy
            *inverts, op = table[i]
            p, q, r = (("!" if n else "") + f"b{(xx + k) % 5}"
                       for k, n in enumerate(inverts))
            rc = " ^ rc" if i == 0 else ""
            w(f"    let e{xx} = {p} ^ ({q} {op} {r}){rc};")
            w(f"    e[{i}] = e{xx};")
            if yy == 0:
                w(f"    let mut c{xx} = e{xx};")
            else:
                w(f"    c{xx} ^= e{xx};")
    w("    *c = [c0, c1, c2, c3, c4];")
    w("}")


def xn(w, n, words):
    # A loop over the n states around the scalar round, reading `a` and
    # writing `e` (no aliasing, so LLVM's loop vectoriser takes the loop
    # whole: one `[u64; n]` is one vector), plane by plane so that only
    # the c, d and five b values are live at a time.
    src = pi_sources()
    w(f"/// One Keccak-p\\[1600\\] round on {words} transposed states (`a[i][j]` is lane")
    w("/// `i` of state `j`) with round constant `rc`, from `a` into `e`.")
    w("#[inline(always)]")
    w(f"pub(super) fn round_x{n}(a: &[[u64; {n}]; 25], e: &mut [[u64; {n}]; 25], rc: u64) {{")
    w(f"    for j in 0..{n} {{")
    for x in range(5):
        w(f"        let c{x} = " + " ^ ".join(f"a[{x + 5 * y}][j]" for y in range(5)) + ";")
    for x in range(5):
        w(f"        let d{x} = c{(x + 4) % 5} ^ c{(x + 1) % 5}.rotate_left(1);")
    for yy in range(5):
        for xx in range(5):
            x, y = src[(xx, yy)]
            expr = f"a[{x + 5 * y}][j] ^ d{x}"
            if R[x][y]:
                expr = f"({expr}).rotate_left({R[x][y]})"
            w(f"        let b{xx} = {expr};")
        for xx in range(5):
            rc = " ^ rc" if (xx, yy) == (0, 0) else ""
            w(f"        e[{xx + 5 * yy}][j] = b{xx} ^ (!b{(xx + 1) % 5} & b{(xx + 2) % 5}){rc};")
    w("    }")
    w("}")


out = []
w = out.append
w("// Generated by tools/gen_keccak_round.py; do not edit by hand.")
w("")
scalar(w, "round", [])
w("")
scalar(w, "round_lc", COMPLEMENTED)
w("")
xn(w, 4, "four")
w("")
xn(w, 8, "eight")
print("\n".join(out))
