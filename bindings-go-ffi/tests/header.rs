//! The committed C header must be what the pinned cbindgen makes from `src/lib.rs`, so that a
//! change to the ABI shows in review. `TESSERA_BLESS_HEADER=1` rewrites it instead.

use std::path::Path;

#[test]
fn committed_header_matches_the_source() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    // with_src parses this file and the modules it declares: no `cargo metadata`, no
    // dependency parsing.
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen could not read src/lib.rs")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("the header is UTF-8");
    let path = dir.join("include/tessera.h");
    if std::env::var_os("TESSERA_BLESS_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("writing include/tessera.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/tessera.h is stale: run `TESSERA_BLESS_HEADER=1 cargo test -p tessera-ffi --test header` and commit it"
    );
}
