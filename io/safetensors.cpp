#include "io/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "graph/error.hpp"
#include "io/atomic_file.hpp"

namespace kiln::io {

namespace {

// ordered_json keeps the header's key order, which breaks ties between
// zero-sized tensors that share an offset.
using Json = nlohmann::ordered_json;

constexpr std::uint64_t kMaxHeaderBytes = 100ull << 20;  // 100 MB, as the reference reader
constexpr std::size_t kMaxRank = 64;
constexpr int kMaxJsonDepth = 8;  // a valid header nests 3 deep: {name: {shape: [...]}}
const std::string kMetadataKey = "__metadata__";

enum class DType { F32, F64, F16, BF16 };

struct DTypeInfo {
  const char* name;
  DType dtype;
  std::uint64_t bytes;
};

constexpr DTypeInfo kReadableDTypes[] = {
    {"F32", DType::F32, 4}, {"F64", DType::F64, 8}, {"F16", DType::F16, 2}, {"BF16", DType::BF16, 2}};

// One tensor's header entry, validated.
struct Entry {
  std::string name;
  DTypeInfo dtype;
  Shape shape;
  std::uint64_t begin = 0, end = 0;  // relative to the data buffer
};

struct Header {
  std::vector<Entry> entries;  // sorted by data offset
  std::map<std::string, std::string> metadata;
  std::uint64_t data_start = 0;  // file offset of the data buffer
};

// ---- errors ---------------------------------------------------------------

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw FormatError(path.string() + ": " + what);
}

[[noreturn]] void fail_tensor(const std::filesystem::path& path, const std::string& name,
                              const std::string& what) {
  fail(path, "tensor '" + name + "': " + what);
}

// A JSON value for an error message, cut short if a hostile file made it long.
std::string short_dump(const Json& value) {
  std::string text = value.dump();
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

std::string offsets_text(std::uint64_t begin, std::uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// ---- little-endian bytes --------------------------------------------------

template <typename U>
U load_le(const unsigned char* bytes) {
  U value = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) value |= static_cast<U>(bytes[i]) << (8 * i);
  return value;
}

void store_le_u64(std::uint64_t value, char* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xffu);
}

// IEEE half: 1 sign, 5 exponent (bias 15), 10 mantissa bits.
float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu;
  const std::uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

// bfloat16 is the top half of a float32.
float bfloat16_to_float(std::uint16_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

// ---- the file -------------------------------------------------------------

struct OpenFile {
  std::ifstream stream;
  std::uint64_t size = 0;
};

OpenFile open_file(const std::filesystem::path& path) {
  OpenFile file{std::ifstream(path, std::ios::binary), 0};
  if (!file.stream) throw FormatError("cannot open " + path.string() + ": " + std::strerror(errno));
  std::error_code error;
  file.size = std::filesystem::file_size(path, error);
  if (error) throw FormatError("cannot open " + path.string() + ": " + error.message());
  return file;
}

void read_exactly(OpenFile& file, const std::filesystem::path& path, std::uint64_t offset, char* out,
                  std::uint64_t size, const std::string& what) {
  file.stream.seekg(static_cast<std::streamoff>(offset));
  file.stream.read(out, static_cast<std::streamsize>(size));
  if (!file.stream || static_cast<std::uint64_t>(file.stream.gcount()) != size) {
    fail(path, "the file ended or failed while reading " + what);
  }
}

// The whole file already in memory (load_safetensors_from_bytes).
struct MemoryFile {
  std::string_view bytes;
  std::uint64_t size = 0;
};

void read_exactly(MemoryFile& file, const std::filesystem::path& path, std::uint64_t offset, char* out,
                  std::uint64_t size, const std::string& what) {
  if (offset > file.size || size > file.size - offset) fail(path, "the file ended while reading " + what);
  if (size > 0) std::memcpy(out, file.bytes.data() + offset, size);
}

// ---- the header JSON ------------------------------------------------------

// Parses the header, rejecting repeated keys (nlohmann would keep only one)
// and nesting no valid header has (so hostile input cannot build deep trees).
Json parse_header_json(const std::filesystem::path& path, const std::string& text) {
  std::vector<std::set<std::string>> keys_of_open_objects;
  const auto check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth > kMaxJsonDepth)
      fail(path, "header JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (event == Json::parse_event_t::object_start) keys_of_open_objects.emplace_back();
    if (event == Json::parse_event_t::object_end) keys_of_open_objects.pop_back();
    if (event == Json::parse_event_t::key) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!keys_of_open_objects.back().insert(key).second) fail(path, "header repeats the key '" + key + "'");
    }
    return true;
  };
  try {
    return Json::parse(text, check);
  } catch (const Json::exception& e) {
    fail(path, std::string("header is not valid JSON: ") + e.what());
  }
}

