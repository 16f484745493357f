//! The lockstep engine: the cipher keystream's three ratchet sponges and
//! the tag sponge, run as the SIMD lanes of four-lane Keccak permutations.
//!
//! Once the previous digest `r` of `A` is known, the three SHA3-512 states
//! of a [`Ratchet`](super::Ratchet) do independent work for an output:
//!
//! * `A` absorbs `seed_text ‖ r ‖ seed` and is digested (a padded copy,
//!   permuted) into the next `r`. The seed text does not depend on `r`, so
//!   one of `A`'s permutations runs beside the digest of the output before.
//! * `B` and `C` absorb `r` and are digested into the output's two halves.
//!   They always sit at the same position, so their permutations pair up,
//!   and they may lag behind `A` by a few outputs.
//! * The tag sponge (SHA3-512 over the ciphertext blocks' decimal text)
//!   only needs its input: in encryption the blocks as they are finished,
//!   in decryption the given blocks.
//!
//! Each step gathers the permutations that are ready (the tag's first,
//! then `A`'s, then `B`'s and `C`'s together), at most four, and runs them
//! as one [`keccak::f1600_x4`]; a lone one runs as one scalar
//! [`keccak::f1600`] (and so do fewer than four where the four-lane
//! permutation is not cheap, see [`keccak::x4_is_cheap`]). The tag needs
//! about 8.6 permutations per block, the keystream's longest chain about
//! 5.3, so the tag sets the pace and the keystream fills the other lanes;
//! in encryption the keystream runs at most [`WINDOW`] blocks ahead of
//! the tag, which keeps the blocks the tag reads back in cache.
//!
//! The sponges are left exactly as the scalar path leaves them, so the
//! results are the scalar path's byte for byte (tests compare the two).

use zeroize::Zeroize;

use super::CipherKeystream;
use crate::compat::tag::TagHasher;
use crate::keccak::{self, Sha3_512Sponge, read_lanes};

/// Outputs whose `r` `A` may have made before `B` and `C` take it.
const AHEAD: usize = 4;
/// Blocks the keystream may run ahead of the tag in encryption.
const WINDOW: usize = 16;

/// What the tag hashes while the keystream is applied.
pub(crate) enum TagFeed<'a> {
    /// Nothing (the tag is hashed elsewhere).
    None,
    /// The blocks after the XOR (encryption: the ciphertext).
    Output(&'a mut TagHasher),
    /// These blocks, one per data block (decryption: the ciphertext).
    Input(&'a mut TagHasher, &'a [u8]),
    /// This text, rendered elsewhere (separators included).
    Text(&'a mut TagHasher, &'a [u8]),
}

/// A state a step permutes.
#[derive(Clone, Copy, Debug)]
enum Lane {
    A,
    AFin,
    B,
    C,
    BFin,
    CFin,
    Tag,
}

struct Engine<'a> {
    a: &'a mut Sha3_512Sponge,
    b: &'a mut Sha3_512Sponge,
    c: &'a mut Sha3_512Sponge,
    seed: &'a [u8; 64],
    seed_text: &'a [u8; 64],
    /// The latest digest of `A`: the `r` that `A` absorbs next.
    r: [u8; 64],
    /// The padded copy of `A` being digested (when `a_fin_pending`).
    a_fin: [u64; 25],
    a_fin_pending: bool,
    /// Bytes of the current output's input (`seed_text ‖ r ‖ seed`)
    /// absorbed by `A`.
    a_off: usize,
    /// Outputs whose input `A` has absorbed.
    a_outputs: usize,
    /// The digests of `A` that `B` and `C` have yet to absorb (a ring).
    rq: [[u8; 64]; AHEAD],
    rq_head: usize,
    rq_len: usize,
    /// Outputs whose `r` `B` and `C` have begun to absorb.
    bc_taken: usize,
    /// Bytes of the front `r` absorbed by `B` and `C`.
    bc_off: usize,
    b_fin: [u64; 25],
    c_fin: [u64; 25],
    bc_fin_pending: bool,
    /// Outputs written into `data`.
    bc_outputs: usize,
    /// Outputs to make: two per block.
    total: usize,
    data: &'a mut [u8],
    blocks: usize,
    tag: Option<&'a mut TagHasher>,
    /// The blocks the tag hashes when they are not `data` after the XOR.
    tag_input: Option<&'a [u8]>,
    /// Text the tag absorbs instead of rendering blocks.
    tag_text: Option<&'a [u8]>,
    /// Tag text rendered and not yet absorbed (from `text_off`).
    text: Vec<u8>,
    text_off: usize,
    /// Blocks rendered into the tag's text.
    tag_blocks: usize,
    /// Stands in for a missing tag sponge (never permuted in practice).
    spare: [u64; 25],
    /// Whether two or three lanes are cheaper as one four-lane permutation.
    cheap: bool,
}

