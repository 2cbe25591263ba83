#!/usr/bin/env bash
# Makes (once) the Python environment of the yubikit suite and prints its interpreter:
# yubikey-manager (yubikit) 5.9.2 with pyscard and cryptography, from PyPI, pinned.
#
#   python=$(bash tests/e2e/yubikit/venv.sh)
#
# The environment lives in $YUBIKIT_VENV (default: target/yubikit-venv); delete it to rebuild.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
venv=${YUBIKIT_VENV:-$PWD/target/yubikit-venv}
pins=(yubikey-manager==5.9.2 pyscard==2.3.1 cryptography==50.0.2)
stamp="$venv/.pins"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "${pins[*]}" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "${pins[@]}" >&2
    echo "${pins[*]}" > "$stamp"
fi
echo "$venv/bin/python"
