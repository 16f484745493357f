//! The reference's `PrimeGroups` (spec `utilities.md` §5.4): prime moduli
//! with a generator each.
//!
//! `MOD_n` (n = 32, 40, 48, 56, 64, 128, 192, 256, 384, 512) is an `n`-bit
//! prime slightly below `2^n` (`MOD_32 = 2^32 − 5` is the largest 32-bit
//! prime; the others are not the largest) with the reference's
//! `GENERATOR_n`, a small primitive root; [`DH_4096_GROUP_16`] is the
//! RFC 3526 4096-bit MODP group (generator 2).
//!
//! ```
//! use aiootp::data::groups::{MOD_32, PRIME_GROUPS};
//!
//! assert_eq!(MOD_32.to_u64(), Some(0xffff_fffb));
//! assert_eq!(MOD_32.generator(), 2);
//! assert_eq!(PRIME_GROUPS.len(), 10);
//! ```
//!
//! # Security
//! The tests check that every modulus is a probable prime of its size.
//! Only [`DH_4096_GROUP_16`] is a standard Diffie–Hellman group; the
//! `MOD_n` groups are not safe-prime groups and are far too small for
//! discrete-log cryptography (the reference uses them for mixing).

/// A prime modulus and a generator: `MOD_n` / `GENERATOR_n` of the
/// reference's `PrimeGroups`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PrimeGroup {
    bits: u32,
    modulus_hex: &'static str,
    generator: u32,
}

impl PrimeGroup {
    /// The modulus's bit length (`n` of `MOD_n`).
    #[must_use]
    pub const fn bits(&self) -> u32 {
        self.bits
    }

    /// The generator (`GENERATOR_n`).
    #[must_use]
    pub const fn generator(&self) -> u32 {
        self.generator
    }

    /// The modulus in lowercase hex, `bits / 4` digits, no prefix.
    #[must_use]
    pub const fn modulus_hex(&self) -> &'static str {
        self.modulus_hex
    }

    /// The modulus as big-endian bytes (`bits / 8` bytes).
    #[must_use]
    pub fn modulus_be_bytes(&self) -> Vec<u8> {
        self.modulus_hex
            .as_bytes()
            .chunks(2)
            .map(|pair| pair.iter().fold(0u8, |acc, &c| (acc << 4) | hex_value(c)))
            .collect()
    }

    /// The modulus as a `u64`, for the groups of at most 64 bits.
    #[must_use]
    pub fn to_u64(&self) -> Option<u64> {
        if self.bits > 64 {
            return None;
        }
        Some(
            self.modulus_hex
                .bytes()
                .fold(0u64, |acc, c| (acc << 4) | u64::from(hex_value(c))),
        )
    }
}

/// The value of a lowercase hex digit (the constants below hold nothing
/// else; a test checks).
const fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => 0,
    }
}

macro_rules! group {
    ($(#[$doc:meta])* $name:ident, $bits:expr, $hex:expr, $generator:expr) => {
        $(#[$doc])*
        pub const $name: PrimeGroup = PrimeGroup {
            bits: $bits,
            modulus_hex: $hex,
            generator: $generator,
        };
    };
}

group!(
    /// `MOD_32 = 2^32 − 5`, generator 2.
    MOD_32, 32, "fffffffb", 2
);
group!(
    /// `MOD_40`, generator 3.
    MOD_40, 40, "fffffffc29", 3
);
group!(
    /// `MOD_48`, generator 3.
    MOD_48, 48, "fffffffffab5", 3
);
group!(
    /// `MOD_56`, generator 2.
    MOD_56, 56, "fffffffffff833", 2
);
group!(
    /// `MOD_64`, generator 3.
    MOD_64, 64, "fffffffffffff9b9", 3
);
group!(
    /// `MOD_128`, generator 11.
    MOD_128, 128, "ffffffffffffffffffffffffffffe807", 11
);
group!(
    /// `MOD_192`, generator 2.
    MOD_192, 192, "fffffffffffffffffffffffffffffffffffffffffffffa85", 2
);
group!(
    /// `MOD_256`, generator 2.
    MOD_256,
    256,
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8dcb",
    2
);
group!(
    /// `MOD_384`, generator 3.
    MOD_384,
    384,
    concat!(
        "ffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffff5e31"
    ),
    3
);
group!(
    /// `MOD_512`, generator 7.
    MOD_512,
    512,
    concat!(
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff9203"
    ),
    7
);
group!(
    /// `DH_PRIME_4096_GROUP_16`: the 4096-bit MODP group of RFC 3526 §5,
    /// with `DH_GENERATOR_4096_GROUP_16 = 2`.
    DH_4096_GROUP_16,
    4096,
    concat!(
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
        "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
        "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
        "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
        "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
        "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
        "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
        "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
        "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
        "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
        "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
        "08e24fa074e5ab3143db5bfce0fd108e4b82d120a92108011a723c12a787e6d7",
        "88719a10bdba5b2699c327186af4e23c1a946834b6150bda2583e9ca2ad44ce8",
        "dbbbc2db04de8ef92e8efc141fbecaa6287c59474e6bc05d99b2964fa090c3a2",
        "233ba186515be7ed1f612970cee2d7afb81bdd762170481cd0069127d5b05aa9",
        "93b4ea988d8fddc186ffb7dc90a6c08f4df435c934063199ffffffffffffffff"
    ),
    2
);

/// The ten `MOD_n` groups, ascending by size.
pub const PRIME_GROUPS: [PrimeGroup; 10] = [
    MOD_32, MOD_40, MOD_48, MOD_56, MOD_64, MOD_128, MOD_192, MOD_256, MOD_384, MOD_512,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_well_formed() {
        for g in PRIME_GROUPS.iter().chain([&DH_4096_GROUP_16]) {
            assert_eq!(g.modulus_hex().len() as u32 * 4, g.bits(), "{g:?}");
            assert!(
                g.modulus_hex()
                    .bytes()
                    .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
            );
            assert!(g.modulus_hex().starts_with('f'));
            assert_eq!(g.modulus_be_bytes().len() as u32 * 8, g.bits());
        }
        assert_eq!(MOD_64.to_u64(), Some(0xffff_ffff_ffff_f9b9));
        assert_eq!(MOD_128.to_u64(), None);
    }
}
