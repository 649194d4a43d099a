//! The chart (`vcscope chart` and `vcscope render`): circle areas and colours checked
//! against the commit stream, PNG pixels, the config file, milestones from real Git
//! tags, odd histories, bad input, and an SVG snapshot.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, jsonl, run, vcscope};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Okabe–Ito colours in the order the chart hands them out (light theme).
const PALETTE: [&str; 8] = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000"];

/// One commit of a hand-written stream.
fn line(id: &str, time: &str, author: &str, email: &str, added: u64, removed: u64) -> String {
    serde_json::json!({
        "id": id, "time": time, "author": {"name": author, "email": email}, "message": format!("commit {id}"),
        "parents": [], "added": added, "removed": removed,
        "files": [{"path": "f.c", "added": added, "removed": removed, "binary": false, "status": "modified"}],
    })
    .to_string()
}

fn small_stream() -> String {
    [
        line("c1", "2009-01-05T10:00:00Z", "Ada Byron", "ada@example.org", 100, 0),
        line("c2", "2009-02-10T10:00:00Z", "Ada Byron", "ada@example.org", 20, 5),
        line("c3", "2009-02-20T10:00:00Z", "Brian Kern", "bwk@example.org", 40, 10),
        line("c4", "2009-03-01T10:00:00Z", "Brian Kern", "bwk@example.org", 0, 0),
        line("c5", "2009-03-20T10:00:00Z", "Chen <Wei> & co", "chen@example.org", 5, 1),
    ]
    .join("\n")
        + "\n"
}

/// Runs `vcscope render` on `stream` with `args`; returns (exit ok, stderr, dir).
fn render(stream: &str, args: &[&str]) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.jsonl"), stream).unwrap();
    let out = vcscope().arg("render").arg("s.jsonl").args(args).current_dir(dir.path()).output().unwrap();
    (out, dir)
}

fn svg_of(stream: &str, args: &[&str]) -> String {
    let (out, dir) = render(stream, &[&["--no-config", "-o", "c.svg"], args].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(dir.path().join("c.svg")).unwrap()
}

/// Commit circles: (commit id, author, r, fill, dashed).
fn circles(svg: &str) -> Vec<(String, String, f64, String, bool)> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("data-commit").is_some())
        .map(|n| {
            (
                n.attribute("data-commit").unwrap().to_owned(),
                n.attribute("data-author").unwrap().to_owned(),
                n.attribute("r").unwrap().parse().unwrap(),
                n.attribute("fill").unwrap().to_owned(),
                n.attribute("stroke-dasharray").is_some(),
            )
        })
        .collect()
}

/// Every text run's words (the `aria-label` of its glyph group).
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants().filter_map(|n| n.attribute("aria-label").map(str::to_owned)).collect()
}

