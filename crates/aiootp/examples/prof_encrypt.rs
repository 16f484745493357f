//! Times one 16 MiB encryption on one thread (profiling aid).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use aiootp::compat::{EncryptOptions, Key, cipher};
fn main() {
    let key = Key::new("k");
    let data = vec![7u8; 16 << 20];
    let t = std::time::Instant::now();
    let ct = cipher::bytes_encrypt(&data, &key, &EncryptOptions::new().parallel(false)).unwrap();
    println!("{} blocks in {:?}", ct.block_count(), t.elapsed());
}
