// libFuzzer target: kiln::fuzz::tokenizer_json (see fuzz/targets.hpp, fuzz/run.sh).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kiln::fuzz::tokenizer_json(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
