//! The one function that turns a backend choice into a `Source`. Adding a backend
//! means adding one arm here (and its crate); nothing else in the binary changes.

use anyhow::{bail, Result};
use vcscope_core::Source;
use vcscope_cvs::CvsSource;
use vcscope_git::GitSource;
use vcscope_patch::{PatchOptions, PatchSource};

use crate::config::{BackendKind, IngestConfig};

/// Opens the source the configuration names.
pub fn open_source(config: &IngestConfig) -> Result<Box<dyn Source>> {
    match config.backend {
        BackendKind::Patch => {
            Ok(Box::new(PatchSource::new(config.paths.clone(), PatchOptions { author: config.author.clone() })))
        }
        BackendKind::Git => {
            let [path] = config.paths.as_slice() else {
                bail!("the git backend reads one repository at a time; {} paths were given", config.paths.len());
            };
            Ok(Box::new(GitSource::open(path, config.git.clone())?))
        }
        BackendKind::Cvsps => {
            let [path] = config.paths.as_slice() else {
                bail!("the cvsps backend reads one repository at a time; {} paths were given", config.paths.len());
            };
            Ok(Box::new(CvsSource::open(path, config.cvs.clone())?))
        }
    }
}

/// (name, available, what it reads) for `vcscope backends`.
pub fn backends() -> Vec<(&'static str, bool, &'static str)> {
    vec![
        ("patch", true, "patch files, folders of patches, format-patch mails, mboxes, git log -p, hg export"),
        ("git", true, "Git repositories: work trees, bare repositories, shallow clones"),
        ("cvsps", on_path("cvsps") && on_path("cvs"), "CVS repositories (local) through cvsps; needs cvsps and cvs"),
    ]
}

/// Whether `program` is on PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}
