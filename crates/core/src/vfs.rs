//! The only module that touches the file system: reading node files with
//! limits, overlays of editor buffers, and discovery of a deployment's files.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::Gitignore;

/// Files larger than this are `unreadable-file` findings rather than parsed
/// (and standard input larger than this is refused).
pub const MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Why a node file could not be read. Rendered as an `unreadable-file` finding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is not valid UTF-8 (first invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    /// A UTF-16 file (it starts with a UTF-16 byte-order mark).
    #[error("the file is UTF-16 (it starts with a UTF-16 byte-order mark); apimlint reads UTF-8")]
    Utf16,
    #[error("the file is {size} bytes, over the 10 MiB limit")]
    TooLarge { size: u64 },
    #[error("the file is {kind}, not a regular file")]
    NotRegular { kind: &'static str },
    #[error("the file cannot be read: {0}")]
    Io(String),
    /// A symbolic link (of the file or a directory above it) leading out of
    /// the deployment: nothing of the target is read.
    #[error(
        "a symbolic link leads the file to `{target}`, outside the deployment: apimlint reads nothing outside the deployment's directory"
    )]
    Outside { target: String },
    /// A manifest that holds no readable `deployment.toml` where it says it
    /// does (invalid YAML, a missing ConfigMap, bad base64…).
    #[error("{0}")]
    Manifest(String),
}

/// Read access to files: the disk, or the disk overlaid with editor buffers.
pub trait Vfs: Sync {
    fn read(&self, path: &Path) -> Result<String, ReadError>;

    /// Read a node file of the deployment rooted at `root`: like
    /// [`Vfs::read`], but a file that symbolic links lead out of `root`
    /// (or into `/proc`, `/sys`, `/dev`) is refused unread.
    fn read_within(&self, root: &Path, path: &Path) -> Result<String, ReadError> {
        let _ = root;
        self.read(path)
    }

    /// The bytes (at most the first 10 MiB) of a file that
    /// [`Vfs::read_within`] refused as not UTF-8 or too large, for the
    /// loader to tell whether it mentions a node file (never shown). `None`
    /// when they cannot be read.
    fn raw_within(&self, root: &Path, path: &Path) -> Option<Vec<u8>> {
        let _ = (root, path);
        None
    }

    /// The bytes of a file of the deployment rooted at `root` (a node's
    /// home file: XML, properties, a keystore), with the limits and the
    /// refusals of [`Vfs::read_within`] but no decoding.
    fn read_bytes_within(&self, root: &Path, path: &Path) -> Result<Vec<u8>, ReadError> {
        self.read_within(root, path).map(String::into_bytes)
    }

    /// The names of the entries of directory `dir` of the deployment rooted
    /// at `root`, sorted; empty when it is no directory or links lead it out
    /// of `root` (nothing outside the deployment is listed).
    fn list_within(&self, root: &Path, dir: &Path) -> Vec<String> {
        let _ = (root, dir);
        Vec::new()
    }

    /// [`Vfs::list_within`], where `trusted` is a directory of the
    /// deployment the walk reached with no symbolic link on its way (it
    /// holds a node file read so): what lies below it needs no check of the
    /// path above it.
    fn list_below(&self, root: &Path, trusted: &Path, dir: &Path) -> Vec<String> {
        let _ = trusted;
        self.list_within(root, dir)
    }

    /// [`Vfs::read_bytes_within`], with `trusted` as for [`Vfs::list_below`].
    fn read_bytes_below(
        &self,
        root: &Path,
        trusted: &Path,
        path: &Path,
    ) -> Result<Vec<u8>, ReadError> {
        let _ = trusted;
        self.read_bytes_within(root, path)
    }

    /// The names of `dir`, given the `names` a walk of the disk saw in it
    /// (none: it was absent), with what this file system holds besides the
    /// disk (an editor's unsaved buffers).
    fn as_walked(&self, dir: &Path, names: Vec<String>) -> Vec<String> {
        let _ = dir;
        names
    }

    /// Whether `path` is a file (for an editor: also an unsaved buffer).
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    /// Whether `path` is a directory.
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiskFs;

impl Vfs for DiskFs {
    fn read_within(&self, root: &Path, path: &Path) -> Result<String, ReadError> {
        refuse_outside(root, path)?;
        self.read(path)
    }

    fn read(&self, path: &Path) -> Result<String, ReadError> {
        decode(read_bytes(path)?)
    }

    fn raw_within(&self, root: &Path, path: &Path) -> Option<Vec<u8>> {
        refuse_outside(root, path).ok()?;
        read_prefix(path).ok().map(|(bytes, _)| bytes)
    }

    fn read_bytes_within(&self, root: &Path, path: &Path) -> Result<Vec<u8>, ReadError> {
        refuse_outside(root, path)?;
        read_bytes(path)
    }

    fn list_within(&self, root: &Path, dir: &Path) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        if refuse_outside(root, dir).is_err() {
            return Vec::new();
        }
        sorted_names(entries.flatten())
    }

    fn list_below(&self, root: &Path, trusted: &Path, dir: &Path) -> Vec<String> {
        if !link_free_below(trusted, dir) {
            return self.list_within(root, dir);
        }
        match std::fs::read_dir(dir) {
            Ok(entries) => sorted_names(entries.flatten()),
            Err(_) => Vec::new(),
        }
    }

    fn read_bytes_below(
        &self,
        root: &Path,
        trusted: &Path,
        path: &Path,
    ) -> Result<Vec<u8>, ReadError> {
        if link_free_below(trusted, path) {
            read_bytes(path)
        } else {
            self.read_bytes_within(root, path)
        }
    }
}

