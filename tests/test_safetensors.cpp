// safetensors and atomic writes: round trips, the exact bytes the spec asks
// for, the golden reference files, and one rejected file per kind of damage.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "golden.hpp"
#include "graph/error.hpp"
#include "io/atomic_file.hpp"
#include "io/safetensors.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::ScratchDir;
using namespace kiln::io;
namespace fs = std::filesystem;

namespace {

std::string le_bytes(std::uint64_t value, int width) {
  std::string out;
  for (int i = 0; i < width; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

std::string f32_bytes(std::initializer_list<float> values) {
  std::string out;
  for (float v : values) out += le_bytes(std::bit_cast<std::uint32_t>(v), 4);
  return out;
}

// 8-byte little-endian length, header text, data: a safetensors file built
// by hand, independently of save_safetensors.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  return le_bytes(header.size(), 8) + header + data;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Shape shape_of(std::initializer_list<std::size_t> dims) { return Shape(dims.begin(), dims.end()); }

}  // namespace

// Asserts that loading `path` fails with a FormatError whose message starts
// with the path and contains `fault`.
#define CHECK_REJECTED(path, fault)                                \
  do {                                                             \
    std::string rejected_message;                                  \
    CHECK_THROWS_AS(([&] {                                         \
                      try {                                        \
                        load_safetensors(path);                    \
                      } catch (const FormatError& e) {             \
                        rejected_message = e.what();               \
                        throw;                                     \
                      }                                            \
                    }()),                                          \
                    FormatError);                                  \
    INFO("message: " << rejected_message);                         \
    CHECK(rejected_message.rfind((path).string() + ": ", 0) == 0); \
    CHECK(rejected_message.find(fault) != std::string::npos);      \
  } while (0)

// ---- round trips ----------------------------------------------------------

TEST_CASE("save then load returns every tensor, in order, with its shape, values and the metadata") {
  ScratchDir dir("safetensors");
  Array scalar = Array::from_shape({});
  scalar() = -7.25f;
  const Array vector = {1.0f, -2.5f, 3.0e-8f};
  const Array cube = kiln::testing::random_array({2, 3, 4}, 11);
  const std::map<std::string, std::string> metadata = {{"format", "kiln"}, {"epoch", "3"}};
  save_safetensors(dir / "w.safetensors", {{"z_scalar", scalar}, {"a_vector", vector}, {"m/cube", cube}},
                   metadata);

  const auto loaded = load_safetensors(dir / "w.safetensors");
  REQUIRE(loaded.size() == 3);
  CHECK(loaded[0].name == "z_scalar");  // file order, not alphabetical
  CHECK(loaded[1].name == "a_vector");
  CHECK(loaded[2].name == "m/cube");
  CHECK(loaded[0].value.shape() == Shape{});
  CHECK(loaded[0].value() == -7.25f);
  CHECK(loaded[1].value == vector);
  CHECK(loaded[2].value.shape() == shape_of({2, 3, 4}));
  CHECK(loaded[2].value == cube);  // bit-exact
  CHECK(load_safetensors_metadata(dir / "w.safetensors") == metadata);
}

TEST_CASE("zero-element tensors and an empty tensor list round trip") {
  ScratchDir dir("safetensors");
  save_safetensors(dir / "empty.safetensors", {});
  CHECK(load_safetensors(dir / "empty.safetensors").empty());
  CHECK(load_safetensors_metadata(dir / "empty.safetensors").empty());

  save_safetensors(dir / "zero.safetensors", {{"none", Array::from_shape({0, 3})}, {"one", Array{2.0f}}});
  const auto loaded = load_safetensors(dir / "zero.safetensors");
  REQUIRE(loaded.size() == 2);
  CHECK(loaded[0].name == "none");
  CHECK(loaded[0].value.shape() == shape_of({0, 3}));
  CHECK(loaded[1].value == Array{2.0f});
}

TEST_CASE("the written bytes follow the safetensors layout") {
  ScratchDir dir("safetensors");
  const Array w = {{1.5f, -2.0f}, {0.25f, 3.0f}};
  const Array b = {10.0f, 20.0f, 30.0f};
  save_safetensors(dir / "f.safetensors", {{"w", w}, {"b", b}}, {{"source", "test"}});
  const std::string bytes = read_bytes(dir / "f.safetensors");

  REQUIRE(bytes.size() >= 8);
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  CHECK(n % 8 == 0);
  REQUIRE(8 + n <= bytes.size());
  const std::string header_text = bytes.substr(8, n);
  CHECK(header_text.front() == '{');
  auto header = nlohmann::json::parse(header_text);  // trailing padding is spaces
  CHECK(header["__metadata__"] == nlohmann::json{{"source", "test"}});
  CHECK(header["w"]["dtype"] == "F32");
  CHECK(header["w"]["shape"] == nlohmann::json{2, 2});
  CHECK(header["w"]["data_offsets"] == nlohmann::json{0, 16});  // 4 floats
  CHECK(header["b"]["dtype"] == "F32");
  CHECK(header["b"]["shape"] == nlohmann::json::array({3}));
  CHECK(header["b"]["data_offsets"] == nlohmann::json{16, 28});  // right after w
  CHECK(bytes.size() == 8 + n + 28);

  // -2.0f is 0xC0000000 and 1.5f 0x3FC00000, stored little-endian.
  CHECK(bytes.substr(8 + n + 0, 4) == std::string("\x00\x00\xC0\x3F", 4));
  CHECK(bytes.substr(8 + n + 4, 4) == std::string("\x00\x00\x00\xC0", 4));
}

// ---- reading what others wrote ----------------------------------------------

TEST_CASE("the golden GRU file loads with the names and shapes its README lists") {
  const auto tensors = load_safetensors(kiln::testing::golden_path("gru.safetensors"));
  REQUIRE(tensors.size() == 14);
  CHECK(tensors.front().name == "x");  // first by data offset
  CHECK(tensors.back().name == "grad/bias");
  CHECK(load_safetensors_metadata(kiln::testing::golden_path("gru.safetensors")).at("source") ==
        "PyTorch float64, rounded to float32");

  using kiln::testing::golden;
  CHECK(golden("gru.safetensors", "x").shape() == shape_of({3, 5, 4}));
  CHECK(golden("gru.safetensors", "initial_state").shape() == shape_of({3, 6}));
  CHECK(golden("gru.safetensors", "kernel").shape() == shape_of({4, 18}));
  CHECK(golden("gru.safetensors", "recurrent_kernel").shape() == shape_of({6, 18}));
  CHECK(golden("gru.safetensors", "bias").shape() == shape_of({2, 18}));
  CHECK(golden("gru.safetensors", "sequence").shape() == shape_of({3, 5, 6}));
  CHECK(golden("gru.safetensors", "grad/recurrent_kernel").shape() == shape_of({6, 18}));
  CHECK(golden("bahdanau.safetensors", "weights").shape() == shape_of({3, 4, 5}));
}

TEST_CASE("golden values match the raw little-endian bytes of the file") {
  const std::string bytes = read_bytes(kiln::testing::golden_path("gru.safetensors"));
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  const std::size_t begin = header["kernel"]["data_offsets"][0];
  const Array kernel = kiln::testing::golden("gru.safetensors", "kernel");
  for (std::size_t i : {std::size_t{0}, std::size_t{17}, std::size_t{71}}) {
    std::uint32_t bits = 0;
    for (int k = 0; k < 4; ++k)
      bits |= std::uint32_t(static_cast<unsigned char>(bytes[8 + n + begin + 4 * i + k])) << (8 * k);
    CAPTURE(i);
    CHECK(kernel.data()[i] == std::bit_cast<float>(bits));
  }
}

TEST_CASE("golden names the file and its tensors when asked for a missing one") {
  using kiln::testing::golden;
  CHECK_THROWS_WITH_AS(golden("gru.safetensors", "nope"),
                       doctest::Contains("has no tensor 'nope' (it has: bias, grad/bias"), Error);
  CHECK_THROWS_WITH_AS(golden("missing.safetensors", "x"), doctest::Contains("cannot open"), FormatError);
}

TEST_CASE("F64, F16 and BF16 tensors are converted to float32") {
  ScratchDir dir("safetensors");
  std::string data =
      le_bytes(std::bit_cast<std::uint64_t>(0.5), 8) + le_bytes(std::bit_cast<std::uint64_t>(-0.1), 8);
  // F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), -0, +inf.
  for (std::uint64_t h : {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00}) data += le_bytes(h, 2);
  // BF16: 1, -3 (0xC040: sign, exponent 128, mantissa .5).
  for (std::uint64_t h : {0x3F80, 0xC040}) data += le_bytes(h, 2);
  const std::string header = R"({"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},)"
                             R"("h":{"dtype":"F16","shape":[2,3],"data_offsets":[16,28]},)"
                             R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[28,32]}})";
  write_bytes(dir / "mixed.safetensors", safetensors_bytes(header, data));

  const auto loaded = load_safetensors(dir / "mixed.safetensors");
  REQUIRE(loaded.size() == 3);
  CHECK(loaded[0].value == Array{0.5f, -0.1f});
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(loaded[1].value == Array{{1.0f, -2.0f, 65504.0f}, {std::ldexp(1.0f, -24), -0.0f, inf}});
  CHECK(std::signbit(loaded[1].value(1, 1)));
  CHECK(loaded[2].value == Array{1.0f, -3.0f});
}