#[test]
fn circle_areas_and_colours_follow_the_commits_of_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("s.jsonl");
    vcscope().args(["ingest", "-q", "-o"]).arg(&stream).arg(root().join("fixtures/example")).assert().success();
    let commits = jsonl(&std::fs::read(&stream).unwrap());
    vcscope().arg("render").arg(&stream).args(["--no-config", "-o"]).arg(dir.path().join("c.svg")).assert().success();
    let svg = std::fs::read_to_string(dir.path().join("c.svg")).unwrap();
    let drawn = circles(&svg);
    assert_eq!(drawn.len(), commits.len(), "one circle per commit");

    let lines = |id: &str| {
        let c = commits.iter().find(|c| c["id"] == id).unwrap();
        c["added"].as_u64().unwrap() + c["removed"].as_u64().unwrap()
    };
    // Area ∝ lines: r / sqrt(lines) is one constant for every ordinary circle, up to
    // the 0.005 rounding of r in the file.
    let ordinary: Vec<_> = drawn.iter().filter(|c| !c.4 && lines(&c.0) > 0).collect();
    let mut k: Vec<f64> = ordinary.iter().map(|c| c.2 / (lines(&c.0) as f64).sqrt()).collect();
    k.sort_by(f64::total_cmp);
    let k = k[k.len() / 2];
    for c in &ordinary {
        let want = k * (lines(&c.0) as f64).sqrt();
        assert!(
            (c.2 - want).abs() <= 0.006 + want * 1e-4,
            "commit {}: r {} but {} lines want r {want}",
            c.0,
            c.2,
            lines(&c.0)
        );
    }
    // The one outlier (a whole file removed and added back) is capped: drawn at the
    // largest ordinary size, dashed, and listed.
    let capped: Vec<_> = drawn.iter().filter(|c| c.4).collect();
    assert_eq!(capped.len(), 1, "{capped:?}");
    let largest = ordinary.iter().map(|c| c.2).fold(0.0, f64::max);
    assert!((capped[0].2 - largest).abs() < 0.01);
    assert!(lines(&capped[0].0) > ordinary.iter().map(|c| lines(&c.0)).max().unwrap() * 2);
    assert!(texts(&svg).iter().any(|t| t.starts_with(&capped[0].0[..10])), "the outlier is listed in the SVG");

    // Colours: people ranked by lines changed, computed here from the stream, get
    // the palette in order; every circle has its author's colour.
    let mut people: std::collections::BTreeMap<String, u64> = Default::default();
    for c in &commits {
        *people.entry(c["author"]["name"].as_str().unwrap().to_owned()).or_default() +=
            c["added"].as_u64().unwrap() + c["removed"].as_u64().unwrap();
    }
    let mut ranked: Vec<_> = people.into_iter().collect();
    ranked.sort_by_key(|p| std::cmp::Reverse(p.1));
    for c in &drawn {
        let rank = ranked.iter().position(|p| p.0 == c.1).unwrap();
        assert_eq!(c.3, PALETTE[rank], "commit {} by {}", c.0, c.1);
    }
}

#[test]
fn svg_snapshot_of_a_small_history() {
    let svg = svg_of(&small_stream(), &["--milestone", "2009-03-15=Paper <submitted>", "--title", "Small & \"odd\""]);
    // Text is escaped wherever it appears.
    assert!(svg.contains("Small &amp; &quot;odd&quot;"));
    assert!(svg.contains("Chen &lt;Wei&gt; &amp; co"));
    assert!(!svg.contains("<Wei>"));
    insta::assert_snapshot!("small_chart_svg", svg);
}

#[test]
fn png_has_the_asked_size_and_the_authors_colours() {
    let stream = small_stream();
    let svg = svg_of(&stream, &["--size", "800x500"]);
    let (out, dir) = render(&stream, &["--no-config", "--size", "800x500", "--scale", "2", "-o", "c.png"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(dir.path().join("c.png")).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1600, 1000));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let pixel = |x: f64, y: f64| {
        let i = ((y * 2.0) as usize * info.width as usize + (x * 2.0) as usize) * 3;
        (buf[i], buf[i + 1], buf[i + 2])
    };
    // Centres of circles no other circle touches: their colour is the author's,
    // at the chart's opacity (0.55) over the plot's background (#f7f7f7).
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let all: Vec<(f64, f64, f64, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("data-commit").is_some())
        .map(|n| {
            let f = |a| n.attribute(a).unwrap().parse::<f64>().unwrap();
            (f("cx"), f("cy"), f("r"), n.attribute("fill").unwrap().to_owned())
        })
        .collect();
    let mut checked = 0;
    for (i, (x, y, r, fill)) in all.iter().enumerate() {
        let alone = all
            .iter()
            .enumerate()
            .all(|(j, o)| j == i || ((o.0 - x).powi(2) + (o.1 - y).powi(2)).sqrt() > r + o.2 + 2.0);
        if !alone || fill == "none" || *r < 3.0 {
            continue;
        }
        let hex = u32::from_str_radix(&fill[1..], 16).unwrap();
        let want =
            [(hex >> 16) & 255, (hex >> 8) & 255, hex & 255].map(|c| (c as f64 * 0.55 + 247.0 * 0.45).round() as i32);
        let got = pixel(*x, *y);
        let got = [got.0 as i32, got.1 as i32, got.2 as i32];
        assert!(
            got.iter().zip(want).all(|(g, w)| (g - w).abs() <= 2),
            "centre of {fill} circle at ({x},{y}): {got:?}, want {want:?}"
        );
        checked += 1;
    }
    assert!(checked >= 2, "too few lone circles to check");
    // The background outside the plot is white.
    assert_eq!(pixel(2.0, 2.0), (255, 255, 255));
}

