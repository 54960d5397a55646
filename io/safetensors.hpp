#pragma once
// The safetensors weight format (https://github.com/huggingface/safetensors):
//
//   8 bytes    N, the header length, little-endian u64
//   N bytes    UTF-8 JSON object: tensor name -> {"dtype": "F32",
//              "shape": [d0, d1, ...], "data_offsets": [begin, end]},
//              plus an optional "__metadata__" string -> string map;
//              padded with spaces so the data starts 8-byte aligned
//   the rest   the byte buffer: each tensor's row-major little-endian
//              elements at [begin, end), offsets relative to the buffer;
//              the tensors cover the buffer exactly, without holes
//
// kiln writes F32 and reads F32, F64, F16 and BF16 (converted to float).

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "graph/shape.hpp"

namespace kiln::io {

struct NamedArray {
  std::string name;
  Array value;
};

// Writes the tensors (F32, in the given order) and the metadata,
// atomically (see write_file_atomically). Throws kiln::Error for a duplicate
// or reserved ("__metadata__") tensor name, non-UTF-8 names, or I/O failure.
void save_safetensors(const std::filesystem::path& path, const std::vector<NamedArray>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// The tensors in file order (by data offset). The whole header is validated
// before any data is read; every fault throws kiln::FormatError
// "<path>: tensor '<name>': <what is wrong>".
std::vector<NamedArray> load_safetensors(const std::filesystem::path& path);

// The same for a whole file already in memory; source_name stands in for
// the path in error messages.
std::vector<NamedArray> load_safetensors_from_bytes(std::string_view bytes, const std::string& source_name);

// The "__metadata__" map (empty when absent); validates the header as
// load_safetensors does but reads no tensor data.
std::map<std::string, std::string> load_safetensors_metadata(const std::filesystem::path& path);

}  // namespace kiln::io