/// The names of a directory's entries, sorted (names that are not UTF-8
/// left out).
fn sorted_names<E: std::borrow::Borrow<std::fs::DirEntry>>(
    entries: impl IntoIterator<Item = E>,
) -> Vec<String> {
    let mut names: Vec<String> = entries
        .into_iter()
        .filter_map(|e| e.borrow().file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// Whether `path` is `trusted` or lies below it with no symbolic link on
/// the way (each component below `trusted` checked with `lstat`; one that
/// does not exist is not known to be free of links). `trusted` itself is
/// the caller's word.
fn link_free_below(trusted: &Path, path: &Path) -> bool {
    let Ok(rest) = path.strip_prefix(trusted) else {
        return false;
    };
    let mut at = trusted.to_path_buf();
    for c in rest.components() {
        let std::path::Component::Normal(name) = c else {
            return false;
        };
        at.push(name);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if !m.file_type().is_symlink() => {}
            _ => return false,
        }
    }
    true
}

/// `Err(Outside)` when links lead `path` out of `root` (or into a system
/// directory).
fn refuse_outside(root: &Path, path: &Path) -> Result<(), ReadError> {
    match DiskFs::escapes(root, path) {
        Some(real) => Err(ReadError::Outside {
            target: real.display().to_string(),
        }),
        None => Ok(()),
    }
}

/// Open `path` only when it is a regular file (a FIFO, a device or a socket
/// is never opened, so nothing can block), and check the file opened again.
/// Returns the file and its size.
fn open_regular(path: &Path) -> Result<(std::fs::File, u64), ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink());
        ReadError::Io(match e.kind() {
            std::io::ErrorKind::NotFound if link => "it is a symbolic link to nothing".into(),
            _ if link => "it is a symbolic link that cannot be followed (a loop?)".into(),
            k => k.to_string(),
        })
    })?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            kind: file_kind(&meta),
        });
    }
    let file = std::fs::File::open(path).map_err(|e| ReadError::Io(e.kind().to_string()))?;
    let meta = file
        .metadata()
        .map_err(|e| ReadError::Io(e.kind().to_string()))?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            kind: file_kind(&meta),
        });
    }
    Ok((file, meta.len()))
}

/// At most the first [`MAX_FILE_SIZE`] bytes of a regular file, and whether
/// there was more.
fn read_prefix(path: &Path) -> Result<(Vec<u8>, bool), ReadError> {
    let (file, len) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(MAX_FILE_SIZE) + 1).unwrap_or(0));
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(e.kind().to_string()))?;
    let over = bytes.len() as u64 > MAX_FILE_SIZE;
    bytes.truncate(usize::try_from(MAX_FILE_SIZE).unwrap_or(usize::MAX));
    Ok((bytes, over))
}

/// The one bounded reader of every file apimlint opens (node files,
/// manifests, Compose files, project files, `.gitignore`s, baselines): a
/// regular file of at most [`MAX_FILE_SIZE`] bytes, whole.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_regular(path)?;
    if len > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge { size: len });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(e.kind().to_string()))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        // it grew while being read
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

/// Whether the bytes of a file mention a node file: in UTF-8 (or any ASCII
/// superset such as Latin-1) or in UTF-16 of either byte order.
pub fn mentions_node_file(bytes: &[u8]) -> bool {
    let ascii = NODE_FILE.as_bytes();
    if memchr::memmem::find(bytes, ascii).is_some() {
        return true;
    }
    let le: Vec<u8> = ascii.iter().flat_map(|b| [*b, 0]).collect();
    let be: Vec<u8> = ascii.iter().flat_map(|b| [0, *b]).collect();
    memchr::memmem::find(bytes, &le).is_some() || memchr::memmem::find(bytes, &be).is_some()
}

impl DiskFs {
    /// Where `path` really is, when links lead it out of `root` or into a
    /// system directory. A path that does not exist is judged by its
    /// nearest existing ancestor (a link to a directory outside, holding
    /// nothing of that name, still leads outside).
    fn escapes(root: &Path, path: &Path) -> Option<PathBuf> {
        let real = real_path(path)?;
        let system = |p: &Path| ["/proc", "/sys", "/dev"].iter().any(|d| p.starts_with(d));
        let Some(root) = real_root(root) else {
            return Some(real);
        };
        // a deployment kept under /dev/shm is fine; a link into /proc is not,
        // even when the deployment is the whole disk
        let refused = !real.starts_with(&root) || (system(&real) && !system(&root));
        refused.then_some(real)
    }
}

/// `path` with its links resolved; a dangling link leads where it points;
/// for a path that does not exist, its nearest existing ancestor's, with
/// the rest of the path joined. `None` for a loop of links.
fn real_path(path: &Path) -> Option<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        if let Ok(real) = std::fs::canonicalize(&path) {
            return Some(real);
        }
        match std::fs::read_link(&path) {
            Ok(target) => path = normalize(&path.parent()?.join(target)),
            Err(_) => return real_ancestor(&path),
        }
    }
    None
}

/// The nearest existing ancestor of `path` with its links resolved, and the
/// rest of the path joined.
fn real_ancestor(path: &Path) -> Option<PathBuf> {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        rest.push(at.file_name()?);
        at = at.parent()?;
        if let Ok(real) = std::fs::canonicalize(at) {
            return Some(rest.iter().rev().fold(real, |p, n| p.join(n)));
        }
    }
}

/// Where symbolic links lead `path` when they lead it out of every one of
/// `roots` although the path as written lies in one of them: the file a
/// write to `path` would really replace, outside the trees it should stay
/// in. A path written outside every root (named so by the user) is `None`.
pub fn links_out(path: &Path, roots: &[&Path]) -> Option<PathBuf> {
    let path = normalize(path);
    if !roots.iter().any(|r| path.starts_with(normalize(r))) {
        return None;
    }
    let real = real_path(&path)?;
    let inside = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .any(|r| real.starts_with(r));
    (!inside).then_some(real)
}

/// `root` with its links resolved, remembered for the last root asked for
/// (every node file of a load asks for the same).
fn real_root(root: &Path) -> Option<PathBuf> {
    static LAST: Mutex<Option<(PathBuf, PathBuf)>> = Mutex::new(None);
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((r, real)) = last.as_ref()
        && r == root
    {
        return Some(real.clone());
    }
    let real = std::fs::canonicalize(root).ok()?;
    *last = Some((root.to_path_buf(), real.clone()));
    Some(real)
}

/// UTF-8 decoding with the offset of the first bad byte (a UTF-16 file is
/// named as such).
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(ReadError::Utf16);
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    "not a regular file"
}

