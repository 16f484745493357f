//! Hooks for the fuzz targets in `fuzz/` (not API: hidden from the
//! documentation, may change at any time). Everything else the targets
//! need is public.

use super::files::Journal;

/// The files a save journal writes (name, bytes; in order), then the
/// files it deletes.
pub type JournalParts = (Vec<(String, Vec<u8>)>, Vec<String>);

/// Parses a save journal as a writer opening the database replays it:
/// `None` unless it is complete, its checksum holds and every name is a
/// database file name.
#[must_use]
pub fn decode_journal(data: &[u8]) -> Option<JournalParts> {
    Journal::decode(data).map(|j| (j.puts, j.deletes))
}

/// The bytes of a save journal writing `puts` in order, then deleting
/// `deletes`.
#[must_use]
pub fn encode_journal(puts: Vec<(String, Vec<u8>)>, deletes: Vec<String>) -> Vec<u8> {
    Journal { puts, deletes }.encode()
}
