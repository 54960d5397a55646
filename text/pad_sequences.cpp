#include "text/pad_sequences.hpp"

#include <algorithm>

#include "graph/error.hpp"

namespace kiln::text {
namespace {

// true for "pre", false for "post"; anything else is an error.
bool is_pre(const std::string& option, const char* name) {
  if (option == "pre") return true;
  if (option == "post") return false;
  throw Error(std::string("pad_sequences: ") + name + " must be \"pre\" or \"post\", got \"" + option + "\"");
}

}  // namespace

Array pad_sequences(const std::vector<Sequence>& sequences, const PadOptions& options) {
  const bool pad_pre = is_pre(options.padding, "padding");
  const bool truncate_pre = is_pre(options.truncating, "truncating");

  std::size_t maxlen = options.maxlen;
  if (maxlen == 0) {
    for (const auto& s : sequences) maxlen = std::max(maxlen, s.size());
  }
  Array out = Array::from_shape({sequences.size(), maxlen});
  std::fill(out.begin(), out.end(), options.value);

  constexpr int kLargestExact = 1 << 24;  // float32 holds every integer up to 2^24
  for (std::size_t row = 0; row < sequences.size(); ++row) {
    const Sequence& s = sequences[row];
    const std::size_t kept = std::min(s.size(), maxlen);
    const std::size_t first = truncate_pre ? s.size() - kept : 0;  // first id kept
    float* dst = out.data() + row * maxlen + (pad_pre ? maxlen - kept : 0);
    for (std::size_t i = 0; i < kept; ++i) {
      const int id = s[first + i];
      if (id > kLargestExact || id < -kLargestExact) {
        throw Error("pad_sequences: id " + std::to_string(id) + " in sequence " + std::to_string(row) +
                    " cannot be stored exactly as float32 (|id| > 2^24)");
      }
      dst[i] = static_cast<float>(id);
    }
  }
  return out;
}

}  // namespace kiln::text
