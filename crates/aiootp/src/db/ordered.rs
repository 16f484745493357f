//! An insertion-ordered map with Python `dict` semantics: overwriting a
//! key keeps its place, removing and re-inserting moves it to the end.

use std::collections::HashMap;

/// String-keyed, insertion-ordered map (the manifest and the cache).
#[derive(Clone, Debug, Default)]
pub(crate) struct OrderedMap<V> {
    slots: Vec<Option<(String, V)>>,
    index: HashMap<String, usize>,
}

impl<V> OrderedMap<V> {
    pub(crate) fn new() -> Self {
        Self {
            slots: Vec::new(),
            index: HashMap::new(),
        }
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        let i = *self.index.get(key)?;
        self.slots.get(i)?.as_ref().map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let i = *self.index.get(key)?;
        self.slots.get_mut(i)?.as_mut().map(|(_, v)| v)
    }

    /// Inserts or overwrites (in place).
    pub(crate) fn insert(&mut self, key: String, value: V) {
        if let Some(&i) = self.index.get(&key)
            && let Some(Some(slot)) = self.slots.get_mut(i)
        {
            slot.1 = value;
            return;
        }
        self.index.insert(key.clone(), self.slots.len());
        self.slots.push(Some((key, value)));
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let i = self.index.remove(key)?;
        let taken = self.slots.get_mut(i)?.take().map(|(_, v)| v);
        if self.slots.len() > 32 && self.index.len() * 2 < self.slots.len() {
            self.compact();
        }
        taken
    }

    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        self.index.clear();
        for (i, slot) in self.slots.iter().enumerate() {
            if let Some((k, _)) = slot {
                self.index.insert(k.clone(), i);
            }
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.slots
            .iter()
            .filter_map(|s| s.as_ref().map(|(k, v)| (k.as_str(), v)))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_dict_order() {
        let mut m = OrderedMap::new();
        for k in ["a", "b", "c"] {
            m.insert(k.to_owned(), k.len());
        }
        m.insert("a".to_owned(), 9);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(m.remove("b"), Some(1));
        m.insert("b".to_owned(), 2);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "c", "b"]);
        assert_eq!(m.get("a"), Some(&9));
        assert_eq!(m.keys().count(), 3);
        for i in 0..100 {
            m.insert(format!("k{i}"), i);
        }
        for i in 0..90 {
            m.remove(&format!("k{i}"));
        }
        assert_eq!(m.keys().count(), 13);
        assert_eq!(m.keys().nth(3), Some("k90"));
        assert_eq!(m.get("k95"), Some(&95));
    }
}
