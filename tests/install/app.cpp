// A program outside the source tree, built against an installed kiln with
// g++ -std=c++20 app.cpp $(pkg-config --cflags --libs kiln), and again with
// -march=x86-64 and -march=native, and through CMake's find_package(kiln).
// check_install.sh compares what each build prints: one kiln, one ABI, the
// same numbers whatever flags the program itself was compiled with.
//   app                 checks a gradient, trains a few steps, prints
//   app save DIR        ... and saves the trained model to DIR
#include <kiln/kiln.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace {

// The gradient of tanh(x w) against its formula.
bool gradient_is_right() {
  kiln::Tensor w(kiln::Array{{1.0f, 2.0f}, {3.0f, 4.0f}}, true, "w");
  kiln::Tensor x(kiln::Array{{1.0f, 1.0f}});
  kiln::Tensor y = kiln::tanh(kiln::matmul(x, w));
  kiln::backward(y, kiln::Array{{1.0f, 1.0f}});
  // dy/dw[i][j] = x[i] * (1 - tanh(4|6)^2)
  const double expected = 1.0 - std::pow(std::tanh(4.0), 2.0);
  if (std::abs(w.grad()(0, 0) - expected) > 1e-5) {
    std::printf("wrong gradient %f, expected %f\n", double(w.grad()(0, 0)), expected);
    return false;
  }
  return true;
}

// Arrays made here and freed in libkiln (and the reverse) on every step:
// with a mismatched allocator AddressSanitizer reports alloc-dealloc-mismatch.
kiln::Array ramp(std::size_t rows, std::size_t cols, float scale) {
  kiln::Array a = kiln::Array::from_shape({rows, cols});
  for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] = scale * std::sin(float(i + 1));
  return a;
}

// With ONNX support: the model exported and imported back predicts the
// same (a static libkiln must bring protobuf and onnx_proto to this link).
bool onnx_round_trip(kiln::Model& model, const kiln::Array& x, const kiln::Array& expected) {
  const auto path = std::filesystem::temp_directory_path() / ("kiln-install-app-" + std::to_string(::getpid()) + ".onnx");
  kiln::export_onnx(model, path);
  const kiln::Array got = kiln::import_onnx(path)->predict({x})[0];
  std::filesystem::remove(path);
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::abs(got.data()[i] - expected.data()[i]) > 1e-5f) {
      std::printf("the ONNX round trip predicts %f, not %f\n", double(got.data()[i]), double(expected.data()[i]));
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::printf("kiln %s (headers %d.%d.%d), kernels %s\n", kiln::library_version(), KILN_VERSION_MAJOR,
              KILN_VERSION_MINOR, KILN_VERSION_PATCH, kiln::kernels::active().isa);
  if (!gradient_is_right()) return 1;

  kiln::Sequential model({.input_shape = {6}, .name = "installed"});
  model->add(kiln::Dense({.units = 8, .activation = "tanh", .name = "hidden"}));
  model->add(kiln::Dense({.units = 3, .activation = "softmax", .name = "out"}));
  model->compile({.optimizer = "adam", .loss = "categorical_crossentropy"});
  kiln::Array y = kiln::Array::from_shape({4, 3});
  y.fill(0.0f);
  for (std::size_t i = 0; i < 4; ++i) y(i, i % 3) = 1.0f;
  for (int step = 0; step < 5; ++step) {
    const double loss = model->train_on_batch({ramp(4, 6, 1.0f + 0.1f * float(step))}, {y}).at("loss");
    std::printf("step %d loss %a\n", step, loss);  // %a: every bit, not a rounding
  }
  const kiln::Array p = model->predict({ramp(2, 6, 0.5f)})[0];
  for (std::size_t i = 0; i < p.size(); ++i) std::printf("p[%zu] = %a\n", i, double(p.data()[i]));
  if (kiln::onnx_supported()) {
    if (!onnx_round_trip(*model, ramp(2, 6, 0.5f), p)) return 1;
    std::printf("onnx: exported and imported back, the same predictions\n");
  }

  if (argc == 3 && std::strcmp(argv[1], "save") == 0) kiln::save_model(*model, argv[2]);
  std::printf("installed kiln works\n");
  return 0;
}