/// The disk overlaid with in-memory buffers (unsaved editor contents).
pub struct OverlayFs<'a> {
    pub base: &'a dyn Vfs,
    pub overlays: &'a HashMap<PathBuf, String>,
}

impl Vfs for OverlayFs<'_> {
    fn read(&self, path: &Path) -> Result<String, ReadError> {
        match self.overlays.get(path) {
            Some(text) if text.len() as u64 > MAX_FILE_SIZE => Err(ReadError::TooLarge {
                size: text.len() as u64,
            }),
            Some(text) => Ok(text.clone()),
            None => self.base.read(path),
        }
    }

    fn read_within(&self, root: &Path, path: &Path) -> Result<String, ReadError> {
        match self.overlays.get(path) {
            Some(_) => self.read(path),
            None => self.base.read_within(root, path),
        }
    }

    fn raw_within(&self, root: &Path, path: &Path) -> Option<Vec<u8>> {
        match self.overlays.get(path) {
            Some(_) => None,
            None => self.base.raw_within(root, path),
        }
    }

    fn read_bytes_within(&self, root: &Path, path: &Path) -> Result<Vec<u8>, ReadError> {
        match self.overlays.get(path) {
            Some(_) => self.read(path).map(String::into_bytes),
            None => self.base.read_bytes_within(root, path),
        }
    }

    fn list_below(&self, root: &Path, trusted: &Path, dir: &Path) -> Vec<String> {
        let names = self.base.list_below(root, trusted, dir);
        self.with_buffers(dir, names)
    }

    fn read_bytes_below(
        &self,
        root: &Path,
        trusted: &Path,
        path: &Path,
    ) -> Result<Vec<u8>, ReadError> {
        match self.overlays.get(path) {
            Some(_) => self.read(path).map(String::into_bytes),
            None => self.base.read_bytes_below(root, trusted, path),
        }
    }

    fn list_within(&self, root: &Path, dir: &Path) -> Vec<String> {
        let names = self.base.list_within(root, dir);
        self.with_buffers(dir, names)
    }

    fn as_walked(&self, dir: &Path, names: Vec<String>) -> Vec<String> {
        let names = self.base.as_walked(dir, names);
        self.with_buffers(dir, names)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.overlays.contains_key(path) || self.base.is_file(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.base.is_dir(path)
    }
}

impl OverlayFs<'_> {
    /// `names` of directory `dir` with the names of the buffers in it.
    fn with_buffers(&self, dir: &Path, mut names: Vec<String>) -> Vec<String> {
        for p in self.overlays.keys() {
            if p.parent() == Some(dir)
                && let Some(n) = p.file_name().and_then(|n| n.to_str())
                && !names.iter().any(|m| m == n)
            {
                names.push(n.to_owned());
            }
        }
        names.sort();
        names
    }
}

/// A fixed set of in-memory files (tests, fuzzing, benchmarks).
#[derive(Debug, Default, Clone)]
pub struct MemoryFs {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Vfs for MemoryFs {
    fn read(&self, path: &Path) -> Result<String, ReadError> {
        let bytes = self
            .files
            .get(path)
            .ok_or_else(|| ReadError::Io("not found".into()))?;
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(ReadError::TooLarge {
                size: bytes.len() as u64,
            });
        }
        decode(bytes.clone())
    }

    fn raw_within(&self, _root: &Path, path: &Path) -> Option<Vec<u8>> {
        let bytes = self.files.get(path)?;
        let cap = usize::try_from(MAX_FILE_SIZE).unwrap_or(usize::MAX);
        Some(bytes.get(..cap).unwrap_or(bytes).to_vec())
    }

    fn read_bytes_within(&self, _root: &Path, path: &Path) -> Result<Vec<u8>, ReadError> {
        let bytes = self
            .files
            .get(path)
            .ok_or_else(|| ReadError::Io("not found".into()))?;
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(ReadError::TooLarge {
                size: bytes.len() as u64,
            });
        }
        Ok(bytes.clone())
    }

    fn list_within(&self, _root: &Path, dir: &Path) -> Vec<String> {
        self.files
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .filter_map(|p| Some(p.file_name()?.to_str()?.to_owned()))
            .collect()
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files.keys().any(|f| f.starts_with(path) && f != path)
    }
}

/// What discovery found: the deployment root, its project file and node files.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub root: PathBuf,
    pub config: Option<PathBuf>,
    /// Node files, sorted, absolute.
    pub files: Vec<PathBuf>,
    /// The files a symbolic link may lead out of the root (reached through
    /// one, or named on the command line): only these need their real path
    /// checked before they are read. `None`: any file may.
    pub may_escape: Option<std::collections::HashSet<PathBuf>>,
    /// The directories the walk saw, as it saw them: for the first read of
    /// the deployment only (a later read asks the disk; a `Vfs` adds its
    /// buffers through [`Vfs::as_walked`]).
    pub listing: Option<Arc<Listing>>,
}

/// The directories a walk listed and the subdirectories it saw in them: a
/// directory whose parent the walk listed and that was not among them did
/// not exist then (no `open` needed to learn it).
#[derive(Debug, Default)]
pub struct Listing {
    // by the bytes of the (normalised) path: a `Path` hashes component by
    // component
    listed: foldhash::HashSet<std::ffi::OsString>,
    seen: foldhash::HashSet<std::ffi::OsString>,
    /// The entries' names (sorted) of each directory in which the walk
    /// found a file it looked for.
    entries: foldhash::HashMap<std::ffi::OsString, Vec<String>>,
}

impl Listing {
    /// Whether `dir` was absent when the walk listed the directory it would
    /// be in (or one further up). `false`: it existed, or nothing is known.
    pub fn absent(&self, dir: &Path) -> bool {
        let mut child = dir;
        for parent in dir.ancestors().skip(1) {
            if self.listed.contains(parent.as_os_str()) {
                return !self.seen.contains(child.as_os_str());
            }
            if self.seen.contains(parent.as_os_str()) {
                // it exists, unlisted (ignored, excluded): ask the disk
                return false;
            }
            child = parent;
        }
        false
    }

