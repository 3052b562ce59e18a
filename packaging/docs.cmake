# relayaudit(1) and the bash and zsh completions, generated at build time by relayaudit-docgen
# from the same CLI11 app relayaudit parses with; rebuilt whenever the command-line code changes.
file(GLOB relayaudit_docgen_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scanner/docgen/*.cpp)
add_executable(relayaudit-docgen ${relayaudit_docgen_sources})
target_link_libraries(relayaudit-docgen PRIVATE ra_cli ra_scripts)

set(RELAYAUDIT_DOCS_DIR ${CMAKE_BINARY_DIR}/docs)
set(relayaudit_man_page ${RELAYAUDIT_DOCS_DIR}/relayaudit.1)
set(relayaudit_bash_completion ${RELAYAUDIT_DOCS_DIR}/relayaudit.bash)
set(relayaudit_zsh_completion ${RELAYAUDIT_DOCS_DIR}/_relayaudit)
find_program(GZIP_PROGRAM gzip REQUIRED)
# Debian installs man pages and changelogs compressed: gzip -9n (no name, no timestamp) keeps the
# package reproducible.
add_custom_command(
  OUTPUT ${relayaudit_man_page} ${relayaudit_man_page}.gz ${relayaudit_bash_completion}
         ${relayaudit_zsh_completion}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${RELAYAUDIT_DOCS_DIR}
  COMMAND relayaudit-docgen ${relayaudit_man_page} ${relayaudit_bash_completion}
          ${relayaudit_zsh_completion}
  COMMAND ${GZIP_PROGRAM} -9nfk ${relayaudit_man_page}
  DEPENDS relayaudit-docgen
  COMMENT "Generating relayaudit.1 and the bash and zsh completions"
  VERBATIM)

# The package's changelog, which must name the version being built.
file(STRINGS ${PROJECT_SOURCE_DIR}/packaging/changelog relayaudit_changelog_top LIMIT_COUNT 1)
if(NOT relayaudit_changelog_top MATCHES "^relayaudit \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging/changelog: the first entry is not version ${PROJECT_VERSION} "
                      "(reports/version.hpp): add an entry for it")
endif()
set(relayaudit_changelog ${RELAYAUDIT_DOCS_DIR}/changelog.gz)
add_custom_command(
  OUTPUT ${relayaudit_changelog}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${RELAYAUDIT_DOCS_DIR}
  COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/packaging/changelog
          ${RELAYAUDIT_DOCS_DIR}/changelog
  COMMAND ${GZIP_PROGRAM} -9nf ${RELAYAUDIT_DOCS_DIR}/changelog
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog
  VERBATIM)

add_custom_target(relayaudit_docs ALL
  DEPENDS ${relayaudit_man_page} ${relayaudit_man_page}.gz ${relayaudit_bash_completion}
          ${relayaudit_zsh_completion} ${relayaudit_changelog})
