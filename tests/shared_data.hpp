#pragma once
// Contributors keep a real corpus beside the project, in ../shared (see the
// README); a user's clone has none. A test that reads it is decorated
//   TEST_CASE("..." * kiln::testing::needs_shared("data/small_vocab"))
// and is skipped (doctest counts it so) with a note on stderr when it is absent.

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#ifndef KILN_SHARED_DIR
#error "the test's meson.build passes KILN_SHARED_DIR, the absolute path of ../shared"
#endif

namespace kiln::testing {

inline std::string shared_path(const std::string& relative) {
  std::string path = KILN_SHARED_DIR;  // appended, not a + b + c: GCC 12 warns falsely on that (-Warray-bounds)
  path += '/';
  path += relative;
  return path;
}

// doctest::skip(true), after a note on stderr, when ../shared/<relative> is absent.
inline doctest::skip needs_shared(const std::string& relative) {
  const bool absent = !std::filesystem::exists(shared_path(relative));
  if (absent) std::fprintf(stderr, "kiln tests: %s is absent: skipping a test that reads it\n", shared_path(relative).c_str());
  return doctest::skip(absent);
}

}  // namespace kiln::testing