// ---- rejected files ---------------------------------------------------------

TEST_CASE("a file too short to hold the header length is rejected") {
  ScratchDir dir("safetensors");
  write_bytes(dir / "short.safetensors", std::string("\x08\x00\x00\x00", 4));
  CHECK_REJECTED(dir / "short.safetensors", "file is 4 bytes, too short for the 8-byte header length");
}

TEST_CASE("a header length beyond the file or above 100 MB is rejected") {
  ScratchDir dir("safetensors");
  write_bytes(dir / "long.safetensors", le_bytes(1000, 8) + "{}");
  CHECK_REJECTED(dir / "long.safetensors", "header length 1000 runs past the end of the file (10 bytes)");
  write_bytes(dir / "huge.safetensors", le_bytes(std::uint64_t(1) << 63, 8) + "{}");
  CHECK_REJECTED(dir / "huge.safetensors", "runs past the end of the file");

  // A sparse file big enough that only the 100 MB limit applies.
  write_bytes(dir / "absurd.safetensors", le_bytes((100u << 20) + 1, 8));
  fs::resize_file(dir / "absurd.safetensors", (100u << 20) + 16);
  CHECK_REJECTED(dir / "absurd.safetensors", "header length 104857601 exceeds the 100 MB limit");
}

TEST_CASE("a header that is not a JSON object is rejected") {
  ScratchDir dir("safetensors");
  const std::pair<std::string, std::string> cases[] = {
      {"{not json}", "header is not valid JSON"},
      {"", "header is not valid JSON"},
      {"{\"a\":\"\xff\"}", "header is not valid JSON"},  // invalid UTF-8
      {"[1, 2]", "header is a JSON array, expected an object"},
      {R"({"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{}})", "header repeats the key 'a'"},
      {"[[[[[[[[[[[[]]]]]]]]]]]]", "header JSON nests deeper than 8 levels"},
  };
  for (const auto& [header, fault] : cases) {
    CAPTURE(header);
    write_bytes(dir / "bad.safetensors", safetensors_bytes(header, f32_bytes({1.0f})));
    CHECK_REJECTED(dir / "bad.safetensors", fault);
  }
}

