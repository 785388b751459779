# Sourced: `nocargo_path` prints $PATH without the directories that hold cargo,
# rustc or maturin, to prove that a step installs apimlint without building it.
nocargo_path() {
  local out="" dir
  local IFS=:
  for dir in $PATH; do
    [[ -n "$dir" && ! -x "$dir/cargo" && ! -x "$dir/rustc" && ! -x "$dir/maturin" ]] || continue
    out="${out:+$out:}$dir"
  done
  printf '%s\n' "$out"
}
