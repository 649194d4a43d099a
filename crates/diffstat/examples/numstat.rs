//! Prints `added<TAB>removed<TAB>path` per file of a diff, like `git apply --numstat`
//! (a debugging aid; the product's command is `vcscope stat`).
fn main() -> std::io::Result<()> {
    for path in std::env::args().skip(1) {
        let text = std::fs::read(&path)?;
        let stat = vcscope_diffstat::diffstat(&text);
        for f in &stat.files {
            if f.binary {
                println!("-\t-\t{}", f.path);
            } else {
                println!("{}\t{}\t{}", f.added, f.removed, f.path);
            }
        }
        for w in &stat.warnings {
            eprintln!("{path}:{}: {}", w.line, w.message);
        }
    }
    Ok(())
}
