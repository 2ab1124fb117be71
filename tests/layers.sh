#!/bin/bash
# The layers, lowest first: common <- parser <- probes <- codegen <- runtime.
# A layer may include headers and call functions of its own layer and of the
# layers below it only. Checks both: the #include lines of the sources and
# the undefined symbols of each layer's static library.
# Usage: layers.sh SOURCE_DIR BUILD_DIR
set -u
src=$1 build=$2
layers=(common parser probes codegen runtime)
fail=0

rank() {
	local i
	for i in "${!layers[@]}"; do [[ ${layers[$i]} == "$1" ]] && { echo "$i"; return; }; done
	echo -1
}

for ((i = 0; i < ${#layers[@]}; i++)); do
	dir=${layers[$i]}
	for f in "$src/$dir"/*.[chly]; do
		[[ -e $f ]] || continue
		while IFS= read -r inc; do
			target=$(sed -E 's#.*"\.\./([a-z]+)/.*#\1#' <<<"$inc")
			r=$(rank "$target")
			if ((r > i)); then
				echo "layer violation: $dir/$(basename "$f") includes $target: $inc"
				fail=1
			fi
		done < <(grep -E '^#include "\.\./[a-z]+/' "$f")
	done
done

defined() { nm --defined-only -g "$build/libsonde_$1.a" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u; }
for ((i = 0; i < ${#layers[@]}; i++)); do
	lib=$build/libsonde_${layers[$i]}.a
	[[ -e $lib ]] || { echo "missing $lib"; fail=1; continue; }
	undef=$(nm -u "$lib" | awk 'NF==2 {print $2}' | sort -u)
	for ((j = i + 1; j < ${#layers[@]}; j++)); do
		up=$(comm -12 <(echo "$undef") <(defined "${layers[$j]}"))
		for s in $up; do
			echo "layer violation: ${layers[$i]} uses $s of ${layers[$j]}"
			fail=1
		done
	done
done
# The runtime reaches codegen only through sonde-compiler.so, which it loads
# (runtime/compiler_load.c): a run from the compile cache never maps LLVM.
for s in $(comm -12 <(nm -u "$build/libsonde_runtime.a" | awk 'NF==2 {print $2}' | sort -u) <(defined codegen)); do
	echo "layer violation: runtime links $s of codegen (only sonde-compiler.so may)"
	fail=1
done
if [[ -e $build/sonde ]] && nm "$build/sonde" | grep -q ' LLVM'; then
	echo "layer violation: the sonde binary links LLVM"
	fail=1
fi
((fail)) && exit 1
echo "layers: ${layers[*]}: no reference runs upwards; the binary loads the compiler"
