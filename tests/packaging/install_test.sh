#!/bin/sh
# Installs, reinstalls (the upgrade path), removes and purges analysisd's
# .deb with the real dpkg and maintainer scripts, and runs the installed
# server as its user, all inside a private mount namespace where /usr, /etc
# and /var are overlays with upper dirs on a tmpfs and /run is a tmpfs: the
# machine's own files never change. Run by package_test.py as root:
#     unshare --mount --propagation private sh install_test.sh DEB SCRATCH PORT
# systemd is simulated: /run/systemd/system exists and a stub systemctl logs
# what the scripts ask of it.
set -eu
deb=$1 scratch=$2 port=$3

# Exit 77 (skipped) where the namespace cannot have its own mounts.
cannot() { echo "SKIP: $*: the package is not installed"; exit 77; }
mount -t tmpfs tmpfs "$scratch" || cannot "cannot mount a tmpfs"
for d in usr etc var; do
    mkdir "$scratch/$d.up" "$scratch/$d.work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$scratch/$d.up,workdir=$scratch/$d.work" "/$d" \
        || cannot "cannot mount an overlay on /$d"
done
mount -t tmpfs tmpfs /run || cannot "cannot mount a tmpfs on /run"
# Go on only if writes land in the overlays.
touch /usr/.analysisd-install-test /etc/.analysisd-install-test /var/.analysisd-install-test
for d in usr etc var; do
    [ -e "$scratch/$d.up/.analysisd-install-test" ] || { echo "FAILED  /$d is not the overlay"; exit 1; }
done

mkdir -p /run/systemd/system "$scratch/stubs"
log="$scratch/systemctl.log"
# What needs a running systemd is logged only; enabling and disabling (which
# edit /etc/systemd/system) are done by the real systemctl, offline, and
# is-enabled looks at what they did.
real_systemctl=$(command -v systemctl || true)
cat > "$scratch/stubs/systemctl" <<STUB
#!/bin/sh
echo "\$*" >> $log
case "\$*" in
  *--version*) echo "systemd 252 (252)"; exit 0;;
  *is-enabled*)
    if [ -e /etc/systemd/system/multi-user.target.wants/analysisd.service ]; then
      echo enabled; exit 0
    fi
    echo disabled; exit 1;;
  *is-active*) echo inactive; exit 3;; # nothing runs under the stub
  *daemon-reload*|*start*|*stop*|*restart*|*list-units*) exit 0;;
esac
[ -n "$real_systemctl" ] && exec $real_systemctl "\$@"
exit 0
STUB
chmod 755 "$scratch/stubs/systemctl"
PATH="$scratch/stubs:$PATH"
export PATH
# A container's policy-rc.d forbids starting services: allow it here.
printf '#!/bin/sh\nexit 0\n' > /usr/sbin/policy-rc.d
# man-db's trigger rebuilds its whole database at every dpkg run (10 s).
rm -f /var/lib/man-db/auto-update

failed=0
check() { # check WHAT COMMAND...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "ok      $what"; else echo "FAILED  $what"; failed=1; fi
}
stat_is() { [ "$(stat -c '%a %U:%G' "$1")" = "$2" ]; }
logged() { grep -q -- "$1" "$log"; }
not_logged() { ! grep -q -- "$1" "$log"; }
user_ok() {
    getent passwd analysisd | awk -F: '$3 < 1000 && $6 == "/var/lib/analysisd" && $7 ~ /nologin|false/ { ok = 1 } END { exit !ok }'
}
version_ok() { /usr/bin/analysisd --version | grep -q '^analysisd [0-9]'; }
man_ok() { ! command -v man || man -w analysisd; }
getent passwd analysisd >/dev/null && { echo "FAILED  a user analysisd exists before the install"; exit 1; }

echo "== dpkg -i (first install)"
: > "$log"
dpkg -i "$deb"
check "the analysisd system user exists, home /var/lib/analysisd, no login shell" user_ok
check "the analysisd group exists" getent group analysisd
check "/var/lib/analysisd is 0700 analysisd:analysisd" stat_is /var/lib/analysisd "700 analysisd:analysisd"
check "/etc/analysisd/analysisd.conf is 0640 root:analysisd" stat_is /etc/analysisd/analysisd.conf "640 root:analysisd"
check "the unit is enabled (multi-user.target.wants)" test -L /etc/systemd/system/multi-user.target.wants/analysisd.service
check "postinst reloads systemd" logged "daemon-reload"
check "postinst starts the server" logged "start analysisd.service"
check "analysisd --version names the version" version_ok
check "man finds analysisd(1)" man_ok

echo "== the server as the analysisd user, on /var/lib/analysisd"
# With the packaged config file, as the unit runs it (--listen: a free port).
set -- --config /etc/analysisd/analysisd.conf
setpriv --reuid=analysisd --regid=analysisd --init-groups --inh-caps=-all \
    /usr/bin/analysisd "$@" --listen "127.0.0.1:$port" > "$scratch/server.log" 2>&1 &
pid=$!
ready=0
for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.1
done
check "it serves /readyz" test "$ready" = 1
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
check "it stops with status 0 at SIGTERM" test "$status" = 0
check "it generated /var/lib/analysisd/admin-token, 0600 analysisd" \
    stat_is /var/lib/analysisd/admin-token "600 analysisd:analysisd"
[ "$failed" = 0 ] || cat "$scratch/server.log"

echo "== dpkg -i again (the upgrade path), with a changed config file"
echo "# changed by the administrator" >> /etc/analysisd/analysisd.conf
: > "$log"
dpkg -i "$deb"
check "postinst restarts the server" logged "restart analysisd.service"
check "the changed config file is kept" grep -q "changed by the administrator" /etc/analysisd/analysisd.conf
check "it is still 0640 root:analysisd" stat_is /etc/analysisd/analysisd.conf "640 root:analysisd"
check "the data is kept" test -f /var/lib/analysisd/admin-token

echo "== systemctl disable, then dpkg -i again"
# What systemctl disable does, without a running systemd to ask.
rm /etc/systemd/system/multi-user.target.wants/analysisd.service
: > "$log"
dpkg -i "$deb"
check "the unit stays disabled" test ! -e /etc/systemd/system/multi-user.target.wants/analysisd.service
check "and the server is not started" not_logged "start analysisd.service"

echo "== dpkg -r"
: > "$log"
dpkg -r analysisd
check "prerm stops the server" logged "stop analysisd.service"
check "the binary is gone" test ! -e /usr/bin/analysisd
check "the config file stays until purge" test -f /etc/analysisd/analysisd.conf
check "the data stays" test -f /var/lib/analysisd/admin-token

echo "== dpkg -P"
dpkg -P analysisd 2> "$scratch/purge.err" || { cat "$scratch/purge.err"; exit 1; }
cat "$scratch/purge.err"
check "the config file is gone" test ! -e /etc/analysisd/analysisd.conf
check "the unit is no longer enabled" test ! -e /etc/systemd/system/multi-user.target.wants/analysisd.service
check "the data stays after a purge" test -f /var/lib/analysisd/admin-token
check "so does its owner, the analysisd user" getent passwd analysisd
check "the purge says so" grep -q "keeps the data in /var/lib/analysisd" "$scratch/purge.err"
exit "$failed"
