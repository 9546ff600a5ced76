#!/usr/bin/env bash
# Installs the pinned Python peers (test/peers/requirements.txt) into a
# virtualenv outside the clone, reused while the pins are unchanged.
# Prints the virtualenv's directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${MLGATE_PEERS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mlgate/peers-venv}"
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$stamp"; then
  mkdir -p "$(dirname "$venv")"
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
  cp "$here/requirements.txt" "$stamp"
fi
echo "$venv"