    /// The names (sorted, UTF-8 only) of the entries of `dir`, when the walk
    /// found a file it looked for there.
    pub fn entries(&self, dir: &Path) -> Option<&[String]> {
        self.entries.get(dir.as_os_str()).map(Vec::as_slice)
    }

    /// The listings of several walks as one.
    fn all(mut listings: Vec<Arc<Listing>>) -> Arc<Listing> {
        if listings.len() == 1
            && let Some(one) = listings.pop()
        {
            return one;
        }
        let mut all = Listing::default();
        for l in listings {
            all.listed.extend(l.listed.iter().cloned());
            all.seen.extend(l.seen.iter().cloned());
            all.entries
                .extend(l.entries.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        Arc::new(all)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{0}: no such file or directory")]
    Missing(PathBuf),
    #[error("no `deployment.toml` found under {0}")]
    NoNodes(String),
}

/// The file name of a project file.
pub const CONFIG_FILE: &str = "apimlint.toml";
/// The file name of a node file.
pub const NODE_FILE: &str = "deployment.toml";

/// Find the deployment root, `apimlint.toml` and node files for `paths`.
/// The root is the directory of the project file (`config`, or the nearest
/// `apimlint.toml` at or above the paths' common ancestor) when it holds that
/// ancestor, else the ancestor itself. Node files are every `deployment.toml`
/// under the directories given ([`walk`]) and every file named explicitly,
/// whatever its name; given files, the whole root is walked, since a change to
/// one node can break another. Paths are made absolute against `cwd`.
pub fn discover(
    cwd: &Path,
    paths: &[PathBuf],
    config: Option<&Path>,
) -> Result<Discovery, DiscoverError> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![cwd.to_path_buf()]
    } else {
        paths.to_vec()
    };
    let mut dirs = Vec::new();
    let mut explicit = Vec::new();
    for p in &paths {
        let abs = normalize(&cwd.join(p));
        let meta = std::fs::metadata(&abs).map_err(|_| DiscoverError::Missing(p.clone()))?;
        if meta.is_dir() {
            dirs.push(abs)
        } else {
            explicit.push(abs)
        }
    }
    let anchors: Vec<PathBuf> = dirs
        .iter()
        .cloned()
        .chain(
            explicit
                .iter()
                .map(|f| f.parent().map(Path::to_path_buf).unwrap_or_default()),
        )
        .collect();
    let common = common_ancestor(&anchors);
    let config = match config {
        Some(c) => Some(normalize(&cwd.join(c))),
        None => find_config(&common),
    };
    let root = match &config {
        Some(c) => match c.parent() {
            Some(dir) if common.starts_with(dir) => dir.to_path_buf(),
            _ => common.clone(),
        },
        None => common.clone(),
    };
    let mut walk_roots = dirs.clone();
    if !explicit.is_empty() {
        walk_roots.push(root.clone());
    }
    let shown = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let exclude = default_exclude(&root);
    let walk = Walk {
        roots: &walk_roots,
        explicit: &explicit,
        exclude: &exclude,
        nested: false,
        cache: None,
    };
    collect(root, config, &walk, &shown)
}

/// The walks a plan has made, for the next walk of the same directory with
/// the same exclusions to reuse: the walk for project files and the walk
/// for node files of a deployment are one walk.
#[derive(Debug, Default)]
pub struct WalkCache {
    walks: Mutex<Vec<CachedWalk>>,
}

/// One walk of [`WalkCache`]: its directory, exclusions and bound, and every
/// node file and project file it found.
#[derive(Debug)]
struct CachedWalk {
    dir: PathBuf,
    exclude: Exclude,
    bound: Option<PathBuf>,
    found: Arc<Walked>,
}

impl WalkCache {
    /// [`walk_linked`] of `dir` for the files named one of `names` (each a
    /// node file or a project file): the walk for both made once.
    pub fn walk(
        &self,
        dir: &Path,
        names: &[&str],
        exclude: &Exclude,
        bound: Option<&Path>,
    ) -> Walked {
        let all = self.all(dir, exclude, bound);
        Walked {
            files: all
                .files
                .iter()
                .filter(|(p, _)| p.file_name().is_some_and(|n| wanted_name(names, n)))
                .cloned()
                .collect(),
            listing: all.listing.clone(),
        }
    }

