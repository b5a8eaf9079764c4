// Generated from the sidecar's Rust wire types (sidecar/src/protocol/) by ts-rs. Do not edit:
// regenerate with `cargo test --manifest-path sidecar/Cargo.toml --test integration -- --ignored regenerate_protocol`.

export type * from "./BunDevParams";
export type * from "./ChannelEnvelope";
export type * from "./ChannelError";
export type * from "./CreateSymlinkParams";
export type * from "./CwdParams";
export type * from "./FileEntry";
export type * from "./HttpRequestParams";
export type * from "./HttpResponse";
export type * from "./InitializeCapabilities";
export type * from "./InitializeParams";
export type * from "./InitializeResult";
export type * from "./KillPortParams";
export type * from "./KillProcessParams";
export type * from "./OutputStream";
export type * from "./PackageManager";
export type * from "./PathParams";
export type * from "./ProcessEvent";
export type * from "./RenameFileParams";
export type * from "./RevealResult";
export type * from "./ShellCommandParams";
export type * from "./SpawnResult";
export type * from "./WriteFileParams";
