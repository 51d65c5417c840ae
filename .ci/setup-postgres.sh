# shellcheck shell=bash
# Sourced by .ci/run (bash, set -euo pipefail). Starts a throwaway PostgreSQL
# on 127.0.0.1 only, on a free port, with its data in a temporary directory;
# exports LEADNUDGE_TEST_POSTGRES_DSN for the store's contract tests; and
# registers the server's stop in the caller's `cleanups` array.
#
# Works on a fresh Debian machine (installs the `postgresql` package when no
# initdb/pg_ctl is found), as root (the server runs as the unprivileged
# `postgres` user) or as an ordinary user.
#
# Can also be used by hand:
#   cleanups=(); source .ci/setup-postgres.sh; go test -race ./store/; eval "${cleanups[0]}"

lnpg_find_bindir() {
  local d
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    # PATH may hold symlinks to the real directory; its siblings (createdb,
    # postgres) are only in the real one.
    d=$(dirname "$(readlink -f "$(command -v initdb)")")
    if [ -x "$d/pg_ctl" ] && [ -x "$d/createdb" ] && [ -x "$d/postgres" ]; then
      echo "$d"
      return 0
    fi
  fi
  # Debian keeps the server binaries out of PATH; take the newest version.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/createdb" ] && [ -x "$d/postgres" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

lnpg_install() {
  echo "PostgreSQL not found: installing Debian's postgresql package"
  # Keep the package from starting its own cluster: we run our own.
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
  fi
  local status=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; } || status=$?
  if [ -n "$made_policy" ]; then rm -f "$policy"; fi
  return $status
}

# lnpg_port_free PORT: nothing listens on 127.0.0.1:PORT.
lnpg_port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

lnpg_setup() {
  local bindir
  if ! bindir=$(lnpg_find_bindir); then
    lnpg_install
    bindir=$(lnpg_find_bindir) || { echo "setup-postgres: no initdb/pg_ctl after installing postgresql" >&2; return 1; }
  fi

  # The server refuses to run as root: use the postgres account, creating
  # an unprivileged one if the package did not.
  local -a as=()
  local runas=""
  if [ "$(id -u)" = 0 ]; then
    runas=postgres
    if ! id "$runas" >/dev/null 2>&1; then
      runas=leadnudge-pg
      id "$runas" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$runas"
    fi
    if command -v runuser >/dev/null 2>&1; then
      as=(runuser -u "$runas" --)
    else
      as=(su -s /bin/sh "$runas" -c '"$0" "$@"')
    fi
  fi

  local dir
  dir=$(mktemp -d /tmp/leadnudge-pg.XXXXXX)
  chmod 700 "$dir"
  if [ -n "$runas" ]; then chown "$runas" "$dir"; fi
  local password
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$dir/pwfile"
  if [ -n "$runas" ]; then chown "$runas" "$dir/pwfile"; fi

  "${as[@]}" "$bindir/initdb" -D "$dir/data" -U leadnudge --pwfile="$dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2; return 1
  }
  rm -f "$dir/pwfile"

  local port="" try
  for try in $(seq 1 20); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    lnpg_port_free "$port" || continue
    if "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null; then
      break
    fi
    port=""
  done
  if [ -z "$port" ]; then
    echo "setup-postgres: could not start PostgreSQL; server log:" >&2
    cat "$dir/server.log" >&2 || true
    return 1
  fi
  cleanups+=("$(printf '%q ' "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop) >/dev/null 2>&1; rm -rf $(printf '%q' "$dir")")

  "${as[@]}" "$bindir/createdb" -h "$dir" -p "$port" -U leadnudge leadnudge_test
  export LEADNUDGE_TEST_POSTGRES_DSN="postgres://leadnudge:${password}@127.0.0.1:${port}/leadnudge_test?sslmode=disable"
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir); LEADNUDGE_TEST_POSTGRES_DSN set"
}

lnpg_setup
unset -f lnpg_find_bindir lnpg_install lnpg_port_free lnpg_setup