    fn all(&self, dir: &Path, exclude: &Exclude, bound: Option<&Path>) -> Arc<Walked> {
        let lock = || {
            self.walks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let hit = lock()
            .iter()
            .find(|w| w.dir == dir && w.exclude == *exclude && w.bound.as_deref() == bound)
            .map(|w| w.found.clone());
        if let Some(found) = hit {
            return found;
        }
        let found = Arc::new(walk_listing(dir, &[NODE_FILE, CONFIG_FILE], exclude, bound));
        lock().push(CachedWalk {
            dir: dir.to_path_buf(),
            exclude: exclude.clone(),
            bound: bound.map(Path::to_path_buf),
            found: found.clone(),
        });
        found
    }
}

/// What [`collect`] walks: directories, files named explicitly (kept
/// whatever their name and exclusions), what it skips, and the roots of
/// nested deployments, whose files are theirs.
#[derive(Debug, Clone, Copy)]
pub struct Walk<'a> {
    pub roots: &'a [PathBuf],
    pub explicit: &'a [PathBuf],
    pub exclude: &'a Exclude,
    /// Whether an `apimlint.toml` below the root starts a deployment of its
    /// own, whose node files are not this one's (not with `--config`).
    pub nested: bool,
    /// The walks already made by the plan this walk is part of.
    pub cache: Option<&'a WalkCache>,
}

/// The discovery of the deployment at `root`: every node file `walk` finds
/// (see [`walk`]) but those a nested `apimlint.toml` governs (with
/// `walk.nested`), with the files a symbolic link may lead out of `root`.
/// No node file: `NoNodes(shown)`.
pub fn collect(
    root: PathBuf,
    config: Option<PathBuf>,
    walk: &Walk<'_>,
    shown: &str,
) -> Result<Discovery, DiscoverError> {
    let mut files: Vec<PathBuf> = walk.explicit.to_vec();
    let mut may_escape: std::collections::HashSet<PathBuf> = files.iter().cloned().collect();
    let real = |p: &Path| std::fs::canonicalize(p).ok();
    let real_root = real(&root);
    let names: &[&str] = if walk.nested {
        &[NODE_FILE, CONFIG_FILE]
    } else {
        &[NODE_FILE]
    };
    let mut found = Vec::new();
    let mut nested: Vec<PathBuf> = Vec::new();
    let mut listings: Vec<Arc<Listing>> = Vec::new();
    for dir in walk.roots {
        // a walk root that is itself a link out of the deployment
        let outside = match (real(dir), &real_root) {
            (Some(d), Some(r)) => !d.starts_with(r),
            _ => true,
        };
        let walked = match walk.cache {
            Some(c) => c.walk(dir, names, walk.exclude, real_root.as_deref()),
            None => walk_listing(dir, names, walk.exclude, real_root.as_deref()),
        };
        listings.push(walked.listing);
        for (f, linked) in walked.files {
            if f.file_name().is_some_and(|n| n == CONFIG_FILE) {
                nested.extend(f.parent().filter(|d| *d != root).map(Path::to_path_buf));
            } else {
                found.push((f, linked || outside));
            }
        }
    }
    for (f, may_leave) in found {
        if nested.iter().any(|n| f.starts_with(n)) {
            continue;
        }
        if may_leave {
            may_escape.insert(f.clone());
        }
        files.push(f);
    }
    files.sort();
    files.dedup();
    // YAML files alone (unrelated ones, or none mentioning a node file) are
    // no deployment: the same error as an empty directory
    // (read bounded and within the root: a FIFO or a link to `/dev/zero`
    // named `x.yaml` neither blocks nor grows without end)
    let has_node = files.iter().any(|f| {
        let yaml = f.extension().is_some_and(|e| e == "yaml" || e == "yml");
        !yaml
            || DiskFs
                .raw_within(&root, f)
                .is_some_and(|b| mentions_node_file(&b))
    });
    if files.is_empty() || !has_node {
        return Err(DiscoverError::NoNodes(shown.to_owned()));
    }
    Ok(Discovery {
        root,
        config,
        files,
        may_escape: Some(may_escape),
        listing: Some(Listing::all(listings)),
    })
}

/// The paths of a command line, absolute: directories and other files.
pub(crate) fn classify(
    cwd: &Path,
    paths: &[PathBuf],
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), DiscoverError> {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        let abs = normalize(&cwd.join(p));
        let meta = std::fs::metadata(&abs).map_err(|_| DiscoverError::Missing(p.clone()))?;
        if meta.is_dir() {
            dirs.push(abs)
        } else {
            files.push(abs)
        }
    }
    Ok((dirs, files))
}

/// The deployment of a manifest stream read from standard input: rooted at
/// `cwd`, with the project file found from there (or `config`).
pub fn discover_stdin(cwd: &Path, config: Option<&Path>) -> Discovery {
    Discovery {
        root: cwd.to_path_buf(),
        config: match config {
            Some(c) => Some(normalize(&cwd.join(c))),
            None => find_config(cwd),
        },
        files: Vec::new(),
        may_escape: None,
        listing: None,
    }
}

/// `apimlint.toml` in `dir` or its parents, up to the repository root.
pub(crate) fn find_config(dir: &Path) -> Option<PathBuf> {
    for d in dir.ancestors() {
        let candidate = d.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            break;
        }
    }
    None
}

/// Every `deployment.toml` under `dir`: hidden directories included except
/// `.git`, `target/` and `node_modules/` skipped, `.gitignore` respected (the
/// directory's own, its parents' up to the repository root, and the
/// repository's `.git/info/exclude`), symlinks followed without loops.
/// Entries that are not regular files are kept, so that they become
/// `unreadable-file` findings, and so are dangling or looping symlinks named
/// `deployment.toml`.
///
/// A walk of its own rather than `ignore::Walk`: that one looks for `.git`,
/// `.gitignore` and `.git/info/exclude` with a `stat` each per directory,
/// which on a 10,000-node tree costs as much as parsing every file. Here a
/// directory's listing says whether it holds a `.gitignore`; subdirectories
/// are walked in parallel.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    walk_named(dir, NODE_FILE)
}

/// Every file called `name` under `dir`, walked as [`walk`] does (the
/// default exclusions relative to `dir`).
pub(crate) fn walk_named(dir: &Path, name: &str) -> Vec<PathBuf> {
    let bound = std::fs::canonicalize(dir).ok();
    walk_linked(dir, &[name], &default_exclude(dir), bound.as_deref())
        .into_iter()
        .map(|(p, _)| p)
        .collect()
}

/// The default exclusions ([`crate::config::DEFAULT_EXCLUDE`]'s list),
/// relative to `dir`.
pub(crate) fn default_exclude(dir: &Path) -> Exclude {
    let mut e = Exclude::default();
    e.add(
        dir,
        DEFAULT_EXCLUDE.iter().map(|s| (*s).to_owned()).collect(),
    );
    e
}

/// Directories discovery skips unless `apimlint.toml`'s `exclude` says
/// otherwise (as ruff's default `exclude`): version-control and
/// editor-history directories (a backup copy of a node is never a node),
/// build and package directories. `.git` is never walked, whatever
/// `exclude` says.
pub const DEFAULT_EXCLUDE: [&str; 7] = [
    ".bzr",
    ".hg",
    ".svn",
    ".history",
    ".git",
    "node_modules",
    "target",
];

/// Every file named one of `names` under `dir` (node files: YAML files too),
/// `exclude` skipped, each with whether a symbolic link (the file or a
/// directory under `dir`) was followed to reach it. `bound` is the real
/// path the walk stays in (the deployment root): a link to a directory
/// outside it is never walked (a node file right in it is kept, to be
/// refused unread: an `unreadable-file` finding naming where it leads), and
/// neither are `/proc`, `/sys` and `/dev` unless the bound is in them.
pub fn walk_linked(
    dir: &Path,
    names: &[&str],
    exclude: &Exclude,
    bound: Option<&Path>,
) -> Vec<(PathBuf, bool)> {
    walk_listing(dir, names, exclude, bound).files
}

