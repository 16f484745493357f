//! Times passcrypt at given settings (profiling aid):
//! `cargo run --release -p aiootp --example prof_passcrypt -- [kb cpu hardness [runs]]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use aiootp::compat::PyValue;
use aiootp::compat::passcrypt::{Passcrypt, Password};
fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let (kb, cpu, hardness, runs) = match args[..] {
        [kb, cpu, hardness, runs] => (kb, cpu, hardness, runs),
        [kb, cpu, hardness] => (kb, cpu, hardness, 5),
        _ => (1024, 3, 1024, 5),
    };
    let settings = Passcrypt::new(kb, cpu, hardness).unwrap();
    let (password, salt) = (Password::new("password"), PyValue::from("salt"));
    let mut best = std::time::Duration::MAX;
    let mut prefix = String::new();
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let hash = settings.hash(&password, &salt).unwrap();
        best = best.min(t.elapsed());
        prefix = hash.expose_secret()[..16].to_owned();
    }
    println!("kb={kb} cpu={cpu} hardness={hardness}: best of {runs} {best:?} ({prefix}...)");
}
