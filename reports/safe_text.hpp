// Makes hostile bytes (server replies, user input) safe for JSON documents and for terminals.
#pragma once

#include <string>
#include <string_view>

namespace relayaudit {

// Returns valid UTF-8. Valid sequences are copied; each invalid byte (stray continuation,
// truncated sequence, overlong form, surrogate, code point above U+10FFFF) becomes the four
// characters "\xNN". Only when something was escaped are backslashes doubled, so clean text stays
// byte-for-byte identical and escaped text still decodes back to the exact bytes received.
// Sets *changed (when not null) to whether the result differs from the input. Never throws.
std::string escape_invalid_utf8(std::string_view bytes, bool* changed = nullptr);

// Like escape_invalid_utf8, and also escapes every byte of anything a terminal would act on:
// C0 controls (tab and ESC included), DEL, C1 controls and the Unicode bidi overrides. A hostile
// banner printed through this cannot move the cursor, recolor the screen or reorder the line.
// Every backslash is doubled, escaped or not, so "\x1b" on screen is always an ESC byte and a
// server's literal "\x1b" shows as "\\x1b".
std::string terminal_safe(std::string_view bytes);

// Code points a terminal interprets instead of printing (C0, DEL, C1) or that reorder a line.
bool acts_on_terminal(char32_t cp);

// Appends the four characters "\xNN" (lowercase hex) for `byte`.
void append_hex_escape(std::string& out, unsigned char byte);

}  // namespace relayaudit
