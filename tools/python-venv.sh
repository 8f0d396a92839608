# Sourced by the scripts of tools/ that run Python (bench/run.sh, fixtures/generate.sh,
# codegen/generate.sh): their pinned virtual environments live outside the repo.
#
# ensure_venv VENV REQUIREMENTS: creates VENV (python3 -m venv) on first use and installs
# REQUIREMENTS into it whenever that file changed since the last install (its SHA-256 is kept in
# VENV/.requirements.sha256). Progress goes to stderr.
ensure_venv() {
  local venv=$1 req=$2 sum
  sum=$(sha256sum "$req" | cut -d' ' -f1)
  if [ ! -x "$venv/bin/python" ]; then
    echo "creating the Python venv $venv" >&2
    python3 -m venv "$venv"
  fi
  if [ "$(cat "$venv/.requirements.sha256" 2>/dev/null || true)" != "$sum" ]; then
    echo "installing $req into $venv (the first time: a few minutes)" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    echo "$sum" > "$venv/.requirements.sha256"
  fi
}