/// What a walk found: the files (each with whether a link was followed to
/// reach it) and the directories it listed.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<(PathBuf, bool)>,
    pub listing: Arc<Listing>,
}

/// [`walk_linked`], with the directories the walk listed.
fn walk_listing(dir: &Path, names: &[&str], exclude: &Exclude, bound: Option<&Path>) -> Walked {
    let found = Mutex::new(Vec::new());
    let listing = Mutex::new(Listing::default());
    let ignores = parent_ignores(dir);
    let root = Visit {
        dir: dir.to_path_buf(),
        id: std::fs::metadata(dir).ok().and_then(|m| dir_id(&m)),
        linked: false,
    };
    let normal = normalize(dir);
    let cx = WalkCx {
        names,
        exclude,
        found: &found,
        listing: &listing,
        bound: Bound(bound),
        // below a normalised root every path is normalised already
        normal: normal.as_os_str() == dir.as_os_str(),
        // below a root nothing excludes, only an entry's own name or path
        // can make it excluded
        by_entry: !exclude.matches(&normal),
    };
    walk_dir(&root, &cx, &ignores, &[]);
    let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort();
    files.dedup();
    Walked {
        files,
        listing: Arc::new(listing.into_inner().unwrap_or_else(|e| e.into_inner())),
    }
}

/// What a walk looks for, what it skips, where it may go, and where it
/// puts what it found.
struct WalkCx<'a> {
    names: &'a [&'a str],
    exclude: &'a Exclude,
    found: &'a Mutex<Vec<(PathBuf, bool)>>,
    listing: &'a Mutex<Listing>,
    bound: Bound<'a>,
    /// The root is normalised (so is every path below it).
    normal: bool,
    /// [`Exclude::matches_entry`] answers for every entry (the root is not
    /// excluded).
    by_entry: bool,
}

impl WalkCx<'_> {
    /// `p` normalised.
    fn normal<'p>(&self, p: &'p Path) -> std::borrow::Cow<'p, Path> {
        if self.normal {
            std::borrow::Cow::Borrowed(p)
        } else {
            std::borrow::Cow::Owned(normalize(p))
        }
    }

    /// What the walk of `dir` found (`files`, each with whether a link led
    /// to it), its `entries`, and the directories it `seen`.
    fn record(
        &self,
        dir: &Path,
        entries: &[std::fs::DirEntry],
        files: &[(PathBuf, bool)],
        seen: Vec<PathBuf>,
    ) {
        if !files.is_empty()
            && let Ok(mut f) = self.found.lock()
        {
            f.extend(files.iter().map(|(p, l)| (self.normal(p).into_owned(), *l)));
        }
        // the names a home's reader lists, kept where the walk found a file
        let names = (!files.is_empty()).then(|| sorted_names(entries));
        if let Ok(mut l) = self.listing.lock() {
            let dir = self.normal(dir).into_owned().into_os_string();
            if let Some(names) = names {
                l.entries.insert(dir.clone(), names);
            }
            l.listed.insert(dir);
            l.seen.extend(
                seen.into_iter()
                    .map(|p| self.normal(&p).into_owned().into_os_string()),
            );
        }
    }

    /// Whether the walk's exclusions skip `path`, an entry of a directory
    /// it walks.
    fn excluded(&self, path: &Path) -> bool {
        let path = self.normal(path);
        if self.by_entry {
            self.exclude.matches_entry(&path)
        } else {
            self.exclude.matches(&path)
        }
    }
}

/// The real path a walk stays in.
#[derive(Clone, Copy)]
struct Bound<'a>(Option<&'a Path>);

/// Whether `p` lies in `/proc`, `/sys` or `/dev`.
fn system(p: &Path) -> bool {
    ["/proc", "/sys", "/dev"].iter().any(|d| p.starts_with(d))
}

impl Bound<'_> {
    /// Whether the walk may enter the directory at `path` (reached through
    /// a symbolic link when `link`).
    fn admits(self, path: &Path, link: bool) -> bool {
        let Some(bound) = self.0 else {
            return !link;
        };
        let real = if link {
            match std::fs::canonicalize(path) {
                Ok(r) => r,
                Err(_) => return false,
            }
        } else {
            path.to_path_buf()
        };
        (!link || real.starts_with(bound)) && (!system(&real) || system(bound))
    }
}

/// A directory to walk, its (device, inode) for loop detection, and whether
/// a symbolic link was followed to reach it.
struct Visit {
    dir: PathBuf,
    id: Option<(u64, u64)>,
    linked: bool,
}

