//! The metatag list of one database node: the names of its children in
//! the manifest's order, each with its Python `repr` (computed once), and
//! an index of those `repr`s, so that looking a name up, adding one and
//! walking the list stay linear in the number of children.
//!
//! Names are compared by `repr` (`1`, `"1"`, `1.0` and `True` are four
//! children). The list is kept as read: a manifest written elsewhere may
//! list a name twice, and both entries stay (and are written back).

use std::collections::HashSet;

use crate::compat::PyValue;

/// Child names in manifest order, with their `repr`s and an index.
#[derive(Clone, Debug, Default)]
pub(crate) struct MetatagList {
    names: Vec<PyValue>,
    /// `names[i].repr()`.
    reprs: Vec<String>,
    /// Every distinct entry of `reprs`.
    listed: HashSet<String>,
}

impl MetatagList {
    /// The list of a manifest, `repr`s computed once each.
    pub(crate) fn from_names(names: Vec<PyValue>) -> Self {
        let reprs: Vec<String> = names.iter().map(PyValue::repr).collect();
        let listed = reprs.iter().cloned().collect();
        Self {
            names,
            reprs,
            listed,
        }
    }

    /// The names, in order.
    pub(crate) fn names(&self) -> &[PyValue] {
        &self.names
    }

    /// The number of entries (duplicates counted).
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Entry `i`: the name and its `repr`.
    pub(crate) fn get(&self, i: usize) -> Option<(&PyValue, &str)> {
        Some((self.names.get(i)?, self.reprs.get(i)?.as_str()))
    }

    /// The entries in order: each name and its `repr`.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&PyValue, &str)> {
        self.names.iter().zip(self.reprs.iter().map(String::as_str))
    }

    /// Whether a name with this `repr` is listed.
    pub(crate) fn contains(&self, repr: &str) -> bool {
        self.listed.contains(repr)
    }

    /// Appends `name` (whose `repr` is `repr`).
    pub(crate) fn push(&mut self, name: PyValue, repr: String) {
        self.listed.insert(repr.clone());
        self.names.push(name);
        self.reprs.push(repr);
    }

    /// Removes every entry whose `repr` is `repr`.
    pub(crate) fn remove(&mut self, repr: &str) {
        if !self.listed.remove(repr) {
            return;
        }
        let entries = std::mem::take(&mut self.names)
            .into_iter()
            .zip(std::mem::take(&mut self.reprs));
        (self.names, self.reprs) = entries.filter(|(_, r)| r != repr).unzip();
    }

    /// The list as the manifest stores it.
    pub(crate) fn to_value(&self) -> PyValue {
        PyValue::List(self.names.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_duplicates_and_repr_identity() {
        let mut list = MetatagList::from_names(vec![
            PyValue::from("a"),
            PyValue::from(1),
            PyValue::from("a"),
            PyValue::Bool(true),
        ]);
        assert!(list.contains("'a'") && list.contains("1") && list.contains("True"));
        assert!(!list.contains("'1'") && !list.contains("1.0"));
        list.push(PyValue::from("1"), "'1'".to_owned());
        assert!(list.contains("'1'"));
        assert_eq!(list.len(), 5);
        assert_eq!(list.get(4).map(|(_, r)| r), Some("'1'"));
        list.remove("'a'");
        list.remove("'zzz'");
        assert!(!list.contains("'a'"));
        assert_eq!(
            list.to_value(),
            PyValue::List(vec![
                PyValue::from(1),
                PyValue::Bool(true),
                PyValue::from("1")
            ])
        );
        let reprs: Vec<&str> = list.iter().map(|(_, r)| r).collect();
        assert_eq!(reprs, ["1", "True", "'1'"]);
        assert_eq!(list.names().len(), 3);
    }
}
