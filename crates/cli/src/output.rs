//! Where results go: stdout, or a file that appears only once it is complete
//! (written to a temporary file beside it, then renamed over it).

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Calls `write` with stdout, or with a temporary file that replaces `path` only
/// when `write` succeeded.
pub fn write_atomically(path: Option<&Path>, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let Some(path) = path else {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        write(&mut lock)?;
        return lock.flush().context("cannot write to stdout");
    };
    // A device or pipe (`-o /dev/null`, a FIFO) is written in place: renaming a
    // file over it would replace the device.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        write(&mut file)?;
        return file.flush().with_context(|| format!("cannot write {}", path.display()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".vcscope-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    // A temporary file is private (0600); the result gets the usual 0644, or keeps
    // the mode of the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot set the permissions of {}", path.display()))?;
    }
    write(tmp.as_file_mut())?;
    tmp.as_file_mut().flush().with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