#[cfg(unix)]
fn dir_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dir_id(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// A plain directory entry's (device, inode) without a `stat`: the inode
/// from the listing, the device of its parent.
#[cfg(unix)]
fn entry_id(e: &std::fs::DirEntry, parent: Option<(u64, u64)>) -> Option<(u64, u64)> {
    use std::os::unix::fs::DirEntryExt;
    parent.map(|(dev, _)| (dev, e.ino()))
}

#[cfg(not(unix))]
fn entry_id(_e: &std::fs::DirEntry, _parent: Option<(u64, u64)>) -> Option<(u64, u64)> {
    None
}

/// The gitignore files in force, outermost first.
type Ignores = Vec<Arc<Gitignore>>;

/// A gitignore file rooted at `root`, if it exists and has patterns. A file
/// that is partly unreadable still applies what could be read (its lines
/// that are not UTF-8 are skipped, as `git` and `ignore` do). Read by the
/// bounded reader: a FIFO or a link to `/dev/zero` named `.gitignore`
/// neither blocks nor grows.
fn gitignore(root: &Path, file: &Path) -> Option<Arc<Gitignore>> {
    let bytes = read_bytes(file).ok()?;
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    for (i, line) in bytes.split(|c| *c == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Ok(line) = std::str::from_utf8(line) else {
            continue;
        };
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        let _bad_glob = b.add_line(Some(file.to_path_buf()), line);
    }
    b.build()
        .ok()
        .filter(|g| g.num_ignores() + g.num_whitelists() > 0)
        .map(Arc::new)
}

/// `.gitignore` files of the walk root's parents, outermost first, up to the
/// repository root (the directory holding `.git`) and its `.git/info/exclude`.
fn parent_ignores(dir: &Path) -> Ignores {
    let mut out = Vec::new();
    for d in dir.ancestors().skip(1) {
        out.extend(gitignore(d, &d.join(".gitignore")));
        if d.join(".git").exists() {
            out.extend(gitignore(d, &d.join(".git/info/exclude")));
            break;
        }
    }
    out.reverse();
    out
}

/// Whether the innermost gitignore with an opinion ignores `path`.
fn ignored(ignores: &[Arc<Gitignore>], path: &Path, is_dir: bool) -> bool {
    for g in ignores.iter().rev() {
        let m = g.matched(path, is_dir);
        if m.is_ignore() {
            return true;
        }
        if m.is_whitelist() {
            return false;
        }
    }
    false
}

/// Whether a walk for `wanted` keeps a file called `name`: a walk for node
/// files also keeps YAML files (manifest streams and Compose files; the
/// loader skips those that do not mention `deployment.toml`).
fn wanted_name(wanted: &[&str], name: &std::ffi::OsStr) -> bool {
    wanted.iter().any(|w| name == *w)
        || (wanted.contains(&NODE_FILE)
            && name
                .to_str()
                .is_some_and(|n| n.ends_with(".yaml") || n.ends_with(".yml")))
}

fn walk_dir(v: &Visit, cx: &WalkCx<'_>, inherited: &[Arc<Gitignore>], ancestors: &[(u64, u64)]) {
    let wanted = cx.names;
    use rayon::prelude::*;
    let Ok(entries) = std::fs::read_dir(&v.dir) else {
        return;
    };
    let entries: Vec<std::fs::DirEntry> = entries.flatten().collect();
    let mut ignores: Ignores = inherited.to_vec();
    let has = |name: &str| entries.iter().any(|e| e.file_name() == name);
    if has(".git") {
        ignores.extend(gitignore(&v.dir, &v.dir.join(".git/info/exclude")));
    }
    if has(".gitignore") {
        ignores.extend(gitignore(&v.dir, &v.dir.join(".gitignore")));
    }
    let mut chain = ancestors.to_vec();
    chain.extend(v.id);
    let mut subdirs = Vec::new();
    let mut files = Vec::new();
    let mut seen = Vec::new();
    for e in &entries {
        let path = e.path();
        let name = e.file_name();
        let Ok(mut ft) = e.file_type() else { continue };
        let mut id = None;
        let link = ft.is_symlink();
        if link {
            // a link: seen as what it leads to, if anything (the walk's
            // listing then knows nothing of it)
            seen.push(path.clone());
            match std::fs::metadata(&path) {
                Ok(m) => {
                    ft = m.file_type();
                    id = dir_id(&m);
                }
                Err(_) => {
                    if wanted.iter().any(|w| name == *w)
                        && !ignored(&ignores, &path, false)
                        && !cx.excluded(&path)
                    {
                        files.push((path, true));
                    }
                    continue;
                }
            }
        }
        let is_dir = ft.is_dir();
        if is_dir && !link {
            seen.push(path.clone());
        }
        if is_dir && name == ".git" {
            continue;
        }
        if ignored(&ignores, &path, is_dir) || cx.excluded(&path) {
            continue;
        }
        if wanted.iter().any(|w| name == *w) || (!is_dir && wanted_name(wanted, &name)) {
            files.push((path.clone(), v.linked || link));
        }
        if is_dir {
            let id = id.or_else(|| entry_id(e, v.id));
            // a symlink back to a directory being walked
            if id.is_some_and(|i| chain.contains(&i)) {
                continue;
            }
            if !cx.bound.admits(&path, link) {
                let node = path.join(NODE_FILE);
                if link && wanted.contains(&NODE_FILE) && std::fs::symlink_metadata(&node).is_ok() {
                    files.push((node, true));
                }
                continue;
            }
            subdirs.push(Visit {
                dir: path,
                id,
                linked: v.linked || link,
            });
        }
    }
    cx.record(&v.dir, &entries, &files, seen);
    subdirs
        .par_iter()
        .for_each(|sub| walk_dir(sub, cx, &ignores, &chain));
}

pub use crate::base::files::{Exclude, normalize};

pub(crate) fn common_ancestor(paths: &[PathBuf]) -> PathBuf {
    let mut iter = paths.iter();
    let Some(first) = iter.next() else {
        return PathBuf::from("/");
    };
    let mut common = first.clone();
    for p in iter {
        while !p.starts_with(&common) {
            if !common.pop() {
                return PathBuf::from("/");
            }
        }
    }
    common
}

/// `path` relative to `base`, `/`-separated; falls back to the full path.
pub fn relative(path: &Path, base: &Path) -> String {
    let rel = match path.strip_prefix(base) {
        Ok(r) => r.to_path_buf(),
        Err(_) => {
            // walk up from base to find a common prefix, emitting `..`
            let mut up = PathBuf::new();
            let mut b = base.to_path_buf();
            loop {
                if let Ok(r) = path.strip_prefix(&b) {
                    break up.join(r);
                }
                if !b.pop() {
                    break path.to_path_buf();
                }
                up.push("..");
            }
        }
    };
    let s = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if s.is_empty() { ".".into() } else { s }
}

/// The deployments of an editor's workspace folder: each directory under
/// `folder` holding an `apimlint.toml`; the
/// deployment `folder` belongs to when an `apimlint.toml` sits above it; and
/// `folder` itself when it holds node files that no such directory covers.
pub(crate) fn deployment_roots(folder: &Path) -> Vec<PathBuf> {
    let folder = normalize(folder);
    let mut roots: Vec<PathBuf> = walk_named(&folder, CONFIG_FILE)
        .into_iter()
        .filter_map(|c| c.parent().map(Path::to_path_buf))
        .collect();
    if roots.contains(&folder) {
        // the folder is a deployment: nested project files start their own
    } else if let Some(above) = find_config(&folder).and_then(|c| c.parent().map(Path::to_path_buf))
    {
        roots.push(above);
    } else if walk(&folder)
        .iter()
        .any(|f| !roots.iter().any(|r| f.starts_with(r)))
    {
        roots.push(folder);
    }
    roots.sort();
    roots.dedup();
    roots
}

/// The node files of the deployment at `root` among `roots`: every
/// `deployment.toml` under it that no nested root claims.
///
/// A deployment at the top of the file system (a file opened alone as
/// `/deployment.toml`) is never walked: that would be the whole machine.
pub(crate) fn deployment_files(root: &Path, roots: &[PathBuf], exclude: &Exclude) -> Vec<PathBuf> {
    if root.parent().is_none() {
        return Vec::new();
    }
    let bound = std::fs::canonicalize(root).ok();
    walk_linked(root, &[NODE_FILE], exclude, bound.as_deref())
        .into_iter()
        .map(|(f, _)| f)
        .filter(|f| nearest_root(f, roots).is_none_or(|r| r == root))
        .collect()
}

/// The deepest of `roots` that holds `path`.
pub(crate) fn nearest_root<'a>(path: &Path, roots: &'a [PathBuf]) -> Option<&'a PathBuf> {
    roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.components().count())
}

