#pragma once
// UTF-8 decoding, encoding and lowercasing: just what the tokenizer needs to
// treat text as Python treats a str (characters, not bytes).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::text {

// Decodes the character starting at text[pos] and moves pos past it.
// Throws kiln::Error "<who>: invalid UTF-8 at byte <pos> (0x..)" on a bad lead
// byte, a truncated or overlong sequence, a surrogate, or a value > U+10FFFF.
char32_t decode_utf8(std::string_view text, std::size_t& pos, std::string_view who);

// Appends the UTF-8 encoding of code point cp.
void append_utf8(std::string& out, char32_t cp);

// The characters of text, each as its own UTF-8 string.
std::vector<std::string> utf8_characters(std::string_view text, std::string_view who);

// Lowercase like Python's str.lower() for the Latin, Greek and Cyrillic
// scripts (ASCII, Latin-1, Latin Extended-A, Romanian letters, Vietnamese,
// basic Greek and Cyrillic, fullwidth Latin). Other characters are kept.
// Greek final sigma is not special-cased (always σ).
std::string to_lower_utf8(std::string_view text, std::string_view who);

}  // namespace kiln::text
