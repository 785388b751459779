//! `--fix` writes the user's files (which hold passwords) through
//! `vfs::write_atomic`: the temporary file never has wider permissions than
//! the original, the owner is kept (as root), and a read-only or
//! hard-linked file is refused rather than silently replaced or split.
#![cfg(unix)]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use apimlint_core::vfs::write_atomic;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[test]
fn the_temporary_file_is_never_more_readable_than_the_original() {
    let dir = common::scratch("atomic", "mode");
    let path = dir.join("deployment.toml");
    std::fs::write(&path, "password = \"x\"\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    // a watcher lists the directory as fast as it can and records the mode
    // of every temporary file it sees while large files are written
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (dir, stop) = (dir.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                for e in std::fs::read_dir(&dir).unwrap().flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name.ends_with(".tmp")
                        && let Ok(m) = e.metadata()
                    {
                        seen.push((name, m.permissions().mode() & 0o777));
                    }
                }
            }
            seen
        })
    };
    let big = "password = \"secret\"\n".repeat(1 << 20);
    for _ in 0..20 {
        write_atomic(&path, big.as_bytes()).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let seen = watcher.join().unwrap();
    assert!(!seen.is_empty(), "the watcher saw no temporary file");
    let wide: Vec<_> = seen.iter().filter(|(_, m)| m & 0o077 != 0).collect();
    assert!(
        wide.is_empty(),
        "temporary files readable by others: {wide:?}"
    );
    assert_eq!(mode(&path), 0o600);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), big);
}

#[test]
fn owner_and_group_are_kept_when_run_as_root() {
    if !running_as_root() {
        eprintln!("not root: ownership cannot be given away, nothing to check");
        return;
    }
    let dir = common::scratch("atomic", "owner");
    let path = dir.join("deployment.toml");
    std::fs::write(&path, "a = 1\n").unwrap();
    std::os::unix::fs::chown(&path, Some(4321), Some(4322)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_atomic(&path, b"a = 2\n").unwrap();
    let m = std::fs::metadata(&path).unwrap();
    assert_eq!((m.uid(), m.gid()), (4321, 4322));
    assert_eq!(m.permissions().mode() & 0o7777, 0o640);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 2\n");
}

#[test]
fn a_read_only_file_is_refused_not_replaced() {
    let dir = common::scratch("atomic", "readonly");
    let path = dir.join("deployment.toml");
    std::fs::write(&path, "a = 1\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let e = write_atomic(&path, b"a = 2\n").unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(e.to_string().contains("read-only"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
    assert_eq!(mode(&path), 0o444);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn a_hard_linked_file_is_refused_not_split() {
    let dir = common::scratch("atomic", "hardlink");
    let path = dir.join("deployment.toml");
    let other = dir.join("other-name.toml");
    std::fs::write(&path, "a = 1\n").unwrap();
    std::fs::hard_link(&path, &other).unwrap();
    let e = write_atomic(&path, b"a = 2\n").unwrap_err();
    assert!(e.to_string().contains("hard links"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
    assert_eq!(
        std::fs::metadata(&path).unwrap().ino(),
        std::fs::metadata(&other).unwrap().ino()
    );
}
