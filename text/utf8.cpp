#include "text/utf8.hpp"

#include <cstdio>

#include "graph/error.hpp"

namespace kiln::text {
namespace {

[[noreturn]] void throw_invalid(std::string_view text, std::size_t pos, std::string_view who) {
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[pos])));
  throw Error(std::string(who) + ": invalid UTF-8 at byte " + std::to_string(pos) + " (" + byte + ")");
}

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

bool in(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

// Within [lo, hi], upper case letters sit at one parity and their lower case
// partner right after them (U+0100 Ā, U+0101 ā, ...).
bool paired_upper(char32_t c, char32_t lo, char32_t hi) {
  return in(c, lo, hi) && (c - lo) % 2 == 0;
}

// Simple (one to one) lowercase mapping; U+0130 is handled by the caller.
char32_t lower_code_point(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (in(c, 0xC0, 0xDE) && c != 0xD7) return c + 32;             // À..Þ except ×
  if (paired_upper(c, 0x100, 0x12F) || paired_upper(c, 0x132, 0x137) ||
      paired_upper(c, 0x139, 0x148) || paired_upper(c, 0x14A, 0x177) ||
      paired_upper(c, 0x179, 0x17E)) {
    return c + 1;                                                  // Latin Extended-A
  }
  if (c == 0x178) return 0xFF;                                     // Ÿ -> ÿ
  if (paired_upper(c, 0x200, 0x21F) || paired_upper(c, 0x222, 0x233)) return c + 1;  // Ș Ț ...
  if (c == 0x386) return 0x3AC;                                    // Greek with tonos
  if (in(c, 0x388, 0x38A)) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (in(c, 0x38E, 0x38F)) return c + 63;
  if (in(c, 0x391, 0x3AB) && c != 0x3A2) return c + 32;            // Α..Ϋ
  if (in(c, 0x400, 0x40F)) return c + 80;                          // Ѐ..Џ
  if (in(c, 0x410, 0x42F)) return c + 32;                          // А..Я
  if (paired_upper(c, 0x460, 0x481) || paired_upper(c, 0x48A, 0x4BF) ||
      paired_upper(c, 0x4D0, 0x52F)) {
    return c + 1;
  }
  if (c == 0x4C0) return 0x4CF;
  if (in(c, 0x4C1, 0x4CE) && (c - 0x4C1) % 2 == 0) return c + 1;
  if (paired_upper(c, 0x1E00, 0x1E95) || paired_upper(c, 0x1EA0, 0x1EFF)) return c + 1;
  if (c == 0x1E9E) return 0xDF;                                    // ẞ -> ß
  if (in(c, 0xFF21, 0xFF3A)) return c + 32;                        // fullwidth A..Z
  return c;
}

}  // namespace

char32_t decode_utf8(std::string_view text, std::size_t& pos, std::string_view who) {
  const std::size_t start = pos;
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  std::size_t length;
  char32_t cp;
  char32_t smallest;  // below this the sequence is overlong
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, smallest = 0x10000;
  } else {
    throw_invalid(text, start, who);
  }
  if (start + length > text.size()) throw_invalid(text, start, who);
  for (std::size_t i = 1; i < length; ++i) {
    const auto b = static_cast<unsigned char>(text[start + i]);
    if (!is_continuation(b)) throw_invalid(text, start, who);
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < smallest || cp > 0x10FFFF || in(cp, 0xD800, 0xDFFF)) throw_invalid(text, start, who);
  pos = start + length;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::vector<std::string> utf8_characters(std::string_view text, std::string_view who) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    decode_utf8(text, pos, who);
    out.emplace_back(text.substr(start, pos - start));
  }
  return out;
}

std::string to_lower_utf8(std::string_view text, std::string_view who) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto b = static_cast<unsigned char>(text[pos]);
    if (b < 0x80) {  // ASCII fast path
      out += static_cast<char>((b >= 'A' && b <= 'Z') ? b + 32 : b);
      ++pos;
      continue;
    }
    const char32_t cp = decode_utf8(text, pos, who);
    if (cp == 0x130) {  // İ lowercases to i + combining dot above, as in Python
      out += 'i';
      append_utf8(out, 0x307);
    } else {
      append_utf8(out, lower_code_point(cp));
    }
  }
  return out;
}

}  // namespace kiln::text