const Json& require_field(const std::filesystem::path& path, const std::string& name, const Json& entry,
                          const char* field) {
  const auto it = entry.find(field);
  if (it == entry.end()) fail_tensor(path, name, std::string("missing \"") + field + "\"");
  return *it;
}

DTypeInfo parse_dtype(const std::filesystem::path& path, const std::string& name, const Json& value) {
  if (!value.is_string())
    fail_tensor(path, name, std::string("dtype is a JSON ") + value.type_name() + ", expected a string");
  const auto& text = value.get_ref<const std::string&>();
  for (const auto& info : kReadableDTypes) {
    if (text == info.name) return info;
  }
  fail_tensor(path, name, "unsupported dtype '" + text + "' (kiln reads F32, F64, F16 and BF16)");
}

Shape parse_shape(const std::filesystem::path& path, const std::string& name, const Json& value) {
  if (!value.is_array())
    fail_tensor(path, name, std::string("shape is a JSON ") + value.type_name() + ", expected an array");
  if (value.size() > kMaxRank) {
    fail_tensor(
        path, name,
        "shape has " + std::to_string(value.size()) + " dimensions, more than " + std::to_string(kMaxRank));
  }
  Shape shape(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_number_unsigned()) {
      fail_tensor(path, name,
                  "shape entry " + std::to_string(i) + " is " + short_dump(value[i]) +
                      ", expected a non-negative integer");
    }
    shape[i] = value[i].get<std::uint64_t>();
  }
  return shape;
}

std::pair<std::uint64_t, std::uint64_t> parse_offsets(const std::filesystem::path& path,
                                                      const std::string& name, const Json& value) {
  if (!value.is_array() || value.size() != 2 || !value[0].is_number_unsigned() ||
      !value[1].is_number_unsigned()) {
    fail_tensor(path, name, "data_offsets must be two non-negative integers [begin, end]");
  }
  const auto begin = value[0].get<std::uint64_t>(), end = value[1].get<std::uint64_t>();
  if (begin > end)
    fail_tensor(path, name, "data_offsets " + offsets_text(begin, end) + " end before they begin");
  return {begin, end};
}

// Bytes the shape needs; also rejects shapes whose non-zero dimensions
// overflow, so that no stride computed from them can wrap.
std::uint64_t byte_size(const std::filesystem::path& path, const Entry& entry) {
  std::uint64_t elements = 1, bound = entry.dtype.bytes;
  bool overflow = false;
  for (const auto d : entry.shape) {
    overflow |= __builtin_mul_overflow(elements, d, &elements);
    overflow |= __builtin_mul_overflow(bound, std::max<std::uint64_t>(d, 1), &bound);
  }
  if (overflow) fail_tensor(path, entry.name, "shape " + to_string(entry.shape) + " has too many elements");
  return elements * entry.dtype.bytes;
}

Entry parse_entry(const std::filesystem::path& path, const std::string& name, const Json& value,
                  std::uint64_t data_size) {
  if (!value.is_object()) {
    fail_tensor(path, name,
                std::string("entry is a JSON ") + value.type_name() +
                    ", expected an object with dtype, shape and data_offsets");
  }
  Entry entry{name, parse_dtype(path, name, require_field(path, name, value, "dtype")),
              parse_shape(path, name, require_field(path, name, value, "shape"))};
  std::tie(entry.begin, entry.end) =
      parse_offsets(path, name, require_field(path, name, value, "data_offsets"));
  const std::uint64_t needed = byte_size(path, entry);
  if (entry.end - entry.begin != needed) {
    fail_tensor(path, name,
                "data_offsets " + offsets_text(entry.begin, entry.end) + " hold " +
                    std::to_string(entry.end - entry.begin) + " bytes but shape " + to_string(entry.shape) +
                    " of " + entry.dtype.name + " needs " + std::to_string(needed));
  }
  if (entry.end > data_size) {
    fail_tensor(path, name,
                "data_offsets " + offsets_text(entry.begin, entry.end) +
                    " run past the end of the data buffer, which holds " + std::to_string(data_size) +
                    " bytes (truncated file?)");
  }
  return entry;
}