/// Replace the file at `path` with `contents` atomically: a temporary file in
/// the same directory, then a rename over it. A symbolic link is followed, so
/// the link stays and its target is replaced.
///
/// The temporary file is created exclusively (`O_EXCL`, so never through a
/// link planted in its place) with the original's permission bits from the
/// start — never readable by more users than the original, not even while
/// it is being filled — and given the original's owner and group before the
/// contents are written (best effort: only root may give a file away), then
/// the original's exact mode. A read-only file, or one with other hard
/// links (a rename would split them: the other names would keep the old
/// text), is refused, not replaced.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let target = std::fs::canonicalize(path)?;
    let dir = target
        .parent()
        .ok_or_else(|| std::io::Error::other("the file has no directory"))?;
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let meta = std::fs::metadata(&target)?;
    refuse_replacing(&meta)?;
    let perms = meta.permissions();
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.apimlint-{}-{n}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            // the original's bits (less the umask) from the first instant
            options.mode(perms.mode() & 0o777);
        }
        match options.open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // best effort: keeps the owner and group when run as root (or the
        // group, for a member of it); else the file is the writer's
        let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
    }
    let written = file
        .write_all(contents)
        .and_then(|()| file.set_permissions(perms))
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, &target));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Why a file must not be replaced: it is read-only, or other hard links
/// share it.
fn refuse_replacing(meta: &std::fs::Metadata) -> std::io::Result<()> {
    if meta.permissions().readonly() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only; not replaced (make it writable to fix it)",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(std::io::Error::other(format!(
                "the file has {} hard links; replacing it would leave the other names with the old text, so it is not written",
                meta.nlink()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b/c"), Path::new("/a")), "b/c");
        assert_eq!(relative(Path::new("/a/x"), Path::new("/a/b")), "../x");
        assert_eq!(relative(Path::new("/a"), Path::new("/a")), ".");
    }

    /// A scratch tree of `(path, content)`; a path ending in `/` is a directory.
    fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("apimlint-vfs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (p, text) in files {
            let path = dir.join(p);
            if p.ends_with('/') {
                std::fs::create_dir_all(&path).unwrap_or_default();
            } else {
                std::fs::create_dir_all(path.parent().unwrap_or(&dir)).unwrap_or_default();
                std::fs::write(&path, text).unwrap_or_default();
            }
        }
        dir
    }

    fn found(dir: &Path) -> Vec<String> {
        walk(dir).iter().map(|p| relative(p, dir)).collect()
    }

    #[test]
    fn walk_respects_gitignore_and_skips_tool_dirs() {
        let dir = scratch(
            "walk",
            &[
                (".git/", ""),
                (".git/info/exclude", "excluded/\n"),
                (".gitignore", "old/\n*.bak/\n!keep.bak/\n"),
                ("a/deployment.toml", ""),
                ("old/deployment.toml", ""),
                ("x.bak/deployment.toml", ""),
                ("keep.bak/deployment.toml", ""),
                ("excluded/deployment.toml", ""),
                ("b/.gitignore", "c/\n"),
                ("b/c/deployment.toml", ""),
                ("b/d/deployment.toml", ""),
                (".hidden/deployment.toml", ""),
                ("target/deployment.toml", ""),
                ("node_modules/x/deployment.toml", ""),
                (".git/deployment.toml", ""),
            ],
        );
        assert_eq!(
            found(&dir),
            [
                ".hidden/deployment.toml",
                "a/deployment.toml",
                "b/d/deployment.toml",
                "keep.bak/deployment.toml"
            ]
        );
        // a parent's .gitignore applies to a walk of a subdirectory
        let sub = found(&dir.join("b"));
        assert_eq!(sub, ["d/deployment.toml"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn walk_follows_symlinks_without_loops() {
        let dir = scratch("links", &[("real/deployment.toml", ""), ("tree/a/", "")]);
        let link = |to: &str, at: &str| {
            std::os::unix::fs::symlink(to, dir.join(at)).unwrap_or_default();
        };
        link("../../real", "tree/a/linked");
        link("..", "tree/a/up");
        link("../..", "tree/a/upup");
        link("deployment.toml", "tree/a/deployment.toml");
        let f = found(&dir.join("tree"));
        // `up` leads back into the walk (a loop); `upup` and `linked` lead
        // out of it: never walked (a node file right in `linked` is kept,
        // to be refused unread), so `upup/real/…` is not found
        assert_eq!(f, ["a/deployment.toml", "a/linked/deployment.toml"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn common() {
        let c = common_ancestor(&[
            PathBuf::from("/a/b/c"),
            PathBuf::from("/a/b/d"),
            PathBuf::from("/a/b"),
        ]);
        assert_eq!(c, PathBuf::from("/a/b"));
    }
}