impl CipherKeystream {
    /// XORs the next `data.len() / 256` key blocks into `data`'s whole
    /// 256-byte blocks, hashing the blocks into the tag as `feed` says: the
    /// same as [`xor_block`](Self::xor_block) on each block followed by
    /// [`TagHasher::push_all`], with the permutations of both run as SIMD
    /// lanes. For [`TagFeed::Input`] the input has one block per data
    /// block (extra bytes are ignored, missing blocks are not hashed).
    pub(crate) fn xor_blocks(&mut self, data: &mut [u8], feed: TagFeed<'_>) {
        self.xor_blocks_with(data, feed, keccak::x4_is_cheap());
    }

    /// [`xor_blocks`](Self::xor_blocks), running fewer than four ready
    /// permutations one by one unless `cheap`.
    fn xor_blocks_with(&mut self, data: &mut [u8], feed: TagFeed<'_>, cheap: bool) {
        let blocks = data.len() / 256;
        let (tag, tag_input, tag_text) = match feed {
            TagFeed::None => (None, None, None),
            TagFeed::Output(t) => (Some(t), None, None),
            TagFeed::Input(t, input) => (Some(t), Some(input), None),
            TagFeed::Text(t, text) => (Some(t), None, Some(text)),
        };
        let ratchet = &mut self.ratchet;
        let mut engine = Engine {
            a: ratchet.a.sponge_mut(),
            b: ratchet.b.sponge_mut(),
            c: ratchet.c.sponge_mut(),
            seed: &ratchet.seed,
            seed_text: &self.seed_text,
            r: ratchet.r,
            a_fin: [0; 25],
            a_fin_pending: false,
            a_off: 0,
            a_outputs: 0,
            rq: [[0; 64]; AHEAD],
            rq_head: 0,
            rq_len: 0,
            bc_taken: 0,
            bc_off: 0,
            b_fin: [0; 25],
            c_fin: [0; 25],
            bc_fin_pending: false,
            bc_outputs: 0,
            total: 2 * blocks,
            data,
            blocks,
            tag,
            tag_input,
            tag_text,
            text: Vec::with_capacity(1024),
            text_off: 0,
            tag_blocks: 0,
            spare: [0; 25],
            cheap,
        };
        engine.run();
        let r = engine.r;
        drop(engine);
        ratchet.r = r;
    }
}

