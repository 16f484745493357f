//! `xi_mix` (module `generics`) and `deniable_filename` (module `paths`)
//! of the reference (spec `utilities.md` §8).

use zeroize::Zeroizing;

use crate::compat::hash::sha3_256_hex;
use crate::compat::pyvalue::repr_bytes;
use crate::error::KeygenError;

/// The reference's `xi_mix(data, size)`: XOR-folds `data` into `size`
/// bytes.
///
/// `data` is cut into `size`-byte pieces (the last may be shorter), each
/// piece is read as a big-endian integer, the integers are XORed, and the
/// result is written as `size` big-endian bytes: a short last piece counts
/// as right-aligned. Empty data gives `size` zero bytes.
///
/// ```
/// use aiootp::keygen::xi_mix;
///
/// let key: Vec<u8> = (0..20).collect();
/// assert_eq!(xi_mix(&key, 8)?, [0x08, 0x08, 0x08, 0x08, 0x18, 0x19, 0x1a, 0x1b]);
/// # Ok::<(), aiootp::error::KeygenError>(())
/// ```
///
/// # Errors
/// [`KeygenError::ZeroSize`] for `size == 0` (Python raises `ValueError`).
pub fn xi_mix(data: &[u8], size: usize) -> Result<Vec<u8>, KeygenError> {
    if size == 0 {
        return Err(KeygenError::ZeroSize);
    }
    let mut out = vec![0u8; size];
    for piece in data.chunks(size) {
        let offset = size - piece.len();
        for (o, p) in out[offset..].iter_mut().zip(piece) {
            *o ^= p;
        }
    }
    Ok(out)
}

/// The reference's `deniable_filename(key, size=8)`: a 60-character hex
/// file name derived from `key`: `sha_256(xi_mix(key, size))[:60]`, the
/// SHA3-256 of the text `(b'…',)` of the folded bytes.
///
/// ```
/// use aiootp::keygen::deniable_filename;
///
/// let key: Vec<u8> = (0..20).collect();
/// assert_eq!(
///     deniable_filename(&key, 8)?,
///     "c90916477204aae3c097c4edd5be74c00b92c7fe51f415ece809e290fd91"
/// );
/// # Ok::<(), aiootp::error::KeygenError>(())
/// ```
///
/// # Errors
/// [`KeygenError::FilenameSize`] for `size > 16` (the reference's
/// `ValueError`), [`KeygenError::ZeroSize`] for `size == 0`.
///
/// # Security
/// The name is "deniable" only in that it does not show the key. The key
/// is folded to `size` bytes before hashing (spec weakness U5): keys that
/// fold alike share a name, and the name has at most `8 * size` bits of
/// entropy. For new designs name files with a keyed hash of the whole
/// key.
pub fn deniable_filename(key: &[u8], size: usize) -> Result<String, KeygenError> {
    if size > 16 {
        return Err(KeygenError::FilenameSize);
    }
    let folded = Zeroizing::new(xi_mix(key, size)?);
    let mut text = Zeroizing::new(String::with_capacity(4 * size + 6));
    text.push('(');
    repr_bytes(&folded, &mut text);
    text.push_str(",)");
    let mut name = sha3_256_hex(text.as_bytes());
    name.truncate(60);
    Ok(name)
}