TEST_CASE("entries with missing fields or wrong JSON types are rejected, naming the tensor") {
  ScratchDir dir("safetensors");
  const std::pair<std::string, std::string> cases[] = {
      {R"({"w":[1]})", "tensor 'w': entry is a JSON array, expected an object"},
      {R"({"w":{"shape":[1],"data_offsets":[0,4]}})", "tensor 'w': missing \"dtype\""},
      {R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", "tensor 'w': missing \"shape\""},
      {R"({"w":{"dtype":"F32","shape":[1]}})", "tensor 'w': missing \"data_offsets\""},
      {R"({"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}})",
       "tensor 'w': dtype is a JSON number, expected a string"},
      {R"({"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}})",
       "tensor 'w': shape is a JSON string, expected an array"},
      {R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})",
       "tensor 'w': shape entry 0 is -1, expected a non-negative integer"},
      {R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", "shape entry 0 is 1.5"},
      {R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})",
       "tensor 'w': data_offsets must be two non-negative integers"},
      {R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})",
       "tensor 'w': data_offsets [4, 0] end before they begin"},
      {R"({"__metadata__":{"k":1}})", "__metadata__ value for 'k' is a JSON number, expected a string"},
      {R"({"__metadata__":"k"})", "__metadata__ is a JSON string, expected an object of strings"},
  };
  for (const auto& [header, fault] : cases) {
    CAPTURE(header);
    write_bytes(dir / "bad.safetensors", safetensors_bytes(header, f32_bytes({1.0f})));
    CHECK_REJECTED(dir / "bad.safetensors", fault);
  }
}

