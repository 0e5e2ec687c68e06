#!/usr/bin/env python3
"""Builds analysisd's .deb with CPack into a temporary directory and checks
what it holds: the files and their modes, the control fields (version,
Depends), the conffile, the maintainer scripts, the man page, the default
config (every option of `analysisd --help` documented) and the systemd unit
(`systemd-analyze verify`, where systemd-analyze exists).

Exit 0: passed; 1: failed; 77: skipped (no dpkg-deb: not a Debian system).
Nothing is installed on this machine: the package is only taken apart."""

import argparse
import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

SKIP = 77
failures = []


def check(ok, what):
    print(("ok      " if ok else "FAILED  ") + what)
    if not ok:
        failures.append(what)
    return ok


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpack", required=True)
    ap.add_argument("--config", required=True, help="the build's CPackConfig.cmake")
    ap.add_argument("--binary", required=True, help="the built analysisd")
    ap.add_argument("--version", required=True)
    ap.add_argument("--unit-dir", required=True, help="where the package puts the unit")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    if shutil.which("dpkg-deb") is None:
        print("SKIP: dpkg-deb not found (not a Debian system): the .deb is not built")
        return SKIP

    tmp = tempfile.mkdtemp(prefix="analysisd-package-test.")
    try:
        return check_package(args, tmp)
    finally:
        if args.keep:
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def check_package(args, tmp):
    # -B: the package and CPack's staging tree go to tmp, not the build dir.
    out = subprocess.run([args.cpack, "--config", args.config, "-B", tmp],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stdout + out.stderr)
        check(False, "cpack -G DEB builds the package")
        return 1
    arch = run(["dpkg", "--print-architecture"]).strip()
    deb = os.path.join(tmp, "analysisd_%s_%s.deb" % (args.version, arch))
    if not check(os.path.isfile(deb), "the package is " + os.path.basename(deb)):
        print(os.listdir(tmp))
        return 1

    # -- control fields -------------------------------------------------------
    info = run(["dpkg-deb", "-I", deb])
    print(info)
    field = lambda name: run(["dpkg-deb", "-f", deb, name]).strip()
    check(field("Package") == "analysisd", "Package: analysisd")
    check(field("Version") == args.version, "Version: " + args.version)
    check(field("Architecture") == arch, "Architecture: " + arch)
    check(field("Maintainer") != "", "a Maintainer")
    depends = [d.strip() for d in field("Depends").split(",")]
    names = [re.split(r"[ (|]", d, 1)[0] for d in depends]
    check(all(re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", n) for n in names),
          "every Depends entry names a package: " + ", ".join(depends))
    check(len(set(names)) == len(names), "no package is in Depends twice")
    check("adduser" in names, "Depends on adduser (the postinst creates the user)")
    for n in ("libc6", "libstdc++6"):
        check(n in names, "Depends on " + n)
    # Every shared library the binary needs comes from a package it depends on.
    # (Or on a name the package provides: libspdlog1.10's shlibs name libspdlog1.10-fmt9.)
    for lib, pkg in needed_packages(args.binary):
        provides = subprocess.run(["dpkg-query", "-W", "-f=${Provides}", pkg], capture_output=True,
                                  text=True).stdout
        aliases = {pkg} | {p.split()[0] for p in provides.split(",") if p.strip()}
        check(bool(aliases & set(names)), "Depends on %s (for %s)" % (" or ".join(sorted(aliases)), lib))

    # -- files ----------------------------------------------------------------
    listing = run(["dpkg-deb", "-c", deb])
    print(listing)
    entries = {}
    for line in listing.splitlines():
        parts = line.split(None, 5)
        entries[parts[5].split(" -> ")[0].lstrip(".")] = (parts[0], parts[1])
    files = {p: e for p, e in entries.items() if not e[0].startswith("d")}
    unit = args.unit_dir.rstrip("/") + "/analysisd.service"
    expected = {
        "/usr/bin/analysisd": "-rwxr-xr-x",
        "/usr/share/man/man1/analysisd.1.gz": "-rw-r--r--",
        unit: "-rw-r--r--",
        "/etc/analysisd/analysisd.conf": "-rw-r-----",
        "/usr/share/doc/analysisd/README.md": "-rw-r--r--",
    }
    for path, mode in expected.items():
        got = files.get(path)
        check(got is not None and got[0] == mode, "%s %s (%s)" % (mode, path, got and got[0]))
    extra = sorted(set(files) - set(expected))
    check(not extra, "no other files" + (": " + ", ".join(extra) if extra else ""))
    check(all(e[1] == "root/root" for e in entries.values()), "everything owned by root/root")
    check(not any(p.startswith(("/usr/local", "/var", "/home", "/tmp")) for p in entries),
          "nothing under /usr/local, /var, /home or /tmp")

    # -- maintainer scripts and conffiles ------------------------------------
    control = os.path.join(tmp, "control")
    run(["dpkg-deb", "-e", deb, control])
    with open(os.path.join(control, "conffiles")) as f:
        check(f.read().split() == ["/etc/analysisd/analysisd.conf"],
              "conffiles lists /etc/analysisd/analysisd.conf")
    scripts = {}
    for name in ("postinst", "prerm", "postrm"):
        path = os.path.join(control, name)
        if check(os.path.isfile(path) and os.access(path, os.X_OK), name + " present and executable"):
            check(subprocess.run(["sh", "-n", path]).returncode == 0, name + " is valid sh")
            with open(path) as f:
                scripts[name] = f.read()
    postinst = scripts.get("postinst", "")
    check("adduser --system --group --home /var/lib/analysisd --no-create-home" in postinst,
          "postinst creates the analysisd system user")
    check(re.search(r"install -d -o analysisd -g analysisd -m 0700 /var/lib/analysisd", postinst)
          is not None, "postinst creates /var/lib/analysisd, 0700, owned by analysisd")
    check("chown root:analysisd /etc/analysisd/analysisd.conf" in postinst,
          "postinst gives the config file to group analysisd")
    check("deb-systemd-helper enable analysisd.service" in postinst
          and "daemon-reload" in postinst, "postinst enables the unit and reloads systemd")
    check("deb-systemd-invoke stop analysisd.service" in scripts.get("prerm", ""),
          "prerm stops the server on remove")
    postrm = scripts.get("postrm", "")
    check("deb-systemd-helper purge analysisd.service" in postrm, "postrm purges the unit's state")
    check("rm -rf /var/lib" not in postrm.split("\n#")[0] and
          not re.search(r"^\s*rm\b.*?/var/lib/analysisd", postrm, re.M),
          "postrm never deletes /var/lib/analysisd")

    # -- contents -------------------------------------------------------------
    root = os.path.join(tmp, "root")
    run(["dpkg-deb", "-x", deb, root])
    with gzip.open(os.path.join(root, "usr/share/man/man1/analysisd.1.gz"), "rt") as f:
        man = f.read()
    check(re.search(r'^\.TH ANALYSISD "?1"?', man, re.M) is not None, "analysisd.1 is a section-1 man page")
    check(re.search(r'^\.TH .*"analysisd %s"' % re.escape(args.version), man, re.M) is not None,
          "the man page names version " + args.version)
    check("listen" in man and "data\\-dir" in man, "the man page lists the options")
    check("/etc/analysisd/analysisd.conf" in man, "the man page names the config file")

    help_text = subprocess.run([args.binary, "--help"], capture_output=True, text=True)
    # Long options, not the dotted pass-through ones (CAF's, e.g. --caf.scheduler.policy).
    options = set(re.findall(r"--([a-z][a-z0-9-]*[a-z0-9])(?![\w.-])", help_text.stdout + help_text.stderr))
    options -= {"help", "version", "config"}
    with open(os.path.join(root, "etc/analysisd/analysisd.conf")) as f:
        conf = f.read()
    keys = set(re.findall(r"^#?\s?([a-z][a-z0-9-]*) = ", conf, re.M))
    set_keys = dict(re.findall(r"^([a-z][a-z0-9-]*) = (.*)$", conf, re.M))
    check(set_keys == {"listen": '"127.0.0.1:9950"', "data-dir": '"/var/lib/analysisd"'},
          "the config file sets listen and data-dir only: %s" % set_keys)
    check(options <= keys, "the config file documents every option of --help (add to "
          "packaging/analysisd.conf: %s)" % ", ".join(sorted(options - keys)))
    check("repair" in options and "listen" in options, "--help was read (%d options)" % len(options))

    with open(os.path.join(root, unit.lstrip("/"))) as f:
        unit_text = f.read()
    settings = {}
    for line in unit_text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            k, v = line.split("=", 1)
            settings[k] = v
    want = {
        "Type": "notify", "User": "analysisd", "Group": "analysisd",
        "ExecStart": "/usr/bin/analysisd --config /etc/analysisd/analysisd.conf",
        "Restart": "on-failure", "RestartPreventExitStatus": "2", "TimeoutStopSec": "35s",
        "ExecReload": "/bin/kill -HUP $MAINPID",
        "StateDirectory": "analysisd", "StateDirectoryMode": "0700", "UMask": "0077",
        "NoNewPrivileges": "true", "ProtectSystem": "strict",
        "ReadWritePaths": "/var/lib/analysisd", "PrivateTmp": "true", "PrivateDevices": "true",
        "ProtectHome": "true", "ProtectKernelTunables": "true", "ProtectKernelModules": "true",
        "ProtectKernelLogs": "true", "ProtectControlGroups": "true", "ProtectClock": "true",
        "ProtectHostname": "true", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "RestrictNamespaces": "true", "RestrictRealtime": "true", "LockPersonality": "true",
        "MemoryDenyWriteExecute": "true", "SystemCallArchitectures": "native",
        "CapabilityBoundingSet": "", "WantedBy": "multi-user.target",
    }
    for k, v in want.items():
        check(settings.get(k) == v, "unit: %s=%s" % (k, v))
    check("LimitNOFILE" in settings, "unit: LimitNOFILE")

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("SKIP: systemd-analyze not found: the unit is not verified")
    else:
        # Against this system's units (targets), with ExecStart pointing at
        # the unpacked binary and man finding the unpacked man page.
        vdir = os.path.join(tmp, "verify")
        os.mkdir(vdir)
        copy = os.path.join(vdir, "analysisd.service")
        with open(copy, "w") as f:
            f.write(unit_text.replace("ExecStart=/usr/bin/analysisd",
                                      "ExecStart=" + os.path.join(root, "usr/bin/analysisd")))
        cmd = [analyze, "verify", copy]
        if shutil.which("man") is None:
            print("SKIP: man not found: systemd-analyze verify does not check Documentation=")
            cmd.insert(2, "--man=no")
        env = dict(os.environ, MANPATH=os.path.join(root, "usr/share/man"))
        v = subprocess.run(cmd, capture_output=True, text=True, env=env)
        print(v.stdout + v.stderr, end="")
        check(v.returncode == 0 and v.stderr.strip() == "", "systemd-analyze verify accepts the unit")
        s = subprocess.run([analyze, "security", "--offline=true", "--root=" + root,
                            os.path.join(root, unit.lstrip("/"))], capture_output=True, text=True)
        score = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", s.stdout + s.stderr)
        if check(score is not None, "systemd-analyze security rates the unit: %s"
                 % (score.group(0) if score else (s.stdout + s.stderr)[-500:])):
            check(float(score.group(1)) <= 2.0, "its exposure is at most 2.0 (OK)")

    install_test(args, deb, tmp)

    if failures:
        print("\n%d check(s) failed:\n  %s" % (len(failures), "\n  ".join(failures)))
        return 1
    print("\nall checks passed")
    return 0


def install_test(args, deb, tmp):
    """install_test.sh: dpkg -i, again, -r and -P with the real maintainer
    scripts, in a private mount namespace whose /usr, /etc and /var are
    throwaway overlays. As root, where CI=true or ANALYSISD_PACKAGE_INSTALL_TEST=1."""
    wanted = os.environ.get("CI") == "true" or os.environ.get("ANALYSISD_PACKAGE_INSTALL_TEST") == "1"
    if not wanted:
        print("SKIP: the install test runs where CI=true or ANALYSISD_PACKAGE_INSTALL_TEST=1")
        return
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("dpkg") is None:
        print("SKIP: the install test needs root, unshare and dpkg")
        return
    scratch = os.path.join(tmp, "install")
    os.mkdir(scratch)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "install_test.sh")
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", script, deb,
                        scratch, str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    print(r.stdout, end="")
    if r.returncode == SKIP:
        return
    check(r.returncode == 0, "the package installs, upgrades, removes and purges (install_test.sh)")


def needed_packages(binary):
    """(library, Debian package) for each shared library the binary loads
    directly: readelf's NEEDED, resolved by ldd, found by dpkg -S."""
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", run(["readelf", "-d", binary]))
    paths = dict(re.findall(r"^\s*(\S+) => (\S+)", run(["ldd", binary]), re.M))
    out = []
    for lib in needed:
        path = paths.get(lib)
        if path is None:
            check(False, "ldd resolves " + lib)
            continue
        owner = None
        for p in (path, os.path.realpath(path)):
            r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
            if r.returncode == 0:
                owner = r.stdout.split(":")[0].strip()
                break
        if owner is None:  # e.g. /lib against /usr/lib with merged /usr
            r = subprocess.run(["dpkg", "-S", "*/" + os.path.basename(os.path.realpath(path))],
                               capture_output=True, text=True)
            if r.returncode == 0:
                owner = r.stdout.split(":")[0].strip()
        if check(owner is not None, "dpkg knows which package holds " + path):
            out.append((lib, owner))
    return out


if __name__ == "__main__":
    sys.exit(main())