std::map<std::string, std::string> parse_metadata(const std::filesystem::path& path, const Json& value) {
  if (!value.is_object())
    fail(path,
         std::string("__metadata__ is a JSON ") + value.type_name() + ", expected an object of strings");
  std::map<std::string, std::string> metadata;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!it->is_string())
      fail(path,
           "__metadata__ value for '" + it.key() + "' is a JSON " + it->type_name() + ", expected a string");
    metadata.emplace(it.key(), it->get<std::string>());
  }
  return metadata;
}

// The spec requires the tensors to tile the buffer: each starts where the
// previous (by offset) ended and the last ends at the end of the buffer.
void check_layout(const std::filesystem::path& path, const std::vector<Entry>& sorted,
                  std::uint64_t data_size) {
  std::uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const auto& entry : sorted) {
    if (entry.begin < covered) {
      fail_tensor(path, entry.name,
                  "data_offsets " + offsets_text(entry.begin, entry.end) + " overlap tensor '" +
                      previous->name + "' at " + offsets_text(previous->begin, previous->end));
    }
    if (entry.begin > covered) {
      fail_tensor(path, entry.name,
                  "bytes [" + std::to_string(covered) + ", " + std::to_string(entry.begin) +
                      ") before its data_offsets " + offsets_text(entry.begin, entry.end) +
                      " belong to no tensor");
    }
    covered = entry.end;
    previous = &entry;
  }
  if (covered != data_size) {
    fail(path,
         "the last " + std::to_string(data_size - covered) + " bytes of the data buffer belong to no tensor");
  }
}

Header interpret_header(const std::filesystem::path& path, const Json& json, std::uint64_t data_size) {
  if (!json.is_object())
    fail(path, std::string("header is a JSON ") + json.type_name() + ", expected an object");
  Header header;
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.key() == kMetadataKey) {
      header.metadata = parse_metadata(path, *it);
    } else {
      header.entries.push_back(parse_entry(path, it.key(), *it, data_size));
    }
  }
  std::stable_sort(header.entries.begin(), header.entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  check_layout(path, header.entries, data_size);
  return header;
}

template <typename File>
Header read_header(File& file, const std::filesystem::path& path) {
  if (file.size < 8)
    fail(path, "file is " + std::to_string(file.size) + " bytes, too short for the 8-byte header length");
  unsigned char length_bytes[8];
  read_exactly(file, path, 0, reinterpret_cast<char*>(length_bytes), 8, "the header length");
  const auto length = load_le<std::uint64_t>(length_bytes);
  if (length > file.size - 8) {
    fail(path, "header length " + std::to_string(length) + " runs past the end of the file (" +
                   std::to_string(file.size) + " bytes)");
  }
  if (length > kMaxHeaderBytes)
    fail(path, "header length " + std::to_string(length) + " exceeds the 100 MB limit");
  std::string text(length, '\0');
  read_exactly(file, path, 8, text.data(), length, "the header");
  Header header = interpret_header(path, parse_header_json(path, text), file.size - 8 - length);
  header.data_start = 8 + length;
  return header;
}

// ---- tensor data ----------------------------------------------------------

void convert_to_float(const std::filesystem::path& path, const Entry& entry, const unsigned char* bytes,
                      float* out, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    switch (entry.dtype.dtype) {
      case DType::F32:
        out[i] = std::bit_cast<float>(load_le<std::uint32_t>(bytes + 4 * i));
        break;
      case DType::F16:
        out[i] = half_to_float(load_le<std::uint16_t>(bytes + 2 * i));
        break;
      case DType::BF16:
        out[i] = bfloat16_to_float(load_le<std::uint16_t>(bytes + 2 * i));
        break;
      case DType::F64: {
        const double v = std::bit_cast<double>(load_le<std::uint64_t>(bytes + 8 * i));
        // Out-of-range double -> float conversion is undefined behaviour.
        if (std::isfinite(v) && std::abs(v) > std::numeric_limits<float>::max()) {
          fail_tensor(
              path, entry.name,
              "F64 element " + std::to_string(i) + " is " + number_text(v) + ", too large for float32");
        }
        out[i] = static_cast<float>(v);
        break;
      }
    }
  }
}

