# Sourced by profile.sh and ct_check.sh: what tracing a footprint image under QEMU takes.
# Sets TARGET, CARGO_TARGET_DIR (FOOTPRINT_TARGET_DIR, default benches/footprint/target) and
# NM, and defines
#   marker ELF SYMBOL-PATTERN  the address of the first symbol matching the pattern (for a
#                              translation block's pc: the Thumb bit cleared), e.g. the
#                              harness's measured `call`, whose first block starts a segment;
#   qemu_traced ELF LOG [TIMEOUT]  runs the image with every translation block logged
#                              (`-d in_asm,exec,nochain`: each block's instructions once, one
#                              line each time a block runs) into LOG, a FIFO its reader drains;
#                              the image's own output on stdout.
TARGET=thumbv7em-none-eabihf
export CARGO_TARGET_DIR="${FOOTPRINT_TARGET_DIR:-$PWD/target}"
NM=$(command -v arm-none-eabi-nm || command -v llvm-nm)

marker() {
    local address
    address=$("$NM" "$1" | awk -v pattern="$2" '$0 ~ pattern { print $1; exit }')
    [ -n "$address" ] || { echo "trace: no symbol matching $2 in $1" >&2; return 1; }
    # Thumb: the symbol's address has bit 0 set, the block's pc does not.
    printf '%x' $((0x$address & ~1))
}

qemu_traced() {
    timeout "${3:-3600}" qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic \
        -monitor none -serial none -semihosting-config enable=on,target=native -icount shift=0 \
        -d in_asm,exec,nochain -D "$2" -kernel "$1"
}
