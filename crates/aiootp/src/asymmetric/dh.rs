//! The 2DH and 3DH exchanges (spec `asymmetric.md` §8–9) as typestate
//! flows: every ephemeral secret is made inside the flow (or handed over
//! by value for tests) and consumed by it, so it is used exactly once.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::kdf::{DhProtocol, Kdf, Transcript};
use super::x25519::PreparedPeer;
use super::{X25519, X25519PublicKey};
use crate::error::AsymmetricError;

/// The 2DH client's hello: its ephemeral public key `D`.
///
/// JSON: `{"public_key_d": "<64 hex>"}`, the oracle's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dh2Hello {
    /// `D = pub(d)`, the client's ephemeral key.
    pub public_key_d: X25519PublicKey,
}

/// The 3DH client's hello: its identity key `B` and ephemeral key `D`.
///
/// JSON: `{"public_key_b": "<64 hex>", "public_key_d": "<64 hex>"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dh3Hello {
    /// `B = pub(b)`, the client's long-term identity key.
    pub public_key_b: X25519PublicKey,
    /// `D = pub(d)`, the client's ephemeral key.
    pub public_key_d: X25519PublicKey,
}

/// The server's response in both exchanges: its identity key `A` and
/// ephemeral key `C`.
///
/// JSON: `{"public_key_a": "<64 hex>", "public_key_c": "<64 hex>"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DhResponse {
    /// `A = pub(a)`, the server's long-term identity key.
    pub public_key_a: X25519PublicKey,
    /// `C = pub(c)`, the server's ephemeral key.
    pub public_key_c: X25519PublicKey,
}

fn fresh() -> Result<X25519, AsymmetricError> {
    X25519::generate()
}

/// Constant-time check of a peer identity key against the expected one.
fn check_identity(
    expected: Option<&X25519PublicKey>,
    got: &X25519PublicKey,
) -> Result<(), AsymmetricError> {
    match expected {
        Some(e) if !bool::from(e.as_bytes().ct_eq(got.as_bytes())) => {
            Err(AsymmetricError::UnexpectedPeerIdentity)
        }
        _ => Ok(()),
    }
}

/// The client of the 2DH exchange (no long-term key of its own).
///
/// `new` makes the ephemeral secret `d`; [`hello`](Self::hello) is `D`;
/// [`finish`](Self::finish) takes the server's response, consumes the
/// client (and `d`), and returns the [`Kdf`] primed with `ad ‖ cd`.
///
/// ```
/// use aiootp::asymmetric::{Dh2Client, Dh2Server, X25519};
///
/// let server = Dh2Server::new(X25519::generate()?);
/// let client = Dh2Client::new()?;
/// let (response, pending) = server.respond(&client.hello())?;
/// let client_kdf = client.finish(&response)?;
/// let server_kdf = pending.finish()?;
/// assert_eq!(client_kdf.digest(), server_kdf.digest());
/// # Ok::<(), aiootp::error::AsymmetricError>(())
/// ```
#[derive(Debug)]
#[must_use = "an exchange does nothing until it is finished"]
pub struct Dh2Client {
    ephemeral: X25519,
    expected_server: Option<X25519PublicKey>,
}

impl Dh2Client {
    /// A client with a fresh ephemeral secret `d`.
    ///
    /// # Errors
    /// [`AsymmetricError::Random`] if the random number generator fails.
    pub fn new() -> Result<Self, AsymmetricError> {
        Ok(Self::with_ephemeral(fresh()?))
    }

    /// A client with the given ephemeral secret `d`. **For deterministic
    /// tests and vector replay only**: a reused ephemeral secret breaks
    /// the exchange's forward secrecy. It is consumed here.
    pub fn with_ephemeral(ephemeral: X25519) -> Self {
        Self {
            ephemeral,
            expected_server: None,
        }
    }

    /// **Hardened, not compat.** Makes [`finish`](Self::finish) refuse a
    /// response whose identity key `A` is not `key` (constant-time
    /// comparison): without it, anybody can play the server (weakness A1).
    pub fn expect_server_identity(mut self, key: X25519PublicKey) -> Self {
        self.expected_server = Some(key);
        self
    }

    /// The hello to send: `D`.
    #[must_use]
    pub fn hello(&self) -> Dh2Hello {
        Dh2Hello {
            public_key_d: *self.ephemeral.public_key(),
        }
    }

    /// Completes the exchange: `ad = X25519(d, A)`, `cd = X25519(d, C)`,
    /// result primed with `ad ‖ cd`.
    ///
    /// # Errors
    /// [`AsymmetricError::LowOrderPoint`] for a small-order `A` or `C`;
    /// [`AsymmetricError::UnexpectedPeerIdentity`] if an expected server
    /// identity was set and `A` differs.
    pub fn finish(self, response: &DhResponse) -> Result<Kdf, AsymmetricError> {
        check_identity(self.expected_server.as_ref(), &response.public_key_a)?;
        let ad = self.ephemeral.exchange(&response.public_key_a)?;
        let cd = self.ephemeral.exchange(&response.public_key_c)?;
        let transcript = Transcript {
            protocol: DhProtocol::Dh2,
            a: response.public_key_a,
            b: None,
            c: response.public_key_c,
            d: *self.ephemeral.public_key(),
        };
        Ok(Kdf::new(
            transcript,
            &[ad.expose_secret(), cd.expose_secret()],
        ))
    }
}

