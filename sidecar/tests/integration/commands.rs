//! `initialize` lists every command of the seed's backend table (spec §4.1: 45 rows, although the
//! seed's page says 44), the SearXNG pair of §4.2, and this product's own additions; and each of
//! them is served (none answers "unknown command").

use crate::harness::{Options, Sidecar};
use serde_json::json;

/// The seed's documented table, group by group.
const SEED_TABLE: [&str; 45] = [
    // Process (10)
    "bun_dev", "bun_build", "bun_install", "bun_install_sync", "run_shell_command", "run_shell_command_sync", "run_shell_command_capture",
    "kill_process", "kill_all_processes", "kill_port",
    // File system (9)
    "read_dir", "read_file", "write_file", "create_dir", "delete_file", "delete_dir", "rename_file", "create_symlink", "reveal_in_explorer",
    // HTTP (1)
    "http_request",
    // AI (9)
    "generate_completion", "generate_completion_stream", "stop_generation_stream", "resolve_tool_permission", "resolve_ask_user",
    "resolve_ask_user_form", "list_ollama_models", "save_model_presets", "load_model_presets",
    // Bonsai (11)
    "bonsai_start_server", "bonsai_stop_server", "bonsai_server_status", "bonsai_generate_image", "bonsai_cancel_generation",
    "bonsai_list_assets", "bonsai_delete_asset", "bonsai_get_server_config", "bonsai_save_server_config", "bonsai_schedule_stop",
    "bonsai_cancel_stop",
    // Export (2)
    "export_project", "export_component",
    // Workflows (3)
    "save_workflow", "load_workflow", "list_workflows",
];

/// In the seed's source but not its table (§4.2).
const SEED_SOURCE_ONLY: [&str; 3] = ["list_anthropic_models", "test_searxng_connection", "setup_searxng_config"];

#[test]
fn initialize_lists_the_whole_seed_table_the_searxng_pair_and_ours() {
    // A home without a Bonsai install, so the probe below starts nothing.
    let home = tempfile::tempdir().unwrap();
    let mut sidecar = Sidecar::start(Options { env: vec![("HOME".into(), home.path().display().to_string())], ..Default::default() });
    let params = sidecar.initialize_params();
    let result = sidecar.call("initialize", params);
    let listed: Vec<String> = result["commands"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    let missing: Vec<&str> = SEED_TABLE.iter().chain(SEED_SOURCE_ONLY.iter()).copied().filter(|name| !listed.iter().any(|l| l == name)).collect();
    assert!(missing.is_empty(), "initialize does not list {missing:?}");
    for ours in ["list_openai_models", "pull_ollama_model", "run_workflow"] {
        assert!(listed.iter().any(|l| l == ours), "{ours} is listed");
    }
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, listed, "sorted, without duplicates");
    // Every listed command is served: wrong params are "invalid params" or a domain error, never
    // "unknown command".
    for name in &listed {
        if let Err((code, message)) = sidecar.request(name, json!({ "__probe": true, "ports": "not a list", "pid": "x" })) {
            assert_ne!(code, -32601, "{name}: {message}");
        }
    }
}
