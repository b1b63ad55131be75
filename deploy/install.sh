#!/usr/bin/env bash
# Installs Botvisor: the native binary, a systemd unit, shell completions and the man page.
# Run again to upgrade (idempotent); --uninstall removes what it installed (the fleet file, the
# state directory and the botvisor account stay unless --purge is given).
#
#   deploy/build && sudo deploy/install.sh        # build, install, enable and start botvisor.service
#   sudo deploy/install.sh --uninstall [--purge]
#
# Options: --binary DIR (where deploy/build put botvisor; default out/), --prefix DIR (default
# /usr/local), --destdir DIR (stage into DIR: no account, no systemctl; for packaging and tests),
# --no-start (install and enable, but do not start).
set -euo pipefail
cd "$(dirname "$0")/.."

binary_dir=out prefix=/usr/local destdir="" uninstall=false purge=false start=true
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary_dir=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --destdir) destdir=$2; shift 2 ;;
    --uninstall) uninstall=true; shift ;;
    --purge) uninstall=true purge=true; shift ;;
    --no-start) start=false; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

libdir=$destdir$prefix/lib/botvisor
bindir=$destdir$prefix/bin
mandir=$destdir$prefix/share/man/man1
unit=$destdir/etc/systemd/system/botvisor.service
confdir=$destdir/etc/botvisor
statedir=$destdir/var/lib/botvisor
bash_completion=$destdir/usr/share/bash-completion/completions/botvisor
zsh_completion=$destdir/usr/share/zsh/vendor-completions/_botvisor
fish_completion=$destdir/usr/share/fish/vendor_completions.d/botvisor.fish
systemd=false
if [ -z "$destdir" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then systemd=true; fi

if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo $0 $*), or stage with --destdir DIR" >&2
  exit 1
fi

say() { echo "botvisor install: $*"; }

if $uninstall; then
  if $systemd && systemctl list-unit-files botvisor.service >/dev/null 2>&1; then
    systemctl disable --now botvisor.service 2>/dev/null || true
  fi
  rm -f "$unit" "$bindir/botvisor" "$mandir/botvisor.1" "$bash_completion" "$zsh_completion" "$fish_completion"
  rm -rf "$libdir"
  $systemd && systemctl daemon-reload
  if $purge; then
    rm -rf "$confdir" "$statedir"
    if [ -z "$destdir" ] && id botvisor >/dev/null 2>&1; then userdel botvisor; fi
    say "removed, with the fleet file, the state directory and the botvisor account"
  else
    say "removed; kept $confdir, $statedir and the botvisor account (--purge removes them)"
  fi
  exit 0
fi

if [ ! -x "$binary_dir/botvisor" ]; then
  echo "install.sh: no $binary_dir/botvisor; build it first with deploy/build" >&2
  exit 1
fi

# The binary and SQLite's native library live together; the command is a link to them.
install -d -m 0755 "$libdir" "$bindir" "$mandir" "$(dirname "$unit")" "$(dirname "$bash_completion")" "$(dirname "$zsh_completion")" "$(dirname "$fish_completion")"
changed=false
for f in "$binary_dir"/botvisor "$binary_dir"/*.so; do
  [ -e "$f" ] || continue
  if ! cmp -s "$f" "$libdir/$(basename "$f")"; then changed=true; fi
  install -m 0755 "$f" "$libdir/"
done
ln -sfn "$prefix/lib/botvisor/botvisor" "$bindir/botvisor"
bin=$libdir/botvisor

sed "s|/usr/local/bin/botvisor|$prefix/bin/botvisor|" deploy/botvisor.service > "$unit.tmp" && mv "$unit.tmp" "$unit" && chmod 0644 "$unit"
install -m 0644 deploy/botvisor.1 "$mandir/botvisor.1"
"$bin" completion bash > "$bash_completion"
"$bin" completion zsh > "$zsh_completion"
"$bin" completion fish > "$fish_completion"
chmod 0644 "$bash_completion" "$zsh_completion" "$fish_completion"

if [ -z "$destdir" ] && ! id botvisor >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/botvisor --no-create-home --shell /usr/sbin/nologin botvisor
  say "created the system account botvisor"
fi
install -d -m 0755 "$confdir"
if [ ! -e "$confdir/botvisor.yaml" ]; then
  "$bin" init "$confdir/botvisor.yaml" --state-dir /var/lib/botvisor >/dev/null
  say "wrote a starter fleet file, $confdir/botvisor.yaml"
fi
install -d -m 0700 "$statedir"
if [ -z "$destdir" ]; then chown botvisor:botvisor "$statedir"; fi

if $systemd; then
  systemctl daemon-reload
  systemctl enable botvisor.service >/dev/null 2>&1
  if $start; then
    if systemctl is-active --quiet botvisor.service; then
      if $changed; then say "a new binary is installed; 'systemctl restart botvisor' restarts the daemon (and every bot) with it"; fi
    else
      systemctl start botvisor.service
    fi
  fi
  say "installed $("$bin" --version); systemctl status botvisor; sudo botvisor status"
else
  say "installed $("$bin" --version) (no systemd here: start it with '$prefix/bin/botvisor run --config /etc/botvisor/botvisor.yaml')"
fi