#[test]
fn odd_histories_draw_a_sensible_picture() {
    // Empty: a picture that says so, and a warning.
    let (out, dir) = render("", &["--no-config", "-o", "c.svg"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no commits to draw"));
    assert!(
        texts(&std::fs::read_to_string(dir.path().join("c.svg")).unwrap()).contains(&"No commits to draw".to_owned())
    );

    // One commit, one author.
    let one = line("only", "2009-01-05T10:00:00Z", "Ada", "a@x", 3, 1);
    let svg = svg_of(&one, &[]);
    assert_eq!(circles(&svg).len(), 1);
    assert!(texts(&svg).iter().any(|t| t.starts_with("1 commit · 1 person")));

    // 60 authors: eight named, the rest grouped.
    let many: String = (0..60)
        .map(|i| {
            line(&format!("m{i}"), &format!("2009-01-{:02}T10:00:00Z", 1 + i % 28), &format!("P{i}"), "", 100 - i, 0)
                + "\n"
        })
        .collect();
    let svg = svg_of(&many, &[]);
    assert!(texts(&svg).contains(&"others (52 people)".to_owned()), "{:?}", texts(&svg));
    let greys = circles(&svg).iter().filter(|c| c.3 == "#999999").count();
    assert_eq!(greys, 52);

    // Thirty years, before 1970 and in the future, and commits with no lines.
    let span = [
        line("old", "1965-06-01T00:00:00Z", "Ada", "a@x", 10, 0),
        line("zero", "1980-01-01T00:00:00Z", "Ada", "a@x", 0, 0),
        line("new", "2095-06-01T00:00:00Z", "Brian", "b@x", 10, 5),
    ]
    .join("\n");
    let svg = svg_of(&span, &[]);
    let labels = texts(&svg);
    assert!(labels.contains(&"1960".to_owned()) || labels.contains(&"1970".to_owned()), "{labels:?}");
    assert!(labels.contains(&"2090".to_owned()), "{labels:?}");
    let zero = circles(&svg).into_iter().find(|c| c.0 == "zero").unwrap();
    assert_eq!((zero.2, zero.3.as_str()), (2.5, "none"), "a commit with no lines is a small ring");
}

#[test]
fn config_file_merges_identities_and_fixes_colours() {
    let stream = [
        line("a1", "2009-01-05T10:00:00Z", "ada", "ada@cvs.example.org", 10, 0),
        line("a2", "2009-02-05T10:00:00Z", "Ada Byron", "ada@old.example.org", 10, 0),
        line("a3", "2009-03-05T10:00:00Z", "A. Byron", "ada@new.example.org", 10, 0),
        line("b1", "2009-03-06T10:00:00Z", "Brian", "b@x", 50, 0),
        line("b2", "2010-03-06T10:00:00Z", "Brian", "b@x", 50, 0),
    ]
    .join("\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.jsonl"), &stream).unwrap();
    std::fs::write(
        dir.path().join("vcscope.toml"),
        "[chart]\ntitle = \"Configured\"\nuntil = \"2009-12-31\"\n\n[authors]\n\"Ada Byron\" = [\"ada\", \"ada@new.example.org\"]\n\n\
         [colors]\n\"Ada Byron\" = \"#123456\"\n\n[[milestone]]\ndate = \"2009-02-01\"\nlabel = \"Kick-off\"\n",
    )
    .unwrap();
    let out = vcscope().args(["render", "s.jsonl", "-o", "c.svg"]).current_dir(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let svg = std::fs::read_to_string(dir.path().join("c.svg")).unwrap();
    let drawn = circles(&svg);
    assert_eq!(drawn.len(), 4, "--until from the config leaves out b2");
    for c in drawn.iter().filter(|c| c.0.starts_with('a')) {
        assert_eq!((c.1.as_str(), c.3.as_str()), ("Ada Byron", "#123456"));
    }
    let labels = texts(&svg);
    assert!(labels.contains(&"Configured".to_owned()));
    assert!(labels.contains(&"1 Kick-off".to_owned()));
    assert!(labels.iter().any(|t| t.starts_with("4 commits · 2 people")), "{labels:?}");
    // The command line wins over the file.
    let out = vcscope()
        .args(["render", "s.jsonl", "-o", "d.svg", "--title", "Mine"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(texts(&std::fs::read_to_string(dir.path().join("d.svg")).unwrap()).contains(&"Mine".to_owned()));
    // A misspelt key is an error that names the file.
    std::fs::write(dir.path().join("vcscope.toml"), "[chart]\ntitel = \"x\"\n").unwrap();
    let out = vcscope().args(["render", "s.jsonl", "-o", "e.svg"]).current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("vcscope.toml") && err.contains("titel"), "{err}");
    assert!(!dir.path().join("e.svg").exists());
}

#[test]
fn bad_chart_input_is_a_clear_error_and_writes_nothing() {
    let stream = small_stream();
    for (args, words) in [
        (vec!["--size", "big"], "WIDTHxHEIGHT"),
        (vec!["--size", "50x50"], "too small"),
        (vec!["--size", "15000x15000"], "too large"),
        (vec!["--milestone", "soon"], "DATE=LABEL"),
        (vec!["--milestone", "2009-13-45=x"], "not a date"),
        (vec!["--since", "yesterday"], "not a date"),
        (vec!["--milestones-from-tags", "[v"], "pattern"),
    ] {
        let (out, dir) = render(&stream, &[&["--no-config", "-o", "c.svg"], args.as_slice()].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(!dir.path().join("c.svg").exists());
    }
    let (out, _) = render(&stream, &["--no-config", "-o", "c.pdf"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(".svg or .png"));
    let (out, dir) = render("{\"id\": 1}\n", &["--no-config", "-o", "c.svg"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_dir(dir.path()).unwrap().count() == 1, "no output, no temporary files left");
}

#[test]
fn the_readme_command_charts_the_example_with_its_deadlines() {
    let dir = tempfile::tempdir().unwrap();
    let out = vcscope().arg("chart").arg(root().join("fixtures/example")).current_dir(dir.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("outlier:"), "outliers are listed on stderr: {err}");
    let svg = std::fs::read_to_string(dir.path().join("example.svg")).unwrap();
    let labels = texts(&svg);
    for want in ["1 Paper submitted", "2 Camera-ready", "tinykern: who wrote how much, when"] {
        assert!(labels.contains(&want.to_owned()), "{want} missing: {labels:?}");
    }
    let png = std::fs::read(dir.path().join("example.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn milestones_from_git_tags() {
    util::require("git");
    let dir = tempfile::tempdir().unwrap();
    let repo: PathBuf = dir.path().join("repo");
    let out = run(Command::new("bash").arg(root().join("fixtures/make-git-repo.sh")).arg(&repo));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The tags the real git sees, peeled to commits.
    let refs = run(Command::new("git").arg("-C").arg(&repo).args(["tag", "--list", "v1*"]));
    let tags: Vec<String> = String::from_utf8_lossy(&refs.stdout).lines().map(str::to_owned).collect();
    assert!(!tags.is_empty());
    let svg_path = dir.path().join("c.svg");
    let out = vcscope()
        .args(["chart", "-q", "--all", "--no-config", "--milestones-from-tags", "v1*", "-o"])
        .arg(&svg_path)
        .arg(&repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let labels = texts(&std::fs::read_to_string(&svg_path).unwrap());
    for (k, tag) in tags.iter().enumerate() {
        assert!(labels.contains(&format!("{} {tag}", k + 1)), "{tag} missing: {labels:?}");
    }
    assert!(!labels.iter().any(|l| l.ends_with("v0.1-side")), "a tag the pattern does not match is not drawn");
}

#[test]
fn log_scale_and_outlier_policies() {
    // --size-scale log: area ∝ ln(1 + lines).
    let stream = small_stream();
    let svg = svg_of(&stream, &["--size-scale", "log"]);
    let lines = |id: &str| match id {
        "c1" => 100.0,
        "c2" => 25.0,
        "c3" => 50.0,
        "c4" => 0.0,
        _ => 6.0,
    };
    let drawn: Vec<_> = circles(&svg).into_iter().filter(|c| lines(&c.0) > 0.0).collect();
    let k: Vec<f64> = drawn.iter().map(|c| c.2 / f64::ln_1p(lines(&c.0)).sqrt()).collect();
    assert!(k.iter().all(|v| (v - k[0]).abs() < 0.01), "{k:?}");

    // The example's outlier: capped by default, left out with drop, true size with keep.
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.jsonl");
    vcscope().args(["ingest", "-q", "-o"]).arg(&s).arg(root().join("fixtures/example")).assert().success();
    let text = std::fs::read_to_string(&s).unwrap();
    let all = circles(&svg_of(&text, &[]));
    let dropped = circles(&svg_of(&text, &["--outliers", "drop"]));
    let kept = circles(&svg_of(&text, &["--outliers", "keep"]));
    assert_eq!(dropped.len(), all.len() - 1);
    assert!(dropped.iter().all(|c| !c.4) && kept.iter().all(|c| !c.4));
    let outlier = &all.iter().find(|c| c.4).unwrap().0;
    let big = kept.iter().find(|c| &c.0 == outlier).unwrap().2;
    assert!(kept.iter().all(|c| c.2 <= big), "kept at true size, the outlier is the largest circle");
}

#[test]
fn crowded_milestones_keep_their_numbers_and_list_their_names() {
    // Twelve milestones a day apart: not all names fit above the plot.
    let args: Vec<String> = (1..=12).map(|d| format!("2009-02-{:02}=Release candidate number {d}", d + 1)).collect();
    let mut all = vec![];
    for a in &args {
        all.extend(["--milestone", a.as_str()]);
    }
    let labels = texts(&svg_of(&small_stream(), &all));
    // Every milestone shows its number, with or without its name.
    for k in 1..=12 {
        assert!(
            labels.iter().any(|l| l == &k.to_string() || l.starts_with(&format!("{k} Release"))),
            "{k}: {labels:?}"
        );
    }
    // Bare numbers in bold are milestone labels (the size legend's numbers are not bold).
    let svg = svg_of(&small_stream(), &all);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let short: Vec<String> = doc
        .descendants()
        .filter(|n| {
            n.attribute("aria-label").and_then(|l| l.parse::<u32>().ok()).is_some_and(|k| (1..=12).contains(&k))
        })
        .filter(|n| {
            n.children()
                .any(|u| u.attribute(("http://www.w3.org/1999/xlink", "href")).is_some_and(|h| h.starts_with("#b")))
        })
        .map(|n| n.attribute("aria-label").unwrap().to_owned())
        .collect();
    assert!(!short.is_empty(), "expected some labels cut to their number: {labels:?}");
    assert!(labels.contains(&"Milestones".to_owned()));
    for n in short {
        assert!(labels.iter().any(|l| l.starts_with(&format!("{n} Release candidate"))), "{n}'s name is not listed");
    }
}

#[test]
fn a_minimal_stream_from_another_tool_renders() {
    // Only the fields a chart needs: no message, parents, source or files.
    let stream = "{\"id\":\"x1\",\"time\":\"2010-01-17T12:00:00Z\",\"author\":{\"name\":\"Other Tool\"},\"added\":4,\"removed\":1}\n\
                  {\"id\":\"x2\",\"time\":\"2010-02-01T12:00:00Z\",\"author\":{\"name\":\"Other Tool\"},\"added\":40,\"removed\":0}\n";
    let svg = svg_of(stream, &[]);
    let drawn = circles(&svg);
    assert_eq!(drawn.len(), 2);
    assert!(drawn.iter().all(|c| c.1 == "Other Tool"));
    assert!(texts(&svg).iter().any(|t| t.starts_with("2 commits · 1 person · +44 −1 lines")), "{:?}", texts(&svg));
}