impl Engine<'_> {
    fn run(&mut self) {
        loop {
            self.settle_a();
            self.settle_bc();
            self.settle_tag();
            let mut lanes = [Lane::A; 4];
            let n = self.pick(&mut lanes);
            if n == 0 {
                break;
            }
            self.permute(&lanes[..n]);
            self.complete(&lanes[..n]);
        }
        debug_assert_eq!(self.bc_outputs, self.total);
        debug_assert!(
            self.tag.is_none() || self.tag_text.is_some() || self.tag_blocks == self.blocks
        );
        debug_assert_eq!(
            self.text_off,
            self.tag_text.map_or(self.text.len(), <[u8]>::len)
        );
    }

    /// Absorbs what `A` can absorb without a permutation, and sets up the
    /// digest of an output whose input is complete.
    fn settle_a(&mut self) {
        loop {
            if self.a.is_full() {
                return;
            }
            let (src, from): (&[u8; 64], usize) = match self.a_off {
                0 => {
                    let done = self.a_outputs == self.total;
                    let ahead = self.a_outputs >= self.bc_taken + AHEAD;
                    let window = self.tag.is_some()
                        && self.tag_input.is_none()
                        && self.tag_text.is_none()
                        && self.a_outputs >= 2 * (self.tag_blocks + WINDOW);
                    if done || ahead || window {
                        return;
                    }
                    (self.seed_text, 0)
                }
                o if o < 64 => (self.seed_text, o),
                o if o < 128 => {
                    if self.a_fin_pending {
                        return; // this `r` is the digest being made
                    }
                    (&self.r, o - 64)
                }
                o if o < 192 => (self.seed, o - 128),
                _ => {
                    // The whole input is in: digest it.
                    if self.a_fin_pending {
                        return;
                    }
                    let Some(padded) = self.a.padded_state() else {
                        return;
                    };
                    self.a_fin = padded;
                    self.a_fin_pending = true;
                    self.a_off = 0;
                    self.a_outputs += 1;
                    continue;
                }
            };
            self.a_off += self.a.absorb_until_full(&src[from..]);
        }
    }

    /// Absorbs the pending digests of `A` into `B` and `C` as far as
    /// possible without a permutation, and sets up their digests.
    fn settle_bc(&mut self) {
        loop {
            if self.b.is_full() {
                return;
            }
            if self.bc_off == 64 {
                if self.bc_fin_pending {
                    return;
                }
                let (Some(b), Some(c)) = (self.b.padded_state(), self.c.padded_state()) else {
                    return;
                };
                self.b_fin = b;
                self.c_fin = c;
                self.bc_fin_pending = true;
                self.bc_off = 0;
                self.rq_head = (self.rq_head + 1) % AHEAD;
                self.rq_len -= 1;
                continue;
            }
            if self.rq_len == 0 {
                return;
            }
            if self.bc_off == 0 {
                self.bc_taken += 1;
            }
            let r = &self.rq[self.rq_head][self.bc_off..];
            let n = self.b.absorb_until_full(r);
            self.c.absorb_until_full(r);
            self.bc_off += n;
        }
    }

    /// Renders blocks into the tag's text as they become available and
    /// absorbs the text as far as possible without a permutation.
    fn settle_tag(&mut self) {
        let Some(tag) = self.tag.as_deref_mut() else {
            return;
        };
        if let Some(text) = self.tag_text {
            while !tag.sponge_mut().is_full() && self.text_off < text.len() {
                self.text_off += tag.sponge_mut().absorb_until_full(&text[self.text_off..]);
            }
            return;
        }
        loop {
            if tag.sponge_mut().is_full() {
                return;
            }
            if self.text_off < self.text.len() {
                self.text_off += tag
                    .sponge_mut()
                    .absorb_until_full(&self.text[self.text_off..]);
                continue;
            }
            let j = self.tag_blocks;
            let source: &[u8] = match self.tag_input {
                Some(input) => input,
                None if j < self.bc_outputs / 2 => self.data,
                None => return, // block `j` has no key yet
            };
            let Some(block) = source.get(j * 256..j * 256 + 256) else {
                return;
            };
            self.text.clear();
            self.text_off = 0;
            tag.render(block, &mut self.text);
            self.tag_blocks += 1;
        }
    }

    /// The permutations ready now, at most four: returns how many were
    /// written to `lanes`.
    fn pick(&mut self, lanes: &mut [Lane; 4]) -> usize {
        let mut n = 0;
        let mut add = |lane: Lane, n: &mut usize| {
            lanes[*n] = lane;
            *n += 1;
        };
        if self
            .tag
            .as_deref_mut()
            .is_some_and(|t| t.sponge_mut().is_full())
        {
            add(Lane::Tag, &mut n);
        }
        if self.a_fin_pending {
            add(Lane::AFin, &mut n);
        }
        if self.a.is_full() {
            add(Lane::A, &mut n);
        }
        if self.bc_fin_pending && n <= 2 {
            add(Lane::BFin, &mut n);
            add(Lane::CFin, &mut n);
        }
        if self.b.is_full() && n <= 2 {
            add(Lane::B, &mut n);
            add(Lane::C, &mut n);
        }
        n
    }

    fn state(&mut self, lane: Lane) -> &mut [u64; 25] {
        match lane {
            Lane::A => self.a.state_mut(),
            Lane::AFin => &mut self.a_fin,
            Lane::B => self.b.state_mut(),
            Lane::C => self.c.state_mut(),
            Lane::BFin => &mut self.b_fin,
            Lane::CFin => &mut self.c_fin,
            Lane::Tag => match self.tag.as_deref_mut() {
                Some(t) => t.sponge_mut().state_mut(),
                None => &mut self.spare,
            },
        }
    }

    /// Permutes the states of `lanes` (one to four).
    fn permute(&mut self, lanes: &[Lane]) {
        if lanes.len() == 1 || (!self.cheap && lanes.len() < 4) {
            for &lane in lanes {
                keccak::f1600(self.state(lane));
            }
            return;
        }
        let mut x = [[0u64; 4]; 25];
        for (j, &lane) in lanes.iter().enumerate() {
            for (w, s) in x.iter_mut().zip(self.state(lane).iter()) {
                w[j] = *s;
            }
        }
        keccak::f1600_x4(&mut x);
        for (j, &lane) in lanes.iter().enumerate() {
            for (s, w) in self.state(lane).iter_mut().zip(x.iter()) {
                *s = w[j];
            }
        }
    }

    /// Takes the results of the permuted `lanes`.
    fn complete(&mut self, lanes: &[Lane]) {
        for &lane in lanes {
            match lane {
                Lane::A => self.a.mark_permuted(),
                Lane::AFin => {
                    read_lanes(&self.a_fin, &mut self.r);
                    self.a_fin_pending = false;
                    let tail = (self.rq_head + self.rq_len) % AHEAD;
                    self.rq[tail] = self.r;
                    self.rq_len += 1;
                }
                Lane::B => self.b.mark_permuted(),
                Lane::C => self.c.mark_permuted(),
                Lane::BFin => self.write_output(),
                Lane::CFin => {} // written with `BFin`
                Lane::Tag => {
                    if let Some(t) = self.tag.as_deref_mut() {
                        t.sponge_mut().mark_permuted();
                    }
                }
            }
        }
    }

    /// XORs the digests of `B` and `C` (the next output) into its half of
    /// its block.
    fn write_output(&mut self) {
        let m = self.bc_outputs;
        let at = (m / 2) * 256 + (m % 2) * 128;
        if let Some(dst) = self.data.get_mut(at..at + 128) {
            let (hi, lo) = dst.split_at_mut(64);
            xor_lanes(&self.b_fin, hi);
            xor_lanes(&self.c_fin, lo);
        }
        self.bc_fin_pending = false;
        self.bc_outputs += 1;
    }
}

