//! Python-compatible JSON text (`json.dumps` / `json.loads`) over [`PyValue`](super::PyValue), and the `serde` bridge.
