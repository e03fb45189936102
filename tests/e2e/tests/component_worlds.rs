//! Each built component carries its own trigger's world and nothing of another: an HTTP
//! component exports `wasi:http/incoming-handler` only and imports nothing of the cron world, a
//! cron component exports the cron world only. A build of several components in one cargo
//! invocation once unified `mirror-spin`'s `cron` feature into all of them, so every HTTP
//! component also imported `fermyon:spin-cron/cron-types`, unlike what `spin build` (one
//! invocation per component) makes.

use std::collections::BTreeSet;
use std::path::Path;

use mirror_e2e::repo_root;
use wasmparser::{Encoding, Parser, Payload};

/// What a component imports and exports at its top level (not the modules inside it).
#[derive(Default)]
struct World {
    imports: BTreeSet<String>,
    exports: BTreeSet<String>,
}

fn world_of(wasm: &Path) -> World {
    let bytes = std::fs::read(wasm).unwrap_or_else(|e| panic!("{}: {e} (build with scripts/build.sh)", wasm.display()));
    let mut depth = 0usize;
    let mut world = World::default();
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.expect("a well-formed component") {
            Payload::Version { encoding, .. } if depth == 0 => {
                assert_eq!(encoding, Encoding::Component, "{}", wasm.display())
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    world.imports.insert(import.expect("import").name.name.to_string());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    world.exports.insert(export.expect("export").name.name.to_string());
                }
            }
            _ => {}
        }
    }
    world
}

fn is_cron(name: &str) -> bool {
    name.starts_with("fermyon:spin-cron/")
}

/// `(component id, wasm path)` of every component behind a trigger of `kind` in spin.toml.
fn components(kind: &str) -> Vec<(String, std::path::PathBuf)> {
    let manifest: toml::Table = std::fs::read_to_string(repo_root().join("spin.toml")).unwrap().parse().unwrap();
    let triggers = manifest["trigger"][kind].as_array().unwrap();
    triggers
        .iter()
        .map(|t| {
            let id = t["component"].as_str().unwrap().to_string();
            let source = manifest["component"][&id]["source"].as_str().unwrap();
            (id, repo_root().join(source))
        })
        .collect()
}

#[test]
fn http_components_carry_the_http_world_only() {
    let http = components("http");
    assert!(http.len() >= 17, "spin.toml's HTTP components: {http:?}");
    for (id, wasm) in http {
        let World { imports, exports } = world_of(&wasm);
        assert!(
            exports.len() == 1 && exports.iter().all(|e| e.starts_with("wasi:http/incoming-handler@0.2.")),
            "HTTP component {id} exports {exports:?}"
        );
        assert!(!imports.iter().any(|i| is_cron(i)), "HTTP component {id} imports {imports:?}");
    }
}

#[test]
fn cron_components_export_the_cron_world_only() {
    let cron = components("cron");
    assert!(cron.len() >= 2, "spin.toml's cron components: {cron:?}");
    for (id, wasm) in cron {
        let World { exports, .. } = world_of(&wasm);
        assert!(exports.contains("handle-cron-event"), "cron component {id} exports {exports:?}");
        assert!(
            exports.iter().all(|e| e == "handle-cron-event" || is_cron(e)),
            "cron component {id} exports {exports:?}"
        );
    }
}