TEST_CASE("unsupported dtypes are rejected, naming the tensor and the dtype") {
  ScratchDir dir("safetensors");
  write_bytes(
      dir / "q.safetensors",
      safetensors_bytes(R"({"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}})", f32_bytes({1.0f})));
  CHECK_REJECTED(dir / "q.safetensors", "tensor 'w': unsupported dtype 'Q7'");
  write_bytes(
      dir / "i.safetensors",
      safetensors_bytes(R"({"ids":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})", f32_bytes({1.0f})));
  CHECK_REJECTED(dir / "i.safetensors",
                 "tensor 'ids': unsupported dtype 'I32' (kiln reads F32, F64, F16 and BF16)");
}

TEST_CASE("data_offsets that disagree with shape times dtype size are rejected") {
  ScratchDir dir("safetensors");
  write_bytes(dir / "m.safetensors",
              safetensors_bytes(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})",
                                std::string(20, '\0')));
  CHECK_REJECTED(dir / "m.safetensors",
                 "tensor 'w': data_offsets [0, 20] hold 20 bytes but shape (2, 3) of F32 needs 24");
  // 2^32 * 2^32 elements overflow 64 bits: rejected, not wrapped to a small size.
  write_bytes(
      dir / "o.safetensors",
      safetensors_bytes(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", ""));
  CHECK_REJECTED(dir / "o.safetensors", "tensor 'w': shape (4294967296, 4294967296) has too many elements");
  write_bytes(dir / "z.safetensors",
              safetensors_bytes(
                  R"({"w":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}})", ""));
  CHECK_REJECTED(dir / "z.safetensors", "has too many elements");
}

TEST_CASE("data_offsets past the end of the data buffer are rejected") {
  ScratchDir dir("safetensors");
  write_bytes(dir / "p.safetensors",
              safetensors_bytes(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[1000,1004]}})",
                                f32_bytes({1.0f})));
  CHECK_REJECTED(
      dir / "p.safetensors",
      "tensor 'w': data_offsets [1000, 1004] run past the end of the data buffer, which holds 4 bytes");
  write_bytes(
      dir / "q.safetensors",
      safetensors_bytes(
          R"({"w":{"dtype":"F32","shape":[],"data_offsets":[18446744073709551612,18446744073709551616]}})",
          ""));
  CHECK_REJECTED(dir / "q.safetensors",
                 "tensor 'w': data_offsets must be two non-negative integers");  // 2^64 is no u64
}

TEST_CASE("overlapping regions, holes and unclaimed trailing bytes are rejected") {
  ScratchDir dir("safetensors");
  const std::string two = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)";
  write_bytes(dir / "overlap.safetensors",
              safetensors_bytes(two + R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                std::string(12, '\0')));
  CHECK_REJECTED(dir / "overlap.safetensors",
                 "tensor 'b': data_offsets [4, 12] overlap tensor 'a' at [0, 8]");

  write_bytes(dir / "hole.safetensors",
              safetensors_bytes(two + R"("b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})",
                                std::string(16, '\0')));
  CHECK_REJECTED(dir / "hole.safetensors",
                 "tensor 'b': bytes [8, 12) before its data_offsets [12, 16] belong to no tensor");

  write_bytes(
      dir / "tail.safetensors",
      safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", std::string(12, '\0')));
  CHECK_REJECTED(dir / "tail.safetensors", "the last 4 bytes of the data buffer belong to no tensor");
}

TEST_CASE("a file whose data section was cut short is rejected") {
  ScratchDir dir("safetensors");
  save_safetensors(dir / "cut.safetensors", {{"a", Array{1.0f, 2.0f}}, {"b", Array{3.0f, 4.0f}}});
  fs::resize_file(dir / "cut.safetensors", fs::file_size(dir / "cut.safetensors") - 2);
  CHECK_REJECTED(dir / "cut.safetensors",
                 "tensor 'b': data_offsets [8, 16] run past the end of the data buffer, which holds 14 bytes "
                 "(truncated file?)");
}

