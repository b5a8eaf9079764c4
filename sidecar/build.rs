// Rebuilds the sidecar when anything under templates/ changes: the templates are embedded with
// include_dir, and cargo would otherwise not notice a file added to or removed from that tree.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
