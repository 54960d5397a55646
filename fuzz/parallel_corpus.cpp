// libFuzzer target: kiln::fuzz::parallel_corpus (see fuzz/targets.hpp, fuzz/run.sh).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kiln::fuzz::parallel_corpus(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
