# Installs the systemd unit and the default config file. Runs at install
# time (install(CODE) in packaging.cmake), because where they go depends on
# the prefix being installed to, which is only known then: /usr when CPack
# builds the .deb, /usr/local for a plain `cmake --install`. Set by the
# caller: _pkg_src (this folder), _pkg_bin (its build folder), _pkg_bindir
# (CMAKE_INSTALL_BINDIR), _pkg_sysconfdir (CMAKE_INSTALL_SYSCONFDIR),
# _pkg_distro_unitdir (the distribution's unit dir, from systemd.pc).

set(_prefix "${CMAKE_INSTALL_PREFIX}")
if(_prefix STREQUAL "/usr" OR _prefix STREQUAL "/")
  # A system install: the paths a Debian package uses.
  set(ANALYSISD_SYSCONFDIR "/etc")
  set(ANALYSISD_UNIT_DIR "${_pkg_distro_unitdir}")
else()
  # A local one (/usr/local, /opt/...): everything under the prefix. systemd
  # also reads units from /usr/local/lib/systemd/system.
  set(ANALYSISD_SYSCONFDIR "${_prefix}/${_pkg_sysconfdir}")
  set(ANALYSISD_UNIT_DIR "${_prefix}/lib/systemd/system")
endif()
set(ANALYSISD_BINDIR "${_prefix}/${_pkg_bindir}")

configure_file("${_pkg_src}/analysisd.service.in" "${_pkg_bin}/analysisd.service" @ONLY)
file(INSTALL "${_pkg_bin}/analysisd.service" DESTINATION "${ANALYSISD_UNIT_DIR}"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# 0640: the package's postinst gives it to group analysisd, so the server
# reads it and nobody else does (it may hold secrets).
file(INSTALL "${_pkg_src}/analysisd.conf" DESTINATION "${ANALYSISD_SYSCONFDIR}/analysisd"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