template <typename File>
Array read_tensor(File& file, const std::filesystem::path& path, const Header& header, const Entry& entry) {
  Array value = Array::from_shape(entry.shape);
  const std::uint64_t bytes = entry.end - entry.begin;
  const std::string what = "tensor '" + entry.name + "'";
  if (entry.dtype.dtype == DType::F32 && std::endian::native == std::endian::little) {
    read_exactly(file, path, header.data_start + entry.begin, reinterpret_cast<char*>(value.data()), bytes,
                 what);
    return value;
  }
  std::vector<unsigned char> raw(bytes);
  read_exactly(file, path, header.data_start + entry.begin, reinterpret_cast<char*>(raw.data()), bytes, what);
  convert_to_float(path, entry, raw.data(), value.data(), value.size());
  return value;
}

// The header is read and validated in full before any tensor data.
template <typename File>
std::vector<NamedArray> load_tensors(File& file, const std::filesystem::path& path) {
  const Header header = read_header(file, path);
  std::vector<NamedArray> tensors;
  tensors.reserve(header.entries.size());
  for (const auto& entry : header.entries)
    tensors.push_back({entry.name, read_tensor(file, path, header, entry)});
  return tensors;
}

// ---- writing --------------------------------------------------------------

void check_names(const std::filesystem::path& path, const std::vector<NamedArray>& tensors) {
  std::set<std::string> seen;
  for (const auto& t : tensors) {
    if (t.name == kMetadataKey)
      throw Error("save_safetensors " + path.string() + ": '" + kMetadataKey +
                  "' is reserved, not a tensor name");
    if (!seen.insert(t.name).second)
      throw Error("save_safetensors " + path.string() + ": duplicate tensor name '" + t.name + "'");
  }
}

// The JSON header, padded with spaces to a multiple of 8 bytes.
std::string build_header(const std::filesystem::path& path, const std::vector<NamedArray>& tensors,
                         const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::uint64_t offset = 0;
  for (const auto& t : tensors) {
    const std::uint64_t bytes = t.value.size() * sizeof(float);
    header[t.name] = {{"dtype", "F32"},
                      {"shape", std::vector<std::uint64_t>(t.value.shape().begin(), t.value.shape().end())},
                      {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception& e) {
    throw Error("save_safetensors " + path.string() + ": tensor names and metadata must be valid UTF-8 (" +
                e.what() + ")");
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

void write_floats(std::ostream& out, const Array& value) {
  if constexpr (std::endian::native == std::endian::little) {
    out.write(reinterpret_cast<const char*>(value.data()),
              static_cast<std::streamsize>(value.size() * sizeof(float)));
  } else {
    for (const float v : value) {
      const auto bits = std::bit_cast<std::uint32_t>(v);
      const char bytes[4] = {char(bits & 0xff), char((bits >> 8) & 0xff), char((bits >> 16) & 0xff),
                             char(bits >> 24)};
      out.write(bytes, 4);
    }
  }
}

}  // namespace

void save_safetensors(const std::filesystem::path& path, const std::vector<NamedArray>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  check_names(path, tensors);
  const std::string header = build_header(path, tensors, metadata);
  write_file_atomically(path, [&](std::ostream& out) {
    char length[8];
    store_le_u64(header.size(), length);
    out.write(length, 8);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    for (const auto& t : tensors) write_floats(out, t.value);
  });
}

std::vector<NamedArray> load_safetensors(const std::filesystem::path& path) {
  OpenFile file = open_file(path);
  return load_tensors(file, path);
}

std::vector<NamedArray> load_safetensors_from_bytes(std::string_view bytes, const std::string& source_name) {
  MemoryFile file{bytes, bytes.size()};
  return load_tensors(file, source_name);
}

std::map<std::string, std::string> load_safetensors_metadata(const std::filesystem::path& path) {
  OpenFile file = open_file(path);
  return read_header(file, path).metadata;
}

}  // namespace kiln::io
