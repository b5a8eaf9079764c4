//! libFuzzer entry point: every input goes through the frame decoder and the request layer
//! (`prototyper_sidecar::rpc::fuzz`), with the "never deaf" property checked after it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    prototyper_sidecar::rpc::fuzz::frames_and_requests(data);
});