TEST_CASE("an F64 value too large for float32 is rejected rather than converted") {
  ScratchDir dir("safetensors");
  write_bytes(dir / "big.safetensors",
              safetensors_bytes(R"({"d":{"dtype":"F64","shape":[],"data_offsets":[0,8]}})",
                                le_bytes(std::bit_cast<std::uint64_t>(1e300), 8)));
  CHECK_REJECTED(dir / "big.safetensors", "tensor 'd': F64 element 0 is");
}

TEST_CASE("loading a missing file names the path and the reason") {
  ScratchDir dir("safetensors");
  CHECK_THROWS_WITH_AS(
      load_safetensors(dir / "absent.safetensors"),
      ("cannot open " + (dir / "absent.safetensors").string() + ": No such file or directory").c_str(),
      FormatError);
}

// ---- writing ----------------------------------------------------------------

TEST_CASE("save_safetensors rejects duplicate and reserved names and writes nothing") {
  ScratchDir dir("safetensors");
  CHECK_THROWS_WITH_AS(save_safetensors(dir / "d.safetensors", {{"w", Array{1.0f}}, {"w", Array{2.0f}}}),
                       doctest::Contains("duplicate tensor name 'w'"), Error);
  CHECK_THROWS_WITH_AS(save_safetensors(dir / "d.safetensors", {{"__metadata__", Array{1.0f}}}),
                       doctest::Contains("'__metadata__' is reserved"), Error);
  CHECK_THROWS_WITH_AS(save_safetensors(dir / "d.safetensors", {{"bad\xff", Array{1.0f}}}),
                       doctest::Contains("must be valid UTF-8"), Error);
  CHECK(dir.listing().empty());
}

TEST_CASE("an atomic write whose writer throws midway leaves the old file intact and no temporary") {
  ScratchDir dir("safetensors");
  write_file_atomically(dir / "model.safetensors", std::string("old content"));
  CHECK_THROWS_WITH_AS(write_file_atomically(dir / "model.safetensors",
                                             [](std::ostream& out) {
                                               out << std::string(200000, 'x');  // past the stream's buffer
                                               throw std::runtime_error("writer failed");
                                             }),
                       "writer failed", std::runtime_error);
  CHECK(read_file(dir / "model.safetensors") == "old content");
  CHECK(dir.listing() == std::vector<std::string>{"model.safetensors"});
}

TEST_CASE("an atomic write replaces the content and leaves no temporary") {
  ScratchDir dir("safetensors");
  write_file_atomically(dir / "f.txt", std::string("first"));
  write_file_atomically(dir / "f.txt", [](std::ostream& out) { out << "second " << 2; });
  CHECK(read_file(dir / "f.txt") == "second 2");
  CHECK(dir.listing() == std::vector<std::string>{"f.txt"});
}

TEST_CASE("an atomic write that cannot create its file names the path and the reason") {
  ScratchDir dir("safetensors");
  const fs::path target = dir / "no-such-dir" / "f.txt";
  CHECK_THROWS_WITH_AS(
      write_file_atomically(target, std::string("x")),
      doctest::Contains(("cannot write " + target.string() + ": cannot create temporary file").c_str()),
      Error);
  CHECK_THROWS_WITH_AS(write_file_atomically(target, std::string("x")),
                       doctest::Contains("No such file or directory"), Error);
  // Renaming a file over a directory fails after the temporary was written.
  fs::create_directory(dir / "taken");
  CHECK_THROWS_WITH_AS(write_file_atomically(dir / "taken", std::string("x")),
                       doctest::Contains("Is a directory"), Error);
  CHECK(dir.listing() == std::vector<std::string>{"taken"});
}

TEST_CASE("read_file returns the bytes and names the path when it cannot open it") {
  ScratchDir dir("safetensors");
  write_bytes(dir / "bin", std::string("a\0b", 3));
  CHECK(read_file(dir / "bin") == std::string("a\0b", 3));
  CHECK_THROWS_WITH_AS(read_file(dir / "none"),
                       ("cannot open " + (dir / "none").string() + ": No such file or directory").c_str(),
                       FormatError);
}
