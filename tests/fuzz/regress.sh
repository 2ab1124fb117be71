#!/bin/bash
# Run a fuzz target once over each input of a regression directory (no
# fuzzing). Usage: regress.sh TARGET DIR
set -u
target=$1 dir=$2
shopt -s nullglob
inputs=("$dir"/*)
if [ ${#inputs[@]} -eq 0 ]; then
	echo "no regression inputs in $dir"
	exit 0
fi
# Given files, libFuzzer runs each once and fails on the first that fails.
exec "$target" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}"
