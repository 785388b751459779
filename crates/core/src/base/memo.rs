//! Per-thread memos of pure functions of a text (a URL, a key name) that a
//! deployment asks of the same few values on many nodes.

use std::cell::RefCell;
use std::thread::LocalKey;

/// One memo: answers by text, on one thread.
pub(crate) type Memo<V> = RefCell<foldhash::HashMap<Box<str>, V>>;

/// At most this many answers are kept; a full memo is emptied (the nodes of
/// a region, which share their values, are built one after the other).
const LIMIT: usize = 1024;

/// `f(key)`, answered from `memo` when it was asked before on this thread.
pub(crate) fn memoized<V: Clone>(
    memo: &'static LocalKey<Memo<V>>,
    key: &str,
    f: impl FnOnce(&str) -> V,
) -> V {
    if let Some(known) = memo.with_borrow(|m| m.get(key).cloned()) {
        return known;
    }
    let value = f(key);
    memo.with_borrow_mut(|m| {
        if m.len() >= LIMIT {
            m.clear();
        }
        m.insert(key.into(), value.clone());
    });
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static LENGTHS: Memo<usize> = RefCell::new(foldhash::HashMap::default());
    }

    #[test]
    fn a_memo_answers_once_per_text_and_stays_bounded() {
        let mut calls = 0;
        for _ in 0..3 {
            assert_eq!(
                memoized(&LENGTHS, "abc", |k| {
                    calls += 1;
                    k.len()
                }),
                3
            );
        }
        assert_eq!(calls, 1);
        for i in 0..LIMIT + 10 {
            memoized(&LENGTHS, &i.to_string(), str::len);
        }
        assert!(LENGTHS.with_borrow(|m| m.len()) <= LIMIT);
    }
}
