# `cmake --install` and the Debian package (cpack -G DEB): the binary, relayaudit(1), the bash
# and zsh completions, the examples, and the copyright and changelog Debian requires.
include(GNUInstallDirs)
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
install(TARGETS relayaudit RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# A stripped install (cpack, cmake --install --strip) also drops the sections dh_strip drops.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND \"${CMAKE_OBJCOPY}\" --remove-section=.comment --remove-section=.note
                    \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/relayaudit\")
  endif()")
install(FILES ${relayaudit_man_page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${relayaudit_bash_completion} RENAME relayaudit
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
# zsh reads packaged completion from /usr/share/zsh/vendor-completions (Debian), and under any
# other prefix (/usr/local) from share/zsh/site-functions; the prefix is known only at install
# time (`cmake --install --prefix`, or CPack's staging directory ending in /usr).
install(CODE "
  if(CMAKE_INSTALL_PREFIX MATCHES \"(^|/)usr$\")
    set(relayaudit_zsh_dir share/zsh/vendor-completions)
  else()
    set(relayaudit_zsh_dir share/zsh/site-functions)
  endif()
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/\${relayaudit_zsh_dir}\" TYPE FILE
       FILES \"${relayaudit_zsh_completion}\")")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright ${relayaudit_changelog}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME relayaudit)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "relayaudit maintainers <maintainers@users.noreply.r-seed-caca61c6.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "audit SMTP gateways for open relaying")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "relayaudit connects to every mail gateway of a domain, host list or\n"
       "network, plays the relay tricks an abuser would try (external sender to\n"
       "external recipient, null sender, spoofed local sender, percent hack, ...)\n"
       "and expects each to be rejected at RCPT TO. It never sends a message.\n"
       "It writes JSON verdicts with the transcript that shows where a server\n"
       "failed, and JUnit, SARIF, Markdown and HTML reports for CI.")
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: from the libraries the binary links (dpkg-shlibdeps), never written by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE relayaudit_deb_arch
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT relayaudit_deb_arch)
  set(relayaudit_deb_arch amd64)
endif()
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${relayaudit_deb_arch})
set(CPACK_DEBIAN_FILE_NAME "relayaudit_${PROJECT_VERSION}_${relayaudit_deb_arch}.deb")
include(CPack)
