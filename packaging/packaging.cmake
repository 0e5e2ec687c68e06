# Packaging (issue 12): install rules, a man page made from --help, the
# systemd unit, the default config file and a CPack .deb. Included from the
# top-level CMakeLists.txt after the analysisd target.
#
#   cmake --build --preset release --target package   # build/release/analysisd_<version>_<arch>.deb
#   cmake --install build/release --prefix /usr/local  # no package
#
# Layout (Debian package, prefix /usr):
#   /usr/bin/analysisd                        the server (and, later, its operator commands)
#   /usr/share/man/man1/analysisd.1.gz        from `analysisd --help` and `--version` (help2man)
#   /lib/systemd/system/analysisd.service     the distribution's unit dir (systemd.pc)
#   /etc/analysisd/analysisd.conf             conffile, 0640 root:analysisd
#   /usr/share/doc/analysisd/README.md
# plus the maintainer scripts in packaging/debian/ (the analysisd user and
# /var/lib/analysisd, enabling and (re)starting the unit).
#
# The binary goes to bin, not sbin: the same binary is the operators'
# command line (`--version`, and the admin commands of issue 12), which
# users other than root run; FHS keeps sbin for commands only the system
# administrator needs.

include(GNUInstallDirs)

set(_pkg_src "${CMAKE_CURRENT_LIST_DIR}")
set(_pkg_bin "${CMAKE_BINARY_DIR}/packaging")
file(MAKE_DIRECTORY "${_pkg_bin}")

install(TARGETS analysisd RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES README.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# -- man page: analysisd(1), generated from what the built binary prints -------
# --version-string: the version --version starts with, without the commit and
# the build it names after it (the man page changes only with the version).
find_program(HELP2MAN_PROGRAM help2man)
find_program(GZIP_PROGRAM gzip)
if(HELP2MAN_PROGRAM AND GZIP_PROGRAM)
  add_custom_command(
    OUTPUT "${_pkg_bin}/analysisd.1.gz"
    COMMAND "${HELP2MAN_PROGRAM}" --no-info "--version-string=${PROJECT_VERSION}"
            "--include=${_pkg_src}/analysisd.h2m" "--output=${_pkg_bin}/analysisd.1"
            "$<TARGET_FILE:analysisd>"
    COMMAND "${GZIP_PROGRAM}" -9nf "${_pkg_bin}/analysisd.1"
    DEPENDS analysisd "${_pkg_src}/analysisd.h2m"
    COMMENT "Generating analysisd(1) with help2man"
    VERBATIM)
  add_custom_target(analysisd_man ALL DEPENDS "${_pkg_bin}/analysisd.1.gz")
  install(FILES "${_pkg_bin}/analysisd.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
else()
  message(WARNING "help2man or gzip not found (scripts/install-deps.sh installs them): "
                  "no man page is built, installed or packaged")
endif()

# -- systemd unit and default config ---------------------------------------------
find_package(PkgConfig QUIET)
set(ANALYSISD_DISTRO_UNIT_DIR "")
if(PKG_CONFIG_FOUND)
  pkg_get_variable(ANALYSISD_DISTRO_UNIT_DIR systemd systemdsystemunitdir)
endif()
if(NOT ANALYSISD_DISTRO_UNIT_DIR)
  set(ANALYSISD_DISTRO_UNIT_DIR "/lib/systemd/system") # Debian 12's
endif()
install(CODE "
  set(_pkg_src \"${_pkg_src}\")
  set(_pkg_bin \"${_pkg_bin}\")
  set(_pkg_bindir \"${CMAKE_INSTALL_BINDIR}\")
  set(_pkg_sysconfdir \"${CMAKE_INSTALL_SYSCONFDIR}\")
  set(_pkg_distro_unitdir \"${ANALYSISD_DISTRO_UNIT_DIR}\")
  include(\"${_pkg_src}/install-system-files.cmake\")
")

# -- the .deb --------------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "analysisd")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Virtool's job-facing Analyses API server")
set(CPACK_PACKAGE_DESCRIPTION
    "analysisd serves Virtool's job-facing Analyses API (read, upload result files, download, finalize, remove), with operator routes to create analyses and hand out job keys. Every change is durable before it is acknowledged. The package runs it under systemd as the analysisd user, with its data in /var/lib/analysisd.")
set(ANALYSISD_PACKAGE_CONTACT "analysisd maintainers <root@localhost>" CACHE STRING
    "The .deb's Maintainer field")
set(CPACK_PACKAGE_CONTACT "${ANALYSISD_PACKAGE_CONTACT}")
# CPack installs with CMAKE_INSTALL_PREFIX=/usr (whatever the build's prefix)
# and DESTDIR set to its staging dir, so that the absolute paths above (/etc,
# the unit dir) land in the package, not on the build machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX "/usr")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT") # analysisd_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_COMPRESSION_TYPE "gzip") # quick enough for the package test
# The shared libraries' packages come from dpkg-shlibdeps (dpkg-dev) where it
# is installed; elsewhere from this list of Debian 12's names. adduser is for
# the postinst.
find_program(DPKG_SHLIBDEPS_PROGRAM dpkg-shlibdeps)
if(DPKG_SHLIBDEPS_PROGRAM)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "adduser, libc6, libstdc++6, libgcc-s1, libcaf-core0.17, libcaf-io0.17, libssl3, zlib1g, libfmt9, libhttp-parser2.9, libspdlog1.10, libprometheus-cpp-core1.0, libsystemd0, libboost-filesystem1.74.0")
endif()
file(WRITE "${_pkg_bin}/conffiles" "/etc/analysisd/analysisd.conf\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_pkg_src}/debian/postinst" "${_pkg_src}/debian/prerm" "${_pkg_src}/debian/postrm"
    "${_pkg_bin}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# `--target package_source`: the sources only, never build or data dirs.
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git" "/build[^/]*/" "/data/" "__pycache__")
include(CPack)