/// XORs the first 64 bytes of `state` into `out` (no copy of the key
/// bytes is left behind).
fn xor_lanes(state: &[u64; 25], out: &mut [u8]) {
    for (bytes, lane) in out.chunks_exact_mut(8).zip(state.iter()) {
        for (b, k) in bytes.iter_mut().zip(lane.to_le_bytes()) {
            *b ^= k;
        }
    }
}

impl Drop for Engine<'_> {
    fn drop(&mut self) {
        self.r.zeroize();
        self.a_fin.zeroize();
        self.rq.zeroize();
        self.b_fin.zeroize();
        self.c_fin.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The scalar path: `xor_block` per block, then the tag of the blocks.
    fn scalar(ks: &mut CipherKeystream, data: &mut [u8], encrypt: bool) -> String {
        let mut tag = TagHasher::new();
        if !encrypt {
            tag.push_all(data);
        }
        for b in data.chunks_exact_mut(256) {
            ks.xor_block(b);
        }
        if encrypt {
            tag.push_all(data);
        }
        tag.finish("'s'", "0", "'k'")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn lockstep_equals_scalar(
            key in "[ -~]{1,40}",
            salt in "[0-9a-f]{1,70}",
            pid in any::<i64>(),
            blocks in 0usize..40,
            used in 0usize..3,
            fill in any::<u8>(),
        ) {
            let key = format!("'{key}'");
            let salt = format!("'{salt}'");
            let pid = pid.to_string();
            let data: Vec<u8> = (0..blocks * 256)
                .map(|i| (i as u8).wrapping_mul(fill) ^ fill)
                .collect();
            // 0: encryption, 1: no tag, 2: decryption, 3: decryption with
            // the text rendered beforehand (the two-thread mode).
            for (mode, cheap) in (0..4).flat_map(|m| [(m, true), (m, false)]) {
                let mut want_ks = CipherKeystream::new(&key, &salt, &pid);
                let mut got_ks = CipherKeystream::new(&key, &salt, &pid);
                let mut scratch = [0u8; 256];
                for _ in 0..used {
                    want_ks.xor_block(&mut scratch);
                    got_ks.xor_block(&mut scratch);
                }
                let mut want = data.clone();
                let want_tag = scalar(&mut want_ks, &mut want, mode < 2);
                let mut got = data.clone();
                let mut tag = TagHasher::new();
                match mode {
                    0 => got_ks.xor_blocks_with(&mut got, TagFeed::Output(&mut tag), cheap),
                    1 => got_ks.xor_blocks_with(&mut got, TagFeed::None, cheap),
                    2 => got_ks.xor_blocks_with(&mut got, TagFeed::Input(&mut tag, &data), cheap),
                    _ => {
                        // In two pieces, as the pipeline hands it over.
                        let cut = (blocks / 2) * 256;
                        let (mut t0, mut t1) = (Vec::new(), Vec::new());
                        TagHasher::render_all(&data[..cut], false, &mut t0);
                        TagHasher::render_all(&data[cut..], cut > 0, &mut t1);
                        let (g0, g1) = got.split_at_mut(cut);
                        got_ks.xor_blocks_with(g0, TagFeed::Text(&mut tag, &t0), cheap);
                        got_ks.xor_blocks_with(g1, TagFeed::Text(&mut tag, &t1), cheap);
                    }
                }
                prop_assert_eq!(&got, &want);
                if mode != 1 {
                    prop_assert_eq!(tag.finish("'s'", "0", "'k'"), want_tag);
                }
                // The ratchet goes on from the same place.
                let (mut a, mut b) = ([1u8; 256], [1u8; 256]);
                want_ks.xor_block(&mut a);
                got_ks.xor_block(&mut b);
                prop_assert_eq!(a, b);
            }
        }
    }
}
