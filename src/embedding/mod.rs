// The embedding guide: prose in guide/, and between its parts the source files of the minimal
// firmware (firmware/, built by examples/minimal-firmware), so that the guide's blocks are the
// firmware's code.
#![doc = concat!(
    include_str!("guide/1-crate.md"),
    include_str!("firmware/main.rs"),
    include_str!("guide/2-memory.md"),
    include_str!("firmware/memory.x"),
    include_str!("guide/2b-build.md"),
    include_str!("firmware/build.rs"),
    include_str!("guide/3-rng.md"),
    include_str!("firmware/rng.rs"),
    include_str!("guide/4-clock.md"),
    include_str!("firmware/clock.rs"),
    include_str!("guide/5-button.md"),
    include_str!("firmware/button.rs"),
    include_str!("guide/6-storage.md"),
    include_str!("firmware/storage.rs"),
    include_str!("guide/7-card.md"),
    include_str!("firmware/card.rs"),
    include_str!("guide/8-exchange.md"),
    include_str!("firmware/exchange.rs"),
    include_str!("guide/9-rest.md"),
)]
