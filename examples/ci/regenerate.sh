#!/usr/bin/env bash
# Regenerate the SLO output, prove it with promtool and amtool, and commit it when
# it changed. The CI job in github-actions.yml runs this; so can any other CI, or
# `make ci-regenerate` in slogen's own checkout.
#
#   examples/ci/regenerate.sh [SPECS] [OUT]      (defaults: specs generated)
#
# Environment: SLOGEN, the slogen command (default: slogen on PATH); COMMIT=0 to
# check without committing. Exit status: 0 when the output is verified (and
# committed if it changed), non-zero otherwise with the reason on stderr. Unlike the
# commit hook, a missing promtool or amtool is an error here: CI is where the
# output must be proven.
set -euo pipefail

specs=${1:-specs}
out=${2:-generated}
slogen=${SLOGEN:-slogen}
commit=${COMMIT:-1}

for tool in promtool amtool; do
    if ! command -v "$tool" >/dev/null; then
        echo "regenerate: $tool not found on PATH (Debian: apt-get install prometheus prometheus-alertmanager)" >&2
        exit 3
    fi
done

# generate runs promtool and amtool on the new output before it replaces the old.
$slogen generate "$specs" -o "$out"

# Check what was written, as a reviewer would, with the tools alone.
shopt -s nullglob
rules=("$out"/prometheus/*.rules.yml)
proofs=("$out"/tests/*.test.yml)
if ((${#rules[@]})); then promtool check rules "${rules[@]}"; fi
if ((${#proofs[@]})); then promtool test rules "${proofs[@]}"; fi
if [[ -f $out/alertmanager/alertmanager.yml ]]; then
    amtool check-config "$out/alertmanager/alertmanager.yml"
fi

if [[ -z $(git status --porcelain --untracked-files=all -- "$out") ]]; then
    echo "regenerate: $out is up to date"
    exit 0
fi
git status --short --untracked-files=all -- "$out"
if [[ $commit == 0 ]]; then
    echo "regenerate: $out changed; not committed (COMMIT=0)" >&2
    exit 1
fi
git add --all -- "$out"
git commit --quiet --no-verify -m "Regenerate $out from $specs" -- "$out"
echo "regenerate: committed $(git rev-parse --short HEAD)"