/// The client of the 3DH exchange, with identity key `b`.
///
/// ```
/// use aiootp::asymmetric::{Dh3Client, Dh3Server, X25519};
///
/// let server_identity = X25519::generate()?;
/// let server_public = *server_identity.public_key();
/// let server = Dh3Server::new(server_identity);
///
/// let client = Dh3Client::new(X25519::generate()?)?
///     .expect_server_identity(server_public); // hardened: optional
/// let (response, pending) = server.respond(&client.hello())?;
/// let client_kdf = client.finish(&response)?;
/// assert_eq!(client_kdf.hexdigest(), pending.finish()?.hexdigest());
/// # Ok::<(), aiootp::error::AsymmetricError>(())
/// ```
#[derive(Debug)]
#[must_use = "an exchange does nothing until it is finished"]
pub struct Dh3Client {
    identity: X25519,
    ephemeral: X25519,
    expected_server: Option<X25519PublicKey>,
}

impl Dh3Client {
    /// A client with identity key `identity` (`b`; clone it to keep using
    /// it elsewhere) and a fresh ephemeral secret `d`.
    ///
    /// # Errors
    /// [`AsymmetricError::Random`] if the random number generator fails.
    pub fn new(identity: X25519) -> Result<Self, AsymmetricError> {
        Ok(Self::with_ephemeral(identity, fresh()?))
    }

    /// A client with the given ephemeral secret `d`. **For deterministic
    /// tests and vector replay only** (see [`Dh2Client::with_ephemeral`]).
    pub fn with_ephemeral(identity: X25519, ephemeral: X25519) -> Self {
        Self {
            identity,
            ephemeral,
            expected_server: None,
        }
    }

    /// **Hardened, not compat.** As [`Dh2Client::expect_server_identity`].
    pub fn expect_server_identity(mut self, key: X25519PublicKey) -> Self {
        self.expected_server = Some(key);
        self
    }

    /// The hello to send: `(B, D)`.
    #[must_use]
    pub fn hello(&self) -> Dh3Hello {
        Dh3Hello {
            public_key_b: *self.identity.public_key(),
            public_key_d: *self.ephemeral.public_key(),
        }
    }

    /// Completes the exchange: `ad = X25519(d, A)`, `bc = X25519(b, C)`,
    /// `cd = X25519(d, C)`, result primed with `ad ‖ bc ‖ cd`.
    ///
    /// # Errors
    /// As [`Dh2Client::finish`].
    pub fn finish(self, response: &DhResponse) -> Result<Kdf, AsymmetricError> {
        check_identity(self.expected_server.as_ref(), &response.public_key_a)?;
        let ad = self.ephemeral.exchange(&response.public_key_a)?;
        let c = PreparedPeer::new(response.public_key_c.as_bytes());
        let bc = self.identity.exchange_prepared(&c)?;
        let cd = self.ephemeral.exchange_prepared(&c)?;
        let transcript = Transcript {
            protocol: DhProtocol::Dh3,
            a: response.public_key_a,
            b: Some(*self.identity.public_key()),
            c: response.public_key_c,
            d: *self.ephemeral.public_key(),
        };
        Ok(Kdf::new(
            transcript,
            &[ad.expose_secret(), bc.expose_secret(), cd.expose_secret()],
        ))
    }
}

/// The server of the 2DH exchange: holds the identity key `a` and answers
/// any number of hellos, each with a fresh ephemeral key `c`.
///
/// Like the reference, [`respond`](Self::respond) yields the response
/// `(A, C)` even when the client's `D` is unusable; the error (a
/// small-order `D`) comes from [`PendingServer::finish`], so a peer can
/// send the response and then report the failure, as the reference does.
#[derive(Debug, Clone)]
pub struct Dh2Server {
    identity: X25519,
}

impl Dh2Server {
    /// A server with identity key `identity` (`a`).
    #[must_use]
    pub fn new(identity: X25519) -> Self {
        Self { identity }
    }

    /// The identity public key `A` (publish it so clients can check it).
    #[must_use]
    pub fn identity_public_key(&self) -> &X25519PublicKey {
        self.identity.public_key()
    }

    /// Answers `hello` with a fresh ephemeral secret `c`.
    ///
    /// # Errors
    /// [`AsymmetricError::Random`] if the random number generator fails.
    pub fn respond(
        &self,
        hello: &Dh2Hello,
    ) -> Result<(DhResponse, PendingServer), AsymmetricError> {
        Ok(self.respond_with_ephemeral(hello, fresh()?))
    }

