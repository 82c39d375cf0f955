#!/usr/bin/env bash
# Makes sure the Debian packages in apt-packages.txt are installed before the tests run.
# - Nothing missing: prints one line, touches nothing.
# - Missing, as root with apt-get: `apt-get update` once, then installs only the missing packages (waiting
#   up to 5 minutes for another apt to release its lock),
#   non-interactive, without recommends.
# - Missing otherwise (not root, no apt-get, or IM_PROVISION=check): fails at once with ONE line that names
#   the missing packages and the command that installs them.
# Environment: IM_PROVISION=check never installs; IM_PROVISION_LIST=<file> reads another list (tests).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
list="${IM_PROVISION_LIST:-$here/apt-packages.txt}"

packages=()
while IFS= read -r line || [[ -n $line ]]; do
  line="${line%%#*}"
  read -r name _ <<<"$line" || true
  if [[ -n ${name:-} ]]; then packages+=("$name"); fi
done <"$list"

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${packages[@]}"; do
  if ! command -v dpkg-query >/dev/null 2>&1 || ! installed "$pkg"; then missing+=("$pkg"); fi
done

if ((${#missing[@]} == 0)); then
  echo "provision: Debian packages present: ${packages[*]}"
  exit 0
fi

install_command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ ${IM_PROVISION:-} == check ]] || [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "provision: missing Debian package(s) ${missing[*]}: install them as root with: $install_command" >&2
  exit 1
fi

echo "provision: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "provision: installed ${missing[*]}"
