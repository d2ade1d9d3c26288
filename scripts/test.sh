#!/usr/bin/env bash
# Runs every *.test.ts below test/ (or below the folders and files given), at any depth, through Node's test runner
# with the TAP reporter. Node 20's --test does not expand globs, and given no files it passes with zero tests: so
# finding none is an error here, never a silent green.
#   scripts/test.sh                 every test (npm test)
#   scripts/test.sh test/model      the tests below test/model (npm test -- test/model)
set -euo pipefail
cd "$(dirname "$0")/.."
roots=("$@")
[ ${#roots[@]} -gt 0 ] || roots=(test)
for root in "${roots[@]}"; do
  [ -e "$root" ] || { echo "scripts/test.sh: $root does not exist" >&2; exit 1; }
done
files=()
while IFS= read -r -d '' file; do files+=("$file"); done < <(find "${roots[@]}" -type f -name '*.test.ts' -print0 | LC_ALL=C sort -z)
if [ ${#files[@]} -eq 0 ]; then
  echo "scripts/test.sh: no *.test.ts files below ${roots[*]}" >&2
  exit 1
fi
exec node --import tsx --test --test-reporter=tap "${files[@]}"