    /// Answers with the given ephemeral secret `c`. **For deterministic
    /// tests and vector replay only** (see [`Dh2Client::with_ephemeral`]).
    pub fn respond_with_ephemeral(
        &self,
        hello: &Dh2Hello,
        ephemeral: X25519,
    ) -> (DhResponse, PendingServer) {
        let response = DhResponse {
            public_key_a: *self.identity.public_key(),
            public_key_c: *ephemeral.public_key(),
        };
        let d = &hello.public_key_d;
        let result = (|| {
            let prepared = PreparedPeer::new(d.as_bytes());
            let ad = self.identity.exchange_prepared(&prepared)?;
            let cd = ephemeral.exchange_prepared(&prepared)?;
            let transcript = Transcript {
                protocol: DhProtocol::Dh2,
                a: response.public_key_a,
                b: None,
                c: response.public_key_c,
                d: *d,
            };
            Ok(Kdf::new(
                transcript,
                &[ad.expose_secret(), cd.expose_secret()],
            ))
        })();
        (response, PendingServer { result })
    }
}

/// The server of the 3DH exchange: holds the identity key `a` and answers
/// any number of hellos, each with a fresh ephemeral key `c`. Errors from
/// the client's keys come from [`PendingServer::finish`], as in
/// [`Dh2Server`].
#[derive(Debug, Clone)]
pub struct Dh3Server {
    identity: X25519,
    expected_client: Option<X25519PublicKey>,
}

impl Dh3Server {
    /// A server with identity key `identity` (`a`).
    #[must_use]
    pub fn new(identity: X25519) -> Self {
        Self {
            identity,
            expected_client: None,
        }
    }

    /// **Hardened, not compat.** Makes [`respond`](Self::respond) refuse
    /// (without answering) a hello whose client identity `B` is not `key`
    /// (constant-time comparison; weakness A1).
    #[must_use]
    pub fn expect_client_identity(mut self, key: X25519PublicKey) -> Self {
        self.expected_client = Some(key);
        self
    }

    /// The identity public key `A`.
    #[must_use]
    pub fn identity_public_key(&self) -> &X25519PublicKey {
        self.identity.public_key()
    }

    /// Answers `hello` with a fresh ephemeral secret `c`.
    ///
    /// # Errors
    /// [`AsymmetricError::Random`] if the random number generator fails;
    /// [`AsymmetricError::UnexpectedPeerIdentity`] if an expected client
    /// identity was set and `B` differs.
    pub fn respond(
        &self,
        hello: &Dh3Hello,
    ) -> Result<(DhResponse, PendingServer), AsymmetricError> {
        check_identity(self.expected_client.as_ref(), &hello.public_key_b)?;
        self.respond_with_ephemeral(hello, fresh()?)
    }

    /// Answers with the given ephemeral secret `c`. **For deterministic
    /// tests and vector replay only** (see [`Dh2Client::with_ephemeral`]).
    ///
    /// # Errors
    /// [`AsymmetricError::UnexpectedPeerIdentity`] as in
    /// [`respond`](Self::respond).
    pub fn respond_with_ephemeral(
        &self,
        hello: &Dh3Hello,
        ephemeral: X25519,
    ) -> Result<(DhResponse, PendingServer), AsymmetricError> {
        check_identity(self.expected_client.as_ref(), &hello.public_key_b)?;
        let response = DhResponse {
            public_key_a: *self.identity.public_key(),
            public_key_c: *ephemeral.public_key(),
        };
        let (b, d) = (&hello.public_key_b, &hello.public_key_d);
        let result = (|| {
            let prepared = PreparedPeer::new(d.as_bytes());
            let ad = self.identity.exchange_prepared(&prepared)?;
            let bc = ephemeral.exchange(b)?;
            let cd = ephemeral.exchange_prepared(&prepared)?;
            let transcript = Transcript {
                protocol: DhProtocol::Dh3,
                a: response.public_key_a,
                b: Some(*b),
                c: response.public_key_c,
                d: *d,
            };
            Ok(Kdf::new(
                transcript,
                &[ad.expose_secret(), bc.expose_secret(), cd.expose_secret()],
            ))
        })();
        Ok((response, PendingServer { result }))
    }
}

/// A server that has sent its response and not yet reported its result:
/// the reference's generator between its yield and its resumption.
/// The ephemeral secret `c` is already gone.
#[derive(Debug)]
#[must_use = "the server's result (or the client key error) is in `finish`"]
pub struct PendingServer {
    result: Result<Kdf, AsymmetricError>,
}

impl PendingServer {
    /// The server's result.
    ///
    /// # Errors
    /// [`AsymmetricError::LowOrderPoint`] when a client key (`D`, or `B`
    /// in 3DH) has small order: the reference raises `ValueError("Error
    /// computing shared key.")` at this step, after its response.
    pub fn finish(self) -> Result<Kdf, AsymmetricError> {
        self.result
    }
}
