//! The run's own folder ([`RunFolder`]) and staging a submission into it ([`stage`]).
//!
//! The program runs on a copy, in a folder owned by its (unprivileged) user and removed after
//! the run, so it can neither change the student's files nor leave files behind. Where the
//! grader has a mount namespace of its own, the folder is a size-limited tmpfs: whatever the
//! program writes there is bounded in bytes and files, and gone at once when the run ends. The
//! copy is bounded and never follows symbolic links.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::confinement::has_private_mounts;

/// A run's own folder on the machine. Dropping it unmounts and removes it.
#[derive(Debug)]
pub struct RunFolder {
    dir: tempfile::TempDir,
    mounted: bool,
}

impl RunFolder {
    /// A fresh folder, private (mode 0700), owned by `owner` when given, with room for the
    /// submission (at most [`MAX_BYTES`] and [`MAX_FILES`]) plus `spare_bytes` and
    /// `spare_files`.
    pub fn create(
        owner: Option<(u32, u32)>,
        spare_bytes: u64,
        spare_files: u64,
    ) -> io::Result<RunFolder> {
        let dir = tempfile::Builder::new().prefix("netgrade-run-").tempdir()?;
        let mut mounted = false;
        if has_private_mounts() {
            let (uid, gid) = owner.unwrap_or((0, 0));
            let options = format!(
                "size={},nr_inodes={},mode=0700,uid={uid},gid={gid}",
                MAX_BYTES + spare_bytes,
                MAX_FILES as u64 + spare_files
            );
            let target = CString::new(dir.path().as_os_str().as_bytes())?;
            let options = CString::new(options)?;
            // SAFETY: mount reads the two C strings, alive for the call.
            let result = unsafe {
                libc::mount(
                    c"tmpfs".as_ptr(),
                    target.as_ptr(),
                    c"tmpfs".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV,
                    options.as_ptr().cast(),
                )
            };
            mounted = result == 0;
        }
        if !mounted {
            fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700))?;
            if let Some((uid, gid)) = owner {
                std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))?;
            }
        }
        Ok(RunFolder { dir, mounted })
    }

    /// Where it is on the machine.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if self.mounted
            && let Ok(target) = CString::new(self.dir.path().as_os_str().as_bytes())
        {
            // SAFETY: umount2 reads the C string, alive for the call.
            unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
        }
    }
}

/// The files a program's runs get, copied once from the submission into a folder the grader
/// owns (see `crate::submission`); each run gets a copy of it in its own folder.
#[derive(Debug)]
pub struct Snapshot {
    dir: tempfile::TempDir,
}

impl Snapshot {
    /// An empty snapshot: a fresh folder only the grader can read.
    pub fn new() -> io::Result<Snapshot> {
        let dir = tempfile::Builder::new()
            .prefix("netgrade-submission-")
            .tempdir()?;
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700))?;
        Ok(Snapshot { dir })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Copies a snapshot into a run's folder, owned by `owner` when given. A snapshot holds only
/// folders and regular files the grader made, so this follows no link and is bounded.
pub fn copy_snapshot(snapshot: &Path, folder: &Path, owner: Option<(u32, u32)>) -> io::Result<()> {
    for entry in fs::read_dir(snapshot)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = folder.join(entry.file_name());
        if kind.is_dir() {
            fs::create_dir(&target)?;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o755))?;
            copy_snapshot(&entry.path(), &target, owner)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)?;
        } else {
            continue;
        }
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&target, Some(uid), Some(gid))?;
        }
    }
    Ok(())
}

/// Most files a submission may hold.
pub const MAX_FILES: usize = 500;
/// Most bytes a submission may hold.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;
